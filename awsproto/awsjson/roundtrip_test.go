package awsjson_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/awsjson"
)

// fakeCloudTrail implements two operations; the rest come from UnimplementedService.
type fakeCloudTrail struct {
	cloudtrail.UnimplementedService
	lookups []*cloudtrail.LookupEventsRequest
}

var eventTime = time.Date(2024, 3, 1, 12, 30, 15, 250e6, time.UTC)

func (f *fakeCloudTrail) LookupEvents(_ context.Context, in *cloudtrail.LookupEventsRequest) (*cloudtrail.LookupEventsResponse, error) {
	f.lookups = append(f.lookups, in)
	return &cloudtrail.LookupEventsResponse{Events: []cloudtrail.Event{{
		EventId:         aws.String("e-1"),
		EventName:       aws.String("CreateTrail"),
		EventTime:       awsproto.NewTimestamp(eventTime),
		ReadOnly:        aws.String("false"),
		CloudTrailEvent: aws.String(`{"eventVersion":"1.11"}`),
		Resources:       []cloudtrail.Resource{{ResourceName: aws.String("t"), ResourceType: aws.String("AWS::CloudTrail::Trail")}},
	}}}, nil
}

func (f *fakeCloudTrail) GetTrail(_ context.Context, in *cloudtrail.GetTrailRequest) (*cloudtrail.GetTrailResponse, error) {
	if *in.Name != "main" {
		return nil, cloudtrail.NewTrailNotFoundException("Unknown trail: %s for the user: 123456789012", *in.Name)
	}
	return &cloudtrail.GetTrailResponse{Trail: &cloudtrail.Trail{Name: aws.String("main"), IsMultiRegionTrail: aws.Bool(true)}}, nil
}

// serve is the smallest awsJson1_1 pipeline: target, decode, validate, invoke, encode.
func serve(svc cloudtrail.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const id = "11111111-2222-3333-4444-555555555555"
		op, ok := awsjson.ParseTarget(r.Header.Get("X-Amz-Target"), cloudtrail.TargetPrefix)
		if !ok {
			awsjson.WriteError(w, id, awsjson.UnknownOperation(r.Header.Get("X-Amz-Target")))
			return
		}
		in, ok := cloudtrail.NewInput(op)
		if !ok {
			awsjson.WriteError(w, id, awsjson.UnknownOperation(op))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if err := awsjson.Decode(body, in); err != nil {
			awsjson.WriteError(w, id, awsproto.AsError(err))
			return
		}
		if err := in.Validate(); err != nil {
			awsjson.WriteError(w, id, awsproto.NewError("ValidationException", 400, "%s", err.Error()))
			return
		}
		out, err := cloudtrail.Invoke(r.Context(), svc, op, in)
		if err != nil {
			awsjson.WriteError(w, id, awsproto.AsError(err))
			return
		}
		awsjson.WriteResponse(w, id, out)
	})
}

func newClient(t *testing.T, svc cloudtrail.Service) *sdk.Client {
	t.Helper()
	srv := httptest.NewServer(serve(svc))
	t.Cleanup(srv.Close)
	return sdk.New(sdk.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1,
	})
}

func TestRoundTrip_LookupEvents(t *testing.T) {
	fake := &fakeCloudTrail{}
	client := newClient(t, fake)
	start := time.Unix(1704067200, 0)
	out, err := client.LookupEvents(context.Background(), &sdk.LookupEventsInput{
		StartTime:  &start,
		MaxResults: aws.Int32(10),
		LookupAttributes: []types.LookupAttribute{{
			AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateTrail"),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("got %d events", len(out.Events))
	}
	e := out.Events[0]
	if e.EventTime == nil || !e.EventTime.Equal(eventTime) {
		t.Errorf("EventTime = %v, want %v", e.EventTime, eventTime)
	}
	if aws.ToString(e.EventId) != "e-1" || len(e.Resources) != 1 || aws.ToString(e.Resources[0].ResourceType) != "AWS::CloudTrail::Trail" {
		t.Errorf("event = %+v", e)
	}
	if out.NextToken != nil {
		t.Errorf("NextToken = %q, want absent", *out.NextToken)
	}
	in := fake.lookups[0]
	if !in.StartTime.Equal(start) || *in.MaxResults != 10 || in.LookupAttributes[0].AttributeKey != cloudtrail.LookupAttributeKeyEventName {
		t.Errorf("server decoded %+v", in)
	}
}

func TestRoundTrip_Errors(t *testing.T) {
	client := newClient(t, &fakeCloudTrail{})
	ctx := context.Background()

	out, err := client.GetTrail(ctx, &sdk.GetTrailInput{Name: aws.String("main")})
	if err != nil || !aws.ToBool(out.Trail.IsMultiRegionTrail) {
		t.Fatalf("GetTrail(main) = %+v, %v", out, err)
	}

	_, err = client.GetTrail(ctx, &sdk.GetTrailInput{Name: aws.String("nope")})
	var notFound *types.TrailNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("GetTrail(nope) error = %v, want *types.TrailNotFoundException", err)
	}
	if notFound.ErrorMessage() != "Unknown trail: nope for the user: 123456789012" {
		t.Errorf("message = %q", notFound.ErrorMessage())
	}

	// Not modeled for LookupEvents: the SDK still surfaces code and message.
	_, err = client.LookupEvents(ctx, &sdk.LookupEventsInput{MaxResults: aws.Int32(51)})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Fatalf("LookupEvents(51) error = %v", err)
	}
	const want = "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"
	if apiErr.ErrorMessage() != want {
		t.Errorf("message = %q", apiErr.ErrorMessage())
	}

	// Unimplemented operations answer UnsupportedOperationException, a modeled error.
	_, err = client.ListChannels(ctx, &sdk.ListChannelsInput{})
	var unsupported *types.UnsupportedOperationException
	if !errors.As(err, &unsupported) {
		t.Fatalf("ListChannels error = %v, want *types.UnsupportedOperationException", err)
	}
}
