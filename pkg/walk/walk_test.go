package walk

import (
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// seen is what fn was shown of one file.
type seen struct {
	Location, Name string
	Size           int64
	Depth          int
	Data           string // "" when nil
	Nil            bool
	Skipped        string
}

func record(files *[]seen) func(*File) error {
	return func(f *File) error {
		data, err := contents(f)
		if err != nil {
			return err
		}
		*files = append(*files, seen{Location: f.Location, Name: f.Name, Size: f.Size, Depth: f.Depth, Data: string(data), Nil: data == nil, Skipped: f.Skipped})
		return nil
	}
}

// contents is f's Data, or for a file read in windows the parts its
// windows answer for, joined (and checked to tile the file).
func contents(f *File) ([]byte, error) {
	if f.Windows == nil {
		return f.Data, nil
	}
	data := []byte{}
	err := f.Windows(func(w Window) bool {
		if w.Start+int64(w.From) != int64(len(data)) {
			panic(fmt.Sprintf("%s: window at %d+%d, after %d bytes", f.Location, w.Start, w.From, len(data)))
		}
		data = append(data, w.Data[w.From:w.To]...)
		return true
	})
	return data, err
}

func walkDisk(t *testing.T, root string, lim Limits) ([]seen, Report) {
	t.Helper()
	var files []seen
	rep, err := Walk(context.Background(), root, lim, record(&files))
	if err != nil {
		t.Fatalf("Walk(%s): %v", root, err)
	}
	checkReport(t, files, rep)
	return files, rep
}

func walkMem(t *testing.T, name string, data []byte, lim Limits) ([]seen, Report) {
	t.Helper()
	var files []seen
	rep, err := WalkBytes(context.Background(), name, data, lim, record(&files))
	if err != nil {
		t.Fatalf("WalkBytes(%s): %v", name, err)
	}
	checkReport(t, files, rep)
	return files, rep
}

// checkReport checks what holds of every walk.
func checkReport(t testing.TB, files []seen, rep Report) {
	t.Helper()
	if rep.Files != len(files) {
		t.Errorf("Report.Files = %d, fn called %d times", rep.Files, len(files))
	}
	skipped := 0
	for _, f := range files {
		if f.Nil != (f.Skipped != "") && !(f.Nil && f.Size == 0) {
			t.Errorf("%s: Data nil %v but Skipped %q", f.Location, f.Nil, f.Skipped)
		}
		if f.Skipped != "" {
			skipped++
		}
		if err := checkLocation(f.Location, f.Depth); err != nil {
			t.Error(err)
		}
	}
	if rep.Skipped != skipped {
		t.Errorf("Report.Skipped = %d, want %d", rep.Skipped, skipped)
	}
}

// checkLocation checks that the names inside archives of a location are
// clean, and that there are as many as the depth.
func checkLocation(loc string, depth int) error {
	parts := strings.Split(loc, Separator)
	if len(parts) != depth+1 {
		return fmt.Errorf("%q: depth %d, %d parts", loc, depth, len(parts))
	}
	for _, p := range parts[1:] {
		if p == "" || strings.HasPrefix(p, "/") || strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) }) {
			return fmt.Errorf("%q: unclean entry name %q", loc, p)
		}
		for _, e := range strings.Split(p, "/") {
			if e == ".." || e == "." || e == "" {
				return fmt.Errorf("%q: unclean entry name %q", loc, p)
			}
		}
	}
	return nil
}

func locations(files []seen) []string {
	var l []string
	for _, f := range files {
		l = append(l, f.Location)
	}
	return l
}

func find(files []seen, loc string) *seen {
	for i := range files {
		if files[i].Location == loc {
			return &files[i]
		}
	}
	return nil
}

