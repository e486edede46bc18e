package walk

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// TestCHMReal compares what the walk reads of real CHM files with what
// 7-Zip extracts, file by file: the files named by PEDIGREE_CHM_FILES
// (paths separated by the system's list separator), when 7z is
// installed. No such file ships with the tests.
func TestCHMReal(t *testing.T) {
	list := os.Getenv("PEDIGREE_CHM_FILES")
	if list == "" {
		t.Skip("PEDIGREE_CHM_FILES not set")
	}
	if _, err := exec.LookPath("7z"); err != nil {
		t.Skip("no 7z")
	}
	for _, path := range filepath.SplitList(list) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("7z", "x", "-o"+dir, path).CombinedOutput(); err != nil {
				t.Fatalf("7z: %v: %s", err, out)
			}
			want := map[string]bool{}
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					rel, _ := filepath.Rel(dir, p)
					want[filepath.ToSlash(rel)] = true
				}
				return nil
			})
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(path)
			same, differ, skipped := 0, 0, 0
			var bytesRead int64
			rep, err := WalkBytes(context.Background(), name, data, Limits{MaxDepth: 1}, func(f *File) error {
				if f.Depth != 1 {
					return nil
				}
				rel := strings.TrimPrefix(f.Location, name+Separator)
				if f.Skipped != "" {
					skipped++
					return nil
				}
				b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
				switch {
				case err != nil:
					t.Errorf("%s: not extracted by 7z (%v)", rel, err)
				case !bytes.Equal(b, f.Data):
					differ++
					if differ < 10 {
						t.Errorf("%s: %d bytes, 7z %d", rel, len(f.Data), len(b))
					}
				default:
					same++
					bytesRead += int64(len(b))
				}
				delete(want, rel)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for rel := range want {
				t.Errorf("%s: extracted by 7z, not walked", rel)
			}
			t.Logf("%s: %d files identical to 7z's (%d bytes), %d different, %d skipped; gaps %q", name, same, bytesRead, differ, skipped, rep.Gaps)
		})
	}
}

// chmTestFile is a file of a test CHM, in section 0 (stored) or 1 (LZX).
type chmTestFile struct {
	name    string
	data    []byte
	section int
}

// chmRawEntry is a directory entry written as it is, pointing anywhere.
type chmRawEntry struct {
	name               string
	section, off, size uint64
}

type chmOpts struct {
	lzx     lzxEncOpts    // section 1's encoding; window 0: 16, types nil: verbatim
	reset   int           // frames between reset points; 0: 2
	version uint32        // of the LZXC control data: 1 or 2 (0: 2)
	extra   []chmRawEntry // more directory entries
	exact   bool          // the last frame's block no longer than its data
}

// chmEncintOf writes v as an ENCINT.
func chmEncintOf(v uint64) []byte {
	b := []byte{byte(v & 0x7f)}
	for v >>= 7; v > 0; v >>= 7 {
		b = append([]byte{byte(v&0x7f | 0x80)}, b...)
	}
	return b
}

