package cloudfront

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/kvs"
)

// KeyValueStores implements the five key value store operations of the CloudFront
// control plane over a kvs.Manager. It does not embed cloudfront.UnimplementedService:
// cmd/cairn composes it with the Provider, struct{ *Provider; *KeyValueStores }, so its
// methods (shallower) win over the Provider's unimplemented ones.
type KeyValueStores struct {
	Stores *kvs.Manager
	// LocationBase is the scheme and host of CreateKeyValueStore's Location header;
	// "" means https://cloudfront.amazonaws.com.
	LocationBase string
}

const (
	kvsDefaultLocationBase = "https://cloudfront.amazonaws.com"
	kvsDefaultMaxItems     = 100
)

// kvsCaller returns the caller's account from the request context.
func kvsCaller(ctx context.Context) (*awsproto.RequestContext, string, error) {
	rc := awsproto.FromContext(ctx)
	if rc == nil || rc.Principal == nil || rc.Principal.AccountID == "" {
		return nil, "", cloudfront.NewAccessDenied("Access denied.")
	}
	return rc, rc.Principal.AccountID, nil
}

// kvsTouches names the store an operation acted on, for LookupEvents.
func kvsTouches(rc *awsproto.RequestContext, in *kvs.Info) {
	rc.LookupResources = append(rc.LookupResources, cairn.LookupResource{Type: kvs.ResourceType, Name: in.ARN})
}

// kvsError maps a kvs domain error to the CloudFront error AWS returns for it.
func kvsError(err error) error {
	var e *kvs.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Kind {
	case kvs.KindInvalid:
		return cloudfront.NewInvalidArgument("%s", e.Message)
	case kvs.KindStoreNotFound, kvs.KindKeyNotFound:
		return cloudfront.NewEntityNotFound("%s", e.Message)
	case kvs.KindNameExists:
		return cloudfront.NewEntityAlreadyExists("%s", e.Message)
	case kvs.KindStoreLimit:
		return cloudfront.NewEntityLimitExceeded("%s", e.Message)
	case kvs.KindSizeLimit:
		return cloudfront.NewEntitySizeLimitExceeded("%s", e.Message)
	case kvs.KindIfMatchMissing:
		return cloudfront.NewInvalidIfMatchVersion("%s", e.Message)
	case kvs.KindETagMismatch, kvs.KindBusy:
		return cloudfront.NewPreconditionFailed("%s", e.Message)
	case kvs.KindUnsupported:
		return cloudfront.NewUnsupportedOperation("%s", e.Message)
	}
	return err
}

func kvsStr(s string) *string { return &s }

func kvsDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func kvsTime(t time.Time) *awsproto.Timestamp { return awsproto.NewTimestamp(t) }

// keyValueStoreShape is the KeyValueStore element of the responses.
func keyValueStoreShape(in *kvs.Info) *cloudfront.KeyValueStore {
	return &cloudfront.KeyValueStore{
		Name: kvsStr(in.Name), Id: kvsStr(in.ID), Comment: kvsStr(in.Comment), ARN: kvsStr(in.ARN),
		Status: kvsStr(in.Status), LastModifiedTime: kvsTime(in.LastModified),
	}
}

// CreateKeyValueStore implements cloudfront.Service.
func (k *KeyValueStores) CreateKeyValueStore(ctx context.Context, in *cloudfront.CreateKeyValueStoreRequest) (*cloudfront.CreateKeyValueStoreResult, error) {
	rc, account, err := kvsCaller(ctx)
	if err != nil {
		return nil, err
	}
	if in.ImportSource != nil {
		return nil, cloudfront.NewUnsupportedOperation("Importing key value store data from %s is not supported by Cairn; create the store empty and add keys with PutKey or UpdateKeys.", kvsDeref(in.ImportSource.SourceARN))
	}
	p := kvs.CreateParams{Name: kvsDeref(in.Name), Comment: kvsDeref(in.Comment)}
	if in.Tags != nil {
		for _, t := range in.Tags.Items {
			p.Tags = append(p.Tags, kvs.Tag{Key: kvsDeref(t.Key), Value: kvsDeref(t.Value)})
		}
	}
	info, err := k.Stores.Create(ctx, account, p)
	if err != nil {
		return nil, kvsError(err)
	}
	kvsTouches(rc, info)
	base := k.LocationBase
	if base == "" {
		base = kvsDefaultLocationBase
	}
	return &cloudfront.CreateKeyValueStoreResult{
		ETag:          kvsStr(info.ETag),
		KeyValueStore: keyValueStoreShape(info),
		Location:      kvsStr(strings.TrimSuffix(base, "/") + "/" + cloudfront.APIVersion + "/key-value-store/" + info.Name),
	}, nil
}

