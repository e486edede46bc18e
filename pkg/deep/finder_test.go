package deep

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
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