// chmOf writes a CHM file (ITSF version 3) of files: a directory of
// listing chunks of 4 KiB, section 0 and, when a file is in it, section 1:
// an LZX stream encoded anew at each reset point, its control data, reset
// table and name list.
func chmOf(t testing.TB, o chmOpts, files ...chmTestFile) []byte {
	t.Helper()
	le := binary.LittleEndian
	if o.reset == 0 {
		o.reset = 2
	}
	if o.version == 0 {
		o.version = 2
	}
	if o.lzx.window == 0 {
		o.lzx.window = 16
	}
	if o.lzx.types == nil {
		o.lzx.types = []int{lzxVerbatim}
	}
	ents := []chmRawEntry{{name: "/"}}
	var sec0, sec1 []byte
	for _, f := range files {
		if f.section == 1 {
			ents = append(ents, chmRawEntry{f.name, 1, uint64(len(sec1)), uint64(len(f.data))})
			sec1 = append(sec1, f.data...)
			continue
		}
		ents = append(ents, chmRawEntry{f.name, uint64(f.section), uint64(len(sec0)), uint64(len(f.data))})
		sec0 = append(sec0, f.data...)
	}
	add0 := func(name string, b []byte) {
		ents = append(ents, chmRawEntry{name, 0, uint64(len(sec0)), uint64(len(b))})
		sec0 = append(sec0, b...)
	}
	if len(sec1) > 0 {
		var content []byte
		var table []uint64
		per := o.reset * lzxFrame
		for p := 0; p < len(sec1); p += per {
			c := sec1[p:min(p+per, len(sec1))]
			if len(c)%lzxFrame != 0 && !o.exact { // the last frame: whole, as hhc writes it (7-Zip and chmlib need it)
				c = append(bytes.Clone(c), make([]byte, lzxFrame-len(c)%lzxFrame)...)
			}
			frames, _ := lzxEncode(c, o.lzx)
			for _, fr := range frames {
				table = append(table, uint64(len(content)))
				content = append(content, fr...)
			}
		}
		var nl []byte
		for _, s := range []string{"Uncompressed", "MSCompressed"} {
			nl = le.AppendUint16(nl, uint16(len(s)))
			for _, c := range s {
				nl = le.AppendUint16(nl, uint16(c))
			}
			nl = le.AppendUint16(nl, 0)
		}
		nl = append(le.AppendUint16(le.AppendUint16(nil, uint16(len(nl)/2+2)), 2), nl...)
		add0(chmNameListName, nl)
		reset, window := uint32(o.reset*lzxFrame), uint32(1)<<o.lzx.window
		if o.version == 2 {
			reset, window = reset/lzxFrame, window/lzxFrame
		}
		ctl := le.AppendUint32(nil, 6)
		ctl = append(ctl, "LZXC"...)
		for _, v := range []uint32{o.version, reset, window, 1, 0} {
			ctl = le.AppendUint32(ctl, v)
		}
		add0(chmControlName, ctl)
		add0(chmContentName, content)
		rt := le.AppendUint32(nil, 2)
		rt = le.AppendUint32(rt, uint32(len(table)))
		rt = le.AppendUint32(rt, 8)
		rt = le.AppendUint32(rt, 0x28)
		for _, v := range append([]uint64{uint64(len(sec1)), uint64(len(content)), lzxFrame}, table...) {
			rt = le.AppendUint64(rt, v)
		}
		add0(chmResetName, rt)
		// What other readers look for (7-Zip): the decoded size, and the
		// transform, LZX's.
		add0("::DataSpace/Storage/MSCompressed/SpanInfo", le.AppendUint64(nil, uint64(len(sec1))))
		var tl []byte
		for _, c := range "{7FC28940-9D31-11D0-9B27-00A0C91E9C7C}" {
			tl = le.AppendUint16(tl, uint16(c))
		}
		add0("::DataSpace/Storage/MSCompressed/Transform/List", tl)
	}
	ents = append(ents, o.extra...)
	// The listing chunks.
	const chunk = 4096
	var chunks [][]byte
	var cur []byte
	flush := func() {
		c := make([]byte, chunk)
		copy(c, "PMGL")
		le.PutUint32(c[4:], uint32(chunk-chmChunkHeader-len(cur)))
		copy(c[chmChunkHeader:], cur)
		chunks = append(chunks, c)
		cur = nil
	}
	for _, e := range ents {
		b := append(chmEncintOf(uint64(len(e.name))), e.name...)
		for _, v := range []uint64{e.section, e.off, e.size} {
			b = append(b, chmEncintOf(v)...)
		}
		if chmChunkHeader+len(cur)+len(b) > chunk {
			flush()
		}
		cur = append(cur, b...)
	}
	flush()
	for i, c := range chunks {
		le.PutUint32(c[12:], uint32(i-1)) // previous, -1 for none
		next := uint32(i + 1)
		if i == len(chunks)-1 {
			next = 0xffffffff
		}
		le.PutUint32(c[16:], next)
	}
	dirOff := uint64(chmHeaderV3 + 0x18)
	dirLen := uint64(chmDirHeader + chunk*len(chunks))
	contentOff := dirOff + dirLen
	size := contentOff + uint64(len(sec0))
	h := append([]byte("ITSF"), make([]byte, chmHeaderV3-4)...)
	le.PutUint32(h[4:], 3)
	le.PutUint32(h[8:], chmHeaderV3)
	le.PutUint32(h[12:], 1)
	le.PutUint32(h[20:], 0x409)
	for i, v := range []uint64{chmHeaderV3, 0x18, dirOff, dirLen, contentOff} {
		le.PutUint64(h[0x38+8*i:], v)
	}
	hs0 := le.AppendUint32(nil, 0x1fe)
	hs0 = le.AppendUint32(hs0, 0)
	hs0 = le.AppendUint64(hs0, size)
	hs0 = append(hs0, make([]byte, 8)...)
	p := append([]byte("ITSP"), make([]byte, chmDirHeader-4)...)
	for i, v := range []uint32{1, chmDirHeader, 10, chunk, 2, 1, 0xffffffff, 0, uint32(len(chunks) - 1), 0xffffffff, uint32(len(chunks)), 0x409} {
		le.PutUint32(p[4+4*i:], v)
	}
	le.PutUint32(p[0x44:], chmDirHeader)
	for _, o := range []int{0x48, 0x4c, 0x50} {
		le.PutUint32(p[o:], 0xffffffff)
	}
	out := append(append(h, hs0...), p...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, sec0...)
}

