package history_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/history"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	acctA  = "111111111111"
	acctB  = "222222222222"
	region = "us-east-1"
)

func newIndex(tb testing.TB) (*history.Index, *testClock) {
	tb.Helper()
	clk := &testClock{t: t0}
	return history.New(history.Config{Clock: clk, TokenKey: []byte("test-key")}), clk
}

// mgmt returns a management event of account A in region at time t.
func mgmt(seq uint64, t time.Time, f cairn.LookupFields) cairn.LoggedEvent {
	if f.Category == "" {
		f.Category = cairn.EventCategoryManagement
	}
	if f.EventID == "" {
		f.EventID = fmt.Sprintf("00000000-0000-4000-8000-%012x", seq)
	}
	if f.EventName == "" {
		f.EventName = "DescribeTrails"
	}
	if f.EventSource == "" {
		f.EventSource = "cloudtrail.amazonaws.com"
	}
	return cairn.LoggedEvent{Seq: seq, TimeNanos: t.UnixNano(), Account: acctA, Region: region, Lookup: f}
}

func in(account, reg string, e cairn.LoggedEvent) cairn.LoggedEvent {
	e.Account, e.Region = account, reg
	return e
}

func seqs(p history.Page) []uint64 {
	var out []uint64
	for _, e := range p.Events {
		out = append(out, e.Seq)
	}
	return out
}

func mustLookup(tb testing.TB, ix *history.Index, q history.Query) history.Page {
	tb.Helper()
	p, err := ix.Lookup(q)
	if err != nil {
		tb.Fatalf("Lookup(%+v): %v", q, err)
	}
	return p
}

// wantCode fails unless err is an *awsproto.Error with code and HTTP 400.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		tb.Fatalf("error = %v, want %s", err, code)
	}
	if ae.Code != code || ae.Status != http.StatusBadRequest || ae.Receiver || ae.Message == "" {
		tb.Fatalf("error = %+v, want code %s, status 400, sender fault, a message", ae, code)
	}
}

func attr(k, v string) []history.Attribute { return []history.Attribute{{Key: k, Value: v}} }

func ptr(t time.Time) *time.Time { return &t }

