//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cfsdk "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
)

// --- helpers shared by cloudfront_test.go and keyvaluestore_test.go ---

// cfStartServer starts cairn like StartServer, with extra environment and, when
// withTLS, an HTTPS listener with its self-signed certificate.
func cfStartServer(t *testing.T, withTLS bool, extraEnv ...string) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir(), Account: testAccount, Key: "AKIAE2ETESTROOTKEY01", Secret: "e2e-secret-0123456789abcdefghijklmnopqrst"}
	s.env = append([]string{
		"CAIRN_ACCOUNT_ID=" + s.Account,
		"CAIRN_ROOT_ACCESS_KEY_ID=" + s.Key,
		"CAIRN_ROOT_SECRET_ACCESS_KEY=" + s.Secret,
	}, extraEnv...)
	if withTLS {
		s.TLSAddr = freeAddr(t)
	}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// cfCLISlots bounds how many AWS CLI processes the CloudFront tests run at once (each
// costs about a CPU-second of Python start-up on a two-core machine).
var cfCLISlots = make(chan struct{}, 3)

// cfCLIRegion is the region the CLI signs CloudFront calls for: not us-east-1, to show
// that CloudFront, a global service, records in us-east-1 whatever the signature says.
const cfCLIRegion = "eu-west-1"

func cfAWS(s *Server, args ...string) (string, error) {
	cfCLISlots <- struct{}{}
	defer func() { <-cfCLISlots }()
	return s.AWS(s.Root(), cfCLIRegion, append([]string{"cloudfront"}, args...)...)
}

// cfCLI runs `aws cloudfront args…` and decodes its JSON output into a map ("" output,
// as for a 204, gives nil).
func cfCLI(t *testing.T, s *Server, args ...string) map[string]any {
	t.Helper()
	out, err := cfAWS(s, args...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("aws cloudfront %v: output is not a JSON object: %v\n%s", args, err, out)
	}
	return m
}

// cfCLIErr runs a CLI command that must fail with code (an error of operation op) and
// returns the message.
func cfCLIErr(t *testing.T, s *Server, code, op string, args ...string) string {
	t.Helper()
	out, err := cfAWS(s, args...)
	if err == nil {
		t.Fatalf("aws cloudfront %v: succeeded (%s), want %s", args, strings.TrimSpace(out), code)
	}
	prefix := "An error occurred (" + code + ") when calling the " + op + " operation: "
	msg := err.Error()
	i := strings.Index(msg, prefix)
	if i < 0 {
		t.Fatalf("aws cloudfront %v: want %q, got: %v", args, prefix, err)
	}
	m := strings.TrimSpace(msg[i+len(prefix):])
	if m == "" {
		t.Errorf("aws cloudfront %v: %s has an empty message", args, code)
	}
	return m
}