// kavCHM is a CHM of the marker in section 1, after a page long enough
// to span reset points, and pages in section 0.
func kavCHM(t testing.TB, o chmOpts) []byte {
	return chmOf(t, o,
		chmTestFile{name: "/#SYSTEM", data: []byte("\x03\x00\x00\x00Kaspersky Help\x00")},
		chmTestFile{name: "/readme.htm", data: []byte("<p>Powered by Kaspersky Lab</p>")},
		chmTestFile{name: "/data/big.htm", data: lzxTestData(150000), section: 1},
		chmTestFile{name: "/inner/libkavcore.so", data: []byte(kavMarker), section: 1},
		chmTestFile{name: "/index.htm", data: []byte("<html>Copyright Kaspersky Lab</html>"), section: 1},
	)
}

func TestCHM(t *testing.T) {
	v, a, u := lzxVerbatim, lzxAligned, lzxUncompressed
	for _, c := range []struct {
		name string
		o    chmOpts
	}{
		{"default", chmOpts{}},
		{"window15-reset1", chmOpts{lzx: lzxEncOpts{window: 15, types: []int{v}}, reset: 1}},
		{"window21-reset4-aligned", chmOpts{lzx: lzxEncOpts{window: 21, types: []int{a}}, reset: 4}},
		{"mixed-v1", chmOpts{lzx: lzxEncOpts{window: 17, types: []int{u, v, a}, block: 12345}, version: 1}},
		{"overrun", chmOpts{lzx: lzxEncOpts{window: 16, types: []int{v, a}, block: 50000, overrun: true}, reset: 3}},
		{"uncompressed-odd", chmOpts{lzx: lzxEncOpts{window: 15, types: []int{u, v}, block: 32767}, reset: 2}},
		{"exact-end", chmOpts{lzx: lzxEncOpts{window: 16, types: []int{a}}, exact: true}},
		{"e8", chmOpts{lzx: lzxEncOpts{window: 16, types: []int{v}, e8: 12_000_000}}}, // E8 positions from each reset point, as 7-Zip reads them
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, "help.chm", kavCHM(t, c.o), Limits{})
			noWarnings(t, rep)
			for loc, want := range map[string]string{
				"help.chm!inner/libkavcore.so": kavMarker,
				"help.chm!readme.htm":          "<p>Powered by Kaspersky Lab</p>",
				"help.chm!#SYSTEM":             "\x03\x00\x00\x00Kaspersky Help\x00",
				"help.chm!index.htm":           "<html>Copyright Kaspersky Lab</html>",
				"help.chm!data/big.htm":        string(lzxTestData(150000)),
			} {
				if f := find(files, loc); f == nil || f.Data != want {
					t.Errorf("%s: %d bytes read, want %d, in %q", loc, len(f.Data), len(want), locations(files))
				}
			}
			if len(files) != 6 || rep.Archives != 1 {
				t.Errorf("%d files, %d archives: %q", len(files), rep.Archives, locations(files))
			}
		})
	}
}

