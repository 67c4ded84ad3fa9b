package cloudtrail

import (
	"context"
	"fmt"
	"time"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/history"
)

// RecordFetcher loads stored record bodies by event-log sequence.
type RecordFetcher interface {
	GetMany(ctx context.Context, seqs []uint64) ([][]byte, error)
}

// LookupEvents answers from the Event history of the caller's account and region.
func (p *Provider) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsRequest) (*cloudtrail.LookupEventsResponse, error) {
	rc := awsproto.FromContext(ctx)
	q := history.Query{Account: rc.Principal.AccountID, Region: rc.Region, NextToken: deref(in.NextToken)}
	if in.EventCategory != "" {
		if err := history.ValidateCategory(string(in.EventCategory)); err != nil {
			return nil, err
		}
		q.Insight = true
	}
	for _, a := range in.LookupAttributes {
		q.Attributes = append(q.Attributes, history.Attribute{Key: string(a.AttributeKey), Value: deref(a.AttributeValue)})
	}
	if in.MaxResults != nil {
		q.MaxResults = int(*in.MaxResults)
		if q.MaxResults == 0 {
			q.MaxResults = -1 // explicit 0 is out of range, not "default"
		}
	}
	if in.StartTime != nil {
		t := in.StartTime.Time
		q.StartTime = &t
	}
	if in.EndTime != nil {
		t := in.EndTime.Time
		q.EndTime = &t
	}
	page, err := p.History.Lookup(q)
	if err != nil {
		return nil, err
	}
	seqs := make([]uint64, len(page.Events))
	for i, e := range page.Events {
		seqs[i] = e.Seq
	}
	bodies, err := p.Records.GetMany(ctx, seqs)
	if err != nil {
		return nil, fmt.Errorf("load records: %w", err)
	}
	out := &cloudtrail.LookupEventsResponse{Events: make([]cloudtrail.Event, 0, len(page.Events))}
	for i, e := range page.Events {
		f := e.Lookup
		ev := cloudtrail.Event{
			EventId:         ptr(f.EventID),
			EventName:       ptr(f.EventName),
			EventSource:     ptr(f.EventSource),
			EventTime:       awsproto.NewTimestamp(e.Time.Truncate(time.Second)),
			ReadOnly:        ptr(f.ReadOnly),
			Username:        optional(f.Username),
			AccessKeyId:     optional(f.AccessKeyID),
			CloudTrailEvent: ptr(string(bodies[i])),
			Resources:       []cloudtrail.Resource{},
		}
		for _, r := range f.Resources {
			ev.Resources = append(ev.Resources, cloudtrail.Resource{ResourceType: optional(r.Type), ResourceName: optional(r.Name)})
		}
		out.Events = append(out.Events, ev)
	}
	if page.NextToken != "" {
		out.NextToken = ptr(page.NextToken)
	}
	return out, nil
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// optional is nil for an empty string, so absent values are left out on the wire.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
