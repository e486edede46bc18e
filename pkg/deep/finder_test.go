package deep

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
)

type hit struct{ id, end int }

// naive finds every occurrence of every pattern, without case for ASCII.
func naive(data []byte, patterns [][]byte) []hit {
	low := append([]byte(nil), data...)
	for i, b := range low {
		low[i] = lowerTable[b]
	}
	var hits []hit
	for end := 1; end <= len(low); end++ {
		for id, p := range patterns {
			lp := bytes.ToLower(p)
			if len(lp) > 0 && end >= len(lp) && bytes.Equal(low[end-len(lp):end], lp) {
				hits = append(hits, hit{id, end})
			}
		}
	}
	return hits
}

func TestFinderAgreesWithNaive(t *testing.T) {
	patterns := [][]byte{[]byte("kaspersky"), []byte("per"), []byte("Kaspersky Lab"), []byte("sky"), []byte("upd.kaspersky.com"), []byte("a"), []byte("")}
	a := newFinder(patterns)
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("KkaspersylLb .upd.com\x00\xd0\x9a")
	for n := 0; n < 300; n++ {
		data := make([]byte, r.IntN(80))
		for i := range data {
			data[i] = alphabet[r.IntN(len(alphabet))]
		}
		var got []hit
		a.scan(data, func(id, end int) { got = append(got, hit{id, end}) })
		want := naive(data, patterns)
		slices.SortFunc(got, func(x, y hit) int { return (x.end-y.end)*100 + x.id - y.id })
		slices.SortFunc(want, func(x, y hit) int { return (x.end-y.end)*100 + x.id - y.id })
		if !slices.Equal(got, want) {
			t.Fatalf("%q: got %v, want %v", data, got, want)
		}
	}
}

// TestFinderAcrossBlocks: patterns are found wherever they sit against
// the blocks the search works in: before, across and after a boundary.
func TestFinderAcrossBlocks(t *testing.T) {
	patterns := [][]byte{[]byte("kaspersky"), []byte("Kaspersky Lab"), []byte("upd.kaspersky.com"), []byte("x")}
	a := newFinder(patterns)
	for _, boundary := range []int{scanBlock, 2 * scanBlock} {
		for delta := -20; delta <= 20; delta++ {
			data := bytes.Repeat([]byte{'.'}, 3*scanBlock)
			at := boundary + delta
			copy(data[at:], "upd.Kaspersky Lab")
			var got []hit
			a.scan(data, func(id, end int) { got = append(got, hit{id, end}) })
			want := []hit{{0, at + len("upd.kaspersky")}, {1, at + len("upd.Kaspersky Lab")}}
			slices.SortFunc(got, func(x, y hit) int { return (x.end-y.end)*100 + x.id - y.id })
			if !slices.Equal(got, want) {
				t.Fatalf("at %d: got %v, want %v", at, got, want)
			}
		}
	}
}

func BenchmarkFinder(b *testing.B) {
	var patterns [][]byte
	for _, p := range []string{"kaspersky", "kasperskylab", "upd.kaspersky.com", "kaspersky-labs.com", "com/kavsdk/", "opt/kaspersky", "KL_PLUGINS_PATH", "X-KLMS-AntiVirus"} {
		patterns = append(patterns, []byte(p))
	}
	a := newFinder(patterns)
	data := make([]byte, 64<<20)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		a.scan(data, func(int, int) {})
	}
}

// passes is f with each needle searched for in a pass of its own, the
// reference for the one-pass search.
func passes(f *finder) *finder {
	g := *f
	g.cand = nil
	return &g
}

// occurrences is every call scan makes, in its order.
func occurrences(f *finder, data []byte) []hit {
	var got []hit
	f.scan(data, func(id, end int) { got = append(got, hit{id, end}) })
	return got
}

// onePassFinder is the finder of the embedded pack's patterns, which
// searches in one pass where the vector code is there; elsewhere the test
// is skipped with a message.
func onePassFinder(tb testing.TB) *finder {
	tb.Helper()
	f := New(enginetest.Embedded(tb)).find
	if f.cand == nil {
		if haveAVX2 {
			tb.Fatalf("the embedded pack's anchors are not searched in one pass")
		}
		tb.Skip("no vector code on this machine: the one-pass search is not used, nothing to compare")
	}
	return f
}

