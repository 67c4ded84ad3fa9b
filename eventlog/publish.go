package eventlog

import (
	"context"
	"fmt"
	"strings"

	"github.com/cairnhq/cairn"
)

// Publish publishes data on subject through JetStream and returns once a stream that
// captures the subject acknowledged it (an error when none does, so the caller can
// retry until someone listens). Delivery notifications use it for NATS targets. The
// event subjects (events.>) and system subjects ($…) are refused.
func (l *Log) Publish(ctx context.Context, subject string, data []byte) error {
	if subject == "" || strings.HasPrefix(subject, "$") || subject == "events" || strings.HasPrefix(subject, "events.") ||
		strings.ContainsAny(subject, " \t\r\n*>") {
		return fmt.Errorf("publish: subject %q is not allowed", subject)
	}
	if !l.enter() {
		return cairn.ErrClosed
	}
	defer l.wg.Done()
	ctx, cancel := l.withLog(ctx)
	defer cancel()
	if _, err := l.js.Publish(ctx, subject, data); err != nil {
		return fmt.Errorf("publish %s: %w", subject, err)
	}
	return nil
}
