package walk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// parallelTree writes a tree with plain files, nested archives, bad
// archives (warnings), links and an unreadable directory entry.
func parallelTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for i := range 60 {
		dir := filepath.Join(root, fmt.Sprintf("d%d", i%7), fmt.Sprintf("e%d", i%3))
		name := filepath.Join(dir, fmt.Sprintf("f%02d", i))
		switch i % 6 {
		case 0:
			writeFile(t, name+".zip", archivetest.Zip(t, entry{Name: "a.txt", Data: []byte("a")}, entry{Name: "in.tar.gz", Data: archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "deep.bin", Data: random(5000)}))}))
		case 1:
			writeFile(t, name+".zip", []byte("PK\x03\x04 not really a zip")) // a warning
		case 2:
			writeFile(t, name+".tgz", archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "../escape", Data: []byte("x")}))) // a warning
		case 3:
			writeFile(t, name+".bin", random(200_000))
		default:
			writeFile(t, name+".txt", bytes.Repeat([]byte{byte('a' + i%26)}, i*100))
		}
		if i%10 == 0 {
			if err := os.Symlink("nowhere", filepath.Join(dir, fmt.Sprintf("link%d", i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// TestWalkParallelIsWalk: a parallel walk visits the same files with the
// same contents, and reports the same counts and warnings in the same
// order, as Walk; sorting its files stably by Unit gives walk order.
func TestWalkParallelIsWalk(t *testing.T) {
	root := parallelTree(t)
	want, wantRep := walkDisk(t, root, Limits{})
	if len(wantRep.Warnings) < 10 || wantRep.Links != 6 || wantRep.Archives < 20 {
		t.Fatalf("the tree does not exercise enough: %+v", wantRep)
	}
	for _, workers := range []int{1, 2, 3, 8} {
		var mu sync.Mutex
		var got []seen
		var units []int
		rep, err := WalkParallel(context.Background(), root, Limits{}, workers, func(f *File) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, seen{Location: f.Location, Name: f.Name, Size: f.Size, Depth: f.Depth, Data: string(f.Data), Nil: f.Data == nil, Skipped: f.Skipped})
			units = append(units, f.Unit)
			return nil
		})
		if err != nil {
			t.Fatalf("%d workers: %v", workers, err)
		}
		idx := make([]int, len(got))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return units[a] - units[b] })
		ordered := make([]seen, len(got))
		for i, j := range idx {
			ordered[i] = got[j]
		}
		if !reflect.DeepEqual(ordered, want) {
			t.Errorf("%d workers: files in Unit order differ from Walk's:\n got %q\nwant %q", workers, locations(ordered), locations(want))
		}
		if !reflect.DeepEqual(rep, wantRep) {
			t.Errorf("%d workers: report\n got %+v\nwant %+v", workers, rep, wantRep)
		}
	}
}

// TestWalkParallelControl: errors, fs.SkipAll, cancellation, limits and
// panics of fn stop every worker and come back as Walk's do.
func TestWalkParallelControl(t *testing.T) {
	root := t.TempDir()
	for i := range 200 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("d%d/f%03d.txt", i%4, i)), []byte("x"))
	}
	writeFile(t, filepath.Join(root, "d0/a.zip"), archivetest.Zip(t, entry{Name: "in.txt", Data: []byte("in")}))
	run := func(ctx context.Context, lim Limits, fn func(*File) error) (int, Report, error) {
		var mu sync.Mutex
		n := 0
		rep, err := WalkParallel(ctx, root, lim, 4, func(f *File) error {
			mu.Lock()
			n++
			mu.Unlock()
			return fn(f)
		})
		return n, rep, err
	}

	// The walk stops at d0/a.zip!in.txt: the zip is the first file the
	// lister hands out, and every other file waits in fn until the reason
	// to stop is recorded, so each of the other workers can call fn at most
	// once before it sees the stop, whatever the scheduler does.
	stopAt := func(ctx context.Context, at func() error) (int, error) {
		gate := make(chan struct{})
		var once sync.Once
		testHookStopped = func() { once.Do(func() { close(gate) }) }
		defer func() { testHookStopped = nil }()
		n, _, err := run(ctx, Limits{}, func(f *File) error {
			switch f.Name {
			case "a.zip":
				return nil
			case "in.txt":
				return at()
			}
			select {
			case <-gate:
			case <-time.After(time.Minute):
				t.Error("the walk never stopped at in.txt")
				once.Do(func() { close(gate) })
			}
			return nil
		})
		return n, err
	}
	const most = 2 + 4 - 1 // a.zip, in.txt, one file for each other worker
	stop := errors.New("stop")
	if n, err := stopAt(context.Background(), func() error { return stop }); err != stop || n > most {
		t.Errorf("error: %d files (want at most %d), %v", n, most, err)
	}
	if n, err := stopAt(context.Background(), func() error { return fs.SkipAll }); err != nil || n > most {
		t.Errorf("SkipAll: %d files (want at most %d), %v", n, most, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if n, err := stopAt(ctx, func() error { cancel(); return nil }); err != context.Canceled || n > most {
		t.Errorf("cancel: %d files (want at most %d), %v", n, most, err)
	}

	n, _, err := run(context.Background(), Limits{}, func(f *File) error {
		if f.Name == "a.zip" {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil || n != 201 {
		t.Errorf("SkipDir: %d files (want 201, the zip's entry not visited), %v", n, err)
	}

	n, rep, err := run(context.Background(), Limits{MaxFiles: 50}, func(*File) error { return nil })
	if err != nil || n != 50 || rep.Files != 50 || !rep.Truncated || !hasWarning(rep, "walk truncated at 50 files (limit files)") {
		t.Errorf("MaxFiles 50: %d files, report %d files, truncated %v, %v, %q", n, rep.Files, rep.Truncated, err, rep.Warnings)
	}

	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the panic of fn", v)
			}
		}()
		run(context.Background(), Limits{}, func(f *File) error {
			if f.Name == "f100.txt" {
				panic("boom")
			}
			return nil
		})
		t.Error("no panic")
	}()
}

// TestWalkParallelFileRoot: a file as root is walked as Walk does.
func TestWalkParallelFileRoot(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "x.zip")
	writeFile(t, name, archivetest.Zip(t, entry{Name: "a", Data: []byte("a")}))
	var locs []string
	if _, err := WalkParallel(context.Background(), name, Limits{}, 4, func(f *File) error {
		locs = append(locs, f.Location)
		return nil
	}); err != nil || !reflect.DeepEqual(locs, []string{"x.zip", "x.zip!a"}) {
		t.Errorf("%q, %v", locs, err)
	}
	if _, err := WalkParallel(context.Background(), filepath.Join(root, "missing"), Limits{}, 4, func(*File) error { return nil }); err == nil {
		t.Error("missing root: no error")
	}
}
