package model

import "sort"

// Paths returns, for every component, the shortest path of refs from a
// product root to it (root first, the component last). See PathIndex.
func (d *Document) Paths() map[string][]string {
	idx := d.PathIndex()
	paths := make(map[string][]string, len(d.Components))
	for _, c := range d.Components {
		paths[c.Ref] = idx.Path(c.Ref)
	}
	return paths
}

// PathIndex answers "how is this component reached from the product
// root?" without building every path: a breadth-first search records each
// element's predecessor once, and Path walks back only for the components
// asked about. Elements are numbered, so the search costs a few slices and
// one map from ref to number.
type PathIndex struct {
	id     map[string]int32
	refs   []string
	prev   []int32 // -1: a root or not reached
	seen   []bool
	single string
}

// PathIndex searches the document's graph. The edges are the structural
// relationships (CONTAINS, DEPENDS_ON, DESCRIBES, links and dependency
// kinds) and nesting (Parent). Components nothing reaches hang under the
// single root (with what is nested in or depends from them below them), or
// stand alone when the document has no single root. The search is breadth
// first and visits edges in document order, so the result is deterministic.
func (d *Document) PathIndex() *PathIndex {
	idx := &PathIndex{id: make(map[string]int32, len(d.Components)+len(d.Roots))}
	num := func(ref string) int32 {
		if n, ok := idx.id[ref]; ok {
			return n
		}
		n := int32(len(idx.refs))
		idx.id[ref] = n
		idx.refs = append(idx.refs, ref)
		return n
	}
	for _, c := range d.Components {
		num(c.Ref)
	}
	components := len(idx.refs)
	var edges [][2]int32
	add := func(from, to string) {
		if from != to {
			edges = append(edges, [2]int32{num(from), num(to)})
		}
	}
	for _, c := range d.Components {
		if c.Parent != "" {
			add(c.Parent, c.Ref)
		}
	}
	for _, r := range d.Relationships {
		switch {
		case structural(r.Type):
			add(r.From, r.To)
		case dependencyOf(r.Type):
			add(r.To, r.From)
		}
	}
	for _, root := range d.Roots {
		num(root)
	}
	// Adjacency in compressed form: the out-edges of n are
	// to[start[n]:start[n+1]], in document order.
	n := len(idx.refs)
	start := make([]int32, n+1)
	for _, e := range edges {
		start[e[0]+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	to := make([]int32, len(edges))
	fill := append([]int32(nil), start[:n]...)
	for _, e := range edges {
		to[fill[e[0]]] = e[1]
		fill[e[0]]++
	}

	idx.prev = make([]int32, n)
	for i := range idx.prev {
		idx.prev[i] = -1
	}
	idx.seen = make([]bool, n)
	var queue []int32
	for _, root := range d.Roots {
		if r := idx.id[root]; !idx.seen[r] {
			idx.seen[r] = true
			queue = append(queue, r)
		}
	}
	bfs := func() {
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, m := range to[start[cur]:start[cur+1]] {
				if !idx.seen[m] {
					idx.seen[m] = true
					idx.prev[m] = cur
					queue = append(queue, m)
				}
			}
		}
	}
	bfs()
	if len(d.Roots) == 1 && idx.id[d.Roots[0]] < int32(components) {
		idx.single = d.Roots[0]
	}
	// Components nothing reaches (a document that lists components but no
	// dependencies) belong to the single root; they are attached in
	// document order, top-level ones first, so that what is nested in or
	// depends from them gets its real path below them.
	if idx.single != "" {
		root := idx.id[idx.single]
		for _, c := range d.Components {
			i := idx.id[c.Ref]
			if idx.seen[i] {
				continue
			}
			if p, ok := idx.id[c.Parent]; c.Parent == "" || !ok || p >= int32(components) {
				idx.seen[i] = true
				idx.prev[i] = root
				queue = append(queue, i)
				bfs()
			}
		}
	}
	return idx
}

// Path returns the refs from the product root to ref, root first. An
// element the search did not reach (an SPDX file no package contains) hangs
// under the single root, or stands alone.
func (p *PathIndex) Path(ref string) []string {
	i, ok := p.id[ref]
	if !ok || !p.seen[i] {
		if p.single != "" && p.single != ref {
			return []string{p.single, ref}
		}
		return []string{ref}
	}
	var path []string
	for ; i >= 0; i = p.prev[i] {
		path = append(path, p.refs[i])
	}
	for l, r := 0, len(path)-1; l < r; l, r = l+1, r-1 {
		path[l], path[r] = path[r], path[l]
	}
	return path
}

// Component returns the component with the given ref, or nil.
func (d *Document) Component(ref string) *Component {
	for _, c := range d.Components {
		if c.Ref == ref {
			return c
		}
	}
	return nil
}

// SortedStrings returns a sorted copy of s without duplicates.
func SortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	j := 0
	for i, v := range out {
		if i == 0 || v != out[j-1] {
			out[j] = v
			j++
		}
	}
	return out[:j]
}
