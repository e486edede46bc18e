package serve

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// TestWorkersShareReevaluation: after a newer pack comes into force, two
// workers of two replicas sharing one database re-evaluate every stored
// submission exactly once between them, also the ones a crashed worker
// had claimed, and every verdict the new rule changes is recorded with
// the rule as its reason.
func TestWorkersShareReevaluation(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		ctx := t.Context()
		st := openStore(t, dbURL)
		old := newTestServer(t, st, nil, Config{})
		var subs []int64
		for i := range 5 {
			subs = append(subs, old.submit(t, fmt.Sprintf("suite-%d", i), clean).Submission.ID)
			subs = append(subs, old.submit(t, fmt.Sprintf("gateway-%d", i), failing).Submission.ID)
		}

		// Two replicas with the newer pack, each with its own store
		// connection and engine.
		var replicas []*Server
		var workers []*Worker
		for _, name := range []string{"replica-a", "replica-b"} {
			srv, err := New(Config{Store: openStore(t, dbURL), Engine: newerEngine(t)})
			if err != nil {
				t.Fatal(err)
			}
			replicas = append(replicas, srv)
			workers = append(workers, srv.Worker(name, WorkerOptions{Batch: 2, Lease: time.Minute}))
		}
		newDigest, newVersion := replicas[0].PackDigest(), replicas[0].PackVersion()
		if newDigest == old.PackDigest() || replicas[1].PackDigest() != newDigest || !strings.HasSuffix(newVersion, "+2026.12.1") {
			t.Fatalf("digests: old %s, new %s and %s (%s)", old.PackDigest(), newDigest, replicas[1].PackDigest(), newVersion)
		}

		// A worker that claimed two submissions and crashed: its lease
		// runs out, and the others take them over.
		crashed, err := st.Claim(ctx, "crashed", newDigest, 2, time.Millisecond)
		if err != nil || len(crashed) != 2 {
			t.Fatalf("crashed claim: %v, %v", crashed, err)
		}
		time.Sleep(20 * time.Millisecond)

		var wg sync.WaitGroup
		counts := make([]int, len(workers))
		errs := make([]error, len(workers))
		for i, w := range workers {
			wg.Go(func() { counts[i], errs[i] = w.Drain(ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("%s: %v", workers[i].Name(), err)
			}
		}
		if counts[0]+counts[1] != len(subs) {
			t.Errorf("the workers recorded %v evaluations, want %d in all", counts, len(subs))
		}
		for _, id := range subs {
			evals, err := st.Evaluations(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var under []string
			for _, e := range evals {
				if e.PackDigest == newDigest {
					under = append(under, e.EvaluatedBy)
				}
			}
			if len(evals) != 2 || len(under) != 1 || !slices.Contains([]string{"replica-a", "replica-b"}, under[0]) {
				t.Errorf("submission %d: %d evaluations, under the new pack by %v; want one by a replica", id, len(evals), under)
			}
		}
		if n, err := st.Pending(ctx, newDigest); err != nil || n != 0 {
			t.Errorf("pending after the drain: %d, %v", n, err)
		}
		for _, w := range workers {
			if n, err := w.Drain(ctx); n != 0 || err != nil {
				t.Errorf("%s drained %d more, %v", w.Name(), n, err)
			}
		}

		// The changes since the new pack: each clean product, pass → fail,
		// for the new rule; the failing ones stay as they were.
		r := do(t, replicas[0], "GET", "/api/v1/changes?pack="+url.QueryEscape(newVersion), old.tokens[store.Viewer], nil)
		var got struct{ Changes []Change }
		r.decode(t, &got)
		if r.status != http.StatusOK || len(got.Changes) != 5 {
			t.Fatalf("changes since %s: %d %s", newVersion, r.status, r.body)
		}
		for _, c := range got.Changes {
			if !strings.HasPrefix(c.Product, "suite-") || c.From != "pass" || c.To != "fail" || c.Reason != "rule TEST-ACME-001" ||
				c.PackDigest != newDigest || c.Text != "pass → fail under pack "+newVersion+": rule TEST-ACME-001" {
				t.Errorf("change %+v", c)
			}
		}
		r = do(t, replicas[1], "GET", "/api/v1/products", old.tokens[store.Viewer], nil)
		var list struct{ Products []Product }
		r.decode(t, &list)
		for _, p := range list.Products {
			if p.Verdict != "fail" {
				t.Errorf("product %s: %s after the newer pack, want fail", p.Name, p.Verdict)
			}
		}
	})
}

// TestWaiversReevaluate: a waiver made through the API wakes the worker,
// which re-evaluates under the new policy (the verdict changes, and the
// change is recorded); revoking it changes the verdict back.
func TestWaiversReevaluate(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	sub := ts.submit(t, "gateway", failing)
	w := ts.Worker("worker", WorkerOptions{Interval: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()

	// One waiver of every finding of the product: the verdict becomes
	// pass; revoking it, the only waiver there is, makes it fail again.
	body := `{"product":"gateway","component":"*","reason":"accepted for the test","owner":"qa","expires":"2999-12-31"}`
	r := ts.as(t, store.Reviewer, "POST", "/api/v1/waivers", []byte(body))
	var wv Waiver
	r.decode(t, &wv)
	if r.status != http.StatusCreated || !wv.Active || wv.Expires != "2999-12-31" || !strings.HasPrefix(wv.ApprovedBy, "test reviewer") {
		t.Fatalf("waiver: %d %s", r.status, r.body)
	}
	waivers := []int64{wv.ID}
	waitVerdict(t, ts, sub.Submission.ID, "pass")
	if r := ts.as(t, store.Reviewer, "DELETE", "/api/v1/waivers/"+itoa(wv.ID), nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := ts.as(t, store.Reviewer, "DELETE", "/api/v1/waivers/"+itoa(wv.ID), nil); r.status != http.StatusNotFound {
		t.Errorf("revoke twice: %d %s", r.status, r.body)
	}
	waitVerdict(t, ts, sub.Submission.ID, "fail")

	r = ts.as(t, store.Viewer, "GET", "/api/v1/changes?product=gateway", nil)
	var got struct{ Changes []Change }
	r.decode(t, &got)
	if len(got.Changes) != 2 || got.Changes[0].From != "fail" || got.Changes[0].To != "pass" || !strings.Contains(got.Changes[0].Reason, "no longer gating") ||
		got.Changes[1].To != "fail" || got.Changes[1].Reason == "" {
		t.Errorf("changes: %s", r.body)
	}
	r = ts.as(t, store.Viewer, "GET", "/api/v1/waivers?product=gateway&revoked=true", nil)
	var ws struct{ Waivers []Waiver }
	r.decode(t, &ws)
	if len(ws.Waivers) != len(waivers) || ws.Waivers[0].Revoked == nil || ws.Waivers[0].Active {
		t.Errorf("waivers with the revoked: %s", r.body)
	}
	r = ts.as(t, store.Admin, "GET", "/api/v1/audit?limit=1000", nil)
	var audit struct{ Audit []AuditEntry }
	r.decode(t, &audit)
	actions := map[string]int{}
	for _, e := range audit.Audit {
		actions[e.Action]++
	}
	if actions[store.ActionWaiverCreate] != len(waivers) || actions[store.ActionWaiverRevoke] != len(waivers) || actions[store.ActionVerdictChange] != 2 {
		t.Errorf("audit actions %v", actions)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

// waitVerdict waits until the submission's latest verdict is want.
func waitVerdict(t *testing.T, ts *testServer, id int64, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := ts.as(t, store.Viewer, "GET", "/api/v1/submissions/"+itoa(id), nil)
		var res SubmissionResult
		r.decode(t, &res)
		if res.Evaluation != nil && res.Evaluation.Verdict == want {
			if res.Evaluation.PolicyDigest == "" && want == "pass" {
				t.Errorf("an evaluation under waivers has no policy digest: %+v", res.Evaluation)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("submission %d: still %+v, want %s", id, res.Evaluation, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
