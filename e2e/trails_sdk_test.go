//go:build e2e

package e2e

// End-to-end tests of the trail control plane through aws-sdk-go-v2 (helpers in
// trails_test.go).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func TestTrailsSDK(t *testing.T) {
	t.Parallel()
	// The trails name SNS topics, which must be notification targets configured in Cairn:
	// a webhook that accepts every notification.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)
	s := StartServer(t, "CAIRN_NOTIFICATION_TARGETS=trail-topic="+hook.URL+",other-topic="+hook.URL)
	const region = "us-east-1"
	s.Bucket(t, "sdk-bucket", "other-bucket")
	ct := s.CloudTrail(s.Root(), region)
	arn := func(name string) string { return trARN(region, name) }
	creates := 0 // CreateTrail calls sent, for the Event history count
	create := func(in *cloudtrail.CreateTrailInput) (*cloudtrail.CreateTrailOutput, error) {
		creates++
		return ct.CreateTrail(ctx(t), in)
	}

	t.Run("CreateTrail defaults", func(t *testing.T) {
		out, err := create(&cloudtrail.CreateTrailInput{Name: aws.String("sdk-trail"), S3BucketName: aws.String("sdk-bucket")})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "CreateTrail", out, `{"Name":"sdk-trail","S3BucketName":"sdk-bucket","IncludeGlobalServiceEvents":true,`+
			`"IsMultiRegionTrail":false,"TrailARN":"`+arn("sdk-trail")+`","LogFileValidationEnabled":false,"IsOrganizationTrail":false}`)
	})

	fullJSON := `{"Name":"sdk-full","S3BucketName":"sdk-bucket","S3KeyPrefix":"logs/prefix","SnsTopicName":"trail-topic",` +
		`"SnsTopicARN":"arn:aws:sns:us-east-1:111122223333:trail-topic","IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":false,` +
		`"TrailARN":"` + arn("sdk-full") + `","LogFileValidationEnabled":true,` +
		`"CloudWatchLogsLogGroupArn":"arn:aws:logs:us-east-1:111122223333:log-group:trail-group:*",` +
		`"CloudWatchLogsRoleArn":"arn:aws:iam::111122223333:role/CloudTrail_CWLogs",` +
		`"KmsKeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","IsOrganizationTrail":false`
	t.Run("CreateTrail with every option", func(t *testing.T) {
		out, err := create(&cloudtrail.CreateTrailInput{
			Name: aws.String("sdk-full"), S3BucketName: aws.String("sdk-bucket"), S3KeyPrefix: aws.String("logs/prefix"),
			SnsTopicName: aws.String("trail-topic"), EnableLogFileValidation: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true),
			CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:111122223333:log-group:trail-group:*"),
			CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::111122223333:role/CloudTrail_CWLogs"),
			KmsKeyId:                  aws.String("1234abcd-12ab-34cd-56ef-1234567890ab"), // AWS reports the key ARN
			TagsList:                  []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("audit")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "CreateTrail", out, fullJSON+`}`)
	})
	if t.Failed() {
		t.FailNow()
	}

	trailJSON := `{"Name":"sdk-trail","S3BucketName":"sdk-bucket","IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":false,` +
		`"HomeRegion":"us-east-1","TrailARN":"` + arn("sdk-trail") + `","LogFileValidationEnabled":false,` +
		`"HasCustomEventSelectors":false,"HasInsightSelectors":false,"IsOrganizationTrail":false}`
	fullTrailJSON := fullJSON + `,"HomeRegion":"us-east-1","HasCustomEventSelectors":false,"HasInsightSelectors":false}`

	t.Run("GetTrail by name and by ARN", func(t *testing.T) {
		for _, ref := range []string{"sdk-trail", arn("sdk-trail")} {
			out, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String(ref)})
			if err != nil {
				t.Fatal(err)
			}
			trEq(t, "GetTrail "+ref, out, `{"Trail":`+trailJSON+`}`)
		}
		out, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-full")})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "GetTrail sdk-full", out, `{"Trail":`+fullTrailJSON+`}`)
	})

	t.Run("DescribeTrails", func(t *testing.T) {
		all := []string{"sdk-full@us-east-1", "sdk-trail@us-east-1"}
		for _, in := range []*cloudtrail.DescribeTrailsInput{
			{},
			{TrailNameList: []string{}},
			{IncludeShadowTrails: aws.Bool(false)},
			{IncludeShadowTrails: aws.Bool(true)},
		} {
			out, err := ct.DescribeTrails(ctx(t), in)
			if err != nil {
				t.Fatal(err)
			}
			if got := trSortedNames(out.TrailList); !reflect.DeepEqual(got, all) {
				t.Errorf("DescribeTrails %s: %v, want %v", trJSON(in), got, all)
			}
		}
		// Names that match nothing are left out; a name and an ARN may be mixed.
		out, err := ct.DescribeTrails(ctx(t), &cloudtrail.DescribeTrailsInput{
			TrailNameList: []string{"sdk-trail", "no-such-trail", arn("ghost-trail"), arn("sdk-full")}})
		if err != nil {
			t.Fatal(err)
		}
		if got := trSortedNames(out.TrailList); !reflect.DeepEqual(got, all) {
			t.Errorf("DescribeTrails with unknown names: %v, want %v", got, all)
		}
		for _, tr := range out.TrailList {
			want := trailJSON
			if aws.ToString(tr.Name) == "sdk-full" {
				want = fullTrailJSON
			}
			trEq(t, "DescribeTrails entry", tr, want)
		}
		out, err = ct.DescribeTrails(ctx(t), &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"no-such-trail"}})
		if err != nil {
			t.Fatal(err)
		}
		if out.TrailList == nil || len(out.TrailList) != 0 {
			t.Errorf("DescribeTrails of an unknown name: trailList %#v, want []", out.TrailList)
		}
	})

	t.Run("ListTrails", func(t *testing.T) {
		out, err := ct.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "ListTrails", trSortTrailInfo(out.Trails), `[`+
			`{"TrailARN":"`+arn("sdk-full")+`","Name":"sdk-full","HomeRegion":"us-east-1"},`+
			`{"TrailARN":"`+arn("sdk-trail")+`","Name":"sdk-trail","HomeRegion":"us-east-1"}]`)
	})

	t.Run("UpdateTrail", func(t *testing.T) {
		out, err := ct.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String("sdk-trail"),
			S3KeyPrefix: aws.String("updated"), EnableLogFileValidation: aws.Bool(true),
			SnsTopicName: aws.String("other-topic")})
		if err != nil {
			t.Fatal(err)
		}
		upd := `"Name":"sdk-trail","S3KeyPrefix":"updated","SnsTopicName":"other-topic",` +
			`"SnsTopicARN":"arn:aws:sns:us-east-1:111122223333:other-topic","IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":false,` +
			`"TrailARN":"` + arn("sdk-trail") + `","LogFileValidationEnabled":true,"IsOrganizationTrail":false`
		trEq(t, "UpdateTrail by name", out, `{"S3BucketName":"sdk-bucket",`+upd+`}`)
		out, err = ct.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String(arn("sdk-trail")), S3BucketName: aws.String("other-bucket")})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "UpdateTrail by ARN", out, `{"S3BucketName":"other-bucket",`+upd+`}`)
		got, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "GetTrail after UpdateTrail", got, `{"Trail":{"S3BucketName":"other-bucket",`+upd+
			`,"HomeRegion":"us-east-1","HasCustomEventSelectors":false,"HasInsightSelectors":false}}`)
		// A multi-Region trail must include global service events, also by update.
		_, err = ct.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String("sdk-trail"),
			IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(false)})
		trWantErr[*types.InvalidParameterCombinationException](t, "UpdateTrail multi-Region without global events", err)
		_, err = ct.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String("sdk-trail"), S3BucketName: aws.String("Bad_Bucket")})
		trWantErr[*types.InvalidS3BucketNameException](t, "UpdateTrail with a bad bucket name", err)
		_, err = ct.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String("sdk-trail"), S3KeyPrefix: aws.String(strings.Repeat("x", 201))})
		trWantErr[*types.InvalidS3PrefixException](t, "UpdateTrail with a 201-character prefix", err)
		again, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "GetTrail after failed updates (unchanged)", again, trJSON(got))
	})

	t.Run("StartLogging StopLogging GetTrailStatus", func(t *testing.T) {
		st, err := ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(st.IsLogging) || st.StartLoggingTime != nil || st.StopLoggingTime != nil || aws.ToString(st.TimeLoggingStarted) != "" {
			t.Errorf("GetTrailStatus of a new trail: %s", trJSON(st))
		}
		if _, err := ct.StartLogging(ctx(t), &cloudtrail.StartLoggingInput{Name: aws.String("sdk-trail")}); err != nil {
			t.Fatal(err)
		}
		st, err = ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String(arn("sdk-trail"))})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(st.IsLogging) || st.StartLoggingTime == nil || st.StopLoggingTime != nil {
			t.Fatalf("GetTrailStatus after StartLogging: %s", trJSON(st))
		}
		start := *st.StartLoggingTime
		trCheckStatusTime(t, "StartLoggingTime", float64(start.Unix()), aws.ToString(st.TimeLoggingStarted))
		// Starting again changes nothing.
		if _, err := ct.StartLogging(ctx(t), &cloudtrail.StartLoggingInput{Name: aws.String(arn("sdk-trail"))}); err != nil {
			t.Fatal(err)
		}
		st, err = ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(st.IsLogging) || !st.StartLoggingTime.Equal(start) {
			t.Errorf("GetTrailStatus after a second StartLogging: %s (start was %v)", trJSON(st), start)
		}
		if _, err := ct.StopLogging(ctx(t), &cloudtrail.StopLoggingInput{Name: aws.String("sdk-trail")}); err != nil {
			t.Fatal(err)
		}
		st, err = ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(st.IsLogging) || st.StopLoggingTime == nil || !st.StartLoggingTime.Equal(start) || st.StopLoggingTime.Before(start) {
			t.Fatalf("GetTrailStatus after StopLogging: %s", trJSON(st))
		}
		trCheckStatusTime(t, "StopLoggingTime", float64(st.StopLoggingTime.Unix()), aws.ToString(st.TimeLoggingStopped))
		// The other trail was never started.
		st, err = ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String("sdk-full")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(st.IsLogging) || st.StartLoggingTime != nil {
			t.Errorf("GetTrailStatus of sdk-full: %s", trJSON(st))
		}
	})

	t.Run("event selectors", func(t *testing.T) {
		get := func() *cloudtrail.GetEventSelectorsOutput {
			t.Helper()
			out, err := ct.GetEventSelectors(ctx(t), &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("sdk-trail")})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		trEqLoose(t, "default GetEventSelectors", get(), `{"TrailARN":"`+arn("sdk-trail")+`","EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true}]}`)
		if out := get(); len(out.AdvancedEventSelectors) != 0 {
			t.Errorf("default selectors have AdvancedEventSelectors %s", trJSON(out.AdvancedEventSelectors))
		}

		basic := []types.EventSelector{
			{ReadWriteType: types.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(false), DataResources: []types.DataResource{
				{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::sdk-bucket/", "arn:aws:s3:::other-bucket/logs"}},
				{Type: aws.String("AWS::Lambda::Function"), Values: []string{"arn:aws:lambda"}},
			}},
			{ReadWriteType: types.ReadWriteTypeReadOnly, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}},
		}
		basicJSON := `[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":false,"DataResources":[` +
			`{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::sdk-bucket/","arn:aws:s3:::other-bucket/logs"]},` +
			`{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}]},` +
			`{"ReadWriteType":"ReadOnly","IncludeManagementEvents":true,"ExcludeManagementEventSources":["kms.amazonaws.com"]}]`
		put, err := ct.PutEventSelectors(ctx(t), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("sdk-trail"), EventSelectors: basic})
		if err != nil {
			t.Fatal(err)
		}
		trEqLoose(t, "PutEventSelectors basic", put, `{"TrailARN":"`+arn("sdk-trail")+`","EventSelectors":`+basicJSON+`}`)
		trEqLoose(t, "GetEventSelectors after basic", get(), `{"TrailARN":"`+arn("sdk-trail")+`","EventSelectors":`+basicJSON+`}`)
		tr, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(tr.Trail.HasCustomEventSelectors) {
			t.Errorf("GetTrail after PutEventSelectors: HasCustomEventSelectors = %v, want true", tr.Trail.HasCustomEventSelectors)
		}

		adv := []types.AdvancedEventSelector{
			{Name: aws.String("Log all S3 data of one bucket"), FieldSelectors: []types.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
				{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
				{Field: aws.String("resources.ARN"), StartsWith: []string{"arn:aws:s3:::sdk-bucket/"}},
			}},
			{Name: aws.String("Management writes"), FieldSelectors: []types.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
				{Field: aws.String("readOnly"), Equals: []string{"false"}},
			}},
		}
		advJSON := `[{"Name":"Log all S3 data of one bucket","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},` +
			`{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::sdk-bucket/"]}]},` +
			`{"Name":"Management writes","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["false"]}]}]`
		aput, err := ct.PutEventSelectors(ctx(t), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(arn("sdk-trail")), AdvancedEventSelectors: adv})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "PutEventSelectors advanced", aput, `{"TrailARN":"`+arn("sdk-trail")+`","AdvancedEventSelectors":`+advJSON+`}`)
		trEq(t, "GetEventSelectors after advanced (basic ones gone)", get(), `{"TrailARN":"`+arn("sdk-trail")+`","AdvancedEventSelectors":`+advJSON+`}`)

		// And back to basic: the advanced selectors are gone.
		put, err = ct.PutEventSelectors(ctx(t), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("sdk-trail"),
			EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}}})
		if err != nil {
			t.Fatal(err)
		}
		back := `{"TrailARN":"` + arn("sdk-trail") + `","EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true}]}`
		trEqLoose(t, "PutEventSelectors back to basic", put, back)
		g := get()
		trEqLoose(t, "GetEventSelectors back to basic", g, back)
		if len(g.AdvancedEventSelectors) != 0 {
			t.Errorf("advanced selectors survived a basic put: %s", trJSON(g.AdvancedEventSelectors))
		}
		tr, err = ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(tr.Trail.HasCustomEventSelectors) {
			t.Errorf("HasCustomEventSelectors went back to false")
		}
	})

	t.Run("insight selectors", func(t *testing.T) {
		_, err := ct.GetInsightSelectors(ctx(t), &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("sdk-trail")})
		trWantErr[*types.InsightNotEnabledException](t, "GetInsightSelectors before any put", err)
		types_ := func(sels []types.InsightSelector) []string {
			var out []string
			for _, s := range sels {
				out = append(out, string(s.InsightType))
			}
			return out
		}
		putGet := func(want []string, in ...types.InsightType) {
			t.Helper()
			sels := []types.InsightSelector{}
			for _, it := range in {
				sels = append(sels, types.InsightSelector{InsightType: it})
			}
			put, err := ct.PutInsightSelectors(ctx(t), &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("sdk-trail"), InsightSelectors: sels})
			if err != nil {
				t.Fatalf("PutInsightSelectors %v: %v", in, err)
			}
			if aws.ToString(put.TrailARN) != arn("sdk-trail") || !reflect.DeepEqual(types_(put.InsightSelectors), want) {
				t.Errorf("PutInsightSelectors %v: %s", in, trJSON(put))
			}
			get, err := ct.GetInsightSelectors(ctx(t), &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("sdk-trail")})
			if err != nil {
				t.Fatalf("GetInsightSelectors after put %v: %v", in, err)
			}
			if aws.ToString(get.TrailARN) != arn("sdk-trail") || !reflect.DeepEqual(types_(get.InsightSelectors), want) {
				t.Errorf("GetInsightSelectors after put %v: %s, want types %v", in, trJSON(get), want)
			}
		}
		putGet([]string{"ApiCallRateInsight"}, types.InsightTypeApiCallRateInsight)
		putGet([]string{"ApiErrorRateInsight"}, types.InsightTypeApiErrorRateInsight) // replaces, never appends
		putGet([]string{"ApiCallRateInsight", "ApiErrorRateInsight"}, types.InsightTypeApiCallRateInsight, types.InsightTypeApiErrorRateInsight)
		putGet([]string{"ApiCallRateInsight", "ApiErrorRateInsight"}, types.InsightTypeApiCallRateInsight, types.InsightTypeApiErrorRateInsight)
		tr, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(tr.Trail.HasInsightSelectors) {
			t.Errorf("GetTrail: HasInsightSelectors = false after PutInsightSelectors")
		}
		_, err = ct.PutInsightSelectors(ctx(t), &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("sdk-trail"),
			InsightSelectors: []types.InsightSelector{{InsightType: "NotAnInsight"}}})
		trWantErr[*types.InvalidInsightSelectorsException](t, "PutInsightSelectors with an unknown InsightType", err)

		// An empty list turns Insights off.
		put, err := ct.PutInsightSelectors(ctx(t), &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("sdk-trail"), InsightSelectors: []types.InsightSelector{}})
		if err != nil {
			t.Fatal(err)
		}
		if len(put.InsightSelectors) != 0 {
			t.Errorf("PutInsightSelectors []: %s", trJSON(put))
		}
		_, err = ct.GetInsightSelectors(ctx(t), &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("sdk-trail")})
		trWantErr[*types.InsightNotEnabledException](t, "GetInsightSelectors after disabling", err)
		tr, err = ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(tr.Trail.HasInsightSelectors) {
			t.Errorf("GetTrail: HasInsightSelectors = true after disabling Insights")
		}
	})

	t.Run("tags", func(t *testing.T) {
		list := func(ids ...string) *cloudtrail.ListTagsOutput {
			t.Helper()
			out, err := ct.ListTags(ctx(t), &cloudtrail.ListTagsInput{ResourceIdList: ids})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		full, trail := arn("sdk-full"), arn("sdk-trail")
		trEqLoose(t, "ListTags", trSortTags(list(full, trail)), `{"ResourceTagList":[`+
			`{"ResourceId":"`+full+`","TagsList":[{"Key":"env","Value":"prod"},{"Key":"team","Value":"audit"}]},`+
			`{"ResourceId":"`+trail+`"}]}`)
		tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
		if _, err := ct.AddTags(ctx(t), &cloudtrail.AddTagsInput{ResourceId: aws.String(full),
			TagsList: []types.Tag{tag("team", "security"), tag("cost-center", "42")}}); err != nil {
			t.Fatal(err)
		}
		trEq(t, "ListTags after AddTags (overwrite + add)", trSortTags(list(full)), `{"ResourceTagList":[`+
			`{"ResourceId":"`+full+`","TagsList":[{"Key":"cost-center","Value":"42"},{"Key":"env","Value":"prod"},{"Key":"team","Value":"security"}]}]}`)
		if _, err := ct.RemoveTags(ctx(t), &cloudtrail.RemoveTagsInput{ResourceId: aws.String(full),
			TagsList: []types.Tag{{Key: aws.String("env")}, {Key: aws.String("not-there")}}}); err != nil {
			t.Fatal(err)
		}
		want := `{"ResourceTagList":[{"ResourceId":"` + full + `","TagsList":[{"Key":"cost-center","Value":"42"},{"Key":"team","Value":"security"}]}]}`
		trEq(t, "ListTags after RemoveTags", trSortTags(list(full)), want)

		// 2 tags + 48 new ones = 50, the limit; one more is refused and changes nothing.
		var many []types.Tag
		for i := range 48 {
			many = append(many, tag(fmt.Sprintf("key-%02d", i), "v"))
		}
		if _, err := ct.AddTags(ctx(t), &cloudtrail.AddTagsInput{ResourceId: aws.String(full), TagsList: many}); err != nil {
			t.Fatalf("AddTags up to 50 tags: %v", err)
		}
		if n := len(list(full).ResourceTagList[0].TagsList); n != 50 {
			t.Errorf("ListTags: %d tags, want 50", n)
		}
		_, err := ct.AddTags(ctx(t), &cloudtrail.AddTagsInput{ResourceId: aws.String(full), TagsList: []types.Tag{tag("one-too-many", "v")}})
		trWantErr[*types.TagsLimitExceededException](t, "AddTags of a 51st tag", err)
		// Overwriting an existing key at the limit is fine.
		if _, err := ct.AddTags(ctx(t), &cloudtrail.AddTagsInput{ResourceId: aws.String(full), TagsList: []types.Tag{tag("team", "ops")}}); err != nil {
			t.Errorf("AddTags overwriting a key at 50 tags: %v", err)
		}
		got := list(full).ResourceTagList[0].TagsList
		team := ""
		for _, tg := range got {
			if aws.ToString(tg.Key) == "team" {
				team = aws.ToString(tg.Value)
			}
		}
		if len(got) != 50 || team != "ops" {
			t.Errorf("ListTags after the refused AddTags: %d tags, team=%q; want 50, ops", len(got), team)
		}

		var fiftyOne []types.Tag
		for i := range 51 {
			fiftyOne = append(fiftyOne, tag(fmt.Sprintf("key-%02d", i), "v"))
		}
		_, err = create(&cloudtrail.CreateTrailInput{Name: aws.String("too-many-tags"), S3BucketName: aws.String("sdk-bucket"), TagsList: fiftyOne})
		trWantErr[*types.TagsLimitExceededException](t, "CreateTrail with 51 tags", err)
		_, err = ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("too-many-tags")})
		trWantErr[*types.TrailNotFoundException](t, "GetTrail of the trail refused for its tags", err)

		_, err = ct.AddTags(ctx(t), &cloudtrail.AddTagsInput{ResourceId: aws.String(arn("no-such-trail")), TagsList: []types.Tag{tag("a", "b")}})
		trWantErr[*types.ResourceNotFoundException](t, "AddTags on an unknown trail", err)
		_, err = ct.RemoveTags(ctx(t), &cloudtrail.RemoveTagsInput{ResourceId: aws.String(arn("no-such-trail")), TagsList: []types.Tag{{Key: aws.String("a")}}})
		trWantErr[*types.ResourceNotFoundException](t, "RemoveTags on an unknown trail", err)
		_, err = ct.ListTags(ctx(t), &cloudtrail.ListTagsInput{ResourceIdList: []string{full, arn("no-such-trail")}})
		trWantErr[*types.ResourceNotFoundException](t, "ListTags of an unknown trail", err)
		_, err = ct.ListTags(ctx(t), &cloudtrail.ListTagsInput{ResourceIdList: []string{"not-an-arn"}})
		trWantErr[*types.CloudTrailARNInvalidException](t, "ListTags of a malformed ARN", err)
	})

	t.Run("errors", func(t *testing.T) {
		_, err := create(&cloudtrail.CreateTrailInput{Name: aws.String("sdk-trail"), S3BucketName: aws.String("sdk-bucket")})
		trWantErr[*types.TrailAlreadyExistsException](t, "CreateTrail of an existing name", err)

		for _, name := range []string{"ab", "bad name!", "trail/slash", "my--trail", "my._trail", "a_-b", "-leading", "trailing_", "192.168.10.1", strings.Repeat("n", 129)} {
			_, err := create(&cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("sdk-bucket")})
			trWantErr[*types.InvalidTrailNameException](t, "CreateTrail "+name, err)
		}
		_, err = ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("ab")})
		trWantErr[*types.InvalidTrailNameException](t, "GetTrail ab", err)
		_, err = ct.DeleteTrail(ctx(t), &cloudtrail.DeleteTrailInput{Name: aws.String("bad name")})
		trWantErr[*types.InvalidTrailNameException](t, "DeleteTrail 'bad name'", err)

		for _, ref := range []string{
			"arn:aws:cloudtrail:us-east-1:111122223333:trail",          // no name
			"arn:aws:cloudtrail:us-east-1:111122223333:user/sdk-trail", // not a trail
			"arn:aws:cloudtrail:us-east-1:1111:trail/sdk-trail",        // bad account
			"arn:aws:cloudtrail",      // truncated
			"arn:aws:s3:::sdk-bucket", // another service
		} {
			_, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String(ref)})
			trWantErr[*types.CloudTrailARNInvalidException](t, "GetTrail "+ref, err)
		}
		_, err = ct.StartLogging(ctx(t), &cloudtrail.StartLoggingInput{Name: aws.String("arn:aws:cloudtrail:us-east-1:111122223333:trail")})
		trWantErr[*types.CloudTrailARNInvalidException](t, "StartLogging of a malformed ARN", err)
		_, err = ct.DescribeTrails(ctx(t), &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"sdk-trail", "arn:aws:cloudtrail:bad"}})
		trWantErr[*types.CloudTrailARNInvalidException](t, "DescribeTrails with a malformed ARN", err)

		for _, ref := range []string{"no-such-trail", arn("no-such-trail"), trOtherAccountARN(region, "sdk-trail")} {
			_, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String(ref)})
			trWantErr[*types.TrailNotFoundException](t, "GetTrail "+ref, err)
			_, err = ct.DeleteTrail(ctx(t), &cloudtrail.DeleteTrailInput{Name: aws.String(ref)})
			trWantErr[*types.TrailNotFoundException](t, "DeleteTrail "+ref, err)
			_, err = ct.StartLogging(ctx(t), &cloudtrail.StartLoggingInput{Name: aws.String(ref)})
			trWantErr[*types.TrailNotFoundException](t, "StartLogging "+ref, err)
			_, err = ct.StopLogging(ctx(t), &cloudtrail.StopLoggingInput{Name: aws.String(ref)})
			trWantErr[*types.TrailNotFoundException](t, "StopLogging "+ref, err)
			_, err = ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String(ref)})
			trWantErr[*types.TrailNotFoundException](t, "GetTrailStatus "+ref, err)
			_, err = ct.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String(ref), S3KeyPrefix: aws.String("x")})
			trWantErr[*types.TrailNotFoundException](t, "UpdateTrail "+ref, err)
			_, err = ct.GetEventSelectors(ctx(t), &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(ref)})
			trWantErr[*types.TrailNotFoundException](t, "GetEventSelectors "+ref, err)
			_, err = ct.PutEventSelectors(ctx(t), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(ref),
				EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll}}})
			trWantErr[*types.TrailNotFoundException](t, "PutEventSelectors "+ref, err)
			_, err = ct.GetInsightSelectors(ctx(t), &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String(ref)})
			trWantErr[*types.TrailNotFoundException](t, "GetInsightSelectors "+ref, err)
		}
		// The other account's ARN did not reach this account's trail.
		st, err := ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(st.IsLogging) {
			t.Errorf("StartLogging with another account's ARN started sdk-trail")
		}

		_, err = create(&cloudtrail.CreateTrailInput{Name: aws.String("multi-no-global"), S3BucketName: aws.String("sdk-bucket"),
			IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(false)})
		trWantErr[*types.InvalidParameterCombinationException](t, "CreateTrail multi-Region without global events", err)
		_, err = ct.PutEventSelectors(ctx(t), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("sdk-trail"),
			EventSelectors:         []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll}},
			AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}})
		// The model lists no InvalidParameterCombinationException for PutEventSelectors, so
		// the SDK can only report the code.
		trWantCode(t, "PutEventSelectors with both kinds", err, "InvalidParameterCombinationException")

		var six []types.EventSelector
		for range 6 {
			six = append(six, types.EventSelector{ReadWriteType: types.ReadWriteTypeAll})
		}
		for what, in := range map[string]*cloudtrail.PutEventSelectorsInput{
			"6 selectors":             {EventSelectors: six},
			"ReadWriteType read-only": {EventSelectors: []types.EventSelector{{ReadWriteType: "read-only"}}},
			"data resource type AWS::EC2::Instance": {EventSelectors: []types.EventSelector{{DataResources: []types.DataResource{
				{Type: aws.String("AWS::EC2::Instance"), Values: []string{"arn:aws:ec2"}}}}}},
			"excluded source s3.amazonaws.com": {EventSelectors: []types.EventSelector{{ExcludeManagementEventSources: []string{"s3.amazonaws.com"}}}},
			"advanced without eventCategory": {AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
				{Field: aws.String("readOnly"), Equals: []string{"true"}}}}}},
		} {
			in.TrailName = aws.String("sdk-trail")
			_, err := ct.PutEventSelectors(ctx(t), in)
			trWantErr[*types.InvalidEventSelectorsException](t, "PutEventSelectors with "+what, err)
		}
		sel, err := ct.GetEventSelectors(ctx(t), &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("sdk-trail")})
		if err != nil {
			t.Fatal(err)
		}
		trEqLoose(t, "GetEventSelectors after refused puts (unchanged)", sel,
			`{"TrailARN":"`+arn("sdk-trail")+`","EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true}]}`)

		_, err = create(&cloudtrail.CreateTrailInput{Name: aws.String("long-prefix"), S3BucketName: aws.String("sdk-bucket"), S3KeyPrefix: aws.String(strings.Repeat("p", 201))})
		trWantErr[*types.InvalidS3PrefixException](t, "CreateTrail with a 201-character prefix", err)
		for _, b := range []string{"Bad_Bucket", "ab", "-bucket", "my..bucket", "192.168.5.4"} {
			_, err := create(&cloudtrail.CreateTrailInput{Name: aws.String("bad-bucket"), S3BucketName: aws.String(b)})
			trWantErr[*types.InvalidS3BucketNameException](t, "CreateTrail with bucket "+b, err)
		}
		_, err = create(&cloudtrail.CreateTrailInput{Name: aws.String("no-bucket"), S3BucketName: aws.String("sdk-missing-bucket")})
		if e := trWantErr[*types.S3BucketDoesNotExistException](t, "CreateTrail with a bucket that does not exist", err); e != nil &&
			!strings.Contains(e.ErrorMessage(), "sdk-missing-bucket") {
			t.Errorf("S3BucketDoesNotExistException message %q does not name the bucket", e.ErrorMessage())
		}

		_, err = ct.CreateEventDataStore(ctx(t), &cloudtrail.CreateEventDataStoreInput{Name: aws.String("my-store")})
		trWantErr[*types.UnsupportedOperationException](t, "CreateEventDataStore", err)
		_, err = ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
		trWantErr[*types.InvalidMaxResultsException](t, "LookupEvents MaxResults=51", err)

		// None of the refused calls created a trail.
		lt, err := ct.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(lt.Trails) != 2 {
			t.Errorf("ListTrails after refused creates: %s", trJSON(lt.Trails))
		}
	})

	t.Run("DeleteTrail", func(t *testing.T) {
		if _, err := ct.DeleteTrail(ctx(t), &cloudtrail.DeleteTrailInput{Name: aws.String("sdk-trail")}); err != nil {
			t.Fatal(err)
		}
		_, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("sdk-trail")})
		trWantErr[*types.TrailNotFoundException](t, "GetTrail after DeleteTrail", err)
		_, err = ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String("sdk-trail")})
		trWantErr[*types.TrailNotFoundException](t, "GetTrailStatus after DeleteTrail", err)
		_, err = ct.DeleteTrail(ctx(t), &cloudtrail.DeleteTrailInput{Name: aws.String("sdk-trail")})
		trWantErr[*types.TrailNotFoundException](t, "DeleteTrail twice", err)
		lt, err := ct.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "ListTrails after DeleteTrail", lt, `{"Trails":[{"TrailARN":"`+arn("sdk-full")+`","Name":"sdk-full","HomeRegion":"us-east-1"}]}`)
		if _, err := ct.DeleteTrail(ctx(t), &cloudtrail.DeleteTrailInput{Name: aws.String(arn("sdk-full"))}); err != nil {
			t.Fatalf("DeleteTrail by ARN: %v", err)
		}
		dt, err := ct.DescribeTrails(ctx(t), &cloudtrail.DescribeTrailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		trEq(t, "DescribeTrails with no trails", dt, `{"TrailList":[]}`)
		// The name is free again.
		if _, err := create(&cloudtrail.CreateTrailInput{Name: aws.String("sdk-trail"), S3BucketName: aws.String("sdk-bucket")}); err != nil {
			t.Errorf("CreateTrail of a deleted name: %v", err)
		}
	})

	t.Run("LookupEvents CreateTrail", func(t *testing.T) {
		evs := trEvents(t, ct, "CreateTrail", creates)
		if len(evs) != creates {
			t.Errorf("LookupEvents EventName=CreateTrail: %d events, want one per call (%d)", len(evs), creates)
		}
		for i := 1; i < len(evs); i++ {
			if evs[i].EventTime.After(*evs[i-1].EventTime) {
				t.Errorf("events not newest first at %d", i)
			}
		}
		e, r, ok := trFindRecord(t, evs, "sdk-full", "")
		if !ok {
			t.Fatalf("no successful CreateTrail event for sdk-full")
		}
		trCheckEventLine(t, e, "CreateTrail", arn("sdk-full"))
		trCheckRecord(t, r, "CreateTrail", region)
		rp, _ := r["requestParameters"].(map[string]any)
		if rp["kmsKeyId"] != "1234abcd-12ab-34cd-56ef-1234567890ab" || rp["s3KeyPrefix"] != "logs/prefix" || rp["enableLogFileValidation"] != true {
			t.Errorf("sdk-full requestParameters: %s", trJSON(rp))
		}

		// sdk-trail was created twice (before and after its deletion): both are there.
		var n int
		for _, e := range evs {
			r := trRecord(t, e)
			rp, _ := r["requestParameters"].(map[string]any)
			if rp["name"] != "sdk-trail" || r["errorCode"] != nil {
				continue
			}
			n++
			trCheckEventLine(t, e, "CreateTrail", arn("sdk-trail"))
			trCheckRecord(t, r, "CreateTrail", region)
			trEq(t, "CreateTrail requestParameters", r["requestParameters"], `{"name":"sdk-trail","s3BucketName":"sdk-bucket"}`)
			re, _ := r["responseElements"].(map[string]any)
			if re["trailARN"] != arn("sdk-trail") || re["name"] != "sdk-trail" || re["s3BucketName"] != "sdk-bucket" {
				t.Errorf("CreateTrail responseElements: %s", trJSON(re))
			}
			if ua, _ := r["userAgent"].(string); !strings.Contains(ua, "aws-sdk-go-v2") {
				t.Errorf("userAgent %q is not the Go SDK's", ua)
			}
			if aws.ToString(e.AccessKeyId) != s.Key || aws.ToString(e.EventId) != r["eventID"] {
				t.Errorf("event AccessKeyId %q / EventId %q (record eventID %v)", aws.ToString(e.AccessKeyId), aws.ToString(e.EventId), r["eventID"])
			}
		}
		if n != 2 {
			t.Errorf("%d successful CreateTrail events for sdk-trail, want 2", n)
		}

		// Failed calls carry errorCode and errorMessage, and no responseElements.
		for name, code := range map[string]string{"sdk-trail": "TrailAlreadyExistsException", "ab": "InvalidTrailNameException",
			"multi-no-global": "InvalidParameterCombinationException", "long-prefix": "InvalidS3PrefixException",
			"bad-bucket": "InvalidS3BucketNameException", "too-many-tags": "TagsLimitExceededException",
			"no-bucket": "S3BucketDoesNotExistException"} {
			e, r, ok := trFindRecord(t, evs, name, code)
			if !ok {
				t.Errorf("no CreateTrail event for %s with errorCode %s", name, code)
				continue
			}
			trCheckRecord(t, r, "CreateTrail", region)
			if m, _ := r["errorMessage"].(string); m == "" {
				t.Errorf("CreateTrail %s (%s): empty errorMessage", name, code)
			}
			if r["responseElements"] != nil {
				t.Errorf("CreateTrail %s (%s): responseElements %v", name, code, r["responseElements"])
			}
			if aws.ToString(e.ReadOnly) != "false" || aws.ToString(e.Username) != "root" {
				t.Errorf("CreateTrail %s (%s): ReadOnly %q Username %q", name, code, aws.ToString(e.ReadOnly), aws.ToString(e.Username))
			}
		}

		// Other trail operations name the trail too; reads are ReadOnly "true".
		for op, want := range map[string]string{"DeleteTrail": "false", "StartLogging": "false", "StopLogging": "false",
			"UpdateTrail": "false", "PutEventSelectors": "false", "PutInsightSelectors": "false", "AddTags": "false", "GetTrail": "true"} {
			evs := trEvents(t, ct, op, 1)
			found := false
			for _, e := range evs {
				if trRecord(t, e)["errorCode"] != nil {
					continue
				}
				if aws.ToString(e.ReadOnly) != want {
					t.Errorf("%s event ReadOnly %q, want %q", op, aws.ToString(e.ReadOnly), want)
				}
				if len(e.Resources) == 1 && aws.ToString(e.Resources[0].ResourceType) == "AWS::CloudTrail::Trail" &&
					strings.HasPrefix(aws.ToString(e.Resources[0].ResourceName), "arn:aws:cloudtrail:us-east-1:111122223333:trail/") {
					found = true
				}
			}
			if !found {
				t.Errorf("no successful %s event names a trail ARN in Resources", op)
			}
		}
	})
}