func hasWarning(rep Report, parts ...string) bool {
	for _, w := range rep.Warnings {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(w, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func wantWarning(t *testing.T, rep Report, parts ...string) {
	t.Helper()
	if !hasWarning(rep, parts...) {
		t.Errorf("no warning with %q in %q", parts, rep.Warnings)
	}
}

func noWarnings(t *testing.T, rep Report) {
	t.Helper()
	if len(rep.Warnings) > 0 {
		t.Errorf("warnings: %q", rep.Warnings)
	}
}

func writeFile(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWalkDir(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	writeFile(t, filepath.Join(dir, "outside.txt"), []byte("outside"))
	writeFile(t, filepath.Join(root, "z.txt"), []byte("Z"))
	writeFile(t, filepath.Join(root, "a.txt"), []byte("A"))
	writeFile(t, filepath.Join(root, "b", "d", "e.txt"), []byte("E"))
	writeFile(t, filepath.Join(root, "b", "c.bin"), []byte("C"))
	if err := os.Mkdir(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"a":      ".",                               // a loop
		"out":    filepath.Join(dir, "outside.txt"), // a file outside
		"b/up":   "..",                              // another loop
		"dangle": "nowhere",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	special := 0
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err == nil {
		special++
	} else {
		t.Logf("no FIFO: %v", err)
	}

	files, rep := walkDisk(t, root, Limits{})
	want := []string{"a.txt", "b/c.bin", "b/d/e.txt", "z.txt"}
	if got := locations(files); !reflect.DeepEqual(got, want) {
		t.Errorf("locations %q, want %q", got, want)
	}
	noWarnings(t, rep)
	if rep.Links != 4 || rep.Special != special {
		t.Errorf("links %d, special %d; want 4, %d", rep.Links, rep.Special, special)
	}
	if f := find(files, "b/d/e.txt"); f == nil || f.Data != "E" || f.Name != "e.txt" || f.Depth != 0 || f.Size != 1 {
		t.Errorf("b/d/e.txt: %+v", f)
	}
	if rep.Bytes != 4 || rep.Archives != 0 {
		t.Errorf("bytes %d, archives %d", rep.Bytes, rep.Archives)
	}

	again, rep2 := walkDisk(t, root, Limits{})
	if !reflect.DeepEqual(files, again) || !reflect.DeepEqual(rep, rep2) {
		t.Errorf("walk not deterministic")
	}

	// A file as root is named by its base name.
	files, _ = walkDisk(t, filepath.Join(root, "b", "c.bin"), Limits{})
	if got := locations(files); !reflect.DeepEqual(got, []string{"c.bin"}) {
		t.Errorf("file root: %q", got)
	}
	// So is a link to a file, given as root.
	files, _ = walkDisk(t, filepath.Join(root, "out"), Limits{})
	if len(files) != 1 || files[0].Location != "out" || files[0].Data != "outside" {
		t.Errorf("link root: %+v", files)
	}
	if _, err := Walk(context.Background(), filepath.Join(root, "missing"), Limits{}, record(new([]seen))); err == nil {
		t.Error("missing root: no error")
	}
	if special > 0 {
		if _, err := Walk(context.Background(), filepath.Join(root, "fifo"), Limits{}, record(new([]seen))); err == nil {
			t.Error("FIFO root: no error")
		}
	}
}

func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.txt"), []byte("A"))
	writeFile(t, filepath.Join(root, "secret"), []byte("S"))
	writeFile(t, filepath.Join(root, "closed", "x"), []byte("X"))
	if err := os.Chmod(filepath.Join(root, "secret"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "closed"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "closed"), 0o755) })
	files, rep := walkDisk(t, root, Limits{})
	if got := locations(files); !reflect.DeepEqual(got, []string{"a.txt", "secret"}) {
		t.Errorf("locations %q", got)
	}
	wantWarning(t, rep, "secret: cannot open: permission denied")
	wantWarning(t, rep, "closed: cannot open: permission denied")
	wantGaps(t, rep, "", "")
}

func TestNested(t *testing.T) {
	lib := []byte("\x7fELF libkav")
	inner := archivetest.Zip(t, entry{Name: "lib/", Mode: fs.ModeDir | 0o755}, entry{Name: "lib/lib.so", Data: lib})
	outer := archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "a/", Mode: fs.ModeDir | 0o755}, entry{Name: "a/b.zip", Data: inner}))
	want := []string{"x.tar.gz", "x.tar.gz!a/b.zip", "x.tar.gz!a/b.zip!lib/lib.so"}

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x.tar.gz"), outer)
	disk, rep := walkDisk(t, dir, Limits{})
	mem, rep2 := walkMem(t, "x.tar.gz", outer, Limits{})
	for _, c := range []struct {
		files []seen
		rep   Report
	}{{disk, rep}, {mem, rep2}} {
		if got := locations(c.files); !reflect.DeepEqual(got, want) {
			t.Fatalf("locations %q, want %q", got, want)
		}
		noWarnings(t, c.rep)
		for i, f := range c.files {
			if f.Depth != i {
				t.Errorf("%s: depth %d", f.Location, f.Depth)
			}
		}
		if f := c.files[2]; f.Data != string(lib) || f.Name != "lib.so" {
			t.Errorf("lib.so: %+v", f)
		}
		if f := c.files[1]; f.Data != string(inner) || f.Name != "b.zip" {
			t.Errorf("b.zip: %+v", f)
		}
		if c.rep.Archives != 2 || c.rep.Bytes != int64(len(outer)) {
			t.Errorf("archives %d, bytes %d", c.rep.Archives, c.rep.Bytes)
		}
	}
}

func TestJar(t *testing.T) {
	manifest := "Manifest-Version: 1.0\r\nImplementation-Vendor: AO Kaspersky Lab\r\n"
	class := "\xca\xfe\xba\xbe\x00\x00\x00\x34com/kaspersky/x/A"
	jar := archivetest.Zip(t,
		entry{Name: "META-INF/", Mode: fs.ModeDir | 0o755},
		entry{Name: "META-INF/MANIFEST.MF", Data: []byte(manifest)},
		entry{Name: "com/kaspersky/x/", Mode: fs.ModeDir | 0o755},
		entry{Name: "com/kaspersky/x/A.class", Data: []byte(class)},
	)
	files, rep := walkMem(t, "lib/app.jar", jar, Limits{})
	want := []seen{
		{Location: "lib/app.jar", Name: "app.jar", Size: int64(len(jar)), Data: string(jar)},
		{Location: "lib/app.jar!META-INF/MANIFEST.MF", Name: "MANIFEST.MF", Size: int64(len(manifest)), Depth: 1, Data: manifest},
		{Location: "lib/app.jar!com/kaspersky/x/A.class", Name: "A.class", Size: int64(len(class)), Depth: 1, Data: class},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("got %+v\nwant %+v", files, want)
	}
	noWarnings(t, rep)
	if rep.Archives != 1 || rep.ArchiveBytes != int64(len(manifest)+len(class)) {
		t.Errorf("archives %d, archive bytes %d", rep.Archives, rep.ArchiveBytes)
	}
}

