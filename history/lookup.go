package history

import (
	"math"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn"
)

// Page sizes (MaxResults): 1–50, default 50.
const (
	DefaultPageSize = 50
	MaxPageSize     = 50
)

// CategoryInsight is the only valid EventCategory of LookupEvents.
const CategoryInsight = "insight"

// Lookup attribute keys, exactly as LookupEvents spells them (case-sensitive).
const (
	KeyEventID      = "EventId"
	KeyEventName    = "EventName"
	KeyReadOnly     = "ReadOnly"
	KeyUsername     = "Username"
	KeyResourceType = "ResourceType"
	KeyResourceName = "ResourceName"
	KeyEventSource  = "EventSource"
	KeyAccessKeyID  = "AccessKeyId"
)

// maxAttributeValue is the model's length limit of LookupAttribute.AttributeValue.
const maxAttributeValue = 2000

// Attribute is one LookupAttributes item.
type Attribute struct {
	Key, Value string
}

// Query is a LookupEvents request in the caller's account and region.
type Query struct {
	Account, Region string
	// Attributes is LookupAttributes: at most one item.
	Attributes []Attribute
	// StartTime and EndTime bound event times, both inclusive; nil means the default
	// (the start of the retention window, and now).
	StartTime, EndTime *time.Time
	// Insight is EventCategory=insight (see ValidateCategory): only Insights events,
	// which are otherwise never returned.
	Insight bool
	// MaxResults is the page size, 1–50; 0 means DefaultPageSize.
	MaxResults int
	// NextToken continues a previous Lookup with the same parameters (MaxResults may
	// differ).
	NextToken string
}

// Entry is one event of a page: its position in the event log, its time and its
// lookup fields. The caller fetches the record body from the event log by Seq.
type Entry struct {
	Seq    uint64
	Time   time.Time
	Lookup cairn.LookupFields
}

// Page is one LookupEvents page, newest first.
type Page struct {
	Events []Entry
	// NextToken is "" on the last page.
	NextToken string
}

