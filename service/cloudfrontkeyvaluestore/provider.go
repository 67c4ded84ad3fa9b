package cloudfrontkeyvaluestore

import (
	"context"
	"errors"

	"github.com/cairnhq/cairn"
	api "github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/kvs"
)

// EventSource is the eventSource CloudTrail records for this API
// (edgekeyvaluestore.amazonaws.com, as in AWS's UpdateKeys example), which differs from
// the model-derived api.EventSource.
const EventSource = "edgekeyvaluestore.amazonaws.com"

// Provider implements the CloudFront KeyValueStore data plane.
type Provider struct {
	api.UnimplementedService
	Stores *kvs.Manager
}

var _ api.Service = (*Provider)(nil)

// call is the state of one data-plane request.
type call struct {
	rc      *awsproto.RequestContext
	account string
}

// begin marks the request as a data event and returns the caller's account.
func begin(ctx context.Context, readOnly bool) (*call, error) {
	rc := awsproto.FromContext(ctx)
	if rc == nil || rc.Principal == nil || rc.Principal.AccountID == "" {
		return nil, api.NewAccessDeniedException("Access denied.")
	}
	rc.Category = cairn.EventCategoryData
	rc.Management = false
	rc.ReadOnly = readOnly
	return &call{rc: rc, account: rc.Principal.AccountID}, nil
}

// store resolves KvsARN (an ARN, or a bare store id) to a store id of the caller's
// account, and names the store in the record's resources. Another account's store is
// not found.
func (c *call) store(kvsARN *string) (string, error) {
	ref := deref(kvsARN)
	account, id, ok := kvs.ParseARN(ref)
	if !ok {
		if !kvs.IsID(ref) {
			return "", api.NewValidationException("The KvsARN %s is not the ARN of a key value store.", ref)
		}
		account, id = c.account, ref
	}
	c.rc.RecordResources = []cairn.Resource{{AccountID: account, Type: kvs.ResourceType, ARN: kvs.ARN(account, id)}}
	if account != c.account {
		return "", api.NewResourceNotFoundException("The key value store %s was not found.", ref)
	}
	return id, nil
}

// mapError turns a kvs domain error into the modeled error AWS returns for it.
func mapError(err error) error {
	var e *kvs.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Kind {
	case kvs.KindInvalid, kvs.KindIfMatchMissing:
		return api.NewValidationException("%s", e.Message)
	case kvs.KindStoreNotFound, kvs.KindKeyNotFound:
		return api.NewResourceNotFoundException("%s", e.Message)
	case kvs.KindSizeLimit, kvs.KindStoreLimit:
		return api.NewServiceQuotaExceededException("%s", e.Message)
	case kvs.KindETagMismatch, kvs.KindNotReady, kvs.KindBusy:
		return api.NewConflictException("%s", e.Message)
	}
	return err
}

// --- what the CloudTrail record holds ---

// keyOnly is a put or delete as the record shows it: the key, never the value.
type keyOnly struct {
	Key *string `json:"Key,omitempty"`
}

// updateKeysParameters are the requestParameters of UpdateKeys:
// {kvsARN, ifMatch, puts: [{key}], deletes: [{key}]}.
type updateKeysParameters struct {
	KvsARN  *string   `json:"KvsARN,omitempty"`
	IfMatch *string   `json:"IfMatch,omitempty"`
	Puts    []keyOnly `json:"Puts,omitempty"`
	Deletes []keyOnly `json:"Deletes,omitempty"`
}

// keyParameters are the requestParameters of PutKey and DeleteKey: {kvsARN, key, ifMatch}.
type keyParameters struct {
	KvsARN  *string `json:"KvsARN,omitempty"`
	Key     *string `json:"Key,omitempty"`
	IfMatch *string `json:"IfMatch,omitempty"`
}

// writeResponseElements are the responseElements of PutKey, DeleteKey and UpdateKeys:
// {itemCount, totalSizeInBytes, eTag} (capture lowercases the first letter).
type writeResponseElements struct {
	ItemCount        int32  `json:"ItemCount"`
	TotalSizeInBytes int64  `json:"TotalSizeInBytes"`
	ETag             string `json:"ETag"`
}

