package model

import (
	"cmp"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
)

func TestNewRelationship(t *testing.T) {
	tests := []struct {
		from, typ, to string
		want          Relationship
	}{
		{"a", "CONTAINS", "b", Relationship{From: "a", Type: RelContains, To: "b"}},
		{"b", "contained-by", "a", Relationship{From: "a", Type: RelContains, To: "b"}},
		{"b", "DEPENDENCY_OF", "a", Relationship{From: "a", Type: RelDependsOn, To: "b"}},
		{"a", "ANCESTOR_OF", "b", Relationship{From: "b", Type: RelDescendantOf, To: "a"}},
		{"src", "GENERATES", "bin", Relationship{From: "bin", Type: RelGeneratedFrom, To: "src"}},
		{"a", "VARIANT_OF", "b", Relationship{From: "a", Type: RelVariantOf, To: "b"}},
	}
	for _, tt := range tests {
		if got := NewRelationship(tt.from, tt.typ, tt.to); got != tt.want {
			t.Errorf("NewRelationship(%s %s %s) = %+v, want %+v", tt.from, tt.typ, tt.to, got, tt.want)
		}
	}
}

func TestPaths(t *testing.T) {
	comp := func(ref, parent string) *Component { return &Component{Ref: ref, Name: ref, Parent: parent} }
	d := &Document{
		Roots: []string{"root"},
		Components: []*Component{
			comp("root", ""), comp("a", ""), comp("b", ""), comp("nested", "b"), comp("opt", ""),
			comp("dev", ""), comp("orphan", ""), comp("cycle1", ""), comp("cycle2", ""),
		},
		Relationships: []Relationship{
			NewRelationship("root", "DEPENDS_ON", "a"),
			NewRelationship("a", "DEPENDS_ON", "b"),
			// A shorter way to b must win over the longer one.
			NewRelationship("root", "CONTAINS", "b"),
			NewRelationship("opt", "OPTIONAL_COMPONENT_OF", "a"),
			NewRelationship("dev", "DEV_DEPENDENCY_OF", "root"),
			NewRelationship("a", "CONTAINS", "cycle1"),
			NewRelationship("cycle1", "DEPENDS_ON", "cycle2"),
			NewRelationship("cycle2", "DEPENDS_ON", "cycle1"),
			// Not structural: a variant is not inside its original.
			NewRelationship("a", "VARIANT_OF", "orphan"),
		},
	}
	want := map[string][]string{
		"root":   {"root"},
		"a":      {"root", "a"},
		"b":      {"root", "b"},
		"nested": {"root", "b", "nested"},
		"opt":    {"root", "a", "opt"},
		"dev":    {"root", "dev"},
		"orphan": {"root", "orphan"},
		"cycle1": {"root", "a", "cycle1"},
		"cycle2": {"root", "a", "cycle1", "cycle2"},
	}
	if got := d.Paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("Paths() =\n%v\nwant\n%v", got, want)
	}

	// Without a single root, unreachable components stand alone.
	d.Roots = nil
	if got := d.Paths()["a"]; !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("no root: %v", got)
	}
}

// TestPathsNestedWithoutDependencies: a CycloneDX document with nested
// components and no dependency graph still gives each nested component its
// parents on the path.
func TestPathsNestedWithoutDependencies(t *testing.T) {
	d := &Document{
		Roots: []string{"root"},
		Components: []*Component{
			{Ref: "root"}, {Ref: "app"}, {Ref: "engine", Parent: "app"}, {Ref: "core", Parent: "engine"}, {Ref: "zlib"},
		},
	}
	want := map[string][]string{
		"root": {"root"}, "app": {"root", "app"}, "engine": {"root", "app", "engine"},
		"core": {"root", "app", "engine", "core"}, "zlib": {"root", "zlib"},
	}
	if got := d.Paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("Paths() = %v, want %v", got, want)
	}
}

