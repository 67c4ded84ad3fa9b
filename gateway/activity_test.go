package gateway

import (
	"sync"
	"testing"
	"time"
)

func TestActivity_Idle(t *testing.T) {
	var a Activity
	if a.InFlight() {
		t.Fatal("a new Activity is busy")
	}
	select {
	case <-a.Idle():
	default:
		t.Fatal("Idle not closed with nothing in flight")
	}
	a.begin()
	a.begin()
	idle := a.Idle()
	if !a.InFlight() {
		t.Fatal("not busy with two calls in flight")
	}
	a.end()
	select {
	case <-idle:
		t.Fatal("Idle closed with a call still in flight")
	case <-time.After(10 * time.Millisecond):
	}
	a.end()
	select {
	case <-idle:
	case <-time.After(time.Second):
		t.Fatal("Idle not closed when the last call ended")
	}
	if a.InFlight() {
		t.Fatal("busy after every call ended")
	}
	var nilA *Activity
	nilA.begin()
	nilA.end()
	if nilA.InFlight() {
		t.Fatal("a nil Activity is busy")
	}
	<-nilA.Idle()
}

// TestActivity_Concurrent: many calls beginning and ending while waiters wait; every
// waiter is released once the calls are done.
func TestActivity_Concurrent(t *testing.T) {
	var a Activity
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2000 {
				a.begin()
				a.end()
			}
		}()
	}
	waiters := make(chan struct{})
	go func() {
		for range 200 {
			<-a.Idle()
		}
		close(waiters)
	}()
	wg.Wait()
	select {
	case <-waiters:
	case <-time.After(10 * time.Second):
		t.Fatal("a waiter was not released")
	}
	if a.InFlight() {
		t.Fatal("busy at the end")
	}
}