// TestFinderOnePassSameAsPasses: the one-pass search gives the
// occurrences a pass per needle gives, in the same order (the facts kept
// depend on it), on data made of the pack's own bytes with its patterns
// planted in every case, across blocks, and at every offset of a 32-byte
// vector and of a block's end.
func TestFinderOnePassSameAsPasses(t *testing.T) {
	f := onePassFinder(t)
	ref := passes(f)
	var alphabet []byte
	var pats [][]byte
	for _, a := range f.anchors {
		for _, p := range a.at {
			pats = append(pats, p.lower)
			alphabet = append(alphabet, p.lower...)
			alphabet = append(alphabet, bytes.ToUpper(p.lower)...)
		}
	}
	alphabet = append(alphabet, 0, ';', 0x04, 0xd0, 0x1b)
	r := rand.New(rand.NewPCG(5, 6))
	plant := func(data, p []byte, at int) {
		for i, b := range p {
			if r.IntN(2) == 0 {
				b = bytes.ToUpper([]byte{b})[0]
			}
			data[at+i] = b
		}
	}
	found := 0
	check := func(what string, data []byte) {
		t.Helper()
		got, want := occurrences(f, data), occurrences(ref, data)
		if !slices.Equal(got, want) {
			t.Fatalf("%s (%d bytes): one pass %d occurrences, a pass per needle %d; first difference at %d", what, len(data), len(got), len(want), firstDiff(got, want))
		}
		found += len(got)
	}
	// The pack's bytes in all (a block holds more needles than one pass
	// does: searched a needle at a time), one in ten or one in fifty
	// (one pass), the rest dots.
	for n := range 90 {
		density := []int{100, 10, 2}[n%3]
		data := make([]byte, r.IntN(3*scanBlock))
		for i := range data {
			data[i] = '.'
			if r.IntN(100) < density {
				data[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		for range r.IntN(40) {
			if p := pats[r.IntN(len(pats))]; len(p) <= len(data) {
				plant(data, p, r.IntN(len(data)-len(p)+1))
			}
		}
		check(fmt.Sprintf("random data %d (%d%% the pack's bytes)", n, density), data)
	}
	// Each pattern alone in plain bytes, at each offset around a vector
	// and around the end of the first block.
	for _, p := range pats {
		for _, at := range []int{0, 1, 30, 31, 32, 33, 63, 64, scanBlock - len(p) - 1, scanBlock - len(p), scanBlock - 2, scanBlock - 1, scanBlock} {
			data := bytes.Repeat([]byte{'.'}, scanBlock+100)
			if at < 0 || at+len(p) > len(data) {
				continue
			}
			plant(data, p, at)
			check(fmt.Sprintf("%q at %d", p, at), data)
		}
	}
	if found < 1000 {
		t.Fatalf("only %d occurrences in all: the data do not exercise the search", found)
	}
}

func firstDiff(a, b []hit) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestCandidates: the one-pass search finds every offset whose byte is a
// needle followed by a byte of the follow set, at every offset of a
// 32-byte vector and of the bytes after the last whole one, alone or
// among others; it may find more (its sets are supersets), never fewer,
// always in order and below n. Past the offsets a call holds, it says so.
// The nibble tables are checked to hold every byte of their sets, and to
// be exact when the sets need no more than eight buckets.
func TestCandidates(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no vector code on this machine: the one-pass search is not used")
	}
	needles, follows := []byte("kKxXvV\xd0\x1b;"), []byte("aAlL \x00\x04-eE")
	c := newCandidates(needles, follows)
	var out [maxAt]int32
	for size := range 200 {
		for at := -1; at < size; at++ {
			for _, nd := range needles {
				p := bytes.Repeat([]byte{'.'}, size)
				if at >= 0 {
					p[at] = nd
					if at+1 < size {
						p[at+1] = follows[at%len(follows)]
					}
					for j := at + 3; j+1 < size; j += 7 {
						p[j], p[j+1] = needles[j%len(needles)], follows[j%len(follows)]
					}
				}
				for _, n := range []int{size, max(size-1, 0)} {
					k := c.all(p, n, &out)
					if k < 0 {
						t.Fatalf("%d bytes: -1", size)
					}
					got := out[:k]
					if !slices.IsSorted(got) {
						t.Fatalf("%d bytes, n %d: %v not in order", size, n, got)
					}
					for i := 0; i < n && i+1 < size; i++ {
						if c.needle[p[i]] && c.follow[p[i+1]] && !slices.Contains(got, int32(i)) {
							t.Fatalf("%d bytes, n %d, %q at %d: offset %d missing from %v", size, n, nd, at, i, got)
						}
					}
					for _, i := range got {
						if int(i) >= n {
							t.Fatalf("%d bytes, n %d: offset %d past n", size, n, i)
						}
					}
				}
			}
		}
	}
	// Dense: every offset a candidate, 32 in each vector; nothing is
	// written past out.
	dense := newCandidates([]byte("k"), []byte("k"))
	guarded := new(struct {
		out   [maxAt]int32
		guard [64]int32
	})
	for _, size := range []int{maxAt - 1, maxAt, maxAt + 1, maxAt + 33, 2 * maxAt} {
		for skip := range 32 { // the first vector has 32-skip candidates
			for i := range guarded.guard {
				guarded.guard[i] = -7
			}
			p := append(bytes.Repeat([]byte("."), skip), bytes.Repeat([]byte("k"), size+1)...)
			if k := dense.all(p, size+skip, &guarded.out); size <= maxAt && k != size || size > maxAt && k != -1 {
				t.Errorf("%d candidates after %d others: %d, want %d or -1 past %d", size, skip, k, size, maxAt)
			}
			for i, g := range guarded.guard {
				if g != -7 {
					t.Fatalf("%d candidates after %d others: written past out, at %d", size, skip, maxAt+i)
				}
			}
		}
	}
	// The tables: every byte of a set is in it; with few buckets, no other.
	in := func(tb *[5][32]byte, lo, hi int, b byte) bool { return tb[lo][b&15]&tb[hi][b>>4] != 0 }
	for b := range 256 {
		if c.needle[b] != in(&c.tables, 0, 1, byte(b)) || c.follow[b] != in(&c.tables, 2, 3, byte(b)) {
			t.Errorf("byte %#x: needle %v/%v, follow %v/%v (set/tables)", b, c.needle[b], in(&c.tables, 0, 1, byte(b)), c.follow[b], in(&c.tables, 2, 3, byte(b)))
		}
	}
	var all []byte
	for b := range 256 {
		if b%3 == 0 {
			all = append(all, byte(b))
		}
	}
	wide := newCandidates(all, all)
	for _, b := range all {
		if !in(&wide.tables, 0, 1, b) {
			t.Errorf("byte %#x of a set of %d missing from its tables", b, len(all))
		}
	}
}

// FuzzFinderOnePass: any data, the same occurrences in the same order in
// one pass as in a pass per needle.
func FuzzFinderOnePass(f *testing.F) {
	fd := onePassFinder(f)
	ref := passes(fd)
	f.Add([]byte(";\x040\x041\x04>\x04@\x040\x04b\x04>\x04@\x048\x04o\x04 \x00:\x040\x04a\x04?\x045\x04@\x04a\x04:\x04>\x043\x04>\x04"))
	f.Add([]byte("X-SpamTest-Status-Extended x-spamtest-group-id 2y8xE5cq94 AV bases release date: ;;x"))
	f.Add([]byte("\xd0\x9b\xd0\xb0\xd0\xb1 Kaspersky Lab \xd0 upd.kaspersky.com com/kavsdk/"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := occurrences(fd, data), occurrences(ref, data); !slices.Equal(got, want) {
			t.Fatalf("%q: one pass %v, a pass per needle %v", data, got, want)
		}
	})
}