// cfGet walks a decoded JSON value along a dotted path ("Distribution.Id"); list
// elements are addressed by index ("Items.0").
func cfGet(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			if _, err := fmt.Sscanf(p, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func cfStr(v any, path string) string {
	s, _ := cfGet(v, path).(string)
	return s
}

// cfCode is the error code of an SDK error ("" when it is not an API error).
func cfCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// cfStatus is the HTTP status of an SDK error's response (0 without one).
func cfStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// cfWantErr fails unless err is the API error code with HTTP status status (0: any).
func cfWantErr(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want %s", what, code)
	}
	if got := cfCode(err); got != code {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	if status != 0 && cfStatus(err) != status {
		t.Fatalf("%s: HTTP status %d, want %d (%v)", what, cfStatus(err), status, err)
	}
}

var (
	cfDistIDRE     = regexp.MustCompile(`^E[A-Z0-9]{13}$`)
	cfETagRE       = regexp.MustCompile(`^E[A-Z0-9]{13}$`)
	cfDomainRE     = regexp.MustCompile(`^d[a-z0-9]{13}\.cloudfront\.net$`)
	cfInvIDRE      = regexp.MustCompile(`^I[A-Z0-9]{13}$`)
	cfRecordTimeRE = regexp.MustCompile(`^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d\d:\d\d [AP]M$`)
)

// cfRecordTime is how CloudTrail writes a timestamp inside requestParameters and
// responseElements ("Feb 2, 2024 7:26:01 PM").
const cfRecordTime = "Jan 2, 2006 3:04:05 PM"

func cfDistARN(id string) string { return "arn:aws:cloudfront::" + testAccount + ":distribution/" + id }

// cfConfigJSON is a minimal distribution configuration in the CLI's JSON form.
func cfConfigJSON(ref, comment string, enabled bool) map[string]any {
	return map[string]any{
		"CallerReference": ref,
		"Comment":         comment,
		"Enabled":         enabled,
		"Origins": map[string]any{"Quantity": 1, "Items": []any{map[string]any{
			"Id": "origin-1", "DomainName": "origin.example.com",
			"CustomOriginConfig": map[string]any{"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
		}}},
		"DefaultCacheBehavior": map[string]any{
			"TargetOriginId": "origin-1", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
			"ForwardedValues": map[string]any{"QueryString": false, "Cookies": map[string]any{"Forward": "none"}},
		},
	}
}

// cfWriteJSON writes v to a file of the test's temporary directory and returns its
// file:// URL for the CLI.
func cfWriteJSON(t *testing.T, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return "file://" + p
}

// cfSDKConfig is cfConfigJSON for the SDK.
func cfSDKConfig(ref, comment string) *cftypes.DistributionConfig {
	return &cftypes.DistributionConfig{
		CallerReference: aws.String(ref), Comment: aws.String(comment), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("origin-1"), DomainName: aws.String("origin.example.com"),
			CustomOriginConfig: &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly},
		}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId: aws.String("origin-1"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps, MinTTL: aws.Int64(0),
			ForwardedValues: &cftypes.ForwardedValues{QueryString: aws.Bool(false), Cookies: &cftypes.CookiePreference{Forward: cftypes.ItemSelectionNone}},
		},
	}
}

// cfClient is an aws-sdk-go-v2 CloudFront client for the server's plain HTTP address.
func cfClient(s *Server) *cfsdk.Client {
	return cfsdk.NewFromConfig(s.awsConfig(s.Root(), "us-east-1"))
}

// cfWaitDeployed polls GetDistribution until the distribution is Deployed and returns
// its ETag.
func cfWaitDeployed(t *testing.T, cf *cfsdk.Client, id string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, err := cf.GetDistribution(ctx(t), &cfsdk.GetDistributionInput{Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetDistribution %s: %v", id, err)
		}
		if aws.ToString(out.Distribution.Status) == "Deployed" {
			return aws.ToString(out.ETag)
		}
		if time.Now().After(deadline) {
			t.Fatalf("distribution %s still %s after %v", id, aws.ToString(out.Distribution.Status), within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cfRaw sends a request signed with SigV4 for CloudFront (us-east-1) and returns the
// status and body.
func cfRaw(t *testing.T, s *Server, method, path, body string) (int, string) {
	t.Helper()
	r := cfRawResp(t, s, method, path, body, "")
	return r.status, r.body
}

type cfRawResult struct {
	status int
	header http.Header
	body   string
}

// cfRawResp is cfRaw with the response headers, and an If-Match header when ifMatch
// is not "".
func cfRawResp(t *testing.T, s *Server, method, path, body, ifMatch string) cfRawResult {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/xml")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: s.Key, SecretAccessKey: s.Secret},
		req, hex.EncodeToString(sum[:]), "cloudfront", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return cfRawResult{resp.StatusCode, resp.Header, string(b)}
}

// cfEvent is a LookupEvents event with its decoded record.
type cfEvent struct {
	ev  cttypes.Event
	rec map[string]any
}

// cfRecords waits until LookupEvents (us-east-1, EventSource=source) holds an event of
// every name in want, and returns the events by event name, newest first.
func cfRecords(t *testing.T, s *Server, source string, want ...string) map[string][]cfEvent {
	t.Helper()
	ct := s.CloudTrail(s.Root(), "us-east-1")
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String(source)}}})
		byName := map[string][]cfEvent{}
		for _, e := range evs {
			byName[aws.ToString(e.EventName)] = append(byName[aws.ToString(e.EventName)], cfEvent{e, record(t, e)})
		}
		var missing []string
		for _, n := range want {
			if len(byName[n]) == 0 {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			return byName
		}
		if time.Now().After(deadline) {
			t.Fatalf("LookupEvents EventSource=%s: no %v events (have %d events)", source, missing, len(evs))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cfFind returns the newest event named name whose errorCode is code ("" for a
// success) and for which match (if non-nil) holds.
func cfFind(t *testing.T, byName map[string][]cfEvent, name, code string, match func(r map[string]any) bool) cfEvent {
	t.Helper()
	for _, e := range byName[name] {
		ec, _ := e.rec["errorCode"].(string)
		if ec == code && (match == nil || match(e.rec)) {
			return e
		}
	}
	t.Fatalf("no %s event with errorCode %q (and the wanted content) among %d", name, code, len(byName[name]))
	return cfEvent{}
}

func cfJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// --- tests ---

// TestCloudFrontCLI drives the CloudFront control plane with the AWS CLI v1, signed for
// eu-west-1, through every implemented family of operations and their main errors, then
// checks the CloudTrail records LookupEvents shows for them in us-east-1.
func TestCloudFrontCLI(t *testing.T) {
	t.Parallel()
	s := cfStartServer(t, false, "CAIRN_CLOUDFRONT_DEPLOY_DELAY=1s")
	cf := cfClient(s)

	// Filled by the subtests, checked against the records at the end.
	var (
		mu                           sync.Mutex
		distID, etag1, etag2, etag3  string
		created                      map[string]any
		oacID, kvsARN, invID, tagged string
	)

	distribution := func(t *testing.T) {
		cfgFile := cfWriteJSON(t, "dist.json", cfConfigJSON("cli-ref-1", "comment one", true))
		out := cfCLI(t, s, "create-distribution", "--distribution-config", cfgFile)
		id := cfStr(out, "Distribution.Id")
		etag := cfStr(out, "ETag")
		if !cfDistIDRE.MatchString(id) || !cfETagRE.MatchString(etag) {
			t.Fatalf("create-distribution: Id %q ETag %q", id, etag)
		}
		if got := cfStr(out, "Location"); got != "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+id {
			t.Errorf("Location = %q", got)
		}
		if got := cfStr(out, "Distribution.Status"); got != "InProgress" {
			t.Errorf("Status = %q, want InProgress", got)
		}
		if got := cfStr(out, "Distribution.DomainName"); !cfDomainRE.MatchString(got) {
			t.Errorf("DomainName = %q", got)
		}
		if got := cfStr(out, "Distribution.ARN"); got != cfDistARN(id) {
			t.Errorf("ARN = %q, want %q", got, cfDistARN(id))
		}
		if got := cfStr(out, "Distribution.DistributionConfig.Comment"); got != "comment one" {
			t.Errorf("Comment = %q", got)
		}
		// Defaults AWS fills in.
		if cfStr(out, "Distribution.DistributionConfig.PriceClass") != "PriceClass_All" || cfStr(out, "Distribution.DistributionConfig.HttpVersion") != "http2" {
			t.Errorf("defaults not filled: %s", cfJSON(cfGet(out, "Distribution.DistributionConfig")))
		}
		mu.Lock()
		distID, etag1, created = id, etag, out
		mu.Unlock()

		// CallerReference reuse: the same configuration returns the distribution, another
		// one is DistributionAlreadyExists.
		again := cfCLI(t, s, "create-distribution", "--distribution-config", cfgFile)
		if cfStr(again, "Distribution.Id") != id || cfStr(again, "ETag") != etag {
			t.Errorf("repeated create-distribution: Id %s ETag %s, want %s %s", cfStr(again, "Distribution.Id"), cfStr(again, "ETag"), id, etag)
		}
		other := cfWriteJSON(t, "other.json", cfConfigJSON("cli-ref-1", "another comment", true))
		msg := cfCLIErr(t, s, "DistributionAlreadyExists", "CreateDistribution", "create-distribution", "--distribution-config", other)
		if !strings.Contains(msg, id) {
			t.Errorf("DistributionAlreadyExists message does not name %s: %s", id, msg)
		}

		got := cfCLI(t, s, "get-distribution", "--id", id)
		if cfStr(got, "ETag") != etag || cfStr(got, "Distribution.Id") != id || cfStr(got, "Distribution.ARN") != cfDistARN(id) {
			t.Errorf("get-distribution = %s", cfJSON(got))
		}
		if st := cfStr(got, "Distribution.Status"); st != "InProgress" && st != "Deployed" {
			t.Errorf("Status = %q", st)
		}
		cfgOut := cfCLI(t, s, "get-distribution-config", "--id", id)
		if cfStr(cfgOut, "ETag") != etag || cfStr(cfgOut, "DistributionConfig.CallerReference") != "cli-ref-1" {
			t.Errorf("get-distribution-config = %s", cfJSON(cfgOut))
		}

		// Update: If-Match is required, must be current, and every change makes a new ETag.
		dc := cfgOut["DistributionConfig"].(map[string]any)
		dc["Comment"] = "comment two"
		upd := cfWriteJSON(t, "upd.json", dc)
		cfCLIErr(t, s, "InvalidIfMatchVersion", "UpdateDistribution", "update-distribution", "--id", id, "--distribution-config", upd)
		u := cfCLI(t, s, "update-distribution", "--id", id, "--if-match", etag, "--distribution-config", upd)
		e2 := cfStr(u, "ETag")
		if !cfETagRE.MatchString(e2) || e2 == etag {
			t.Fatalf("update-distribution ETag %q (was %q)", e2, etag)
		}
		if cfStr(u, "Distribution.DistributionConfig.Comment") != "comment two" || cfStr(u, "Distribution.Status") != "InProgress" {
			t.Errorf("update-distribution = %s", cfJSON(cfGet(u, "Distribution")))
		}
		cfCLIErr(t, s, "PreconditionFailed", "UpdateDistribution", "update-distribution", "--id", id, "--if-match", etag, "--distribution-config", upd)

		// An enabled distribution cannot be deleted.
		cfCLIErr(t, s, "DistributionNotDisabled", "DeleteDistribution", "delete-distribution", "--id", id, "--if-match", e2)

		// Disable it, wait for Deployed, delete with the fresh ETag.
		dc["Enabled"] = false
		dis := cfCLI(t, s, "update-distribution", "--id", id, "--if-match", e2, "--distribution-config", cfWriteJSON(t, "disable.json", dc))
		e3 := cfStr(dis, "ETag")
		if e3 == e2 || cfGet(dis, "Distribution.DistributionConfig.Enabled") != false {
			t.Fatalf("disable: ETag %q (was %q), Enabled %v", e3, e2, cfGet(dis, "Distribution.DistributionConfig.Enabled"))
		}
		if e := cfWaitDeployed(t, cf, id, 15*time.Second); e != e3 {
			t.Fatalf("ETag changed by deployment: %s, want %s", e, e3)
		}
		cfCLIErr(t, s, "PreconditionFailed", "DeleteDistribution", "delete-distribution", "--id", id, "--if-match", e2)
		if out := cfCLI(t, s, "delete-distribution", "--id", id, "--if-match", e3); out != nil {
			t.Errorf("delete-distribution printed %s", cfJSON(out))
		}
		cfCLIErr(t, s, "NoSuchDistribution", "GetDistribution", "get-distribution", "--id", id)
		mu.Lock()
		etag2, etag3 = e2, e3
		mu.Unlock()
	}

	// Paging with the CLI's own paginator: --page-size sends MaxItems and follows
	// NextMarker until IsTruncated is false.
	listing := func(t *testing.T) {
		var ids []string
		for i := range 5 {
			out, err := cf.CreateDistribution(ctx(t), &cfsdk.CreateDistributionInput{DistributionConfig: cfSDKConfig(fmt.Sprintf("list-%d", i), "listed")})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, aws.ToString(out.Distribution.Id))
		}
		out := cfCLI(t, s, "list-distributions", "--page-size", "2")
		seen := map[string]bool{}
		var listed []string
		for _, it := range cfGet(out, "DistributionList.Items").([]any) {
			id := cfStr(it, "Id")
			if seen[id] {
				t.Fatalf("list-distributions returned %s twice", id)
			}
			seen[id] = true
			listed = append(listed, id)
			if cfStr(it, "ARN") != cfDistARN(id) || !cfETagRE.MatchString(cfStr(it, "ETag")) || !cfDomainRE.MatchString(cfStr(it, "DomainName")) {
				t.Errorf("summary %s", cfJSON(it))
			}
		}
		if !sort.StringsAreSorted(listed) {
			t.Errorf("list-distributions not by id: %v", listed)
		}
		for _, id := range ids {
			if !seen[id] {
				t.Errorf("list-distributions misses %s (got %v)", id, listed)
			}
		}

		// Invalidations on one of them.
		d := ids[0]
		inv := cfCLI(t, s, "create-invalidation", "--distribution-id", d, "--paths", "/index.html", "/img/*")
		iid := cfStr(inv, "Invalidation.Id")
		if !cfInvIDRE.MatchString(iid) || cfStr(inv, "Invalidation.Status") != "InProgress" ||
			cfStr(inv, "Location") != "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+d+"/invalidation/"+iid {
			t.Fatalf("create-invalidation = %s", cfJSON(inv))
		}
		if p := cfGet(inv, "Invalidation.InvalidationBatch.Paths.Items"); cfJSON(p) != `["/index.html","/img/*"]` {
			t.Errorf("paths = %s", cfJSON(p))
		}
		gi := cfCLI(t, s, "get-invalidation", "--distribution-id", d, "--id", iid)
		if cfStr(gi, "Invalidation.Id") != iid || cfStr(gi, "Invalidation.InvalidationBatch.CallerReference") != cfStr(inv, "Invalidation.InvalidationBatch.CallerReference") {
			t.Errorf("get-invalidation = %s", cfJSON(gi))
		}
		li := cfCLI(t, s, "list-invalidations", "--distribution-id", d)
		if items, _ := cfGet(li, "InvalidationList.Items").([]any); len(items) != 1 || cfStr(items[0], "Id") != iid {
			t.Errorf("list-invalidations = %s", cfJSON(li))
		}
		cfCLIErr(t, s, "NoSuchInvalidation", "GetInvalidation", "get-invalidation", "--distribution-id", d, "--id", "INOSUCHINVALID1")

		// Tags on another.
		arn := cfDistARN(ids[1])
		if out := cfCLI(t, s, "tag-resource", "--resource", arn, "--tags", "Items=[{Key=team,Value=edge},{Key=env,Value=test}]"); out != nil {
			t.Errorf("tag-resource printed %s", cfJSON(out))
		}
		cfCLI(t, s, "untag-resource", "--resource", arn, "--tag-keys", "Items=env")
		tags := cfCLI(t, s, "list-tags-for-resource", "--resource", arn)
		if got := cfJSON(cfGet(tags, "Tags.Items")); got != `[{"Key":"team","Value":"edge"}]` {
			t.Errorf("tags after untag = %s", got)
		}
		mu.Lock()
		invID, tagged = iid, arn
		mu.Unlock()
	}

	originAccessControls := func(t *testing.T) {
		out := cfCLI(t, s, "create-origin-access-control", "--origin-access-control-config",
			"Name=cli-oac,Description=first,SigningProtocol=sigv4,SigningBehavior=always,OriginAccessControlOriginType=s3")
		id, etag := cfStr(out, "OriginAccessControl.Id"), cfStr(out, "ETag")
		if !cfDistIDRE.MatchString(id) || !cfETagRE.MatchString(etag) || cfStr(out, "Location") != "https://cloudfront.amazonaws.com/2020-05-31/origin-access-control/"+id {
			t.Fatalf("create-origin-access-control = %s", cfJSON(out))
		}
		got := cfCLI(t, s, "get-origin-access-control", "--id", id)
		if cfStr(got, "ETag") != etag || cfStr(got, "OriginAccessControl.OriginAccessControlConfig.Name") != "cli-oac" {
			t.Errorf("get-origin-access-control = %s", cfJSON(got))
		}
		gc, err := cf.GetOriginAccessControlConfig(ctx(t), &cfsdk.GetOriginAccessControlConfigInput{Id: aws.String(id)})
		if err != nil || aws.ToString(gc.ETag) != etag || aws.ToString(gc.OriginAccessControlConfig.Description) != "first" {
			t.Errorf("GetOriginAccessControlConfig: %v %+v", err, gc)
		}
		upd := cfCLI(t, s, "update-origin-access-control", "--id", id, "--if-match", etag, "--origin-access-control-config",
			"Name=cli-oac,Description=second,SigningProtocol=sigv4,SigningBehavior=no-override,OriginAccessControlOriginType=s3")
		e2 := cfStr(upd, "ETag")
		if e2 == etag || cfStr(upd, "OriginAccessControl.OriginAccessControlConfig.SigningBehavior") != "no-override" {
			t.Errorf("update-origin-access-control = %s", cfJSON(upd))
		}
		list := cfCLI(t, s, "list-origin-access-controls")
		if items, _ := cfGet(list, "OriginAccessControlList.Items").([]any); len(items) != 1 || cfStr(items[0], "Id") != id || cfStr(items[0], "Description") != "second" {
			t.Errorf("list-origin-access-controls = %s", cfJSON(list))
		}
		_, err = cf.DeleteOriginAccessControl(ctx(t), &cfsdk.DeleteOriginAccessControlInput{Id: aws.String(id), IfMatch: aws.String(etag)})
		cfWantErr(t, "DeleteOriginAccessControl with a stale ETag", err, "PreconditionFailed", 412)
		cfCLI(t, s, "delete-origin-access-control", "--id", id, "--if-match", e2)
		_, err = cf.GetOriginAccessControl(ctx(t), &cfsdk.GetOriginAccessControlInput{Id: aws.String(id)})
		cfWantErr(t, "GetOriginAccessControl after delete", err, "NoSuchOriginAccessControl", 404)
		mu.Lock()
		oacID = id
		mu.Unlock()
	}

	keyValueStores := func(t *testing.T) {
		out := cfCLI(t, s, "create-key-value-store", "--name", "cli-store", "--comment", "first")
		arn, etag := cfStr(out, "KeyValueStore.ARN"), cfStr(out, "ETag")
		if !regexp.MustCompile(`^arn:aws:cloudfront::`+testAccount+`:key-value-store/[0-9a-f-]{36}$`).MatchString(arn) || !cfETagRE.MatchString(etag) {
			t.Fatalf("create-key-value-store = %s", cfJSON(out))
		}
		if cfStr(out, "Location") != "https://cloudfront.amazonaws.com/2020-05-31/key-value-store/cli-store" || cfStr(out, "KeyValueStore.Status") != "READY" {
			t.Errorf("create-key-value-store = %s", cfJSON(out))
		}
		d := cfCLI(t, s, "describe-key-value-store", "--name", "cli-store")
		if cfStr(d, "ETag") != etag || cfStr(d, "KeyValueStore.ARN") != arn || cfStr(d, "KeyValueStore.Comment") != "first" {
			t.Errorf("describe-key-value-store = %s", cfJSON(d))
		}
		u := cfCLI(t, s, "update-key-value-store", "--name", "cli-store", "--comment", "second", "--if-match", etag)
		e2 := cfStr(u, "ETag")
		if e2 == etag || cfStr(u, "KeyValueStore.Comment") != "second" {
			t.Errorf("update-key-value-store = %s", cfJSON(u))
		}
		_, err := cf.UpdateKeyValueStore(ctx(t), &cfsdk.UpdateKeyValueStoreInput{Name: aws.String("cli-store"), Comment: aws.String("x"), IfMatch: aws.String(etag)})
		cfWantErr(t, "UpdateKeyValueStore with a stale ETag", err, "PreconditionFailed", 412)
		l := cfCLI(t, s, "list-key-value-stores")
		if items, _ := cfGet(l, "KeyValueStoreList.Items").([]any); len(items) != 1 || cfStr(items[0], "Name") != "cli-store" || cfStr(items[0], "ARN") != arn {
			t.Errorf("list-key-value-stores = %s", cfJSON(l))
		}
		cfCLI(t, s, "delete-key-value-store", "--name", "cli-store", "--if-match", e2)
		_, err = cf.DescribeKeyValueStore(ctx(t), &cfsdk.DescribeKeyValueStoreInput{Name: aws.String("cli-store")})
		cfWantErr(t, "DescribeKeyValueStore after delete", err, "EntityNotFound", 404)
		mu.Lock()
		kvsARN = arn
		mu.Unlock()
	}

	errorsGroup := func(t *testing.T) {
		msg := cfCLIErr(t, s, "UnsupportedOperation", "ListCachePolicies", "list-cache-policies")
		t.Logf("list-cache-policies: %s", msg)
		_, err := cf.GetDistribution(ctx(t), &cfsdk.GetDistributionInput{Id: aws.String("ENOSUCHDISTRIB")})
		cfWantErr(t, "GetDistribution of an unknown id", err, "NoSuchDistribution", 404)
		_, err = cf.UpdateDistribution(ctx(t), &cfsdk.UpdateDistributionInput{Id: aws.String("ENOSUCHDISTRIB"), IfMatch: aws.String("E1"), DistributionConfig: cfSDKConfig("x", "x")})
		cfWantErr(t, "UpdateDistribution of an unknown id", err, "NoSuchDistribution", 404)

		// Malformed XML, signed correctly.
		status, body := cfRaw(t, s, http.MethodPost, "/2020-05-31/distribution",
			`<?xml version="1.0" encoding="UTF-8"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>x</CallerRef`)
		if status != http.StatusBadRequest || !strings.Contains(body, "<Code>MalformedXML</Code>") || !strings.Contains(body, "<ErrorResponse") {
			t.Errorf("malformed XML: %d %s", status, body)
		}
		// The wire: 201 with ETag and Location headers, then a 204 for the delete.
		const valid = `<?xml version="1.0" encoding="UTF-8"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">` +
			`<CallerReference>raw-1</CallerReference><Comment>raw</Comment><Enabled>false</Enabled>` +
			`<Origins><Quantity>1</Quantity><Items><Origin><Id>o1</Id><DomainName>origin.example.com</DomainName>` +
			`<CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>https-only</OriginProtocolPolicy></CustomOriginConfig>` +
			`</Origin></Items></Origins><DefaultCacheBehavior><TargetOriginId>o1</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>` +
			`<ForwardedValues><QueryString>false</QueryString><Cookies><Forward>none</Forward></Cookies></ForwardedValues><MinTTL>0</MinTTL>` +
			`</DefaultCacheBehavior></DistributionConfig>`
		resp := cfRawResp(t, s, http.MethodPost, "/2020-05-31/distribution", valid, "")
		id := regexp.MustCompile(`<Id>(E[A-Z0-9]{13})</Id>`).FindStringSubmatch(resp.body)
		if resp.status != http.StatusCreated || id == nil || !cfETagRE.MatchString(resp.header.Get("ETag")) ||
			resp.header.Get("Location") != "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+id[1] ||
			!strings.Contains(resp.body, `<Distribution xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">`) {
			t.Fatalf("raw CreateDistribution: %d %v %s", resp.status, resp.header, resp.body)
		}
		etag := cfWaitDeployed(t, cf, id[1], 15*time.Second)
		del := cfRawResp(t, s, http.MethodDelete, "/2020-05-31/distribution/"+id[1], "", etag)
		if del.status != http.StatusNoContent || del.body != "" {
			t.Errorf("raw DeleteDistribution: %d %q", del.status, del.body)
		}
		gone := cfRawResp(t, s, http.MethodGet, "/2020-05-31/distribution/"+id[1], "", "")
		if gone.status != http.StatusNotFound || !strings.Contains(gone.body, "<Code>NoSuchDistribution</Code>") {
			t.Errorf("raw GetDistribution of a deleted distribution: %d %s", gone.status, gone.body)
		}

		// Well-formed XML that misses a required member.
		status, body = cfRaw(t, s, http.MethodPost, "/2020-05-31/distribution",
			`<?xml version="1.0" encoding="UTF-8"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>x</CallerReference></DistributionConfig>`)
		if status != http.StatusBadRequest || !strings.Contains(body, "<Code>MalformedXML</Code>") {
			t.Errorf("config without required members: %d %s", status, body)
		}
	}

	var wg sync.WaitGroup
	for name, fn := range map[string]func(*testing.T){
		"distribution lifecycle":    distribution,
		"list invalidations tags":   listing,
		"origin access controls":    originAccessControls,
		"key value stores":          keyValueStores,
		"unsupported and malformed": errorsGroup,
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name, fn)
		}()
	}
	wg.Wait()
	if t.Failed() || distID == "" || oacID == "" || kvsARN == "" || invID == "" {
		t.FailNow()
	}

	t.Run("records", func(t *testing.T) {
		names := []string{"CreateDistribution", "GetDistribution", "GetDistributionConfig", "UpdateDistribution", "DeleteDistribution",
			"ListDistributions", "CreateInvalidation", "GetInvalidation", "ListInvalidations",
			"CreateOriginAccessControl", "GetOriginAccessControl", "GetOriginAccessControlConfig", "UpdateOriginAccessControl",
			"ListOriginAccessControls", "DeleteOriginAccessControl", "TagResource", "UntagResource", "ListTagsForResource",
			"CreateKeyValueStore", "DescribeKeyValueStore", "UpdateKeyValueStore", "ListKeyValueStores", "DeleteKeyValueStore",
			"ListCachePolicies"}
		byName := cfRecords(t, s, "cloudfront.amazonaws.com", names...)

		// Every record: global service recorded in us-east-1, management event, API version.
		for name, evs := range byName {
			readOnly := strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") || strings.HasPrefix(name, "Describe")
			for _, e := range evs {
				r := e.rec
				want := map[string]any{"eventSource": "cloudfront.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
					"apiVersion": "2020_05_31", "readOnly": readOnly, "managementEvent": true, "eventCategory": "Management",
					"eventType": "AwsApiCall", "recipientAccountId": testAccount}
				for k, v := range want {
					if r[k] != v {
						t.Errorf("%s record %s = %v, want %v", name, k, r[k], v)
					}
				}
				if aws.ToString(e.ev.ReadOnly) != fmt.Sprint(readOnly) {
					t.Errorf("%s LookupEvents ReadOnly = %s", name, aws.ToString(e.ev.ReadOnly))
				}
				if ua, _ := r["userAgent"].(string); ua == "" {
					t.Errorf("%s has no userAgent", name)
				}
			}
		}
		// Nothing of it in the signature's region.
		other := lookupAll(t, s.CloudTrail(s.Root(), cfCLIRegion), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("cloudfront.amazonaws.com")}}})
		if len(other) != 0 {
			t.Errorf("%s shows %d CloudFront events", cfCLIRegion, len(other))
		}

		distResource := func(e cfEvent, id string) {
			t.Helper()
			if len(e.ev.Resources) != 1 || aws.ToString(e.ev.Resources[0].ResourceType) != "AWS::CloudFront::Distribution" ||
				aws.ToString(e.ev.Resources[0].ResourceName) != cfDistARN(id) {
				t.Errorf("%s Resources = %s", aws.ToString(e.ev.EventName), cfJSON(e.ev.Resources))
			}
		}

		// CreateDistribution: the first one (the oldest success with its caller reference).
		var create cfEvent
		for _, e := range byName["CreateDistribution"] {
			if e.rec["errorCode"] == nil && cfStr(e.rec, "requestParameters.distributionConfig.callerReference") == "cli-ref-1" {
				create = e // newest first: the last match is the oldest
			}
		}
		if create.rec == nil {
			t.Fatal("no successful CreateDistribution record for cli-ref-1")
		}
		r := create.rec
		if got := cfStr(r, "requestParameters.distributionConfig.comment"); got != "HIDDEN_DUE_TO_SECURITY_REASONS" {
			t.Errorf("requestParameters.distributionConfig.comment = %q", got)
		}
		if got := cfStr(r, "responseElements.distribution.distributionConfig.comment"); got != "HIDDEN_DUE_TO_SECURITY_REASONS" {
			t.Errorf("responseElements.distribution.distributionConfig.comment = %q", got)
		}
		if strings.Contains(cfJSON(r), "comment one") {
			t.Errorf("the comment reached the record: %s", cfJSON(r))
		}
		if cfGet(r, "requestParameters.distributionConfig.enabled") != true || cfStr(r, "requestParameters.distributionConfig.origins.items.0.domainName") != "origin.example.com" {
			t.Errorf("requestParameters = %s", cfJSON(r["requestParameters"]))
		}
		if cfGet(r, "requestParameters.distributionConfig.origins.items.0.customOriginConfig.hTTPPort") != float64(80) {
			t.Errorf("member HTTPPort is not recorded as hTTPPort: %s", cfJSON(cfGet(r, "requestParameters.distributionConfig.origins")))
		}
		if cfStr(r, "responseElements.eTag") != etag1 || cfStr(r, "responseElements.location") != "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+distID {
			t.Errorf("responseElements eTag/location = %v / %v", cfGet(r, "responseElements.eTag"), cfGet(r, "responseElements.location"))
		}
		if cfStr(r, "responseElements.distribution.id") != distID || cfStr(r, "responseElements.distribution.aRN") != cfDistARN(distID) ||
			cfStr(r, "responseElements.distribution.status") != "InProgress" || cfStr(r, "responseElements.distribution.domainName") != cfStr(created, "Distribution.DomainName") {
			t.Errorf("responseElements.distribution = %s", cfJSON(cfGet(r, "responseElements.distribution")))
		}
		lmt := cfStr(r, "responseElements.distribution.lastModifiedTime")
		cliTime, err := time.Parse(time.RFC3339Nano, cfStr(created, "Distribution.LastModifiedTime"))
		if err != nil {
			t.Errorf("CLI LastModifiedTime %q: %v", cfStr(created, "Distribution.LastModifiedTime"), err)
		}
		if !cfRecordTimeRE.MatchString(lmt) || lmt != cliTime.UTC().Format(cfRecordTime) {
			t.Errorf("responseElements.distribution.lastModifiedTime = %q, want %q", lmt, cliTime.UTC().Format(cfRecordTime))
		}
		distResource(create, distID)
		if _, ok := r["tlsDetails"]; ok {
			t.Errorf("plain HTTP call has tlsDetails")
		}

		// The repeat returns the same distribution; the conflicting one is an error record.
		already := cfFind(t, byName, "CreateDistribution", "DistributionAlreadyExists", nil)
		if cfStr(already.rec, "requestParameters.distributionConfig.comment") != "HIDDEN_DUE_TO_SECURITY_REASONS" || already.rec["responseElements"] != nil {
			t.Errorf("DistributionAlreadyExists record = %s", cfJSON(already.rec))
		}
		if m, _ := already.rec["errorMessage"].(string); m == "" {
			t.Errorf("DistributionAlreadyExists record has no errorMessage")
		}
		cfFind(t, byName, "CreateDistribution", "MalformedXML", nil)

		// UpdateDistribution: success, missing and stale If-Match.
		upd := cfFind(t, byName, "UpdateDistribution", "", func(r map[string]any) bool { return cfStr(r, "requestParameters.ifMatch") == etag1 })
		if cfStr(upd.rec, "requestParameters.id") != distID || cfStr(upd.rec, "requestParameters.distributionConfig.comment") != "HIDDEN_DUE_TO_SECURITY_REASONS" {
			t.Errorf("UpdateDistribution requestParameters = %s", cfJSON(upd.rec["requestParameters"]))
		}
		if cfStr(upd.rec, "responseElements.eTag") != etag2 || cfStr(upd.rec, "responseElements.distribution.id") != distID {
			t.Errorf("UpdateDistribution responseElements eTag = %v, want %s", cfGet(upd.rec, "responseElements.eTag"), etag2)
		}
		if lmt := cfStr(upd.rec, "responseElements.distribution.lastModifiedTime"); !cfRecordTimeRE.MatchString(lmt) {
			t.Errorf("UpdateDistribution lastModifiedTime = %q", lmt)
		}
		distResource(upd, distID)
		missing := cfFind(t, byName, "UpdateDistribution", "InvalidIfMatchVersion", nil)
		if rp, _ := missing.rec["requestParameters"].(map[string]any); rp == nil || rp["ifMatch"] != nil || rp["id"] != distID {
			t.Errorf("InvalidIfMatchVersion record requestParameters = %s", cfJSON(missing.rec["requestParameters"]))
		}
		stale := cfFind(t, byName, "UpdateDistribution", "PreconditionFailed", func(r map[string]any) bool { return cfStr(r, "requestParameters.id") == distID })
		if cfStr(stale.rec, "requestParameters.ifMatch") != etag1 {
			t.Errorf("PreconditionFailed record ifMatch = %v", cfGet(stale.rec, "requestParameters.ifMatch"))
		}
		cfFind(t, byName, "UpdateDistribution", "", func(r map[string]any) bool {
			return cfStr(r, "requestParameters.ifMatch") == etag2 && cfGet(r, "requestParameters.distributionConfig.enabled") == false && cfStr(r, "responseElements.eTag") == etag3
		})
		cfFind(t, byName, "UpdateDistribution", "NoSuchDistribution", nil)

		// DeleteDistribution.
		cfFind(t, byName, "DeleteDistribution", "DistributionNotDisabled", nil)
		del := cfFind(t, byName, "DeleteDistribution", "", nil)
		if got := cfJSON(del.rec["requestParameters"]); got != fmt.Sprintf(`{"id":%q,"ifMatch":%q}`, distID, etag3) {
			t.Errorf("DeleteDistribution requestParameters = %s", got)
		}
		if del.rec["responseElements"] != nil {
			t.Errorf("DeleteDistribution responseElements = %v", del.rec["responseElements"])
		}
		distResource(del, distID)

		// Reads.
		get := cfFind(t, byName, "GetDistribution", "", func(r map[string]any) bool { return cfStr(r, "requestParameters.id") == distID })
		distResource(get, distID)
		cfFind(t, byName, "GetDistribution", "NoSuchDistribution", func(r map[string]any) bool { return cfStr(r, "requestParameters.id") == "ENOSUCHDISTRIB" })
		cfFind(t, byName, "GetDistribution", "NoSuchDistribution", func(r map[string]any) bool { return cfStr(r, "requestParameters.id") == distID })
		gc := cfFind(t, byName, "GetDistributionConfig", "", nil)
		if cfStr(gc.rec, "requestParameters.id") != distID {
			t.Errorf("GetDistributionConfig requestParameters = %s", cfJSON(gc.rec["requestParameters"]))
		}
		distResource(gc, distID)
		// The CLI's paginator: MaxItems 2, then the markers.
		cfFind(t, byName, "ListDistributions", "", func(r map[string]any) bool {
			return cfStr(r, "requestParameters.maxItems") == "2" && cfStr(r, "requestParameters.marker") == ""
		})
		cfFind(t, byName, "ListDistributions", "", func(r map[string]any) bool {
			return cfStr(r, "requestParameters.maxItems") == "2" && cfDistIDRE.MatchString(cfStr(r, "requestParameters.marker"))
		})

		// Invalidations.
		ci := cfFind(t, byName, "CreateInvalidation", "", nil)
		if cfStr(ci.rec, "responseElements.invalidation.id") != invID || cfJSON(cfGet(ci.rec, "requestParameters.invalidationBatch.paths.items")) != `["/index.html","/img/*"]` {
			t.Errorf("CreateInvalidation record = %s / %s", cfJSON(ci.rec["requestParameters"]), cfJSON(ci.rec["responseElements"]))
		}
		if ct := cfStr(ci.rec, "responseElements.invalidation.createTime"); !cfRecordTimeRE.MatchString(ct) {
			t.Errorf("createTime = %q", ct)
		}
		gi := cfFind(t, byName, "GetInvalidation", "", nil)
		if cfStr(gi.rec, "requestParameters.id") != invID || cfStr(gi.rec, "requestParameters.distributionId") == "" {
			t.Errorf("GetInvalidation requestParameters = %s", cfJSON(gi.rec["requestParameters"]))
		}
		cfFind(t, byName, "GetInvalidation", "NoSuchInvalidation", nil)

		// Origin access controls.
		oacARN := "arn:aws:cloudfront::" + testAccount + ":origin-access-control/" + oacID
		for _, n := range []string{"CreateOriginAccessControl", "GetOriginAccessControl", "UpdateOriginAccessControl", "DeleteOriginAccessControl"} {
			e := cfFind(t, byName, n, "", nil)
			if len(e.ev.Resources) != 1 || aws.ToString(e.ev.Resources[0].ResourceType) != "AWS::CloudFront::OriginAccessControl" || aws.ToString(e.ev.Resources[0].ResourceName) != oacARN {
				t.Errorf("%s Resources = %s", n, cfJSON(e.ev.Resources))
			}
		}
		co := cfFind(t, byName, "CreateOriginAccessControl", "", nil)
		if cfStr(co.rec, "requestParameters.originAccessControlConfig.name") != "cli-oac" || cfStr(co.rec, "responseElements.originAccessControl.id") != oacID || !cfETagRE.MatchString(cfStr(co.rec, "responseElements.eTag")) {
			t.Errorf("CreateOriginAccessControl record = %s / %s", cfJSON(co.rec["requestParameters"]), cfJSON(co.rec["responseElements"]))
		}
		uo := cfFind(t, byName, "UpdateOriginAccessControl", "", nil)
		if cfStr(uo.rec, "requestParameters.id") != oacID || !cfETagRE.MatchString(cfStr(uo.rec, "requestParameters.ifMatch")) {
			t.Errorf("UpdateOriginAccessControl requestParameters = %s", cfJSON(uo.rec["requestParameters"]))
		}
		cfFind(t, byName, "DeleteOriginAccessControl", "PreconditionFailed", nil)

		// Tagging.
		tr := cfFind(t, byName, "TagResource", "", nil)
		if cfStr(tr.rec, "requestParameters.resource") != tagged || cfJSON(cfGet(tr.rec, "requestParameters.tags.items")) != `[{"key":"team","value":"edge"},{"key":"env","value":"test"}]` {
			t.Errorf("TagResource requestParameters = %s", cfJSON(tr.rec["requestParameters"]))
		}
		ut := cfFind(t, byName, "UntagResource", "", nil)
		if cfJSON(cfGet(ut.rec, "requestParameters.tagKeys.items")) != `["env"]` {
			t.Errorf("UntagResource requestParameters = %s", cfJSON(ut.rec["requestParameters"]))
		}
		for _, e := range []cfEvent{tr, ut, cfFind(t, byName, "ListTagsForResource", "", nil)} {
			if len(e.ev.Resources) != 1 || aws.ToString(e.ev.Resources[0].ResourceName) != tagged {
				t.Errorf("%s Resources = %s", aws.ToString(e.ev.EventName), cfJSON(e.ev.Resources))
			}
		}

		// Key value stores (control plane).
		ck := cfFind(t, byName, "CreateKeyValueStore", "", nil)
		if cfStr(ck.rec, "requestParameters.name") != "cli-store" || cfStr(ck.rec, "responseElements.keyValueStore.aRN") != kvsARN ||
			!cfRecordTimeRE.MatchString(cfStr(ck.rec, "responseElements.keyValueStore.lastModifiedTime")) || !cfETagRE.MatchString(cfStr(ck.rec, "responseElements.eTag")) {
			t.Errorf("CreateKeyValueStore record = %s / %s", cfJSON(ck.rec["requestParameters"]), cfJSON(ck.rec["responseElements"]))
		}
		for _, n := range []string{"CreateKeyValueStore", "DescribeKeyValueStore", "UpdateKeyValueStore", "DeleteKeyValueStore"} {
			e := cfFind(t, byName, n, "", nil)
			if len(e.ev.Resources) != 1 || aws.ToString(e.ev.Resources[0].ResourceType) != "AWS::CloudFront::KeyValueStore" || aws.ToString(e.ev.Resources[0].ResourceName) != kvsARN {
				t.Errorf("%s Resources = %s", n, cfJSON(e.ev.Resources))
			}
		}
		uk := cfFind(t, byName, "UpdateKeyValueStore", "", nil)
		if cfStr(uk.rec, "requestParameters.name") != "cli-store" || !cfETagRE.MatchString(cfStr(uk.rec, "requestParameters.ifMatch")) {
			t.Errorf("UpdateKeyValueStore requestParameters = %s", cfJSON(uk.rec["requestParameters"]))
		}
		cfFind(t, byName, "UpdateKeyValueStore", "PreconditionFailed", nil)
		cfFind(t, byName, "DescribeKeyValueStore", "EntityNotFound", nil)

		// The unsupported operation is recorded as such.
		cfFind(t, byName, "ListCachePolicies", "UnsupportedOperation", nil)

		// The records by resource name.
		evs := lookupAll(t, s.CloudTrail(s.Root(), "us-east-1"), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String(cfDistARN(distID))}}})
		var seen []string
		for _, e := range evs {
			seen = append(seen, aws.ToString(e.EventName))
		}
		for _, n := range []string{"CreateDistribution", "GetDistribution", "GetDistributionConfig", "UpdateDistribution", "DeleteDistribution"} {
			if !strings.Contains(strings.Join(seen, ","), n) {
				t.Errorf("ResourceName=%s misses %s (has %v)", cfDistARN(distID), n, seen)
			}
		}
		evs = lookupAll(t, s.CloudTrail(s.Root(), "us-east-1"), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyResourceType, AttributeValue: aws.String("AWS::CloudFront::KeyValueStore")}}})
		if len(evs) < 4 {
			t.Errorf("ResourceType=AWS::CloudFront::KeyValueStore: %d events", len(evs))
		}
	})
}

