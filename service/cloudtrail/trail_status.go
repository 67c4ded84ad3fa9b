package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cairnhq/cairn"
)

// TrailStatusBucket holds one DeliveryStatus per trail, keyed like TrailsBucket. The
// delivery sink writes it; GetTrailStatus reads it.
const TrailStatusBucket = "trail-status"

// DeliveryStatus is what delivery reports about a trail. Zero times and empty errors
// are absent from GetTrailStatus.
type DeliveryStatus struct {
	LatestDeliveryTime             time.Time `json:",omitzero"`  // last delivered log file
	LatestDeliveryAttemptTime      time.Time `json:",omitzero"`  // last attempt, failed or not
	LatestDeliveryAttemptSucceeded time.Time `json:",omitzero"`  // last attempt that succeeded
	LatestDeliveryError            string    `json:",omitempty"` // the store's error code of the last failed attempt, "" after a success

	LatestNotificationTime             time.Time `json:",omitzero"`
	LatestNotificationAttemptTime      time.Time `json:",omitzero"`
	LatestNotificationAttemptSucceeded time.Time `json:",omitzero"`
	LatestNotificationError            string    `json:",omitempty"`

	LatestDigestDeliveryTime  time.Time `json:",omitzero"`
	LatestDigestDeliveryError string    `json:",omitempty"`
}

// UpdateDeliveryStatus applies fn to the delivery status of the trail with key
// trailKey (see Trail.Key) and stores it, retrying on concurrent updates.
func UpdateDeliveryStatus(ctx context.Context, meta cairn.MetaStore, trailKey string, fn func(*DeliveryStatus)) error {
	for range casMaxAttempts {
		var st DeliveryStatus
		e, err := meta.Get(ctx, TrailStatusBucket, trailKey)
		switch {
		case err == nil:
			if err := json.Unmarshal(e.Value, &st); err != nil {
				return fmt.Errorf("decode trail status %s: %w", trailKey, err)
			}
		case errors.Is(err, cairn.ErrNotFound):
		default:
			return fmt.Errorf("read trail status: %w", err)
		}
		fn(&st)
		b, err := json.Marshal(&st)
		if err != nil {
			return fmt.Errorf("encode trail status: %w", err)
		}
		if e.Revision == 0 {
			_, err = meta.Create(ctx, TrailStatusBucket, trailKey, b)
		} else {
			_, err = meta.Update(ctx, TrailStatusBucket, trailKey, b, e.Revision)
		}
		switch {
		case err == nil:
			return nil
		case errors.Is(err, cairn.ErrExists), errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		default:
			return fmt.Errorf("write trail status: %w", err)
		}
	}
	return errConflict()
}

// deliveryStatus reads the delivery status of trail t (zero if none was reported).
func (s *TrailStore) deliveryStatus(ctx context.Context, t *Trail) (DeliveryStatus, error) {
	var st DeliveryStatus
	e, err := s.Meta.Get(ctx, TrailStatusBucket, t.key())
	if errors.Is(err, cairn.ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read trail status: %w", err)
	}
	if err := json.Unmarshal(e.Value, &st); err != nil {
		return st, fmt.Errorf("decode trail status %s: %w", e.Key, err)
	}
	return st, nil
}
