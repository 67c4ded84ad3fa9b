package eventlog

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/cairnhq/cairn"
)

// The Cairn-Meta header is JSON (readable with any NATS tool). Replay reads one per
// event, so decodeMeta parses the exact shape encodeMeta writes without reflection,
// and hands anything else (escaped strings, unknown keys, other spacing) to
// encoding/json, which gives the same result for every valid input.

// encodeMeta writes the header; when every string is plain printable ASCII (the
// usual case) it is written directly, byte for byte what json.Marshal produces.
func encodeMeta(m *meta) ([]byte, error) {
	l := &m.Lookup
	plain := isPlain(m.Account) && isPlain(m.Region) && isPlain(l.EventID) &&
		isPlain(l.EventName) && isPlain(l.EventSource) && isPlain(l.ReadOnly) &&
		isPlain(l.Username) && isPlain(l.AccessKeyID) && isPlain(l.Category)
	for _, r := range l.Resources {
		plain = plain && isPlain(r.Type) && isPlain(r.Name)
	}
	if !plain {
		return json.Marshal(m)
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, m.TimeNanos, 10)
	b = appendField(b, `,"a":"`, m.Account)
	b = appendField(b, `,"r":"`, m.Region)
	b = appendField(b, `,"l":{"i":"`, l.EventID)
	b = appendField(b, `,"n":"`, l.EventName)
	b = appendField(b, `,"s":"`, l.EventSource)
	if l.ReadOnly != "" {
		b = appendField(b, `,"r":"`, l.ReadOnly)
	}
	if l.Username != "" {
		b = appendField(b, `,"u":"`, l.Username)
	}
	if l.AccessKeyID != "" {
		b = appendField(b, `,"k":"`, l.AccessKeyID)
	}
	b = appendField(b, `,"c":"`, l.Category)
	if len(l.Resources) > 0 {
		b = append(b, `,"res":[`...)
		for i, r := range l.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			sep := ""
			if r.Type != "" {
				b = appendField(b, `"t":"`, r.Type)
				sep = ","
			}
			if r.Name != "" {
				b = appendField(b, sep+`"n":"`, r.Name)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, "}}"...)
	return b, nil
}

func appendField(b []byte, prefix, v string) []byte {
	b = append(b, prefix...)
	b = append(b, v...)
	return append(b, '"')
}

// isPlain reports whether json.Marshal writes s unchanged: printable ASCII without
// the characters it escapes.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

func decodeMeta(s string, m *meta) error {
	p := metaParser{s: s}
	if p.meta(m) && p.i == len(s) {
		return nil
	}
	// A separate variable, so that only this path pays for m escaping to the heap.
	var slow meta
	err := json.Unmarshal([]byte(s), &slow)
	*m = slow
	return err
}

// metaParser is a strict reader of encodeMeta's output; any surprise makes it
// report false so the caller falls back to encoding/json.
type metaParser struct {
	s string
	i int
}

func (p *metaParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *metaParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string without escapes, in valid UTF-8 (encoding/json replaces
// invalid bytes with U+FFFD; such strings take its path).
func (p *metaParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start, ascii := p.i, true
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			v := p.s[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(v) {
				return "", false
			}
			return v, true
		}
		if c == '\\' || c < 0x20 {
			return "", false
		}
		ascii = ascii && c < utf8.RuneSelf
		p.i++
	}
	return "", false
}

func (p *metaParser) int64() (int64, bool) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i-digits > 1 && p.s[digits] == '0' { // JSON has no leading zeros
		return 0, false
	}
	n, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
	return n, err == nil
}

// objIter walks the keys of an object. A repeated key is a surprise (encoding/json
// merges repeats in ways not worth copying).
type objIter struct {
	seen  [8]string
	n     int
	begun bool
}

// next reads the next key (and its colon); done reports the end of the object.
func (it *objIter) next(p *metaParser) (key string, done, ok bool) {
	if !it.begun {
		it.begun = true
		if !p.eat('{') {
			return "", false, false
		}
		if p.eat('}') {
			return "", true, true
		}
	} else {
		if p.eat('}') {
			return "", true, true
		}
		if !p.eat(',') {
			return "", false, false
		}
	}
	k, ok := p.str()
	if !ok || !p.eat(':') || it.n == len(it.seen) {
		return "", false, false
	}
	for _, s := range it.seen[:it.n] {
		if s == k {
			return "", false, false
		}
	}
	it.seen[it.n] = k
	it.n++
	return k, false, true
}

func (p *metaParser) meta(m *meta) bool {
	var it objIter
	for {
		k, done, ok := it.next(p)
		if !ok || done {
			return ok
		}
		switch k {
		case "t":
			m.TimeNanos, ok = p.int64()
		case "a":
			m.Account, ok = p.str()
		case "r":
			m.Region, ok = p.str()
		case "l":
			ok = p.lookup(&m.Lookup)
		default:
			ok = false
		}
		if !ok {
			return false
		}
	}
}

func (p *metaParser) lookup(l *cairn.LookupFields) bool {
	var it objIter
	for {
		k, done, ok := it.next(p)
		if !ok || done {
			return ok
		}
		switch k {
		case "i":
			l.EventID, ok = p.str()
		case "n":
			l.EventName, ok = p.str()
		case "s":
			l.EventSource, ok = p.str()
		case "r":
			l.ReadOnly, ok = p.str()
		case "u":
			l.Username, ok = p.str()
		case "k":
			l.AccessKeyID, ok = p.str()
		case "c":
			l.Category, ok = p.str()
		case "res":
			ok = p.resources(&l.Resources)
		default:
			ok = false
		}
		if !ok {
			return false
		}
	}
}

func (p *metaParser) resource(r *cairn.LookupResource) bool {
	var it objIter
	for {
		k, done, ok := it.next(p)
		if !ok || done {
			return ok
		}
		switch k {
		case "t":
			r.Type, ok = p.str()
		case "n":
			r.Name, ok = p.str()
		default:
			ok = false
		}
		if !ok {
			return false
		}
	}
}

func (p *metaParser) resources(out *[]cairn.LookupResource) bool {
	*out = nil
	if p.eat('n') { // null
		if p.i+3 <= len(p.s) && p.s[p.i:p.i+3] == "ull" {
			p.i += 3
			return true
		}
		return false
	}
	if !p.eat('[') {
		return false
	}
	if p.eat(']') {
		*out = []cairn.LookupResource{}
		return true
	}
	for {
		var r cairn.LookupResource
		if !p.resource(&r) {
			return false
		}
		*out = append(*out, r)
		if p.eat(']') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}