// DescribeKeyValueStore implements cloudfront.Service.
func (k *KeyValueStores) DescribeKeyValueStore(ctx context.Context, in *cloudfront.DescribeKeyValueStoreRequest) (*cloudfront.DescribeKeyValueStoreResult, error) {
	rc, account, err := kvsCaller(ctx)
	if err != nil {
		return nil, err
	}
	info, err := k.Stores.Describe(ctx, account, kvsDeref(in.Name))
	if err != nil {
		return nil, kvsError(err)
	}
	kvsTouches(rc, info)
	return &cloudfront.DescribeKeyValueStoreResult{ETag: kvsStr(info.ETag), KeyValueStore: keyValueStoreShape(info)}, nil
}

// UpdateKeyValueStore implements cloudfront.Service.
func (k *KeyValueStores) UpdateKeyValueStore(ctx context.Context, in *cloudfront.UpdateKeyValueStoreRequest) (*cloudfront.UpdateKeyValueStoreResult, error) {
	rc, account, err := kvsCaller(ctx)
	if err != nil {
		return nil, err
	}
	info, err := k.Stores.UpdateComment(ctx, account, kvsDeref(in.Name), kvsDeref(in.IfMatch), kvsDeref(in.Comment))
	if err != nil {
		return nil, kvsError(err)
	}
	kvsTouches(rc, info)
	return &cloudfront.UpdateKeyValueStoreResult{ETag: kvsStr(info.ETag), KeyValueStore: keyValueStoreShape(info)}, nil
}

// DeleteKeyValueStore implements cloudfront.Service.
func (k *KeyValueStores) DeleteKeyValueStore(ctx context.Context, in *cloudfront.DeleteKeyValueStoreRequest) (*cloudfront.DeleteKeyValueStoreOutput, error) {
	rc, account, err := kvsCaller(ctx)
	if err != nil {
		return nil, err
	}
	info, err := k.Stores.Delete(ctx, account, kvsDeref(in.Name), kvsDeref(in.IfMatch))
	if err != nil {
		return nil, kvsError(err)
	}
	kvsTouches(rc, info)
	return &cloudfront.DeleteKeyValueStoreOutput{}, nil
}

// ListKeyValueStores implements cloudfront.Service. Stores are listed by name;
// NextMarker is the name of the last store returned.
func (k *KeyValueStores) ListKeyValueStores(ctx context.Context, in *cloudfront.ListKeyValueStoresRequest) (*cloudfront.ListKeyValueStoresResult, error) {
	_, account, err := kvsCaller(ctx)
	if err != nil {
		return nil, err
	}
	maxItems := kvsDefaultMaxItems
	if in.MaxItems != nil {
		n, err := strconv.Atoi(*in.MaxItems)
		if err != nil || n < 1 {
			return nil, cloudfront.NewInvalidArgument("MaxItems must be a positive integer, not %q.", *in.MaxItems)
		}
		maxItems = min(n, kvsDefaultMaxItems)
	}
	stores, next, err := k.Stores.List(ctx, account, kvs.ListParams{Marker: kvsDeref(in.Marker), MaxItems: maxItems, Status: kvsDeref(in.Status)})
	if err != nil {
		return nil, kvsError(err)
	}
	list := &cloudfront.KeyValueStoreList{MaxItems: kvsInt32(maxItems), Quantity: kvsInt32(len(stores))}
	for _, s := range stores {
		list.Items = append(list.Items, *keyValueStoreShape(s))
	}
	if next != "" {
		list.NextMarker = kvsStr(next)
	}
	return &cloudfront.ListKeyValueStoresResult{KeyValueStoreList: list}, nil
}

func kvsInt32(n int) *int32 {
	v := int32(n)
	return &v
}
