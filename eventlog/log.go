package eventlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn"
)

// Names and defaults of the event stream.
const (
	// StreamName is the JetStream stream holding every event.
	StreamName = "EVENTS"
	// SubjectPrefix prefixes every event subject: events.<account>.<region>.
	SubjectPrefix = "events"

	// DefaultMaxAge is how long the stream keeps events (CloudTrail's Event history
	// keeps 90 days).
	DefaultMaxAge = 90 * 24 * time.Hour
	// DefaultDuplicateWindow is how long JetStream remembers event ids for
	// deduplication: an event appended again within the window is acknowledged as a
	// duplicate and not stored twice; after it, it would be stored again. Appends are
	// retried within seconds, so 15 s covers them; JetStream keeps every id of the
	// window in memory (about 150 B each), which at thousands of events per second
	// is a large part of the server's memory.
	DefaultDuplicateWindow = 15 * time.Second
	// DefaultStartTimeout bounds how long Open waits for the embedded server.
	DefaultStartTimeout = time.Minute
)

// Header names on event messages.
const (
	// HeaderMeta carries the JSON of the event's routing facts (see LoggedEvent).
	HeaderMeta  = "Cairn-Meta"
	headerMsgID = "Nats-Msg-Id"
)

// ErrNotFound is returned (wrapped) when a sequence is not in the log. It wraps
// cairn.ErrNotFound, so errors.Is(err, cairn.ErrNotFound) holds as well.
var ErrNotFound = fmt.Errorf("event log: message %w", cairn.ErrNotFound)

// Config configures Open.
type Config struct {
	// Dir is the data directory; the embedded server keeps its file store in
	// Dir/jetstream. Required unless URL is set.
	Dir string
	// URL, when set, connects to an external NATS server or cluster (JetStream
	// enabled) instead of embedding one.
	URL string
	// ConnectOptions are extra options for the client connection (credentials, TLS)
	// in external mode.
	ConnectOptions []nats.Option
	// Logger receives the embedded server's log lines (notices at debug level).
	// Nil discards them.
	Logger *slog.Logger
	// SyncAlways makes the embedded server fsync every write before acknowledging
	// it, so acknowledged events survive power loss and not only a process crash.
	// Without it each write reaches the file (a write syscall) before the ack, which
	// survives kill -9 of the process.
	SyncAlways bool
	// MaxAge is how long events are kept (DefaultMaxAge when zero).
	MaxAge time.Duration
	// MaxBytes caps the stream's size (0: unlimited). When the cap is reached new
	// appends fail rather than old events being dropped, so nothing acknowledged is
	// discarded before its time.
	MaxBytes int64
	// DuplicateWindow is the deduplication window (DefaultDuplicateWindow when zero).
	DuplicateWindow time.Duration
	// Replicas is the replication factor of the stream and KV buckets in external
	// mode (default 1).
	Replicas int
	// StartTimeout bounds how long Open waits for the embedded server to be ready
	// (DefaultStartTimeout when zero).
	StartTimeout time.Duration
}

// Log is the event log and metadata store. It is safe for concurrent use.
type Log struct {
	cfg    Config
	logger *slog.Logger

	srv    *server.Server // nil in external mode
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	// readNC carries Scan's ordered consumers, and readStream is the stream
	// through it: a scan streams batches of records, which on the appends'
	// connection would queue the acks of API calls' events behind them.
	readNC     *nats.Conn
	readStream jetstream.Stream
	unlock     func() // releases the data directory lock

	ctx    context.Context // ends when Close starts
	cancel context.CancelFunc
	mu     sync.Mutex // guards closed and wg.Add
	closed bool
	wg     sync.WaitGroup

	meta *metaStore
}

var _ cairn.EventLog = (*Log)(nil)

// Open starts (or connects to) NATS, ensures the EVENTS stream exists with the
// configured limits, and returns the Log. Opening a Dir left behind by a killed
// process recovers every acknowledged event.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	if cfg.Dir == "" && cfg.URL == "" {
		return nil, errors.New("open event log: Dir or URL is required")
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.DuplicateWindow == 0 {
		cfg.DuplicateWindow = DefaultDuplicateWindow
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	if cfg.MaxAge < 0 || cfg.MaxBytes < 0 || cfg.DuplicateWindow < 0 || cfg.Replicas < 0 {
		return nil, errors.New("open event log: negative limit")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{cfg: cfg, logger: logger}
	ok := false
	defer func() {
		if !ok {
			l.teardown()
		}
	}()

	var opts []nats.Option
	opts = append(opts, nats.Name("cairn"))
	url := cfg.URL
	if url == "" {
		if err := l.startServer(); err != nil {
			return nil, err
		}
		opts = append(opts, nats.InProcessServer(l.srv))
	} else {
		opts = append(opts, nats.MaxReconnects(-1))
		opts = append(opts, cfg.ConnectOptions...)
	}
	// Large pending limits: replies of GetMany and the acks of big batches arrive in
	// bursts and must not be dropped as a slow consumer.
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("open event log: connect: %w", err)
	}
	l.nc = nc
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(1<<16),
		jetstream.WithPublishAsyncTimeout(time.Minute),
	)
	if err != nil {
		return nil, fmt.Errorf("open event log: jetstream: %w", err)
	}
	l.js = js

	maxBytes := cfg.MaxBytes
	if maxBytes == 0 {
		maxBytes = -1
	}
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Cairn event log",
		Subjects:    []string{SubjectPrefix + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      cfg.MaxAge,
		MaxBytes:    maxBytes,
		MaxMsgs:     -1,
		Discard:     jetstream.DiscardNew,
		Duplicates:  cfg.DuplicateWindow,
		Replicas:    cfg.Replicas,
		AllowDirect: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open event log: stream %s: %w", StreamName, err)
	}
	l.stream = st
	readNC, err := nats.Connect(url, append(opts, nats.Name("cairn-read"))...)
	if err != nil {
		return nil, fmt.Errorf("open event log: connect: %w", err)
	}
	l.readNC = readNC
	readJS, err := jetstream.New(readNC)
	if err != nil {
		return nil, fmt.Errorf("open event log: jetstream: %w", err)
	}
	if l.readStream, err = readJS.Stream(ctx, StreamName); err != nil {
		return nil, fmt.Errorf("open event log: stream %s: %w", StreamName, err)
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.meta = newMetaStore(l)
	ok = true
	return l, nil
}

