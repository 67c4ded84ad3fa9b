package rest_test

import (
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
	"github.com/cairnhq/cairn/awsproto/rest"
)

// routeCase is one request and the operation and labels it must route to ("" for
// no match).
type routeCase struct {
	method, target string // target: escaped path and query, as sent
	op             string
	labels         map[string]string
}

func runRoutes(t *testing.T, r *rest.Router, cases []routeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			path, rawQuery, _ := strings.Cut(c.target, "?")
			q, err := url.ParseQuery(rawQuery)
			if err != nil {
				t.Fatal(err)
			}
			m, ok := r.Match(c.method, path, q)
			if c.op == "" {
				if ok {
					t.Fatalf("matched %s, want no match", m.Operation.Name)
				}
				return
			}
			if !ok {
				t.Fatalf("no match, want %s", c.op)
			}
			if m.Operation.Name != c.op {
				t.Fatalf("matched %s, want %s", m.Operation.Name, c.op)
			}
			if len(m.Labels) != len(c.labels) || !maps.Equal(m.Labels, c.labels) {
				t.Fatalf("labels %v, want %v", m.Labels, c.labels)
			}
		})
	}
}

func TestRouter_CloudFront(t *testing.T) {
	t.Parallel()
	r, err := rest.NewRouter(cloudfront.Operations)
	if err != nil {
		t.Fatal(err)
	}
	id := map[string]string{"Id": "E123"}
	runRoutes(t, r, []routeCase{
		{"GET", "/2020-05-31/distribution", "ListDistributions", nil},
		{"GET", "/2020-05-31/distribution?Marker=m&MaxItems=2", "ListDistributions", nil},
		{"POST", "/2020-05-31/distribution", "CreateDistribution", nil},
		// A literal query part makes a route more specific than the same path without.
		{"POST", "/2020-05-31/distribution?WithTags", "CreateDistributionWithTags", nil},
		{"GET", "/2020-05-31/distribution/E123", "GetDistribution", id},
		{"DELETE", "/2020-05-31/distribution/E123", "DeleteDistribution", id},
		{"GET", "/2020-05-31/distribution/E123/config", "GetDistributionConfig", id},
		{"PUT", "/2020-05-31/distribution/E123/config", "UpdateDistribution", id},
		{"GET", "/2020-05-31/distribution/E1/invalidation/I2", "GetInvalidation", map[string]string{"DistributionId": "E1", "Id": "I2"}},
		{"POST", "/2020-05-31/tagging?Operation=Tag&Resource=arn%3Ax", "TagResource", nil},
		{"POST", "/2020-05-31/tagging?Resource=arn&Operation=Untag", "UntagResource", nil},
		{"GET", "/2020-05-31/tagging?Resource=arn", "ListTagsForResource", nil},
		{"POST", "/2020-05-31/tagging?Operation=Bogus", "", nil},
		{"POST", "/2020-05-31/tagging", "", nil},
		// A literal segment beats a label at the same position.
		{"GET", "/2020-05-31/connection-group", "GetConnectionGroupByRoutingEndpoint", nil},
		{"GET", "/2020-05-31/connection-group/cg-1", "GetConnectionGroup", map[string]string{"Identifier": "cg-1"}},
		{"GET", "/2020-05-31/function/f1/describe", "DescribeFunction", map[string]string{"Name": "f1"}},
		{"GET", "/2020-05-31/function/f1", "GetFunction", map[string]string{"Name": "f1"}},
		// Labels are unescaped after splitting, so an encoded "/" stays inside.
		{"GET", "/2020-05-31/distributionsByOwnedResource/arn%3Aaws%3Acloudfront%3A%3A1%3Adistribution%2FE1",
			"ListDistributionsByOwnedResource", map[string]string{"ResourceArn": "arn:aws:cloudfront::1:distribution/E1"}},
		{"get", "/2020-05-31/distribution/E123", "GetDistribution", id},
		{"PATCH", "/2020-05-31/distribution/E123", "", nil},
		{"GET", "/2020-05-31/distribution/", "", nil},
		{"GET", "/2020-05-31/distribution/E123/config/extra", "", nil},
		{"GET", "/2020-05-31/distribution/E1%zz", "", nil},
		{"GET", "/2020-05-31", "", nil},
		{"GET", "/", "", nil},
		{"GET", "", "", nil},
	})
}

