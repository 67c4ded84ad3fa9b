package main

import (
	"regexp"
	"testing"
)

func TestJavaToRE2(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		reject  []string
	}{
		{`[\w+=,.@-]*`, []string{"", "role-session_1"}, []string{"a b", "é"}},
		{`^[a-zA-Z0-9._\-]+$`, []string{"my-trail"}, []string{"", "my trail"}},
		{`\d+`, []string{"123"}, []string{"12a"}}, // Java matches() is a full match
		{`[\u0009\u000A\u000D\u0020-\u00FF]+`, []string{"{\"a\": 1}\n"}, []string{"\x01"}},
		{`[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*`, []string{"key 😀\t"}, []string{"\x01"}},
		{`(?s).*`, []string{"a\nb"}, nil},
	}
	for _, tt := range tests {
		src, err := javaToRE2(tt.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		re := regexp.MustCompile(src)
		for _, s := range tt.match {
			if !re.MatchString(s) {
				t.Errorf("%s (%s) does not match %q", tt.pattern, src, s)
			}
		}
		for _, s := range tt.reject {
			if re.MatchString(s) {
				t.Errorf("%s (%s) matches %q", tt.pattern, src, s)
			}
		}
	}
	if _, err := javaToRE2(`(?=a)b`); err == nil {
		t.Error("lookahead compiled; want an error so the generator skips it")
	}
}
