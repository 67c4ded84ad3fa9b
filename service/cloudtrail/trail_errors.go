package cloudtrail

import (
	"errors"
	"net/http"

	"github.com/cairnhq/cairn/awsproto"
)

// CloudTrail error codes returned by this package (the wire codes of the model's error shapes).
const (
	CodeCloudTrailARNInvalid             = "CloudTrailARNInvalidException"
	CodeInsightNotEnabled                = "InsightNotEnabledException"
	CodeInvalidCloudWatchLogsLogGroupArn = "InvalidCloudWatchLogsLogGroupArnException"
	CodeInvalidCloudWatchLogsRoleArn     = "InvalidCloudWatchLogsRoleArnException"
	CodeInvalidEventSelectors            = "InvalidEventSelectorsException"
	CodeInvalidHomeRegion                = "InvalidHomeRegionException"
	CodeInvalidInsightSelectors          = "InvalidInsightSelectorsException"
	CodeInvalidKmsKeyID                  = "InvalidKmsKeyIdException"
	CodeInvalidParameter                 = "InvalidParameterException"
	CodeInvalidParameterCombination      = "InvalidParameterCombinationException"
	CodeInvalidS3BucketName              = "InvalidS3BucketNameException"
	CodeInvalidS3Prefix                  = "InvalidS3PrefixException"
	CodeInvalidSnsTopicName              = "InvalidSnsTopicNameException"
	CodeInvalidTagParameter              = "InvalidTagParameterException"
	CodeInvalidTrailName                 = "InvalidTrailNameException"
	CodeMaximumNumberOfTrailsExceeded    = "MaximumNumberOfTrailsExceededException"
	CodeOrganizationsNotInUse            = "OrganizationsNotInUseException"
	CodeResourceNotFound                 = "ResourceNotFoundException"
	CodeResourceTypeNotSupported         = "ResourceTypeNotSupportedException"
	CodeTagsLimitExceeded                = "TagsLimitExceededException"
	CodeTrailAlreadyExists               = "TrailAlreadyExistsException"
	CodeTrailNotFound                    = "TrailNotFoundException"
	CodeConflict                         = "ConflictException"
)

// ctError returns a sender-fault (HTTP 400) API error.
func ctError(code, format string, args ...any) *awsproto.Error {
	return awsproto.NewError(code, http.StatusBadRequest, format, args...)
}

func errTrailNotFound(ref, account string) *awsproto.Error {
	return ctError(CodeTrailNotFound, "Unknown trail: %s for the user: %s", ref, account)
}

// isCode reports whether err is an *awsproto.Error with the given code.
func isCTCode(err error, code string) bool {
	var e *awsproto.Error
	return errors.As(err, &e) && e.Code == code
}
