package cloudtrail_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
)

// TestUnimplementedService_Coverage calls every operation of the table through
// NewInput and Invoke: each answers UnsupportedOperationException wrapping
// awsproto.ErrNotImplemented.
func TestUnimplementedService_Coverage(t *testing.T) {
	if n := len(cloudtrail.Operations); n != 60 {
		t.Errorf("%d operations, the model has 60", n)
	}
	for name, op := range cloudtrail.Operations {
		if op.Name != name || op.HTTPMethod != http.MethodPost || op.RequestURI != "/" || op.ResponseCode != 200 || op.ResultWrapper != "" {
			t.Errorf("Operations[%s] = %+v", name, op)
		}
		in, ok := cloudtrail.NewInput(name)
		if !ok || in == nil {
			t.Errorf("NewInput(%s) = %v, %v", name, in, ok)
			continue
		}
		out, err := cloudtrail.Invoke(context.Background(), cloudtrail.UnimplementedService{}, name, in)
		if out != nil {
			t.Errorf("%s: output %v", name, out)
		}
		var e *awsproto.Error
		if !errors.As(err, &e) || !errors.Is(err, awsproto.ErrNotImplemented) {
			t.Errorf("%s: error %v", name, err)
			continue
		}
		if e.Code != "UnsupportedOperationException" || e.Status != 400 || e.Receiver || e.Message != name+" is not supported by Cairn yet" {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

type trails struct {
	cloudtrail.UnimplementedService
}

func (trails) DeleteTrail(context.Context, *cloudtrail.DeleteTrailRequest) (*cloudtrail.DeleteTrailResponse, error) {
	return nil, nil
}

func TestInvoke(t *testing.T) {
	ctx := context.Background()
	out, err := cloudtrail.Invoke(ctx, trails{}, "DeleteTrail", &cloudtrail.DeleteTrailRequest{})
	if _, ok := out.(*cloudtrail.DeleteTrailResponse); !ok || err != nil {
		t.Errorf("DeleteTrail = %#v, %v; want an empty *DeleteTrailResponse", out, err)
	}
	if _, err := cloudtrail.Invoke(ctx, trails{}, "DeleteTrail", &cloudtrail.GetTrailRequest{}); err == nil {
		t.Error("Invoke with the wrong input type succeeded")
	}
	if _, err := cloudtrail.Invoke(ctx, trails{}, "NoSuchOp", nil); err == nil {
		t.Error("Invoke of an unknown operation succeeded")
	}
	if _, ok := cloudtrail.NewInput("NoSuchOp"); ok {
		t.Error("NewInput of an unknown operation succeeded")
	}
}

func TestErrors(t *testing.T) {
	e := cloudtrail.NewTrailNotFoundException("Unknown trail: %s", "x")
	if e.Code != "TrailNotFoundException" || e.Status != 400 || e.Receiver || e.Message != "Unknown trail: x" {
		t.Errorf("NewTrailNotFoundException = %+v", e)
	}
	if cloudtrail.Errors["TrailNotFoundException"] != 400 || cloudtrail.Errors["InvalidMaxResultsException"] != 400 {
		t.Error("Errors table misses modeled errors")
	}
	if n := len(cloudtrail.Errors); n != 86 {
		t.Errorf("Errors has %d codes, the model has 86 error shapes", n)
	}
	if cloudtrail.TargetPrefix != "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101" || cloudtrail.SigningName != "cloudtrail" ||
		cloudtrail.EventSource != "cloudtrail.amazonaws.com" || cloudtrail.APIVersion != "2013-11-01" {
		t.Error("service constants differ from the model")
	}
}
