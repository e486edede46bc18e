package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/store"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// packSource is a Config.Reload whose answer a test sets: the engine an
// installed pack would give, or the error loading it would.
type packSource struct {
	mu    sync.Mutex
	eng   *match.Engine
	err   error
	calls atomic.Int64
}

// set makes the next loads return eng and err.
func (p *packSource) set(eng *match.Engine, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.eng, p.err = eng, err
}

// load is the Reload.
func (p *packSource) load() (*match.Engine, error) {
	p.calls.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.eng, p.err
}

// logBuffer is a log a test reads while the server writes it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// count is how many lines of the log contain s.
func (b *logBuffer) count(s string) int {
	n := 0
	for line := range strings.Lines(b.String()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// newLog is a logger writing into a logBuffer.
func newLog() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// runWorker runs w until the test ends.
func runWorker(t *testing.T, w *Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
}

// waitFor waits until cond holds, or fails the test after 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// status is GET /status as an admin.
func (ts *testServer) status(t *testing.T) Status {
	t.Helper()
	r := ts.as(t, store.Admin, "GET", "/api/v1/status", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	var st Status
	r.decode(t, &st)
	return st
}

// TestReloadReevaluates: the worker reloads the signatures at its
// interval; once a newer pack is installed it is in force, the stored
// submissions are re-evaluated under it, and the verdict it changes is
// recorded with its version and rule. Submissions evaluated after the
// swap name its digest.
func TestReloadReevaluates(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		a, b := enginetest.Embedded(t), newerEngine(t)
		src := &packSource{eng: a}
		log, logs := newLog()
		ts := newTestServer(t, openStore(t, dbURL), a, Config{Reload: src.load, Logger: log})
		suite := ts.submit(t, "suite", clean)
		gateway := ts.submit(t, "gateway", failing)
		if suite.Evaluation.Verdict != "pass" || gateway.Evaluation.Verdict != "fail" {
			t.Fatalf("before: suite %s, gateway %s", suite.Evaluation.Verdict, gateway.Evaluation.Verdict)
		}
		runWorker(t, ts.Worker("worker", WorkerOptions{Interval: 20 * time.Millisecond}))
		waitFor(t, "two reloads of the same pack", func() bool { return src.calls.Load() >= 2 })
		if ts.PackDigest() != a.Set().Digest || logs.count("signature pack changed") != 0 {
			t.Fatalf("the same pack reloaded: digest %s, log:\n%s", ts.PackDigest(), logs)
		}

		src.set(b, nil) // "signatures update" installs a newer pack
		newDigest, newVersion := b.Set().Digest, b.Set().Version()
		waitVerdict(t, ts, suite.Submission.ID, "fail")
		waitFor(t, "nothing pending under the new pack", func() bool { return ts.status(t).Pending == 0 })
		if st := ts.status(t); st.PackDigest != newDigest || st.PackVersion != newVersion || st.Rules != len(b.Set().Rules) {
			t.Errorf("status after the reload: %+v", st)
		}
		if n := logs.count("signature pack changed"); n != 1 || !strings.Contains(logs.String(), "new_digest="+newDigest) ||
			!strings.Contains(logs.String(), "old_digest="+a.Set().Digest) {
			t.Errorf("%d lines say the pack changed; log:\n%s", n, logs)
		}

		r := ts.as(t, store.Viewer, "GET", "/api/v1/changes", nil)
		var got struct{ Changes []Change }
		r.decode(t, &got)
		if len(got.Changes) != 1 {
			t.Fatalf("changes: %s", r.body)
		}
		if c := got.Changes[0]; c.Product != "suite" || c.From != "pass" || c.To != "fail" || c.PackVersion != newVersion ||
			c.PackDigest != newDigest || !strings.Contains(c.Reason, "TEST-ACME-001") {
			t.Errorf("change %+v", c)
		}
		for _, id := range []int64{suite.Submission.ID, gateway.Submission.ID} {
			evals, err := ts.store.Evaluations(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			var under []string
			for _, e := range evals {
				if e.PackDigest == newDigest && e.PackVersion == newVersion {
					under = append(under, e.EvaluatedBy)
				}
			}
			if len(evals) != 2 || len(under) != 1 || under[0] != "worker" {
				t.Errorf("submission %d: %d evaluations, under the new pack by %v; want one by the worker", id, len(evals), under)
			}
		}

		// Evaluated after the swap: under the new pack.
		later := ts.submit(t, "suite-2", clean)
		if e := later.Evaluation; e.PackDigest != newDigest || e.PackVersion != newVersion || e.Verdict != "fail" {
			t.Errorf("a submission after the reload: %+v", e)
		}
	})
}

// TestReloadFailureKeepsPack: a pack that cannot be loaded is reported,
// by ReloadSignatures, in the log (also from the worker) and to the
// admin who asked, and the pack in force stays; a server without Reload
// never changes its pack.
func TestReloadFailureKeepsPack(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	a, b := enginetest.Embedded(t), newerEngine(t)
	src := &packSource{}
	src.set(nil, errors.New("installed signatures /x: the signature does not verify"))
	log, logs := newLog()
	ts := newTestServer(t, st, a, Config{Reload: src.load, Logger: log})
	ctx := t.Context()

	changed, err := ts.ReloadSignatures(ctx, "test")
	if changed || err == nil || !strings.Contains(err.Error(), "does not verify") || ts.PackDigest() != a.Set().Digest {
		t.Errorf("reload failing: %t, %v; digest %s", changed, err, ts.PackDigest())
	}
	r := ts.as(t, store.Admin, "POST", "/api/v1/signatures/reload", nil)
	if r.status != http.StatusInternalServerError || !strings.Contains(r.errorText(t), "does not verify") ||
		!strings.Contains(r.errorText(t), "still evaluating with pack "+a.Set().Version()) {
		t.Errorf("the route, reload failing: %d %s", r.status, r.body)
	}
	src.set(nil, nil)
	if changed, err := ts.ReloadSignatures(ctx, "test"); changed || err == nil || !strings.Contains(err.Error(), "no signature engine") {
		t.Errorf("reload giving no engine: %t, %v", changed, err)
	}

	// The worker's reloads fail too, and are logged; it goes on.
	src.set(nil, errors.New("rules.yaml: line 3: bad indentation"))
	runWorker(t, ts.Worker("worker", WorkerOptions{Interval: 10 * time.Millisecond}))
	waitFor(t, "the worker's failed reload in the log", func() bool { return logs.count("bad indentation") > 0 })
	if ts.PackDigest() != a.Set().Digest || !strings.Contains(logs.String(), "signature reload failed") {
		t.Errorf("digest %s after failed reloads; log:\n%s", ts.PackDigest(), logs)
	}
	src.set(b, nil)
	waitFor(t, "the pack loaded once it loads", func() bool { return ts.PackDigest() == b.Set().Digest })

	plain := newTestServer(t, st, a, Config{})
	if changed, err := plain.ReloadSignatures(ctx, "test"); changed || err != nil || plain.PackDigest() != a.Set().Digest {
		t.Errorf("no Reload: %t, %v", changed, err)
	}
}

// TestReloadRoute: only an admin may reload; the answer is the status and
// whether the pack changed, and a change wakes the worker at once.
func TestReloadRoute(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	a, b := enginetest.Embedded(t), newerEngine(t)
	src := &packSource{eng: a}
	ts := newTestServer(t, st, a, Config{Reload: src.load})
	sub := ts.submit(t, "suite", clean)
	runWorker(t, ts.Worker("worker", WorkerOptions{Interval: time.Hour}))
	// The worker's first drain reloads; after it, only the route does.
	waitFor(t, "the worker's first reload", func() bool { return src.calls.Load() >= 1 })

	for _, role := range []store.Role{store.Viewer, store.Reviewer} {
		if r := ts.as(t, role, "POST", "/api/v1/signatures/reload", nil); r.status != http.StatusForbidden {
			t.Errorf("as %s: %d %s", role, r.status, r.body)
		}
	}
	src.set(b, nil)
	for i, want := range []bool{true, false} {
		r := ts.as(t, store.Admin, "POST", "/api/v1/signatures/reload", nil)
		var res ReloadResult
		r.decode(t, &res)
		if r.status != http.StatusOK || res.Changed != want || res.PackDigest != b.Set().Digest ||
			res.PackVersion != b.Set().Version() || res.Rules != len(b.Set().Rules) || res.Database != "sqlite" {
			t.Errorf("reload %d: %d %s, want changed %t", i+1, r.status, r.body, want)
		}
		if !strings.Contains(string(r.body), `"changed": `) {
			t.Errorf("reload %d: no changed key: %s", i+1, r.body)
		}
	}
	waitVerdict(t, ts, sub.Submission.ID, "fail")
	// The change of pack is in the audit trail, once, as done by the admin.
	audit, err := st.Audit(t.Context(), time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var changes []store.AuditEntry
	for _, e := range audit {
		if e.Action == store.ActionPackChange {
			changes = append(changes, e)
		}
	}
	if len(changes) != 1 || !strings.HasPrefix(changes[0].Actor, "test admin (token ") || changes[0].Subject != "pack:"+b.Set().Version() ||
		!strings.Contains(string(changes[0].Detail), a.Set().Digest) || !strings.Contains(string(changes[0].Detail), b.Set().Digest) {
		t.Errorf("pack changes in the audit trail: %+v", changes)
	}
	if r := ts.as(t, store.Admin, "POST", "/api/v1/signatures/reload?now=1", nil); r.status != http.StatusBadRequest {
		t.Errorf("a query parameter: %d %s", r.status, r.body)
	}
}

// oldEngine is an engine whose base pack is older than the embedded one.
func oldEngine(t *testing.T) *match.Engine {
	t.Helper()
	return enginetest.Compile(t, false, strings.Replace(enginetest.NewerPack, `version: "2026.12.1"`, `version: "2020.1.1"`, 1))
}

// TestReloadOlderPack: a pack older than the one in force is put in force
// (a rollback), with a warning; going forward again warns of nothing.
func TestReloadOlderPack(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	a, old := enginetest.Embedded(t), oldEngine(t)
	src := &packSource{eng: old}
	log, logs := newLog()
	ts := newTestServer(t, st, a, Config{Reload: src.load, Logger: log})
	if changed, err := ts.ReloadSignatures(t.Context(), "test"); !changed || err != nil || ts.PackDigest() != old.Set().Digest {
		t.Fatalf("rollback: %t, %v, digest %s", changed, err, ts.PackDigest())
	}
	if n := logs.count("older than the one in force"); n != 1 || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("%d warnings of an older pack; log:\n%s", n, logs)
	}
	src.set(a, nil)
	if changed, err := ts.ReloadSignatures(t.Context(), "test"); !changed || err != nil || ts.PackDigest() != a.Set().Digest {
		t.Fatalf("forward again: %t, %v", changed, err)
	}
	if n := logs.count("older than the one in force"); n != 1 {
		t.Errorf("%d warnings after going forward; log:\n%s", n, logs)
	}
	if !older(old, a) || older(a, old) || older(a, newerEngine(t)) {
		t.Errorf("older: wrong order")
	}
}

// TestReloadConcurrent: submissions, status reads and the worker go on
// while the pack is swapped back and forth; every evaluation names the
// pack it was made with (the clean fixture passes under the embedded
// pack and fails under the newer one), and so does every status. Run
// with -race.
func TestReloadConcurrent(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	a, b := enginetest.Embedded(t), newerEngine(t)
	var flips atomic.Int64
	reload := func() (*match.Engine, error) {
		if flips.Add(1)%2 == 1 {
			return b, nil
		}
		return a, nil
	}
	ts := newTestServer(t, st, a, Config{Reload: reload})
	runWorker(t, ts.Worker("worker", WorkerOptions{Interval: 5 * time.Millisecond, Batch: 2}))
	packs := map[string]string{a.Set().Digest: a.Set().Version(), b.Set().Digest: b.Set().Version()}
	wantVerdict := map[string]string{a.Set().Digest: "pass", b.Set().Digest: "fail"}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	var ids sync.Map
	for g := range 3 {
		wg.Go(func() {
			for i := range 4 {
				r := do(t, ts, "POST", "/api/v1/products/suite-"+itoa(int64(g))+"/submissions", ts.tokens[store.Reviewer], clean)
				var res SubmissionResult
				if err := json.Unmarshal(r.body, &res); r.status != http.StatusCreated || err != nil || res.Evaluation == nil {
					t.Errorf("submission %d.%d: %d %s", g, i, r.status, r.body)
					return
				}
				ids.Store(res.Submission.ID, true)
				e := res.Evaluation
				if packs[e.PackDigest] != e.PackVersion || wantVerdict[e.PackDigest] != e.Verdict {
					t.Errorf("submission %d.%d: %+v", g, i, e)
				}
			}
		})
	}
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			r := do(t, ts, "GET", "/api/v1/status", ts.tokens[store.Viewer], nil)
			var s Status
			if err := json.Unmarshal(r.body, &s); r.status != http.StatusOK || err != nil {
				t.Errorf("status: %d %s", r.status, r.body)
				return
			}
			if packs[s.PackDigest] != s.PackVersion {
				t.Errorf("status names pack %s %s", s.PackVersion, s.PackDigest)
			}
		}
	})
	var reloads sync.WaitGroup
	reloads.Go(func() {
		for range 40 {
			if _, err := ts.ReloadSignatures(t.Context(), "test"); err != nil {
				t.Error(err)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	reloads.Wait()
	close(stop)
	wg.Wait()

	n := 0
	ids.Range(func(k, _ any) bool {
		evals, err := st.Evaluations(t.Context(), k.(int64))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evals {
			n++
			if packs[e.PackDigest] != e.PackVersion || wantVerdict[e.PackDigest] != string(e.Verdict) {
				t.Errorf("submission %d: evaluation under %s %s: %s", k, e.PackVersion, e.PackDigest, e.Verdict)
			}
		}
		return true
	})
	if n < 12 {
		t.Errorf("%d evaluations of 12 submissions", n)
	}
	t.Logf("%d evaluations, %d reloads", n, flips.Load())
}

// BenchmarkReloadUnchanged is the worker's reload at each interval when
// no pack was installed: the embedded packs loaded and compiled again, as
// pedigree serve's Reload does, and found to be the pack in force.
func BenchmarkReloadUnchanged(b *testing.B) {
	st := openStore(b, pgtest.SQLiteURL(b))
	reload := func() (*match.Engine, error) {
		base, err := signatures.Layer()
		if err != nil {
			return nil, err
		}
		return match.Compile(base)
	}
	ts := newTestServer(b, st, nil, Config{Reload: reload})
	for b.Loop() {
		if changed, err := ts.ReloadSignatures(b.Context(), "test"); changed || err != nil {
			b.Fatalf("reload: %t, %v", changed, err)
		}
	}
}
