package cloudtrail

import (
	"regexp"
	"strings"
)

// Limits of trail parameters.
const (
	MaxS3KeyPrefixLength  = 200
	MaxSnsTopicNameLength = 256
)

var (
	snsNameRE     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	uuidRE        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	mrkRE         = regexp.MustCompile(`^mrk-[0-9a-fA-F]{32}$`)
	kmsAliasRE    = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	logGroupRE    = regexp.MustCompile(`^[A-Za-z0-9_/.#-]{1,512}$`)
	roleNameRE    = regexp.MustCompile(`^role/([\x21-\x7e]*/)?[A-Za-z0-9+=,.@_-]{1,64}$`)
	iamRoleAcctRE = accountRE
)

// validateBucketName applies the S3 general purpose bucket naming rules and returns an
// InvalidS3BucketNameException naming the rule that failed.
func validateBucketName(b string) error {
	bad := func(reason string) error {
		return ctError(CodeInvalidS3BucketName, "Invalid S3 bucket name: %q. %s", b, reason)
	}
	if len(b) < 3 || len(b) > 63 {
		return bad("Bucket names must be between 3 and 63 characters long.")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad("Bucket names can consist only of lowercase letters, numbers, periods (.), and hyphens (-).")
		}
	}
	if !isAlnum(b[0]) || !isAlnum(b[len(b)-1]) {
		return bad("Bucket names must begin and end with a letter or number.")
	}
	if strings.Contains(b, "..") || strings.Contains(b, ".-") || strings.Contains(b, "-.") {
		return bad("Bucket names must not contain two adjacent periods, or a period next to a hyphen.")
	}
	if ipv4RE.MatchString(b) {
		return bad("Bucket names must not be formatted as an IP address.")
	}
	for _, p := range []string{"xn--", "sthree-"} {
		if strings.HasPrefix(b, p) {
			return bad("Bucket names must not start with the prefix " + p + ".")
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(b, s) {
			return bad("Bucket names must not end with the suffix " + s + ".")
		}
	}
	return nil
}

func validateS3KeyPrefix(p string) error {
	if len(p) > MaxS3KeyPrefixLength {
		return ctError(CodeInvalidS3Prefix, "Invalid S3 key prefix: the maximum length is %d characters; the specified prefix has %d.", MaxS3KeyPrefixLength, len(p))
	}
	return nil
}

// snsTopicARN validates an SNS topic name or ARN and returns the topic's ARN.
func snsTopicARN(topic, region, account string) (string, error) {
	if len(topic) > MaxSnsTopicNameLength {
		return "", ctError(CodeInvalidSnsTopicName, "Invalid SNS topic name: the maximum length is %d characters; the specified name has %d.", MaxSnsTopicNameLength, len(topic))
	}
	if IsARN(topic) {
		a, ok := ParseARN(topic)
		if !ok || a.Partition != Partition || a.Service != "sns" || !regionRE.MatchString(a.Region) ||
			!accountRE.MatchString(a.Account) || a.ResourceType != "" || !snsNameRE.MatchString(a.ResourceID) {
			return "", ctError(CodeInvalidSnsTopicName, "Invalid SNS topic ARN: %s", topic)
		}
		return topic, nil
	}
	if !snsNameRE.MatchString(topic) {
		return "", ctError(CodeInvalidSnsTopicName, "Invalid SNS topic name: %q. Topic names may contain only letters, numbers, hyphens (-) and underscores (_).", topic)
	}
	return "arn:" + Partition + ":sns:" + region + ":" + account + ":" + topic, nil
}

// kmsKeyARN validates a KMS key identifier (alias name, alias ARN, key ARN, key id) and
// returns it as an ARN, as AWS reports KmsKeyId in trail descriptions.
func kmsKeyARN(id, region, account string) (string, error) {
	bad := ctError(CodeInvalidKmsKeyID, "Invalid KMS key id: %q. Use a key id, a key ARN, an alias name (alias/...) or an alias ARN.", id)
	switch {
	case uuidRE.MatchString(id) || mrkRE.MatchString(id):
		return "arn:" + Partition + ":kms:" + region + ":" + account + ":key/" + id, nil
	case kmsAliasRE.MatchString(id) && !strings.HasPrefix(id, "alias/aws/"):
		return "arn:" + Partition + ":kms:" + region + ":" + account + ":" + id, nil
	case IsARN(id):
		a, ok := ParseARN(id)
		if !ok || a.Partition != Partition || a.Service != "kms" || !regionRE.MatchString(a.Region) || !accountRE.MatchString(a.Account) {
			return "", bad
		}
		switch a.ResourceType {
		case "key":
			if uuidRE.MatchString(a.ResourceID) || mrkRE.MatchString(a.ResourceID) {
				return id, nil
			}
		case "alias":
			if kmsAliasRE.MatchString("alias/" + a.ResourceID) {
				return id, nil
			}
		}
	}
	return "", bad
}

// validateLogGroupARN accepts arn:aws:logs:<region>:<account>:log-group:<name>[:*].
func validateLogGroupARN(s string) error {
	bad := ctError(CodeInvalidCloudWatchLogsLogGroupArn, "Invalid CloudWatch Logs log group ARN: %q. Expected arn:aws:logs:<region>:<account-id>:log-group:<log-group-name>:*", s)
	a, ok := ParseARN(s)
	if !ok || a.Partition != Partition || a.Service != "logs" || !regionRE.MatchString(a.Region) || !accountRE.MatchString(a.Account) {
		return bad
	}
	rest, ok := strings.CutPrefix(a.Resource, "log-group:")
	if !ok {
		return bad
	}
	rest = strings.TrimSuffix(rest, ":*")
	if !logGroupRE.MatchString(rest) {
		return bad
	}
	return nil
}

// validateRoleARN accepts arn:aws:iam::<account>:role/[path/]<name>.
func validateRoleARN(s string) error {
	a, ok := ParseARN(s)
	if !ok || a.Partition != Partition || a.Service != "iam" || a.Region != "" || !iamRoleAcctRE.MatchString(a.Account) ||
		!roleNameRE.MatchString(a.Resource) {
		return ctError(CodeInvalidCloudWatchLogsRoleArn, "Invalid CloudWatch Logs role ARN: %q. Expected arn:aws:iam::<account-id>:role/<role-name>", s)
	}
	return nil
}
