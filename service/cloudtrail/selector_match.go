package cloudtrail

import (
	"strconv"
	"strings"
)

// SelectorEvent is what event selectors look at in an event record.
type SelectorEvent struct {
	EventCategory                string // Management, Data, NetworkActivity, Insight
	EventSource                  string
	EventName                    string
	EventType                    string
	ReadOnly                     bool
	Resources                    []SelectorResource
	UserIdentityARN              string
	SessionCredentialFromConsole bool
	ErrorCode                    string
	VpcEndpointID                string
}

// SelectorResource is one entry of an event's resources list.
type SelectorResource struct {
	Type string
	ARN  string
}

// MatchAdvanced reports whether a trail with these advanced event selectors logs ev: ev
// must match at least one selector (OR); a selector matches when every one of its field
// selectors matches (AND). Within a field selector the values of the positive operators
// (Equals, StartsWith, EndsWith) are alternatives — at least one must match if any is
// given — and a match of any negative operator value (NotEquals, NotStartsWith,
// NotEndsWith) excludes the event. resources.type and resources.ARN are evaluated on
// one resource: some resource of the event must satisfy all of the selector's resource
// conditions. Matching is case-sensitive. An absent field is the empty string.
func MatchAdvanced(selectors []AdvancedEventSelector, ev SelectorEvent) bool {
	for _, sel := range selectors {
		if matchSelector(sel, ev) {
			return true
		}
	}
	return false
}

func matchSelector(sel AdvancedEventSelector, ev SelectorEvent) bool {
	if len(sel.FieldSelectors) == 0 {
		return false
	}
	var resourceConds []AdvancedFieldSelector
	for _, fs := range sel.FieldSelectors {
		if fs.Field == FieldResourcesType || fs.Field == FieldResourcesARN {
			resourceConds = append(resourceConds, fs)
			continue
		}
		v, ok := eventField(fs.Field, ev)
		if !ok || !matchField(fs, v) {
			return false
		}
	}
	if len(resourceConds) == 0 {
		return true
	}
	resources := ev.Resources
	if len(resources) == 0 {
		resources = []SelectorResource{{}}
	}
	for _, r := range resources {
		all := true
		for _, fs := range resourceConds {
			v := r.Type
			if fs.Field == FieldResourcesARN {
				v = r.ARN
			}
			if !matchField(fs, v) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// eventField returns the value of a non-resource field; false for unknown fields, which
// never match.
func eventField(field string, ev SelectorEvent) (string, bool) {
	switch field {
	case FieldEventCategory:
		return ev.EventCategory, true
	case FieldEventSource:
		return ev.EventSource, true
	case FieldEventName:
		return ev.EventName, true
	case FieldEventType:
		return ev.EventType, true
	case FieldReadOnly:
		return strconv.FormatBool(ev.ReadOnly), true
	case FieldUserIdentityARN:
		return ev.UserIdentityARN, true
	case FieldSessionCredentialFromConsole:
		return strconv.FormatBool(ev.SessionCredentialFromConsole), true
	case FieldErrorCode:
		return ev.ErrorCode, true
	case FieldVpcEndpointID:
		return ev.VpcEndpointID, true
	}
	return "", false
}

func matchField(fs AdvancedFieldSelector, v string) bool {
	hasPositive, positive := false, false
	for _, op := range fs.operators() {
		for _, p := range op.values {
			m := op.match(v, p)
			if op.negative {
				if m {
					return false
				}
				continue
			}
			hasPositive = true
			positive = positive || m
		}
	}
	return !hasPositive || positive
}

// MatchBasic reports whether a trail with these basic event selectors logs ev (OR across
// selectors). A management event matches a selector that includes management events,
// whose ReadWriteType admits the event and whose ExcludeManagementEventSources does not
// name its source. A data event matches a selector whose ReadWriteType admits it and
// that has a data resource of the event resource's type whose value selects the
// resource's ARN: the type's "all" value (arn:aws:s3, arn:aws:lambda, arn:aws:dynamodb,
// arn:aws:cloudfront) selects every resource; otherwise an S3 value is an ARN prefix
// (arn:aws:s3:::bucket/ or arn:aws:s3:::bucket/prefix) and any other value must equal
// the ARN. Other event categories never match basic selectors.
func MatchBasic(selectors []EventSelector, ev SelectorEvent) bool {
	for _, sel := range selectors {
		if !rwMatches(sel.RWType(), ev.ReadOnly) {
			continue
		}
		switch ev.EventCategory {
		case "Management":
			if sel.IncludesManagementEvents() && !selectorHas(sel.ExcludeManagementEventSources, ev.EventSource) {
				return true
			}
		case "Data":
			for _, dr := range sel.DataResources {
				for _, r := range ev.Resources {
					if r.Type == dr.Type && dataValueSelects(dr, r.ARN) {
						return true
					}
				}
			}
		}
	}
	return false
}

func rwMatches(rw string, readOnly bool) bool {
	switch rw {
	case ReadWriteAll:
		return true
	case ReadWriteReadOnly:
		return readOnly
	case ReadWriteWriteOnly:
		return !readOnly
	}
	return false
}

func dataValueSelects(dr DataResource, arn string) bool {
	all := dataResourceAll[dr.Type]
	for _, v := range dr.Values {
		switch {
		case v == all:
			return true
		case dr.Type == ResourceS3Object:
			if strings.HasPrefix(arn, v) {
				return true
			}
		case v == arn:
			return true
		}
	}
	return false
}

func selectorHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