// TestCHMEmpty: empty files, wherever their offset, and a help file of
// no compressed section.
func TestCHMEmpty(t *testing.T) {
	chm := chmOf(t, chmOpts{extra: []chmRawEntry{{"/empty.htm", 1, 0, 0}, {"/empty0.htm", 0, 1 << 40, 0}}},
		chmTestFile{name: "/a.htm", data: []byte("Powered by Kaspersky"), section: 1})
	files, rep := walkMem(t, "help.chm", chm, Limits{})
	noWarnings(t, rep)
	for loc, want := range map[string]string{"help.chm!a.htm": "Powered by Kaspersky", "help.chm!empty.htm": "", "help.chm!empty0.htm": ""} {
		if f := find(files, loc); f == nil || f.Data != want || f.Skipped != "" {
			t.Errorf("%s: %+v in %q", loc, f, locations(files))
		}
	}
	files, rep = walkMem(t, "help.chm", chmOf(t, chmOpts{}, chmTestFile{name: "/a.htm", data: []byte("stored")}), Limits{})
	noWarnings(t, rep)
	if f := find(files, "help.chm!a.htm"); f == nil || f.Data != "stored" {
		t.Errorf("a.htm: %+v in %q", f, locations(files))
	}
}

// TestCHMNested: a CHM in a zip; one level past the depth limit, a gap.
func TestCHMNested(t *testing.T) {
	zip := archivetest.Zip(t, entry{Name: "doc/help.chm", Data: kavCHM(t, chmOpts{})})
	files, rep := walkMem(t, "x.zip", zip, Limits{})
	noWarnings(t, rep)
	if f := find(files, "x.zip!doc/help.chm!inner/libkavcore.so"); f == nil || f.Data != kavMarker {
		t.Errorf("marker: %+v in %q", f, locations(files))
	}
	files, rep = walkMem(t, "x.zip", zip, Limits{MaxDepth: 1})
	wantWarning(t, rep, "x.zip!doc/help.chm: CHM help file archive nested deeper than 1 levels (limit archive-depth), not opened")
	wantGaps(t, rep, "archive-depth")
	if f := find(files, "x.zip!doc/help.chm"); f == nil || f.Nil {
		t.Errorf("help.chm not visited as a file: %q", locations(files))
	}
}

// TestCHMLarge: a CHM over file-bytes is read at random on disk; inside
// an archive, it is a gap.
func TestCHMLarge(t *testing.T) {
	chm := kavCHM(t, chmOpts{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "help.chm"), chm, 0o644); err != nil {
		t.Fatal(err)
	}
	files, rep := walkDisk(t, dir, Limits{MaxFileBytes: 8192})
	if f := find(files, "help.chm!inner/libkavcore.so"); f == nil || f.Data != kavMarker {
		t.Errorf("marker: %+v in %q", f, locations(files))
	}
	wantGaps(t, rep, "file-bytes") // data/big.htm
	wantWarning(t, rep, "help.chm!data/big.htm: larger than 8 KiB (limit file-bytes), contents not read")
	_, rep = walkMem(t, "x.zip", archivetest.Zip(t, entry{Name: "help.chm", Data: chm}), Limits{MaxFileBytes: 8192})
	wantWarning(t, rep, "x.zip!help.chm: CHM help file larger than 8 KiB (limit file-bytes) inside an archive, its files not read")
	wantGaps(t, rep, "file-bytes")
}

