package cloudfront

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/restxml"
)

// distTag is one tag of a distribution.
type distTag struct {
	Key   string
	Value string
}

// distRecord is a distribution as the Provider stores it (JSON in DistributionsBucket).
type distRecord struct {
	Account    string
	ID         string
	DomainName string
	ETag       string
	// Config is the configuration with AWS's defaults filled in.
	Config *cloudfront.DistributionConfig
	// Fingerprint is the SHA-256 of the configuration the distribution was created
	// with, as sent (CallerReference idempotency compares against it).
	Fingerprint  string
	Created      time.Time
	LastModified time.Time
	Tags         []distTag // in insertion order
}

func (r *distRecord) ARN() string { return DistributionARN(r.Account, r.ID) }

func distKey(account, id string) string { return account + "." + id }

func callerRefKey(account, ref string) string { return account + "." + encodeKeyPart(ref) }

// validID reports whether id can be a CloudFront resource id; anything else cannot
// exist and is never used in a key.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// distCache keeps decoded distribution documents by key and revision, so that a list
// only decodes documents that changed since the last one. It is only an optimisation:
// every read still goes to the MetaStore, and an entry is used only when its revision
// is the one the MetaStore returned. Cached records are shared and never modified.
//
// It also keeps, for up to maxWireCache bytes of XML, each record's
// DistributionSummary with its rest-xml form (for the status it was built with), so
// that a page of 1,000 summaries (3 MiB) is copied rather than built and encoded.
type distCache struct {
	mu       sync.Mutex
	accounts map[string]map[string]distCacheEntry
	wire     int // bytes of the entries' summaries' WireBody
}

type distCacheEntry struct {
	rev uint64
	rec *distRecord
	// sum is rec's summary, with its WireBody (rest-xml members) set, for the
	// Status it holds; nil until a list builds it. Shared: never modified.
	sum *cloudfront.DistributionSummary
}

// wireLen is the size of the entry's cached wire form.
func (ce distCacheEntry) wireLen() int {
	if ce.sum == nil {
		return 0
	}
	return len(ce.sum.WireBody)
}

// maxWireCache bounds the summaries' wire forms the cache keeps.
const maxWireCache = 64 << 20

// set stores ce under key in m, accounting for the wire form it replaces.
func (c *distCache) set(m map[string]distCacheEntry, key string, ce distCacheEntry) {
	c.wire += ce.wireLen() - m[key].wireLen()
	m[key] = ce
}

// drop removes key from m.
func (c *distCache) drop(m map[string]distCacheEntry, key string) {
	c.wire -= m[key].wireLen()
	delete(m, key)
}

// account returns the account's entries, creating the maps. Called with mu held.
func (c *distCache) account(account string) map[string]distCacheEntry {
	if c.accounts == nil {
		c.accounts = map[string]map[string]distCacheEntry{}
	}
	m := c.accounts[account]
	if m == nil {
		m = map[string]distCacheEntry{}
		c.accounts[account] = m
	}
	return m
}

func decodeDist(e cairn.MetaEntry) (*distRecord, error) {
	r := new(distRecord)
	if err := json.Unmarshal(e.Value, r); err != nil {
		return nil, fmt.Errorf("decode distribution %s: %w", e.Key, err)
	}
	return r, nil
}

// distEntries lists the account's distribution documents, sorted by key (and so by
// id), without their values (see withValues), and forgets cached documents that are
// gone.
func (p *Provider) distEntries(ctx context.Context, account string) ([]cairn.MetaEntry, error) {
	es, err := p.Meta.ListRevisions(ctx, DistributionsBucket, account+".")
	if err != nil {
		return nil, fmt.Errorf("list distributions: %w", err)
	}
	c := &p.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.accounts[account]; len(m) > len(es) {
		live := make(map[string]bool, len(es))
		for _, e := range es {
			live[e.Key] = true
		}
		for k := range m {
			if !live[k] {
				c.drop(m, k)
			}
		}
	}
	return es, nil
}