func TestRouter_KeyValueStore(t *testing.T) {
	t.Parallel()
	r, err := rest.NewRouter(cloudfrontkeyvaluestore.Operations)
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2F0c1e3b8f"
	kvs := "arn:aws:cloudfront::123456789012:key-value-store/0c1e3b8f"
	runRoutes(t, r, []routeCase{
		{"GET", "/key-value-stores/" + arn, "DescribeKeyValueStore", map[string]string{"KvsARN": kvs}},
		{"GET", "/key-value-stores/" + arn + "/keys?MaxResults=5", "ListKeys", map[string]string{"KvsARN": kvs}},
		{"POST", "/key-value-stores/" + arn + "/keys", "UpdateKeys", map[string]string{"KvsARN": kvs}},
		{"GET", "/key-value-stores/" + arn + "/keys/a%2Fb%20c", "GetKey", map[string]string{"KvsARN": kvs, "Key": "a/b c"}},
		{"PUT", "/key-value-stores/" + arn + "/keys/k", "PutKey", map[string]string{"KvsARN": kvs, "Key": "k"}},
		{"DELETE", "/key-value-stores/" + arn + "/keys/k", "DeleteKey", map[string]string{"KvsARN": kvs, "Key": "k"}},
		// An unescaped "/" in the ARN makes extra segments: no route.
		{"GET", "/key-value-stores/arn:aws:cloudfront::1:key-value-store/x", "", nil},
	})
}

// storage is an S3-like table: greedy labels, a literal beside a label, a literal
// query part on a greedy route.
var storage = map[string]rest.Operation{
	"ListObjects":  {HTTPMethod: "GET", RequestURI: "/{Bucket}"},
	"GetObject":    {HTTPMethod: "GET", RequestURI: "/{Bucket}/{Key+}"},
	"GetObjectAcl": {HTTPMethod: "GET", RequestURI: "/{Bucket}/{Key+}?acl"},
	"GetSpecial":   {HTTPMethod: "GET", RequestURI: "/{Bucket}/special"},
	"ListBuckets":  {HTTPMethod: "GET", RequestURI: "/"},
	"PutVersioned": {HTTPMethod: "PUT", RequestURI: "/{Bucket}?versioning&x-id=PutVersioned"},
}

func TestRouter_GreedyAndPrecedence(t *testing.T) {
	t.Parallel()
	r := rest.MustNewRouter(storage)
	b := map[string]string{"Bucket": "b"}
	runRoutes(t, r, []routeCase{
		{"GET", "/", "ListBuckets", nil},
		{"GET", "/b", "ListObjects", b},
		{"GET", "/b/k", "GetObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"GET", "/b/a/b/c", "GetObject", map[string]string{"Bucket": "b", "Key": "a/b/c"}},
		{"GET", "/b/a%2Fb%3F", "GetObject", map[string]string{"Bucket": "b", "Key": "a/b?"}},
		{"GET", "/b/special", "GetSpecial", b},
		{"GET", "/b/special/x", "GetObject", map[string]string{"Bucket": "b", "Key": "special/x"}},
		{"GET", "/b/a/b?acl", "GetObjectAcl", map[string]string{"Bucket": "b", "Key": "a/b"}},
		{"GET", "/b/a/b?acl=", "GetObjectAcl", map[string]string{"Bucket": "b", "Key": "a/b"}},
		{"GET", "/b/", "", nil},
		{"PUT", "/b?versioning&x-id=PutVersioned", "PutVersioned", b},
		{"PUT", "/b?versioning&x-id=Other", "", nil},
		{"PUT", "/b?versioning", "", nil},
	})
}

func TestNewRouter_Errors(t *testing.T) {
	t.Parallel()
	for name, ops := range map[string]map[string]rest.Operation{
		"greedy not last": {"A": {HTTPMethod: "GET", RequestURI: "/{Key+}/x"}},
		"partial label":   {"A": {HTTPMethod: "GET", RequestURI: "/a{Id}"}},
		"empty label":     {"A": {HTTPMethod: "GET", RequestURI: "/{}"}},
		"relative":        {"A": {HTTPMethod: "GET", RequestURI: "a/b"}},
		"duplicate": {
			"A": {HTTPMethod: "GET", RequestURI: "/x/{Id}?q"},
			"B": {HTTPMethod: "GET", RequestURI: "/x/{Name}?q"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := rest.NewRouter(ops); err == nil {
				t.Fatal("NewRouter succeeded, want an error")
			}
		})
	}
}
