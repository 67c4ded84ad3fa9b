package cloudtrail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/cairnhq/cairn"
)

// trailCache keeps decoded trail documents, so that reading a trail (GetTrail,
// GetTrailStatus, DescribeTrails and the rest) costs a copy instead of a JSON
// decode, which was a tenth of the server's CPU on a GetTrail. An entry is used only
// while the stored document is byte for byte the one it was decoded from, so the
// cache can never return a stale trail, whatever the store's revisions.
type trailCache struct {
	mu sync.Mutex
	m  map[string]cachedTrail
}

type cachedTrail struct {
	doc []byte
	t   *Trail // never handed out: callers get clones
}

// maxCachedTrails bounds the cache; when full it starts afresh.
const maxCachedTrails = 4096

// decode returns the trail stored as e, decoded or cloned from the cache. The
// caller owns the result.
func (c *trailCache) decode(e cairn.MetaEntry) (*Trail, error) {
	c.mu.Lock()
	ct, ok := c.m[e.Key]
	c.mu.Unlock()
	if ok && bytes.Equal(ct.doc, e.Value) {
		return ct.t.clone(), nil
	}
	t := new(Trail)
	if err := json.Unmarshal(e.Value, t); err != nil {
		return nil, fmt.Errorf("decode trail %s: %w", e.Key, err)
	}
	ct = cachedTrail{doc: bytes.Clone(e.Value), t: t.clone()}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedTrails {
		c.m = make(map[string]cachedTrail)
	}
	c.m[e.Key] = ct
	c.mu.Unlock()
	return t, nil
}

// clone returns a deep copy of t: no slice or pointer of the copy is shared with t.
func (t *Trail) clone() *Trail {
	c := *t
	c.EventSelectors = slices.Clone(t.EventSelectors)
	for i := range c.EventSelectors {
		es := &c.EventSelectors[i]
		if es.IncludeManagementEvents != nil {
			v := *es.IncludeManagementEvents
			es.IncludeManagementEvents = &v
		}
		es.DataResources = slices.Clone(es.DataResources)
		for j := range es.DataResources {
			es.DataResources[j].Values = slices.Clone(es.DataResources[j].Values)
		}
		es.ExcludeManagementEventSources = slices.Clone(es.ExcludeManagementEventSources)
	}
	c.AdvancedEventSelectors = slices.Clone(t.AdvancedEventSelectors)
	for i := range c.AdvancedEventSelectors {
		as := &c.AdvancedEventSelectors[i]
		as.FieldSelectors = slices.Clone(as.FieldSelectors)
		for j := range as.FieldSelectors {
			f := &as.FieldSelectors[j]
			f.Equals, f.StartsWith, f.EndsWith = slices.Clone(f.Equals), slices.Clone(f.StartsWith), slices.Clone(f.EndsWith)
			f.NotEquals, f.NotStartsWith, f.NotEndsWith = slices.Clone(f.NotEquals), slices.Clone(f.NotStartsWith), slices.Clone(f.NotEndsWith)
		}
	}
	c.InsightSelectors = slices.Clone(t.InsightSelectors)
	for i := range c.InsightSelectors {
		c.InsightSelectors[i].EventCategories = slices.Clone(c.InsightSelectors[i].EventCategories)
	}
	c.Tags = slices.Clone(t.Tags)
	c.LoggingPeriods = slices.Clone(t.LoggingPeriods)
	return &c
}