func TestIndex_Lookup(t *testing.T) {
	t.Parallel()

	t.Run("Attributes", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		ro, rw := "true", "false"
		ix.Add(mgmt(1, t0.Add(-5*time.Minute), cairn.LookupFields{
			EventID: "3f1c2a9e-5d7b-4c1e-9a2f-0b8e6d4c3a21", EventName: "CreateTrail", ReadOnly: rw,
			Username: "alice", AccessKeyID: "AKIAALICE", EventSource: "cloudtrail.amazonaws.com",
			Resources: []cairn.LookupResource{{Type: "AWS::CloudTrail::Trail", Name: "main"}, {Type: "AWS::S3::Bucket", Name: "logs"}},
		}))
		ix.Add(mgmt(2, t0.Add(-4*time.Minute), cairn.LookupFields{
			EventID: "not-a-uuid-1", EventName: "GetTrail", ReadOnly: ro,
			Username: "bob", AccessKeyID: "ASIABOB", EventSource: "cloudtrail.amazonaws.com",
			Resources: []cairn.LookupResource{{Type: "AWS::CloudTrail::Trail", Name: "main"}},
		}))
		ix.Add(mgmt(3, t0.Add(-3*time.Minute), cairn.LookupFields{
			EventID: "3F1C2A9E-5D7B-4C1E-9A2F-0B8E6D4C3A21", EventName: "CreateBucket", ReadOnly: rw,
			Username: "alice", AccessKeyID: "ASIABOB", EventSource: "s3.amazonaws.com",
			// The same resource type twice must not list the event twice.
			Resources: []cairn.LookupResource{{Type: "AWS::S3::Bucket", Name: "logs"}, {Type: "AWS::S3::Bucket", Name: "data"}},
		}))
		ix.Add(mgmt(4, t0.Add(-2*time.Minute), cairn.LookupFields{
			EventID: "root-login", EventName: "ConsoleLogin", Username: "root", EventSource: "signin.amazonaws.com",
		}))
		tests := []struct {
			key, value string
			want       []uint64
		}{
			{history.KeyEventID, "3f1c2a9e-5d7b-4c1e-9a2f-0b8e6d4c3a21", []uint64{1}},
			{history.KeyEventID, "3F1C2A9E-5D7B-4C1E-9A2F-0B8E6D4C3A21", []uint64{3}},
			{history.KeyEventID, "not-a-uuid-1", []uint64{2}},
			{history.KeyEventID, "3f1c2a9e-5d7b-4c1e-9a2f-0b8e6d4c3a22", nil},
			{history.KeyEventName, "CreateTrail", []uint64{1}},
			{history.KeyEventName, "createtrail", nil},
			{history.KeyEventName, "ConsoleLogin", []uint64{4}},
			{history.KeyReadOnly, "true", []uint64{2}},
			{history.KeyReadOnly, "false", []uint64{3, 1}},
			{history.KeyReadOnly, "False", nil},
			{history.KeyUsername, "alice", []uint64{3, 1}},
			{history.KeyUsername, "root", []uint64{4}},
			{history.KeyUsername, "ali", nil},
			{history.KeyResourceType, "AWS::CloudTrail::Trail", []uint64{2, 1}},
			{history.KeyResourceType, "AWS::S3::Bucket", []uint64{3, 1}},
			{history.KeyResourceName, "logs", []uint64{3, 1}},
			{history.KeyResourceName, "data", []uint64{3}},
			{history.KeyResourceName, "main", []uint64{2, 1}},
			{history.KeyEventSource, "cloudtrail.amazonaws.com", []uint64{2, 1}},
			{history.KeyEventSource, "s3.amazonaws.com", []uint64{3}},
			{history.KeyAccessKeyID, "ASIABOB", []uint64{3, 2}},
			{history.KeyAccessKeyID, "AKIAALICE", []uint64{1}},
		}
		for _, tt := range tests {
			t.Run(tt.key+"="+tt.value, func(t *testing.T) {
				p := mustLookup(t, ix, history.Query{Account: acctA, Region: region, Attributes: attr(tt.key, tt.value)})
				if got := seqs(p); !slices.Equal(got, tt.want) {
					t.Fatalf("seqs = %v, want %v", got, tt.want)
				}
				if p.NextToken != "" {
					t.Fatalf("NextToken = %q on the only page", p.NextToken)
				}
			})
		}
		t.Run("NoAttribute", func(t *testing.T) {
			p := mustLookup(t, ix, history.Query{Account: acctA, Region: region})
			if got, want := seqs(p), []uint64{4, 3, 2, 1}; !slices.Equal(got, want) {
				t.Fatalf("seqs = %v, want %v", got, want)
			}
		})
		t.Run("Fields", func(t *testing.T) {
			p := mustLookup(t, ix, history.Query{Account: acctA, Region: region, Attributes: attr(history.KeyUsername, "alice")})
			got := p.Events[1]
			want := history.Entry{Seq: 1, Time: t0.Add(-5 * time.Minute), Lookup: cairn.LookupFields{
				EventID: "3f1c2a9e-5d7b-4c1e-9a2f-0b8e6d4c3a21", EventName: "CreateTrail", ReadOnly: rw,
				Username: "alice", AccessKeyID: "AKIAALICE", EventSource: "cloudtrail.amazonaws.com",
				Category:  cairn.EventCategoryManagement,
				Resources: []cairn.LookupResource{{Type: "AWS::CloudTrail::Trail", Name: "main"}, {Type: "AWS::S3::Bucket", Name: "logs"}},
			}}
			if fmt.Sprint(got) != fmt.Sprint(want) || !got.Time.Equal(want.Time) {
				t.Fatalf("entry =\n%+v\nwant\n%+v", got, want)
			}
			if got := p.Events[0].Lookup; got.EventID != "3F1C2A9E-5D7B-4C1E-9A2F-0B8E6D4C3A21" || len(got.Resources) != 2 {
				t.Fatalf("entry = %+v", got)
			}
		})
	})

	t.Run("AttributeErrors", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		long := string(make([]byte, 2001))
		tests := []struct {
			name    string
			attrs   []history.Attribute
			insight bool
		}{
			{"TwoAttributes", []history.Attribute{{"EventName", "A"}, {"Username", "b"}}, false},
			{"UnknownKey", attr("EventType", "AwsApiCall"), false},
			{"WrongCase", attr("eventName", "A"), false},
			{"AccessKeyIDCase", attr("AccessKeyID", "A"), false},
			{"EmptyKey", attr("", "A"), false},
			{"EmptyValue", attr("EventName", ""), false},
			{"LongValue", attr("EventName", long), false},
			{"InsightUsername", attr("Username", "bob"), true},
			{"InsightReadOnly", attr("ReadOnly", "true"), true},
			{"InsightResourceType", attr("ResourceType", "AWS::S3::Bucket"), true},
			{"InsightResourceName", attr("ResourceName", "x"), true},
			{"InsightAccessKeyId", attr("AccessKeyId", "AKIA"), true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := ix.Lookup(history.Query{Account: acctA, Region: region, Attributes: tt.attrs, Insight: tt.insight})
				wantCode(t, err, history.CodeInvalidLookupAttributes)
			})
		}
		for _, k := range []string{"EventId", "EventName", "EventSource"} {
			mustLookup(t, ix, history.Query{Account: acctA, Region: region, Attributes: attr(k, "x"), Insight: true})
		}
		mustLookup(t, ix, history.Query{Account: acctA, Region: region, Attributes: attr("EventName", string(make([]byte, 2000)))})
	})

	t.Run("AccountIsolation", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		for i := uint64(1); i <= 6; i++ {
			ix.Add(mgmt(i, t0.Add(-time.Duration(10-i)*time.Minute), cairn.LookupFields{Username: "alice"}))
		}
		ix.Add(in(acctB, region, mgmt(7, t0.Add(-time.Minute), cairn.LookupFields{Username: "alice"})))
		pa := mustLookup(t, ix, history.Query{Account: acctA, Region: region, MaxResults: 2})
		if got := seqs(pa); !slices.Equal(got, []uint64{6, 5}) || pa.NextToken == "" {
			t.Fatalf("A: seqs = %v, token %q", got, pa.NextToken)
		}
		for _, q := range []history.Query{
			{Account: acctB, Region: region},
			{Account: acctB, Region: region, Attributes: attr("Username", "alice")},
		} {
			pb := mustLookup(t, ix, q)
			if got := seqs(pb); !slices.Equal(got, []uint64{7}) {
				t.Fatalf("B: seqs = %v, want [7]", got)
			}
		}
		_, err := ix.Lookup(history.Query{Account: acctB, Region: region, MaxResults: 2, NextToken: pa.NextToken})
		wantCode(t, err, history.CodeInvalidNextToken)
		if p := mustLookup(t, ix, history.Query{Account: "333333333333", Region: region}); len(p.Events) != 0 {
			t.Fatalf("unknown account sees %v", seqs(p))
		}
	})

	t.Run("RegionIsolation", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		ix.Add(mgmt(1, t0.Add(-2*time.Minute), cairn.LookupFields{}))
		ix.Add(in(acctA, "eu-west-1", mgmt(2, t0.Add(-time.Minute), cairn.LookupFields{})))
		for _, tt := range []struct {
			region string
			want   []uint64
		}{{region, []uint64{1}}, {"eu-west-1", []uint64{2}}, {"us-west-2", nil}} {
			if got := seqs(mustLookup(t, ix, history.Query{Account: acctA, Region: tt.region})); !slices.Equal(got, tt.want) {
				t.Errorf("%s: seqs = %v, want %v", tt.region, got, tt.want)
			}
		}
	})

	t.Run("DataEventsExcluded", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		ix.Add(mgmt(1, t0.Add(-4*time.Minute), cairn.LookupFields{EventName: "GetObject", Category: cairn.EventCategoryData}))
		ix.Add(mgmt(2, t0.Add(-3*time.Minute), cairn.LookupFields{EventName: "GetObject", Category: cairn.EventCategoryNetwork}))
		ix.Add(mgmt(3, t0.Add(-2*time.Minute), cairn.LookupFields{EventName: "GetObject", Category: "management"}))
		ix.Add(mgmt(4, t0.Add(-time.Minute), cairn.LookupFields{EventName: "GetObject"}))
		for _, q := range []history.Query{
			{Account: acctA, Region: region},
			{Account: acctA, Region: region, Attributes: attr("EventName", "GetObject")},
		} {
			if got := seqs(mustLookup(t, ix, q)); !slices.Equal(got, []uint64{4}) {
				t.Fatalf("seqs = %v, want [4]", got)
			}
		}
		if n := ix.Len(); n != 1 {
			t.Fatalf("Len = %d, want 1", n)
		}
	})

	t.Run("InsightCategory", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		ix.Add(mgmt(1, t0.Add(-3*time.Minute), cairn.LookupFields{EventName: "RunInstances"}))
		ix.Add(mgmt(2, t0.Add(-2*time.Minute), cairn.LookupFields{EventName: "RunInstances", Category: cairn.EventCategoryInsight}))
		ix.Add(mgmt(3, t0.Add(-time.Minute), cairn.LookupFields{EventName: "RunInstances", EventID: "insight-2", Category: cairn.EventCategoryInsight}))
		tests := []struct {
			name string
			q    history.Query
			want []uint64
		}{
			{"Management", history.Query{}, []uint64{1}},
			{"ManagementByName", history.Query{Attributes: attr("EventName", "RunInstances")}, []uint64{1}},
			{"Insight", history.Query{Insight: true}, []uint64{3, 2}},
			{"InsightByName", history.Query{Insight: true, Attributes: attr("EventName", "RunInstances")}, []uint64{3, 2}},
			{"InsightByID", history.Query{Insight: true, Attributes: attr("EventId", "insight-2")}, []uint64{3}},
			{"InsightBySource", history.Query{Insight: true, Attributes: attr("EventSource", "cloudtrail.amazonaws.com")}, []uint64{3, 2}},
			{"ManagementByInsightID", history.Query{Attributes: attr("EventId", "insight-2")}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.q.Account, tt.q.Region = acctA, region
				if got := seqs(mustLookup(t, ix, tt.q)); !slices.Equal(got, tt.want) {
					t.Fatalf("seqs = %v, want %v", got, tt.want)
				}
			})
		}
	})

	t.Run("TimeRange", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		ta := t0.Add(-time.Hour)                             // seq 1
		tb := t0.Add(-30 * time.Minute)                      // seq 2
		tc := t0.Add(-10*time.Minute + 700*time.Millisecond) // seq 3, sub-second
		ix.Add(mgmt(1, ta, cairn.LookupFields{}))
		ix.Add(mgmt(2, tb, cairn.LookupFields{}))
		ix.Add(mgmt(3, tc, cairn.LookupFields{}))
		ix.Add(mgmt(4, t0.Add(time.Minute), cairn.LookupFields{})) // in the future
		sec := func(t time.Time) time.Time { return t.Truncate(time.Second) }
		tests := []struct {
			name       string
			start, end *time.Time
			want       []uint64
		}{
			{"Default", nil, nil, []uint64{3, 2, 1}},
			{"StartInclusive", ptr(tb), nil, []uint64{3, 2}},
			{"EndInclusive", nil, ptr(tb), []uint64{2, 1}},
			{"Exact", ptr(tb), ptr(tb), []uint64{2}},
			{"JustAfter", ptr(tb.Add(time.Second)), ptr(tc), []uint64{3}},
			{"EndAtReportedSecond", nil, ptr(sec(tc)), []uint64{3, 2, 1}},
			{"StartAtReportedSecond", ptr(sec(tc)), ptr(sec(tc)), []uint64{3}},
			{"StartAfterReportedSecond", ptr(sec(tc).Add(time.Millisecond)), nil, nil},
			{"EndBeforeAll", nil, ptr(ta.Add(-time.Second)), nil},
			{"FutureEnd", nil, ptr(t0.Add(time.Hour)), []uint64{4, 3, 2, 1}},
			{"AncientStart", ptr(time.Time{}), ptr(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), []uint64{4, 3, 2, 1}},
			{"FutureStart", ptr(t0.Add(30 * time.Second)), nil, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := history.Query{Account: acctA, Region: region, StartTime: tt.start, EndTime: tt.end}
				if got := seqs(mustLookup(t, ix, q)); !slices.Equal(got, tt.want) {
					t.Fatalf("seqs = %v, want %v", got, tt.want)
				}
			})
		}
		t.Run("Inverted", func(t *testing.T) {
			_, err := ix.Lookup(history.Query{Account: acctA, Region: region, StartTime: ptr(tb), EndTime: ptr(tb.Add(-time.Nanosecond))})
			wantCode(t, err, history.CodeInvalidTimeRange)
		})
	})

	t.Run("Order", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		// Times out of log order, and ties: newest first, ties by descending sequence.
		times := []time.Duration{-5, -1, -3, -1, -9, -3, -1, -7}
		for i, d := range times {
			ix.Add(mgmt(uint64(i+1), t0.Add(d*time.Minute), cairn.LookupFields{Username: "u"}))
		}
		want := []uint64{7, 4, 2, 6, 3, 1, 8, 5}
		for _, q := range []history.Query{
			{Account: acctA, Region: region},
			{Account: acctA, Region: region, Attributes: attr("Username", "u")},
		} {
			if got := seqs(mustLookup(t, ix, q)); !slices.Equal(got, want) {
				t.Fatalf("seqs = %v, want %v", got, want)
			}
			var got []uint64
			for q.MaxResults = 3; ; {
				p := mustLookup(t, ix, q)
				got = append(got, seqs(p)...)
				if q.NextToken = p.NextToken; q.NextToken == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged seqs = %v, want %v", got, want)
			}
		}
	})

	t.Run("Replay", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		for range 2 {
			for i := uint64(1); i <= 3; i++ {
				ix.Add(mgmt(i, t0.Add(-time.Duration(i)*time.Minute), cairn.LookupFields{EventName: "X"}))
			}
		}
		if got := seqs(mustLookup(t, ix, history.Query{Account: acctA, Region: region, Attributes: attr("EventName", "X")})); !slices.Equal(got, []uint64{1, 2, 3}) {
			t.Fatalf("seqs = %v, want [1 2 3]", got)
		}
		if ix.Len() != 3 {
			t.Fatalf("Len = %d, want 3", ix.Len())
		}
	})

	t.Run("MaxResults", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		for i := uint64(1); i <= 60; i++ {
			ix.Add(mgmt(i, t0.Add(-time.Duration(61-i)*time.Second), cairn.LookupFields{}))
		}
		tests := []struct {
			max, want int
			err       bool
		}{{0, 50, false}, {1, 1, false}, {50, 50, false}, {51, 0, true}, {-1, 0, true}}
		for _, tt := range tests {
			t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
				p, err := ix.Lookup(history.Query{Account: acctA, Region: region, MaxResults: tt.max})
				if tt.err {
					wantCode(t, err, history.CodeInvalidMaxResults)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Events) != tt.want || p.NextToken == "" || p.Events[0].Seq != 60 {
					t.Fatalf("got %d events (first %d), token %q; want %d and a token", len(p.Events), p.Events[0].Seq, p.NextToken, tt.want)
				}
			})
		}
		t.Run("ExactlyFull", func(t *testing.T) {
			// The last page is full: no NextToken, no empty extra page.
			p := mustLookup(t, ix, history.Query{Account: acctA, Region: region, MaxResults: 10, StartTime: ptr(t0.Add(-10 * time.Second))})
			if len(p.Events) != 10 || p.NextToken != "" {
				t.Fatalf("got %d events, token %q; want 10 and none", len(p.Events), p.NextToken)
			}
		})
	})

	t.Run("Paging", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		var want []uint64
		for i := uint64(1); i <= 130; i++ {
			f := cairn.LookupFields{EventName: "PutObject"}
			if i%2 == 0 {
				f.EventName = "Other"
			}
			ix.Add(mgmt(i, t0.Add(-time.Duration(200-i)*time.Second), f))
		}
		for i := uint64(130); i >= 1; i-- {
			if i%2 == 1 {
				want = append(want, i)
			}
		}
		seq := uint64(1000)
		for _, tt := range []struct {
			name  string
			attrs []history.Attribute
			want  []uint64
		}{
			{"Attribute", attr("EventName", "PutObject"), want},
			{"NoAttribute", nil, func() []uint64 {
				var w []uint64
				for i := uint64(130); i >= 1; i-- {
					w = append(w, i)
				}
				return w
			}()},
		} {
			t.Run(tt.name, func(t *testing.T) {
				q := history.Query{Account: acctA, Region: region, Attributes: tt.attrs, MaxResults: 20}
				var got []uint64
				pages := 0
				for {
					p := mustLookup(t, ix, q)
					got = append(got, seqs(p)...)
					pages++
					// New events between pages: newer ones, and a late one older
					// than the cursor; neither may disturb the walk.
					seq++
					ix.Add(mgmt(seq, t0.Add(-time.Second), cairn.LookupFields{EventName: "PutObject"}))
					seq++
					ix.Add(mgmt(seq, t0.Add(-time.Hour), cairn.LookupFields{EventName: "PutObject"}))
					if q.NextToken = p.NextToken; q.NextToken == "" {
						break
					}
					q.MaxResults = 20 + pages%3 // page size may change between pages
				}
				got = slices.DeleteFunc(got, func(s uint64) bool { return s > 1000 })
				if pages < 3 || !slices.Equal(got, tt.want) {
					t.Fatalf("%d pages: seqs = %v\nwant %v", pages, got, tt.want)
				}
			})
		}
	})

	t.Run("TokenBoundToQuery", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		for i := uint64(1); i <= 10; i++ {
			ix.Add(mgmt(i, t0.Add(-time.Duration(20-i)*time.Minute), cairn.LookupFields{EventName: "A", Username: "u"}))
			ix.Add(in(acctA, "eu-west-1", mgmt(100+i, t0.Add(-time.Duration(20-i)*time.Minute), cairn.LookupFields{EventName: "A"})))
		}
		start, end := t0.Add(-time.Hour), t0
		base := history.Query{Account: acctA, Region: region, Attributes: attr("EventName", "A"), StartTime: &start, EndTime: &end, MaxResults: 2}
		tok := mustLookup(t, ix, base).NextToken
		if tok == "" {
			t.Fatal("no NextToken")
		}
		ok := base
		ok.NextToken, ok.MaxResults = tok, 5
		if got := seqs(mustLookup(t, ix, ok)); !slices.Equal(got, []uint64{8, 7, 6, 5, 4}) {
			t.Fatalf("with token: seqs = %v", got)
		}
		later := end.Add(time.Second)
		tests := []struct {
			name   string
			mutate func(q *history.Query)
		}{
			{"Account", func(q *history.Query) { q.Account = acctB }},
			{"Region", func(q *history.Query) { q.Region = "eu-west-1" }},
			{"AttributeValue", func(q *history.Query) { q.Attributes = attr("EventName", "B") }},
			{"AttributeKey", func(q *history.Query) { q.Attributes = attr("Username", "u") }},
			{"NoAttribute", func(q *history.Query) { q.Attributes = nil }},
			{"StartTime", func(q *history.Query) { q.StartTime = nil }},
			{"EndTime", func(q *history.Query) { q.EndTime = &later }},
			{"Insight", func(q *history.Query) { q.Insight = true }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := base
				q.NextToken = tok
				tt.mutate(&q)
				_, err := ix.Lookup(q)
				wantCode(t, err, history.CodeInvalidNextToken)
			})
		}
		t.Run("OtherKey", func(t *testing.T) {
			other := history.New(history.Config{Clock: cairn.ClockFunc(func() time.Time { return t0 }), TokenKey: []byte("other-key")})
			q := base
			q.NextToken = tok
			_, err := other.Lookup(q)
			wantCode(t, err, history.CodeInvalidNextToken)
		})
	})

	t.Run("GarbledToken", func(t *testing.T) {
		t.Parallel()
		ix, _ := newIndex(t)
		for i := uint64(1); i <= 5; i++ {
			ix.Add(mgmt(i, t0.Add(-time.Duration(i)*time.Minute), cairn.LookupFields{}))
		}
		q := history.Query{Account: acctA, Region: region, MaxResults: 1}
		tok := mustLookup(t, ix, q).NextToken
		flip := []byte(tok)
		flip[10] ^= 1
		for _, bad := range []string{
			"x", "not a token", "====", tok[:len(tok)-1], tok[:len(tok)-4], tok + "A", tok + "=", string(flip),
			"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", tok[1:],
		} {
			q.NextToken = bad
			_, err := ix.Lookup(q)
			wantCode(t, err, history.CodeInvalidNextToken)
		}
	})

	t.Run("Retention", func(t *testing.T) {
		t.Parallel()
		clk := &testClock{t: t0}
		ix := history.New(history.Config{Clock: clk, Retention: 10 * time.Hour})
		for i := uint64(1); i <= 10; i++ {
			ix.Add(mgmt(i, t0.Add(-time.Duration(11-i)*time.Hour), cairn.LookupFields{EventName: "E", EventID: fmt.Sprint("id-", i)}))
		}
		// Too old on arrival.
		ix.Add(mgmt(11, t0.Add(-10*time.Hour-time.Nanosecond), cairn.LookupFields{EventName: "E"}))
		q := history.Query{Account: acctA, Region: region, Attributes: attr("EventName", "E")}
		if got := seqs(mustLookup(t, ix, q)); !slices.Equal(got, []uint64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}) {
			t.Fatalf("seqs = %v", got)
		}
		// Three hours later, seqs 1-3 are out of the window, before and after Prune.
		clk.Set(t0.Add(3 * time.Hour))
		want := []uint64{10, 9, 8, 7, 6, 5, 4}
		for _, prune := range []bool{false, true} {
			if prune {
				ix.Prune()
			}
			for _, q := range []history.Query{
				q,
				{Account: acctA, Region: region},
				{Account: acctA, Region: region, StartTime: ptr(t0.Add(-100 * time.Hour))},
			} {
				if got := seqs(mustLookup(t, ix, q)); !slices.Equal(got, want) {
					t.Fatalf("prune=%v: seqs = %v, want %v", prune, got, want)
				}
			}
			for i, w := range map[int]int{1: 0, 4: 1} {
				p := mustLookup(t, ix, history.Query{Account: acctA, Region: region, Attributes: attr("EventId", fmt.Sprint("id-", i))})
				if len(p.Events) != w {
					t.Fatalf("prune=%v: EventId id-%d: %d events, want %d", prune, i, len(p.Events), w)
				}
			}
		}
		if ix.Len() != 7 {
			t.Fatalf("Len = %d, want 7", ix.Len())
		}
		// Everything expires; the partition goes, and can come back.
		clk.Set(t0.Add(100 * time.Hour))
		ix.Prune()
		if ix.Len() != 0 {
			t.Fatalf("Len = %d, want 0", ix.Len())
		}
		ix.Add(mgmt(20, t0.Add(99*time.Hour), cairn.LookupFields{EventName: "E"}))
		if got := seqs(mustLookup(t, ix, q)); !slices.Equal(got, []uint64{20}) {
			t.Fatalf("after re-add: seqs = %v", got)
		}
	})
}