// chainDoc is a root and n components c0..c(n-1), each depending on the
// next.
func chainDoc(n int) *Document {
	d := &Document{Roots: []string{"root"}, Components: []*Component{{Ref: "root"}}}
	prev := "root"
	for i := range n {
		ref := fmt.Sprintf("c%d", i)
		d.Components = append(d.Components, &Component{Ref: ref})
		d.Relationships = append(d.Relationships, NewRelationship(prev, "DEPENDS_ON", ref))
		prev = ref
	}
	return d
}

// graphs are the shapes the path index is tested on.
func graphs() map[string]*Document {
	comp := func(refs ...string) []*Component {
		var out []*Component
		for _, r := range refs {
			out = append(out, &Component{Ref: r})
		}
		return out
	}
	rel := func(pairs ...string) []Relationship {
		var out []Relationship
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, NewRelationship(pairs[i], "DEPENDS_ON", pairs[i+1]))
		}
		return out
	}
	comb := &Document{Roots: []string{"root"}, Components: comp("root")}
	prev := "root"
	for i := range 30 {
		spine, leaf := fmt.Sprintf("s%02d", i), fmt.Sprintf("leaf%02d", i)
		comb.Components = append(comb.Components, comp(leaf, spine)...)
		// The leaf first, so it takes the slot after the spine's path.
		comb.Relationships = append(comb.Relationships, rel(prev, leaf, prev, spine)...)
		prev = spine
	}
	return map[string]*Document{
		"chain": chainDoc(40),
		"diamond": {Roots: []string{"root"}, Components: comp("root", "a", "b", "d", "e"),
			Relationships: rel("root", "b", "root", "a", "a", "d", "b", "d", "d", "e")},
		"cycle": {Roots: []string{"root"}, Components: comp("root", "a", "b", "c"),
			Relationships: rel("root", "a", "a", "b", "b", "c", "c", "a", "c", "root")},
		"roots": {Roots: []string{"r2", "r1"}, Components: comp("r1", "r2", "x", "y", "z", "lone"),
			Relationships: rel("r1", "x", "r2", "y", "y", "z", "x", "z")},
		"unreachable": {Roots: []string{"root"}, Components: comp("root", "a", "b", "c"),
			Relationships: append(rel("root", "a", "b", "c"), NewRelationship("file1", "CONTAINS", "file2"))},
		"no-root": {Components: comp("a", "b", "c"), Relationships: rel("a", "b")},
		"comb":    comb,
	}
}

// naivePath walks the predecessors the search recorded, building nothing
// shared: the path as it was computed before paths were kept.
func naivePath(p *PathIndex, ref string) []string {
	i, ok := p.id[ref]
	if !ok || !p.seen[i] {
		return p.loose(ref)
	}
	var path []string
	for ; i >= 0; i = p.prev[i] {
		path = append(path, p.refs[i])
	}
	slices.Reverse(path)
	return path
}

// refsOf is every ref the index numbered, and one it does not know.
func refsOf(p *PathIndex) []string {
	return append(slices.Clone(p.refs), "unknown")
}

