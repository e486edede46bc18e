package deep

import (
	"sync"

	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// Parallel inspects the files of a walk on worker goroutines while the walk
// reads on, and gives the facts to an Assembler in walk order, so the
// result is the same as inspecting one file after another. The walker's
// buffers are only valid during its callback, so small files are copied
// to the workers; files over asyncMax are inspected in the walk's own
// goroutine, which bounds the memory in flight to a few times asyncMax per
// worker.
type Parallel struct {
	in   *Inspector
	asm  *Assembler
	jobs chan job
	wg   sync.WaitGroup
	bufs sync.Pool

	mu      sync.Mutex
	seq     int
	next    int
	pending map[int]*Facts
}

type job struct {
	seq  int
	file walk.File
	buf  *[]byte
}

// asyncMax is the largest file handed to a worker; bigger ones are read in
// place.
const asyncMax = 4 << 20

// NewParallel starts workers (at least one) that add to asm.
func (in *Inspector) NewParallel(workers int, asm *Assembler) *Parallel {
	if workers < 1 {
		workers = 1
	}
	p := &Parallel{in: in, asm: asm, jobs: make(chan job, 2*workers), pending: map[int]*Facts{}}
	p.bufs.New = func() any { b := make([]byte, 0, 64<<10); return &b }
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				facts := p.in.Inspect(&j.file)
				*j.buf = (*j.buf)[:0]
				p.bufs.Put(j.buf)
				p.done(j.seq, facts)
			}
		}()
	}
	return p
}

// Add inspects one file; it is called from the walk's callback.
func (p *Parallel) Add(f *walk.File) {
	seq := p.seq
	p.seq++
	if len(f.Data) > asyncMax {
		p.done(seq, p.in.Inspect(f))
		return
	}
	buf := p.bufs.Get().(*[]byte)
	*buf = append((*buf)[:0], f.Data...)
	file := *f
	if f.Data != nil {
		file.Data = *buf
	}
	p.jobs <- job{seq: seq, file: file, buf: buf}
}

// done records a file's facts and passes on every result that is next in
// walk order.
func (p *Parallel) done(seq int, facts *Facts) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending[seq] = facts
	for {
		f, ok := p.pending[p.next]
		if !ok {
			return
		}
		delete(p.pending, p.next)
		p.next++
		p.asm.Add(f)
	}
}

// Close waits for the workers; every file added has been assembled when
// it returns.
func (p *Parallel) Close() {
	close(p.jobs)
	p.wg.Wait()
}
