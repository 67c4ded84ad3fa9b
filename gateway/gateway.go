package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/capture"
	"github.com/google/uuid"
)

// Paths served outside the AWS APIs.
const (
	HealthPath  = "/_cairn/health"
	MetricsPath = "/_cairn/metrics"
	AdminPrefix = "/_cairn/admin/"
)

// DefaultMaxBodyBytes caps request bodies.
const DefaultMaxBodyBytes = 10 << 20

// Auth is the outcome of a successful authentication.
type Auth struct {
	Principal cairn.Principal
	Region    string
	Service   string
}

// Authenticator verifies a request's signature. On failure it returns an error that
// AuthError can turn into each protocol's error, and as much of the scope as it could
// read (access key id and region) so the failure can be recorded.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request, body []byte) (Auth, error)
	// Peek reads the access key id and region of the request's credential scope
	// without verifying anything.
	Peek(r *http.Request) (accessKeyID, region, service string)
	// AuthError is the error to send for err in the given protocol ("json", "query").
	AuthError(err error, protocol string) *awsproto.Error
}

// Gateway serves every API of Cairn on one http.Handler.
type Gateway struct {
	Auth     Authenticator
	Creds    cairn.CredentialStore
	Recorder *capture.Recorder
	Clock    cairn.Clock
	Logger   *slog.Logger
	JSON     []*JSONService
	Query    map[string]*QueryService // by signing name
	Admin    *AdminService
	REST     []*RESTService // REST-protocol services, each selected by its path prefix
	// DefaultQuery serves query-protocol requests whose signing name is unknown.
	DefaultQuery  string
	DefaultRegion string
	MaxBodyBytes  int64
	// Ready reports whether every component is ready (health endpoint).
	Ready   func() error
	Metrics *Metrics
	// Activity, if set, counts the API calls in flight.
	Activity *Activity
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := &awsproto.RequestContext{
		RequestID: uuid.NewString(),
		Start:     g.Clock.Now(),
		SourceIP:  r.RemoteAddr,
		UserAgent: r.UserAgent(),
		TLS:       tlsDetails(r),
	}
	var p protocol
	g.Activity.begin()
	defer g.Activity.end()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			g.Logger.Error("panic serving request", "request_id", rc.RequestID, "panic", fmt.Sprint(v))
			if p == nil {
				p = jsonProto{}
			}
			rc.Err = awsproto.InternalFailure()
			if !rc.Recorded && !rc.NoRecord {
				if err := g.Recorder.Record(context.WithoutCancel(r.Context()), rc); err != nil {
					g.Logger.Error("record event", "request_id", rc.RequestID, "err", err)
				}
			}
			p.writeError(w, rc, awsproto.InternalFailure())
		}
	}()
	switch {
	case r.URL.Path == HealthPath:
		g.serveHealth(w)
		return
	case r.URL.Path == MetricsPath:
		g.Metrics.WriteTo(w)
		return
	case strings.HasPrefix(r.URL.Path, AdminPrefix) && g.Admin != nil:
		p = &adminProto{svc: g.Admin, action: strings.TrimPrefix(r.URL.Path, AdminPrefix)}
	case g.restService(r) != nil:
		p = g.routeREST(r)
	case r.Header.Get("X-Amz-Target") != "":
		p = g.routeJSON(r)
	case isQuery(r):
		p = g.routeQuery(r)
	default:
		rc.NoRecord = true
		writeJSONError(w, rc.RequestID, awsproto.NewError("UnknownOperationException", http.StatusNotFound, "No API is served at %s %s", r.Method, truncate(r.URL.Path, 128)))
		return
	}
	g.serve(w, r, rc, p)
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, rc *awsproto.RequestContext, p protocol) {
	ctx := awsproto.WithRequestContext(r.Context(), rc)
	meta := p.meta()
	rc.Service, rc.EventSource, rc.APIVersion = meta.SigningName, meta.EventSource, meta.APIVersion
	rc.XMLResponses = meta.XMLResponses
	rc.Category, rc.Management = cairn.EventCategoryManagement, true
	if meta.DataEvents {
		rc.Category, rc.Management = cairn.EventCategoryData, false
	}

	body, err := readBody(w, r, g.maxBody())
	if err != nil {
		rc.NoRecord = true
		g.finish(ctx, w, rc, p, err)
		return
	}
	rc.Operation = p.operation(r, body)

	auth, err := g.Auth.Authenticate(ctx, r, body)
	if err != nil {
		akid, region, _ := g.Auth.Peek(r)
		rc.Region = g.region(meta, region)
		if akid != "" {
			if c, cerr := g.Creds.Credential(ctx, akid); cerr == nil {
				pr := c.Principal
				rc.Principal = &pr
			} else {
				rc.Principal = &cairn.Principal{Type: cairn.PrincipalUnknown, AccessKeyID: akid}
			}
		}
		rc.Principal = unauthenticated(rc.Principal)
		rc.Unauthenticated = true
		g.finish(ctx, w, rc, p, g.Auth.AuthError(err, p.name()))
		return
	}
	rc.Principal = &auth.Principal
	rc.Region = g.region(meta, auth.Region)
	rc.ReadOnly = p.ops().readOnly(rc.Operation)

	in, ok := p.ops().NewInput(rc.Operation)
	if !ok {
		g.finish(ctx, w, rc, p, p.unknownOperation(rc.Operation))
		return
	}
	if err := p.decode(r, body, in); err != nil {
		g.finish(ctx, w, rc, p, err)
		return
	}
	rc.Input = in
	if p.ops().RecordInput != nil {
		rc.RequestParameters = p.ops().RecordInput(rc.Operation, in)
	}
	if err := in.Validate(); err != nil {
		var ve *awsproto.ValidationError
		if errors.As(err, &ve) && p.ops().MapValidation != nil {
			err = p.ops().MapValidation(rc.Operation, ve)
		}
		g.finish(ctx, w, rc, p, err)
		return
	}
	out, err := p.ops().Invoke(ctx, rc.Operation, in)
	if err != nil {
		g.finish(ctx, w, rc, p, err)
		return
	}
	rc.Output = out
	g.finish(ctx, w, rc, p, nil)
}

