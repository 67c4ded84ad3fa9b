package delivery

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cairnhq/cairn/awsproto"
)

// Targets are the notification targets configured in Cairn, by name. A trail's
// SnsTopicName (or the last part of its topic ARN) names one. Targets implements
// Notifier and the trail store's topic check.
type Targets struct {
	urls   map[string]string // name -> http(s) URL or nats:<subject>
	client *http.Client
	pub    Publisher
}

// Publisher publishes to a NATS subject and returns once a JetStream stream
// acknowledged the message (eventlog.Log.Publish).
type Publisher interface {
	Publish(ctx context.Context, subject string, data []byte) error
}

// natsScheme prefixes a NATS subject target.
const natsScheme = "nats:"

// ParseTargets reads "name=target,name2=target2". A target is an HTTP(S) webhook URL,
// which receives a POST of the notification message for every delivery, or
// "nats:<subject>", to which the message is published through JetStream with pub
// (a stream must capture the subject: its acknowledgement is the target's).
func ParseTargets(spec string, pub Publisher) (*Targets, error) {
	t := &Targets{urls: map[string]string{}, client: &http.Client{Timeout: 30 * time.Second}, pub: pub}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, raw, ok := strings.Cut(item, "=")
		if !ok || name == "" || raw == "" {
			return nil, fmt.Errorf("notification target %q: want name=url", item)
		}
		if subject, ok := strings.CutPrefix(raw, natsScheme); ok {
			if subject == "" || strings.ContainsAny(subject, " \t*>") || strings.HasPrefix(subject, "$") || strings.HasPrefix(subject, "events.") {
				return nil, fmt.Errorf("notification target %s: %q is not a NATS subject Cairn may publish to", name, subject)
			}
			if pub == nil {
				return nil, fmt.Errorf("notification target %s: NATS targets need a NATS connection", name)
			}
		} else if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("notification target %s: %q is neither an http(s) URL nor nats:<subject>", name, raw)
		}
		if _, dup := t.urls[name]; dup {
			return nil, fmt.Errorf("notification target %s: defined twice", name)
		}
		t.urls[name] = raw
	}
	return t, nil
}

// Names returns the configured target names, sorted.
func (t *Targets) Names() []string {
	out := make([]string, 0, len(t.urls))
	for n := range t.urls {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// topicName is the last part of an SNS topic ARN.
func topicName(topicARN string) string {
	return topicARN[strings.LastIndexByte(topicARN, ':')+1:]
}

// CheckTopic answers InsufficientSnsTopicPolicyException, as CloudTrail does for a
// topic that does not exist, unless topicARN names a configured target.
func (t *Targets) CheckTopic(_ context.Context, topicARN string) error {
	if _, ok := t.urls[topicName(topicARN)]; ok {
		return nil
	}
	return awsproto.NewError("InsufficientSnsTopicPolicyException", http.StatusBadRequest,
		"SNS Topic does not exist or the topic policy is incorrect! (Cairn knows no notification target %q.)", topicName(topicARN))
}

// Notify POSTs message to the target's URL, where a 2xx answer acknowledges it (the
// request carries the headers SNS puts on an HTTP notification), or publishes it to
// the target's NATS subject, where a stream's acknowledgement does.
func (t *Targets) Notify(ctx context.Context, topicARN string, message []byte) error {
	u, ok := t.urls[topicName(topicARN)]
	if !ok {
		return fmt.Errorf("notify: no target %q", topicName(topicARN))
	}
	if subject, ok := strings.CutPrefix(u, natsScheme); ok {
		return t.pub.Publish(ctx, subject, message)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(message))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-amz-sns-message-type", "Notification")
	req.Header.Set("x-amz-sns-topic-arn", topicARN)
	resp, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify: target answered %s", resp.Status)
	}
	return nil
}
