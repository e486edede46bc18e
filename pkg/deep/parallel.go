package deep

import (
	"slices"
	"sync"

	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// Collector inspects the files of a walk.WalkParallel, whose callback runs
// on several goroutines at once, and gives their facts to an Assembler in
// walk order (by walk.File.Unit), so the result is the same as inspecting
// one file after another in a sequential walk. Each file is inspected on
// the goroutine that read it: nothing is copied.
type Collector struct {
	in    *Inspector
	mu    sync.Mutex
	facts []unitFacts
}

type unitFacts struct {
	unit  int
	facts *Facts
}

// Collect returns an empty Collector.
func (in *Inspector) Collect() *Collector { return &Collector{in: in} }

// Add inspects one file; it is safe to call from several goroutines.
// Calls for files of one walk.File.Unit must come in walk order, as
// walk.WalkParallel makes them.
func (c *Collector) Add(f *walk.File) {
	facts := c.in.Inspect(f)
	if facts == nil {
		return
	}
	c.mu.Lock()
	c.facts = append(c.facts, unitFacts{f.Unit, facts})
	c.mu.Unlock()
}

// Assemble gives every file's facts to asm, in walk order. It is called
// once the walk has returned.
func (c *Collector) Assemble(asm *Assembler) {
	c.mu.Lock()
	defer c.mu.Unlock()
	slices.SortStableFunc(c.facts, func(a, b unitFacts) int { return a.unit - b.unit })
	for _, f := range c.facts {
		asm.Add(f.facts)
	}
	c.facts = nil
}
