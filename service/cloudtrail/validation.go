package cloudtrail

import (
	"net/http"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
)

// MapValidation turns a model-constraint failure into the error CloudTrail returns:
// the operation-specific exception where CloudTrail has one (LookupEvents' attribute,
// category and page-size errors; selectors, insight selectors and tags; page sizes
// and tokens elsewhere), otherwise
// InvalidParameterException with AWS's "validation error detected" message.
func MapValidation(op string, ve *awsproto.ValidationError) *awsproto.Error {
	v := ve.Violations[0]
	code := "InvalidParameterException"
	switch v.Member {
	case "MaxResults", "MaxQueryResults":
		code = "InvalidMaxResultsException"
	case "NextToken":
		code = "InvalidNextTokenException"
	}
	switch root, _, _ := strings.Cut(v.Path, "."); root {
	case "eventSelectors", "advancedEventSelectors":
		code = "InvalidEventSelectorsException"
	case "insightSelectors":
		code = "InvalidInsightSelectorsException"
	case "tagsList":
		code = "InvalidTagParameterException"
	}
	if op == "LookupEvents" {
		switch v.Member {
		case "LookupAttributes", "AttributeKey", "AttributeValue":
			code = "InvalidLookupAttributesException"
		case "EventCategory":
			code = "InvalidEventCategoryException"
		}
	}
	return awsproto.NewError(code, http.StatusBadRequest, "%s", ve.Error())
}
