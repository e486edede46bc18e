package walk

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// openers lists the regular files under root in Walk's order, each opened
// as open says.
func openers(t *testing.T, root string, open func(p string) (io.ReadCloser, error)) []Opener {
	t.Helper()
	var files []Opener
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		files = append(files, Opener{Location: filepath.ToSlash(rel), Size: fi.Size(), Mode: fi.Mode(),
			Open: func() (io.ReadCloser, error) { return open(p) }})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readerAtOnly reads a file at random, without seeking: its size is the
// Opener's.
type readerAtOnly struct{ f *os.File }

func (r readerAtOnly) Read(p []byte) (int, error)              { return r.f.Read(p) }
func (r readerAtOnly) ReadAt(p []byte, off int64) (int, error) { return r.f.ReadAt(p, off) }
func (r readerAtOnly) Close() error                            { return r.f.Close() }

// streamOnly reads a file as a stream.
type streamOnly struct{ f *os.File }

func (r streamOnly) Read(p []byte) (int, error) { return r.f.Read(p) }
func (r streamOnly) Close() error               { return r.f.Close() }

// walkFiles runs WalkFiles and returns the files in Unit order.
func walkFiles(t *testing.T, files []Opener, lim Limits, workers int) ([]seen, Report, error) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	var units []int
	rep, err := WalkFiles(context.Background(), slices.Values(files), lim, workers, func(f *File) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, seen{Location: f.Location, Name: f.Name, Size: f.Size, Depth: f.Depth, Data: string(f.Data), Nil: f.Data == nil, Skipped: f.Skipped})
		units = append(units, f.Unit)
		return nil
	})
	idx := make([]int, len(got))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return units[a] - units[b] })
	ordered := make([]seen, len(got))
	for i, j := range idx {
		ordered[i] = got[j]
	}
	checkReport(t, ordered, rep)
	return ordered, rep, err
}

// TestWalkFilesIsWalk: the files of a directory given to WalkFiles are
// visited as Walk visits the directory, with the same contents, counts,
// warnings and gaps in the same order, whether they are read at random or
// as streams, and files larger than MaxFileBytes the same way when they
// can be read at random.
func TestWalkFilesIsWalk(t *testing.T) {
	root := parallelTree(t)
	// Archives larger than the smaller MaxFileBytes below: walked from
	// their random access, a zip's entries too.
	big := random(300_000)
	writeFile(t, filepath.Join(root, "big", "large.zip"), archivetest.Zip(t, entry{Name: "a.txt", Data: []byte("a")}, entry{Name: "big.bin", Data: big}))
	writeFile(t, filepath.Join(root, "big", "large.tar.gz"), archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "big.bin", Data: big}, entry{Name: "b.txt", Data: []byte("b")})))
	writeFile(t, filepath.Join(root, "big", "plain.bin"), big)
	// An archive over bigFile, within MaxFileBytes: read into memory of
	// its own, its entries walked from there.
	writeFile(t, filepath.Join(root, "big", "huge.zip"), archivetest.Zip(t, entry{Name: "huge.bin", Data: random(bigFile + 1)}, entry{Name: "c.txt", Data: []byte("c")}))

	opens := map[string]func(string) (io.ReadCloser, error){
		"os.File": func(p string) (io.ReadCloser, error) { return os.Open(p) },
		"ReaderAt": func(p string) (io.ReadCloser, error) {
			f, err := os.Open(p)
			return readerAtOnly{f}, err
		},
		"stream": func(p string) (io.ReadCloser, error) {
			f, err := os.Open(p)
			return streamOnly{f}, err
		},
	}
	for _, lim := range []Limits{{}, {MaxFileBytes: 250_000}} {
		want, wantRep := walkDisk(t, root, lim)
		wantRep.Links = 0 // links are not among the files given
		if lim.MaxFileBytes > 0 && !hasWarning(wantRep, "big/large.zip: zip larger than") {
			t.Fatalf("the large zip is not walked: %q", wantRep.Warnings)
		}
		if h := find(want, "big/huge.zip!c.txt"); h == nil {
			t.Fatalf("the zip over bigFile is not walked: %q", locations(want))
		}
		for how, open := range opens {
			if how == "stream" && lim.MaxFileBytes > 0 {
				continue // a zip larger than MaxFileBytes needs random access
			}
			files := openers(t, root, open)
			for _, workers := range []int{1, 2, 4} {
				got, rep, err := walkFiles(t, files, lim, workers)
				if err != nil {
					t.Fatalf("%s, %d workers: %v", how, workers, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %d workers, %+v: files in Unit order differ from Walk's:\n got %q\nwant %q", how, workers, lim, locations(got), locations(want))
				}
				if !reflect.DeepEqual(rep, wantRep) {
					t.Errorf("%s, %d workers, %+v: report\n got %+v\nwant %+v", how, workers, lim, rep, wantRep)
				}
			}
		}
	}
}

