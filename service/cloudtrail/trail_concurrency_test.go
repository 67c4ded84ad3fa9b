package cloudtrail_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

func runParallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func countTrailOK(t *testing.T, errs []error, allowed ...string) int {
	t.Helper()
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
			continue
		}
		ok := false
		for _, code := range allowed {
			if isTrailCode(err, code) {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	return n
}

func isTrailCode(err error, code string) bool {
	var ae *awsproto.Error
	return errors.As(err, &ae) && ae.Code == code
}

func TestTrailStore_Concurrency(t *testing.T) {
	ctx := context.Background()
	const n = 40
	t.Run("same name: exactly one wins", func(t *testing.T) {
		s, _ := newTrailStore(t)
		errs := runParallel(n, func(i int) error {
			region := []string{tEast, tWest, tEU}[i%3]
			_, err := s.Create(ctx, tAcct, region, cloudtrail.CreateTrailParams{Name: "race", S3BucketName: "bkt", IsMultiRegionTrail: tsPtr(true)})
			return err
		})
		if got := countTrailOK(t, errs, "TrailAlreadyExistsException"); got != 1 {
			t.Fatalf("%d creates succeeded, want 1", got)
		}
		if ts, _ := s.List(ctx, tAcct); len(ts) != 1 {
			t.Fatalf("%d trails stored", len(ts))
		}
	})
	t.Run("different names in one region: exactly five win", func(t *testing.T) {
		s, _ := newTrailStore(t)
		errs := runParallel(n, func(i int) error {
			_, err := s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: fmt.Sprintf("trail-%02d", i), S3BucketName: "bkt"})
			return err
		})
		if got := countTrailOK(t, errs, "MaximumNumberOfTrailsExceededException"); got != 5 {
			t.Fatalf("%d creates succeeded, want 5", got)
		}
		if ts, _ := s.List(ctx, tAcct); len(ts) != 5 {
			t.Fatalf("%d trails stored", len(ts))
		}
	})
	t.Run("mixed multi-region creates respect every region's quota", func(t *testing.T) {
		s, _ := newTrailStore(t)
		errs := runParallel(n, func(i int) error {
			region := []string{tEast, tWest}[i%2]
			_, err := s.Create(ctx, tAcct, region, cloudtrail.CreateTrailParams{Name: fmt.Sprintf("trail-%02d", i), S3BucketName: "bkt", IsMultiRegionTrail: tsPtr(i%3 == 0)})
			return err
		})
		countTrailOK(t, errs, "MaximumNumberOfTrailsExceededException")
		for _, region := range []string{tEast, tWest, tEU} {
			ts, err := s.Describe(ctx, tAcct, region, nil, nil)
			wantTrailErr(t, err, "")
			if len(ts) > 5 {
				t.Fatalf("%s sees %d trails", region, len(ts))
			}
		}
	})
	t.Run("concurrent AddTags lose nothing", func(t *testing.T) {
		s, _ := newTrailStore(t)
		tr := mustCreateTrail(t, s, tEast, "tags")
		errs := runParallel(n, func(i int) error {
			return s.AddTags(ctx, tAcct, tEast, tr.ARN(), []cloudtrail.Tag{{Key: fmt.Sprintf("k%02d", i), Value: "v"}})
		})
		countTrailOK(t, errs)
		lt, err := s.ListTags(ctx, tAcct, tEast, []string{tr.ARN()})
		wantTrailErr(t, err, "")
		if len(lt[0].Tags) != n {
			t.Fatalf("%d tags, want %d", len(lt[0].Tags), n)
		}
	})
	t.Run("concurrent updates of different settings lose nothing", func(t *testing.T) {
		s, _ := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "upd")
		errs := runParallel(4, func(i int) error {
			var err error
			switch i {
			case 0:
				_, err = s.Update(ctx, tAcct, tEast, "upd", cloudtrail.UpdateTrailParams{EnableLogFileValidation: tsPtr(true)})
			case 1:
				err = s.StartLogging(ctx, tAcct, tEast, "upd")
			case 2:
				_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "upd", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}})
			case 3:
				err = s.AddTags(ctx, tAcct, tEast, trailARNOf(tEast, "upd"), []cloudtrail.Tag{{Key: "k"}})
			}
			return err
		})
		countTrailOK(t, errs)
		tr, _ := s.Get(ctx, tAcct, tEast, "upd")
		if !tr.LogFileValidationEnabled || !tr.IsLogging || !tr.HasInsightSelectors() || len(tr.Tags) != 1 {
			t.Fatalf("lost a write: %+v", tr)
		}
	})
	t.Run("create and delete race keeps index consistent", func(t *testing.T) {
		s, _ := newTrailStore(t)
		for round := range 20 {
			errs := runParallel(6, func(i int) error {
				if i%2 == 0 {
					_, err := s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "flip", S3BucketName: "bkt"})
					return err
				}
				return s.Delete(ctx, tAcct, tEast, "flip")
			})
			countTrailOK(t, errs, "TrailAlreadyExistsException", "TrailNotFoundException")
			_ = s.Delete(ctx, tAcct, tEast, "flip")
			// The name is free again.
			if _, err := s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "flip", S3BucketName: "bkt"}); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			wantTrailErr(t, s.Delete(ctx, tAcct, tEast, "flip"), "")
		}
	})
}
