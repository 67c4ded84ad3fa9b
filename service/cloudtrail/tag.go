package cloudtrail

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Tag limits.
const (
	MaxTagsPerResource   = 50
	MaxTagKeyLength      = 128
	MaxTagValueLength    = 256
	MaxListTagsResources = 20
)

// Tag is a resource tag. An empty Value is a tag without a value (null on the wire);
// the model does not allow an empty string value.
type Tag struct {
	Key   string
	Value string
}

// ResourceTags is one entry of the ListTags response.
type ResourceTags struct {
	ResourceID string
	Tags       []Tag
}

func validateTag(t Tag) error {
	if n := utf8.RuneCountInString(t.Key); n < 1 || n > MaxTagKeyLength {
		return ctError(CodeInvalidTagParameter, "Tag key must be between 1 and %d characters long; %q has %d.", MaxTagKeyLength, t.Key, n)
	}
	if !utf8.ValidString(t.Key) || !utf8.ValidString(t.Value) {
		return ctError(CodeInvalidTagParameter, "Tag keys and values must be valid UTF-8.")
	}
	if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
		return ctError(CodeInvalidTagParameter, "Tag keys cannot start with the reserved prefix aws: (%q).", t.Key)
	}
	if n := utf8.RuneCountInString(t.Value); n > MaxTagValueLength {
		return ctError(CodeInvalidTagParameter, "Tag value of key %q must be at most %d characters long; it has %d.", t.Key, MaxTagValueLength, n)
	}
	return nil
}

// mergeTags validates add and merges it into existing: a key already present takes the
// new value in place, new keys are appended in request order. The same key twice in add
// with different values is an InvalidTagParameterException; more than
// MaxTagsPerResource tags in the result is a TagsLimitExceededException.
func mergeTags(existing, add []Tag) ([]Tag, error) {
	inReq := map[string]string{}
	for _, t := range add {
		if err := validateTag(t); err != nil {
			return nil, err
		}
		if v, ok := inReq[t.Key]; ok && v != t.Value {
			return nil, ctError(CodeInvalidTagParameter, "Tag key %q is specified more than once with different values; tag keys must be unique.", t.Key)
		}
		inReq[t.Key] = t.Value
	}
	out := append([]Tag{}, existing...)
	pos := map[string]int{}
	for i, t := range out {
		pos[t.Key] = i
	}
	for _, t := range add {
		if i, ok := pos[t.Key]; ok {
			out[i].Value = t.Value
			continue
		}
		pos[t.Key] = len(out)
		out = append(out, t)
	}
	if len(out) > MaxTagsPerResource {
		return nil, ctError(CodeTagsLimitExceeded, "The number of tags on the resource would be %d; a resource can have at most %d tags.", len(out), MaxTagsPerResource)
	}
	return out, nil
}

// tagTarget checks a ResourceId of AddTags/RemoveTags/ListTags and returns the trail it
// names. Tag operations work only on trails of the caller's account and region (a
// multi-Region trail is tagged from its home region).
func tagTarget(account, region, id string) (trailRef, error) {
	a, ok := ParseARN(id)
	if !ok {
		return trailRef{}, ctError(CodeCloudTrailARNInvalid, "Invalid ARN: %q. Specify the ARN of a trail, e.g. arn:aws:cloudtrail:%s:%s:trail/MyTrail.", id, region, account)
	}
	if a.Partition != Partition {
		return trailRef{}, ctError(CodeCloudTrailARNInvalid, "Invalid ARN: %q.", id)
	}
	if a.Service != "cloudtrail" || a.ResourceType != "trail" {
		return trailRef{}, ctError(CodeResourceTypeNotSupported, "Resource type of %s is not supported: tags can be managed here only for trails.", id)
	}
	if a.Account != account {
		return trailRef{}, ctError(CodeCloudTrailARNInvalid, "AccountID in ARN is wrong, you can only access resources with AccountID %s.", account)
	}
	if a.Region != region {
		return trailRef{}, ctError(CodeCloudTrailARNInvalid, "Region in ARN is wrong, you can only access resources in region %s.", region)
	}
	return parseTrailRef(id)
}

func errResourceNotFound(id string) error {
	return ctError(CodeResourceNotFound, "Resource not found: %s", id)
}

// tagMutate applies fn to the tags of the trail resourceID names.
func (s *TrailStore) tagMutate(ctx context.Context, account, region, resourceID string, tags []Tag, fn func(cur []Tag) ([]Tag, error)) error {
	ref, err := tagTarget(account, region, resourceID)
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return ctError(CodeInvalidTagParameter, "TagsList must contain at least one tag.")
	}
	_, err = s.mutate(ctx, account, region, ref.Raw, func(t *Trail) error {
		out, err := fn(t.Tags)
		if err != nil {
			return err
		}
		t.Tags = out
		return nil
	})
	if isCTCode(err, CodeTrailNotFound) {
		return errResourceNotFound(resourceID)
	}
	return err
}

// AddTags implements AddTags: the tags are merged into the trail's tags, a new value
// replacing the old one of the same key.
func (s *TrailStore) AddTags(ctx context.Context, account, region, resourceID string, tags []Tag) error {
	return s.tagMutate(ctx, account, region, resourceID, tags, func(cur []Tag) ([]Tag, error) {
		return mergeTags(cur, tags)
	})
}

// RemoveTags implements RemoveTags: tags are removed by key (a value in the request is
// ignored); keys the trail does not have are ignored.
func (s *TrailStore) RemoveTags(ctx context.Context, account, region, resourceID string, tags []Tag) error {
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > MaxTagKeyLength {
			return ctError(CodeInvalidTagParameter, "Tag key must be between 1 and %d characters long; %q has %d.", MaxTagKeyLength, t.Key, n)
		}
	}
	return s.tagMutate(ctx, account, region, resourceID, tags, func(cur []Tag) ([]Tag, error) {
		drop := map[string]bool{}
		for _, t := range tags {
			drop[t.Key] = true
		}
		out := make([]Tag, 0, len(cur))
		for _, t := range cur {
			if !drop[t.Key] {
				out = append(out, t)
			}
		}
		return out, nil
	})
}

// ListTags implements ListTags for up to MaxListTagsResources trail ARNs of the caller's
// region. The result follows the order of resourceIDs (duplicates once); each trail's
// tags are in the order they were added.
func (s *TrailStore) ListTags(ctx context.Context, account, region string, resourceIDs []string) ([]ResourceTags, error) {
	if len(resourceIDs) > MaxListTagsResources {
		return nil, ctError(CodeInvalidParameter, "ResourceIdList can contain at most %d ARNs; %d were specified.", MaxListTagsResources, len(resourceIDs))
	}
	refs := make([]trailRef, 0, len(resourceIDs))
	for _, id := range resourceIDs {
		ref, err := tagTarget(account, region, id)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	out := make([]ResourceTags, 0, len(refs))
	seen := map[string]bool{}
	for _, ref := range refs {
		if seen[ref.Raw] {
			continue
		}
		seen[ref.Raw] = true
		t, _, err := s.resolve(ctx, account, region, ref)
		if err != nil {
			if isCTCode(err, CodeTrailNotFound) {
				return nil, errResourceNotFound(ref.Raw)
			}
			return nil, err
		}
		out = append(out, ResourceTags{ResourceID: t.ARN(), Tags: append([]Tag{}, t.Tags...)})
	}
	return out, nil
}