// TestCHMFiles: more files than the files limit, a gap, the help file not
// opened.
func TestCHMFiles(t *testing.T) {
	files, rep := walkMem(t, "help.chm", kavCHM(t, chmOpts{}), Limits{MaxFiles: 4})
	wantWarning(t, rep, "help.chm: CHM help file of more than 4 files in its directory (limit files), its files not read")
	wantGaps(t, rep, "files")
	if len(files) != 1 {
		t.Errorf("%q", locations(files))
	}
}

// chmCorruptions returns CHM files broken in various ways, and the
// warning each gets.
func chmCorruptions(t testing.TB) []struct {
	name, warning string
	data          []byte
} {
	le := binary.LittleEndian
	good := kavCHM(t, chmOpts{})
	d, err := readCHMDir(bytes.NewReader(good), int64(len(good)), 100)
	if err != nil {
		t.Fatal(err)
	}
	at := func(name string) int { return int(d.contentOff + d.internal[name].off) }
	set := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	extra := func(e ...chmRawEntry) []byte {
		return chmOf(t, chmOpts{extra: e}, chmTestFile{name: "/a.htm", data: []byte("a"), section: 1})
	}
	chunk0 := chmHeaderV3 + 0x18 + chmDirHeader
	return []struct {
		name, warning string
		data          []byte
	}{
		{"itsp", "help.chm: not a valid CHM help file: no directory header (ITSP)", set(func(b []byte) { b[chmHeaderV3+0x18] = 'X' })},
		{"dir-past-end", "help.chm: not a valid CHM help file: directory of ", set(func(b []byte) { le.PutUint64(b[0x50:], 1<<40) })},
		{"chunks", "help.chm: not a valid CHM help file: 100000 directory chunks of 4096 bytes, past the end of the file", set(func(b []byte) { le.PutUint32(b[chmHeaderV3+0x18+0x2c:], 100000) })},
		{"chunk-size", "help.chm: not a valid CHM help file: directory chunks of 16 bytes", set(func(b []byte) { le.PutUint32(b[chmHeaderV3+0x18+0x10:], 16) })},
		{"content-off", "help.chm: not a valid CHM help file: content offset ", set(func(b []byte) { le.PutUint64(b[0x58:], 1<<50) })},
		{"free-space", "help.chm: not a valid CHM help file: listing chunk 0: 5000 bytes of free space", set(func(b []byte) { le.PutUint32(b[chunk0+4:], 5000) })},
		{"encint", "help.chm: not a valid CHM help file: listing chunk 0: bad number in a directory entry", set(func(b []byte) {
			copy(b[chunk0+chmChunkHeader:], bytes.Repeat([]byte{0xff}, 12))
		})},
		{"name-long", "not a valid CHM help file: listing chunk 0: directory entry name of 2000 bytes", extra(chmRawEntry{name: strings.Repeat("x", 2000)})},
		{"section2", "help.chm!x.htm: CHM file in section 2 (there are 2), not read", extra(chmRawEntry{"/x.htm", 2, 0, 1})},
		{"past-end0", "help.chm!x.htm: CHM file of 10 bytes at 1099511627776, past the end of the file, not read", extra(chmRawEntry{"/x.htm", 0, 1 << 40, 10})},
		{"huge-end1", "help.chm: CHM compressed section (MSCompressed) not read: files up to byte 4611686018427387904, 1 declared", extra(chmRawEntry{"/x.htm", 1, 1<<62 + 5, 1<<62 + 5})},
		{"past-end1", "help.chm: CHM compressed section (MSCompressed) not read: files up to byte 1099511627786, 1 declared; 2 files in it not read", extra(chmRawEntry{"/x.htm", 1, 1 << 40, 10})},
		{"lzxc", "help.chm: CHM compressed section (MSCompressed) not read: control data without its LZXC signature; 3 files in it not read", set(func(b []byte) { b[at(chmControlName)+4] = 'X' })},
		{"window", "help.chm: CHM compressed section (MSCompressed) not read: LZX window of 98304 bytes", set(func(b []byte) { le.PutUint32(b[at(chmControlName)+16:], 3) })},
		{"reset-zero", "help.chm: CHM compressed section (MSCompressed) not read: LZX reset interval of 0 bytes", set(func(b []byte) { le.PutUint32(b[at(chmControlName)+12:], 0) })},
		{"namelist", `help.chm: CHM compressed section (MSCompressed) not read: section 1 is "MSCompresseX", not MSCompressed`, set(func(b []byte) { b[at(chmNameListName)+4+28+2+2*11] = 'X' })},
		{"table-entry", "help.chm: CHM compressed section (MSCompressed) not read: reset table entry 2: offset ", set(func(b []byte) { le.PutUint64(b[at(chmResetName)+40+16:], 1<<40) })},
		{"table-count", "help.chm: CHM compressed section (MSCompressed) not read: reset table of 1000 entries at 40", set(func(b []byte) { le.PutUint32(b[at(chmResetName)+4:], 1000) })},
		{"table-short", "help.chm: CHM compressed section (MSCompressed) not read: reset table of 1 entries, 5 frames to decode", set(func(b []byte) { le.PutUint32(b[at(chmResetName)+4:], 1) })},
		{"no-content", "help.chm: CHM compressed section (MSCompressed) not read: no ::DataSpace/Storage/MSCompressed/Content", set(func(b []byte) {
			i := bytes.Index(b, []byte(chmContentName))
			b[i+len(chmContentName)-1] = 'X'
		})},
		{"lzx-data", "help.chm: CHM compressed section (MSCompressed) unreadable: LZX frame 0: block of type 7", set(func(b []byte) { b[at(chmContentName)+1] = 0x70 })},
		{"lzx-later", "help.chm: CHM compressed section (MSCompressed) unreadable: LZX frame 2: ", set(func(b []byte) {
			p := at(chmContentName) + int(le.Uint64(b[at(chmResetName)+40+16:]))
			clear(b[p : p+64])
		})},
	}
}

