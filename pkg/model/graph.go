package model

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// Paths returns, for every component, the shortest path of refs from a
// product root to it (root first, the component last). See PathIndex: the
// paths share storage, so the map costs memory in proportion to the graph
// when paths share their beginnings (a long dependency chain), not to the
// sum of the paths' lengths.
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
// element's predecessor and depth once, in time and memory linear in the
// graph, and paths are built only for the components asked about. Elements
// are numbered, so the search costs a few slices and one map from ref to
// number.
//
// Path builds a path once and keeps it; a path extends its predecessor's in
// the same backing array where it can, so that the paths of every element
// of a chain of N elements take O(N) memory in all, not O(N²). Len and Ends
// answer in constant time per hop asked for, without building the path:
// reports show long paths shortened (see ShortPath). Rank and Compare order
// paths without building them.
//
// A PathIndex is safe for concurrent use.
type PathIndex struct {
	id     map[string]int32
	refs   []string
	prev   []int32 // -1: a root or not reached
	depth  []int32 // hops from the root; 0 for a root or an element not reached
	order  []int32 // the reached elements, in the order the search found them
	seen   []bool
	single string

	mu sync.Mutex
	// memo[i] is the path of element i once built, to its full capacity;
	// extended[i] is true when a successor's path has taken the slot after
	// it in the same backing array.
	memo     [][]string
	extended []bool
	// head[i] is the ancestor of i at depth headAt-1 (i itself when i is
	// no deeper), for Ends; built for one headAt at a time.
	head   []int32
	headAt int
	// rank orders the elements as their paths compare, for Compare.
	rank []int32
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
	idx.depth = make([]int32, n)
	// idx.order is the search's queue, kept: next is the first element
	// not yet searched from.
	next := 0
	for _, root := range d.Roots {
		if r := idx.id[root]; !idx.seen[r] {
			idx.seen[r] = true
			idx.order = append(idx.order, r)
		}
	}
	bfs := func() {
		for ; next < len(idx.order); next++ {
			cur := idx.order[next]
			for _, m := range to[start[cur]:start[cur+1]] {
				if !idx.seen[m] {
					idx.seen[m] = true
					idx.prev[m] = cur
					idx.depth[m] = idx.depth[cur] + 1
					idx.order = append(idx.order, m)
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
				idx.depth[i] = idx.depth[root] + 1
				idx.order = append(idx.order, i)
				bfs()
			}
		}
	}
	return idx
}

// Path returns the refs from the product root to ref, root first. An
// element the search did not reach (an SPDX file no package contains) hangs
// under the single root, or stands alone.
//
// The slice may share its backing array with other paths: read it, do not
// write to it. Appending to it is safe (its capacity is its length, so
// append copies).
func (p *PathIndex) Path(ref string) []string {
	i, ok := p.id[ref]
	if !ok || !p.seen[i] {
		return p.loose(ref)
	}
	p.mu.Lock()
	s := p.path(i)
	p.mu.Unlock()
	return s[:len(s):len(s)]
}

// loose is the path of an element the search did not reach.
func (p *PathIndex) loose(ref string) []string {
	if p.single != "" && p.single != ref {
		return []string{p.single, ref}
	}
	return []string{ref}
}

// path builds, once, the path of the reached element i: the elements
// between i and its nearest ancestor whose path is built get theirs from
// that ancestor down. Each extends its predecessor's path in place when the
// slot after it is free, and otherwise gets a copy with room to grow, so a
// chain costs O(N) in all (the backing arrays double).
func (p *PathIndex) path(i int32) []string {
	if p.memo == nil {
		p.memo = make([][]string, len(p.refs))
		p.extended = make([]bool, len(p.refs))
	}
	if s := p.memo[i]; s != nil {
		return s
	}
	var down []int32
	j := i
	for ; j >= 0 && p.memo[j] == nil; j = p.prev[j] {
		down = append(down, j)
	}
	var s []string
	if j >= 0 {
		s = p.memo[j]
	}
	for k := len(down) - 1; k >= 0; k-- {
		n := down[k]
		if j >= 0 && !p.extended[j] && len(s) < cap(s) {
			p.extended[j] = true
			s = s[:len(s)+1]
		} else {
			t := make([]string, len(s)+1, 2*len(s)+2)
			copy(t, s)
			s = t
		}
		s[len(s)-1] = p.refs[n]
		p.memo[n] = s
		j = n
	}
	return s
}

// Len returns len(p.Path(ref)) without building the path.
func (p *PathIndex) Len(ref string) int {
	i, ok := p.id[ref]
	if !ok || !p.seen[i] {
		if p.single != "" && p.single != ref {
			return 2
		}
		return 1
	}
	return int(p.depth[i]) + 1
}

// Ends returns what ShortPath(p.Path(ref), head, tail) returns without
// building the path: in time proportional to head+tail (after one pass
// over the search's result the first time a head value is asked for), so
// that showing a long path shortened costs what showing a short one does.
// The slice returned is the caller's.
func (p *PathIndex) Ends(ref string, head, tail int) (short []string, omitted int) {
	head, tail = max(head, 0), max(tail, 0)
	i, ok := p.id[ref]
	if !ok || !p.seen[i] {
		return ShortPath(p.loose(ref), head, tail)
	}
	n := int(p.depth[i]) + 1
	if n <= head+tail+1 {
		path := make([]string, n)
		for k, j := n-1, i; k >= 0; k, j = k-1, p.prev[j] {
			path[k] = p.refs[j]
		}
		return path, 0
	}
	short = make([]string, head+tail)
	j := i
	for k := head + tail - 1; k >= head; k-- {
		short[k] = p.refs[j]
		j = p.prev[j]
	}
	if head > 0 {
		p.mu.Lock()
		j = p.headOf(i, head)
		p.mu.Unlock()
		for k := head - 1; k >= 0; k-- {
			short[k] = p.refs[j]
			j = p.prev[j]
		}
	}
	return short, n - head - tail
}

// headOf returns the last of the first h elements of the path of the
// reached element i (its ancestor at depth h-1, or i itself when it is no
// deeper). The ancestors at that depth are found for every element in one
// pass in search order, which puts every element after its predecessor.
func (p *PathIndex) headOf(i int32, h int) int32 {
	if p.head == nil || p.headAt != h {
		if p.head == nil {
			p.head = make([]int32, len(p.refs))
		}
		p.headAt = h
		for _, v := range p.order {
			if int(p.depth[v]) < h {
				p.head[v] = v
			} else {
				p.head[v] = p.head[p.prev[v]]
			}
		}
	}
	return p.head[i]
}

// Compare compares the paths of a and b as slices.Compare(p.Path(a),
// p.Path(b)) does, without building them: in constant time, after sorting
// the elements once (O(N log N), the first time; see Rank). Sorting
// findings by path then costs O(F log F) and not O(F log F) times the
// paths' length, which for a long chain is the difference between
// milliseconds and hours.
func (p *PathIndex) Compare(a, b string) int {
	i, okA := p.Rank(a)
	j, okB := p.Rank(b)
	if !okA || !okB { // not an element of the document: compare the paths
		return slices.Compare(p.Path(a), p.Path(b))
	}
	return cmp.Compare(i, j)
}

// Rank is the position of ref's path among the paths of every element of
// the document, in the order slices.Compare gives them: for refs a and b
// of the document, Rank(a) < Rank(b) exactly when Path(a) sorts before
// Path(b). ok is false for a ref the document does not hold. The ranks are
// computed once, in O(N log N); a rank costs constant time after that.
func (p *PathIndex) Rank(ref string) (rank int, ok bool) {
	i, ok := p.id[ref]
	if !ok {
		return 0, false
	}
	p.mu.Lock()
	if p.rank == nil {
		p.ranks()
	}
	p.mu.Unlock()
	return int(p.rank[i]), true
}

// ranks numbers the elements in the order of their paths: a preorder walk
// of the search's tree (each element under its predecessor; one not
// reached under the single root, or standing alone) that visits roots and
// siblings in the order of their refs. A path that is a prefix of another
// then comes first, and two paths that part compare as the refs where they
// part, as slices.Compare has them.
func (p *PathIndex) ranks() {
	n := int32(len(p.refs))
	parent := make([]int32, n)
	single := int32(-1)
	if s, ok := p.id[p.single]; ok && p.single != "" {
		single = s
	}
	// Children in compressed form: those of e are kids[start[e+1]:start[e+2]],
	// the roots kids[start[0]:start[1]].
	start := make([]int32, n+2)
	for e := range n {
		switch {
		case p.seen[e]:
			parent[e] = p.prev[e]
		case single >= 0 && e != single:
			parent[e] = single
		default:
			parent[e] = -1
		}
		start[parent[e]+2]++
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	kids := make([]int32, n)
	fill := append([]int32(nil), start[:n+1]...)
	for e := range n {
		kids[fill[parent[e]+1]] = e
		fill[parent[e]+1]++
	}
	byRef := func(x, y int32) int { return cmp.Compare(p.refs[x], p.refs[y]) }
	for k := range n + 1 {
		slices.SortFunc(kids[start[k]:start[k+1]], byRef)
	}
	p.rank = make([]int32, n)
	next := int32(0)
	var stack []int32
	for k := start[1] - 1; k >= start[0]; k-- {
		stack = append(stack, kids[k])
	}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p.rank[e] = next
		next++
		for k := start[e+2] - 1; k >= start[e+1]; k-- {
			stack = append(stack, kids[k])
		}
	}
}

// PathHead and PathTail are how many of a long path's first and last
// elements reports and `pedigree inspect` show, unless asked for full
// paths (see ShortPath).
const (
	PathHead = 4
	PathTail = 4
)

// Elided is the step that stands in a shortened path for the n steps left
// out: "… 9,992 more …".
func Elided(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return "… " + s + " more …"
}

// ShortPath shortens a path for display. A path of more than
// head+tail+1 elements gives its first head and last tail elements, and
// the number of elements left out between them (path[head:len(path)-tail]);
// a shorter one is returned as it is, with 0. (Leaving out one element
// would save nothing: its mention takes its place.)
func ShortPath(path []string, head, tail int) (short []string, omitted int) {
	head, tail = max(head, 0), max(tail, 0)
	if len(path) <= head+tail+1 {
		return path, 0
	}
	short = make([]string, 0, head+tail)
	short = append(short, path[:head]...)
	short = append(short, path[len(path)-tail:]...)
	return short, len(path) - head - tail
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
