package cloudtrail_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	ctapi "github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/awsjson"
	"github.com/cairnhq/cairn/internal/memstore"
	"github.com/cairnhq/cairn/service/cloudtrail"
	"github.com/cairnhq/cairn/signing"
)

func regionCtx(region string) context.Context {
	return awsproto.WithRequestContext(context.Background(), &awsproto.RequestContext{
		Region: region, Principal: &cairn.Principal{AccountID: tAcct},
	})
}

func TestProvider_ListPublicKeys(t *testing.T) {
	t.Parallel()
	clk := &trailClock{t: time.Date(2026, 1, 2, 3, 30, 0, 0, time.UTC)}
	p := &cloudtrail.Provider{Keys: &signing.KeyRing{Meta: memstore.New(), KEK: bytes.Repeat([]byte{7}, 32), Rotation: time.Hour, Clock: clk}}
	list := func(region string, start, end *time.Time) []ctapi.PublicKey {
		t.Helper()
		in := &ctapi.ListPublicKeysRequest{}
		if start != nil {
			in.StartTime = awsproto.NewTimestamp(*start)
		}
		if end != nil {
			in.EndTime = awsproto.NewTimestamp(*end)
		}
		out, err := p.ListPublicKeys(regionCtx(region), in)
		if err != nil {
			t.Fatalf("ListPublicKeys: %v", err)
		}
		if out.NextToken != nil {
			t.Fatalf("NextToken %q", *out.NextToken)
		}
		return out.PublicKeyList
	}

	east := list(tEast, nil, nil)
	if len(east) != 1 {
		t.Fatalf("current keys: %d", len(east))
	}
	k := east[0]
	sum := md5.Sum(k.Value)
	if *k.Fingerprint != hex.EncodeToString(sum[:]) {
		t.Fatalf("Fingerprint %s is not md5(Value)", *k.Fingerprint)
	}
	if _, err := x509.ParsePKCS1PublicKey(k.Value); err != nil {
		t.Fatalf("Value is not DER PKCS#1: %v", err)
	}
	if !k.ValidityStartTime.Equal(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)) || !k.ValidityEndTime.Equal(time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)) {
		t.Fatalf("validity [%v, %v)", k.ValidityStartTime, k.ValidityEndTime)
	}
	if west := list(tWest, nil, nil); len(west) != 1 || *west[0].Fingerprint == *k.Fingerprint {
		t.Fatal("regions must have their own keys")
	}

	// The wire form: Value base64, times epoch seconds.
	body, err := awsjson.Marshal(&ctapi.ListPublicKeysResponse{PublicKeyList: east})
	if err != nil {
		t.Fatal(err)
	}
	var wire struct {
		PublicKeyList []struct {
			Value             string
			ValidityStartTime float64
			ValidityEndTime   float64
			Fingerprint       string
		}
	}
	if err := json.Unmarshal(body, &wire); err != nil || len(wire.PublicKeyList) != 1 {
		t.Fatalf("wire %s: %v", body, err)
	}
	w := wire.PublicKeyList[0]
	if v, err := base64.StdEncoding.DecodeString(w.Value); err != nil || !bytes.Equal(v, k.Value) {
		t.Fatalf("Value on the wire %q", w.Value)
	}
	if w.ValidityStartTime != float64(k.ValidityStartTime.Unix()) || w.ValidityEndTime != float64(k.ValidityEndTime.Unix()) || w.Fingerprint != *k.Fingerprint {
		t.Fatalf("wire %s", body)
	}

	// After rotation, a range over both periods lists both keys, oldest first and contiguous.
	clk.Advance(time.Hour)
	from, to := time.Date(2026, 1, 2, 3, 10, 0, 0, time.UTC), time.Date(2026, 1, 2, 4, 50, 0, 0, time.UTC)
	both := list(tEast, &from, &to)
	if len(both) != 2 || *both[0].Fingerprint != *k.Fingerprint || !both[1].ValidityStartTime.Equal(both[0].ValidityEndTime.Time) {
		t.Fatalf("after rotation: %+v", both)
	}
	// Start equal to end is a valid range (one instant).
	if one := list(tEast, &from, &from); len(one) != 1 || *one[0].Fingerprint != *k.Fingerprint {
		t.Fatalf("instant range: %+v", one)
	}
}

// keySource is a fake cairn.KeySource.
type keySource struct {
	fn    func(region string, start, end time.Time) ([]cairn.PublicKey, error)
	calls int
}

func (k *keySource) PublicKeys(_ context.Context, region string, start, end time.Time) ([]cairn.PublicKey, error) {
	k.calls++
	return k.fn(region, start, end)
}

func TestProvider_ListPublicKeysErrors(t *testing.T) {
	t.Parallel()
	t1 := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	errStore := errors.New("store down")
	for _, tc := range []struct {
		name      string
		keys      bool
		in        ctapi.ListPublicKeysRequest
		sourceErr error
		code      string // API error code; "" with wantErr: a non-API error
		wantErr   error
	}{
		{"start after end", true, ctapi.ListPublicKeysRequest{StartTime: awsproto.NewTimestamp(t2), EndTime: awsproto.NewTimestamp(t1)}, nil, "InvalidTimeRangeException", nil},
		{"next token", true, ctapi.ListPublicKeysRequest{NextToken: tsPtr("abc")}, nil, "InvalidTokenException", nil},
		{"no key source", false, ctapi.ListPublicKeysRequest{}, nil, "UnsupportedOperationException", nil},
		{"key source fails", true, ctapi.ListPublicKeysRequest{StartTime: awsproto.NewTimestamp(t1)}, errStore, "", errStore},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &keySource{fn: func(string, time.Time, time.Time) ([]cairn.PublicKey, error) { return nil, tc.sourceErr }}
			p := &cloudtrail.Provider{}
			if tc.keys {
				p.Keys = src
			}
			_, err := p.ListPublicKeys(regionCtx(tEast), &tc.in)
			if err == nil {
				t.Fatal("no error")
			}
			var ae *awsproto.Error
			switch {
			case tc.code != "":
				if !errors.As(err, &ae) || ae.Code != tc.code || ae.Status != 400 {
					t.Fatalf("want %s, got %v", tc.code, err)
				}
				if src.calls != 0 {
					t.Fatal("the key source was called for an invalid request")
				}
			default:
				if errors.As(err, &ae) || !errors.Is(err, tc.wantErr) {
					t.Fatalf("want a wrapped %v (InternalFailure on the wire), got %v", tc.wantErr, err)
				}
			}
		})
	}
}
