package generate

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	stfile "github.com/anchore/stereoscope/pkg/file"
	syftsource "github.com/anchore/syft/syft/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pedigree-sbom/pedigree/internal/registrytest"
	"github.com/pedigree-sbom/pedigree/pkg/deep"
	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// walkImageSequential is walkImage as it was before it walked in
// parallel: one file after another, each read whole into a new buffer
// and given to walk.WalkBytes. The parallel walk must give the same.
func walkImageSequential(ctx context.Context, src syftsource.Source, lim walk.Limits, fn func(*walk.File) error) (walk.Report, error) {
	lim = lim.WithDefaults()
	var total walk.Report
	res, err := src.FileResolver(syftsource.SquashedScope)
	if err != nil {
		return total, fmt.Errorf("image files: %w", err)
	}
	var paths []string
	seen := map[string]bool{}
	for loc := range res.AllLocations(ctx) {
		if p := loc.RealPath; !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		left := lim
		left.MaxFiles -= total.Files
		left.MaxTotalBytes -= total.ArchiveBytes
		if left.MaxFiles <= 0 || left.MaxTotalBytes <= 0 {
			total.Truncated = true
			limit := "files"
			if left.MaxTotalBytes <= 0 {
				limit = "total-bytes"
			}
			total.AddGap(walk.Gap{Location: strings.TrimPrefix(p, "/"), Limit: limit,
				Reason: fmt.Sprintf("image walk stopped at %d files, %d bytes (limit %s): this file and what follows not visited", total.Files, total.ArchiveBytes, limit)})
			break
		}
		locs, err := res.FilesByPath(p)
		if err != nil {
			total.AddGap(walk.Gap{Location: strings.TrimPrefix(p, "/"), Reason: fmt.Sprintf("unreadable: %v, contents not read", err)})
			continue
		}
		if len(locs) == 0 {
			continue
		}
		meta, err := res.FileMetadataByLocation(locs[0])
		if err != nil {
			total.AddGap(walk.Gap{Location: strings.TrimPrefix(p, "/"), Reason: fmt.Sprintf("unreadable: %v, contents not read", err)})
			continue
		}
		if meta.Type != stfile.TypeRegular {
			continue
		}
		name := strings.TrimPrefix(p, "/")
		rc, err := res.FileContentsByLocation(locs[0])
		if err != nil {
			total.AddGap(walk.Gap{Location: name, Reason: fmt.Sprintf("unreadable: %v, contents not read", err)})
			continue
		}
		data, err := io.ReadAll(io.LimitReader(rc, lim.MaxFileBytes+1))
		rc.Close()
		if err != nil {
			total.AddGap(walk.Gap{Location: name, Reason: fmt.Sprintf("read error: %v, contents not read", err)})
			continue
		}
		if int64(len(data)) > lim.MaxFileBytes {
			total.AddGap(walk.Gap{Location: name, Limit: "file-bytes",
				Reason: fmt.Sprintf("larger than %d bytes (limit file-bytes), contents not read", lim.MaxFileBytes)})
			total.Files++
			if err := fn(&walk.File{Location: name, Name: path.Base(name), Size: -1, Skipped: "too large"}); err != nil {
				return total, err
			}
			continue
		}
		r, err := walk.WalkBytes(ctx, name, data, left, fn)
		total.Add(r)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// visited is what fn was shown of one file, but for its mode: WalkBytes
// gave every file 0o644, the image's walk gives its mode in the image.
type visited struct {
	Location, Name string
	Size           int64
	Depth          int
	Data           [32]byte // sha256, or zero when nil
	Nil            bool
	Skipped        string
}

// imageWalk is one walk of an image's (or a directory's) files: what fn
// saw, in walk order (by Unit, stably), the report, and deep inspection's
// components.
type imageWalk struct {
	files []visited
	rep   walk.Report
	comps []*model.Component
}

func runWalk(t *testing.T, in *deep.Inspector, walkFn func(fn func(*walk.File) error) (walk.Report, error)) imageWalk {
	t.Helper()
	var mu sync.Mutex
	var files []visited
	var units []int
	c := in.Collect()
	rep, err := walkFn(func(f *walk.File) error {
		v := visited{Location: f.Location, Name: f.Name, Size: f.Size, Depth: f.Depth, Nil: f.Data == nil, Skipped: f.Skipped}
		if f.Data != nil {
			v.Data = sha256.Sum256(f.Data)
		}
		mu.Lock()
		files = append(files, v)
		units = append(units, f.Unit)
		mu.Unlock()
		c.Add(f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	asm := deep.NewAssembler()
	c.Assemble(asm)
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return units[a] - units[b] })
	ordered := make([]visited, len(files))
	for i, j := range idx {
		ordered[i] = files[j]
	}
	return imageWalk{ordered, rep, asm.Components()}
}

// layerEntry is an entry of a layer: a regular file (data), a directory
// (name ending in "/"), a symbolic link (link) or a hard link (hard).
type layerEntry struct {
	name       string
	data       []byte
	link, hard string
}

func layerTar(t *testing.T, entries ...layerEntry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.data))}
		switch {
		case strings.HasSuffix(e.name, "/"):
			h = &tar.Header{Name: e.name, Mode: 0o755, Typeflag: tar.TypeDir}
		case e.link != "":
			h = &tar.Header{Name: e.name, Mode: 0o777, Typeflag: tar.TypeSymlink, Linkname: e.link}
		case e.hard != "":
			h = &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeLink, Linkname: e.hard}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(e.data)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// openImage writes img as a `docker save` archive and opens it as
// Generate does; the source is closed when the test ends.
func openImage(t *testing.T, img v1.Image) syftsource.Source {
	t.Helper()
	p := filepath.Join(t.TempDir(), "image.tar")
	write(t, p, registrytest.DockerSave(t, "northwind/gateway:7.2", img))
	gen := stfile.NewTempDirGenerator(tempPrefix)
	src, err := openSource(context.Background(), source.DockerArchive, p, nil, gen)
	t.Cleanup(func() {
		if err := closeSource(src, gen); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

// TestWalkImageIsSequential: the parallel walk of an image's files gives
// what the sequential walk it replaced gave — the same files with the same
// contents in walk order, the same report (counts, warnings and gaps in
// order) and the same components from deep inspection — on an image of two
// layers with links, a file deleted and one replaced, nested archives and
// bad ones, and Kaspersky files. Both read every file: none is larger than
// the file-bytes limit.
func TestWalkImageIsSequential(t *testing.T) {
	kav := elf("libkavcore.so", "Copyright (C) 1997-2010 Kaspersky Lab ZAO")
	jar := archivetest.Zip(t,
		archivetest.File{Name: "META-INF/MANIFEST.MF", Data: []byte("Manifest-Version: 1.0\r\nImplementation-Vendor: Northwind Security Ltd\r\nImplementation-Title: Northwind Engine\r\n\r\n")},
		archivetest.File{Name: "com/kaspersky/components/scan/Engine.class", Data: []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34")})
	l1 := []layerEntry{
		{name: "opt/"}, {name: "opt/kaspersky/"}, {name: "opt/kaspersky/kesl/"},
		{name: "opt/kaspersky/kesl/kesl-control", data: elf("kesl-control", "Copyright (c) AO Kaspersky Lab")},
		{name: "usr/"}, {name: "usr/lib/"},
		{name: "usr/lib/libnw.so", data: elf("libnw.so.1", "Copyright (c) Northwind")},
		{name: "usr/lib/libnw.so.1", link: "libnw.so"},
		{name: "usr/lib/libkav.so", data: kav},
		{name: "usr/share/app.jar", data: jar},
		{name: "srv/dist/plugins.tar.gz", data: archivetest.Gzip(t, archivetest.Tar(t, archivetest.File{Name: "plugins/av.zip",
			Data: archivetest.Zip(t, archivetest.File{Name: "lib/libkavcore.so", Data: kav})}))},
		{name: "srv/bad.zip", data: []byte("PK\x03\x04 not really a zip")},
		{name: "srv/escape.tgz", data: archivetest.Gzip(t, archivetest.Tar(t, archivetest.File{Name: "../escape", Data: []byte("x")}))},
		{name: "data/blob.bin", data: randomBytes(300_000, 1)},
		{name: "data/hard", hard: "data/blob.bin"},
		{name: "data/empty", data: []byte{}},
		{name: "lib", link: "usr/lib"},
		{name: "etc/os-release", data: []byte("ID=northwind\nVERSION_ID=7.2\n")},
		{name: "etc/old.conf", data: []byte("vendor=Kaspersky Lab\n")},
	}
	for i := range 120 {
		l1 = append(l1, layerEntry{name: fmt.Sprintf("var/d%d/f%03d.txt", i%5, i), data: bytes.Repeat([]byte{byte('a' + i%26)}, i*37)})
	}
	l2 := []layerEntry{
		{name: "etc/.wh.old.conf", data: []byte{}},
		{name: "usr/lib/libnw.so", data: elf("libnw.so.2", "Copyright (c) Northwind")},
		{name: "opt/new.txt", data: []byte("new")},
	}
	img, err := mutate.AppendLayers(empty.Image, layerTar(t, l1...), layerTar(t, l2...))
	if err != nil {
		t.Fatal(err)
	}
	src := openImage(t, img)
	in := deep.New(engine(t))
	ctx := context.Background()
	for _, lim := range []walk.Limits{walk.DefaultLimits(), {MaxDepth: 1}} {
		want := runWalk(t, in, func(fn func(*walk.File) error) (walk.Report, error) {
			return walkImageSequential(ctx, src, lim, fn)
		})
		if len(want.files) < 130 || len(want.rep.Warnings) < 2 || want.rep.Archives < 3 || len(want.comps) < 4 {
			t.Fatalf("the image does not exercise enough: %d files, %d components, %+v", len(want.files), len(want.comps), want.rep)
		}
		locs := map[string]bool{}
		for _, f := range want.files {
			locs[f.Location] = true
		}
		if locs["etc/old.conf"] || !locs["usr/lib/libnw.so.1"] || !locs["data/hard"] || !locs["srv/dist/plugins.tar.gz!plugins/av.zip"] {
			t.Fatalf("the image's files are not as built: %v", want.files)
		}
		for range 3 {
			got := runWalk(t, in, func(fn func(*walk.File) error) (walk.Report, error) {
				return walkImage(ctx, src, lim, fn)
			})
			if !reflect.DeepEqual(got.files, want.files) {
				t.Errorf("%+v: files differ from the sequential walk's:\n got %v\nwant %v", lim, got.files, want.files)
			}
			if !reflect.DeepEqual(got.rep, want.rep) {
				t.Errorf("%+v: report\n got %+v\nwant %+v", lim, got.rep, want.rep)
			}
			if !reflect.DeepEqual(got.comps, want.comps) {
				t.Errorf("%+v: components differ:\n got %v\nwant %v", lim, names(got.comps), names(want.comps))
			}
		}
	}
}

func names(comps []*model.Component) []string {
	var n []string
	for _, c := range comps {
		n = append(n, c.Name)
	}
	return n
}

// TestWalkImageIsWalk: an image made of a directory's files is walked as
// the directory is — files larger than the file-bytes limit included:
// they are not read whole, and archives in them are walked from the
// unpacked layer at random (a zip's entries too) — and a walk cut short by
// the files limit says where it stopped.
func TestWalkImageIsWalk(t *testing.T) {
	dir := t.TempDir()
	big := randomBytes(400_000, 2)
	write(t, filepath.Join(dir, "big/large.zip"), archivetest.Zip(t, archivetest.File{Name: "a.txt", Data: []byte("a")}, archivetest.File{Name: "lib/libkav.so", Data: append(elf("libkav.so", "Copyright (C) 1997-2010 Kaspersky Lab ZAO"), big...)}))
	write(t, filepath.Join(dir, "big/large.tar.gz"), archivetest.Gzip(t, archivetest.Tar(t, archivetest.File{Name: "big.bin", Data: big}, archivetest.File{Name: "b.txt", Data: []byte("b")})))
	write(t, filepath.Join(dir, "big/plain.bin"), big)
	write(t, filepath.Join(dir, "small/x.zip"), archivetest.Zip(t, archivetest.File{Name: "x.txt", Data: []byte("x")}))
	for i := range 40 {
		write(t, filepath.Join(dir, fmt.Sprintf("var/f%02d.txt", i)), []byte(strings.Repeat("x", i)))
	}
	src := openImage(t, registrytest.DirImage(t, "linux/amd64", dir))
	in := deep.New(engine(t))
	ctx := context.Background()
	for _, lim := range []walk.Limits{walk.DefaultLimits(), {MaxFileBytes: 300_000}} {
		want := runWalk(t, in, func(fn func(*walk.File) error) (walk.Report, error) {
			return walk.Walk(ctx, dir, lim, fn)
		})
		got := runWalk(t, in, func(fn func(*walk.File) error) (walk.Report, error) {
			return walkImage(ctx, src, lim, fn)
		})
		if !reflect.DeepEqual(got.files, want.files) {
			t.Errorf("%+v: files differ from the directory's:\n got %v\nwant %v", lim, got.files, want.files)
		}
		if !reflect.DeepEqual(got.rep, want.rep) {
			t.Errorf("%+v: report\n got %+v\nwant %+v", lim, got.rep, want.rep)
		}
		if !reflect.DeepEqual(got.comps, want.comps) {
			t.Errorf("%+v: components differ:\n got %v\nwant %v", lim, names(got.comps), names(want.comps))
		}
		if lim.MaxFileBytes == 300_000 {
			if got.rep.Bytes > 2<<20 || !slices.ContainsFunc(got.files, func(v visited) bool { return v.Location == "big/large.zip!lib/libkav.so" }) {
				t.Errorf("large files: %d bytes read, files %v", got.rep.Bytes, got.files)
			}
		}
	}

	got := runWalk(t, in, func(fn func(*walk.File) error) (walk.Report, error) {
		return walkImage(ctx, src, walk.Limits{MaxFiles: 10}, fn)
	})
	if len(got.files) != 10 || got.rep.Files != 10 || !got.rep.Truncated || got.rep.GapCount != 1 || got.rep.Gaps[0].Limit != "files" ||
		!strings.Contains(got.rep.Gaps[0].Reason, "walk truncated at 10 files (limit files): this file and what follows not visited") {
		t.Errorf("files limit: %d files, report %+v", len(got.files), got.rep)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}
