package kvs

import (
	"fmt"
	"strings"
	"testing"
)

func TestPageCache(t *testing.T) {
	mk := func(n int) *page {
		p, err := parsePage(encodePage(entriesOf([]Item{{Key: "k", Value: strings.Repeat("v", n)}})))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var c pageCache
	if _, ok := c.get("a"); ok {
		t.Fatal("empty cache hit")
	}
	big := mk(pageCacheBytes / 10)
	for i := range 12 {
		c.put(fmt.Sprint(i), big)
	}
	if c.bytes > pageCacheBytes {
		t.Fatalf("%d bytes cached, bound %d", c.bytes, pageCacheBytes)
	}
	if _, ok := c.get("0"); ok {
		t.Fatal("oldest page not evicted")
	}
	if p, ok := c.get("11"); !ok || p != big {
		t.Fatal("newest page evicted")
	}
	n := len(c.pages)
	if c.put("huge", mk(pageCacheBytes/4)); len(c.pages) != n {
		t.Fatalf("a page over the size limit was cached (%d pages)", len(c.pages))
	}
	// Put and drop in turn: the eviction order does not grow without bound.
	var small pageCache
	p := mk(10)
	for i := range 10000 {
		small.put(fmt.Sprint(i), p)
		small.drop(fmt.Sprint(i))
	}
	if len(small.pages) != 0 || small.bytes != 0 || len(small.order) > 100 {
		t.Fatalf("%d pages, %d bytes, %d keys in order", len(small.pages), small.bytes, len(small.order))
	}
}