// TestTrailsRegions covers home regions: multi-Region trails and their shadows,
// DescribeTrails' includeShadowTrails, InvalidHomeRegionException, the per-region quota and
// the region of the records.
func TestTrailsRegions(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	east, west := s.CloudTrail(s.Root(), "us-east-1"), s.CloudTrail(s.Root(), "eu-west-1")
	s.Bucket(t, "region-bucket")
	mk := func(c *cloudtrail.Client, name string, multi bool) *cloudtrail.CreateTrailOutput {
		t.Helper()
		in := &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("region-bucket")}
		if multi {
			in.IsMultiRegionTrail = aws.Bool(true)
		}
		out, err := c.CreateTrail(ctx(t), in)
		if err != nil {
			t.Fatalf("CreateTrail %s: %v", name, err)
		}
		return out
	}
	global := mk(east, "global", true)
	trEq(t, "CreateTrail multi-Region", global, `{"Name":"global","S3BucketName":"region-bucket","IncludeGlobalServiceEvents":true,`+
		`"IsMultiRegionTrail":true,"TrailARN":"`+trARN("us-east-1", "global")+`","LogFileValidationEnabled":false,"IsOrganizationTrail":false}`)
	mk(east, "local-east", false)
	mk(west, "local-west", false)
	globalARN := trARN("us-east-1", "global")

	describe := func(c *cloudtrail.Client, in *cloudtrail.DescribeTrailsInput) []types.Trail {
		t.Helper()
		out, err := c.DescribeTrails(ctx(t), in)
		if err != nil {
			t.Fatalf("DescribeTrails %s: %v", trJSON(in), err)
		}
		return out.TrailList
	}
	names := func(want ...string) []string { return want }

	t.Run("DescribeTrails and shadow trails", func(t *testing.T) {
		for _, tc := range []struct {
			c    *cloudtrail.Client
			in   *cloudtrail.DescribeTrailsInput
			want []string
		}{
			{west, &cloudtrail.DescribeTrailsInput{}, names("global@us-east-1", "local-west@eu-west-1")},
			{west, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)}, names("global@us-east-1", "local-west@eu-west-1")},
			{west, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)}, names("local-west@eu-west-1")},
			{east, &cloudtrail.DescribeTrailsInput{}, names("global@us-east-1", "local-east@us-east-1")},
			{east, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)}, names("global@us-east-1", "local-east@us-east-1")},
			// A plain name matches only trails of the caller's region; an ARN reaches a shadow.
			{west, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"global"}}, nil},
			{west, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{globalARN}}, names("global@us-east-1")},
			{west, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{globalARN}, IncludeShadowTrails: aws.Bool(false)}, nil},
			{west, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"local-west", trARN("us-east-1", "local-east")}}, names("local-west@eu-west-1")},
		} {
			if got := trSortedNames(describe(tc.c, tc.in)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DescribeTrails from %s %s: %v, want %v", tc.c.Options().Region, trJSON(tc.in), got, tc.want)
			}
		}
		for _, tr := range describe(west, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{globalARN}}) {
			trEq(t, "shadow trail seen from eu-west-1", tr, `{"Name":"global","S3BucketName":"region-bucket","IncludeGlobalServiceEvents":true,`+
				`"IsMultiRegionTrail":true,"HomeRegion":"us-east-1","TrailARN":"`+globalARN+`","LogFileValidationEnabled":false,`+
				`"HasCustomEventSelectors":false,"HasInsightSelectors":false,"IsOrganizationTrail":false}`)
		}
	})

	t.Run("reads of a shadow trail", func(t *testing.T) {
		out, err := west.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String(globalARN)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Trail.HomeRegion) != "us-east-1" || aws.ToString(out.Trail.TrailARN) != globalARN {
			t.Errorf("GetTrail of the shadow: %s", trJSON(out.Trail))
		}
		_, err = west.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("global")})
		trWantErr[*types.TrailNotFoundException](t, "GetTrail of a shadow by plain name", err)
		_, err = west.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String(trARN("us-east-1", "local-east"))})
		trWantErr[*types.TrailNotFoundException](t, "GetTrail of another region's single-Region trail", err)
		if _, err := west.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String(globalARN)}); err != nil {
			t.Errorf("GetTrailStatus of the shadow by ARN: %v", err)
		}
		sel, err := west.GetEventSelectors(ctx(t), &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(globalARN)})
		if err != nil {
			t.Errorf("GetEventSelectors of the shadow by ARN: %v", err)
		} else if aws.ToString(sel.TrailARN) != globalARN {
			t.Errorf("GetEventSelectors of the shadow: TrailARN %q", aws.ToString(sel.TrailARN))
		}
		// ListTrails lists every region's trails, from any region.
		want := `[{"TrailARN":"` + globalARN + `","Name":"global","HomeRegion":"us-east-1"},` +
			`{"TrailARN":"` + trARN("us-east-1", "local-east") + `","Name":"local-east","HomeRegion":"us-east-1"},` +
			`{"TrailARN":"` + trARN("eu-west-1", "local-west") + `","Name":"local-west","HomeRegion":"eu-west-1"}]`
		for _, c := range []*cloudtrail.Client{east, west} {
			lt, err := c.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{})
			if err != nil {
				t.Fatal(err)
			}
			trEq(t, "ListTrails from "+c.Options().Region, trSortTrailInfo(lt.Trails), want)
		}
	})

	t.Run("writes of a shadow trail", func(t *testing.T) {
		ref := aws.String(globalARN)
		_, err := west.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: ref, S3KeyPrefix: aws.String("x")})
		trWantErr[*types.InvalidHomeRegionException](t, "UpdateTrail from eu-west-1", err)
		_, err = west.DeleteTrail(ctx(t), &cloudtrail.DeleteTrailInput{Name: ref})
		trWantErr[*types.InvalidHomeRegionException](t, "DeleteTrail from eu-west-1", err)
		_, err = west.StartLogging(ctx(t), &cloudtrail.StartLoggingInput{Name: ref})
		trWantErr[*types.InvalidHomeRegionException](t, "StartLogging from eu-west-1", err)
		_, err = west.StopLogging(ctx(t), &cloudtrail.StopLoggingInput{Name: ref})
		trWantErr[*types.InvalidHomeRegionException](t, "StopLogging from eu-west-1", err)
		_, err = west.PutEventSelectors(ctx(t), &cloudtrail.PutEventSelectorsInput{TrailName: ref,
			EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeReadOnly}}})
		trWantErr[*types.InvalidHomeRegionException](t, "PutEventSelectors from eu-west-1", err)
		_, err = west.PutInsightSelectors(ctx(t), &cloudtrail.PutInsightSelectorsInput{TrailName: ref,
			InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}}})
		trWantErr[*types.InvalidHomeRegionException](t, "PutInsightSelectors from eu-west-1", err)
		shadowJSON := `{"Name":"global","S3BucketName":"region-bucket","IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":true,` +
			`"HomeRegion":"us-east-1","TrailARN":"` + globalARN + `","LogFileValidationEnabled":false,` +
			`"HasCustomEventSelectors":false,"HasInsightSelectors":false,"IsOrganizationTrail":false}`
		westJSON := `{"Name":"local-west","S3BucketName":"region-bucket","IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":false,` +
			`"HomeRegion":"eu-west-1","TrailARN":"` + trARN("eu-west-1", "local-west") + `","LogFileValidationEnabled":false,` +
			`"HasCustomEventSelectors":false,"HasInsightSelectors":false,"IsOrganizationTrail":false}`
		cliDescribe := func(want string, args ...string) {
			out, err := trAWS(s, "eu-west-1", append([]string{"cloudtrail", "describe-trails"}, args...)...)
			if err != nil {
				t.Error(err)
				return
			}
			var m struct{ TrailList []map[string]any }
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Errorf("describe-trails %v: %v", args, err)
				return
			}
			sort.Slice(m.TrailList, func(i, j int) bool { return fmt.Sprint(m.TrailList[i]["Name"]) < fmt.Sprint(m.TrailList[j]["Name"]) })
			trEq(t, fmt.Sprintf("describe-trails %v from eu-west-1", args), m.TrailList, want)
		}
		trConcurrently(
			func() {
				trCLIErr(t, s, "eu-west-1", "InvalidHomeRegionException", "UpdateTrail", "cloudtrail", "update-trail", "--name", globalARN, "--enable-log-file-validation")
			},
			func() { cliDescribe(`[` + shadowJSON + `,` + westJSON + `]`) },
			func() { cliDescribe(`[`+westJSON+`]`, "--no-include-shadow-trails") },
		)
		// Nothing changed.
		out, err := east.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("global")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(out.Trail.LogFileValidationEnabled) || out.Trail.S3KeyPrefix != nil || aws.ToBool(out.Trail.HasCustomEventSelectors) {
			t.Errorf("the shadow writes changed the trail: %s", trJSON(out.Trail))
		}
		// The shadow occupies the name in eu-west-1.
		_, err = west.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String("global"), S3BucketName: aws.String("region-bucket")})
		trWantErr[*types.TrailAlreadyExistsException](t, "CreateTrail in eu-west-1 of a multi-Region trail's name", err)
		// The home region may change it.
		if _, err := east.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: ref, S3KeyPrefix: aws.String("home")}); err != nil {
			t.Errorf("UpdateTrail from the home region by ARN: %v", err)
		}
	})

	t.Run("same name in two regions", func(t *testing.T) {
		a, b := mk(east, "dup-name", false), mk(west, "dup-name", false)
		if aws.ToString(a.TrailARN) != trARN("us-east-1", "dup-name") || aws.ToString(b.TrailARN) != trARN("eu-west-1", "dup-name") {
			t.Errorf("TrailARNs %q and %q", aws.ToString(a.TrailARN), aws.ToString(b.TrailARN))
		}
		// A multi-Region trail cannot take a name used in another region.
		_, err := east.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String("dup-name"), IsMultiRegionTrail: aws.Bool(true)})
		if err == nil {
			t.Errorf("UpdateTrail dup-name to multi-Region succeeded although eu-west-1 has a trail of that name")
		} else {
			t.Logf("UpdateTrail dup-name to multi-Region: %v", err)
		}
	})

	t.Run("quota of 5 trails per region", func(t *testing.T) {
		// us-east-1: global, local-east, dup-name + 2 = 5.
		mk(east, "quota-4", false)
		mk(east, "quota-5", false)
		_, err := east.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String("quota-6"), S3BucketName: aws.String("region-bucket")})
		trWantErr[*types.MaximumNumberOfTrailsExceededException](t, "6th trail in us-east-1", err)
		trCLIErr(t, s, "us-east-1", "MaximumNumberOfTrailsExceededException", "CreateTrail", "cloudtrail", "create-trail", "--name", "quota-6", "--s3-bucket-name", "region-bucket")
		// eu-west-1 has local-west, dup-name and the shadow of global: room for 2.
		mk(west, "west-4", false)
		// Turning local-east multi-Region puts its shadow in eu-west-1 too: 5.
		if _, err := east.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String("local-east"), IsMultiRegionTrail: aws.Bool(true)}); err != nil {
			t.Fatalf("UpdateTrail local-east to multi-Region: %v", err)
		}
		if got, want := trSortedNames(describe(west, &cloudtrail.DescribeTrailsInput{})),
			names("dup-name@eu-west-1", "global@us-east-1", "local-east@us-east-1", "local-west@eu-west-1", "west-4@eu-west-1"); !reflect.DeepEqual(got, want) {
			t.Errorf("DescribeTrails from eu-west-1: %v, want %v", got, want)
		}
		_, err = west.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String("west-6"), S3BucketName: aws.String("region-bucket")})
		trWantErr[*types.MaximumNumberOfTrailsExceededException](t, "6th trail in eu-west-1 (2 of them shadows)", err)
		// Deleting the multi-Region trail frees a slot in both regions.
		if _, err := east.DeleteTrail(ctx(t), &cloudtrail.DeleteTrailInput{Name: aws.String("global")}); err != nil {
			t.Fatal(err)
		}
		mk(west, "west-6", false)
		mk(east, "quota-6", false)
		if got, want := trSortedNames(describe(west, &cloudtrail.DescribeTrailsInput{})),
			names("dup-name@eu-west-1", "local-east@us-east-1", "local-west@eu-west-1", "west-4@eu-west-1", "west-6@eu-west-1"); !reflect.DeepEqual(got, want) {
			t.Errorf("DescribeTrails from eu-west-1 after deleting global: %v, want %v", got, want)
		}
		// Back to single-Region: the shadow leaves eu-west-1.
		if _, err := east.UpdateTrail(ctx(t), &cloudtrail.UpdateTrailInput{Name: aws.String("local-east"), IsMultiRegionTrail: aws.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		if got, want := trSortedNames(describe(west, &cloudtrail.DescribeTrailsInput{})),
			names("dup-name@eu-west-1", "local-west@eu-west-1", "west-4@eu-west-1", "west-6@eu-west-1"); !reflect.DeepEqual(got, want) {
			t.Errorf("DescribeTrails from eu-west-1 after local-east became single-Region: %v, want %v", got, want)
		}
	})

	t.Run("records carry the region signed for", func(t *testing.T) {
		wantWest := map[string]bool{"local-west": true, "dup-name": true, "west-4": true, "west-6": true}
		evs := trEvents(t, west, "CreateTrail", 5)
		for _, e := range evs {
			r := trRecord(t, e)
			if r["awsRegion"] != "eu-west-1" {
				t.Errorf("eu-west-1 history has a record of %v", r["awsRegion"])
			}
			rp, _ := r["requestParameters"].(map[string]any)
			name, _ := rp["name"].(string)
			if r["errorCode"] == nil {
				if !wantWest[name] {
					t.Errorf("eu-west-1 history has the CreateTrail of %q", name)
				}
				delete(wantWest, name)
				trCheckEventLine(t, e, "CreateTrail", trARN("eu-west-1", name))
				trCheckRecord(t, r, "CreateTrail", "eu-west-1")
			}
		}
		if len(wantWest) != 0 {
			t.Errorf("eu-west-1 history lacks the CreateTrail of %v", wantWest)
		}
		for _, e := range trEvents(t, east, "CreateTrail", 7) {
			if r := trRecord(t, e); r["awsRegion"] != "us-east-1" {
				t.Errorf("us-east-1 history has a record of %v", r["awsRegion"])
			}
		}
		// The eu-west-1 UpdateTrail attempt on the shadow is a failed call in eu-west-1.
		ups := trEvents(t, west, "UpdateTrail", 2)
		n := 0
		for _, e := range ups {
			r := trRecord(t, e)
			if r["errorCode"] == "InvalidHomeRegionException" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("eu-west-1 UpdateTrail events with InvalidHomeRegionException: %d, want 2 (SDK + CLI)", n)
		}
	})
}

// trSortTrailInfo orders ListTrails entries by name and home region (AWS documents no order).
func trSortTrailInfo(ts []types.TrailInfo) []types.TrailInfo {
	out := append([]types.TrailInfo{}, ts...)
	sort.Slice(out, func(i, j int) bool {
		return aws.ToString(out[i].Name)+"@"+aws.ToString(out[i].HomeRegion) < aws.ToString(out[j].Name)+"@"+aws.ToString(out[j].HomeRegion)
	})
	return out
}

// trSortTags orders each resource's tags by key (AWS documents no order).
func trSortTags(out *cloudtrail.ListTagsOutput) *cloudtrail.ListTagsOutput {
	for _, rt := range out.ResourceTagList {
		sort.Slice(rt.TagsList, func(i, j int) bool { return aws.ToString(rt.TagsList[i].Key) < aws.ToString(rt.TagsList[j].Key) })
	}
	return out
}
