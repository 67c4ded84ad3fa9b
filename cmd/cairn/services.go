package main

import (
	"context"
	"log/slog"

	"github.com/cairnhq/cairn"
	ctapi "github.com/cairnhq/cairn/api/cloudtrail"
	stsapi "github.com/cairnhq/cairn/api/sts"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/sigv4"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/gateway"
	"github.com/cairnhq/cairn/history"
	"github.com/cairnhq/cairn/identity"
	"github.com/cairnhq/cairn/service/admin"
	ctsvc "github.com/cairnhq/cairn/service/cloudtrail"
	stssvc "github.com/cairnhq/cairn/service/sts"
)

// services holds what the providers are built from.
type services struct {
	cfg    Config
	meta   cairn.MetaStore
	clock  cairn.Clock
	logger *slog.Logger
	ids    *identity.Store
	index  *history.Index
	log    *eventlog.Log
}

// newGateway builds the providers and plugs them into a gateway.
func newGateway(s services) (*gateway.Gateway, error) {
	ct := &ctsvc.Provider{
		Trails:  &ctsvc.TrailStore{Meta: s.meta, Clock: s.clock},
		History: s.index,
		Records: s.log,
	}
	st := &stssvc.Provider{}
	adm := &admin.Provider{Identity: s.ids}

	cloudtrail := &gateway.JSONService{
		Meta:         gateway.Meta{SigningName: ctapi.SigningName, EventSource: ctapi.EventSource},
		TargetPrefix: ctapi.TargetPrefix,
		Operations: gateway.Operations{
			NewInput:      ctapi.NewInput,
			Invoke:        func(ctx context.Context, op string, in any) (any, error) { return ctapi.Invoke(ctx, ct, op, in) },
			MapValidation: ctsvc.MapValidation,
		},
	}
	stsSvc := &gateway.QueryService{
		Meta:      gateway.Meta{SigningName: stsapi.SigningName, EventSource: stsapi.EventSource, GlobalRegion: ""},
		Version:   stsapi.APIVersion,
		Namespace: stsapi.XMLNamespace,
		Operations: gateway.Operations{
			NewInput: stsapi.NewInput,
			Invoke:   func(ctx context.Context, op string, in any) (any, error) { return stsapi.Invoke(ctx, st, op, in) },
			MapValidation: func(_ string, ve *awsproto.ValidationError) *awsproto.Error {
				return awsproto.NewError("ValidationError", 400, "%s", ve.Error())
			},
		},
		ResultWrapper: func(op string) string { return stsapi.Operations[op].ResultWrapper },
	}
	adminSvc := &gateway.AdminService{
		Meta: gateway.Meta{SigningName: "cairn", EventSource: "iam.amazonaws.com", GlobalRegion: "us-east-1"},
		Operations: gateway.Operations{
			NewInput: admin.NewInput,
			Invoke:   adm.Invoke,
			ReadOnly: func(op string) bool { return op == "ListUsers" },
		},
	}
	return &gateway.Gateway{
		Auth:         gateway.SigV4{Verifier: &sigv4.Verifier{Credentials: s.ids, Clock: s.clock}},
		Creds:        s.ids,
		JSON:         []*gateway.JSONService{cloudtrail},
		Query:        map[string]*gateway.QueryService{stsapi.SigningName: stsSvc},
		DefaultQuery: stsapi.SigningName,
		Admin:        adminSvc,
	}, nil
}