func TestFormats(t *testing.T) {
	tarData := archivetest.Tar(t, entry{Name: "hello.txt", Data: []byte("hello, tar\n")})
	plainTar, err := io.ReadAll(bzip2.NewReader(bytes.NewReader(tarBz2)))
	if err != nil {
		t.Fatal(err)
	}
	raw := func(name string, method uint16, compressed, plain []byte) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: method, CRC32: crc32.ChecksumIEEE(plain),
			CompressedSize64: uint64(len(compressed)), UncompressedSize64: uint64(len(plain))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(compressed)
		zw.Close()
		return b.Bytes()
	}
	deb, cpio := makeDeb(t), makeKeslCpio()
	hugeDict := xzip(t, []byte("x"))
	if hugeDict[13]&0xc3 != 0 || hugeDict[14] != 0x21 || hugeDict[15] != 1 {
		t.Fatalf("xz block header % x", hugeDict[12:20])
	}
	hugeDict[16] = 40 // 4 GiB
	staticLib := makeAr(entry{Name: "short.o", Data: []byte("short")}, entry{Name: "a_rather_long_object_name.o", Data: []byte("long")})
	staticLib = append(staticLib, fmt.Sprintf("%-16s%-12d%-6d%-6d%-8o%-10d`\n", "#1/10", 0, 0, 0, 0o644, 14)+"bsd_name.obsd!"...)
	exe := append([]byte("MZ\x90\x00 a self-extracting installer PK\x05\x06 "), bytes.Repeat([]byte{0xcc}, 5000)...)
	exe = append(exe, archivetest.Zip(t, entry{Name: "setup/readme.txt", Data: []byte("readme")})...)

	for _, c := range []struct {
		name string
		data []byte
		want map[string]string // location: contents
	}{
		{"x.tar", tarData, map[string]string{"x.tar!hello.txt": "hello, tar\n"}},
		{"x.tar.bz2", tarBz2, map[string]string{"x.tar.bz2!hello.txt": "hello, bzip2\n"}},
		{"x.tar.xz", xzip(t, tarData), map[string]string{"x.tar.xz!hello.txt": "hello, tar\n"}},
		{"x.tgz", archivetest.Gzip(t, tarData), map[string]string{"x.tgz!hello.txt": "hello, tar\n"}},
		{"notes.txt.gz", archivetest.Gzip(t, []byte("notes")), map[string]string{"notes.txt.gz!notes.txt": "notes"}},
		{"notes.xz", xzip(t, []byte("notes")), map[string]string{"notes.xz!notes": "notes"}},
		{"data", archivetest.Gzip(t, []byte("notes")), map[string]string{"data!data": "notes"}},
		{"empty.gz", archivetest.Gzip(t, nil), map[string]string{"empty.gz!empty": ""}},
		{"jar.gz", archivetest.Gzip(t, archivetest.Zip(t, entry{Name: "A.class", Data: []byte("class")})), map[string]string{"jar.gz!jar": "", "jar.gz!jar!A.class": "class"}},
		{"bz.zip", raw("x.tar", zipMethodBzip2, tarBz2, plainTar), map[string]string{"bz.zip!x.tar": string(plainTar), "bz.zip!x.tar!hello.txt": "hello, bzip2\n"}},
		{"xz.zip", raw("x.tar", zipMethodXz, xzip(t, tarData), tarData), map[string]string{"xz.zip!x.tar": string(tarData), "xz.zip!x.tar!hello.txt": "hello, tar\n"}},
		{"setup.exe", exe, map[string]string{"setup.exe!setup/readme.txt": "readme"}},
		{"kesl.deb", deb, map[string]string{
			"kesl.deb!debian-binary":                             "2.0\n",
			"kesl.deb!control.tar.gz":                            "",
			"kesl.deb!control.tar.gz!control":                    "Package: kesl\n",
			"kesl.deb!data.tar.xz":                               "",
			"kesl.deb!data.tar.xz!opt/kaspersky/kesl/bin/kesl":   "kesl",
			"kesl.deb!data.tar.xz!opt/kaspersky/kesl/lib/libkav": "libkav",
		}},
		{"kesl.rpm", makeRpm(archivetest.Gzip(t, cpio)), map[string]string{"kesl.rpm!opt/kaspersky/kesl/bin/kesl": "kesl", "kesl.rpm!opt/kaspersky/kesl/share/a-much-longer-name.txt": "odd"}},
		{"kesl-xz.rpm", makeRpm(xzip(t, cpio)), map[string]string{"kesl-xz.rpm!opt/kaspersky/kesl/bin/kesl": "kesl", "kesl-xz.rpm!opt/kaspersky/kesl/share/a-much-longer-name.txt": "odd"}},
		{"kesl-zstd.rpm", makeRpm(archivetest.Zstd(t, cpio)), map[string]string{"kesl-zstd.rpm!opt/kaspersky/kesl/bin/kesl": "kesl", "kesl-zstd.rpm!opt/kaspersky/kesl/share/a-much-longer-name.txt": "odd"}},
		{"plain.rpm", makeRpm(cpio), map[string]string{"plain.rpm!opt/kaspersky/kesl/bin/kesl": "kesl", "plain.rpm!opt/kaspersky/kesl/share/a-much-longer-name.txt": "odd"}},
		{"x.cpio", cpio, map[string]string{"x.cpio!opt/kaspersky/kesl/bin/kesl": "kesl", "x.cpio!opt/kaspersky/kesl/share/a-much-longer-name.txt": "odd"}},
		{"libkav.a", staticLib, map[string]string{"libkav.a!short.o": "short", "libkav.a!a_rather_long_object_name.o": "long", "libkav.a!bsd_name.o": "bsd!"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			noWarnings(t, rep)
			if len(files) != len(c.want)+1 || files[0].Location != c.name {
				t.Fatalf("locations %q", locations(files))
			}
			for loc, data := range c.want {
				f := find(files, loc)
				if f == nil {
					t.Errorf("%s not visited: %q", loc, locations(files))
				} else if data != "" && f.Data != data {
					t.Errorf("%s: %q, want %q", loc, f.Data, data)
				}
			}
		})
	}

	// A file that has a zip signature near its end but no zip is no
	// archive, and no warning.
	files, rep := walkMem(t, "prog", append([]byte("code PK\x05\x06"), make([]byte, 40)...), Limits{})
	if len(files) != 1 || rep.Archives != 0 {
		t.Errorf("prog: %q", locations(files))
	}
	noWarnings(t, rep)
}

