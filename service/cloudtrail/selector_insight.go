package cloudtrail

import "context"

// Insights types and the event categories they apply to.
const (
	InsightAPICallRate     = "ApiCallRateInsight"
	InsightAPIErrorRate    = "ApiErrorRateInsight"
	InsightCategoryMgmt    = "Management"
	InsightCategoryData    = "Data"
	insightDefaultCategory = InsightCategoryMgmt
)

// InsightSelector enables one Insights type on a trail.
type InsightSelector struct {
	InsightType     string
	EventCategories []string // empty means Management
}

// InsightSelectorsResult is the PutInsightSelectors/GetInsightSelectors response.
type InsightSelectorsResult struct {
	TrailARN         string
	InsightSelectors []InsightSelector
}

// normalizeInsightSelectors validates insight selectors and applies the default
// category; each type may appear once.
func normalizeInsightSelectors(sels []InsightSelector) ([]InsightSelector, error) {
	out := make([]InsightSelector, 0, len(sels))
	seen := map[string]bool{}
	for _, sel := range sels {
		if sel.InsightType != InsightAPICallRate && sel.InsightType != InsightAPIErrorRate {
			return nil, ctError(CodeInvalidInsightSelectors, "InsightType %q is not valid; use ApiCallRateInsight or ApiErrorRateInsight.", sel.InsightType)
		}
		if seen[sel.InsightType] {
			return nil, ctError(CodeInvalidInsightSelectors, "InsightType %s is specified more than once.", sel.InsightType)
		}
		seen[sel.InsightType] = true
		cats := []string{}
		seenCat := map[string]bool{}
		for _, c := range sel.EventCategories {
			if c != InsightCategoryMgmt && c != InsightCategoryData {
				return nil, ctError(CodeInvalidInsightSelectors, "Insights event category %q is not valid; use Management or Data.", c)
			}
			if !seenCat[c] {
				seenCat[c] = true
				cats = append(cats, c)
			}
		}
		if len(cats) == 0 {
			cats = append(cats, insightDefaultCategory)
		}
		out = append(out, InsightSelector{InsightType: sel.InsightType, EventCategories: cats})
	}
	return out, nil
}

// logsManagement reports whether the trail's selectors log management events that are
// writes (write=true) or reads/writes of any kind (write=false).
func logsManagement(t *Trail, write bool) bool {
	if t.UsesAdvancedEventSelectors {
		for _, sel := range t.AdvancedEventSelectors {
			cat, ro := "", ""
			for _, fs := range sel.FieldSelectors {
				switch fs.Field {
				case FieldEventCategory:
					if len(fs.Equals) == 1 {
						cat = fs.Equals[0]
					}
				case FieldReadOnly:
					if len(fs.Equals) == 1 {
						ro = fs.Equals[0]
					}
				}
			}
			if cat == "Management" && (!write || ro != "true") {
				return true
			}
		}
		return false
	}
	for _, sel := range t.EventSelectors {
		if sel.IncludesManagementEvents() && (!write || sel.RWType() != ReadWriteReadOnly) {
			return true
		}
	}
	return false
}

// logsData reports whether the trail's selectors log any data events.
func logsData(t *Trail) bool {
	if t.UsesAdvancedEventSelectors {
		for _, sel := range t.AdvancedEventSelectors {
			for _, fs := range sel.FieldSelectors {
				if fs.Field == FieldEventCategory && len(fs.Equals) == 1 && fs.Equals[0] == "Data" {
					return true
				}
			}
		}
		return false
	}
	for _, sel := range t.EventSelectors {
		if len(sel.DataResources) > 0 {
			return true
		}
	}
	return false
}

// PutInsightSelectors implements PutInsightSelectors for a trail (home region only). The
// selectors replace the trail's current ones; an empty list turns Insights off.
// ApiCallRateInsight on management events needs the trail to log write management
// events, ApiErrorRateInsight needs read or write management events, and Insights on
// data events need data events.
func (s *TrailStore) PutInsightSelectors(ctx context.Context, account, region, nameOrARN string, sels []InsightSelector) (*InsightSelectorsResult, error) {
	if _, err := parseTrailRef(nameOrARN); err != nil {
		return nil, err
	}
	norm, err := normalizeInsightSelectors(sels)
	if err != nil {
		return nil, err
	}
	t, err := s.mutate(ctx, account, region, nameOrARN, func(t *Trail) error {
		for _, sel := range norm {
			for _, c := range sel.EventCategories {
				switch {
				case c == InsightCategoryData && !logsData(t):
					return ctError(CodeInvalidInsightSelectors, "Insights on data events require the trail %s to log data events.", t.Name)
				case c == InsightCategoryMgmt && sel.InsightType == InsightAPICallRate && !logsManagement(t, true):
					return ctError(CodeInvalidInsightSelectors, "ApiCallRateInsight on management events requires the trail %s to log write management events.", t.Name)
				case c == InsightCategoryMgmt && !logsManagement(t, false):
					return ctError(CodeInvalidInsightSelectors, "ApiErrorRateInsight on management events requires the trail %s to log read or write management events.", t.Name)
				}
			}
		}
		t.InsightSelectors = norm
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &InsightSelectorsResult{TrailARN: t.ARN(), InsightSelectors: append([]InsightSelector{}, t.InsightSelectors...)}, nil
}

// GetInsightSelectors implements GetInsightSelectors for a trail (from any region the
// trail is visible in). A trail without Insights is an InsightNotEnabledException.
func (s *TrailStore) GetInsightSelectors(ctx context.Context, account, region, nameOrARN string) (*InsightSelectorsResult, error) {
	t, err := s.Get(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	if !t.HasInsightSelectors() {
		return nil, ctError(CodeInsightNotEnabled, "Trail %s does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.", t.Name)
	}
	return &InsightSelectorsResult{TrailARN: t.ARN(), InsightSelectors: append([]InsightSelector{}, t.InsightSelectors...)}, nil
}
