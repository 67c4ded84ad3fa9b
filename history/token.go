package history

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// A NextToken is base64url(version | time | seq | mac): the (time, seq) cursor of the
// last event of the previous page, and an HMAC-SHA256 over the cursor and the query's
// parameters (account, region, category, attribute, StartTime and EndTime as given, not
// MaxResults). A token is therefore only valid for the query that produced it, cannot
// be forged or altered, and reveals nothing but a time and a sequence.

const (
	tokenVersion = 1
	tokenMACLen  = sha256.Size
	tokenLen     = 1 + 8 + 8 + tokenMACLen
	tokenDomain  = "cairn/history/NextToken"
)

type cursor struct {
	t   int64
	seq uint64
}

func (ix *Index) tokenMAC(q *Query, payload []byte) []byte {
	m := hmac.New(sha256.New, ix.tokenKey)
	b := make([]byte, 0, 128)
	b = appendString(b, tokenDomain)
	b = append(b, payload...)
	b = appendString(b, q.Account)
	b = appendString(b, q.Region)
	if q.Insight {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(q.Attributes)))
	for _, a := range q.Attributes {
		b = appendString(b, a.Key)
		b = appendString(b, a.Value)
	}
	for _, t := range [2]*time.Time{q.StartTime, q.EndTime} {
		if t == nil {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
		b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	}
	m.Write(b)
	return m.Sum(nil)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (ix *Index) encodeToken(q *Query, c cursor) string {
	b := make([]byte, 0, tokenLen)
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(c.t))
	b = binary.BigEndian.AppendUint64(b, c.seq)
	b = append(b, ix.tokenMAC(q, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken verifies tok against q and returns its cursor.
func (ix *Index) decodeToken(q *Query, tok string) (cursor, error) {
	if base64.RawURLEncoding.DecodedLen(len(tok)) != tokenLen {
		return cursor{}, errNextToken()
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion {
		return cursor{}, errNextToken()
	}
	payload, mac := b[:tokenLen-tokenMACLen], b[tokenLen-tokenMACLen:]
	if !hmac.Equal(mac, ix.tokenMAC(q, payload)) {
		return cursor{}, errNextToken()
	}
	return cursor{
		t:   int64(binary.BigEndian.Uint64(payload[1:9])),
		seq: binary.BigEndian.Uint64(payload[9:17]),
	}, nil
}