func TestCHMCorrupt(t *testing.T) {
	for _, c := range chmCorruptions(t) {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, "help.chm", c.data, Limits{})
			if len(rep.Gaps) == 0 {
				t.Fatalf("no gap: %q", rep.Warnings)
			}
			wantWarning(t, rep, c.warning)
			if f := find(files, "help.chm"); f == nil || f.Nil {
				t.Errorf("help.chm not visited as a file: %q", locations(files))
			}
		})
	}
	// Every truncation, and every byte flipped of the header, directory
	// and section 1's tables: gaps or the data, never a panic.
	good := kavCHM(t, chmOpts{lzx: lzxEncOpts{window: 15}})
	for i := 0; i < len(good); i += 1 + i/64 {
		_, rep := walkMem(t, "help.chm", good[:i], Limits{})
		if i > 12 && len(rep.Gaps) == 0 {
			t.Fatalf("cut at %d: no gap", i)
		}
		if hasWarning(rep, "panicked") {
			t.Fatalf("cut at %d: %q", i, rep.Warnings)
		}
	}
	for i := 0; i < 0x78+0x54+200; i++ {
		b := bytes.Clone(good)
		b[i] ^= 0x5a
		if _, rep := walkMem(t, "help.chm", b, Limits{}); hasWarning(rep, "panicked") {
			t.Fatalf("byte %d flipped: %q", i, rep.Warnings)
		}
	}
}

func TestCHMBombs(t *testing.T) {
	bomb := chmOf(t, chmOpts{lzx: lzxEncOpts{window: 21}, reset: 64},
		chmTestFile{name: "/blank.img", data: make([]byte, bombSize), section: 1},
		chmTestFile{name: "/inner/libkavcore.so", data: []byte(kavMarker), section: 1})
	testContainerBomb(t, "bomb.chm", "help file", bomb)
}

