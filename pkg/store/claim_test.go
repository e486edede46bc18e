package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/result"
)

// ids lists the ids of submissions.
func ids(subs []Submission) []int64 {
	var out []int64
	for _, s := range subs {
		out = append(out, s.ID)
	}
	return out
}

func TestClaimLeasesAndReleases(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		a := openTest(t, url)
		b := openTest(t, url)
		ca, cb := &clock{t: clockStart}, &clock{t: clockStart}
		a.now, b.now = ca.now, cb.now
		mustProduct(t, a, "gateway")
		var subs []Submission
		for i := range 5 {
			subs = append(subs, mustSubmit(t, a, "gateway", fmt.Sprintf("bom %d", i)))
		}
		record(t, a, subs[4].ID, "d1", result.Pass) // already evaluated under d1

		claim := func(s *Store, worker string, n int) []int64 {
			t.Helper()
			got, err := s.Claim(ctx, worker, "d1", n, time.Minute)
			if err != nil {
				t.Fatalf("claim by %s: %v", worker, err)
			}
			for _, sub := range got {
				if sub.Product != "gateway" || sub.SHA256 == "" || sub.SubmittedBy != "bob" {
					t.Errorf("claimed %+v", sub)
				}
			}
			return ids(got)
		}
		if got := claim(a, "a", 2); fmt.Sprint(got) != fmt.Sprint(ids(subs[:2])) {
			t.Errorf("a claimed %v, want the two oldest %v", got, ids(subs[:2]))
		}
		if got := claim(b, "b", 5); fmt.Sprint(got) != fmt.Sprint(ids(subs[2:4])) {
			t.Errorf("b claimed %v, want %v (not a's, not the evaluated one)", got, ids(subs[2:4]))
		}
		if got := claim(b, "b", 5); len(got) != 0 {
			t.Errorf("b claimed %v with everything leased", got)
		}
		if n, _ := a.Pending(ctx, "d1"); n != 4 {
			t.Errorf("pending %d, want 4", n)
		}

		// Recording the evaluation ends the lease; the row keeps no claim.
		record(t, a, subs[0].ID, "d1", result.Fail)
		var claimedBy, claimDigest *string
		var until *int64
		if err := a.db.QueryRowContext(ctx, a.q("SELECT claimed_by, claim_digest, lease_until FROM submissions WHERE id = ?"), subs[0].ID).
			Scan(&claimedBy, &claimDigest, &until); err != nil || claimedBy != nil || claimDigest != nil || until != nil {
			t.Errorf("after the evaluation: lease %v %v %v, %v", claimedBy, claimDigest, until, err)
		}

		// a stops (crashes) without evaluating subs[1]; once its lease
		// runs out, b claims it, and nothing else.
		cb.advance(30 * time.Second)
		if got := claim(b, "b", 5); len(got) != 0 {
			t.Errorf("b claimed %v before a's lease ran out", got)
		}
		cb.advance(time.Minute)
		if got := claim(b, "b", 5); fmt.Sprint(got) != fmt.Sprint([]int64{subs[1].ID, subs[2].ID, subs[3].ID}) {
			t.Errorf("b claimed %v after the leases ran out, want %v", got, []int64{subs[1].ID, subs[2].ID, subs[3].ID})
		}

		// A lease under another digest does not hold up the newer pack.
		if got := claim(a, "a", 1); len(got) != 0 {
			t.Errorf("a claimed %v under d1", got)
		}
		other, err := a.Claim(ctx, "a", "d2", 10, time.Minute)
		if err != nil || len(other) != 5 {
			t.Errorf("claim under d2: %v, %v; want all 5", ids(other), err)
		}

		for _, c := range []struct {
			worker, digest string
			n              int
			lease          time.Duration
			want           string
		}{
			{"", "d1", 1, time.Minute, "no worker"},
			{"a", "", 1, time.Minute, "no pack digest"},
			{"a", "d1", 0, time.Minute, "asked for 0"},
			{"a", "d1", 1, 0, "not positive"},
		} {
			if _, err := a.Claim(ctx, c.worker, c.digest, c.n, c.lease); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("claim %+v: %v, want %q", c, err, c.want)
			}
		}
	})
}

