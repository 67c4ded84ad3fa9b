package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/capture"
	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/gateway"
	"github.com/cairnhq/cairn/history"
	"github.com/cairnhq/cairn/identity"
	"github.com/cairnhq/cairn/internal/gctune"
	"github.com/cairnhq/cairn/kvs"
	"github.com/cairnhq/cairn/signing"
)

// ServeCommand runs the server.
type ServeCommand struct {
	*Main
}

// Run parses the flags and serves until ctx ends (SIGINT/SIGTERM), then drains
// in-flight requests and closes the event log.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("cairn serve", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	cfg.bindFlags(fs)
	if err := applyEnv(fs, c.Getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := cfg.absDataDir(); err != nil {
		return err
	}
	logger := newLogger(c.Stderr, cfg.LogLevel)
	srv, err := OpenServer(ctx, cfg, logger)
	if err != nil {
		return err
	}
	srv.PrintBanner(c.Stdout)
	<-ctx.Done()
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Close(sctx)
}

// Server is a running Cairn: the event log, the Event history follower and the
// HTTP gateway.
type Server struct {
	Config  Config
	Account string
	Addr    string
	TLSAddr string
	// DebugAddr is where /debug/pprof/ is served (--debug-listen), if anywhere.
	DebugAddr string
	tlsSrc    string
	credSrc   string
	logger    *slog.Logger

	log      *eventlog.Log
	index    *history.Index
	delivery *delivery.Scheduler
	// keys signs trail digests and serves ListPublicKeys.
	keys     *signing.KeyRing
	storeSrc string
	// activity counts the API calls in flight; delivery works between them.
	activity gateway.Activity
	http     *http.Server
	https    *http.Server
	debug    *http.Server
	ready    atomic.Bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	serveWG  sync.WaitGroup
}

