package awsjson_test

import (
	"testing"

	"github.com/cairnhq/cairn/awsproto/awsjson"
)

func TestParseTarget(t *testing.T) {
	const prefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
	tests := []struct {
		target, op string
		ok         bool
	}{
		{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", "LookupEvents", true}, // AWS CLI
		{"CloudTrail_20131101.LookupEvents", "LookupEvents", true},                                    // aws-sdk-go-v2
		{"CloudTrail_20131101.", "", false},
		{"CloudTrail_20131101", "", false},
		{"CloudTrail_20131102.LookupEvents", "", false},
		{"v20131101.CloudTrail_20131101.LookupEvents", "", false},
		{"CloudTrail_20131101.Lookup.Events", "", false},
		{"CloudTrail_20131101.Lookup Events", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		op, ok := awsjson.ParseTarget(tt.target, prefix)
		if op != tt.op || ok != tt.ok {
			t.Errorf("ParseTarget(%q) = %q, %v; want %q, %v", tt.target, op, ok, tt.op, tt.ok)
		}
	}
	if _, ok := awsjson.ParseTarget("X.Op", ""); ok {
		t.Error("empty prefix accepted a target")
	}
}
