package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/cairnhq/cairn/delivery"
)

// Config is the server configuration. Every field is a flag of cairn serve and an
// environment variable CAIRN_<FLAG> (flags override the environment).
type Config struct {
	Listen              string
	DataDir             string
	NATSURL             string
	AccountID           string
	RootAccessKeyID     string
	RootSecretAccessKey string
	DefaultRegion       string
	DeliveryInterval    time.Duration
	DigestInterval      time.Duration
	Retention           time.Duration
	MaxBodyBytes        int64
	SyncAlways          bool
	LogLevel            string
	FailedAuthRate      float64
	TLSListen           string
	TLSCert             string
	TLSKey              string
	TLSHostnames        string
	// DebugListen serves Go's profiling endpoints (/debug/pprof/) on this address;
	// empty: not served.
	DebugListen string
	// CloudFrontDeployDelay is how long a changed distribution stays InProgress.
	CloudFrontDeployDelay time.Duration

	// Where trails deliver: a local directory of buckets, or an S3 endpoint.
	BucketRoot        string
	S3Endpoint        string
	S3Region          string
	S3PathStyle       bool
	S3AccessKeyID     string
	S3SecretAccessKey string
	// NotificationTargets names the webhooks trails' SnsTopicName may refer to.
	NotificationTargets string
	MaxLogFileBytes     int64
	// DeliveryCPUShare bounds the share of wall time delivery spends building files.
	DeliveryCPUShare float64

	// SigningKEKFile holds the key-encryption key of the digest signing keys
	// (default <data-dir>/signing-kek, generated at first start).
	SigningKEKFile string
	// SigningKeyRotation is how long one digest signing key is valid.
	SigningKeyRotation time.Duration
	// GCHeadroom bounds how far the Go heap grows between garbage collections once
	// the live heap is larger (see internal/gctune); 0 leaves Go's default.
	GCHeadroom int64
}

// Defaults.
const (
	DefaultListen           = "127.0.0.1:4580"
	DefaultDataDir          = "./cairn-data"
	DefaultDeliveryInterval = 5 * time.Minute
	DefaultDigestInterval   = time.Hour
	DefaultRetention        = 90 * 24 * time.Hour
	// DefaultSigningKeyRotation is signing.DefaultRotation (30 days).
	DefaultSigningKeyRotation = 30 * 24 * time.Hour
	// DefaultGCHeadroom is room for a few seconds of a busy server's garbage.
	DefaultGCHeadroom = 128 << 20
)

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Listen:                DefaultListen,
		DataDir:               DefaultDataDir,
		DefaultRegion:         "us-east-1",
		DeliveryInterval:      DefaultDeliveryInterval,
		DigestInterval:        DefaultDigestInterval,
		Retention:             DefaultRetention,
		MaxBodyBytes:          10 << 20,
		LogLevel:              "info",
		FailedAuthRate:        100,
		CloudFrontDeployDelay: 5 * time.Second,
		S3PathStyle:           true,
		MaxLogFileBytes:       50_000_000,
		DeliveryCPUShare:      delivery.DefaultCPUShare,
		SigningKeyRotation:    DefaultSigningKeyRotation,
		GCHeadroom:            DefaultGCHeadroom,
	}
}

