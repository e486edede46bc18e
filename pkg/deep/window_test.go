package deep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// TestInspectWindowsSameAsWhole: a large file the walk reads in windows
// gives the facts, in the same order, and the digests that the same bytes
// inspected whole give. The files are walked from disk as pkg/generate
// walks them, and hold every pattern of the embedded packs (narrow and
// wide) at the places windows and blocks divide: across a window's
// boundary, at its first and last byte, at block boundaries, at the ends
// of the file, and more than maxFacts of a kind, so that the facts kept
// depend on the order they are found in.
func TestInspectWindowsSameAsWhole(t *testing.T) {
	base, err := signatures.Layer()
	if err != nil {
		t.Fatal(err)
	}
	set, err := signature.NewSet(base, hashLayer(t, make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := match.New(set)
	if err != nil {
		t.Fatal(err)
	}
	in := New(eng)
	if len(in.hashes) == 0 || in.maxSpan() > walk.WindowMargin {
		t.Fatalf("hashes %v, span %d: the test would not test the windows", in.hashes, in.maxSpan())
	}

	rng := rand.New(rand.NewSource(7))
	build := func(size int, head string) []byte {
		data := make([]byte, size)
		for i := range data {
			// Text-like noise with bytes of every kind, so that patterns'
			// anchors occur often and context stops at varied places.
			switch r := rng.Intn(10); {
			case r < 6:
				data[i] = byte('a' + rng.Intn(26))
			case r < 8:
				data[i] = ' '
			default:
				data[i] = byte(rng.Intn(256))
			}
		}
		copy(data, head)
		var places []int
		for k := 1; k*walk.WindowSize < size; k++ {
			b := k * walk.WindowSize
			places = append(places, b-3, b, b-1, b+1, b-walk.WindowMargin/2, b+walk.WindowMargin-10)
		}
		for b := 32 << 10; b < size; b += 1 << 20 {
			places = append(places, b-2, b)
		}
		places = append(places, len(head), size-40, size-300)
		for i, at := range places {
			pat := in.patterns[i%len(in.patterns)]
			text := pat.text
			if i%3 == 0 {
				text = append([]byte("Copyright (C) 2020 "), text...)
			}
			if i%5 == 0 {
				text = append(text, ".example.com/x"...)
			}
			if at+len(text) <= size && at >= len(head) {
				copy(data[at-min(at-len(head), len(text)/2):], text)
			}
		}
		return data
	}
	dir := t.TempDir()
	cases := []struct {
		name string
		data []byte
	}{
		{"elf.so", build(3*walk.WindowSize+12345, "\x7fELF\x02\x01\x01")},
		{"exact.bin", build(3*walk.WindowSize, "data")},
		{"just-over.bin", build(2*walk.WindowSize+1, "")},
		{"bzh-junk.bin", build(2*walk.WindowSize+99, "BZh-not-bzip2")}, // isArchive here, no walk reader: no content pass
		{"many.dat", func() []byte {
			d := build(2*walk.WindowSize+5000, "")
			for i := 0; i < 400; i++ { // far more than maxFacts of each kind
				pat := in.patterns[i%len(in.patterns)]
				at := walk.WindowSize - 200*len(in.patterns) + i*97
				copy(d[at:], pat.text)
			}
			return d
		}()},
	}
	for _, c := range cases {
		if err := os.WriteFile(filepath.Join(dir, c.name), c.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Every occurrence, in the order found: through the windows as
	// inspectWindows searches them, and in the whole file.
	type hit struct {
		id  int
		end int64
	}
	got := map[string]*Facts{}
	hits := map[string][]hit{}
	windowed := map[string]bool{}
	_, err = walk.Walk(context.Background(), dir, walk.Limits{}, func(f *walk.File) error {
		windowed[f.Location] = f.Windows != nil
		if f.Windows != nil {
			windows := f.Windows
			f.Windows = func(yield func(walk.Window) bool) error {
				return windows(func(w walk.Window) bool {
					in.scanWindow(w, func(id, end int) { hits[f.Location] = append(hits[f.Location], hit{id, w.Start + int64(end)}) })
					return yield(w)
				})
			}
		}
		got[f.Location] = in.Inspect(f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !windowed[c.name] {
				t.Fatalf("%s was not read in windows", c.name)
			}
			var wantHits []hit
			in.find.scan(c.data, func(id, end int) { wantHits = append(wantHits, hit{id, int64(end)}) })
			if !reflect.DeepEqual(hits[c.name], wantHits) {
				t.Errorf("occurrences through the windows differ from the whole file's: %d and %d", len(hits[c.name]), len(wantHits))
			}
			want := in.Inspect(&walk.File{Location: c.name, Name: c.name, Size: int64(len(c.data)), Data: c.data})
			if !reflect.DeepEqual(got[c.name], want) {
				t.Errorf("windows:\n%+v\nwhole:\n%+v", got[c.name], want)
			}
			sum := sha256.Sum256(c.data)
			if want == nil || len(want.Hashes) != 1 || want.Hashes[0].Value != hex.EncodeToString(sum[:]) {
				t.Errorf("digests %+v", want)
			}
			if c.name != "bzh-junk.bin" && len(want.Strings)+len(want.Copyrights)+len(want.Hosts)+len(want.Classes)+len(want.Paths)+len(want.Content) < 5 {
				t.Errorf("too few facts planted to compare: %+v", want)
			}
		})
	}
}
