package capture

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/google/uuid"
)

// Limits on record fields, as CloudTrail applies them (spec §7.1).
const (
	maxFieldBytes  = 1024       // userAgent, errorCode, errorMessage, requestID
	maxParamsBytes = 100 * 1024 // requestParameters, responseElements
)

// Recorder builds CloudTrail records and appends them to the event log.
type Recorder struct {
	Log    cairn.EventLog
	Clock  cairn.Clock
	Logger *slog.Logger
	// DefaultAccount receives events whose caller could not be identified.
	DefaultAccount string
	// FailedAuth bounds how many unauthenticated calls are recorded.
	FailedAuth *Limiter

	recorded atomic.Uint64
}

// Recorded is the number of events appended so far.
func (r *Recorder) Recorded() uint64 { return r.recorded.Load() }

// Record builds the event for rc and appends it durably. It returns nil without
// recording when rc.NoRecord is set, or when rc is an unauthenticated call refused
// by the failed-authentication limiter.
func (r *Recorder) Record(ctx context.Context, rc *awsproto.RequestContext) error {
	if rc.NoRecord {
		return nil
	}
	if (rc.Unauthenticated || rc.Principal == nil) && r.FailedAuth != nil && !r.FailedAuth.Allow() {
		return nil
	}
	ev, err := r.Build(rc)
	if err != nil {
		return err
	}
	if err := r.Log.Append(ctx, ev); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	r.recorded.Add(1)
	rc.Recorded = true
	return nil
}

// Build turns rc into an event without appending it.
func (r *Recorder) Build(rc *awsproto.RequestContext) (*cairn.Event, error) {
	now := r.Clock.Now().UTC()
	p := cairn.Principal{Type: cairn.PrincipalUnknown, AccountID: r.DefaultAccount}
	if rc.Principal != nil {
		p = *rc.Principal
	}
	account := p.AccountID
	if account == "" {
		account = r.DefaultAccount
	}
	rec := &cairn.Record{
		EventVersion:       cairn.EventVersion,
		UserIdentity:       cairn.UserIdentityOf(p),
		EventTime:          cairn.FormatEventTime(now),
		EventSource:        rc.EventSource,
		EventName:          rc.Operation,
		AWSRegion:          rc.Region,
		SourceIPAddress:    sourceIP(rc.SourceIP),
		UserAgent:          truncate(rc.UserAgent, maxFieldBytes),
		RequestID:          rc.RequestID,
		EventID:            uuid.NewString(),
		ReadOnly:           &rc.ReadOnly,
		Resources:          rc.RecordResources,
		EventType:          cairn.EventTypeAPICall,
		APIVersion:         rc.APIVersion,
		ManagementEvent:    &rc.Management,
		RecipientAccountID: account,
		EventCategory:      rc.Category,
		TLSDetails:         rc.TLS,
	}
	if rec.EventCategory == "" {
		rec.EventCategory = cairn.EventCategoryManagement
	}
	if !rc.Unauthenticated {
		in := rc.Input
		if rc.RequestParameters != nil {
			in = rc.RequestParameters
		}
		rec.RequestParameters = limitParams(Params(in))
	}
	opts := ParamOptions{OmitEmptyLists: rc.XMLResponses}
	if rc.Err != nil {
		e := awsproto.AsError(rc.Err)
		rec.ErrorCode = truncate(e.Code, maxFieldBytes)
		rec.ErrorMessage = truncate(e.Message, maxFieldBytes)
	} else if rc.ResponseElements != nil {
		rec.ResponseElements = limitParams(ParamsWith(rc.ResponseElements, opts))
	} else if !rc.ReadOnly {
		rec.ResponseElements = limitParams(ParamsWith(rc.Output, opts))
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("marshal record: %w", err)
	}
	readOnly := "false"
	if rc.ReadOnly {
		readOnly = "true"
	}
	return &cairn.Event{
		Record:  rec,
		Raw:     raw,
		Time:    now,
		Account: account,
		Region:  rc.Region,
		Lookup: cairn.LookupFields{
			EventID:     rec.EventID,
			EventName:   rec.EventName,
			EventSource: rec.EventSource,
			ReadOnly:    readOnly,
			Username:    cairn.LookupUsername(p),
			AccessKeyID: p.AccessKeyID,
			Category:    rec.EventCategory,
			Resources:   rc.LookupResources,
		},
	}, nil
}

func limitParams(b json.RawMessage) json.RawMessage {
	if len(b) > maxParamsBytes {
		return nil
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func sourceIP(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}