// random returns n bytes that do not compress.
func random(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// allocated returns the bytes allocated while f ran.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

const memBound = 64 << 20

func TestBombs(t *testing.T) {
	zipBomb, gzBomb := bombs()
	// A zip whose entry says 1000 bytes and holds 100 MiB.
	raw, crc, _ := deflateZeros(nil, bombSize, nil)
	liar := zipRaw("small.txt", raw, crc, 1000)

	noRatio := int64(math.MaxInt64)
	for _, c := range []struct {
		name       string
		data       []byte
		lim        Limits
		entry      string
		skipped    string
		warning    string
		outerFiles int
	}{
		{"bomb.zip", zipBomb, Limits{}, "bomb.zip!zeros.bin", "decompression ratio over 1000:1", "bomb.zip!zeros.bin: decompression ratio over 1000:1 (limit ratio), entry skipped", 2},
		{"bomb.zip", zipBomb, Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio}, "bomb.zip!zeros.bin", "larger than 8 MiB", "bomb.zip!zeros.bin: larger than 8 MiB (limit file-bytes), contents not read", 2},
		{"bomb.gz", gzBomb, Limits{}, "bomb.gz!bomb", "decompression ratio over 1000:1", "bomb.gz: decompression ratio over 1000:1 (limit ratio), rest of the stream skipped", 2},
		{"bomb.gz", gzBomb, Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio}, "bomb.gz!bomb", "larger than 8 MiB", "bomb.gz!bomb: larger than 8 MiB (limit file-bytes), contents not read", 2},
		{"bomb.tar.gz", tarGzBomb(), Limits{}, "bomb.tar.gz!zeros.img", "decompression ratio over 1000:1", "bomb.tar.gz: decompression ratio over 1000:1 (limit ratio), rest of the stream skipped", 2},
		{"liar.zip", liar, Limits{MaxRatio: noRatio}, "liar.zip!small.txt", "unreadable: zip: not a valid zip file", "liar.zip!small.txt: read error: zip: not a valid zip file", 2},
	} {
		t.Run(fmt.Sprintf("%s %s", c.name, c.skipped), func(t *testing.T) {
			var files []seen
			var rep Report
			n := allocated(func() { files, rep = walkMem(t, c.name, c.data, c.lim) })
			if n > memBound {
				t.Errorf("allocated %d MiB", n>>20)
			}
			t.Logf("%d KiB compressed, allocated %d MiB, read %d MiB out of archives", len(c.data)>>10, n>>20, rep.ArchiveBytes>>20)
			if len(files) != c.outerFiles {
				t.Fatalf("locations %q", locations(files))
			}
			f := find(files, c.entry)
			if f == nil || !f.Nil || f.Skipped != c.skipped || f.Depth != 1 {
				t.Errorf("%s: %+v", c.entry, f)
			}
			wantWarning(t, rep, c.warning)
			limit := "ratio"
			if strings.Contains(c.warning, "limit file-bytes") {
				limit = "file-bytes"
			} else if !strings.Contains(c.warning, "limit ratio") {
				limit = ""
			}
			wantGaps(t, rep, limit)
		})
	}
}

func TestDepth(t *testing.T) {
	data := archivetest.Zip(t, entry{Name: "core.txt", Data: []byte("core")})
	for i := 9; i >= 1; i-- {
		data = archivetest.Zip(t, entry{Name: fmt.Sprintf("l%d.zip", i), Data: data})
	}
	for _, c := range []struct {
		max, files int
		warning    string
	}{
		{0, 7, "l0.zip!l1.zip!l2.zip!l3.zip!l4.zip!l5.zip!l6.zip: zip archive nested deeper than 6 levels (limit archive-depth), not opened"},
		{2, 3, "l0.zip!l1.zip!l2.zip: zip archive nested deeper than 2 levels (limit archive-depth), not opened"},
		{10, 11, ""},
		{-1, 1, ""},
	} {
		files, rep := walkMem(t, "l0.zip", data, Limits{MaxDepth: c.max})
		if len(files) != c.files {
			t.Errorf("MaxDepth %d: %q", c.max, locations(files))
			continue
		}
		for i, f := range files {
			if f.Depth != i || f.Nil {
				t.Errorf("MaxDepth %d: %+v", c.max, f)
			}
		}
		if c.warning == "" {
			noWarnings(t, rep)
			wantGaps(t, rep)
		} else {
			wantGaps(t, rep, "archive-depth")
			wantWarning(t, rep, c.warning)
			if len(rep.Warnings) != 1 {
				t.Errorf("warnings %q", rep.Warnings)
			}
		}
	}
}

func TestCleanName(t *testing.T) {
	for _, c := range []struct {
		raw, want, problems string
	}{
		{"a/b.txt", "a/b.txt", ""},
		{"./a//b/./c", "a/b/c", ""},
		{"a/../b", "b", ""},
		{"../../etc/passwd", "etc/passwd", "path traversal"},
		{"/abs/path", "abs/path", "absolute path"},
		{"a/../../b", "b", "path traversal"},
		{"/../x", "x", "absolute path, path traversal"},
		{`..\..\windows\system32\x.dll`, "windows/system32/x.dll", "path traversal"},
		{`C:\Program Files\x.exe`, "Program Files/x.exe", "absolute path"},
		{"..", "_", "path traversal"},
		{"", "_", ""},
		{"nul\x00name\n", "nul_name_", "control characters"},
		{"evil\u202egpj.exe", "evil_gpj.exe", "control characters"},
		{"bad\xffutf8", "bad\uFFFDutf8", "invalid UTF-8"},
		{"lib.zip!fake.so", "lib.zip%21fake.so", `"!" in name`},
	} {
		got, problems := cleanName(c.raw)
		if got != c.want || strings.Join(problems, ", ") != c.problems {
			t.Errorf("cleanName(%q) = %q, %q; want %q, %q", c.raw, got, problems, c.want, c.problems)
		}
	}
}

