package awsproto

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Timestamp is a model timestamp. In JSON it is epoch seconds as a number (fractional
// when needed); in XML and query it is ISO 8601.
type Timestamp struct{ time.Time }

// NewTimestamp wraps t.
func NewTimestamp(t time.Time) *Timestamp { return &Timestamp{t} }

// MarshalJSON writes epoch seconds, with milliseconds when they are not zero.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(nil, ms/1000, 10), nil
	}
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', 3, 64), nil
}

// UnmarshalJSON accepts integer, fractional and exponent forms of epoch seconds.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("timestamp must be a number of epoch seconds")
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < -62135596800 || f > 253402300799 {
		return fmt.Errorf("timestamp out of range")
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
	return nil
}

// MarshalXML writes ISO 8601 with milliseconds, as AWS's XML protocols do.
func (t Timestamp) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(t.UTC().Format("2006-01-02T15:04:05.000Z"), start)
}

// UnmarshalXML reads ISO 8601.
func (t *Timestamp) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	return t.UnmarshalText([]byte(s))
}

// UnmarshalText reads ISO 8601 (query strings and headers).
func (t *Timestamp) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return fmt.Errorf("timestamp must be ISO 8601")
	}
	t.Time = v.UTC()
	return nil
}
