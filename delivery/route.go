package delivery

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// globalSources are the event sources of global services: their events are recorded
// in us-east-1, and a trail takes them only with IncludeGlobalServiceEvents (spec §5.6).
var globalSources = map[string]bool{
	"cloudfront.amazonaws.com":        true,
	"edgekeyvaluestore.amazonaws.com": true,
	"iam.amazonaws.com":               true,
}

// candidate is an event on its way through the router: the routing facts from the
// log, and the selector view of its record, parsed only when a selector needs it.
type candidate struct {
	eventlog.Message
	parsed bool
	sel    cloudtrail.SelectorEvent
	err    error
}

func (c *candidate) time() time.Time { return time.Unix(0, c.TimeNanos) }

// selectorEvent returns the fields event selectors look at. Management events under
// basic selectors need only the routing facts; everything else parses the record.
func (c *candidate) selectorEvent(full bool) (cloudtrail.SelectorEvent, error) {
	if c.parsed {
		return c.sel, c.err
	}
	if !full {
		return cloudtrail.SelectorEvent{
			EventCategory: c.Lookup.Category,
			EventSource:   c.Lookup.EventSource,
			EventName:     c.Lookup.EventName,
			ReadOnly:      c.Lookup.ReadOnly == "true",
		}, nil
	}
	c.parsed = true
	var r selectorRecord
	if err := json.Unmarshal(c.Raw, &r); err != nil {
		c.err = fmt.Errorf("event %d: decode record: %w", c.Seq, err)
		return c.sel, c.err
	}
	c.sel = cloudtrail.SelectorEvent{
		EventCategory:                r.EventCategory,
		EventSource:                  r.EventSource,
		EventName:                    r.EventName,
		EventType:                    r.EventType,
		ReadOnly:                     r.ReadOnly,
		UserIdentityARN:              r.UserIdentity.ARN,
		SessionCredentialFromConsole: r.SessionCredentialFromConsole == "true",
		ErrorCode:                    r.ErrorCode,
		VpcEndpointID:                r.VpcEndpointID,
	}
	if c.sel.EventCategory == "" {
		c.sel.EventCategory = cairn.EventCategoryManagement
	}
	for _, res := range r.Resources {
		c.sel.Resources = append(c.sel.Resources, cloudtrail.SelectorResource{Type: res.Type, ARN: res.ARN})
	}
	return c.sel, nil
}

// selectorRecord is the part of a record that event selectors read.
type selectorRecord struct {
	EventCategory string `json:"eventCategory"`
	EventSource   string `json:"eventSource"`
	EventName     string `json:"eventName"`
	EventType     string `json:"eventType"`
	ReadOnly      bool   `json:"readOnly"`
	ErrorCode     string `json:"errorCode"`
	VpcEndpointID string `json:"vpcEndpointId"`
	UserIdentity  struct {
		ARN string `json:"arn"`
	} `json:"userIdentity"`
	SessionCredentialFromConsole string `json:"sessionCredentialFromConsole"`
	Resources                    []struct {
		Type string `json:"type"`
		ARN  string `json:"ARN"`
	} `json:"resources"`
}

// Selects reports whether trail t delivers the event: the event is the trail's
// account's; it happened in the trail's home region or the trail is multi-Region;
// a global service event needs IncludeGlobalServiceEvents; the trail was logging when
// it happened; and the trail's event selectors (basic or advanced) select it. Insight
// events are never in log files.
func Selects(t *cloudtrail.Trail, m eventlog.Message) (bool, error) {
	c := &candidate{Message: m}
	return selects(t, c)
}

func selects(t *cloudtrail.Trail, c *candidate) (bool, error) {
	if c.Account != t.Account {
		return false, nil
	}
	if !t.IsMultiRegionTrail && c.Region != t.HomeRegion {
		return false, nil
	}
	if c.Lookup.Category == cairn.EventCategoryInsight {
		return false, nil
	}
	if globalSources[c.Lookup.EventSource] && !t.IncludeGlobalServiceEvents {
		return false, nil
	}
	if !t.LoggingAt(c.time()) {
		return false, nil
	}
	if t.UsesAdvancedEventSelectors {
		ev, err := c.selectorEvent(true)
		if err != nil {
			return false, err
		}
		return cloudtrail.MatchAdvanced(t.AdvancedEventSelectors, ev), nil
	}
	full := c.Lookup.Category != cairn.EventCategoryManagement
	ev, err := c.selectorEvent(full)
	if err != nil {
		return false, err
	}
	return cloudtrail.MatchBasic(t.EventSelectors, ev), nil
}