func TestTraversal(t *testing.T) {
	names := []string{"../../etc/passwd", "/abs/path", "a/../../b", "ok/../c", "x\ny"}
	want := []string{"etc/passwd", "abs/path", "b", "c", "x_y"}
	var entries []entry
	for _, n := range names {
		entries = append(entries, entry{Name: n, Data: []byte(n)})
	}
	for name, data := range map[string][]byte{"t.zip": archivetest.Zip(t, entries...), "t.tar": archivetest.Tar(t, entries...)} {
		files, rep := walkMem(t, name, data, Limits{})
		if len(files) != len(want)+1 {
			t.Fatalf("%s: %q", name, locations(files))
		}
		for i, w := range want {
			if f := files[i+1]; f.Location != name+"!"+w || f.Data != names[i] {
				t.Errorf("%s: %+v, want %s!%s", name, f, name, w)
			}
		}
		wantWarning(t, rep, name+`!etc/passwd: path traversal in entry name "../../etc/passwd", name cleaned`)
		wantWarning(t, rep, name+`!abs/path: absolute path in entry name "/abs/path", name cleaned`)
		wantWarning(t, rep, name+`!b: path traversal in entry name "a/../../b", name cleaned`)
		wantWarning(t, rep, name+`!x_y: control characters in entry name "x\ny", name cleaned`)
		if len(rep.Warnings) != 4 {
			t.Errorf("%s: warnings %q", name, rep.Warnings)
		}
		wantGaps(t, rep) // cleaned names were read: no gap
	}
}

func TestCorrupt(t *testing.T) {
	good := archivetest.Zip(t, entry{Name: "a.txt", Data: bytes.Repeat([]byte("hello "), 100)}, entry{Name: "b.txt", Data: []byte("b")})
	badData := bytes.Clone(good)
	badData[60] ^= 0xff // inside a.txt's deflated data
	tarData := archivetest.Tar(t, entry{Name: "a.txt", Data: random(2000)}, entry{Name: "b.txt", Data: []byte("b")})
	badHeader := bytes.Clone(tarData)
	copy(badHeader[148:156], "0000000\x00") // checksum
	secondBad := bytes.Clone(tarData)
	i := bytes.Index(secondBad[512:], []byte("b.txt")) + 512
	secondBad[i+148] ^= 1
	gzData := archivetest.Gzip(t, []byte("hello, gzip"))
	badCRC := bytes.Clone(gzData)
	badCRC[len(badCRC)-8] ^= 0xff
	trailing := append(bytes.Clone(gzData), "garbage, and more garbage"...)
	deb, cpio := makeDeb(t), makeKeslCpio()
	hugeDict := xzip(t, []byte("x"))
	if hugeDict[13]&0xc3 != 0 || hugeDict[14] != 0x21 || hugeDict[15] != 1 {
		t.Fatalf("xz block header % x", hugeDict[12:20])
	}
	hugeDict[16] = 40 // 4 GiB

	for _, c := range []struct {
		name     string
		data     []byte
		files    int
		warnings []string
	}{
		{"truncated.zip", good[:len(good)/2], 1, []string{"truncated.zip: not a valid zip: zip: not a valid zip file"}},
		{"bad-entry.zip", badData, 3, []string{"bad-entry.zip!a.txt: read error: "}},
		{"bad-header.tar", badHeader, 1, []string{"bad-header.tar: not a valid tar: archive/tar: invalid tar header"}},
		{"second-bad.tar", secondBad, 2, []string{"second-bad.tar: bad tar header after 1 entries: archive/tar: invalid tar header, rest of the archive skipped"}},
		{"truncated.tar", tarData[:1500], 2, []string{"truncated.tar!a.txt: read error: unexpected EOF, contents not read"}},
		{"truncated.tar.gz", archivetest.Gzip(t, tarData)[:1500], 2, []string{"truncated.tar.gz!a.txt: read error: unexpected EOF, contents not read"}},
		{"crc.gz", badCRC, 2, []string{"crc.gz!crc: read error: gzip: invalid checksum, contents not read"}},
		{"trailing.gz", trailing, 2, []string{"trailing.gz!trailing: read error: gzip: invalid header, contents not read"}},
		{"truncated.gz", gzData[:len(gzData)-4], 2, []string{"truncated.gz!truncated: read error: unexpected EOF, contents not read"}},
		{"junk.gz", []byte("\x1f\x8b\x08junk"), 1, []string{"junk.gz: not a valid gzip: unexpected EOF"}},
		{"junk.bz2", []byte("BZh91AY&SYjunk and more junk"), 2, []string{"junk.bz2!junk: read error: bzip2 data invalid"}},
		{"junk.xz", []byte("\xfd7zXZ\x00junk and more junk"), 1, []string{"junk.xz: not a valid xz: xz: "}},
		{"huge-dict.xz", hugeDict, 1, []string{"huge-dict.xz: not a valid xz: dictionary of 4095 MiB, over the 256 MiB allowed"}},
		{"truncated.deb", deb[:len(deb)-100], 5, []string{"truncated.deb!data.tar.xz: read error: unexpected EOF, contents not read"}},
		{"bad.deb", append(bytes.Clone(deb[:8]), "debian-binary   bad header"...), 1, []string{"bad.deb: not a valid ar: "}},
		{"truncated.cpio", cpio[:200], 1, []string{"truncated.cpio: bad cpio header after 1 entries: unexpected EOF, rest of the archive skipped"}},
		{"cut.cpio", cpio[:len(cpio)-126], 3, []string{"cut.cpio!opt/kaspersky/kesl/share/a-much-longer-name.txt: read error: unexpected EOF, contents not read"}},
		{"zstd.rpm", makeRpm([]byte("\x28\xb5\x2f\xfd zstd frame")), 2, []string{"zstd.rpm!zstd.rpm: read error: window size exceeded, contents not read"}},
		{"lzma.rpm", makeRpm([]byte("\x5d\x00\x00 lzma")), 1, []string{"lzma.rpm: not a valid lzma: unexpected EOF"}},
		{"truncated.rpm", makeRpm(nil)[:120], 1, []string{"truncated.rpm: not a valid rpm: unexpected EOF"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			if len(files) != c.files || files[0].Location != c.name || files[0].Data != string(c.data) {
				t.Errorf("locations %q", locations(files))
			}
			wantGapWarnings(t, rep, c.warnings)
		})
	}
}