// RecordedRequestParameters makes rc's record show v as its requestParameters instead
// of the decoded input. The provider calls it before any other work, so that failed
// calls are recorded without values too.
func RecordedRequestParameters(rc *awsproto.RequestContext, v any) {
	rc.RequestParameters = v
}

// RedactedRequestParameters returns what the record shows as the requestParameters of
// in, an input of this API: for PutKey and UpdateKeys the input without any value
// ({kvsARN, key, ifMatch}; {kvsARN, ifMatch, puts: [{key}], deletes: [{key}]}), for
// the other operations nil (record the input as is). The gateway may use it for
// requests refused before the provider runs.
func RedactedRequestParameters(in any) any {
	switch in := in.(type) {
	case *api.PutKeyRequest:
		return &keyParameters{KvsARN: in.KvsARN, Key: in.Key, IfMatch: in.IfMatch}
	case *api.UpdateKeysRequest:
		params := &updateKeysParameters{KvsARN: in.KvsARN, IfMatch: in.IfMatch}
		if in.Puts != nil {
			params.Puts = make([]keyOnly, 0, len(in.Puts))
			for _, it := range in.Puts {
				params.Puts = append(params.Puts, keyOnly{Key: it.Key})
			}
		}
		if in.Deletes != nil {
			params.Deletes = make([]keyOnly, 0, len(in.Deletes))
			for _, it := range in.Deletes {
				params.Deletes = append(params.Deletes, keyOnly{Key: it.Key})
			}
		}
		return params
	}
	return nil
}

func recordWrite(rc *awsproto.RequestContext, in *kvs.Info) {
	rc.ResponseElements = &writeResponseElements{ItemCount: int32(in.ItemCount), TotalSizeInBytes: in.TotalSizeInBytes, ETag: in.DataETag}
}

// --- operations ---

// DescribeKeyValueStore implements api.Service.
func (p *Provider) DescribeKeyValueStore(ctx context.Context, in *api.DescribeKeyValueStoreRequest) (*api.DescribeKeyValueStoreResponse, error) {
	c, err := begin(ctx, true)
	if err != nil {
		return nil, err
	}
	id, err := c.store(in.KvsARN)
	if err != nil {
		return nil, err
	}
	info, err := p.Stores.DescribeData(ctx, c.account, id)
	if err != nil {
		return nil, mapError(err)
	}
	return &api.DescribeKeyValueStoreResponse{
		KvsARN: ptr(info.ARN), ETag: ptr(info.DataETag), Status: ptr(info.Status),
		ItemCount: ptr(int32(info.ItemCount)), TotalSizeInBytes: ptr(info.TotalSizeInBytes),
		Created: awsproto.NewTimestamp(info.Created), LastModified: awsproto.NewTimestamp(info.DataModified),
	}, nil
}

// GetKey implements api.Service.
func (p *Provider) GetKey(ctx context.Context, in *api.GetKeyRequest) (*api.GetKeyResponse, error) {
	c, err := begin(ctx, true)
	if err != nil {
		return nil, err
	}
	id, err := c.store(in.KvsARN)
	if err != nil {
		return nil, err
	}
	it, info, err := p.Stores.GetKey(ctx, c.account, id, deref(in.Key))
	if err != nil {
		return nil, mapError(err)
	}
	return &api.GetKeyResponse{
		Key: ptr(it.Key), Value: ptr(it.Value),
		ItemCount: ptr(int32(info.ItemCount)), TotalSizeInBytes: ptr(info.TotalSizeInBytes),
	}, nil
}