func (l *Log) startServer() error {
	storeDir := filepath.Join(l.cfg.Dir, "jetstream")
	if err := os.MkdirAll(storeDir, 0o700); err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	unlock, err := lockDir(l.cfg.Dir)
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	l.unlock = unlock
	srv, err := server.NewServer(&server.Options{
		ServerName: "cairn",
		DontListen: true,
		NoSigs:     true,
		JetStream:  true,
		StoreDir:   storeDir,
		SyncAlways: l.cfg.SyncAlways,
		// Room for a full batch of acks and direct-get replies in flight.
		MaxPending: 256 << 20,
	})
	if err != nil {
		return fmt.Errorf("open event log: nats server: %w", err)
	}
	srv.SetLoggerV2(serverLogger{l.logger.With("component", "nats")}, false, false, false)
	l.srv = srv
	srv.Start()
	if !srv.ReadyForConnections(l.cfg.StartTimeout) {
		return errors.New("open event log: nats server not ready")
	}
	if !srv.JetStreamEnabled() {
		return errors.New("open event log: jetstream not enabled")
	}
	return nil
}

// enter registers one unit of work with the Log; it fails once Close has begun.
// The caller must call l.wg.Done when finished.
func (l *Log) enter() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.wg.Add(1)
	return true
}

// Close stops Follow and consumer loops, waits for in-flight calls, drains the
// connection and shuts the embedded server down. Calls after the first return nil.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	l.cancel()

	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("close event log: %w", ctx.Err())
	}
	if derr := l.drain(ctx); derr != nil && err == nil {
		err = derr
	}
	l.teardown()
	return err
}

// drain flushes what the connection has buffered and closes it.
func (l *Log) drain(ctx context.Context) error {
	nc := l.nc
	if nc == nil || nc.IsClosed() {
		return nil
	}
	closed := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	if err := nc.Drain(); err != nil {
		nc.Close()
		return nil
	}
	select {
	case <-closed:
		return nil
	case <-ctx.Done():
		nc.Close()
		return fmt.Errorf("close event log: drain: %w", ctx.Err())
	}
}

// teardown releases whatever Open acquired; it is also the cleanup of a failed Open.
func (l *Log) teardown() {
	if l.readNC != nil {
		l.readNC.Close()
	}
	if l.nc != nil {
		l.nc.Close()
	}
	if l.srv != nil {
		l.srv.Shutdown()
		l.srv.WaitForShutdown()
		l.srv = nil
	}
	if l.unlock != nil {
		l.unlock()
		l.unlock = nil
	}
}

// withLog returns a context that ends when ctx ends or Close begins.
func (l *Log) withLog(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(l.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// doneErr is the error a loop returns when its context ended: ErrClosed when the
// Log is closing, otherwise the caller's context error.
func (l *Log) doneErr(ctx context.Context) error {
	if l.ctx.Err() != nil {
		return cairn.ErrClosed
	}
	return ctx.Err()
}

// serverLogger sends the embedded server's log to slog: warnings and errors as such,
// everything else at debug level.
type serverLogger struct{ l *slog.Logger }

func (s serverLogger) Noticef(format string, v ...any) { s.log(slog.LevelDebug, format, v) }
func (s serverLogger) Warnf(format string, v ...any)   { s.log(slog.LevelWarn, format, v) }
func (s serverLogger) Fatalf(format string, v ...any)  { s.log(slog.LevelError, format, v) }
func (s serverLogger) Errorf(format string, v ...any)  { s.log(slog.LevelError, format, v) }
func (s serverLogger) Debugf(format string, v ...any)  { s.log(slog.LevelDebug, format, v) }
func (s serverLogger) Tracef(format string, v ...any)  { s.log(slog.LevelDebug-4, format, v) }

func (s serverLogger) log(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	s.l.Log(ctx, level, fmt.Sprintf(format, v...))
}
