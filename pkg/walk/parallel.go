package walk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
)

// shared is what the walkers of one walk share: the counts that MaxFiles
// and MaxTotalBytes bound, and the first reason to stop.
type shared struct {
	files        atomic.Int64
	archiveBytes atomic.Int64
	stopped      atomic.Bool
	mu           sync.Mutex
	abort        error
	cancel       context.CancelFunc // of WalkParallel's context
}

// stop records the first reason to stop and wakes the other walkers.
func (s *shared) stop(err error) {
	s.mu.Lock()
	first := s.abort == nil
	if first {
		s.abort = err
		s.stopped.Store(true)
	}
	s.mu.Unlock()
	if first && s.cancel != nil {
		s.cancel()
	}
	if first && testHookStopped != nil {
		testHookStopped()
	}
}

// testHookStopped, when set by a test, is called once the first reason to
// stop a parallel walk is recorded, so that the test can hold the other
// workers until then.
var testHookStopped func()

// reason is the reason to stop, once there is one.
func (s *shared) reason() error {
	if !s.stopped.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.abort
}

// WalkParallel is Walk with the files of a directory visited by up to
// workers goroutines at once: one goroutine lists the directories, in
// order, and each file on disk is then read, and its archives walked, by
// a worker. fn is called from several goroutines at once and must be
// safe for that; the calls for one file on disk and for the entries of
// its archives come from one goroutine, in walk order, and File.Unit tells
// the files on disk apart in walk order.
//
// The Report is the same as Walk's: counts summed, warnings in walk order.
// Limits hold for the walk as a whole; when MaxFiles or MaxTotalBytes cuts
// a walk short, which files were visited before it may differ between
// runs. An error or fs.SkipAll from fn, or ctx's end, stops every worker.
// A panic in fn is raised again in the caller's goroutine once every
// worker has stopped. With workers < 2, or a root that is not a
// directory, it is Walk.
func WalkParallel(ctx context.Context, root string, lim Limits, workers int, fn func(f *File) error) (Report, error) {
	if workers < 2 {
		return Walk(ctx, root, lim, fn)
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return Report{}, err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return Report{}, err
	}
	if !fi.IsDir() {
		return Walk(ctx, root, lim, fn)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sh := &shared{cancel: cancel}
	m := &merger{pending: map[int]unitResult{}}
	jobs := make(chan diskJob, 4*workers)

	var wg sync.WaitGroup
	var panicked atomic.Pointer[any]
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					if p, ok := v.(fnPanic); ok {
						v = p.v
					}
					panicked.CompareAndSwap(nil, &v)
					sh.stop(errPanicked)
				}
			}()
			w := newWalker(ctx, lim, fn)
			w.sh = sh
			for j := range jobs {
				w.rep, w.dropped, w.unit = Report{}, 0, j.unit
				if w.check() == nil {
					_ = w.visitDiskFile(j.path, j.loc) // a reason to stop is in sh
				}
				m.commit(j.unit, unitResult{w.rep, w.dropped})
			}
		}()
	}

	// The lister: its own counts and warnings (unreadable directories,
	// links) are a unit of their own, placed before the next file.
	lister := newWalker(ctx, lim, fn)
	lister.sh = sh
	next := 0
	flush := func() {
		if lister.dropped > 0 || len(lister.rep.Warnings) > 0 || lister.rep.Links > 0 || lister.rep.Special > 0 {
			m.commit(next, unitResult{lister.rep, lister.dropped})
			next++
			lister.rep, lister.dropped = Report{}, 0
		}
	}
	lister.dispatch = func(p, loc string) error {
		flush()
		j := diskJob{path: p, loc: loc, unit: next}
		next++
		select {
		case jobs <- j:
			return nil
		case <-ctx.Done():
			return lister.check()
		}
	}
	_ = lister.walkDir(real, "") // a reason to stop is in sh
	flush()
	close(jobs)
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(*p)
	}

	rep := m.finish()
	var fe *fnError
	switch err := sh.reason(); {
	case err == nil, err == errTruncated, err == errSkipAll:
		return rep, nil
	case errors.As(err, &fe):
		return rep, fe.err
	default:
		return rep, err
	}
}

// errPanicked stops the other workers when fn panicked in one.
var errPanicked = errors.New("walk stopped: a worker panicked")

type diskJob struct {
	path, loc string
	unit      int
}

type unitResult struct {
	rep     Report
	dropped int
}

// merger adds the units' reports into one, in unit order.
type merger struct {
	mu      sync.Mutex
	pending map[int]unitResult
	next    int
	rep     Report
	dropped int
}

func (m *merger) commit(unit int, r unitResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending[unit] = r
	for {
		r, ok := m.pending[m.next]
		if !ok {
			return
		}
		delete(m.pending, m.next)
		m.next++
		m.add(r)
	}
}

func (m *merger) add(r unitResult) {
	w := r.rep.Warnings
	r.rep.Warnings = nil
	m.rep.Add(r.rep)
	room := max(MaxWarnings-len(m.rep.Warnings), 0)
	if len(w) > room {
		m.dropped += len(w) - room
		w = w[:room]
	}
	m.rep.Warnings = append(m.rep.Warnings, w...)
	m.dropped += r.dropped
}

// finish adds what is left, in unit order (units missing after a stop are
// skipped), and the count of warnings not listed.
func (m *merger) finish() Report {
	units := make([]int, 0, len(m.pending))
	for u := range m.pending {
		units = append(units, u)
	}
	slices.Sort(units)
	for _, u := range units {
		m.add(m.pending[u])
	}
	if m.dropped > 0 {
		m.rep.Warnings = append(m.rep.Warnings, fmt.Sprintf("%d more warnings not listed", m.dropped))
	}
	return m.rep
}
