package cloudtrail

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Read/write types of basic event selectors.
const (
	ReadWriteAll       = "All"
	ReadWriteReadOnly  = "ReadOnly"
	ReadWriteWriteOnly = "WriteOnly"
)

// Data resource types that basic event selectors accept. AWS accepts the first three;
// Cairn adds the CloudFront KeyValueStore, whose data plane it serves.
const (
	ResourceS3Object          = "AWS::S3::Object"
	ResourceLambdaFunction    = "AWS::Lambda::Function"
	ResourceDynamoDBTable     = "AWS::DynamoDB::Table"
	ResourceCloudFrontKVStore = "AWS::CloudFront::KeyValueStore"
)

// Limits of event selectors on a trail.
const (
	MaxEventSelectors          = 5
	MaxDataResources           = 250
	MaxAdvancedSelectorValues  = 500
	MaxAdvancedSelectorName    = 1000
	MaxAdvancedFieldValueChars = 2048
	MaxAdvancedFieldNameChars  = 1000
)

// EventSelector is a basic event selector.
type EventSelector struct {
	ReadWriteType                 string // "" means All
	IncludeManagementEvents       *bool  // nil means true
	DataResources                 []DataResource
	ExcludeManagementEventSources []string
}

// DataResource selects data events of one resource type by ARN or ARN prefix.
type DataResource struct {
	Type   string
	Values []string
}

// AdvancedEventSelector is a named conjunction of field selectors.
type AdvancedEventSelector struct {
	Name           string
	FieldSelectors []AdvancedFieldSelector
}

// AdvancedFieldSelector is one condition on an event field. An empty operator list is
// an absent operator.
type AdvancedFieldSelector struct {
	Field         string
	Equals        []string
	StartsWith    []string
	EndsWith      []string
	NotEquals     []string
	NotStartsWith []string
	NotEndsWith   []string
}

// IncludesManagementEvents is IncludeManagementEvents with its default (true) applied.
func (e EventSelector) IncludesManagementEvents() bool {
	return e.IncludeManagementEvents == nil || *e.IncludeManagementEvents
}

// RWType is ReadWriteType with its default (All) applied.
func (e EventSelector) RWType() string {
	if e.ReadWriteType == "" {
		return ReadWriteAll
	}
	return e.ReadWriteType
}

// DefaultEventSelectors is the selector of a new trail: all management events, no data
// events, as GetEventSelectors returns it.
func DefaultEventSelectors() []EventSelector {
	t := true
	return []EventSelector{{
		ReadWriteType:                 ReadWriteAll,
		IncludeManagementEvents:       &t,
		DataResources:                 []DataResource{},
		ExcludeManagementEventSources: []string{},
	}}
}

func errSelectors(format string, args ...any) error {
	return ctError(CodeInvalidEventSelectors, format, args...)
}

// dataResourceAll are the values that select every resource of a type; they do not count
// against MaxDataResources.
var dataResourceAll = map[string]string{
	ResourceS3Object:          "arn:aws:s3",
	ResourceLambdaFunction:    "arn:aws:lambda",
	ResourceDynamoDBTable:     "arn:aws:dynamodb",
	ResourceCloudFrontKVStore: "arn:aws:cloudfront",
}

var (
	s3ObjectValueRE = regexp.MustCompile(`^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/`)
	lambdaValueRE   = regexp.MustCompile(`^arn:aws:lambda:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:function:[A-Za-z0-9_-]{1,140}(:(\$LATEST|[A-Za-z0-9_-]+))?$`)
	dynamoValueRE   = regexp.MustCompile(`^arn:aws:dynamodb:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:table/[A-Za-z0-9_.-]{3,255}$`)
	kvsValueRE      = regexp.MustCompile(`^arn:aws:cloudfront::\d{12}:key-value-store/[A-Za-z0-9-]{1,64}$`)
	selectorFieldRE = regexp.MustCompile(`^[\w|\d|\.|_]+$`)
)

