package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cfsdk "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	kvssdk "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	kvstypes "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore/types"
)

// CFResults are the figures of the CloudFront suite.
type CFResults struct {
	Workers      int // concurrency of the throughput runs
	CreateIdle   []SDKRun
	Fill         SDKRun // creates at c=Workers up to -distributions (untimed figure)
	ListAll      []SDKRun
	ListRaw      []SDKRun // MaxItems 1000 pages fetched with a signed GET, body read, not decoded
	ListPage     []SDKRun
	ListWalk     []time.Duration // default-page walks over every distribution (c=1)
	ListPages    int             // pages of one walk
	ListCount    int             // distributions when the list figures were taken
	ListBytes    int             // response bytes of a MaxItems 1000 page (wire)
	UpdateIdle   []SDKRun
	CreateLoad   []SDKRun
	UpdateLoad   []SDKRun
	GrownCount   int // distributions after the throughput runs
	GrownAll     SDKRun
	GrownPage    SDKRun
	KVSKeys      int // keys in the UpdateKeys store
	UpdateKeys   []SDKRun
	PutKey       []PutKeyConfig
	StartRSS     int64
	KVSIdleCPU   float64 // server CPU (% of a core) over 5 s without calls, after the KeyValueStore phases
	GrownIdleCPU float64 // the same after the throughput runs
	GrownRSS     int64   // server RSS after the throughput runs
	Requests     int64   // HTTP requests the suite's SDK clients sent
	Recorded     float64 // increase of cairn_events_recorded_total over the suite
	SDKTransport string
}

// PutKeyConfig is the PutKey throughput with Stores stores written in parallel, one
// worker per store chaining the ETag of its previous response.
type PutKeyConfig struct {
	Stores int
	Runs   []SDKRun
}

type cfDist struct {
	id, ref, etag string
	updates       int
}

// cfValueBytes is the size of the values of the KeyValueStore phases.
const cfValueBytes = 100

// benchDistConfig is a small console-like distribution: one custom origin, a managed
// cache policy, no aliases.
func benchDistConfig(ref, comment string) *cftypes.DistributionConfig {
	return &cftypes.DistributionConfig{
		CallerReference: aws.String(ref), Comment: aws.String(comment), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("origin-1"), DomainName: aws.String("origin.bench.example.com"),
			CustomOriginConfig: &cftypes.CustomOriginConfig{
				HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly,
			},
		}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId: aws.String("origin-1"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"), Compress: aws.Bool(true),
		},
		PriceClass: cftypes.PriceClassPriceClass100, HttpVersion: cftypes.HttpVersionHttp2and3, IsIPV6Enabled: aws.Bool(true),
	}
}

// cfThroughputWorkers is the client concurrency of the CloudFront throughput runs.
const cfThroughputWorkers = 8