func TestTruncation(t *testing.T) {
	root := t.TempDir()
	for i := range 10 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("f%d", i)), []byte("x"))
	}
	files, rep := walkDisk(t, root, Limits{MaxFiles: 3})
	if len(files) != 3 || !rep.Truncated {
		t.Errorf("MaxFiles 3: %q, truncated %v", locations(files), rep.Truncated)
	}
	wantWarning(t, rep, "f3: walk truncated at 3 files (limit files): this file and what follows not visited")
	wantGaps(t, rep, "files")

	var entries []entry
	for i := range 10 {
		entries = append(entries, entry{Name: fmt.Sprintf("e%d", i), Data: bytes.Repeat([]byte{byte(i)}, 1000)})
	}
	files, rep = walkMem(t, "x.zip", archivetest.Zip(t, entries...), Limits{MaxTotalBytes: 2500})
	if len(files) != 3 || !rep.Truncated || rep.ArchiveBytes != 2500 {
		t.Errorf("MaxTotalBytes 2500: %q, truncated %v, %d bytes", locations(files), rep.Truncated, rep.ArchiveBytes)
	}
	wantWarning(t, rep, "x.zip!e2: walk truncated after 2500 bytes read out of archives (limit total-bytes)")
	wantGaps(t, rep, "total-bytes")

	files, rep = walkMem(t, "x.tar.gz", archivetest.Gzip(t, archivetest.Tar(t, entries...)), Limits{MaxTotalBytes: 2500})
	if len(files) != 2 || !rep.Truncated {
		t.Errorf("MaxTotalBytes 2500 tar.gz: %q, truncated %v, %d bytes", locations(files), rep.Truncated, rep.ArchiveBytes)
	}
	wantGaps(t, rep, "total-bytes")
}

// wantGapWarnings fails unless rep warns exactly the given warnings (each
// as wantWarning finds it) and each is a gap for a reason other than a
// limit: a part that could not be read leaves the walk incomplete.
func wantGapWarnings(t *testing.T, rep Report, warnings []string) {
	t.Helper()
	for _, w := range warnings {
		wantWarning(t, rep, w)
	}
	if len(rep.Warnings) != len(warnings) {
		t.Errorf("warnings %q", rep.Warnings)
	}
	wantGaps(t, rep, make([]string, len(warnings))...)
}

// wantGaps fails unless rep lists exactly one gap per limit given, in
// order ("" for a part unreadable for another reason), each with its
// warning.
func wantGaps(t *testing.T, rep Report, limits ...string) {
	t.Helper()
	var got []string
	for _, g := range rep.Gaps {
		got = append(got, g.Limit)
		if !hasWarning(rep, g.String()) {
			t.Errorf("gap %q is not a warning: %q", g, rep.Warnings)
		}
		if g.Location == "" || g.Reason == "" {
			t.Errorf("gap without a location or reason: %+v", g)
		}
	}
	if !slices.Equal(got, limits) || rep.GapCount != len(limits) {
		t.Errorf("gaps %q (count %d), want limits %q", rep.Gaps, rep.GapCount, limits)
	}
}

func TestGapsBounded(t *testing.T) {
	var entries []entry
	for i := range MaxGaps + 5 {
		entries = append(entries, entry{Name: fmt.Sprintf("e%d.zip", i), Data: []byte("PK\x03\x04 not a zip")})
	}
	_, rep := walkMem(t, "many.tar", archivetest.Tar(t, entries...), Limits{})
	if len(rep.Gaps) != MaxGaps || rep.GapCount != MaxGaps+5 {
		t.Errorf("%d gaps listed, %d counted; want %d and %d", len(rep.Gaps), rep.GapCount, MaxGaps, MaxGaps+5)
	}
	var all Report
	all.Add(rep)
	all.Add(rep)
	if len(all.Gaps) != MaxGaps || all.GapCount != 2*(MaxGaps+5) {
		t.Errorf("added: %d gaps listed, %d counted", len(all.Gaps), all.GapCount)
	}
}