// TestConcurrentReplicasEvaluateEachSubmissionOnce: two stores, each with
// its own connection pool as two `serve` replicas have, and several
// workers each, re-evaluate 200 submissions: every one is evaluated once,
// none is missed.
func TestConcurrentReplicasEvaluateEachSubmissionOnce(t *testing.T) {
	const (
		total     = 200
		replicas  = 2
		workers   = 4 // per replica
		batch     = 7
		digest    = "sha256:pack-2026.12.1"
		oldDigest = "sha256:pack-2026.11.0"
	)
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		var stores []*Store
		for range replicas {
			s, err := Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			stores = append(stores, s)
		}
		mustProduct(t, stores[0], "gateway")
		for i := range total {
			sub := mustSubmit(t, stores[0], "gateway", fmt.Sprintf("bom %d", i))
			if i%2 == 0 { // half were evaluated under the previous pack
				record(t, stores[0], sub.ID, oldDigest, result.Pass)
			}
		}

		var (
			evaluated sync.Map // submission id → *atomic.Int32: times a worker evaluated it
			changes   atomic.Int32
			wg        sync.WaitGroup
			errs      = make(chan error, replicas*workers)
		)
		for r, s := range stores {
			for w := range workers {
				worker := fmt.Sprintf("replica-%d/worker-%d", r, w)
				wg.Go(func() {
					for {
						claimed, err := s.Claim(ctx, worker, digest, batch, time.Minute)
						if err != nil {
							errs <- err
							return
						}
						if len(claimed) == 0 {
							return
						}
						for _, sub := range claimed {
							n, _ := evaluated.LoadOrStore(sub.ID, new(atomic.Int32))
							n.(*atomic.Int32).Add(1)
							_, c, err := s.RecordEvaluation(ctx, Evaluation{SubmissionID: sub.ID, PackVersion: "2026.12.1", PackDigest: digest,
								Verdict: result.Fail, Findings: []byte("[]"), EvaluatedBy: worker}, "rule KL-NEW")
							if err != nil {
								errs <- fmt.Errorf("%s: %w", worker, err)
								return
							}
							if c != nil {
								changes.Add(1)
							}
						}
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}

		seen := 0
		evaluated.Range(func(id, n any) bool {
			seen++
			if got := n.(*atomic.Int32).Load(); got != 1 {
				t.Errorf("submission %d was evaluated %d times", id, got)
			}
			return true
		})
		if seen != total {
			t.Errorf("%d submissions were evaluated, want %d", seen, total)
		}
		s := stores[0]
		if n := count(t, s, "SELECT COUNT(DISTINCT submission_id) FROM evaluations WHERE pack_digest = ?", digest); n != total {
			t.Errorf("%d submissions have an evaluation under the new pack, want %d", n, total)
		}
		if n, err := s.Pending(ctx, digest); err != nil || n != 0 {
			t.Errorf("pending %d, %v", n, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM submissions WHERE claimed_by IS NOT NULL OR lease_until IS NOT NULL"); n != 0 {
			t.Errorf("%d leases left behind", n)
		}
		if got := changes.Load(); got != total/2 {
			t.Errorf("%d verdict changes, want %d (pass → fail for those evaluated before)", got, total/2)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM verdict_changes"); n != total/2 {
			t.Errorf("%d verdict changes stored, want %d", n, total/2)
		}
		var workersSeen []string
		rows, err := s.db.QueryContext(ctx, s.q("SELECT DISTINCT evaluated_by FROM evaluations WHERE pack_digest = ? ORDER BY evaluated_by"), digest)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var w string
			rows.Scan(&w)
			workersSeen = append(workersSeen, w)
		}
		rows.Close()
		t.Logf("%s: %d submissions evaluated by %d workers: %v", s.Dialect(), total, len(workersSeen), workersSeen)

		// A second evaluation under the digest of the latest one is
		// refused, even past the lease.
		if _, _, err := s.RecordEvaluation(ctx, Evaluation{SubmissionID: 1, PackDigest: digest, Verdict: result.Pass}, ""); !errors.Is(err, ErrExists) {
			t.Errorf("evaluating again: %v, want ErrExists", err)
		}
	})
}

// TestBackToAnEarlierDigest: when the pack in force goes back to one a
// submission was evaluated under before (a rollback), the submission is
// pending and claimed again, its evaluation under that digest is redone in
// place and becomes the latest, and the change back is recorded.
func TestBackToAnEarlierDigest(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		mustProduct(t, s, "gateway")
		sub := mustSubmit(t, s, "gateway", "{}")
		record(t, s, sub.ID, "A", result.Pass)
		if ch := record(t, s, sub.ID, "B", result.Fail); ch == nil {
			t.Fatal("no change pass → fail under B")
		}
		if n, _ := s.Pending(ctx, "A"); n != 1 {
			t.Errorf("pending under A again: %d, want 1", n)
		}
		claimed, err := s.Claim(ctx, "w", "A", 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim under A again: %v, %v", claimed, err)
		}
		e, ch, err := s.RecordEvaluation(ctx, Evaluation{SubmissionID: sub.ID, PackVersion: "a", PackDigest: "A", Verdict: result.Pass, EvaluatedBy: "w"}, "rolled back")
		if err != nil || ch == nil || ch.From != result.Fail || ch.To != result.Pass || ch.PackDigest != "A" {
			t.Fatalf("back under A: %+v %+v %v", e, ch, err)
		}
		latest, err := s.LatestEvaluation(ctx, sub.ID)
		if err != nil || latest.PackDigest != "A" || latest.ID != e.ID || latest.EvaluatedBy != "w" {
			t.Errorf("latest %+v, %v", latest, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM evaluations WHERE submission_id = ?", sub.ID); n != 2 {
			t.Errorf("%d evaluations, want 2: one per digest", n)
		}
		if n, _ := s.Pending(ctx, "A"); n != 0 {
			t.Errorf("pending under A after it: %d", n)
		}
		if claimed, _ := s.Claim(ctx, "w", "A", 10, time.Minute); len(claimed) != 0 {
			t.Errorf("claimed again: %v", claimed)
		}
		if _, _, err := s.RecordEvaluation(ctx, Evaluation{SubmissionID: sub.ID, PackDigest: "A", Verdict: result.Pass}, ""); !errors.Is(err, ErrExists) {
			t.Errorf("once more under A: %v, want ErrExists", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM verdict_changes WHERE submission_id = ?", sub.ID); n != 2 {
			t.Errorf("%d verdict changes, want 2 (pass → fail → pass)", n)
		}
	})
}