// CloudFront measures the CloudFront control plane and the KeyValueStore data plane
// through aws-sdk-go-v2's clients.
func (b *Bench) CloudFront(ctx context.Context) error {
	r := &CFResults{Workers: cfThroughputWorkers}
	b.res.CloudFront = r
	maxStores := 1
	for _, n := range b.o.KVSStores {
		maxStores = max(maxStores, n)
	}
	cfg, doer, err := b.sdkConfig(max(cfThroughputWorkers, maxStores) + 2)
	if err != nil {
		return err
	}
	r.SDKTransport = "aws-sdk-go-v2 cloudfront + cloudfrontkeyvaluestore clients (SigV4 / SigV4A), HTTPS to --tls-listen, retries off"
	cf := cfsdk.NewFromConfig(cfg)
	kv := kvssdk.NewFromConfig(cfg)
	recorded0, _ := b.srv.Metric("cairn_events_recorded_total")
	r.StartRSS, _ = b.srv.RSS()
	defer func() {
		r.Requests = doer.requests.Load()
		rec, _ := b.srv.Metric("cairn_events_recorded_total")
		r.Recorded = rec - recorded0
		log.Printf("cloudfront: %d SDK requests, %.0f events recorded", r.Requests, r.Recorded)
	}()

	// --- distributions ---
	var mu sync.Mutex
	var dists []*cfDist
	stamp := time.Now().UnixNano()
	var seq int
	create := func(ctx context.Context, _ int) error {
		mu.Lock()
		seq++
		ref := fmt.Sprintf("bench-%d-%06d", stamp, seq)
		mu.Unlock()
		out, err := cf.CreateDistribution(ctx, &cfsdk.CreateDistributionInput{DistributionConfig: benchDistConfig(ref, "created by cairn bench")})
		if err != nil {
			return fmt.Errorf("CreateDistribution: %w", err)
		}
		mu.Lock()
		dists = append(dists, &cfDist{id: aws.ToString(out.Distribution.Id), ref: ref, etag: aws.ToString(out.ETag)})
		mu.Unlock()
		return nil
	}
	update := func(ctx context.Context, d *cfDist) error {
		d.updates++
		out, err := cf.UpdateDistribution(ctx, &cfsdk.UpdateDistributionInput{
			Id: aws.String(d.id), IfMatch: aws.String(d.etag),
			DistributionConfig: benchDistConfig(d.ref, fmt.Sprintf("updated by cairn bench (%d)", d.updates)),
		})
		if err != nil {
			return fmt.Errorf("UpdateDistribution %s: %w", d.id, err)
		}
		d.etag = aws.ToString(out.ETag)
		return nil
	}
	check := func(what string, runs ...SDKRun) error {
		if n, first := sdkErrors(runs); n > 0 {
			return fmt.Errorf("%s: %d errors, first: %s", what, n, first)
		}
		return nil
	}
	logRun := func(what string, run SDKRun) {
		log.Printf("%s: %.0f calls/s, wire %s; SDK call p50 %s p99 %s; errors %d; client CPU %.0f%%, server CPU %.0f%%", what, run.Load.Rate(),
			fmtSummary(run.Load.Lat), fmtDur(run.Call.P50), fmtDur(run.Call.P99), run.Load.Errors, cpuPct(run.Load.ClientCPU, run.Load.Elapsed), cpuPct(run.Load.ServerCPU, run.Load.Elapsed))
	}

	// Warm up the connections and both code paths (not counted in any figure).
	warm := b.sdkLoad(ctx, "CreateDistribution warm-up", cfThroughputWorkers, 2*cfThroughputWorkers, 0, create)
	if err := check("CreateDistribution warm-up", warm); err != nil {
		return err
	}

	for run := range b.o.Runs {
		res := b.sdkLoad(ctx, "CreateDistribution c=1", 1, int64(b.o.Samples), 0, create)
		r.CreateIdle = append(r.CreateIdle, res)
		logRun(fmt.Sprintf("CreateDistribution c=1 run %d", run+1), res)
	}
	if err := check("CreateDistribution c=1", r.CreateIdle...); err != nil {
		return err
	}
	if rest := b.o.Distributions - len(dists); rest > 0 {
		r.Fill = b.sdkLoad(ctx, "CreateDistribution fill", cfThroughputWorkers, int64(rest), 0, create)
		logRun(fmt.Sprintf("CreateDistribution c=%d fill to %d", cfThroughputWorkers, b.o.Distributions), r.Fill)
		if err := check("CreateDistribution fill", r.Fill); err != nil {
			return err
		}
	}
	r.ListCount = len(dists)

	// ListDistributions: one page of MaxItems 1000, the default page (100), and a walk
	// over every page with the default page size.
	listSamples := max(b.o.Samples/4, 20)
	listAll := func(want int) func(ctx context.Context, _ int) error {
		return func(ctx context.Context, _ int) error {
			out, err := cf.ListDistributions(ctx, &cfsdk.ListDistributionsInput{MaxItems: aws.Int32(1000)})
			if err != nil {
				return fmt.Errorf("ListDistributions MaxItems 1000: %w", err)
			}
			if n := len(out.DistributionList.Items); n != want {
				return fmt.Errorf("ListDistributions MaxItems 1000: %d items, want %d", n, want)
			}
			return nil
		}
	}
	listPage := func(want int) func(ctx context.Context, _ int) error {
		return func(ctx context.Context, _ int) error {
			out, err := cf.ListDistributions(ctx, &cfsdk.ListDistributionsInput{})
			if err != nil {
				return fmt.Errorf("ListDistributions: %w", err)
			}
			if n := len(out.DistributionList.Items); n != want {
				return fmt.Errorf("ListDistributions: %d items, want %d", n, want)
			}
			return nil
		}
	}
	var perf *Perf
	for run := range b.o.Runs {
		res := b.sdkLoad(ctx, "ListDistributions MaxItems 1000", 1, int64(listSamples), 0, listAll(min(r.ListCount, 1000)))
		r.ListAll = append(r.ListAll, res)
		logRun(fmt.Sprintf("ListDistributions MaxItems 1000 (%d distributions) run %d", r.ListCount, run+1), res)
		res = b.sdkLoad(ctx, "ListDistributions default page", 1, int64(b.o.Samples), 0, listPage(min(r.ListCount, 100)))
		r.ListPage = append(r.ListPage, res)
		logRun(fmt.Sprintf("ListDistributions default page run %d", run+1), res)
		if run == 0 {
			perf = b.StartPerf("cf-list", b.srv.Pid())
		}
		res = b.sdkLoad(ctx, "ListDistributions MaxItems 1000 raw", 1, int64(listSamples), 0, listRaw(cfg, doer, min(r.ListCount, 1000)))
		perf.Stop()
		perf = nil
		r.ListRaw = append(r.ListRaw, res)
		logRun(fmt.Sprintf("ListDistributions MaxItems 1000 (%d distributions), signed GET without SDK decoding, run %d", r.ListCount, run+1), res)
	}
	if err := check("ListDistributions", append(append(r.ListAll, r.ListPage...), r.ListRaw...)...); err != nil {
		return err
	}
	{
		var wire wireInfo
		if _, err := cf.ListDistributions(context.WithValue(ctx, wireKey{}, &wire), &cfsdk.ListDistributionsInput{MaxItems: aws.Int32(1000)}); err != nil {
			return fmt.Errorf("ListDistributions: %w", err)
		}
		r.ListBytes = wire.bytes
	}
	for range max(b.o.Runs, 5) {
		start := time.Now()
		pages, marker := 0, ""
		for {
			in := &cfsdk.ListDistributionsInput{}
			if marker != "" {
				in.Marker = aws.String(marker)
			}
			out, err := cf.ListDistributions(ctx, in)
			if err != nil {
				return fmt.Errorf("ListDistributions walk: %w", err)
			}
			pages++
			if !aws.ToBool(out.DistributionList.IsTruncated) {
				break
			}
			marker = aws.ToString(out.DistributionList.NextMarker)
		}
		r.ListWalk = append(r.ListWalk, time.Since(start))
		r.ListPages = pages
	}
	log.Printf("ListDistributions walk of %d distributions (%d default pages): median %s", r.ListCount, r.ListPages, fmtDur(medianDur(r.ListWalk)))
	if b.o.CFListOnly {
		return nil
	}

	// UpdateDistribution at c=1, round robin over the distributions.
	next := 0
	for run := range b.o.Runs {
		res := b.sdkLoad(ctx, "UpdateDistribution c=1", 1, int64(b.o.Samples), 0, func(ctx context.Context, _ int) error {
			d := dists[next%len(dists)]
			next++
			return update(ctx, d)
		})
		r.UpdateIdle = append(r.UpdateIdle, res)
		logRun(fmt.Sprintf("UpdateDistribution c=1 run %d", run+1), res)
	}
	if err := check("UpdateDistribution c=1", r.UpdateIdle...); err != nil {
		return err
	}

	// --- KeyValueStore data plane ---
	type store struct{ arn, etag string }
	stores := make([]*store, maxStores+1) // [0]: UpdateKeys; [1..]: PutKey
	for i := range stores {
		out, err := cf.CreateKeyValueStore(ctx, &cfsdk.CreateKeyValueStoreInput{Name: aws.String(fmt.Sprintf("bench-kvs-%d-%02d", stamp%1e6, i))})
		if err != nil {
			return fmt.Errorf("CreateKeyValueStore: %w", err)
		}
		arn := aws.ToString(out.KeyValueStore.ARN)
		var desc *kvssdk.DescribeKeyValueStoreOutput
		for try := 0; ; try++ {
			desc, err = kv.DescribeKeyValueStore(ctx, &kvssdk.DescribeKeyValueStoreInput{KvsARN: aws.String(arn)})
			if err == nil && aws.ToString(desc.Status) == "READY" {
				break
			}
			if try == 300 {
				return fmt.Errorf("key value store %s not READY after 30 s (%v)", arn, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		stores[i] = &store{arn: arn, etag: aws.ToString(desc.ETag)}
	}
	value := func(rng *rand.Rand) *string {
		const alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
		var sb strings.Builder
		for range cfValueBytes {
			sb.WriteByte(alpha[rng.IntN(len(alpha))])
		}
		return aws.String(sb.String())
	}

	// UpdateKeys of 50 keys at c=1 on a store of 2,000 keys.
	const ukKeys, batch = 2000, 50
	r.KVSKeys = ukKeys
	uk := stores[0]
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < ukKeys; i += batch {
		in := &kvssdk.UpdateKeysInput{KvsARN: aws.String(uk.arn), IfMatch: aws.String(uk.etag)}
		for j := i; j < i+batch; j++ {
			in.Puts = append(in.Puts, kvstypes.PutKeyRequestListItem{Key: aws.String(fmt.Sprintf("key-%05d", j)), Value: value(rng)})
		}
		out, err := kv.UpdateKeys(ctx, in)
		if err != nil {
			return fmt.Errorf("UpdateKeys (fill): %w", err)
		}
		uk.etag = aws.ToString(out.ETag)
	}
	updateKeys := func(ctx context.Context, _ int) error {
		in := &kvssdk.UpdateKeysInput{KvsARN: aws.String(uk.arn), IfMatch: aws.String(uk.etag)}
		for _, k := range rng.Perm(ukKeys)[:batch] {
			in.Puts = append(in.Puts, kvstypes.PutKeyRequestListItem{Key: aws.String(fmt.Sprintf("key-%05d", k)), Value: value(rng)})
		}
		out, err := kv.UpdateKeys(ctx, in)
		if err != nil {
			return fmt.Errorf("UpdateKeys: %w", err)
		}
		uk.etag = aws.ToString(out.ETag)
		return nil
	}
	for run := range b.o.Runs {
		if run == 0 {
			perf = b.StartPerf("kvs-updatekeys", b.srv.Pid())
		}
		res := b.sdkLoad(ctx, "UpdateKeys c=1", 1, int64(b.o.Samples), 0, updateKeys)
		perf.Stop()
		perf = nil
		r.UpdateKeys = append(r.UpdateKeys, res)
		logRun(fmt.Sprintf("UpdateKeys (50 puts) c=1 run %d", run+1), res)
	}
	if err := check("UpdateKeys", r.UpdateKeys...); err != nil {
		return err
	}

	// PutKey sustained: n stores, one worker each, chaining its store's ETag.
	const putKeys = 1000
	for _, n := range b.o.KVSStores {
		pc := PutKeyConfig{Stores: n}
		rngs := make([]*rand.Rand, n)
		for w := range rngs {
			rngs[w] = rand.New(rand.NewPCG(uint64(w)+1, 11))
		}
		put := func(ctx context.Context, w int) error {
			s := stores[1+w]
			out, err := kv.PutKey(ctx, &kvssdk.PutKeyInput{
				KvsARN: aws.String(s.arn), IfMatch: aws.String(s.etag),
				Key: aws.String(fmt.Sprintf("key-%05d", rngs[w].IntN(putKeys))), Value: value(rngs[w]),
			})
			if err != nil {
				return fmt.Errorf("PutKey: %w", err)
			}
			s.etag = aws.ToString(out.ETag)
			return nil
		}
		for run := range b.o.Runs {
			if run == 0 && n == b.o.KVSStores[len(b.o.KVSStores)-1] {
				perf = b.StartPerf(fmt.Sprintf("kvs-putkey-%d", n), b.srv.Pid())
			}
			res := b.sdkLoad(ctx, fmt.Sprintf("PutKey %d stores", n), n, 0, b.o.Duration, put)
			perf.Stop()
			perf = nil
			pc.Runs = append(pc.Runs, res)
			logRun(fmt.Sprintf("PutKey, %d store(s) × 1 worker, run %d", n, run+1), res)
		}
		r.PutKey = append(r.PutKey, pc)
		if err := check(fmt.Sprintf("PutKey %d stores", n), pc.Runs...); err != nil {
			return err
		}
	}
	r.KVSIdleCPU = b.idleCPU(5 * time.Second)
	log.Printf("cloudfront: server CPU while idle after the KeyValueStore phases: %.0f%%", r.KVSIdleCPU)

	// The throughput runs come last: they create tens of thousands of distributions,
	// which the figures above should not carry.
	// Throughput at c=8: creates, then updates (each worker updates its own share of
	// the first -distributions distributions, so that no two writers race on an ETag).
	owned := make([][]*cfDist, cfThroughputWorkers)
	for i, d := range dists {
		owned[i%cfThroughputWorkers] = append(owned[i%cfThroughputWorkers], d)
	}
	cursor := make([]int, cfThroughputWorkers)
	for run := range b.o.Runs {
		if run == 0 {
			perf = b.StartPerf("cf-create", b.srv.Pid())
		}
		res := b.sdkLoad(ctx, "CreateDistribution c=8", cfThroughputWorkers, 0, b.o.Duration, create)
		perf.Stop()
		perf = nil
		r.CreateLoad = append(r.CreateLoad, res)
		logRun(fmt.Sprintf("CreateDistribution c=%d run %d", cfThroughputWorkers, run+1), res)
	}
	for run := range b.o.Runs {
		if run == 0 {
			perf = b.StartPerf("cf-update", b.srv.Pid())
		}
		res := b.sdkLoad(ctx, "UpdateDistribution c=8", cfThroughputWorkers, 0, b.o.Duration, func(ctx context.Context, w int) error {
			d := owned[w][cursor[w]%len(owned[w])]
			cursor[w]++
			return update(ctx, d)
		})
		perf.Stop()
		perf = nil
		r.UpdateLoad = append(r.UpdateLoad, res)
		logRun(fmt.Sprintf("UpdateDistribution c=%d run %d", cfThroughputWorkers, run+1), res)
	}
	if err := check("CloudFront throughput", append(r.CreateLoad, r.UpdateLoad...)...); err != nil {
		return err
	}
	r.GrownIdleCPU = b.idleCPU(5 * time.Second)
	r.GrownRSS, _ = b.srv.RSS()
	log.Printf("cloudfront: %d distributions; server CPU while idle %.0f%%, RSS %s", len(dists), r.GrownIdleCPU, fmtBytes(r.GrownRSS))
	// ListDistributions again, with every distribution the throughput runs created.
	r.GrownCount = len(dists)
	r.GrownAll = b.sdkLoad(ctx, "ListDistributions MaxItems 1000 (grown)", 1, int64(listSamples), 0, listAll(min(r.GrownCount, 1000)))
	logRun(fmt.Sprintf("ListDistributions MaxItems 1000 (%d distributions)", r.GrownCount), r.GrownAll)
	r.GrownPage = b.sdkLoad(ctx, "ListDistributions default page (grown)", 1, int64(b.o.Samples), 0, listPage(min(r.GrownCount, 100)))
	logRun(fmt.Sprintf("ListDistributions default page (%d distributions)", r.GrownCount), r.GrownPage)
	if err := check("ListDistributions (grown)", r.GrownAll, r.GrownPage); err != nil {
		return err
	}

	return nil
}

// idleCPU is the server's CPU use (percent of one core) over d without calls.
func (b *Bench) idleCPU(d time.Duration) float64 {
	c0, t0 := b.srv.CPU(), time.Now()
	time.Sleep(d)
	return cpuPct(b.srv.CPU()-c0, time.Since(t0))
}

// listRaw fetches one MaxItems 1000 page of ListDistributions with a GET signed by
// the SDK's SigV4 signer, through the SDK clients' transport, and reads the body
// without decoding it (it only counts the summaries). It separates the server's
// latency from the SDK's XML decoding, which takes the client well over 100 ms of
// CPU per page on the cores the server shares.
func listRaw(cfg aws.Config, doer *timedDoer, want int) func(ctx context.Context, _ int) error {
	signer := v4.NewSigner()
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	return func(ctx context.Context, _ int) error {
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://cloudfront.amazonaws.com/2020-05-31/distribution?MaxItems=1000", nil)
		if err != nil {
			return err
		}
		if err := signer.SignHTTP(ctx, creds, req, emptyHash, "cloudfront", "us-east-1", time.Now()); err != nil {
			return err
		}
		resp, err := doer.Do(req)
		if err != nil {
			return fmt.Errorf("ListDistributions (signed GET): %w", err)
		}
		// The doer read the whole body; this takes its bytes without a copy.
		body := resp.Body.(*readBodyCloser).Bytes()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("ListDistributions (signed GET): HTTP %d: %.200s", resp.StatusCode, body)
		}
		if n := bytes.Count(body, []byte("<DistributionSummary>")); n != want {
			return fmt.Errorf("ListDistributions (signed GET): %d summaries, want %d", n, want)
		}
		return nil
	}
}
