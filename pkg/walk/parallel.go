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
	// big, in WalkFiles, is held by the walker reading a large file into
	// memory (visitBig): one at a time.
	big chan struct{}
}

// stop records the first reason to stop and wakes the other walkers. It
// reports whether err is that first reason.
func (s *shared) stop(err error) bool {
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
	return first
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
func WalkParallel(ctx context.Context, root string, lim Limits, workers int, fn func(f *File) error, opts ...Option) (Report, error) {
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
	p := startPool(ctx, &shared{cancel: cancel}, lim, workers, fn, opts)

	// The lister: its own counts and warnings (unreadable directories,
	// links) are a unit of their own, placed before the next file.
	lister := newWalker(ctx, lim, fn)
	lister.sh = p.sh
	lister.dispatch = func(path, loc string) error {
		return p.send(ctx, lister, diskJob{path: path, loc: loc})
	}
	_ = lister.walkDir(real, "") // a reason to stop is in sh
	return p.finish(lister)
}

// An Option changes how a parallel walk (WalkParallel, WalkFiles) runs its
// workers; it changes nothing of what the walk visits or reports.
type Option func(*poolOptions)

type poolOptions struct {
	held  int
	until <-chan struct{}
}

// HoldBack keeps n of a parallel walk's workers from starting until until
// is closed, the walk has handed out its last file, or the walk stops. A
// walk run beside other work that the caller waits for too (pkg/generate
// runs syft's catalogers beside it) then leaves that work the cores it
// would contend for while it runs, and takes them when it is done: on a
// machine the two cannot both fill, the one that would finish last is not
// slowed by the one that would finish first. At least one worker always
// runs.
func HoldBack(n int, until <-chan struct{}) Option {
	return func(o *poolOptions) { o.held, o.until = n, until }
}

// pool is the workers of a parallel walk. Each visits the files handed to
// it (send), their archives included, and commits its report as the unit
// of the file; a lister, on the caller's goroutine, hands them out in walk
// order.
type pool struct {
	sh       *shared
	m        *merger
	jobs     chan diskJob
	wg       sync.WaitGroup
	panicked atomic.Pointer[any]
	next     int // the unit of the next job
	// listed is closed once the last job is handed out: held workers
	// start then, if they have not yet.
	listed chan struct{}
}

func startPool(ctx context.Context, sh *shared, lim Limits, workers int, fn func(*File) error, opts []Option) *pool {
	var o poolOptions
	for _, opt := range opts {
		opt(&o)
	}
	held := min(max(o.held, 0), workers-1)
	p := &pool{sh: sh, m: &merger{pending: map[int]unitResult{}}, jobs: make(chan diskJob, 4*workers), listed: make(chan struct{})}
	for i := range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if i >= workers-held {
				select {
				case <-o.until:
				case <-p.listed:
				case <-ctx.Done():
				}
			}
			defer func() {
				if v := recover(); v != nil {
					if fp, ok := v.(fnPanic); ok {
						v = fp.v
					}
					p.panicked.CompareAndSwap(nil, &v)
					sh.stop(errPanicked)
				}
			}()
			w := newWalker(ctx, lim, fn)
			w.sh = sh
			for j := range p.jobs {
				w.rep, w.dropped, w.unit = Report{}, 0, j.unit
				if w.check() == nil {
					// a reason to stop is in sh
					if j.file != nil {
						_ = w.visitOpener(j.file)
					} else {
						_ = w.visitDiskFile(j.path, j.loc)
					}
				}
				p.m.commit(j.unit, unitResult{w.rep, w.dropped})
			}
		}()
	}
	return p
}

// flush commits what the lister counted and warned since the last file it
// handed out, as a unit of its own.
func (p *pool) flush(lister *walker) {
	if lister.dropped > 0 || len(lister.rep.Warnings) > 0 || lister.rep.Links > 0 || lister.rep.Special > 0 || lister.rep.GapCount > 0 {
		p.m.commit(p.next, unitResult{lister.rep, lister.dropped})
		p.next++
		lister.rep, lister.dropped = Report{}, 0
	}
}

// send hands a file to the workers, as the next unit.
func (p *pool) send(ctx context.Context, lister *walker, j diskJob) error {
	p.flush(lister)
	j.unit = p.next
	p.next++
	select {
	case p.jobs <- j:
		return nil
	case <-ctx.Done():
		return lister.check()
	}
}

// finish waits for the workers once the lister is done, and returns the
// walk's report and error.
func (p *pool) finish(lister *walker) (Report, error) {
	p.flush(lister)
	close(p.jobs)
	close(p.listed)
	p.wg.Wait()
	if v := p.panicked.Load(); v != nil {
		panic(*v)
	}

	rep := p.m.finish()
	var fe *fnError
	switch err := p.sh.reason(); {
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

// diskJob is a file for a worker: on disk (path), or one of WalkFiles'
// (file).
type diskJob struct {
	path, loc string
	file      *Opener
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