// OpenServer opens every component and starts serving on cfg.Listen.
func OpenServer(ctx context.Context, cfg Config, logger *slog.Logger) (*Server, error) {
	clock := cairn.SystemClock{}
	account, key, secret, source, err := rootCredentials(&cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{Config: cfg, Account: account, credSrc: source, logger: logger}
	s.log, err = eventlog.Open(ctx, eventlog.Config{
		Dir: cfg.DataDir, URL: cfg.NATSURL, Logger: logger, SyncAlways: cfg.SyncAlways, MaxAge: cfg.Retention,
	})
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			s.log.Close(context.Background())
		}
	}()
	meta := s.log.Meta()
	tokenKey, err := loadSecret(ctx, meta, "history-token-key")
	if err != nil {
		return nil, err
	}
	s.index = history.New(history.Config{Clock: clock, Retention: cfg.Retention, TokenKey: tokenKey})
	ids := identity.New(meta, clock, account, key, secret)
	kek, kekPath, err := loadKEK(cfg, logger)
	if err != nil {
		return nil, err
	}
	s.keys = &signing.KeyRing{Meta: meta, KEK: kek, Rotation: cfg.SigningKeyRotation, Clock: clock}
	if err := s.keys.Check(ctx); err != nil {
		return nil, fmt.Errorf("digest signing keys (key-encryption key %s): %w", kekPath, err)
	}

	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if cfg.GCHeadroom > 0 && os.Getenv("GOGC") == "" {
		t := &gctune.Tuner{Headroom: uint64(cfg.GCHeadroom), Log: logger}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			t.Run(bg)
		}()
	}
	if err := s.startHistory(bg); err != nil {
		cancel()
		return nil, err
	}

	metrics := gateway.NewMetrics()
	rec := &capture.Recorder{Log: s.log, Clock: clock, Logger: logger, DefaultAccount: account,
		FailedAuth: capture.NewLimiter(clock, cfg.FailedAuthRate, cfg.FailedAuthRate*10)}
	metrics.Gauges["cairn_events_recorded_total"] = func() float64 { return float64(rec.Recorded()) }
	metrics.Gauges["cairn_failed_auth_events_dropped_total"] = func() float64 { return float64(rec.FailedAuth.Dropped()) }
	metrics.Gauges["cairn_history_events"] = func() float64 { return float64(s.index.Len()) }
	addRuntimeGauges(metrics)

	store, storeSrc, err := openObjectStore(ctx, cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	s.storeSrc = storeSrc
	targets, err := delivery.ParseTargets(cfg.NotificationTargets, s.log)
	if err != nil {
		cancel()
		return nil, err
	}
	stores := &kvs.Manager{Meta: meta, Clock: clock}
	s.startKVSSweep(bg, stores)
	gw, err := newGateway(services{
		meta: meta, clock: clock, logger: logger, ids: ids, index: s.index, log: s.log, cfg: cfg,
		store: store, targets: targets, keys: s.keys, kvs: stores,
	})
	if err != nil {
		cancel()
		return nil, err
	}
	if err := s.startDelivery(ctx, store, targets, metrics); err != nil {
		cancel()
		return nil, err
	}
	gw.Recorder, gw.Metrics, gw.Clock, gw.Logger, gw.Activity = rec, metrics, clock, logger, &s.activity
	gw.DefaultRegion, gw.MaxBodyBytes = cfg.DefaultRegion, cfg.MaxBodyBytes
	gw.Ready = func() error {
		if !s.ready.Load() {
			return errors.New("event history is replaying the event log")
		}
		return nil
	}

	// abandon stops what was started to serve before a later step failed.
	abandon := func(err error) (*Server, error) {
		for _, hs := range []*http.Server{s.http, s.https, s.debug} {
			if hs != nil {
				hs.Close()
			}
		}
		cancel()
		return nil, err
	}
	// The certificate and both listeners come first: once the HTTP listener serves,
	// /_cairn/health may answer 200, and what it promises must then exist.
	var tln net.Listener
	if cfg.TLSListen != "" {
		tc, src, err := tlsConfig(&cfg)
		if err != nil {
			return abandon(err)
		}
		if tln, err = net.Listen("tcp", cfg.TLSListen); err != nil {
			return abandon(fmt.Errorf("tls listen: %w", err))
		}
		s.TLSAddr, s.tlsSrc = tln.Addr().String(), src
		s.https = &http.Server{Handler: gw, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug)}
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		if tln != nil {
			tln.Close()
		}
		return abandon(fmt.Errorf("listen: %w", err))
	}
	s.Addr = ln.Addr().String()
	s.http = &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug)}
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "err", err)
		}
	}()
	if tln != nil {
		s.serveWG.Add(1)
		go func() {
			defer s.serveWG.Done()
			if err := s.https.ServeTLS(tln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("serve tls", "err", err)
			}
		}()
	}
	if cfg.DebugListen != "" {
		if err := s.serveDebug(cfg.DebugListen); err != nil {
			return abandon(err)
		}
	}
	ok = true
	return s, nil
}

// startKVSSweep deletes KeyValueStore pages nothing references (deleted stores,
// writers that stopped mid-commit) at start and then hourly.
func (s *Server) startKVSSweep(ctx context.Context, m *kvs.Manager) {
	s.every(ctx, time.Hour, true, func() {
		n, err := m.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Warn("key value store sweep", "err", err, "pages_deleted", n)
		case n > 0:
			s.logger.Info("key value store sweep", "pages_deleted", n)
		}
	})
}

