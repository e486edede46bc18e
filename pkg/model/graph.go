package model

import "sort"

// Paths returns, for every component, the shortest path of refs from a
// product root to it (root first, the component last). The edges are the
// structural relationships (CONTAINS, DEPENDS_ON, DESCRIBES, links and
// dependency kinds), nesting (Parent), and, for components nothing reaches,
// membership in the document: such a component hangs directly under the
// single root, or stands alone when the document has no single root.
//
// The search is breadth first and visits edges in document order, so the
// result is deterministic.
func (d *Document) Paths() map[string][]string {
	known := make(map[string]bool, len(d.Components))
	for _, c := range d.Components {
		known[c.Ref] = true
	}
	adj := make(map[string][]string)
	add := func(from, to string) {
		if from != to {
			adj[from] = append(adj[from], to)
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

	paths := make(map[string][]string, len(d.Components))
	prev := make(map[string]string)
	seen := make(map[string]bool)
	var queue []string
	for _, root := range d.Roots {
		if !seen[root] {
			seen[root] = true
			queue = append(queue, root)
		}
	}
	bfs := func() {
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, m := range adj[n] {
				if !seen[m] {
					seen[m] = true
					prev[m] = n
					queue = append(queue, m)
				}
			}
		}
	}
	bfs()
	single := ""
	if len(d.Roots) == 1 && known[d.Roots[0]] {
		single = d.Roots[0]
	}
	// Components nothing reaches (a document that lists components but no
	// dependencies) belong to the single root; they are attached in
	// document order, top-level ones first, so that what is nested in or
	// depends from them gets its real path below them.
	if single != "" {
		for _, c := range d.Components {
			if !seen[c.Ref] && (c.Parent == "" || !known[c.Parent]) {
				seen[c.Ref] = true
				prev[c.Ref] = single
				queue = append(queue, c.Ref)
				bfs()
			}
		}
	}
	pathOf := func(ref string) []string {
		var p []string
		for cur, ok := ref, true; ok; cur, ok = prev[cur] {
			p = append(p, cur)
		}
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
		return p
	}
	for _, c := range d.Components {
		switch {
		case seen[c.Ref]:
			paths[c.Ref] = pathOf(c.Ref)
		case single != "":
			paths[c.Ref] = []string{single, c.Ref}
		default:
			paths[c.Ref] = []string{c.Ref}
		}
	}
	return paths
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