func TestPathShapes(t *testing.T) {
	want := map[string]map[string][]string{
		"diamond": {"d": {"root", "b", "d"}, "e": {"root", "b", "d", "e"}, "a": {"root", "a"}},
		"cycle":   {"root": {"root"}, "c": {"root", "a", "b", "c"}},
		"roots":   {"r1": {"r1"}, "x": {"r1", "x"}, "y": {"r2", "y"}, "z": {"r2", "y", "z"}, "lone": {"lone"}},
		// Unreached components hang under the single root, with what
		// they lead to; refs that are not components stand under it too.
		"unreachable": {"b": {"root", "b"}, "c": {"root", "b", "c"}, "file2": {"root", "file2"}, "unknown": {"root", "unknown"}},
		"no-root":     {"a": {"a"}, "b": {"b"}},
		"chain": {"c39": append([]string{"root"}, func() (s []string) {
			for i := range 40 {
				s = append(s, fmt.Sprintf("c%d", i))
			}
			return s
		}()...)},
	}
	for name, d := range graphs() {
		idx := d.PathIndex()
		for ref, w := range want[name] {
			if got := idx.Path(ref); !slices.Equal(got, w) {
				t.Errorf("%s: Path(%s) = %v, want %v", name, ref, got, w)
			}
		}
		// Every path, asked for in any order, is the one the search
		// recorded, and its length is Len.
		refs := refsOf(idx)
		for _, order := range [][]string{refs, reversed(refs)} {
			idx := d.PathIndex()
			for _, ref := range order {
				got, w := idx.Path(ref), naivePath(idx, ref)
				if !slices.Equal(got, w) {
					t.Errorf("%s: Path(%s) = %v, want %v", name, ref, got, w)
				}
				if idx.Len(ref) != len(w) {
					t.Errorf("%s: Len(%s) = %d, want %d", name, ref, idx.Len(ref), len(w))
				}
			}
			// Paths share storage: nothing asked later changed one
			// returned earlier.
			for _, ref := range order {
				if got, w := idx.Path(ref), naivePath(idx, ref); !slices.Equal(got, w) {
					t.Errorf("%s: Path(%s) became %v, want %v", name, ref, got, w)
				}
			}
		}
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// TestPathAppend: a caller appending to a path cannot change another.
func TestPathAppend(t *testing.T) {
	idx := chainDoc(10).PathIndex()
	p3 := idx.Path("c3")
	_ = append(p3, "mine")
	if got := idx.Path("c4"); got[len(got)-1] != "c4" {
		t.Errorf("Path(c4) = %v after an append to Path(c3)", got)
	}
}

// TestPathsLinear: the paths of every element of a long chain take memory
// in proportion to the chain, not to the sum of the paths' lengths (which
// would be 5·10⁹ strings here).
func TestPathsLinear(t *testing.T) {
	const n = 100000
	d := chainDoc(n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	paths := d.Paths()
	runtime.ReadMemStats(&after)
	if got := paths[fmt.Sprintf("c%d", n-1)]; len(got) != n+1 || got[n] != fmt.Sprintf("c%d", n-1) || got[0] != "root" {
		t.Fatalf("the last path has %d elements", len(got))
	}
	// The index, the map and the shared arrays: well under 1 KB each.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1000*n {
		t.Errorf("Paths() allocated %d bytes for a chain of %d, %d per element", alloc, n, alloc/n)
	}
	idx := d.PathIndex()
	runtime.ReadMemStats(&before)
	for i := range n {
		ref := fmt.Sprintf("c%d", i)
		if short, omitted := idx.Ends(ref, PathHead, PathTail); len(short)+omitted != i+2 {
			t.Fatalf("Ends(%s) = %v, %d", ref, short, omitted)
		}
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1000*n {
		t.Errorf("Ends allocated %d bytes for a chain of %d, %d per element", alloc, n, alloc/n)
	}
}

func TestEnds(t *testing.T) {
	for name, d := range graphs() {
		idx := d.PathIndex()
		for _, ht := range [][2]int{{4, 4}, {0, 3}, {2, 0}, {1, 1}, {0, 0}, {3, 5}, {-1, 2}} {
			for _, ref := range refsOf(idx) {
				wantShort, wantOmitted := ShortPath(naivePath(idx, ref), ht[0], ht[1])
				short, omitted := idx.Ends(ref, ht[0], ht[1])
				if !slices.Equal(short, wantShort) || omitted != wantOmitted {
					t.Errorf("%s: Ends(%s, %d, %d) = %v, %d; want %v, %d", name, ref, ht[0], ht[1], short, omitted, wantShort, wantOmitted)
				}
			}
		}
	}
	idx := chainDoc(12).PathIndex()
	short, omitted := idx.Ends("c11", PathHead, PathTail)
	if want := []string{"root", "c0", "c1", "c2", "c8", "c9", "c10", "c11"}; !slices.Equal(short, want) || omitted != 5 {
		t.Errorf("Ends(c11) = %v, %d", short, omitted)
	}
}

func TestShortPath(t *testing.T) {
	path := []string{"a", "b", "c", "d", "e", "f"}
	tests := []struct {
		head, tail  int
		want        []string
		wantOmitted int
	}{
		{2, 2, []string{"a", "b", "e", "f"}, 2},
		{2, 3, path, 0}, // one left out would save nothing
		{3, 3, path, 0},
		{0, 1, []string{"f"}, 5},
		{1, 0, []string{"a"}, 5},
		{0, 0, []string{}, 6},
	}
	for _, tt := range tests {
		got, omitted := ShortPath(path, tt.head, tt.tail)
		if !slices.Equal(got, tt.want) || omitted != tt.wantOmitted {
			t.Errorf("ShortPath(%d, %d) = %v, %d; want %v, %d", tt.head, tt.tail, got, omitted, tt.want, tt.wantOmitted)
		}
	}
	for n, want := range map[int]string{1: "… 1 more …", 999: "… 999 more …", 1000: "… 1,000 more …", 9992: "… 9,992 more …", 1234567: "… 1,234,567 more …", -1234: "… -1,234 more …"} {
		if got := Elided(n); got != want {
			t.Errorf("Elided(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	for name, d := range graphs() {
		idx := d.PathIndex()
		refs := append(refsOf(idx), "zz-unknown", "")
		for _, a := range refs {
			for _, b := range refs {
				if got, want := idx.Compare(a, b), slices.Compare(naivePath(idx, a), naivePath(idx, b)); got != want {
					t.Errorf("%s: Compare(%s, %s) = %d, want %d (%v, %v)", name, a, b, got, want, naivePath(idx, a), naivePath(idx, b))
				}
			}
		}
	}
}

// TestPathIndexConcurrent: the index may be asked from several goroutines
// (go test -race).
func TestPathIndexConcurrent(t *testing.T) {
	idx := chainDoc(200).PathIndex()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				ref := fmt.Sprintf("c%d", (i*7+g*13)%200)
				idx.Path(ref)
				idx.Ends(ref, 4, 4)
				idx.Ends(ref, g, 2)
				idx.Compare(ref, "c5")
			}
		}()
	}
	wg.Wait()
}

func BenchmarkPathIndexChain(b *testing.B) {
	for _, n := range []int{10000, 100000, 1000000} {
		d := chainDoc(n)
		refs := make([]string, n)
		for i := range refs {
			refs[i] = fmt.Sprintf("c%d", i)
		}
		b.Run(fmt.Sprintf("Path/%d", n), func(b *testing.B) {
			for b.Loop() {
				idx := d.PathIndex()
				for _, r := range refs {
					idx.Path(r)
				}
			}
		})
		b.Run(fmt.Sprintf("Ends/%d", n), func(b *testing.B) {
			for b.Loop() {
				idx := d.PathIndex()
				for _, r := range refs {
					idx.Ends(r, PathHead, PathTail)
				}
			}
		})
		b.Run(fmt.Sprintf("Compare/%d", n), func(b *testing.B) {
			for b.Loop() {
				idx := d.PathIndex()
				for i, r := range refs {
					idx.Compare(r, refs[(i*7919)%n])
				}
			}
		})
	}
}

// TestRank: ranks put the paths in slices.Compare's order.
func TestRank(t *testing.T) {
	for name, d := range graphs() {
		idx := d.PathIndex()
		refs := slices.Clone(idx.refs)
		byPath := slices.Clone(refs)
		slices.SortFunc(byPath, func(a, b string) int { return slices.Compare(naivePath(idx, a), naivePath(idx, b)) })
		byRank := slices.Clone(refs)
		slices.SortFunc(byRank, func(a, b string) int {
			i, _ := idx.Rank(a)
			j, _ := idx.Rank(b)
			return cmp.Compare(i, j)
		})
		if !slices.Equal(byPath, byRank) {
			t.Errorf("%s: by rank %v, by path %v", name, byRank, byPath)
		}
		if _, ok := idx.Rank("not-there"); ok {
			t.Errorf("%s: a ref not in the document has a rank", name)
		}
	}
}