// TestWalkFilesGaps: a file not found and a file that does not open are
// gaps in walk order; the one that does not open is visited as skipped. A
// file larger than MaxFileBytes is not read, beyond what tells its format.
func TestWalkFilesGaps(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a"), []byte("a"))
	writeFile(t, filepath.Join(root, "d"), random(4<<20))
	files := openers(t, root, func(p string) (io.ReadCloser, error) { return os.Open(p) })
	boom := errors.New("boom")
	files = []Opener{
		files[0],
		{Location: "b", Err: errors.New("no such file")},
		{Location: "c", Size: 3, Open: func() (io.ReadCloser, error) { return nil, boom }},
		files[1],
	}
	for _, workers := range []int{1, 3} {
		got, rep, err := walkFiles(t, files, Limits{MaxFileBytes: 1 << 20}, workers)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a", "c", "d"}; !reflect.DeepEqual(locations(got), want) || got[1].Skipped != "unreadable: boom" || got[2].Skipped != "larger than 1 MiB" {
			t.Errorf("%d workers: files %+v, want %q, c and d skipped", workers, got, want)
		}
		wantWarn := []string{
			"b: unreadable: no such file, contents not read",
			"c: unreadable: boom, contents not read",
			"d: larger than 1 MiB (limit file-bytes), contents not read",
		}
		if !reflect.DeepEqual(rep.Warnings, wantWarn) || rep.GapCount != 3 || len(rep.Gaps) != 3 || rep.Gaps[2].Limit != "file-bytes" {
			t.Errorf("%d workers: warnings %q, gaps %+v", workers, rep.Warnings, rep.Gaps)
		}
		if rep.Bytes > 256<<10 { // its head, its tail, where disk images have their magic
			t.Errorf("%d workers: %d bytes read: the large file was read", workers, rep.Bytes)
		}
	}
}

// TestWalkFilesControl: limits, errors and cancellation stop the walk as
// WalkParallel's, with the gap naming where it stopped.
func TestWalkFilesControl(t *testing.T) {
	var files []Opener
	for i := range 200 {
		files = append(files, Opener{Location: fmt.Sprintf("f%03d", i), Size: 1,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytesReader("x")), nil }})
	}
	run := func(ctx context.Context, lim Limits, fn func(*File) error) (int, Report, error) {
		var mu sync.Mutex
		n := 0
		rep, err := WalkFiles(ctx, slices.Values(files), lim, 4, func(f *File) error {
			mu.Lock()
			n++
			mu.Unlock()
			return fn(f)
		})
		return n, rep, err
	}
	n, rep, err := run(context.Background(), Limits{MaxFiles: 50}, func(*File) error { return nil })
	if err != nil || n != 50 || rep.Files != 50 || !rep.Truncated || rep.GapCount != 1 || rep.Gaps[0].Limit != "files" || !hasWarning(rep, "walk truncated at 50 files (limit files)") {
		t.Errorf("MaxFiles 50: %d files, report %d files, truncated %v, %v, %q", n, rep.Files, rep.Truncated, err, rep.Warnings)
	}
	stop := errors.New("stop")
	if _, _, err := run(context.Background(), Limits{}, func(f *File) error {
		if f.Location == "f100" {
			return stop
		}
		return nil
	}); err != stop {
		t.Errorf("error from fn: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, _, err := run(ctx, Limits{}, func(f *File) error {
		if f.Location == "f010" {
			cancel()
		}
		return nil
	}); err != context.Canceled {
		t.Errorf("cancel: %v", err)
	}
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the panic of fn", v)
			}
		}()
		run(context.Background(), Limits{}, func(f *File) error {
			if f.Location == "f150" {
				panic("boom")
			}
			return nil
		})
		t.Error("no panic")
	}()
}

func bytesReader(s string) io.Reader { return &stringsReader{s: s} }

// stringsReader is a plain stream, not an io.ReaderAt.
type stringsReader struct{ s string }

func (r *stringsReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(p, r.s)
	r.s = r.s[n:]
	return n, nil
}

// TestHoldBack: a held worker takes no file until it is let go, while the
// other one works; let go, it takes the next file at once; never let go,
// it starts once the last file is handed out, and the walk ends. Both
// WalkFiles and WalkParallel, whose pool it is.
func TestHoldBack(t *testing.T) {
	const n = 40 // more than the pool's queue (4 per worker), so listing is not done early
	type walkFn func(ctx context.Context, fn func(*File) error, opts ...Option) (Report, error)
	files := func(ctx context.Context, fn func(*File) error, opts ...Option) (Report, error) {
		var fs []Opener
		for i := range n {
			fs = append(fs, Opener{Location: fmt.Sprintf("f%03d", i), Size: 1,
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytesReader("x")), nil }})
		}
		return WalkFiles(ctx, slices.Values(fs), Limits{}, 2, fn, opts...)
	}
	dir := t.TempDir()
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	parallel := func(ctx context.Context, fn func(*File) error, opts ...Option) (Report, error) {
		return WalkParallel(ctx, dir, Limits{}, 2, fn, opts...)
	}
	for name, walk := range map[string]walkFn{"WalkFiles": files, "WalkParallel": parallel} {
		t.Run(name, func(t *testing.T) {
			// The first file visited blocks its worker until released; any
			// other file visited meanwhile is the second worker's.
			until, release := make(chan struct{}), make(chan struct{})
			others := make(chan string, n)
			var once sync.Once
			done := make(chan error, 1)
			go func() {
				rep, err := walk(context.Background(), func(f *File) error {
					first := false
					once.Do(func() { first = true })
					if first {
						<-release
						return nil
					}
					others <- f.Location
					return nil
				}, HoldBack(1, until))
				if err == nil && rep.Files != n {
					err = fmt.Errorf("%d files visited, want %d", rep.Files, n)
				}
				done <- err
			}()
			select {
			case loc := <-others:
				t.Fatalf("%s was visited while the only running worker was busy: the held worker ran", loc)
			case <-time.After(200 * time.Millisecond):
			}
			close(until)
			select {
			case <-others:
			case <-time.After(30 * time.Second):
				t.Fatal("the held worker, let go, visited nothing")
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}

			// Never let go: the walk still ends, every file visited.
			var mu sync.Mutex
			seen := 0
			rep, err := walk(context.Background(), func(*File) error {
				mu.Lock()
				seen++
				mu.Unlock()
				return nil
			}, HoldBack(1, nil))
			if err != nil || seen != n || rep.Files != n {
				t.Fatalf("held for good: %d visited, report %d files, %v", seen, rep.Files, err)
			}
		})
	}
}
