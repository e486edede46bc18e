package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/generate"
)

// progress draws one status line on a terminal: phase, files, bytes and
// the file being read, at most ten times a second. It draws nothing when
// the writer is not a terminal (CI logs, pipes) or with -q.
type progress struct {
	w       io.Writer
	mu      sync.Mutex
	last    time.Time
	drawn   bool
	enabled bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && !quiet && os.Getenv("CI") == "" {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.enabled = true
		}
	}
	return p
}

func (p *progress) update(g generate.Progress) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		cur := g.Current
		if len(cur) > 50 {
			cur = "…" + cur[len(cur)-49:]
		}
		fmt.Fprintf(p.w, "\r\033[K%s: %d files, %s  %s", g.Phase, g.Files, humanBytes(g.Bytes), cur)
		p.drawn = true
	}
}

// done clears the status line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