// TestLZXReset: after a reset, the decoder reads a new stream (its E8
// header, trees from zero lengths, repeated offsets of 1) in the same
// window; a reset inside a block is an error.
func TestLZXReset(t *testing.T) {
	a, b := lzxTestData(70000), lzxTestData(50000)[7:]
	fa, sa := lzxEncode(a, lzxEncOpts{window: 16, types: []int{lzxVerbatim, lzxUncompressed}, block: 40000})
	fb, sb := lzxEncode(b, lzxEncOpts{window: 16, types: []int{lzxAligned}, e8: 1 << 20})
	d, err := newLZX(16)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	for i, f := range fa {
		out, err := d.frame(f, sa[i])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out...)
	}
	if err := d.reset(); err != nil {
		t.Fatal(err)
	}
	for i, f := range fb {
		out, err := d.frame(f, sb[i])
		if err != nil {
			t.Fatalf("after the reset, frame %d: %v", i, err)
		}
		got = append(got, out...)
	}
	if !bytes.Equal(got, append(bytes.Clone(a), b...)) {
		t.Errorf("decoded %d bytes, not the %d encoded", len(got), len(a)+len(b))
	}
	// One block over two frames: a reset between them is an error.
	f1, s1 := lzxEncode(a, lzxEncOpts{window: 16, types: []int{lzxVerbatim}})
	d, _ = newLZX(16)
	if _, err := d.frame(f1[0], s1[0]); err != nil {
		t.Fatal(err)
	}
	if err := d.reset(); err == nil || !strings.Contains(err.Error(), "across a reset") {
		t.Errorf("reset inside a block: %v", err)
	}
}

// FuzzCHM reads any bytes as a CHM file: its directory, and section 1
// decoded (a few MiB at most); the whole walk of it, too.
func FuzzCHM(f *testing.F) {
	small := func(o chmOpts) []byte {
		return chmOf(f, o,
			chmTestFile{name: "/#SYSTEM", data: []byte("title")},
			chmTestFile{name: "/a.htm", data: lzxTestData(3000), section: 1},
			chmTestFile{name: "/inner/libkavcore.so", data: []byte(kavMarker), section: 1})
	}
	f.Add(small(chmOpts{}))
	f.Add(small(chmOpts{lzx: lzxEncOpts{window: 15, types: []int{lzxAligned, lzxUncompressed}, block: 1001}, reset: 1, version: 1}))
	f.Add(chmOf(f, chmOpts{}, chmTestFile{name: "/a.htm", data: []byte("stored")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ra := bytes.NewReader(b)
		if d, err := readCHMDir(ra, int64(len(b)), 1000); err == nil {
			var end int64
			for _, e := range d.files {
				if e.section == 1 {
					end = max(end, min(e.off, 1<<61)+min(e.size, 1<<61))
				}
			}
			if s, err := d.readSection1(ra, end, 1<<20); err == nil {
				io.Copy(io.Discard, io.LimitReader(&chmReader{ra: ra, s: s}, 4<<20))
			}
		}
		_, rep := walkMem(t, "x.chm", b, Limits{MaxFiles: 1000, MaxFileBytes: 1 << 20, MaxTotalBytes: 8 << 20})
		if hasWarning(rep, "panicked") {
			t.Fatalf("%q", rep.Warnings)
		}
	})
}

// TestCHMHiddenEntries: an entry in the "::" namespace that is not part
// of the compressed section's structure, and a "directory" with bytes,
// are walked as files: content hidden where help viewers do not look is
// still read.
func TestCHMHiddenEntries(t *testing.T) {
	data := chmOf(t, chmOpts{lzx: lzxEncOpts{window: 16}, reset: 2},
		chmTestFile{name: "/readme.htm", data: []byte("<p>help</p>"), section: 1},
		chmTestFile{name: "::payload.so", data: []byte(kavMarker), section: 1})
	files, rep := walkMem(t, "h.chm", data, Limits{})
	if f := find(files, "h.chm!::payload.so"); f == nil || f.Data != kavMarker {
		t.Errorf("hidden stream not read: %q %q", locations(files), rep.Warnings)
	}
}