// unauthenticated marks a principal whose request failed authentication: it keeps
// the account and key it claimed, for the record, but is never trusted.
func unauthenticated(p *cairn.Principal) *cairn.Principal {
	if p == nil {
		return &cairn.Principal{Type: cairn.PrincipalUnknown}
	}
	return p
}

// finish records the call, then writes the response: nothing is acknowledged to the
// client before its event is durable.
func (g *Gateway) finish(ctx context.Context, w http.ResponseWriter, rc *awsproto.RequestContext, p protocol, err error) {
	if err != nil {
		rc.Err = awsproto.AsError(err)
		switch {
		case rc.Err.(*awsproto.Error).Code != "InternalFailure":
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			// The client went away mid-call: not a server fault.
			rc.Err = awsproto.NewError("RequestCanceled", 499, "The client closed the connection before the response.")
			g.Logger.Debug("request canceled by the client", "request_id", rc.RequestID, "operation", rc.Operation)
		default:
			g.Logger.Error("request failed", "request_id", rc.RequestID, "operation", rc.Operation, "err", err)
		}
	}
	if rerr := g.Recorder.Record(context.WithoutCancel(ctx), rc); rerr != nil {
		g.Logger.Error("record event", "request_id", rc.RequestID, "operation", rc.Operation, "err", rerr)
		rc.Err = awsproto.NewError("ServiceUnavailable", http.StatusServiceUnavailable, "The event for this request could not be recorded; the request must be retried.")
	}
	g.Metrics.observe(rc, g.Clock.Now().Sub(rc.Start))
	if rc.Err != nil {
		p.writeError(w, rc, rc.Err.(*awsproto.Error))
		return
	}
	p.writeResponse(w, rc, rc.Output)
}

func (g *Gateway) region(m Meta, signed string) string {
	switch {
	case m.GlobalRegion != "":
		return m.GlobalRegion
	case signed != "":
		return signed
	case g.DefaultRegion != "":
		return g.DefaultRegion
	}
	return "us-east-1"
}

func (g *Gateway) maxBody() int64 {
	if g.MaxBodyBytes > 0 {
		return g.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

func (g *Gateway) serveHealth(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	if g.Ready != nil {
		if err := g.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "{\"status\":\"starting\",\"detail\":%q}\n", err.Error())
			return
		}
	}
	fmt.Fprintln(w, `{"status":"ok"}`)
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, awsproto.NewError("RequestEntityTooLarge", http.StatusRequestEntityTooLarge, "Request body is larger than %d bytes.", limit)
	}
	if err != nil {
		return nil, awsproto.NewError("IncompleteBody", http.StatusBadRequest, "The request body could not be read.")
	}
	return body, nil
}

func tlsDetails(r *http.Request) *cairn.TLSDetails {
	if r.TLS == nil {
		return nil
	}
	v := "TLSv1.2"
	switch r.TLS.Version {
	case tls.VersionTLS13:
		v = "TLSv1.3"
	case tls.VersionTLS11:
		v = "TLSv1.1"
	case tls.VersionTLS10:
		v = "TLSv1"
	}
	return &cairn.TLSDetails{TLSVersion: v, CipherSuite: tls.CipherSuiteName(r.TLS.CipherSuite), ClientProvidedHostHeader: r.Host}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
