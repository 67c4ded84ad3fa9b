package cloudfront

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/cairnhq/cairn/api/cloudfront"
)

// MaxTagsPerResource is CloudFront's limit of tags per resource.
const MaxTagsPerResource = 50

var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

func validateTagKey(k string) error {
	if n := utf8.RuneCountInString(k); n < 1 || n > 128 || !tagChars.MatchString(k) {
		return cloudfront.NewInvalidTagging("The tag key is not valid: it must be 1 to 128 characters of letters, digits, spaces and _ . : / = + - @.")
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return cloudfront.NewInvalidTagging("The tag key prefix aws: is reserved for AWS use: %s", k)
	}
	return nil
}

// mergeTags adds or replaces tags (in request order) and enforces the limits.
func mergeTags(cur []distTag, add []cloudfront.Tag) ([]distTag, error) {
	out := append([]distTag{}, cur...)
	for _, t := range add {
		k, v := deref(t.Key), deref(t.Value)
		if err := validateTagKey(k); err != nil {
			return nil, err
		}
		if utf8.RuneCountInString(v) > 256 || !tagChars.MatchString(v) {
			return nil, cloudfront.NewInvalidTagging("The tag value is not valid: it must be at most 256 characters of letters, digits, spaces and _ . : / = + - @.")
		}
		replaced := false
		for i := range out {
			if out[i].Key == k {
				out[i].Value, replaced = v, true
			}
		}
		if !replaced {
			out = append(out, distTag{Key: k, Value: v})
		}
	}
	if len(out) > MaxTagsPerResource {
		return nil, cloudfront.NewInvalidTagging("The resource would have more than %d tags.", MaxTagsPerResource)
	}
	return out, nil
}

// tagTarget resolves a tagging Resource ARN to a distribution of the caller's account.
// CloudFront tags other resource types too, none of which Cairn implements yet.
func tagTarget(account, arn string) (string, error) {
	const prefix = "arn:aws:cloudfront::"
	if !strings.HasPrefix(arn, prefix) {
		return "", cloudfront.NewInvalidArgument("The specified resource ARN is not valid: %s", arn)
	}
	acct, rest, ok := strings.Cut(arn[len(prefix):], ":")
	if !ok || acct == "" {
		return "", cloudfront.NewInvalidArgument("The specified resource ARN is not valid: %s", arn)
	}
	typ, id, _ := strings.Cut(rest, "/")
	if acct != account || typ != "distribution" || !validID(id) {
		return "", cloudfront.NewNoSuchResource("The specified resource does not exist: %s", arn)
	}
	return id, nil
}

func noSuchResourceFor(err error, arn string) error {
	if isAPIError(err, "NoSuchDistribution") {
		return cloudfront.NewNoSuchResource("The specified resource does not exist: %s", arn)
	}
	return err
}

// TagResource implements cloudfront.Service for distributions. Tagging does not
// change the distribution's ETag or Status.
func (p *Provider) TagResource(ctx context.Context, in *cloudfront.TagResourceRequest) (*cloudfront.TagResourceOutput, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	arn := deref(in.Resource)
	id, err := tagTarget(account, arn)
	if err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeDistribution, arn)
	if _, err := mergeTags(nil, in.Tags.Items); err != nil {
		return nil, err
	}
	_, err = p.mutateDist(ctx, account, id, func(r *distRecord) error {
		tags, err := mergeTags(r.Tags, in.Tags.Items)
		r.Tags = tags
		return err
	})
	if err != nil {
		return nil, noSuchResourceFor(err, arn)
	}
	return &cloudfront.TagResourceOutput{}, nil
}

// UntagResource implements cloudfront.Service for distributions. Keys the resource
// does not have are ignored.
func (p *Provider) UntagResource(ctx context.Context, in *cloudfront.UntagResourceRequest) (*cloudfront.UntagResourceOutput, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	arn := deref(in.Resource)
	id, err := tagTarget(account, arn)
	if err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeDistribution, arn)
	drop := map[string]bool{}
	for _, k := range in.TagKeys.Items {
		if err := validateTagKey(k); err != nil {
			return nil, err
		}
		drop[k] = true
	}
	_, err = p.mutateDist(ctx, account, id, func(r *distRecord) error {
		kept := r.Tags[:0]
		for _, t := range r.Tags {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return nil
	})
	if err != nil {
		return nil, noSuchResourceFor(err, arn)
	}
	return &cloudfront.UntagResourceOutput{}, nil
}

// ListTagsForResource implements cloudfront.Service for distributions.
func (p *Provider) ListTagsForResource(ctx context.Context, in *cloudfront.ListTagsForResourceRequest) (*cloudfront.ListTagsForResourceResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	arn := deref(in.Resource)
	id, err := tagTarget(account, arn)
	if err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeDistribution, arn)
	r, _, err := p.loadDist(ctx, account, id)
	if err != nil {
		return nil, noSuchResourceFor(err, arn)
	}
	items := make([]cloudfront.Tag, 0, len(r.Tags))
	for _, t := range r.Tags {
		items = append(items, cloudfront.Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return &cloudfront.ListTagsForResourceResult{Tags: &cloudfront.Tags{Items: items}}, nil
}