// withValues returns es (from distEntries) with the value of every entry whose
// revision is not cached read from the store; entries deleted since are left out.
func (p *Provider) withValues(ctx context.Context, account string, es []cairn.MetaEntry) ([]cairn.MetaEntry, error) {
	c := &p.cache
	var miss []int
	c.mu.Lock()
	m := c.accounts[account]
	for i, e := range es {
		if ce, ok := m[e.Key]; !ok || ce.rev != e.Revision {
			miss = append(miss, i)
		}
	}
	c.mu.Unlock()
	if len(miss) == 0 {
		return es, nil
	}
	gone := false
	for _, i := range miss {
		e, err := p.Meta.Get(ctx, DistributionsBucket, es[i].Key)
		switch {
		case errors.Is(err, cairn.ErrNotFound):
			es[i].Key, gone = "", true
		case err != nil:
			return nil, fmt.Errorf("read distribution: %w", err)
		default:
			es[i] = e
		}
	}
	if gone {
		es = slices.DeleteFunc(es, func(e cairn.MetaEntry) bool { return e.Key == "" })
	}
	return es, nil
}

// entryID is the distribution id of a document key "<account>.<id>".
func entryID(e cairn.MetaEntry) string { return e.Key[strings.LastIndexByte(e.Key, '.')+1:] }