func TestValidateCategory(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "insight"} {
		if err := history.ValidateCategory(s); err != nil {
			t.Errorf("ValidateCategory(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"Insight", "INSIGHT", "management", "data", " insight"} {
		wantCode(t, history.ValidateCategory(s), history.CodeInvalidEventCategory)
	}
}

// TestIndex_Model compares the index with a brute-force model over random events
// (times out of order, duplicates, several partitions), random queries, full paging
// and pruning.
func TestIndex_Model(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	clk := &testClock{t: t0}
	ix := history.New(history.Config{Clock: clk, Retention: 8 * time.Hour})
	var all []cairn.LoggedEvent
	pick := func(prefix string, n int) string { return fmt.Sprintf("%s%d", prefix, rng.IntN(n)) }
	n := 12 * 4096 // several chunks per partition, most of them expired by the end
	if testing.Short() {
		n = 3000
	}
	now := t0
	addEvents := func(from, to int) {
		for i := from; i <= to; i++ {
			now = now.Add(time.Duration(rng.IntN(20)) * time.Second)
			clk.Set(now)
			tm := now.Add(-time.Duration(rng.IntN(3)) * time.Minute) // out of order, many ties at a second
			tm = tm.Truncate(time.Second)
			f := cairn.LookupFields{
				EventID:     fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.Uint32(), i),
				EventName:   pick("Name", 20),
				EventSource: pick("src", 4),
				ReadOnly:    []string{"true", "false", ""}[rng.IntN(3)],
				Username:    pick("user", 5),
				AccessKeyID: pick("AKIA", 6),
				Category:    []string{cairn.EventCategoryManagement, cairn.EventCategoryManagement, cairn.EventCategoryInsight, cairn.EventCategoryData}[rng.IntN(4)],
			}
			if rng.IntN(5) == 0 {
				f.EventID = pick("odd-", 1000) // not unique
			}
			for range rng.IntN(3) {
				f.Resources = append(f.Resources, cairn.LookupResource{Type: pick("T", 3), Name: pick("R", 8)})
			}
			e := cairn.LoggedEvent{Seq: uint64(i), TimeNanos: tm.UnixNano(), Account: pick("acct", 2), Region: pick("r", 1), Lookup: f}
			ix.Add(e)
			all = append(all, e)
			if i%1000 == 0 {
				ix.Prune()
			}
		}
	}
	keys := []string{"", "EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}
	value := func(k string, e cairn.LoggedEvent) string {
		switch k {
		case "EventId":
			return e.Lookup.EventID
		case "EventName":
			return e.Lookup.EventName
		case "ReadOnly":
			return e.Lookup.ReadOnly
		case "Username":
			return e.Lookup.Username
		case "EventSource":
			return e.Lookup.EventSource
		case "AccessKeyId":
			return e.Lookup.AccessKeyID
		case "ResourceType":
			if len(e.Lookup.Resources) > 0 {
				return e.Lookup.Resources[rng.IntN(len(e.Lookup.Resources))].Type
			}
		case "ResourceName":
			if len(e.Lookup.Resources) > 0 {
				return e.Lookup.Resources[rng.IntN(len(e.Lookup.Resources))].Name
			}
		}
		return "none"
	}
	matches := func(q history.Query, e cairn.LoggedEvent, lo, hi int64) bool {
		insight := e.Lookup.Category == cairn.EventCategoryInsight
		if e.Account != q.Account || e.Region != q.Region || insight != q.Insight ||
			(e.Lookup.Category != cairn.EventCategoryManagement && !insight) || e.TimeNanos < lo || e.TimeNanos > hi {
			return false
		}
		if len(q.Attributes) == 0 {
			return true
		}
		a, f := q.Attributes[0], e.Lookup
		switch a.Key {
		case "ResourceType", "ResourceName":
			for _, r := range f.Resources {
				if a.Key == "ResourceType" && r.Type == a.Value || a.Key == "ResourceName" && r.Name == a.Value {
					return true
				}
			}
			return false
		}
		return value(a.Key, e) == a.Value
	}
	check := func(queries int) {
		for qi := 0; qi < queries; qi++ {
			ref := all[len(all)-1-rng.IntN(len(all)/2)]
			q := history.Query{Account: ref.Account, Region: ref.Region, Insight: ref.Lookup.Category == cairn.EventCategoryInsight, MaxResults: 1 + rng.IntN(50)}
			if k := keys[rng.IntN(len(keys))]; k != "" && !(q.Insight && k != "EventId" && k != "EventName" && k != "EventSource") {
				if v := value(k, ref); v != "" {
					q.Attributes = attr(k, v)
				}
			}
			lo, hi := now.Add(-8*time.Hour).UnixNano(), now.UnixNano()
			if rng.IntN(2) == 0 {
				s := now.Add(-time.Duration(rng.IntN(3600*20)) * time.Second)
				q.StartTime = &s
				lo = max(lo, s.UnixNano())
			}
			if rng.IntN(2) == 0 {
				e := now.Add(-time.Duration(rng.IntN(3600*10)) * time.Second)
				q.EndTime = &e
				hi = e.UnixNano()
			}
			if q.StartTime != nil && q.EndTime != nil && q.StartTime.After(*q.EndTime) {
				q.StartTime, q.EndTime = q.EndTime, q.StartTime
				lo, hi = max(now.Add(-8*time.Hour).UnixNano(), q.StartTime.UnixNano()), q.EndTime.UnixNano()
			}
			var want []uint64
			var wantEvents []cairn.LoggedEvent
			for _, e := range all {
				if matches(q, e, lo, hi) {
					wantEvents = append(wantEvents, e)
				}
			}
			slices.SortFunc(wantEvents, func(a, b cairn.LoggedEvent) int {
				if a.TimeNanos != b.TimeNanos {
					return -cmp(a.TimeNanos, b.TimeNanos)
				}
				return -cmp(int64(a.Seq), int64(b.Seq))
			})
			for _, e := range wantEvents {
				want = append(want, e.Seq)
			}
			var got []uint64
			for pages := 0; ; pages++ {
				p := mustLookup(t, ix, q)
				for _, e := range p.Events {
					got = append(got, e.Seq)
					w := all[e.Seq-1]
					if e.Time.UnixNano() != w.TimeNanos || fmt.Sprint(e.Lookup) != fmt.Sprint(w.Lookup) {
						t.Fatalf("entry %d = %+v, want %+v", e.Seq, e.Lookup, w.Lookup)
					}
				}
				if p.NextToken == "" {
					break
				}
				if len(p.Events) != q.MaxResults {
					t.Fatalf("page of %d events with MaxResults %d has a NextToken", len(p.Events), q.MaxResults)
				}
				q.NextToken = p.NextToken
			}
			if !slices.Equal(got, want) {
				t.Fatalf("query %d %+v:\n got %v\nwant %v", qi, q, got, want)
			}
		}
	}
	for from := 1; from <= n; from += n / 4 {
		addEvents(from, min(n, from+n/4-1))
		check(100)
	}
}

func cmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
