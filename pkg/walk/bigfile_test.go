package walk

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// TestBigDiskFiles: files on disk from bigFile up to MaxFileBytes are read
// into memory of their own (visitBig); their contents reach fn whole, an
// archive among them is opened, and the parallel walk sees what the
// sequential one does.
func TestBigDiskFiles(t *testing.T) {
	root := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), (bigFile+4096)/16)
	big = append(big, "MARKER-AT-THE-END"...)
	if err := os.WriteFile(filepath.Join(root, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, e := range []struct {
		name string
		data []byte
	}{{"filler.bin", big[:bigFile]}, {"inner/x.txt", []byte("MARKER-IN-THE-ZIP")}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "big.zip"), zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "small.txt"), []byte("small"), 0o644); err != nil {
		t.Fatal(err)
	}

	files, rep := walkDisk(t, root, Limits{})
	f := find(files, "big.bin")
	if f == nil || f.Skipped != "" || f.Size != int64(len(big)) || f.Data != string(big) {
		t.Fatalf("big.bin not read whole: %+v", f != nil && f.Data == string(big))
	}
	if f := find(files, "big.zip!inner/x.txt"); f == nil || f.Data != "MARKER-IN-THE-ZIP" {
		t.Fatalf("the big zip's entry: %+v (files %q)", f, locations(files))
	}
	if rep.Bytes != int64(len(big)+zb.Len()+len("small")) {
		t.Errorf("bytes read %d, want %d", rep.Bytes, len(big)+zb.Len()+len("small"))
	}
	var got []seen
	var mu sync.Mutex
	rec := record(&got)
	prep, err := WalkParallel(context.Background(), root, Limits{}, 2, func(f *File) error {
		mu.Lock() // two workers call fn at once
		defer mu.Unlock()
		return rec(f)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(files) || !reflect.DeepEqual(prep, rep) {
		t.Errorf("parallel walk: %d files, report %+v; sequential: %d, %+v", len(got), prep, len(files), rep)
	}
}

// TestBigFileChanged: a big file that is longer than its size when read
// (it grew since it was listed) is read on, whole, as visitReader reads a
// file; one that is shorter is what there is.
func TestBigFileChanged(t *testing.T) {
	const size = bigFile + 10
	for _, c := range []struct {
		name string
		real int
	}{{"grew", size + 3}, {"shrank", size - 7}, {"same", size}} {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(strings.Repeat("x", c.real-3) + "END")
			var files []seen
			w := newWalker(context.Background(), Limits{}, record(&files))
			if err := w.visitBig(node{loc: "f.bin", name: "f.bin"}, size, bytes.NewReader(data), nil); err != nil {
				t.Fatal(err)
			}
			if len(files) != 1 || files[0].Skipped != "" || files[0].Data != string(data) || files[0].Size != int64(c.real) {
				t.Fatalf("visited %d files; the first: skipped %q, %d bytes (want %d)", len(files), files[0].Skipped, len(files[0].Data), c.real)
			}
			if len(w.rep.Warnings) != 0 || w.rep.GapCount != 0 {
				t.Errorf("warnings %q, %d gaps", w.rep.Warnings, w.rep.GapCount)
			}
		})
	}
}

// TestWindowsGaps: a file read in windows that cannot be read to its end
// is a gap saying where its contents stop (what was read before is
// given), and one that grew past
// file-bytes while it was read is a file-bytes gap; the windows read
// before are given all the same, and a second reading is refused.
func TestWindowsGaps(t *testing.T) {
	const size = 2*WindowSize + 100
	data := bytes.Repeat([]byte("x"), size)
	for _, c := range []struct {
		name  string
		r     io.Reader
		lim   Limits
		parts int64 // bytes answered for
		gap   string
	}{
		{"whole", bytes.NewReader(data), Limits{}, size, ""},
		{"read error", io.MultiReader(bytes.NewReader(data[:WindowSize+5]), iotest.ErrReader(errors.New("disk on fire"))), Limits{},
			WindowSize + 5, "f.bin: read error at byte 4194309: disk on fire, contents past it not read"},
		{"grew past file-bytes", io.MultiReader(bytes.NewReader(data), bytes.NewReader(data)), Limits{MaxFileBytes: size + 10},
			size + 10, "f.bin: larger than " + sizeString(size+10) + " (limit file-bytes) when read, contents past it not read"},
		{"shrank", bytes.NewReader(data[:WindowSize+7]), Limits{}, WindowSize + 7, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var parts int64
			second := error(nil)
			w := newWalker(context.Background(), c.lim, func(f *File) error {
				err := f.Windows(func(win Window) bool {
					parts += int64(win.To - win.From)
					return true
				})
				second = f.Windows(func(Window) bool { return true })
				_ = err
				return nil
			})
			if err := w.visitWindows(node{loc: "f.bin", name: "f.bin"}, size, c.r, nil); err != nil {
				t.Fatal(err)
			}
			if parts != c.parts {
				t.Errorf("windows answered for %d bytes, want %d", parts, c.parts)
			}
			var gaps []string
			for _, g := range w.rep.Gaps {
				gaps = append(gaps, g.String())
			}
			if c.gap == "" && len(gaps) > 0 || c.gap != "" && (len(gaps) != 1 || gaps[0] != c.gap) {
				t.Errorf("gaps %q, want %q", gaps, c.gap)
			}
			if second == nil {
				t.Error("windows read a second time")
			}
		})
	}
}
