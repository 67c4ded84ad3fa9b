package s3_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/objstore/s3"
)

const (
	testBucket = "my-bucket"
	testPrefix = "myprefix/AWSLogs/123456789012/"
	testTrail  = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
)

// awsDocPolicy is the policy of AWS's CloudTrail guide (spec §5.4).
const awsDocPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::my-bucket",
  "Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/myprefix/AWSLogs/123456789012/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control",
                               "aws:SourceArn":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}}]}`

// acl is the AWSCloudTrailAclCheck statement, to combine with a write statement.
const acl = `{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::my-bucket"}`

func stmts(s ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(s, ",") + `]}`
}

func TestCheckPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		policy   string
		trailARN string
		reason   string // "" = allowed; else a substring of the reason
	}{
		{name: "AWSGuide", policy: awsDocPolicy},
		{name: "AWSGuideNoTrailARN", policy: awsDocPolicy, trailARN: "-"},
		{name: "OtherTrail", policy: awsDocPolicy,
			trailARN: "arn:aws:cloudtrail:us-east-1:123456789012:trail/other", reason: "no statement allows"},
		{name: "SingleStatementObject", policy: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::my-bucket","arn:aws:s3:::my-bucket/*"]}}`},
		{name: "ServiceList", policy: stmts(
			`{"Effect":"Allow","Principal":{"Service":["config.amazonaws.com","cloudtrail.amazonaws.com"]},"Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::my-bucket","arn:aws:s3:::my-bucket/*"]}`)},
		{name: "AWSStar", policy: stmts(
			`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::my-bucket*"}`)},
		{name: "ActionWildcards", policy: stmts(
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:Get*","s3:Put*"],"Resource":["arn:aws:s3:::my-bucket","arn:aws:s3:::my-bucket/myprefix/*"]}`)},
		{name: "ActionCaseInsensitive", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"S3:putobject","Resource":"arn:aws:s3:::my-bucket/myprefix/AWSLogs/*"}`)},
		{name: "ResourceQuestionMark", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/myprefix/AWSLogs/12345678901?/*"}`)},
		{name: "ResourceStarInMiddle", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*/AWSLogs/123456789012/*"}`)},
		{name: "NoPolicyStatements", policy: `{"Version":"2012-10-17","Statement":[]}`, reason: "s3:GetBucketAcl"},
		{name: "MissingAclCheck", policy: stmts(
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}`),
			reason: "s3:GetBucketAcl"},
		{name: "MissingWrite", policy: stmts(acl), reason: "s3:PutObject"},
		{name: "WrongPrincipal", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}`),
			reason: "s3:PutObject"},
		{name: "WrongBucket", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::other-bucket/*"}`),
			reason: "s3:PutObject"},
		{name: "WrongAccount", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/myprefix/AWSLogs/999999999999/*"}`),
			reason: "s3:PutObject"},
		{name: "NoPrefixInResource", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/AWSLogs/123456789012/*"}`),
			reason: "s3:PutObject"},
		{name: "NarrowerResource", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/myprefix/AWSLogs/123456789012/CloudTrail/*"}`),
			reason: "s3:PutObject"},
		{name: "ExactKeyOnly", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/myprefix/AWSLogs/123456789012/"}`),
			reason: "s3:PutObject"},
		{name: "WrongAction", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/*"}`),
			reason: "s3:PutObject"},
		{name: "DenyOverridesAllow", policy: stmts(acl,
			`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}`,
			`{"Sid":"NoWrites","Effect":"Deny","Principal":"*","Action":"s3:Put*","Resource":"arn:aws:s3:::my-bucket/*"}`),
			reason: `"NoWrites" denies`},
		{name: "DenyPartOfPrefix", policy: stmts(acl,
			`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}`,
			`{"Effect":"Deny","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/myprefix/AWSLogs/123456789012/CloudTrail-Digest/*"}`),
			reason: "#3 denies"},
		{name: "DenyOtherPrefix", policy: stmts(acl,
			`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}`,
			`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/private/*"}`)},
		{name: "DenyOtherPrincipal", policy: stmts(acl,
			`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}`,
			`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::my-bucket/*"}`)},
		{name: "DenyAcl", policy: stmts(acl,
			`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}`,
			`{"Effect":"Deny","Principal":"*","Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::my-bucket"}`),
			reason: "s3:GetBucketAcl"},
		{name: "DenyInsecureTransport", policy: stmts(awsStatements(),
			`{"Sid":"DenyHTTP","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::my-bucket","arn:aws:s3:::my-bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)},
		{name: "DenyUnknownCondition", policy: stmts(awsStatements(),
			`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)},
		{name: "DenyOtherSourceAccount", policy: stmts(awsStatements(),
			`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"StringNotEquals":{"aws:SourceAccount":"123456789012"}}}`)},
		{name: "DenyWrongACL", policy: stmts(awsStatements(),
			`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"StringNotEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}`)},
		{name: "AllowUnknownCondition", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"StringEquals":{"aws:SourceOrgID":"o-123"}}}`)},
		{name: "AllowArnLike", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:123456789012:trail/*"}}}`)},
		{name: "AllowWrongSourceAccount", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"StringEquals":{"aws:SourceAccount":["111122223333"]}}}`),
			reason: "s3:PutObject"},
		{name: "AllowWrongACLCondition", policy: stmts(acl,
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"StringEquals":{"s3:x-amz-acl":"private"}}}`),
			reason: "s3:PutObject"},
		{name: "AclConditionOnAclCheck", policy: stmts(
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::my-bucket","arn:aws:s3:::my-bucket/*"],"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}`),
			reason: "s3:GetBucketAcl"},
		{name: "NotAction", policy: stmts(
			`{"Effect":"Allow","Principal":"*","NotAction":"s3:Delete*","Resource":["arn:aws:s3:::my-bucket","arn:aws:s3:::my-bucket/*"]}`)},
		{name: "NotResourceAllow", policy: stmts(
			`{"Effect":"Allow","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::my-bucket/private/*"}`)},
		{name: "NotResourceCoversPrefix", policy: stmts(acl,
			`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","NotResource":"arn:aws:s3:::my-bucket/myprefix/*"}`),
			reason: "s3:PutObject"},
		{name: "NotPrincipalDeny", policy: stmts(awsStatements(),
			`{"Effect":"Deny","NotPrincipal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:*","Resource":"arn:aws:s3:::my-bucket/*"}`)},
		{name: "NotPrincipalDenyCloudTrail", policy: stmts(awsStatements(),
			`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"arn:aws:s3:::my-bucket/*"}`),
			reason: "denies"},
		{name: "InvalidJSON", policy: `{"Statement":`, reason: "cannot be parsed"},
		{name: "InvalidPrincipal", policy: stmts(`{"Effect":"Allow","Principal":"cloudtrail"}`), reason: "cannot be parsed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			trail := testTrail
			switch tt.trailARN {
			case "-":
				trail = ""
			case "":
			default:
				trail = tt.trailARN
			}
			err := s3.CheckPolicy([]byte(tt.policy), testBucket, testPrefix, trail)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("CheckPolicy = %v, want nil", err)
				}
				return
			}
			var pe *cairn.BucketPolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("CheckPolicy = %v, want *cairn.BucketPolicyError", err)
			}
			if pe.Bucket != testBucket || !strings.Contains(pe.Reason, tt.reason) {
				t.Fatalf("CheckPolicy = %+v, want bucket %s and reason containing %q", pe, testBucket, tt.reason)
			}
		})
	}
}

// awsStatements returns the statements of awsDocPolicy without the array brackets.
func awsStatements() string {
	s := awsDocPolicy[strings.Index(awsDocPolicy, "[")+1:]
	return s[:strings.LastIndex(s, "]")]
}