// ListKeys implements api.Service.
func (p *Provider) ListKeys(ctx context.Context, in *api.ListKeysRequest) (*api.ListKeysResponse, error) {
	c, err := begin(ctx, true)
	if err != nil {
		return nil, err
	}
	id, err := c.store(in.KvsARN)
	if err != nil {
		return nil, err
	}
	max := 0
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > kvs.MaxListMax {
			return nil, api.NewValidationException("MaxResults must be between 1 and %d.", kvs.MaxListMax)
		}
		max = int(*in.MaxResults)
	}
	items, next, err := p.Stores.ListKeys(ctx, c.account, id, deref(in.NextToken), max)
	if err != nil {
		return nil, mapError(err)
	}
	out := &api.ListKeysResponse{Items: make([]api.ListKeysResponseListItem, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, api.ListKeysResponseListItem{Key: ptr(it.Key), Value: ptr(it.Value)})
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}

// PutKey implements api.Service.
func (p *Provider) PutKey(ctx context.Context, in *api.PutKeyRequest) (*api.PutKeyResponse, error) {
	c, err := begin(ctx, false)
	if err != nil {
		return nil, err
	}
	RecordedRequestParameters(c.rc, RedactedRequestParameters(in))
	id, err := c.store(in.KvsARN)
	if err != nil {
		return nil, err
	}
	if in.Value == nil {
		return nil, api.NewValidationException("Value is required.")
	}
	info, err := p.Stores.Put(ctx, c.account, id, deref(in.IfMatch), deref(in.Key), *in.Value)
	if err != nil {
		return nil, mapError(err)
	}
	recordWrite(c.rc, info)
	return &api.PutKeyResponse{ETag: ptr(info.DataETag), ItemCount: ptr(int32(info.ItemCount)), TotalSizeInBytes: ptr(info.TotalSizeInBytes)}, nil
}

// DeleteKey implements api.Service.
func (p *Provider) DeleteKey(ctx context.Context, in *api.DeleteKeyRequest) (*api.DeleteKeyResponse, error) {
	c, err := begin(ctx, false)
	if err != nil {
		return nil, err
	}
	RecordedRequestParameters(c.rc, &keyParameters{KvsARN: in.KvsARN, Key: in.Key, IfMatch: in.IfMatch})
	id, err := c.store(in.KvsARN)
	if err != nil {
		return nil, err
	}
	info, err := p.Stores.DeleteKey(ctx, c.account, id, deref(in.IfMatch), deref(in.Key))
	if err != nil {
		return nil, mapError(err)
	}
	recordWrite(c.rc, info)
	return &api.DeleteKeyResponse{ETag: ptr(info.DataETag), ItemCount: ptr(int32(info.ItemCount)), TotalSizeInBytes: ptr(info.TotalSizeInBytes)}, nil
}

// UpdateKeys implements api.Service: all puts and deletes are applied together, or
// none.
func (p *Provider) UpdateKeys(ctx context.Context, in *api.UpdateKeysRequest) (*api.UpdateKeysResponse, error) {
	c, err := begin(ctx, false)
	if err != nil {
		return nil, err
	}
	RecordedRequestParameters(c.rc, RedactedRequestParameters(in))
	id, err := c.store(in.KvsARN)
	if err != nil {
		return nil, err
	}
	puts := make([]kvs.Item, 0, len(in.Puts))
	for _, it := range in.Puts {
		if it.Key == nil || it.Value == nil {
			return nil, api.NewValidationException("Every put needs a Key and a Value.")
		}
		puts = append(puts, kvs.Item{Key: *it.Key, Value: *it.Value})
	}
	deletes := make([]string, 0, len(in.Deletes))
	for _, it := range in.Deletes {
		if it.Key == nil {
			return nil, api.NewValidationException("Every delete needs a Key.")
		}
		deletes = append(deletes, *it.Key)
	}
	info, err := p.Stores.Update(ctx, c.account, id, deref(in.IfMatch), puts, deletes)
	if err != nil {
		return nil, mapError(err)
	}
	recordWrite(c.rc, info)
	return &api.UpdateKeysResponse{ETag: ptr(info.DataETag), ItemCount: ptr(int32(info.ItemCount)), TotalSizeInBytes: ptr(info.TotalSizeInBytes)}, nil
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
