package restxml

import "unicode/utf8"

// plain marks the ASCII bytes that text and attribute values carry unchanged.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"&'<>` {
		t[c] = false
	}
	return t
}()

// appendEscaped appends s escaped exactly as encoding/xml.EscapeText escapes it:
// the markup characters as &#34; &#39; &amp; &lt; &gt;, tab, newline and carriage
// return as &#x9; &#xA; &#xD;, and bytes that are not UTF-8 or runes outside XML's
// character range as U+FFFD. Strings with nothing to escape are copied as they are.
func appendEscaped(b []byte, s string) []byte {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && plain[s[i]] {
		i++
	}
	if i == len(s) {
		return append(b, s...)
	}
	last := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[last:i]...)
			b = append(b, asciiEscape(c)...)
			i++
			last = i
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		if inCharacterRange(r) && (r != utf8.RuneError || width > 1) {
			i += width
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, "\uFFFD"...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// asciiEscape is the replacement of an ASCII byte that is not plain.
func asciiEscape(c byte) string {
	switch c {
	case '"':
		return "&#34;"
	case '\'':
		return "&#39;"
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '\t':
		return "&#x9;"
	case '\n':
		return "&#xA;"
	case '\r':
		return "&#xD;"
	}
	return "\uFFFD" // a control character XML cannot carry
}

// inCharacterRange reports whether r may appear in an XML document (the Char
// production of XML 1.0, as encoding/xml checks it).
func inCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