// TestCloudFrontSDK covers with aws-sdk-go-v2 what the CLI test leaves out: explicit
// MaxItems/Marker paging, deletion while a disable is still deploying, CallerReference
// idempotency under concurrency, and 16 concurrent UpdateDistribution calls with the
// same ETag.
func TestCloudFrontSDK(t *testing.T) {
	t.Parallel()
	s := cfStartServer(t, false, "CAIRN_CLOUDFRONT_DEPLOY_DELAY=2s")
	cf := cfClient(s)

	t.Run("paging", func(t *testing.T) {
		var ids []string
		for i := range 5 {
			out, err := cf.CreateDistribution(ctx(t), &cfsdk.CreateDistributionInput{DistributionConfig: cfSDKConfig(fmt.Sprintf("page-%d", i), "paged")})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, aws.ToString(out.Distribution.Id))
		}
		sort.Strings(ids)
		var got []string
		var sizes []int
		in := &cfsdk.ListDistributionsInput{MaxItems: aws.Int32(2)}
		for {
			out, err := cf.ListDistributions(ctx(t), in)
			if err != nil {
				t.Fatal(err)
			}
			l := out.DistributionList
			if aws.ToInt32(l.MaxItems) != 2 || aws.ToInt32(l.Quantity) != int32(len(l.Items)) || aws.ToString(l.Marker) != aws.ToString(in.Marker) {
				t.Errorf("page: MaxItems %d Quantity %d (%d items) Marker %q", aws.ToInt32(l.MaxItems), aws.ToInt32(l.Quantity), len(l.Items), aws.ToString(l.Marker))
			}
			sizes = append(sizes, len(l.Items))
			for _, it := range l.Items {
				got = append(got, aws.ToString(it.Id))
			}
			if !aws.ToBool(l.IsTruncated) {
				if l.NextMarker != nil {
					t.Errorf("last page has NextMarker %q", aws.ToString(l.NextMarker))
				}
				break
			}
			if aws.ToString(l.NextMarker) != aws.ToString(l.Items[len(l.Items)-1].Id) {
				t.Errorf("NextMarker %q is not the page's last id", aws.ToString(l.NextMarker))
			}
			in.Marker = l.NextMarker
		}
		if fmt.Sprint(sizes) != "[2 2 1]" || fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Fatalf("pages %v: %v, want %v", sizes, got, ids)
		}
		// The SDK's paginator agrees.
		var n int
		p := cfsdk.NewListDistributionsPaginator(cf, &cfsdk.ListDistributionsInput{MaxItems: aws.Int32(3)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.DistributionList.Items)
		}
		if n != 5 {
			t.Errorf("paginator saw %d distributions", n)
		}
		// Invalidations page newest first.
		var invs []string
		for i := range 3 {
			out, err := cf.CreateInvalidation(ctx(t), &cfsdk.CreateInvalidationInput{DistributionId: aws.String(ids[0]), InvalidationBatch: &cftypes.InvalidationBatch{
				CallerReference: aws.String(fmt.Sprint("inv-", i)), Paths: &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{fmt.Sprintf("/p%d", i)}}}})
			if err != nil {
				t.Fatal(err)
			}
			invs = append(invs, aws.ToString(out.Invalidation.Id))
			time.Sleep(5 * time.Millisecond)
		}
		first, err := cf.ListInvalidations(ctx(t), &cfsdk.ListInvalidationsInput{DistributionId: aws.String(ids[0]), MaxItems: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		second, err := cf.ListInvalidations(ctx(t), &cfsdk.ListInvalidationsInput{DistributionId: aws.String(ids[0]), MaxItems: aws.Int32(2), Marker: first.InvalidationList.NextMarker})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, it := range append(first.InvalidationList.Items, second.InvalidationList.Items...) {
			order = append(order, aws.ToString(it.Id))
		}
		if !aws.ToBool(first.InvalidationList.IsTruncated) || aws.ToBool(second.InvalidationList.IsTruncated) || fmt.Sprint(order) != fmt.Sprint([]string{invs[2], invs[1], invs[0]}) {
			t.Errorf("invalidation pages %v, want newest first %v", order, invs)
		}
		// Same CallerReference and paths: the same invalidation; other paths: an error.
		again, err := cf.CreateInvalidation(ctx(t), &cfsdk.CreateInvalidationInput{DistributionId: aws.String(ids[0]), InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String("inv-0"), Paths: &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{"/p0"}}}})
		if err != nil || aws.ToString(again.Invalidation.Id) != invs[0] {
			t.Errorf("repeated CreateInvalidation: %v %v", err, again)
		}
		_, err = cf.CreateInvalidation(ctx(t), &cfsdk.CreateInvalidationInput{DistributionId: aws.String(ids[0]), InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String("inv-0"), Paths: &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{"/other"}}}})
		cfWantErr(t, "CreateInvalidation reusing a CallerReference", err, "InvalidationBatchAlreadyExists", 0)
		_, err = cf.ListInvalidations(ctx(t), &cfsdk.ListInvalidationsInput{DistributionId: aws.String("ENOSUCHDISTRIB")})
		cfWantErr(t, "ListInvalidations of an unknown distribution", err, "NoSuchDistribution", 404)
	})

	t.Run("delete while deploying", func(t *testing.T) {
		out, err := cf.CreateDistribution(ctx(t), &cfsdk.CreateDistributionInput{DistributionConfig: cfSDKConfig("deploying", "d")})
		if err != nil {
			t.Fatal(err)
		}
		id := out.Distribution.Id
		cfg := cfSDKConfig("deploying", "d")
		cfg.Enabled = aws.Bool(false)
		start := time.Now()
		upd, err := cf.UpdateDistribution(ctx(t), &cfsdk.UpdateDistributionInput{Id: id, IfMatch: out.ETag, DistributionConfig: cfg})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cf.DeleteDistribution(ctx(t), &cfsdk.DeleteDistributionInput{Id: id, IfMatch: upd.ETag})
		if time.Since(start) < 2*time.Second {
			cfWantErr(t, "DeleteDistribution of a disabled distribution still InProgress", err, "DistributionNotDisabled", 409)
		} else {
			t.Logf("machine too slow to see the InProgress state (%v)", time.Since(start))
		}
		etag := cfWaitDeployed(t, cf, aws.ToString(id), 15*time.Second)
		if _, err := cf.DeleteDistribution(ctx(t), &cfsdk.DeleteDistributionInput{Id: id, IfMatch: aws.String(etag)}); err != nil {
			t.Fatalf("DeleteDistribution after Deployed: %v", err)
		}
		// The CallerReference is free again.
		re, err := cf.CreateDistribution(ctx(t), &cfsdk.CreateDistributionInput{DistributionConfig: cfSDKConfig("deploying", "d")})
		if err != nil || aws.ToString(re.Distribution.Id) == aws.ToString(id) {
			t.Fatalf("CreateDistribution reusing a deleted distribution's CallerReference: %v", err)
		}
		_, err = cf.DeleteDistribution(ctx(t), &cfsdk.DeleteDistributionInput{Id: re.Distribution.Id})
		cfWantErr(t, "DeleteDistribution without If-Match", err, "InvalidIfMatchVersion", 400)
	})

	t.Run("concurrent creates with one CallerReference", func(t *testing.T) {
		const n = 8
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := cf.CreateDistribution(context.Background(), &cfsdk.CreateDistributionInput{DistributionConfig: cfSDKConfig("same-ref", "same")})
				errs[i] = err
				if err == nil {
					ids[i] = aws.ToString(out.Distribution.Id)
				}
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("create %d: %v, id %s (first %s)", i, errs[i], ids[i], ids[0])
			}
		}
	})

	t.Run("16 concurrent updates with one ETag", func(t *testing.T) {
		out, err := cf.CreateDistribution(ctx(t), &cfsdk.CreateDistributionInput{DistributionConfig: cfSDKConfig("race", "start")})
		if err != nil {
			t.Fatal(err)
		}
		id, etag := out.Distribution.Id, out.ETag
		const n = 16
		results := make([]*cfsdk.UpdateDistributionOutput, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		startGate := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-startGate
				results[i], errs[i] = cf.UpdateDistribution(context.Background(), &cfsdk.UpdateDistributionInput{
					Id: id, IfMatch: etag, DistributionConfig: cfSDKConfig("race", fmt.Sprintf("writer-%d", i))})
			}()
		}
		close(startGate)
		wg.Wait()
		winner := -1
		for i := range n {
			switch {
			case errs[i] == nil:
				if winner >= 0 {
					t.Errorf("writers %d and %d both succeeded", winner, i)
				}
				winner = i
			case cfCode(errs[i]) != "PreconditionFailed" || cfStatus(errs[i]) != 412:
				t.Errorf("writer %d: %v, want PreconditionFailed (412)", i, errs[i])
			}
		}
		if winner < 0 {
			t.Fatalf("no writer succeeded: %v", errs)
		}
		final, err := cf.GetDistributionConfig(ctx(t), &cfsdk.GetDistributionConfigInput{Id: id})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(final.ETag) != aws.ToString(results[winner].ETag) || aws.ToString(final.DistributionConfig.Comment) != fmt.Sprintf("writer-%d", winner) {
			t.Errorf("final state ETag %s comment %q, want the winner's %s writer-%d",
				aws.ToString(final.ETag), aws.ToString(final.DistributionConfig.Comment), aws.ToString(results[winner].ETag), winner)
		}
		// The records: one success and fifteen PreconditionFailed.
		byName := cfRecords(t, s, "cloudfront.amazonaws.com", "UpdateDistribution")
		deadline := time.Now().Add(5 * time.Second)
		for {
			ok, failed := 0, 0
			for _, e := range byName["UpdateDistribution"] {
				if cfStr(e.rec, "requestParameters.id") != aws.ToString(id) {
					continue
				}
				switch e.rec["errorCode"] {
				case nil:
					ok++
				case "PreconditionFailed":
					failed++
				}
			}
			if ok == 1 && failed == n-1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("records: %d successes, %d PreconditionFailed; want 1 and %d", ok, failed, n-1)
			}
			time.Sleep(100 * time.Millisecond)
			byName = cfRecords(t, s, "cloudfront.amazonaws.com", "UpdateDistribution")
		}
	})
}
