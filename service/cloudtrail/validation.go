package cloudtrail

import (
	"net/http"

	"github.com/cairnhq/cairn/awsproto"
)

// MapValidation turns a model-constraint failure into the error CloudTrail returns:
// the operation-specific exception where CloudTrail has one (LookupEvents' attribute,
// category and page-size errors; page sizes and tokens elsewhere), otherwise
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