// Lookup answers a LookupEvents query. Errors are *awsproto.Error values with the
// LookupEvents codes: InvalidLookupAttributesException, InvalidMaxResultsException,
// InvalidTimeRangeException, InvalidNextTokenException.
//
// Events are ordered by time, newest first, ties broken by descending sequence; a
// NextToken carries the (time, sequence) of the last event returned, so later pages
// neither repeat nor skip events that existed when paging began, whatever arrives in
// between. Time bounds compare at the second precision with which events report
// their EventTime: EndTime 12:00:00 includes an event at 12:00:00.7.
func (ix *Index) Lookup(q Query) (Page, error) {
	attr, err := validateAttributes(q.Attributes, q.Insight)
	if err != nil {
		return Page{}, err
	}
	size := q.MaxResults
	if size == 0 {
		size = DefaultPageSize
	}
	if size < 1 || size > MaxPageSize {
		return Page{}, errMaxResults(q.MaxResults)
	}
	if q.StartTime != nil && q.EndTime != nil && q.StartTime.After(*q.EndTime) {
		return Page{}, errTimeRange()
	}
	var cur cursor
	if q.NextToken != "" {
		if cur, err = ix.decodeToken(&q, q.NextToken); err != nil {
			return Page{}, err
		}
	}

	now := ix.clock.Now()
	lo := ix.cutoff(now)
	if q.StartTime != nil {
		lo = max(lo, ceilSecond(*q.StartTime))
	}
	hi := now.UnixNano()
	if q.EndTime != nil {
		if hi = floorSecond(*q.EndTime); hi != math.MaxInt64 {
			hi += int64(time.Second) - 1
		}
	}

	p := ix.partition(partKey{account: q.Account, region: q.Region, insight: q.Insight}, false)
	if p == nil || lo > hi {
		return Page{}, nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()

	var list []uint32
	switch attr.Key {
	case "":
		list = p.main.live()
	case KeyEventID:
		list = p.ids.find(&p.store, attr.Value, nil)
		slices.SortFunc(list, func(a, b uint32) int {
			ea, eb := p.ent(a), p.ent(b)
			switch {
			case ea.t != eb.t:
				return cmpInt(ea.t, eb.t)
			default:
				return cmpInt(ea.seq, eb.seq)
			}
		})
	default:
		list = p.attrs[attrOf[attr.Key]].list(attr.Value)
	}

	// Position just past the newest candidate: the end of the time range, or the
	// cursor (exclusive), whichever is lower; then walk backwards.
	end := sort.Search(len(list), func(j int) bool { return p.ent(list[j]).t > hi })
	if q.NextToken != "" {
		end = min(end, sort.Search(len(list), func(j int) bool { return !p.less(list[j], cur.t, cur.seq) }))
	}
	j := end - 1
	hits := make([]uint32, 0, size)
	for ; j >= 0 && len(hits) < size; j-- {
		if p.ent(list[j]).t < lo {
			break
		}
		hits = append(hits, list[j])
	}
	category := cairn.EventCategoryManagement
	if q.Insight {
		category = cairn.EventCategoryInsight
	}
	page := Page{Events: p.page(hits, category)}
	if len(hits) == size && j >= 0 && p.ent(list[j]).t >= lo {
		last := p.ent(hits[len(hits)-1])
		page.NextToken = ix.encodeToken(&q, cursor{t: last.t, seq: last.seq})
	}
	return page, nil
}

// page builds the entries of logical indexes hits with few allocations: the EventIds
// share one string and the resources one array.
func (s *store) page(hits []uint32, category string) []Entry {
	if len(hits) == 0 {
		return nil
	}
	out := make([]Entry, len(hits))
	nres := 0
	var ids []byte
	for _, i := range hits {
		e := s.ent(i)
		nres += int(e.resN)
		if e.flags&flagUUID != 0 {
			if ids == nil {
				ids = make([]byte, 0, 36*len(hits))
			}
			ids = appendUUID(ids, e.id)
		}
	}
	idStr := string(ids)
	res := make([]cairn.LookupResource, 0, nres)
	off := 0
	for k, i := range hits {
		e := s.ent(i)
		f := s.fields(e, i, &res)
		f.Category = category
		if e.flags&flagUUID != 0 {
			f.EventID = idStr[off : off+36]
			off += 36
		}
		out[k] = Entry{Seq: e.seq, Time: time.Unix(0, e.t).UTC(), Lookup: f}
	}
	return out
}

func cmpInt[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var attrOf = map[string]int{
	KeyEventName:    attrEventName,
	KeyEventSource:  attrEventSource,
	KeyUsername:     attrUsername,
	KeyAccessKeyID:  attrAccessKeyID,
	KeyReadOnly:     attrReadOnly,
	KeyResourceType: attrResourceType,
	KeyResourceName: attrResourceName,
}

// validateAttributes checks LookupAttributes and returns its item, if any.
func validateAttributes(as []Attribute, insight bool) (Attribute, error) {
	switch len(as) {
	case 0:
		return Attribute{}, nil
	case 1:
	default:
		return Attribute{}, errLookupAttributes("You can specify only one lookup attribute; %d were specified.", len(as))
	}
	a := as[0]
	switch a.Key {
	case KeyEventID, KeyEventName, KeyEventSource:
	case KeyReadOnly, KeyUsername, KeyResourceType, KeyResourceName, KeyAccessKeyID:
		if insight {
			return Attribute{}, errLookupAttributes("Lookup attribute key %s is not supported for Insights events. Valid keys are EventId, EventName and EventSource.", a.Key)
		}
	default:
		return Attribute{}, errLookupAttributes("Lookup attribute key %s is not valid. Valid keys are EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource and AccessKeyId.", a.Key)
	}
	if n := utf8.RuneCountInString(a.Value); n < 1 || n > maxAttributeValue {
		return Attribute{}, errLookupAttributes("Lookup attribute value is not valid: its length must be between 1 and %d characters.", maxAttributeValue)
	}
	return a, nil
}

// unixNanos is t in unix nanoseconds, clamped to the int64 range (UnixNano is
// undefined outside it).
func unixNanos(t time.Time) int64 {
	switch {
	case t.Unix() <= math.MinInt64/int64(time.Second)+1:
		return math.MinInt64
	case t.Unix() >= math.MaxInt64/int64(time.Second)-1:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// floorSecond and ceilSecond round t to whole seconds, in unix nanoseconds.
func floorSecond(t time.Time) int64 {
	n := unixNanos(t)
	if n == math.MinInt64 || n == math.MaxInt64 {
		return n
	}
	r := n % int64(time.Second)
	if r < 0 {
		r += int64(time.Second)
	}
	return n - r
}

func ceilSecond(t time.Time) int64 {
	f := floorSecond(t)
	if f == unixNanos(t) {
		return f
	}
	return f + int64(time.Second)
}
