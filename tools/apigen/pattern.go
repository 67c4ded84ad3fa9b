package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// javaToRE2 translates a model pattern (java.util.regex, matched against the whole
// value) into an anchored RE2 expression. \uXXXX escapes become \x{XXXX}, and an
// escaped UTF-16 surrogate pair becomes the code point it encodes, as Java reads it.
// Patterns RE2 cannot express (lookaround, backreferences, repeat counts above 1000)
// return an error; the generator then skips them and says so in a comment.
func javaToRE2(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '\\' || i+1 >= len(p) {
			b.WriteByte(c)
			continue
		}
		if p[i+1] != 'u' {
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
			continue
		}
		r, ok := hex4(p, i+2)
		if !ok {
			return "", fmt.Errorf("bad \\u escape")
		}
		i += 5
		if utf16.IsSurrogate(rune(r)) && r < 0xDC00 {
			if lo, ok := hex4(p, i+3); ok && i+2 < len(p) && p[i+1] == '\\' && p[i+2] == 'u' && lo >= 0xDC00 && lo <= 0xDFFF {
				r = int(utf16.DecodeRune(rune(r), rune(lo)))
				i += 6
			}
		}
		fmt.Fprintf(&b, `\x{%X}`, r)
	}
	src := `^(?:` + b.String() + `)$`
	if _, err := regexp.Compile(src); err != nil {
		return "", err
	}
	return src, nil
}

func hex4(s string, at int) (int, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[at:at+4], 16, 32)
	return int(v), err == nil
}
