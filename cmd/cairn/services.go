package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/cairnhq/cairn"
	cfapi "github.com/cairnhq/cairn/api/cloudfront"
	kvsapi "github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
	ctapi "github.com/cairnhq/cairn/api/cloudtrail"
	stsapi "github.com/cairnhq/cairn/api/sts"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
	"github.com/cairnhq/cairn/awsproto/sigv4"
	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/gateway"
	"github.com/cairnhq/cairn/history"
	"github.com/cairnhq/cairn/identity"
	"github.com/cairnhq/cairn/kvs"
	"github.com/cairnhq/cairn/service/admin"
	cfsvc "github.com/cairnhq/cairn/service/cloudfront"
	kvssvc "github.com/cairnhq/cairn/service/cloudfrontkeyvaluestore"
	ctsvc "github.com/cairnhq/cairn/service/cloudtrail"
	stssvc "github.com/cairnhq/cairn/service/sts"
	"github.com/cairnhq/cairn/signing"
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
	// store is where trails deliver; targets their notification targets.
	store   cairn.ObjectStore
	targets *delivery.Targets
	// keys serves ListPublicKeys.
	keys *signing.KeyRing
	// kvs holds the KeyValueStores' data.
	kvs *kvs.Manager
}

// newGateway builds the providers and plugs them into a gateway.
func newGateway(s services) (*gateway.Gateway, error) {
	ct := &ctsvc.Provider{
		Trails: &ctsvc.TrailStore{Meta: s.meta, Clock: s.clock,
			Buckets: ctsvc.StoreBuckets{Store: s.store}, Topics: s.targets},
		History: s.index,
		Records: s.log,
	}
	if s.keys != nil {
		ct.Keys = s.keys
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
	rest, err := restServices(s)
	if err != nil {
		return nil, err
	}
	return &gateway.Gateway{
		REST:         rest,
		Auth:         gateway.SigV4{Verifier: &sigv4.Verifier{Credentials: s.ids, Clock: s.clock}},
		Creds:        s.ids,
		JSON:         []*gateway.JSONService{cloudtrail},
		Query:        map[string]*gateway.QueryService{stsapi.SigningName: stsSvc},
		DefaultQuery: stsapi.SigningName,
		Admin:        adminSvc,
	}, nil
}

// cloudFrontProvider is the CloudFront control plane: distributions, invalidations,
// origin access controls and tags from Provider, key value stores from KeyValueStores.
type cloudFrontProvider struct {
	*cfsvc.Provider
	*cfsvc.KeyValueStores
}

// restServices builds the REST services: the CloudFront control plane (rest-xml,
// global, recorded in us-east-1) and the KeyValueStore data plane (rest-json).
func restServices(s services) ([]*gateway.RESTService, error) {
	cfRouter, err := rest.NewRouter(cfapi.Operations)
	if err != nil {
		return nil, err
	}
	kvsRouter, err := rest.NewRouter(kvsapi.Operations)
	if err != nil {
		return nil, err
	}
	stores := s.kvs
	cf := cloudFrontProvider{
		Provider:       &cfsvc.Provider{Meta: s.meta, Clock: s.clock, DeployDelay: s.cfg.CloudFrontDeployDelay},
		KeyValueStores: &cfsvc.KeyValueStores{Stores: stores},
	}
	kv := &kvssvc.Provider{Stores: stores}
	return []*gateway.RESTService{
		{
			Meta: gateway.Meta{SigningName: cfapi.SigningName, EventSource: cfapi.EventSource,
				APIVersion: strings.ReplaceAll(cfapi.APIVersion, "-", "_"), GlobalRegion: "us-east-1", XMLResponses: true},
			Operations: gateway.Operations{
				NewInput: cfapi.NewInput,
				Invoke:   func(ctx context.Context, op string, in any) (any, error) { return cfapi.Invoke(ctx, cf, op, in) },
				MapValidation: func(_ string, ve *awsproto.ValidationError) *awsproto.Error {
					return awsproto.NewError("MalformedXML", 400, "%s", ve.Error())
				},
			},
			PathPrefix: "/2020-05-31/", Router: cfRouter, Protocol: gateway.ProtocolRESTXML, XMLNamespace: cfapi.XMLNamespace,
		},
		{
			Meta: gateway.Meta{SigningName: kvsapi.SigningName, EventSource: kvssvc.EventSource, GlobalRegion: "us-east-1", DataEvents: true},
			Operations: gateway.Operations{
				NewInput: kvsapi.NewInput,
				Invoke:   func(ctx context.Context, op string, in any) (any, error) { return kvsapi.Invoke(ctx, kv, op, in) },
				// Values never reach a record, even when validation rejects the call.
				RecordInput: func(_ string, in any) any { return kvssvc.RedactedRequestParameters(in) },
				MapValidation: func(_ string, ve *awsproto.ValidationError) *awsproto.Error {
					return kvsapi.NewValidationException("%s", ve.Error())
				},
			},
			PathPrefix: "/key-value-stores/", Router: kvsRouter, Protocol: gateway.ProtocolRESTJSON,
		},
	}, nil
}
