package history_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/history"
)

// FuzzNextToken feeds arbitrary NextTokens to Lookup: decoding never panics, a token
// is only ever accepted if it is exactly one the index issued for that query, and never
// for a different query.
func FuzzNextToken(f *testing.F) {
	ix, _ := newIndex(f)
	for i := uint64(1); i <= 20; i++ {
		ix.Add(mgmt(i, t0.Add(-time.Duration(i)*time.Minute), cairn.LookupFields{EventName: "A"}))
	}
	queryA := history.Query{Account: acctA, Region: region, Attributes: attr("EventName", "A"), MaxResults: 3}
	queryB := history.Query{Account: acctB, Region: region, Attributes: attr("EventName", "A"), MaxResults: 3}
	queryC := history.Query{Account: acctA, Region: region, MaxResults: 3}
	issued := map[string]bool{}
	q := queryA
	for {
		p, err := ix.Lookup(q)
		if err != nil {
			f.Fatal(err)
		}
		if p.NextToken == "" {
			break
		}
		issued[p.NextToken] = true
		f.Add(p.NextToken)
		q.NextToken = p.NextToken
	}
	for tok := range issued {
		b, _ := base64.RawURLEncoding.DecodeString(tok)
		f.Add(tok[:len(tok)/2])
		f.Add(string(b))
		f.Add(base64.StdEncoding.EncodeToString(b))
		f.Add(base64.RawURLEncoding.EncodeToString(append(b, 0)))
		break
	}
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, tok string) {
		if tok == "" {
			return
		}
		for _, q := range []history.Query{queryB, queryC} {
			q.NextToken = tok
			if _, err := ix.Lookup(q); err == nil {
				t.Fatalf("token %q accepted for another query %+v", tok, q)
			}
		}
		q := queryA
		q.NextToken = tok
		_, err := ix.Lookup(q)
		if err == nil && !issued[tok] {
			t.Fatalf("token %q accepted but never issued", tok)
		}
		if err != nil && issued[tok] {
			t.Fatalf("issued token %q rejected: %v", tok, err)
		}
		if err != nil {
			wantCode(t, err, history.CodeInvalidNextToken)
		}
	})
}
