// Command bench reproduces Cairn's performance figures in one run: it builds the
// cairn binary, starts it with a fresh data directory and known root credentials,
// drives it over loopback HTTP with hand-signed requests (CloudTrail suite) and over
// loopback HTTPS with aws-sdk-go-v2's CloudFront and KeyValueStore clients
// (CloudFront suite), measures trail delivery to an S3 server (delivery suite), and prints a Markdown table of results (also written to
// bench/out/). See bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	s3store "github.com/cairnhq/cairn/objstore/s3"
)

// Options are the command-line flags.
type Options struct {
	Suite             string
	ValidateEvents    int
	ValidateDays      int
	KVSStores         []int
	Distributions     int
	CFListOnly        bool
	ServerArgs        []string
	Events            int
	Duration          time.Duration
	Concurrency       int
	LookupConcurrency int
	Runs              int
	Samples           int
	Users             int
	DeepPages         int
	Probes            int
	MaxIngest         time.Duration
	Out               string
	Bin               string
	KeepData          bool
	SyncAlways        bool
	Perf              bool
	Churn             int
	DeliveryInterval  time.Duration
	DeliveryWait      time.Duration
}

func main() {
	var o Options
	var kvsStores string
	flag.StringVar(&o.Suite, "suite", "all", "what to measure: cloudtrail, cloudfront, delivery, validate or all")
	flag.IntVar(&o.Distributions, "distributions", 1000, "CloudFront suite: distributions created before ListDistributions is timed")
	flag.BoolVar(&o.CFListOnly, "cf-list-only", false, "CloudFront suite: stop after the ListDistributions figures (diagnostic)")
	flag.StringVar(&kvsStores, "kvs-stores", "1,4,16", "CloudFront suite: PutKey throughput configurations, as numbers of stores written in parallel (one client worker per store)")
	flag.IntVar(&o.Events, "events", 1_000_000, "API calls (events) to ingest before the lookup and restart phases")
	flag.DurationVar(&o.Duration, "duration", 20*time.Second, "length of each sustained-load run (capture c=N, lookups c=8)")
	flag.IntVar(&o.Concurrency, "concurrency", 16, "client concurrency of the capture and ingest phases")
	flag.IntVar(&o.LookupConcurrency, "lookup-concurrency", 8, "client concurrency of the LookupEvents throughput runs")
	flag.IntVar(&o.Runs, "runs", 3, "runs of each cheap measurement; the report gives the median")
	flag.IntVar(&o.Samples, "samples", 200, "sequential requests per latency figure (per run for idle GetTrail: 5x this)")
	flag.IntVar(&o.Users, "users", 8, "IAM users calling during ingest (each with one access key)")
	flag.IntVar(&o.DeepPages, "deep-pages", 50, "NextToken pages followed before timing a deep page")
	flag.IntVar(&o.Probes, "probes", 50, "fresh calls timed until visible in LookupEvents")
	flag.DurationVar(&o.MaxIngest, "max-ingest", 30*time.Minute, "stop ingesting after this long even if -events is not reached")
	flag.StringVar(&o.Out, "out", "", "directory for results and the server log (default <module>/bench/out)")
	flag.StringVar(&o.Bin, "bin", "", "use this cairn binary instead of building ./cmd/cairn")
	flag.BoolVar(&o.KeepData, "keep-data", false, "keep the server's temporary data directory")
	flag.BoolVar(&o.SyncAlways, "sync-always", false, "start the server with --sync-always (fsync every event)")
	flag.IntVar(&o.Churn, "churn", 5, "CreateTrail+DeleteTrail pairs per 1000 ingest steps (0-250; taken from GetTrail's share)")
	flag.DurationVar(&o.DeliveryInterval, "delivery-interval", time.Minute, "delivery suite: the server's --delivery-interval (windows close on its multiples of wall-clock time)")
	flag.IntVar(&o.ValidateEvents, "validate-events", 1_000_000, "validate suite: events the trail delivered")
	flag.IntVar(&o.ValidateDays, "validate-days", 30, "validate suite: days of hourly digests")
	flag.DurationVar(&o.DeliveryWait, "delivery-wait", 10*time.Minute, "delivery suite: give up waiting for the last window this long after it closed")
	flag.BoolVar(&o.Perf, "perf", false, "record server CPU profiles with perf(1) during the first load run of each phase (diagnostic; writes bench/out/perf-*.txt)")
	serverArgs := flag.String("server-args", "", "further `cairn serve` flags for every suite's server, space-separated (e.g. \"--delivery-cpu-share 0.1\")")
	cpuProfile := flag.String("cpuprofile", "", "write the harness's own CPU profile to this file (diagnostic)")
	flag.Parse()
	o.ServerArgs = strings.Fields(*serverArgs)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -cpuprofile:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	for _, f := range strings.Split(kvsStores, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 48 {
			fmt.Fprintln(os.Stderr, "bench: -kvs-stores needs a comma-separated list of store counts 1-48")
			os.Exit(2)
		}
		o.KVSStores = append(o.KVSStores, n)
	}
	if o.Suite != "all" && o.Suite != "cloudtrail" && o.Suite != "cloudfront" && o.Suite != "delivery" && o.Suite != "validate" {
		fmt.Fprintln(os.Stderr, "bench: -suite must be cloudtrail, cloudfront, delivery, validate or all")
		os.Exit(2)
	}
	if o.DeliveryInterval < time.Second || o.DeliveryWait < time.Second {
		fmt.Fprintln(os.Stderr, "bench: need -delivery-interval >= 1s and -delivery-wait >= 1s")
		os.Exit(2)
	}
	if o.Distributions < 100 {
		fmt.Fprintln(os.Stderr, "bench: need -distributions >= 100")
		os.Exit(2)
	}
	if o.Events < 1000 || o.Concurrency < 1 || o.LookupConcurrency < 1 || o.Runs < 1 || o.Samples < 10 || o.Users < 1 || o.Duration < time.Second || o.Churn < 0 || o.Churn > 250 {
		fmt.Fprintln(os.Stderr, "bench: need -events >= 1000, -samples >= 10, -duration >= 1s positive counts and -churn 0-250")
		os.Exit(2)
	}
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("bench: ")
	log.SetOutput(os.Stderr)

	// Every phase is bounded on its own; this is a last-resort stop.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Hour+o.MaxIngest)
	defer cancel()

	if err := run(ctx, o); err != nil {
		log.Printf("FAILED: %v", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(ctx context.Context, o Options) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if o.Out == "" {
		o.Out = filepath.Join(root, "bench", "out")
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	res := &Results{Opts: o, Started: time.Now(), Command: commandLine()}
	res.Machine = machineInfo(root)
	log.Printf("machine: %s", res.Machine.Summary())
	stopLoad := sampleLoad(&res.LoadDuring, 15*time.Second)

	tmp, err := os.MkdirTemp("", "cairn-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if o.KeepData {
			log.Printf("kept data in %s", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	bin := o.Bin
	if bin == "" {
		log.Printf("building ./cmd/cairn")
		if bin, err = buildServer(ctx, root, tmp); err != nil {
			return err
		}
	}
	// Each suite gets a server of its own with a fresh data dir, so that its figures
	// are those of running it alone (the other suite's data would grow the server's
	// heap, and with it the GC's share of every call).
	for _, suite := range []string{"cloudtrail", "cloudfront", "delivery"} {
		if !o.runs(suite) || ctx.Err() != nil {
			continue
		}
		if err := runSuite(ctx, o, res, bin, filepath.Join(tmp, "data-"+suite), suite); err != nil {
			return err
		}
	}
	if o.runs("validate") && ctx.Err() == nil {
		// Log file validation: cairn validate-logs over -validate-days of hourly
		// digests of a trail that delivered -validate-events events.
		v, err := runValidate(ctx, bin, tmp, filepath.Join(o.Out, "server.log"), o.ValidateEvents, o.ValidateDays, o.Runs)
		if err != nil {
			res.Failures = append(res.Failures, "validate: "+err.Error())
		} else {
			res.Validate = v
		}
	}
	res.Finished = time.Now()
	stopLoad()
	md := res.Markdown()
	fmt.Print(md)
	stamp := res.Started.UTC().Format("20060102T150405Z")
	for _, name := range []string{"latest.md", "results-" + stamp + ".md"} {
		if err := os.WriteFile(filepath.Join(o.Out, name), []byte(md), 0o644); err != nil {
			return err
		}
	}
	log.Printf("wrote %s", filepath.Join(o.Out, "latest.md"))
	if len(res.Failures) > 0 {
		return fmt.Errorf("%d phase(s) failed: %s", len(res.Failures), strings.Join(res.Failures, "; "))
	}
	return nil
}

// runSuite starts a server on dataDir, runs the phases of suite against it and stops
// it. A phase's failure is recorded in res; the error is for a server that did not
// start.
func runSuite(ctx context.Context, o Options, res *Results, bin, dataDir, suite string) error {
	srv, err := NewServer(bin, dataDir, filepath.Join(o.Out, "server.log"), o.SyncAlways, suite == "cloudfront")
	if err != nil {
		return err
	}
	defer srv.Kill()
	var vgw *VersityGW
	var s3 *s3store.Store
	if suite == "delivery" {
		// The S3 server the trail delivers to, and the server's S3 store flags.
		res.Delivery = &DeliveryResults{}
		if vgw, err = StartVersityGW(filepath.Dir(dataDir), filepath.Join(o.Out, "versitygw.log")); err != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("delivery: %v", err))
			log.Printf("delivery suite skipped: %v", err)
			return nil
		}
		defer vgw.Stop()
		res.Delivery.GW = vgw.Bin
		if vgw.Version != "" {
			res.Delivery.GW += " " + vgw.Version
		}
		res.Delivery.GWSidecar = vgw.Sidecar != ""
		log.Printf("delivery suite: versitygw (%s) pid %d on %s", res.Delivery.GW, vgw.Pid(), vgw.Endpoint)
		if s3, err = s3store.New(ctx, s3store.Config{Endpoint: vgw.Endpoint, Region: vgw.Region, PathStyle: true,
			AccessKeyID: vgw.AccessKey, SecretAccessKey: vgw.SecretKey}); err != nil {
			return err
		}
		srv.Args = []string{"--delivery-interval", o.DeliveryInterval.String(), "--s3-endpoint", vgw.Endpoint,
			"--s3-access-key-id", vgw.AccessKey, "--s3-secret-access-key", vgw.SecretKey, "--s3-region", vgw.Region}
	}
	srv.Args = append(srv.Args, o.ServerArgs...)
	if suite == "cloudtrail" {
		// The buckets the suite's trails name (capture's trail, ingest's churn).
		if err := srv.CreateBuckets(benchBucket, benchTmpBucket); err != nil {
			return err
		}
	}
	if _, err := srv.Start(ctx, time.Minute); err != nil {
		return err
	}
	log.Printf("%s suite: server pid %d on %s, data %s", suite, srv.Pid(), srv.URL, srv.DataDir)

	client := NewClient(srv.URL, o.Concurrency+o.LookupConcurrency+4)
	b := &Bench{o: o, srv: srv, client: client, res: res, vgw: vgw, s3: s3}
	type phase struct {
		name string
		fn   func(context.Context) error
	}
	phases := []phase{{"cloudfront", b.CloudFront}}
	if suite == "delivery" {
		phases = []phase{{"delivery", b.Delivery}}
	}
	if suite == "cloudtrail" {
		phases = []phase{{"capture", b.Capture}, {"ingest", b.Ingest}, {"visibility", b.Visibility}, {"lookup", b.Lookup}, {"restart", b.Restart}}
	}
	for _, p := range phases {
		if ctx.Err() != nil {
			break
		}
		log.Printf("=== phase %s", p.name)
		start := time.Now()
		if err := p.fn(ctx); err != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("%s: %v", p.name, err))
			log.Printf("phase %s failed: %v", p.name, err)
			if p.name == "capture" || p.name == "ingest" {
				break // later phases depend on these
			}
		}
		log.Printf("=== phase %s done in %s", p.name, time.Since(start).Round(time.Millisecond))
	}
	if _, err := srv.Stop(30 * time.Second); err != nil {
		res.Failures = append(res.Failures, fmt.Sprintf("%s: final stop: %v", suite, err))
	}
	return nil
}

// runs reports whether the -suite includes suite.
func (o Options) runs(suite string) bool { return o.Suite == "all" || o.Suite == suite }

// Bench holds what the phases share.
type Bench struct {
	o      Options
	srv    *Server
	client *Client
	res    *Results

	users     []User    // IAM users of the ingest, then the probe user
	probe     User      // the user whose calls the visibility phase times
	trailARN  [3]string // the "bench" trail of each region
	lookupIDs []string  // EventIds seen while paging, for EventId lookups

	vgw *VersityGW     // delivery suite: the S3 server
	s3  *s3store.Store // … and a client of it
}

func commandLine() string {
	args := []string{"go", "run", "./bench"}
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " \t'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args = append(args, a)
	}
	return strings.Join(args, " ")
}

// sampleLoad appends the 1-minute load average to *dst every interval until the
// returned function is called.
func sampleLoad(dst *[]float64, every time.Duration) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if b, err := os.ReadFile("/proc/loadavg"); err == nil {
					if f := strings.Fields(string(b)); len(f) > 0 {
						if v, err := strconv.ParseFloat(f[0], 64); err == nil {
							*dst = append(*dst, v)
						}
					}
				}
			}
		}
	}()
	return func() { close(done); <-exited }
}
