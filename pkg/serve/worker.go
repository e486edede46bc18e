package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// Defaults of WorkerOptions.
const (
	DefaultBatch    = 8
	DefaultLease    = 10 * time.Minute
	DefaultInterval = time.Minute
)

// WorkerOptions tune a Worker; a zero field takes its default.
type WorkerOptions struct {
	// Batch is how many submissions are claimed at once.
	Batch int
	// Lease is how long a claim lasts: a worker that stops (crashes)
	// holding one leaves its submissions to the others after this long.
	// It must be longer than evaluating Batch submissions takes.
	Lease time.Duration
	// Interval is how often Run reloads the signatures and looks for
	// work when not woken.
	Interval time.Duration
}

// Worker re-evaluates stored submissions under the signature pack and the
// waivers in force. Several workers, in one process or in several
// replicas sharing a database, share the work: each claims submissions
// with store.Claim under a lease, so none is evaluated twice and the
// submissions of a worker that stopped are taken over when its leases run
// out. Verdict changes are recorded by store.RecordEvaluation, with the
// rules that caused them.
type Worker struct {
	eval *evaluator
	log  *slog.Logger
	name string
	opts WorkerOptions
	wake chan struct{}
	// reload is its server's ReloadSignatures, which logs its own
	// errors; nil for none.
	reload func(context.Context) (bool, error)
}

func newWorker(eval *evaluator, log *slog.Logger, name string, opts WorkerOptions) *Worker {
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	return &Worker{eval: eval, log: log.With("worker", name), name: name, opts: opts, wake: make(chan struct{}, 1)}
}

// Name is the worker's name, as recorded in its evaluations and claims.
func (w *Worker) Name() string { return w.name }

// Wake makes Run look for work now rather than at its next interval.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run drains the work at once, then again at every interval and whenever
// woken, until ctx ends; it returns nil then. At every interval it first
// reloads the signatures, so that a pack installed meanwhile is in force
// before the drain (and everything is re-evaluated under it). Errors are
// logged, and the work is tried again at the next interval.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if w.reload != nil {
				_, _ = w.reload(ctx) // logged by ReloadSignatures; the pack in force stays
			}
		case <-w.wake:
		}
		// A wake before the drain starts is answered by it: the drain
		// reads the digest in force (a reload above wakes this worker
		// too).
		select {
		case <-w.wake:
		default:
		}
		n, err := w.Drain(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.log.Error("re-evaluation stopped", "err", err)
		}
		if n > 0 {
			w.log.Info("re-evaluated", "submissions", n)
		}
		t.Reset(w.opts.Interval)
	}
}

// Drain claims and evaluates submissions until none is left to claim,
// and returns how many evaluations it recorded. A submission it cannot
// evaluate is logged and left to its lease, to be tried again after it.
// When the pack changes during a batch, the rest of the batch is left
// and the work claimed again under the new digest.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	done := 0
	for {
		digest, err := w.eval.digest(ctx)
		if err != nil {
			return done, fmt.Errorf("re-evaluate: %w", err)
		}
		subs, err := w.eval.store.Claim(ctx, w.name, digest, w.opts.Batch, w.opts.Lease)
		if err != nil {
			return done, fmt.Errorf("re-evaluate: %w", err)
		}
		if len(subs) == 0 {
			return done, nil
		}
		pack, _ := splitDigest(digest)
		for _, sub := range subs {
			if w.eval.current().Set().Digest != pack {
				break // reloaded: claim again under the new pack
			}
			recorded, err := w.evaluateOne(ctx, sub, digest)
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
			if err != nil {
				w.log.Error("evaluation failed", "submission", sub.ID, "product", sub.Product, "err", err)
				continue
			}
			if recorded {
				done++
			}
		}
	}
}

// evaluateOne evaluates a claimed submission under digest and records
// it; false when another worker recorded it first.
func (w *Worker) evaluateOne(ctx context.Context, sub store.Submission, digest string) (bool, error) {
	st := w.eval.store
	data, err := st.Content(ctx, sub.SHA256)
	if err != nil {
		return false, err
	}
	prev, err := st.LatestEvaluation(ctx, sub.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	out, err := w.eval.evaluate(ctx, sub, data, digest, w.name)
	if err != nil {
		return false, err
	}
	_, change, err := st.RecordEvaluation(background(ctx), out.eval, changeReason(prev.Findings, out.target))
	if errors.Is(err, store.ErrExists) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if change != nil {
		w.log.Info("verdict changed", "product", change.Product, "submission", change.SubmissionID, "change", change.String())
	}
	return true, nil
}
