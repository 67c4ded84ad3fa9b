package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn"
)

// meta is the JSON carried in the Cairn-Meta header: what a follower needs to route
// and index an event without reading the record.
type meta struct {
	TimeNanos int64              `json:"t"`
	Account   string             `json:"a"`
	Region    string             `json:"r"`
	Lookup    cairn.LookupFields `json:"l"`
}

// Subject returns the subject an event of account and region is published on.
// Characters that cannot appear in a subject token are replaced by '_'.
func Subject(account, region string) string {
	var b strings.Builder
	b.Grow(len(SubjectPrefix) + len(account) + len(region) + 2)
	b.WriteString(SubjectPrefix)
	b.WriteByte('.')
	writeToken(&b, account)
	b.WriteByte('.')
	writeToken(&b, region)
	return b.String()
}

func writeToken(b *strings.Builder, s string) {
	if s == "" {
		b.WriteByte('_')
		return
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '.' || c == '*' || c == '>' || c >= 0x7f {
			c = '_'
		}
		b.WriteByte(c)
	}
}

func eventID(e *cairn.Event) string {
	if e.Lookup.EventID != "" {
		return e.Lookup.EventID
	}
	if e.Record != nil {
		return e.Record.EventID
	}
	return ""
}

// Append publishes the events and returns once JetStream acknowledged every one of
// them (stored, or recognised as a duplicate of an event id seen within the
// duplicate window). The events are published back to back and their
// acknowledgements awaited together, so a batch costs about one round trip. Events
// of one call are stored in order. Safe for concurrent use. On error some of the
// events may have been stored; appending them again is harmless within the window.
func (l *Log) Append(ctx context.Context, events ...*cairn.Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if !l.enter() {
		return cairn.ErrClosed
	}
	defer l.wg.Done()

	var one [1]jetstream.PubAckFuture
	futures := one[:0]
	if len(events) > 1 {
		futures = make([]jetstream.PubAckFuture, 0, len(events))
	}
	for _, e := range events {
		msg, err := newEventMsg(e)
		if err != nil {
			return err
		}
		f, err := l.js.PublishMsgAsync(msg)
		if err != nil {
			return fmt.Errorf("append %s: %w", msg.Header.Get(headerMsgID), err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("append %s: %w", f.Msg().Header.Get(headerMsgID), err)
		case <-ctx.Done():
			return fmt.Errorf("append: %w", ctx.Err())
		}
	}
	return nil
}

func newEventMsg(e *cairn.Event) (*nats.Msg, error) {
	if e == nil {
		return nil, errors.New("append: nil event")
	}
	id := eventID(e)
	if id == "" {
		return nil, errors.New("append: event without an event id")
	}
	if len(e.Raw) == 0 {
		return nil, fmt.Errorf("append %s: event without record bytes", id)
	}
	m, err := encodeMeta(&meta{
		TimeNanos: e.Time.UnixNano(),
		Account:   e.Account,
		Region:    e.Region,
		Lookup:    e.Lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("append %s: encode meta: %w", id, err)
	}
	return &nats.Msg{
		Subject: Subject(e.Account, e.Region),
		Header:  nats.Header{headerMsgID: {id}, HeaderMeta: {string(m)}},
		Data:    e.Raw,
	}, nil
}