// bindFlags registers every field on fs.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to serve on (host:port; port 0 picks one)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for the event log, metadata and credentials")
	fs.StringVar(&c.NATSURL, "nats-url", c.NATSURL, "external NATS server URL (default: embedded)")
	fs.StringVar(&c.AccountID, "account-id", c.AccountID, "operator account id (default: generated at first start)")
	fs.StringVar(&c.RootAccessKeyID, "root-access-key-id", c.RootAccessKeyID, "operator root access key id (default: generated)")
	fs.StringVar(&c.RootSecretAccessKey, "root-secret-access-key", c.RootSecretAccessKey, "operator root secret access key (default: generated)")
	fs.StringVar(&c.DefaultRegion, "default-region", c.DefaultRegion, "region for requests whose signature names none")
	fs.DurationVar(&c.DeliveryInterval, "delivery-interval", c.DeliveryInterval, "trail log file delivery interval")
	fs.DurationVar(&c.DigestInterval, "digest-interval", c.DigestInterval, "trail digest file interval")
	fs.DurationVar(&c.Retention, "retention", c.Retention, "how long the Event history keeps events")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest request body accepted")
	fs.BoolVar(&c.SyncAlways, "sync-always", c.SyncAlways, "fsync every event before responding (survives power loss, slower)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.Float64Var(&c.FailedAuthRate, "failed-auth-rate", c.FailedAuthRate, "failed-authentication events recorded per second at most")
	fs.DurationVar(&c.CloudFrontDeployDelay, "cloudfront-deploy-delay", c.CloudFrontDeployDelay, "how long a changed CloudFront distribution stays InProgress before Deployed (negative: at once)")
	fs.StringVar(&c.TLSListen, "tls-listen", c.TLSListen, "also serve HTTPS on this address (host:port)")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "TLS certificate (PEM); default: a self-signed one generated under <data-dir>/tls")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "TLS private key (PEM) of --tls-cert")
	fs.StringVar(&c.DebugListen, "debug-listen", c.DebugListen, "serve Go's profiling endpoints (/debug/pprof/, unauthenticated: use a loopback address) on this address (host:port)")
	fs.StringVar(&c.TLSHostnames, "tls-hostnames", c.TLSHostnames, "extra host names or IPs for the self-signed certificate (comma-separated)")
	fs.StringVar(&c.BucketRoot, "bucket-root", c.BucketRoot, "directory whose subdirectories are the buckets trails deliver to (default <data-dir>/buckets; unused with --s3-endpoint)")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", c.S3Endpoint, "deliver trails to this S3-compatible endpoint instead of --bucket-root (\"aws\": Amazon S3)")
	fs.StringVar(&c.S3Region, "s3-region", c.S3Region, "region to sign S3 requests for (default: the SDK's, else us-east-1)")
	fs.BoolVar(&c.S3PathStyle, "s3-path-style", c.S3PathStyle, "address S3 buckets by path (http://host/bucket), as most self-hosted servers need")
	fs.StringVar(&c.S3AccessKeyID, "s3-access-key-id", c.S3AccessKeyID, "S3 access key id (default: the AWS SDK's credential chain)")
	fs.StringVar(&c.S3SecretAccessKey, "s3-secret-access-key", c.S3SecretAccessKey, "S3 secret access key of --s3-access-key-id")
	fs.StringVar(&c.NotificationTargets, "notification-targets", c.NotificationTargets, "notification targets for trails' SnsTopicName: name=https://webhook (a POST per delivery) or name=nats:<subject> (a JetStream publish), comma-separated")
	fs.Int64Var(&c.MaxLogFileBytes, "max-log-file-bytes", c.MaxLogFileBytes, "split trail log files before this many uncompressed bytes")
	fs.Float64Var(&c.DeliveryCPUShare, "delivery-cpu-share", c.DeliveryCPUShare, "share of wall time (0-1] delivery may spend building log files while it keeps up (a window one interval late gets twice the share; a quarter of it while the server serves calls without being saturated, for up to 15 s after the work was due); delivery works between API calls and pauses, so API latency stays steady while a large window is delivered")
	fs.StringVar(&c.SigningKEKFile, "signing-kek-file", c.SigningKEKFile, "file holding the 32-byte key that encrypts the digest signing keys at rest (64 hex digits, base64 or raw; must exist; default <data-dir>/signing-kek, generated at first start)")
	fs.DurationVar(&c.SigningKeyRotation, "signing-key-rotation", c.SigningKeyRotation, "how long one digest signing key is valid before the next one signs (whole seconds)")
	fs.Int64Var(&c.GCHeadroom, "gc-headroom", c.GCHeadroom, "bytes the Go heap may grow by between garbage collections once more than that is live (GOGC is lowered, to 25 at least, so the server needs about live + this, not twice live); 0: Go's default; ignored when GOGC is set")
}

// applyEnv sets each flag from CAIRN_<FLAG> where present; flags given on the
// command line are applied after and win.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "CAIRN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" && err == nil {
			if serr := f.Value.Set(v); serr != nil {
				err = fmt.Errorf("%s: %w", name, serr)
			}
		}
	})
	return err
}

var accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// Validate checks the configuration field by field.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if c.DataDir == "" {
		return fmt.Errorf("data-dir: must be set")
	}
	if c.AccountID != "" && !accountIDRE.MatchString(c.AccountID) {
		return fmt.Errorf("account-id: must be 12 digits")
	}
	if (c.RootAccessKeyID == "") != (c.RootSecretAccessKey == "") {
		return fmt.Errorf("root-access-key-id and root-secret-access-key: set both or neither")
	}
	if c.RootAccessKeyID != "" && (len(c.RootAccessKeyID) < 16 || len(c.RootAccessKeyID) > 128) {
		return fmt.Errorf("root-access-key-id: must be 16 to 128 characters")
	}
	if c.DeliveryInterval <= 0 || c.DigestInterval <= 0 || c.Retention <= 0 {
		return fmt.Errorf("intervals and retention must be positive")
	}
	if c.MaxBodyBytes < 1024 {
		return fmt.Errorf("max-body-bytes: must be at least 1024")
	}
	if c.FailedAuthRate <= 0 {
		return fmt.Errorf("failed-auth-rate: must be positive")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("tls-cert and tls-key: set both or neither")
	}
	if c.TLSListen != "" {
		if _, _, err := net.SplitHostPort(c.TLSListen); err != nil {
			return fmt.Errorf("tls-listen: %w", err)
		}
	}
	if c.DebugListen != "" {
		if _, _, err := net.SplitHostPort(c.DebugListen); err != nil {
			return fmt.Errorf("debug-listen: %w", err)
		}
	}
	if (c.S3AccessKeyID == "") != (c.S3SecretAccessKey == "") {
		return fmt.Errorf("s3-access-key-id and s3-secret-access-key: set both or neither")
	}
	if c.DeliveryCPUShare <= 0 || c.DeliveryCPUShare > 1 {
		return fmt.Errorf("delivery-cpu-share: must be in (0, 1]")
	}
	if c.MaxLogFileBytes < 1024 {
		return fmt.Errorf("max-log-file-bytes: must be at least 1024")
	}
	if c.GCHeadroom < 0 {
		return fmt.Errorf("gc-headroom: must not be negative")
	}
	if c.SigningKeyRotation < time.Second || c.SigningKeyRotation%time.Second != 0 {
		return fmt.Errorf("signing-key-rotation: must be a whole number of seconds, at least 1s")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level: must be debug, info, warn or error")
	}
	return nil
}

// absDataDir makes the data dir absolute so printed paths work from anywhere.
func (c *Config) absDataDir() error {
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("data-dir: %w", err)
	}
	c.DataDir = abs
	return os.MkdirAll(abs, 0o700)
}