// every runs fn every period (and at once if now) on a goroutine the server drains
// on Close, until ctx ends.
func (s *Server) every(ctx context.Context, period time.Duration, now bool, fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		if now {
			fn()
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

// startHistory replays the event log into the Event history index and then follows
// it; the server is ready once the replay reached the end of the log as it was.
func (s *Server) startHistory(ctx context.Context) error {
	last, err := s.log.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("read event log state: %w", err)
	}
	if last == 0 {
		s.ready.Store(true)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.log.Follow(ctx, 1, func(e cairn.LoggedEvent) error {
			s.index.Add(e)
			if e.Seq >= last && !s.ready.Load() {
				s.ready.Store(true)
				s.logger.Info("event history ready", "events", s.index.Len())
			}
			return nil
		})
		if err != nil && ctx.Err() == nil {
			s.logger.Error("event history follower stopped", "err", err)
		}
	}()
	s.every(ctx, time.Hour, false, s.index.Prune)
	return nil
}

// Close stops accepting requests, waits for in-flight ones (their events are
// durable before they answer), stops the followers and closes the event log.
func (s *Server) Close(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if s.https != nil {
		if terr := s.https.Shutdown(ctx); terr != nil && err == nil {
			err = terr
		}
	}
	if s.debug != nil {
		s.debug.Close()
	}
	s.serveWG.Wait()
	s.cancel()
	s.wg.Wait()
	if s.delivery != nil {
		if derr := s.delivery.Close(ctx); derr != nil && err == nil {
			err = derr
		}
	}
	if cerr := s.log.Close(ctx); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// loadSecret returns a random 32-byte key kept in the metadata store, creating it
// on first use, so that every node of a cluster (and every restart) shares it.
func loadSecret(ctx context.Context, meta cairn.MetaStore, name string) ([]byte, error) {
	const bucket = "cairn-secrets"
	for {
		if e, err := meta.Get(ctx, bucket, name); err == nil {
			return e.Value, nil
		} else if !errors.Is(err, cairn.ErrNotFound) {
			return nil, fmt.Errorf("load %s: %w", name, err)
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if _, err := meta.Create(ctx, bucket, name, key); err == nil {
			return key, nil
		} else if !errors.Is(err, cairn.ErrExists) {
			return nil, fmt.Errorf("create %s: %w", name, err)
		}
	}
}

// SigningKEKFile is the file under the data dir holding the generated key-encryption
// key of the digest signing keys.
const SigningKEKFile = "signing-kek"

// loadKEK reads the key-encryption key of the digest signing keys from
// --signing-kek-file (which must exist), else from <data-dir>/signing-kek, generating
// that file (mode 0600) at first start. It returns the path, never logs the key.
func loadKEK(cfg Config, logger *slog.Logger) ([]byte, string, error) {
	path := cfg.SigningKEKFile
	explicit := path != ""
	if !explicit {
		path = filepath.Join(cfg.DataDir, SigningKEKFile)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		kek := make([]byte, signing.KEKSize)
		if _, err := rand.Read(kek); err != nil {
			return nil, "", err
		}
		if err := writeFileAtomic(path, []byte(hex.EncodeToString(kek)+"\n"), 0o600); err != nil {
			return nil, "", fmt.Errorf("write signing key-encryption key: %w", err)
		}
		logger.Info("generated the key-encryption key of the digest signing keys; keep it with the data", "path", path)
		return kek, path, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("signing-kek-file: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		logger.Warn("the signing key-encryption key file is readable by group or others", "path", path, "mode", fi.Mode().Perm())
	}
	kek, err := parseKEK(b)
	if err != nil {
		return nil, "", fmt.Errorf("signing-kek-file %s: %w", path, err)
	}
	return kek, path, nil
}

// parseKEK accepts exactly 32 raw bytes, or 64 hex digits or base64 of 32 bytes
// (surrounding whitespace ignored).
func parseKEK(b []byte) ([]byte, error) {
	if len(b) == signing.KEKSize {
		return b, nil
	}
	s := strings.TrimSpace(string(b))
	if k, err := hex.DecodeString(s); err == nil && len(k) == signing.KEKSize {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == signing.KEKSize {
		return k, nil
	}
	return nil, fmt.Errorf("must hold a %d-byte key: %d hex digits, base64, or %d raw bytes", signing.KEKSize, 2*signing.KEKSize, signing.KEKSize)
}

// writeFileAtomic writes data to path through a synced temporary file, so a crash
// never leaves a partial file behind.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func newLogger(w interface{ Write([]byte) (int, error) }, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