func TestControl(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.zip"), archivetest.Zip(t, entry{Name: "in.txt", Data: []byte("in")}))
	writeFile(t, filepath.Join(root, "b.txt"), []byte("b"))
	writeFile(t, filepath.Join(root, "c.txt"), []byte("c"))
	walk := func(ctx context.Context, fn func(*File) error) ([]string, Report, error) {
		var locs []string
		rep, err := Walk(ctx, root, Limits{}, func(f *File) error {
			locs = append(locs, f.Location)
			return fn(f)
		})
		return locs, rep, err
	}

	locs, _, err := walk(context.Background(), func(f *File) error {
		if f.Name == "a.zip" {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil || !reflect.DeepEqual(locs, []string{"a.zip", "b.txt", "c.txt"}) {
		t.Errorf("SkipDir: %q, %v", locs, err)
	}
	locs, _, err = walk(context.Background(), func(f *File) error {
		if f.Name == "in.txt" {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil || !reflect.DeepEqual(locs, []string{"a.zip", "a.zip!in.txt"}) {
		t.Errorf("SkipAll: %q, %v", locs, err)
	}
	stop := errors.New("stop")
	locs, _, err = walk(context.Background(), func(f *File) error {
		if f.Name == "in.txt" {
			return stop
		}
		return nil
	})
	if err != stop || len(locs) != 2 {
		t.Errorf("error: %q, %v", locs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	locs, rep, err := walk(ctx, func(f *File) error {
		if f.Name == "in.txt" {
			cancel()
		}
		return nil
	})
	if err != context.Canceled || len(locs) != 2 || rep.Files != 2 {
		t.Errorf("cancel: %q, %v", locs, err)
	}
	locs, _, err = walk(ctx, func(*File) error { return nil })
	if err != context.Canceled || len(locs) != 0 {
		t.Errorf("cancelled: %q, %v", locs, err)
	}
	if _, err := WalkBytes(ctx, "x.zip", archivetest.Zip(t, entry{Name: "a"}), Limits{}, func(*File) error { return nil }); err != context.Canceled {
		t.Errorf("WalkBytes cancelled: %v", err)
	}
}

// Files larger than MaxFileBytes are visited without their contents, and
// walked when they are archives that can be walked as a stream or, on disk,
// at random.
func TestLarge(t *testing.T) {
	big := random(8 << 10)
	small := []byte("small")
	bigZip := archivetest.Zip(t, entry{Name: "a.txt", Data: small}, entry{Name: "big.bin", Data: big})
	innerTar := archivetest.Tar(t, entry{Name: "small.txt", Data: small}, entry{Name: "big.bin", Data: big})
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "big.bin"), big)
	writeFile(t, filepath.Join(root, "big.zip"), append(bigZip, make([]byte, 0)...))
	writeFile(t, filepath.Join(root, "big.tar.gz"), archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "inner.tar", Data: innerTar}, entry{Name: "z.zip", Data: archivetest.Zip(t, entry{Name: "x", Data: big})})))
	writeFile(t, filepath.Join(root, "outer.tar"), archivetest.Tar(t, entry{Name: "inner.tar", Data: innerTar}))

	lim := Limits{MaxFileBytes: 4 << 10, MaxRatio: math.MaxInt64}
	files, rep := walkDisk(t, root, lim)
	got := map[string]string{}
	for _, f := range files {
		got[f.Location] = f.Skipped
		if f.Skipped == "" && f.Data == "" {
			t.Errorf("%s: no data", f.Location)
		}
	}
	const skip = "larger than 4 KiB"
	want := map[string]string{
		"big.bin":                        skip,
		"big.tar.gz":                     skip,
		"big.tar.gz!inner.tar":           skip,
		"big.tar.gz!inner.tar!small.txt": "",
		"big.tar.gz!inner.tar!big.bin":   skip,
		"big.tar.gz!z.zip":               skip,
		"big.zip":                        skip,
		"big.zip!a.txt":                  "",
		"big.zip!big.bin":                skip,
		"outer.tar":                      skip,
		"outer.tar!inner.tar":            skip,
		"outer.tar!inner.tar!small.txt":  "",
		"outer.tar!inner.tar!big.bin":    skip,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	wantWarning(t, rep, "big.bin: larger than 4 KiB (limit file-bytes), contents not read")
	wantWarning(t, rep, "big.zip: zip larger than 4 KiB (limit file-bytes), not read whole; its entries are")
	wantWarning(t, rep, "big.tar.gz!z.zip: zip larger than 4 KiB (limit file-bytes) inside an archive, entries not read")
	// Entries not read are gaps; a large tar or zip whose entries are all
	// read is not.
	var gapLocs []string
	for _, g := range rep.Gaps {
		gapLocs = append(gapLocs, g.Location)
	}
	slices.Sort(gapLocs)
	wantLocs := []string{"big.bin", "big.tar.gz!inner.tar!big.bin", "big.tar.gz!z.zip", "big.zip!big.bin", "outer.tar!inner.tar!big.bin"}
	if !slices.Equal(gapLocs, wantLocs) {
		t.Errorf("gaps at %q, want %q", gapLocs, wantLocs)
	}

	files, _ = walkMem(t, "big.zip", bigZip, lim)
	if got := locations(files); !reflect.DeepEqual(got, []string{"big.zip", "big.zip!a.txt", "big.zip!big.bin"}) || files[1].Data != "small" {
		t.Errorf("WalkBytes: %q", got)
	}
}

// hangLimit is how long one fuzz input may walk before the watchdog
// reports a hang: 10 s while fuzzing; when the seeds run as tests
// (go test, beside other test binaries on a loaded machine), a minute.
func hangLimit() time.Duration {
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		return 10 * time.Second
	}
	return time.Minute
}

func FuzzWalkBytes(f *testing.F) {
	f.Add(archivetest.Zip(f, entry{Name: "a/b.txt", Data: []byte("hello")}, entry{Name: "../x", Data: []byte("x")}))
	f.Add(archivetest.Tar(f, entry{Name: "a.txt", Data: []byte("a")}, entry{Name: "l", Data: []byte("a.txt"), Mode: fs.ModeSymlink}))
	f.Add(archivetest.Gzip(f, archivetest.Tar(f, entry{Name: "b.zip", Data: archivetest.Zip(f, entry{Name: "lib.so", Data: []byte("so")})})))
	f.Add(archivetest.Gzip(f, []byte("single file")))
	f.Add(xzip(f, archivetest.Tar(f, entry{Name: "x", Data: []byte("xz")})))
	f.Add(tarBz2)
	f.Add(append([]byte("MZ"), archivetest.Zip(f, entry{Name: "r", Data: []byte("r")})...))
	f.Add(makeDeb(f))
	f.Add(makeRpm(archivetest.Gzip(f, makeKeslCpio())))
	f.Add(makeRpm(makeKeslCpio()))
	for _, data := range kavArchives(f) { // 7z, rar, zstd, lz4, brotli
		f.Add(data)
	}
	f.Add(append(archivetest.Brotli(f, []byte("notes")), 1)) // named .br: see below
	f.Add(fixture(f, "solid.7z"))
	f.Add(fixture(f, "aes.7z"))
	f.Add(makeRpm(archivetest.Zstd(f, makeKeslCpio())))
	for name := range kavInstallers(f) { // cab, msi, cab and 7z appended to a PE
		f.Add(installerData(f, name))
	}
	for _, name := range []string{"kav-gzip.sqfs", "kav-xz.sqfs", "kav-lz4.sqfs", "kav-zstd.sqfs", "kav-lzma.sqfs", "kernel.uImage", "rootfs.uImage", "kav.iso"} {
		f.Add(imageData(f, name)) // images_test.go
	}
	f.Add(fitImage())
	// The readers that have a fuzz target of their own, here inside the
	// whole dispatch: disk images (trimmed), an LZX cab, an NSIS
	// installer, an apk with a binary manifest.
	fat := bytes.TrimRight(diskData(f, "kav.fat"), "\x00")
	f.Add(bytes.TrimRight(diskData(f, "kav.ext4"), "\x00"))
	f.Add(mbrDisk(sectors(fat, 512)))
	f.Add(gptDisk(512, nil, gptPart{"boot", fat}))
	lzx := lzxTestCases()[0]
	f.Add(lzxCab(f, lzx.o, entry{Name: "inner/libkavcore.so", Data: lzxTestData(min(lzx.n, 3000))}))
	f.Add(makeNSIS(f, nsisOpts{method: "lzma", solid: true}, entry{Name: "a.txt", Data: []byte("a")}))
	f.Add(chmOf(f, chmOpts{}, chmTestFile{name: "/a.htm", data: []byte("a")}, chmTestFile{name: "/inner/libkavcore.so", data: []byte(kavMarker), section: 1}))
	f.Add(lzmaOf(f, archivetest.Tar(f, entry{Name: "a.txt", Data: []byte("a")}))) // lzma_test.go
	f.Add(shieldPkg(f, xarOpts{}, pbzxOf(f, odcCpio(kavOpt), 64, 1)))             // xar_test.go: a .pkg, its Payload pbzx
	f.Add(lzipOf(f, archivetest.Tar(f, entry{Name: "a.txt", Data: []byte("a")}))) // xar_test.go
	f.Add(archivetest.Zip(f, entry{Name: "AndroidManifest.xml", Data: archivetest.AXML(shieldManifest(), archivetest.AXMLOptions{})}))
	lim := Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 16 << 20, MaxFiles: 1000, MaxDepth: 4}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A walk that hangs crashes the worker, so that the fuzzer keeps
		// the input, with the stacks.
		watchdog := time.AfterFunc(hangLimit(), func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("walk hung:\n%s", buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		var files []seen
		// Brotli is opened by name only: inputs that end in an odd byte
		// are named .br.
		name := "fuzz"
		if len(data) > 0 && data[len(data)-1]&1 == 1 {
			name = "fuzz.br"
		}
		rep, err := WalkBytes(context.Background(), name, data, lim, func(f *File) error {
			files = append(files, seen{Location: f.Location, Depth: f.Depth, Nil: f.Data == nil, Skipped: f.Skipped, Size: f.Size})
			if f.Depth > lim.MaxDepth {
				t.Errorf("%s: depth %d", f.Location, f.Depth)
			}
			if int64(len(f.Data)) > lim.MaxFileBytes {
				t.Errorf("%s: %d bytes", f.Location, len(f.Data))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, files, rep)
		if rep.ArchiveBytes > lim.MaxTotalBytes || rep.Files > lim.MaxFiles {
			t.Errorf("limits passed: %+v", rep)
		}
		if hasWarning(rep, "panicked") {
			t.Errorf("%q", rep.Warnings)
		}
	})
}

// BenchmarkWalkDir walks a tree of about 200 MB of plain files: the
// walker's own cost of reading files from disk into memory.
func BenchmarkWalkDir(b *testing.B) {
	root := b.TempDir()
	chunk := bytes.Repeat([]byte("pedigree walk benchmark data\n"), 1<<15) // ~0.9 MB
	var total int64
	for i := range 800 {
		size := len(chunk) >> (i % 6) // 0.9 MB down to 30 KB
		writeFile(b, filepath.Join(root, fmt.Sprintf("d%02d", i%40), fmt.Sprintf("f%03d.bin", i)), chunk[:size])
		total += int64(size)
	}
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Walk(context.Background(), root, Limits{}, func(*File) error { return nil })
		if err != nil || rep.Files != 800 || rep.Bytes != total {
			b.Fatalf("%+v, %v", rep, err)
		}
	}
}

// BenchmarkWalkZip walks a 50 MB zip in memory: the cost of decompression.
func BenchmarkWalkZip(b *testing.B) {
	chunk := bytes.Repeat([]byte("pedigree walk benchmark data\n"), 1<<12)
	var entries []entry
	var total int64
	for i := range 400 {
		entries = append(entries, entry{Name: fmt.Sprintf("d/f%03d.class", i), Data: chunk})
		total += int64(len(chunk))
	}
	data := archivetest.Zip(b, entries...)
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		rep, err := WalkBytes(context.Background(), "x.jar", data, Limits{}, func(*File) error { return nil })
		if err != nil || rep.Files != 401 {
			b.Fatalf("%+v, %v", rep, err)
		}
	}
}

// A panic in fn goes up to the caller as it was, through the walker's own
// recovery from panicking archive readers.
func TestFnPanic(t *testing.T) {
	data := archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "in.zip", Data: archivetest.Zip(t, entry{Name: "boom", Data: []byte("x")})}))
	defer func() {
		if v := recover(); v != "boom" {
			t.Errorf("recovered %v", v)
		}
	}()
	WalkBytes(context.Background(), "x.tgz", data, Limits{}, func(f *File) error {
		if f.Name == "boom" {
			panic("boom")
		}
		return nil
	})
	t.Error("no panic")
}