// NormalizeEventSelectors validates basic event selectors for a trail and returns them
// with defaults applied (ReadWriteType All, IncludeManagementEvents true, empty lists).
func NormalizeEventSelectors(sels []EventSelector) ([]EventSelector, error) {
	if len(sels) > MaxEventSelectors {
		return nil, errSelectors("A trail can have at most %d event selectors; %d were specified.", MaxEventSelectors, len(sels))
	}
	out := make([]EventSelector, len(sels))
	total := 0
	for i, sel := range sels {
		n := EventSelector{
			ReadWriteType:                 sel.RWType(),
			DataResources:                 []DataResource{},
			ExcludeManagementEventSources: []string{},
		}
		inc := sel.IncludesManagementEvents()
		n.IncludeManagementEvents = &inc
		switch n.ReadWriteType {
		case ReadWriteAll, ReadWriteReadOnly, ReadWriteWriteOnly:
		default:
			return nil, errSelectors("Event selector %d: ReadWriteType %q is not valid; use ReadOnly, WriteOnly or All.", i+1, sel.ReadWriteType)
		}
		for _, src := range sel.ExcludeManagementEventSources {
			if src != "kms.amazonaws.com" && src != "rdsdata.amazonaws.com" {
				return nil, errSelectors("Event selector %d: ExcludeManagementEventSources can contain only kms.amazonaws.com and rdsdata.amazonaws.com, not %q.", i+1, src)
			}
			n.ExcludeManagementEventSources = append(n.ExcludeManagementEventSources, src)
		}
		for _, dr := range sel.DataResources {
			all, ok := dataResourceAll[dr.Type]
			if !ok {
				return nil, errSelectors("Event selector %d: data resource type %q is not valid for basic event selectors; use AWS::S3::Object, AWS::Lambda::Function, AWS::DynamoDB::Table or AWS::CloudFront::KeyValueStore (use advanced event selectors for other types).", i+1, dr.Type)
			}
			if len(dr.Values) == 0 {
				return nil, errSelectors("Event selector %d: data resource %s must have at least one value.", i+1, dr.Type)
			}
			for _, v := range dr.Values {
				if v != all {
					total++
					if !validDataResourceValue(dr.Type, v) {
						return nil, errSelectors("Event selector %d: %q is not a valid value for data resource type %s.", i+1, v, dr.Type)
					}
				}
			}
			n.DataResources = append(n.DataResources, DataResource{Type: dr.Type, Values: append([]string{}, dr.Values...)})
		}
		out[i] = n
	}
	if total > MaxDataResources {
		return nil, errSelectors("A trail can have at most %d data resources across all event selectors; %d were specified.", MaxDataResources, total)
	}
	return out, nil
}

func validDataResourceValue(typ, v string) bool {
	switch typ {
	case ResourceS3Object:
		return s3ObjectValueRE.MatchString(v)
	case ResourceLambdaFunction:
		return lambdaValueRE.MatchString(v)
	case ResourceDynamoDBTable:
		return dynamoValueRE.MatchString(v)
	case ResourceCloudFrontKVStore:
		return kvsValueRE.MatchString(v)
	}
	return false
}

// Advanced selector field names.
const (
	FieldEventCategory                = "eventCategory"
	FieldEventSource                  = "eventSource"
	FieldEventName                    = "eventName"
	FieldEventType                    = "eventType"
	FieldReadOnly                     = "readOnly"
	FieldResourcesType                = "resources.type"
	FieldResourcesARN                 = "resources.ARN"
	FieldUserIdentityARN              = "userIdentity.arn"
	FieldSessionCredentialFromConsole = "sessionCredentialFromConsole"
	FieldErrorCode                    = "errorCode"
	FieldVpcEndpointID                = "vpcEndpointId"
)

// trailAdvancedFields lists, per eventCategory, the fields a trail's advanced selector
// may use (spec §8.2, trail flavour).
var trailAdvancedFields = map[string]map[string]bool{
	"Management": {FieldEventCategory: true, FieldEventSource: true, FieldReadOnly: true},
	"Data": {FieldEventCategory: true, FieldResourcesType: true, FieldEventName: true, FieldEventSource: true,
		FieldEventType: true, FieldReadOnly: true, FieldResourcesARN: true, FieldSessionCredentialFromConsole: true,
		FieldUserIdentityARN: true},
	"NetworkActivity": {FieldEventCategory: true, FieldEventSource: true, FieldEventName: true, FieldErrorCode: true,
		FieldVpcEndpointID: true, FieldUserIdentityARN: true},
}

