package restxml

import "time"

// iso8601 is the layout of rest.TimestampISO8601, rest-xml's timestamp format
// (rest.FormatTimestamp).
const iso8601 = "2006-01-02T15:04:05.000Z"

// appendTimestamp appends t in UTC as ISO 8601 with milliseconds, as
// rest.FormatTimestamp writes it.
func appendTimestamp(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, iso8601)
}
