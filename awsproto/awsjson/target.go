package awsjson

import "strings"

// ParseTarget returns the operation named by an X-Amz-Target header. Both forms
// clients send are accepted: the full target prefix followed by ".<Op>" (AWS CLI:
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents) and the short
// form, the prefix's last dot-separated segment followed by ".<Op>" (aws-sdk-go-v2:
// CloudTrail_20131101.LookupEvents). ok is false for any other value; op is then "".
// The operation name is not checked against the service's operation table.
func ParseTarget(target, prefix string) (op string, ok bool) {
	if prefix == "" {
		return "", false
	}
	short := prefix[strings.LastIndexByte(prefix, '.')+1:]
	for _, p := range [...]string{prefix, short} {
		if rest, found := strings.CutPrefix(target, p+"."); found && isOpName(rest) {
			return rest, true
		}
	}
	return "", false
}

// isOpName accepts the characters of model operation names (ASCII letters and digits).
func isOpName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