var resourceTypeRE = regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$`)

// ValidateAdvancedEventSelectors checks advanced event selectors for a trail.
func ValidateAdvancedEventSelectors(sels []AdvancedEventSelector) error {
	total := 0
	for i, sel := range sels {
		where := fmt.Sprintf("Advanced event selector %d", i+1)
		if sel.Name != "" {
			where = fmt.Sprintf("Advanced event selector %q", sel.Name)
		}
		if len(sel.Name) > MaxAdvancedSelectorName {
			return errSelectors("Advanced event selector %d: the name is longer than %d characters.", i+1, MaxAdvancedSelectorName)
		}
		if len(sel.FieldSelectors) == 0 {
			return errSelectors("%s: at least one field selector is required.", where)
		}
		seen := map[string]bool{}
		var category *AdvancedFieldSelector
		for j := range sel.FieldSelectors {
			fs := &sel.FieldSelectors[j]
			if fs.Field == "" || len(fs.Field) > MaxAdvancedFieldNameChars || !selectorFieldRE.MatchString(fs.Field) {
				return errSelectors("%s: field name %q is not valid.", where, fs.Field)
			}
			if seen[fs.Field] {
				return errSelectors("%s: field %s is used more than once; combine its conditions in one field selector.", where, fs.Field)
			}
			seen[fs.Field] = true
			n := 0
			for _, op := range fs.operators() {
				for _, v := range op.values {
					if len(v) == 0 || len(v) > MaxAdvancedFieldValueChars {
						return errSelectors("%s: each value of field %s must be 1 to %d characters long.", where, fs.Field, MaxAdvancedFieldValueChars)
					}
					n++
				}
			}
			if n == 0 {
				return errSelectors("%s: field %s has no condition; use at least one of Equals, StartsWith, EndsWith, NotEquals, NotStartsWith or NotEndsWith.", where, fs.Field)
			}
			total += n
			if fs.Field == FieldEventCategory {
				category = fs
			}
		}
		if category == nil {
			return errSelectors("%s: the eventCategory field is required.", where)
		}
		if !category.onlyEquals() || len(category.Equals) != 1 {
			return errSelectors("%s: eventCategory must use the Equals operator with exactly one value.", where)
		}
		cat := category.Equals[0]
		allowed, ok := trailAdvancedFields[cat]
		if !ok {
			return errSelectors("%s: eventCategory %q is not valid for trails; use Management, Data or NetworkActivity.", where, cat)
		}
		for _, fs := range sel.FieldSelectors {
			if !allowed[fs.Field] {
				return errSelectors("%s: field %s cannot be used with eventCategory %s.", where, fs.Field, cat)
			}
			if err := checkAdvancedField(where, cat, fs); err != nil {
				return err
			}
		}
		switch cat {
		case "Data":
			if !seen[FieldResourcesType] {
				return errSelectors("%s: data event selectors require the resources.type field.", where)
			}
		case "NetworkActivity":
			if !seen[FieldEventSource] {
				return errSelectors("%s: network activity event selectors require the eventSource field.", where)
			}
		}
	}
	if total > MaxAdvancedSelectorValues {
		return errSelectors("A trail can have at most %d values across all conditions of its advanced event selectors; %d were specified.", MaxAdvancedSelectorValues, total)
	}
	return nil
}

func checkAdvancedField(where, cat string, fs AdvancedFieldSelector) error {
	switch fs.Field {
	case FieldReadOnly:
		if !fs.onlyEquals() || len(fs.Equals) != 1 || fs.Equals[0] != "true" && fs.Equals[0] != "false" {
			return errSelectors("%s: readOnly must use the Equals operator with one value, true or false.", where)
		}
	case FieldResourcesType:
		if !fs.onlyEquals() || len(fs.Equals) != 1 {
			return errSelectors("%s: resources.type must use the Equals operator with exactly one value.", where)
		}
		if !resourceTypeRE.MatchString(fs.Equals[0]) {
			return errSelectors("%s: resources.type %q is not a valid resource type.", where, fs.Equals[0])
		}
	case FieldResourcesARN:
		for _, v := range append(append([]string{}, fs.Equals...), fs.NotEquals...) {
			if a, ok := ParseARN(v); !ok || a.Partition == "" || a.Service == "" {
				return errSelectors("%s: Equals and NotEquals values of resources.ARN must be full ARNs; %q is not.", where, v)
			}
		}
	case FieldSessionCredentialFromConsole:
		if len(fs.StartsWith)+len(fs.EndsWith)+len(fs.NotStartsWith)+len(fs.NotEndsWith) > 0 {
			return errSelectors("%s: sessionCredentialFromConsole accepts only the Equals and NotEquals operators.", where)
		}
		for _, v := range append(append([]string{}, fs.Equals...), fs.NotEquals...) {
			if v != "true" && v != "false" {
				return errSelectors("%s: sessionCredentialFromConsole values must be true or false, not %q.", where, v)
			}
		}
	case FieldEventSource:
		switch cat {
		case "Management":
			if len(fs.Equals)+len(fs.StartsWith)+len(fs.EndsWith)+len(fs.NotStartsWith)+len(fs.NotEndsWith) > 0 {
				return errSelectors("%s: for management events, eventSource accepts only NotEquals kms.amazonaws.com or rdsdata.amazonaws.com.", where)
			}
			for _, v := range fs.NotEquals {
				if v != "kms.amazonaws.com" && v != "rdsdata.amazonaws.com" {
					return errSelectors("%s: for management events, eventSource accepts only NotEquals kms.amazonaws.com or rdsdata.amazonaws.com, not %q.", where, v)
				}
			}
		case "NetworkActivity":
			if !fs.onlyEquals() || len(fs.Equals) != 1 {
				return errSelectors("%s: for network activity events, eventSource must use the Equals operator with exactly one event source.", where)
			}
		}
	case FieldErrorCode:
		if !fs.onlyEquals() || len(fs.Equals) != 1 || fs.Equals[0] != "VpceAccessDenied" {
			return errSelectors("%s: errorCode accepts only Equals VpceAccessDenied.", where)
		}
	}
	return nil
}

type fieldOp struct {
	name     string
	values   []string
	negative bool
	match    func(v, pattern string) bool
}

func (fs AdvancedFieldSelector) operators() []fieldOp {
	eq := func(v, p string) bool { return v == p }
	return []fieldOp{
		{"Equals", fs.Equals, false, eq},
		{"StartsWith", fs.StartsWith, false, strings.HasPrefix},
		{"EndsWith", fs.EndsWith, false, strings.HasSuffix},
		{"NotEquals", fs.NotEquals, true, eq},
		{"NotStartsWith", fs.NotStartsWith, true, strings.HasPrefix},
		{"NotEndsWith", fs.NotEndsWith, true, strings.HasSuffix},
	}
}

func (fs AdvancedFieldSelector) onlyEquals() bool {
	return len(fs.Equals) > 0 && len(fs.StartsWith)+len(fs.EndsWith)+len(fs.NotEquals)+len(fs.NotStartsWith)+len(fs.NotEndsWith) == 0
}

// EventSelectorsResult is the PutEventSelectors/GetEventSelectors response: exactly one
// of EventSelectors and AdvancedEventSelectors is non-nil.
type EventSelectorsResult struct {
	TrailARN               string
	EventSelectors         []EventSelector
	AdvancedEventSelectors []AdvancedEventSelector
}

func selectorsResult(t *Trail) *EventSelectorsResult {
	r := &EventSelectorsResult{TrailARN: t.ARN()}
	if t.UsesAdvancedEventSelectors {
		r.AdvancedEventSelectors = append([]AdvancedEventSelector{}, t.AdvancedEventSelectors...)
	} else {
		r.EventSelectors = append([]EventSelector{}, t.EventSelectors...)
	}
	return r
}

// PutEventSelectors implements PutEventSelectors (home region only). basicSet and
// advancedSet tell whether each member was present in the request: exactly one must be.
// Putting one kind replaces the other.
func (s *TrailStore) PutEventSelectors(ctx context.Context, account, region, nameOrARN string, basic []EventSelector, advanced []AdvancedEventSelector, basicSet, advancedSet bool) (*EventSelectorsResult, error) {
	if _, err := parseTrailRef(nameOrARN); err != nil {
		return nil, err
	}
	if basicSet == advancedSet {
		return nil, ctError(CodeInvalidParameterCombination, "Specify either EventSelectors or AdvancedEventSelectors, but not both.")
	}
	var norm []EventSelector
	var adv []AdvancedEventSelector
	if basicSet {
		var err error
		if norm, err = NormalizeEventSelectors(basic); err != nil {
			return nil, err
		}
	} else {
		if err := ValidateAdvancedEventSelectors(advanced); err != nil {
			return nil, err
		}
		adv = append([]AdvancedEventSelector{}, advanced...)
	}
	t, err := s.mutate(ctx, account, region, nameOrARN, func(t *Trail) error {
		if basicSet {
			t.EventSelectors, t.AdvancedEventSelectors, t.UsesAdvancedEventSelectors = norm, nil, false
		} else {
			t.EventSelectors, t.AdvancedEventSelectors, t.UsesAdvancedEventSelectors = nil, adv, true
		}
		t.HasCustomEventSelectors = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return selectorsResult(t), nil
}

// GetEventSelectors implements GetEventSelectors (from any region the trail is visible in).
func (s *TrailStore) GetEventSelectors(ctx context.Context, account, region, nameOrARN string) (*EventSelectorsResult, error) {
	t, err := s.Get(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	return selectorsResult(t), nil
}