// decodeEntries returns the records of es, decoding only documents whose revision is
// not cached. The records are shared with the cache: callers must not modify them.
func (p *Provider) decodeEntries(account string, es []cairn.MetaEntry) ([]*distRecord, error) {
	c := &p.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*distRecord, 0, len(es))
	err := c.each(account, es, func(_ string, ce distCacheEntry) error {
		out = append(out, ce.rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// each calls fn with the cache entry of each of es that is the account's, decoding
// documents whose revision is not cached and leaving out those deleted meanwhile.
// Called with mu held.
func (c *distCache) each(account string, es []cairn.MetaEntry, fn func(key string, ce distCacheEntry) error) error {
	m := c.account(account)
	for _, e := range es {
		ce, err := c.entry(m, e)
		if errors.Is(err, errUncached) {
			continue
		}
		if err != nil {
			return err
		}
		if ce.rec.Account != account {
			continue
		}
		if err := fn(e.Key, ce); err != nil {
			return err
		}
	}
	return nil
}

// entry returns the cache entry of e, decoding e if its revision is not cached.
// Called with mu held.
func (c *distCache) entry(m map[string]distCacheEntry, e cairn.MetaEntry) (distCacheEntry, error) {
	ce, ok := m[e.Key]
	if ok && ce.rev == e.Revision {
		return ce, nil
	}
	if e.Value == nil {
		// Cached when withValues looked, changed since by a write of this process
		// (cachePut keeps the newer document) or dropped by a concurrent list that
		// saw it deleted.
		if ok {
			return ce, nil
		}
		return distCacheEntry{}, errUncached
	}
	r, err := decodeDist(e)
	if err != nil {
		return distCacheEntry{}, err
	}
	ce = distCacheEntry{rev: e.Revision, rec: r}
	c.set(m, e.Key, ce)
	return ce, nil
}

// errUncached is entry's answer for an entry without value that is not cached
// (deleted meanwhile): lists leave it out.
var errUncached = errors.New("distribution document not cached")

// summaries returns the DistributionSummary of each of es (the account's), with its
// WireBody from the cache, or encoded and cached while the cache has room.
func (p *Provider) summaries(account string, es []cairn.MetaEntry) ([]cloudfront.DistributionSummary, error) {
	c := &p.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.account(account)
	out := make([]cloudfront.DistributionSummary, 0, len(es))
	err := c.each(account, es, func(key string, ce distCacheEntry) error {
		if ce.sum != nil && *ce.sum.Status == p.distStatus(ce.rec) {
			out = append(out, *ce.sum)
			return nil
		}
		s := p.summaryShape(ce.rec)
		if c.wire < maxWireCache {
			wire, err := restxml.AppendMembers(nil, &s)
			if err != nil {
				return fmt.Errorf("encode distribution summary %s: %w", ce.rec.ID, err)
			}
			s.WireBody = wire
			sum := s
			ce.sum = &sum
			c.set(m, key, ce)
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listDists returns every distribution of the account sorted by id (shared records:
// callers must not modify them).
func (p *Provider) listDists(ctx context.Context, account string) ([]*distRecord, error) {
	es, err := p.distEntries(ctx, account)
	if err != nil {
		return nil, err
	}
	if es, err = p.withValues(ctx, account, es); err != nil {
		return nil, err
	}
	return p.decodeEntries(account, es)
}

// cachePut records a document this process just wrote (write-through), so that the
// next list need not decode it. rec must not be modified afterwards.
func (p *Provider) cachePut(account string, rev uint64, rec *distRecord) {
	c := &p.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.account(account)
	key := distKey(account, rec.ID)
	if ce, ok := m[key]; !ok || ce.rev < rev {
		c.set(m, key, distCacheEntry{rev: rev, rec: rec})
	}
}

// loadDist reads one distribution for modification (a private copy) with its revision.
// An unknown id, or another account's, is NoSuchDistribution.
func (p *Provider) loadDist(ctx context.Context, account, id string) (*distRecord, uint64, error) {
	if !validID(id) {
		return nil, 0, errNoSuchDistribution()
	}
	e, err := p.Meta.Get(ctx, DistributionsBucket, distKey(account, id))
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, 0, errNoSuchDistribution()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read distribution: %w", err)
	}
	r, err := decodeDist(e)
	if err != nil {
		return nil, 0, err
	}
	return r, e.Revision, nil
}

// distExists reports whether the distribution document exists.
func (p *Provider) distExists(ctx context.Context, account, id string) (*distRecord, error) {
	r, _, err := p.loadDist(ctx, account, id)
	if isAPIError(err, "NoSuchDistribution") {
		return nil, nil
	}
	return r, err
}

func (p *Provider) oacExistsFunc(account string) func(ctx context.Context, id string) (bool, error) {
	return func(ctx context.Context, id string) (bool, error) {
		if !validID(id) {
			return false, nil
		}
		_, err := p.Meta.Get(ctx, OriginAccessControlsBucket, distKey(account, id))
		if errors.Is(err, cairn.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read origin access control: %w", err)
		}
		return true, nil
	}
}

// prepareConfig copies the configuration as sent, fingerprints it and validates and
// normalizes the copy (the request itself is left as sent, for the record).
func (p *Provider) prepareConfig(ctx context.Context, account string, in *cloudfront.DistributionConfig) (*cloudfront.DistributionConfig, string, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, "", fmt.Errorf("encode distribution config: %w", err)
	}
	sum := sha256.Sum256(raw)
	cfg := new(cloudfront.DistributionConfig)
	if err := json.Unmarshal(raw, cfg); err != nil {
		return nil, "", fmt.Errorf("copy distribution config: %w", err)
	}
	if err := normalizeConfig(ctx, cfg, p.oacExistsFunc(account)); err != nil {
		return nil, "", err
	}
	return cfg, hex.EncodeToString(sum[:]), nil
}

// cnameLive returns the liveness check of CNAME claims for alias key k: a holder is
// live while its distribution uses the alias, or while the write that claimed it may
// still be in progress (recent claim, distribution absent or still at the claim's
// base revision).
func (p *Provider) cnameLive(ctx context.Context, k string) func(claim) (bool, error) {
	return func(c claim) (bool, error) {
		r, rev, err := p.loadDist(ctx, c.Account, c.ID)
		if isAPIError(err, "NoSuchDistribution") {
			return p.young(c), nil
		}
		if err != nil {
			return false, err
		}
		for _, ak := range aliasKeys(r.Config) {
			if ak == k {
				return true, nil
			}
		}
		return rev == c.BaseRev && p.young(c), nil
	}
}

func errCNAMEExists() error {
	return cloudfront.NewCNAMEAlreadyExists("One or more of the CNAMEs you provided are already associated with a different resource.")
}

// claimAliases claims the CNAME index entries of keys for owner. On a conflict it
// returns CNAMEAlreadyExists and the keys it newly created (for the caller to release
// when the owner will never exist).
func (p *Provider) claimAliases(ctx context.Context, owner claim, keys []string) ([]string, error) {
	var taken []string
	for _, k := range keys {
		cur, err := p.takeClaim(ctx, CNAMEsBucket, k, owner, p.cnameLive(ctx, k))
		if err != nil {
			return taken, err
		}
		if cur != nil {
			return taken, errCNAMEExists()
		}
		taken = append(taken, k)
	}
	return taken, nil
}

// createDist implements CreateDistribution and CreateDistributionWithTags. existing is
// true when the CallerReference named a distribution created by an identical request,
// which is returned instead.
func (p *Provider) createDist(ctx context.Context, account string, in *cloudfront.DistributionConfig, tags []distTag) (*distRecord, error) {
	cfg, fp, err := p.prepareConfig(ctx, account, in)
	if err != nil {
		return nil, err
	}
	if p.MaxDistributions > 0 {
		all, err := p.distEntries(ctx, account)
		if err != nil {
			return nil, err
		}
		if len(all) >= p.MaxDistributions {
			return nil, cloudfront.NewTooManyDistributions("Processing your request would cause you to exceed the maximum number of distributions allowed (%d).", p.MaxDistributions)
		}
	}
	now := p.now()
	rec := &distRecord{
		Account: account, ID: newResourceID("E"), DomainName: "d" + randomString(lowerAlnum, 13) + ".cloudfront.net",
		ETag: newETag(), Config: cfg, Fingerprint: fp, Created: now, LastModified: now, Tags: tags,
	}
	if rec.Tags == nil {
		rec.Tags = []distTag{}
	}
	owner := claim{Account: account, ID: rec.ID, Claimed: now}
	refKey := callerRefKey(account, *cfg.CallerReference)
	refClaim := owner
	refClaim.Fingerprint = fp

	// The CallerReference: the first request with it creates, identical repeats get
	// the distribution it created, different ones DistributionAlreadyExists.
	for attempt := 0; ; attempt++ {
		cur, err := p.takeClaim(ctx, CallerRefsBucket, refKey, refClaim, func(c claim) (bool, error) {
			if p.young(c) {
				return true, nil
			}
			r, err := p.distExists(ctx, c.Account, c.ID)
			return r != nil, err
		})
		if err != nil {
			return nil, err
		}
		if cur == nil {
			break
		}
		if cur.Fingerprint != fp {
			return nil, cloudfront.NewDistributionAlreadyExists("The caller reference that you are using to create a distribution is associated with another distribution. Already exists: %s", cur.ID)
		}
		r, gone, err := p.awaitCreated(ctx, account, refKey, cur.ID)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return r, errExistingDistribution
		}
		if !gone || attempt > 3 {
			return nil, cloudfront.NewDistributionAlreadyExists("The caller reference that you are using to create a distribution is associated with another distribution that is still being created: %s", cur.ID)
		}
	}
	rollback := func(cnames []string) {
		bg := context.WithoutCancel(ctx)
		for _, k := range cnames {
			p.releaseClaim(bg, CNAMEsBucket, k, owner)
		}
		p.releaseClaim(bg, CallerRefsBucket, refKey, owner)
	}
	taken, err := p.claimAliases(ctx, owner, aliasKeys(cfg))
	if err != nil {
		rollback(taken)
		return nil, err
	}
	b, err := json.Marshal(rec)
	var rev uint64
	if err == nil {
		rev, err = p.Meta.Create(ctx, DistributionsBucket, distKey(account, rec.ID), b)
	}
	if err != nil {
		rollback(taken)
		return nil, fmt.Errorf("create distribution: %w", err)
	}
	p.cachePut(account, rev, rec)
	return rec, nil
}

// errExistingDistribution tells the callers of createDist that the record returned is
// an existing distribution (an idempotent repeat), not a new one.
var errExistingDistribution = errors.New("existing distribution")

// awaitCreated waits briefly for a concurrent create holding the CallerReference to
// write its distribution. It returns the distribution, or gone when the claim was
// released (that create failed) or taken by someone else.
func (p *Provider) awaitCreated(ctx context.Context, account, refKey, id string) (*distRecord, bool, error) {
	for range 200 {
		r, err := p.distExists(ctx, account, id)
		if err != nil || r != nil {
			return r, false, err
		}
		c, err := p.readClaim(ctx, CallerRefsBucket, refKey)
		if err != nil {
			return nil, false, err
		}
		if c == nil || c.ID != id {
			return nil, true, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil, false, nil
}

// updateDist implements UpdateDistribution.
func (p *Provider) updateDist(ctx context.Context, account, id string, ifMatch *string, in *cloudfront.DistributionConfig) (*distRecord, error) {
	var cfg *cloudfront.DistributionConfig
	for range casMaxAttempts {
		r, rev, err := p.loadDist(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if err := checkIfMatch(ifMatch, r.ETag); err != nil {
			return nil, err
		}
		if cfg == nil {
			if cfg, _, err = p.prepareConfig(ctx, account, in); err != nil {
				return nil, err
			}
		}
		if *cfg.CallerReference != deref(r.Config.CallerReference) {
			return nil, cloudfront.NewIllegalUpdate("The CallerReference of a distribution cannot be changed.")
		}
		now := p.now()
		// Claim the aliases this update adds (the current ones are held already: the
		// document referencing them keeps their claims live). A claim of ours left by
		// an earlier write is rewritten, which defeats a concurrent takeover.
		held := map[string]bool{}
		for _, k := range aliasKeys(r.Config) {
			held[k] = true
		}
		var added []string
		for _, k := range aliasKeys(cfg) {
			if !held[k] {
				added = append(added, k)
			}
		}
		if _, err := p.claimAliases(ctx, claim{Account: account, ID: id, BaseRev: rev, Claimed: now}, added); err != nil {
			return nil, err
		}
		r.Config, r.ETag, r.LastModified = cfg, newETag(), now
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode distribution: %w", err)
		}
		newRev, err := p.Meta.Update(ctx, DistributionsBucket, distKey(account, id), b, rev)
		switch {
		case err == nil:
			p.cachePut(account, newRev, r)
			return r, nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			// Another write won: re-read (its ETag decides between retrying, for a
			// tag change, and PreconditionFailed).
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("update distribution: %w", err)
		}
	}
	return nil, errConflict()
}

// mutateDist applies fn to a distribution with compare-and-set, without changing its
// ETag (tagging is not a configuration change).
func (p *Provider) mutateDist(ctx context.Context, account, id string, fn func(r *distRecord) error) (*distRecord, error) {
	for range casMaxAttempts {
		r, rev, err := p.loadDist(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if err := fn(r); err != nil {
			return nil, err
		}
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode distribution: %w", err)
		}
		_, err = p.Meta.Update(ctx, DistributionsBucket, distKey(account, id), b, rev)
		switch {
		case err == nil:
			return r, nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("update distribution: %w", err)
		}
	}
	return nil, errConflict()
}

// deleteDist implements DeleteDistribution.
func (p *Provider) deleteDist(ctx context.Context, account, id string, ifMatch *string) error {
	for range casMaxAttempts {
		r, rev, err := p.loadDist(ctx, account, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(ifMatch, r.ETag); err != nil {
			return err
		}
		if deref(r.Config.Enabled) || !p.deployed(r.LastModified) {
			return cloudfront.NewDistributionNotDisabled("The distribution you are trying to delete has not been disabled.")
		}
		err = p.Meta.Delete(ctx, DistributionsBucket, distKey(account, id), rev)
		switch {
		case err == nil:
			p.cleanupDist(context.WithoutCancel(ctx), r)
			return nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("delete distribution: %w", err)
		}
	}
	return errConflict()
}

// cleanupDist releases what a deleted distribution held: its CallerReference, its
// aliases and its invalidations. Best effort; leftovers are stale and harmless.
func (p *Provider) cleanupDist(ctx context.Context, r *distRecord) {
	owner := claim{Account: r.Account, ID: r.ID}
	p.releaseClaim(ctx, CallerRefsBucket, callerRefKey(r.Account, deref(r.Config.CallerReference)), owner)
	for _, k := range aliasKeys(r.Config) {
		p.releaseClaim(ctx, CNAMEsBucket, k, owner)
	}
	prefix := r.Account + "." + r.ID + "."
	for _, bucket := range []string{InvalidationsBucket, InvalidationRefsBucket} {
		es, err := p.Meta.List(ctx, bucket, prefix)
		if err != nil {
			continue
		}
		for _, e := range es {
			_ = p.Meta.Delete(ctx, bucket, e.Key, 0)
		}
	}
}

// status is the distribution's Status, computed from the clock.
func (p *Provider) distStatus(r *distRecord) string {
	if p.deployed(r.LastModified) {
		return "Deployed"
	}
	return "InProgress"
}

func aliasRecordals(cfg *cloudfront.DistributionConfig) []cloudfront.AliasICPRecordal {
	if cfg.Aliases == nil || len(cfg.Aliases.Items) == 0 {
		return nil
	}
	out := make([]cloudfront.AliasICPRecordal, 0, len(cfg.Aliases.Items))
	for _, a := range cfg.Aliases.Items {
		out = append(out, cloudfront.AliasICPRecordal{CNAME: ptr(a), ICPRecordalStatus: cloudfront.ICPRecordalStatusAPPROVED})
	}
	return out
}

// behaviors returns every cache behavior of cfg, the default one first.
func behaviors(cfg *cloudfront.DistributionConfig) []cloudfront.CacheBehavior {
	out := []cloudfront.CacheBehavior{defaultAsBehavior(cfg.DefaultCacheBehavior)}
	if cfg.CacheBehaviors != nil {
		out = append(out, cfg.CacheBehaviors.Items...)
	}
	return out
}

// activeSigners reports the trusted signers in use, as ActiveTrustedSigners does (no
// key pairs: Cairn has no CloudFront key pairs).
func activeSigners(cfg *cloudfront.DistributionConfig) *cloudfront.ActiveTrustedSigners {
	out := &cloudfront.ActiveTrustedSigners{Enabled: ptr(false), Quantity: ptr(int32(0))}
	seen := map[string]bool{}
	for _, b := range behaviors(cfg) {
		if b.TrustedSigners == nil || !deref(b.TrustedSigners.Enabled) {
			continue
		}
		out.Enabled = ptr(true)
		for _, a := range b.TrustedSigners.Items {
			if !seen[a] {
				seen[a] = true
				out.Items = append(out.Items, cloudfront.Signer{AwsAccountNumber: ptr(a), KeyPairIds: &cloudfront.KeyPairIds{Quantity: ptr(int32(0))}})
			}
		}
	}
	out.Quantity = ptr(int32(len(out.Items)))
	return out
}

func activeKeyGroups(cfg *cloudfront.DistributionConfig) *cloudfront.ActiveTrustedKeyGroups {
	out := &cloudfront.ActiveTrustedKeyGroups{Enabled: ptr(false), Quantity: ptr(int32(0))}
	seen := map[string]bool{}
	for _, b := range behaviors(cfg) {
		if b.TrustedKeyGroups == nil || !deref(b.TrustedKeyGroups.Enabled) {
			continue
		}
		out.Enabled = ptr(true)
		for _, g := range b.TrustedKeyGroups.Items {
			if !seen[g] {
				seen[g] = true
				out.Items = append(out.Items, cloudfront.KGKeyPairIds{KeyGroupId: ptr(g), KeyPairIds: &cloudfront.KeyPairIds{Quantity: ptr(int32(0))}})
			}
		}
	}
	out.Quantity = ptr(int32(len(out.Items)))
	return out
}

func (p *Provider) distShape(r *distRecord, inProgressInvalidations int) *cloudfront.Distribution {
	return &cloudfront.Distribution{
		ARN:                           ptr(r.ARN()),
		Id:                            ptr(r.ID),
		DomainName:                    ptr(r.DomainName),
		Status:                        ptr(p.distStatus(r)),
		LastModifiedTime:              awsproto.NewTimestamp(r.LastModified),
		InProgressInvalidationBatches: ptr(int32(inProgressInvalidations)),
		ActiveTrustedSigners:          activeSigners(r.Config),
		ActiveTrustedKeyGroups:        activeKeyGroups(r.Config),
		AliasICPRecordals:             aliasRecordals(r.Config),
		DistributionConfig:            r.Config,
	}
}

func (p *Provider) summaryShape(r *distRecord) cloudfront.DistributionSummary {
	c := r.Config
	return cloudfront.DistributionSummary{
		ARN: ptr(r.ARN()), Id: ptr(r.ID), ETag: ptr(r.ETag), Status: ptr(p.distStatus(r)),
		LastModifiedTime: awsproto.NewTimestamp(r.LastModified), DomainName: ptr(r.DomainName),
		Aliases: c.Aliases, Origins: c.Origins, OriginGroups: c.OriginGroups, DefaultCacheBehavior: c.DefaultCacheBehavior,
		CacheBehaviors: c.CacheBehaviors, CustomErrorResponses: c.CustomErrorResponses, Comment: c.Comment,
		PriceClass: c.PriceClass, Enabled: c.Enabled, ViewerCertificate: c.ViewerCertificate, Restrictions: c.Restrictions,
		WebACLId: c.WebACLId, HttpVersion: c.HttpVersion, IsIPV6Enabled: c.IsIPV6Enabled, Staging: c.Staging,
		AliasICPRecordals: aliasRecordals(c), AnycastIpListId: c.AnycastIpListId, ConnectionMode: c.ConnectionMode,
		ConnectionFunctionAssociation: c.ConnectionFunctionAssociation, ViewerMtlsConfig: c.ViewerMtlsConfig,
	}
}

func distLocation(id string) string { return APIBaseURL + "/distribution/" + id }

// createOrExisting creates a distribution, or returns the one an identical earlier
// request with the same CallerReference created, with its in-progress invalidations.
func (p *Provider) createOrExisting(ctx context.Context, account string, cfg *cloudfront.DistributionConfig, tags []distTag) (*distRecord, int, error) {
	r, err := p.createDist(ctx, account, cfg, tags)
	n := 0
	switch {
	case errors.Is(err, errExistingDistribution):
		if n, err = p.inProgressInvalidations(ctx, account, r.ID); err != nil {
			return nil, 0, err
		}
	case err != nil:
		return nil, 0, err
	}
	touch(ctx, ResourceTypeDistribution, r.ARN())
	return r, n, nil
}

// CreateDistribution implements cloudfront.Service.
func (p *Provider) CreateDistribution(ctx context.Context, in *cloudfront.CreateDistributionRequest) (*cloudfront.CreateDistributionResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	r, n, err := p.createOrExisting(ctx, account, in.DistributionConfig, nil)
	if err != nil {
		return nil, err
	}
	return &cloudfront.CreateDistributionResult{Distribution: p.distShape(r, n), ETag: ptr(r.ETag), Location: ptr(distLocation(r.ID))}, nil
}

// CreateDistributionWithTags implements cloudfront.Service.
func (p *Provider) CreateDistributionWithTags(ctx context.Context, in *cloudfront.CreateDistributionWithTagsRequest) (*cloudfront.CreateDistributionWithTagsResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.DistributionConfigWithTags.Tags.Items)
	if err != nil {
		return nil, err
	}
	r, n, err := p.createOrExisting(ctx, account, in.DistributionConfigWithTags.DistributionConfig, tags)
	if err != nil {
		return nil, err
	}
	return &cloudfront.CreateDistributionWithTagsResult{Distribution: p.distShape(r, n), ETag: ptr(r.ETag), Location: ptr(distLocation(r.ID))}, nil
}

// GetDistribution implements cloudfront.Service.
func (p *Provider) GetDistribution(ctx context.Context, in *cloudfront.GetDistributionRequest) (*cloudfront.GetDistributionResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	r, _, err := p.loadDist(ctx, account, deref(in.Id))
	if err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeDistribution, r.ARN())
	n, err := p.inProgressInvalidations(ctx, account, r.ID)
	if err != nil {
		return nil, err
	}
	return &cloudfront.GetDistributionResult{Distribution: p.distShape(r, n), ETag: ptr(r.ETag)}, nil
}

// GetDistributionConfig implements cloudfront.Service.
func (p *Provider) GetDistributionConfig(ctx context.Context, in *cloudfront.GetDistributionConfigRequest) (*cloudfront.GetDistributionConfigResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	r, _, err := p.loadDist(ctx, account, deref(in.Id))
	if err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeDistribution, r.ARN())
	return &cloudfront.GetDistributionConfigResult{DistributionConfig: r.Config, ETag: ptr(r.ETag)}, nil
}

// UpdateDistribution implements cloudfront.Service.
func (p *Provider) UpdateDistribution(ctx context.Context, in *cloudfront.UpdateDistributionRequest) (*cloudfront.UpdateDistributionResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	id := deref(in.Id)
	if validID(id) {
		touch(ctx, ResourceTypeDistribution, DistributionARN(account, id))
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	r, err := p.updateDist(ctx, account, id, in.IfMatch, in.DistributionConfig)
	if err != nil {
		return nil, err
	}
	n, err := p.inProgressInvalidations(ctx, account, r.ID)
	if err != nil {
		return nil, err
	}
	return &cloudfront.UpdateDistributionResult{Distribution: p.distShape(r, n), ETag: ptr(r.ETag)}, nil
}

// DeleteDistribution implements cloudfront.Service.
func (p *Provider) DeleteDistribution(ctx context.Context, in *cloudfront.DeleteDistributionRequest) (*cloudfront.DeleteDistributionOutput, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	id := deref(in.Id)
	if validID(id) {
		touch(ctx, ResourceTypeDistribution, DistributionARN(account, id))
	}
	if err := p.deleteDist(ctx, account, id, in.IfMatch); err != nil {
		return nil, err
	}
	return &cloudfront.DeleteDistributionOutput{}, nil
}

// ListDistributions implements cloudfront.Service. Distributions are listed by id;
// Marker is the id after which the page starts, NextMarker the last id of a truncated
// page.
func (p *Provider) ListDistributions(ctx context.Context, in *cloudfront.ListDistributionsRequest) (*cloudfront.ListDistributionsResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	max, err := parseMaxItems(in.MaxItems)
	if err != nil {
		return nil, err
	}
	all, err := p.distEntries(ctx, account)
	if err != nil {
		return nil, err
	}
	// Keys sort by id; only the page's documents are decoded (or taken from the cache).
	entries, more := pageAfter(all, entryID, deref(in.Marker), max)
	next := ""
	if more {
		// The marker of the next page, even if the last entry is deleted meanwhile.
		next = entryID(entries[len(entries)-1])
	}
	if entries, err = p.withValues(ctx, account, entries); err != nil {
		return nil, err
	}
	page, err := p.summaries(account, entries)
	if err != nil {
		return nil, err
	}
	list := &cloudfront.DistributionList{
		Marker: ptr(deref(in.Marker)), MaxItems: ptr(int32(max)), IsTruncated: ptr(more),
		Quantity: ptr(int32(len(page))), Items: page,
	}
	if more {
		list.NextMarker = ptr(next)
	}
	return &cloudfront.ListDistributionsResult{DistributionList: list}, nil
}

// usesOAC reports whether any distribution of the account uses the origin access
// control.
func (p *Provider) usesOAC(ctx context.Context, account, oacID string) (bool, error) {
	all, err := p.listDists(ctx, account)
	if err != nil {
		return false, err
	}
	for _, r := range all {
		for _, o := range r.Config.Origins.Items {
			if strings.EqualFold(deref(o.OriginAccessControlId), oacID) {
				return true, nil
			}
		}
	}
	return false, nil
}
