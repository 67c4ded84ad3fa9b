package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/gateway"
	"github.com/cairnhq/cairn/objstore/file"
	"github.com/cairnhq/cairn/objstore/s3"
	"github.com/cairnhq/cairn/signing"
)

// openObjectStore returns where trails deliver: the S3 endpoint of --s3-endpoint, or
// the local bucket directory (--bucket-root, default <data-dir>/buckets), and a line
// for the banner.
func openObjectStore(ctx context.Context, cfg Config) (cairn.ObjectStore, string, error) {
	if cfg.S3Endpoint != "" {
		endpoint := cfg.S3Endpoint
		if endpoint == "aws" {
			endpoint = ""
		}
		st, err := s3.New(ctx, s3.Config{
			Endpoint: endpoint, Region: cfg.S3Region, PathStyle: cfg.S3PathStyle,
			AccessKeyID: cfg.S3AccessKeyID, SecretAccessKey: cfg.S3SecretAccessKey,
		})
		if err != nil {
			return nil, "", fmt.Errorf("s3 store: %w", err)
		}
		return st, "S3 at " + cfg.S3Endpoint, nil
	}
	root := cfg.BucketRoot
	if root == "" {
		root = filepath.Join(cfg.DataDir, "buckets")
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, "", fmt.Errorf("bucket root: %w", err)
	}
	st, err := file.New(root)
	if err != nil {
		return nil, "", fmt.Errorf("bucket root: %w", err)
	}
	return st, "directory " + st.Root() + " (bucket B is " + filepath.Join(st.Root(), "B") + ")", nil
}

// startDelivery starts the trail delivery scheduler and publishes its metrics.
func (s *Server) startDelivery(ctx context.Context, store cairn.ObjectStore, targets *delivery.Targets, metrics *gateway.Metrics) error {
	var notifier delivery.Notifier
	if targets != nil {
		notifier = targets
	}
	sched, err := delivery.Open(ctx, delivery.Config{
		Log: s.log, Meta: s.log.Meta(), Store: store, Notifier: notifier,
		Interval: s.Config.DeliveryInterval, MaxFileBytes: s.Config.MaxLogFileBytes,
		Signer: digestSigner{s.keys}, DigestInterval: s.Config.DigestInterval, CPUShare: s.Config.DeliveryCPUShare,
		Activity: &s.activity,
		SpoolDir: filepath.Join(s.Config.DataDir, "spool"),
		Clock:    cairn.SystemClock{}, Logger: s.logger.With("component", "delivery"),
	})
	if err != nil {
		return fmt.Errorf("start delivery: %w", err)
	}
	s.delivery = sched
	metrics.Gauges["cairn_delivery_files_total"] = func() float64 { return float64(sched.Stats().Files) }
	metrics.Gauges["cairn_delivery_records_total"] = func() float64 { return float64(sched.Stats().Records) }
	metrics.Gauges["cairn_delivery_failures_total"] = func() float64 { return float64(sched.Stats().Failures) }
	metrics.Gauges["cairn_delivery_pending_jobs"] = func() float64 { return float64(sched.Stats().PendingJobs) }
	metrics.Gauges["cairn_delivery_pending_notifications"] = func() float64 { return float64(sched.Stats().PendingNotify) }
	metrics.Gauges["cairn_delivery_digests_total"] = func() float64 { return float64(sched.Stats().Digests) }
	metrics.Gauges["cairn_delivery_pending_digests"] = func() float64 { return float64(sched.Stats().PendingDigest) }
	metrics.Gauges["cairn_delivery_planned_seq"] = func() float64 { return float64(sched.Stats().Cursor) }
	metrics.Gauges["cairn_delivery_built_seq"] = func() float64 { return float64(sched.Stats().Built) }
	metrics.Gauges["cairn_delivery_prebuilt_files_total"] = func() float64 { return float64(sched.Stats().PrebuiltFiles) }
	metrics.Gauges["cairn_delivery_unplanned_events"] = func() float64 {
		c, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		last, err := s.log.LastSeq(c)
		if err != nil {
			return 0
		}
		return float64(last - min(last, sched.Stats().Cursor))
	}
	return nil
}

// digestSigner signs digests with the KeyRing's key of the region and period.
type digestSigner struct{ keys *signing.KeyRing }

func (d digestSigner) SigningKey(ctx context.Context, region string, at time.Time) (delivery.SigningKey, error) {
	k, err := d.keys.Key(ctx, region, at)
	if err != nil {
		return nil, err
	}
	return signingKey{k}, nil
}

type signingKey struct{ *signing.Key }

func (k signingKey) Fingerprint() string { return k.Key.Fingerprint }
