package history

import (
	"net/http"

	"github.com/cairnhq/cairn/awsproto"
)

// LookupEvents error codes (spec §4). All are sender faults with HTTP 400.
const (
	CodeInvalidLookupAttributes = "InvalidLookupAttributesException"
	CodeInvalidTimeRange        = "InvalidTimeRangeException"
	CodeInvalidMaxResults       = "InvalidMaxResultsException"
	CodeInvalidNextToken        = "InvalidNextTokenException"
	CodeInvalidEventCategory    = "InvalidEventCategoryException"
)

func errLookupAttributes(format string, args ...any) *awsproto.Error {
	return awsproto.NewError(CodeInvalidLookupAttributes, http.StatusBadRequest, format, args...)
}

func errTimeRange() *awsproto.Error {
	return awsproto.NewError(CodeInvalidTimeRange, http.StatusBadRequest,
		"The start time of the time range must not be after its end time.")
}

func errMaxResults(n int) *awsproto.Error {
	return awsproto.NewError(CodeInvalidMaxResults, http.StatusBadRequest,
		"A max results value of %d is invalid. Specify max results between 1 and %d.", n, MaxPageSize)
}

func errNextToken() *awsproto.Error {
	return awsproto.NewError(CodeInvalidNextToken, http.StatusBadRequest,
		"The NextToken is not valid. Pass it with the same parameters as the request that returned it.")
}

// ValidateCategory checks a LookupEvents EventCategory value: "" (absent) and "insight"
// are valid; anything else, including another case, is InvalidEventCategoryException.
func ValidateCategory(s string) error {
	if s == "" || s == CategoryInsight {
		return nil
	}
	return awsproto.NewError(CodeInvalidEventCategory, http.StatusBadRequest,
		"Event category %s is not valid. The only valid value is %s.", s, CategoryInsight)
}
