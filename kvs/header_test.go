package kvs

import (
	"reflect"
	"testing"
	"time"
)

func TestHeader_Codec(t *testing.T) {
	now := time.Date(2024, 2, 2, 19, 26, 1, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		h    *header
	}{
		{"new store", &header{Account: acct, Name: "n", ID: "id", Created: now, Modified: now, ETag: "E1", DataETag: "KV1", DataModified: now}},
		{"zero times", &header{Account: acct}},
		{"full", &header{
			Account: acct, Name: "name", ID: "0b1c", Comment: "ü comment", Tags: []Tag{{"a", "1"}, {"b", ""}},
			Created: now, Modified: now.Add(time.Hour), ETag: "E2", DataETag: "KV2", DataModified: now.Add(2 * time.Hour),
			Items: 3, Size: 1 << 40, Seq: 1<<64 - 1,
			Pages: []pageRef{{ID: "p1", First: []byte("a"), N: 2, Size: 10, Rev: 7}, {ID: "p2", First: []byte("m\x00"), N: 1, Size: 5, Rev: 1 << 50}},
			Delta: []deltaEntry{{k: []byte("a"), del: true, inBase: true}, {k: []byte("b"), v: []byte{}, inBase: true}, {k: []byte("z"), v: []byte("new")}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := encodeHeader(tc.h)
			got, err := decodeHeader(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.h) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, tc.h)
			}
			// Every truncation, and trailing bytes, are rejected.
			for n := range len(b) {
				if _, err := decodeHeader(b[:n]); err == nil {
					t.Fatalf("truncated to %d of %d bytes: accepted", n, len(b))
				}
			}
			if _, err := decodeHeader(append(b, 0)); err == nil {
				t.Fatal("trailing byte accepted")
			}
		})
	}
	if _, err := decodeHeader([]byte(`{"account":"1"}`)); err == nil {
		t.Fatal("JSON header accepted")
	}
}
