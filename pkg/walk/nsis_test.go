package walk

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/ulikunitz/xz/lzma"
)

// nsisOpts says how makeNSIS writes an installer.
type nsisOpts struct {
	method string // "zlib", "lzma", "lzma-noeos" (no end marker), "lzma-filter" (a filter flag byte of 0), "stored"
	solid  bool
	ansi   bool // the install header's strings in ANSI (NSIS 3 codes); else UTF-16
}

// makeNSIS writes an NSIS installer as makensis lays it out: a PE stub,
// the first header, and the install header and data blocks, compressed
// as o says. Each file is extracted by a File instruction to
// $INSTDIR\kav, except those named with a leading "#": they are data
// blocks no instruction names.
func makeNSIS(t testing.TB, o nsisOpts, files ...entry) []byte {
	t.Helper()
	// The blocks, and their offsets after the install header's: in the
	// decompressed stream when solid, else in the data.
	var blocks [][]byte
	var offs []int64
	var off int64
	for _, f := range files {
		b := f.Data
		if !o.solid && !strings.HasPrefix(f.Name, "#") { // "#" blocks stored
			b = nsisCompress(t, o.method, b)
		}
		offs = append(offs, off)
		blocks = append(blocks, b)
		off += 4 + int64(len(b))
	}
	// The strings: "" at 0, then $INSTDIR\kav and the names.
	var str []uint16
	var sb []byte
	addStr := func(s string, instdir bool) int32 {
		if o.ansi {
			at := int32(len(sb))
			if instdir {
				sb = append(sb, 3, 0x95, 0x80)
			}
			sb = append(append(sb, s...), 0)
			return at
		}
		at := int32(len(str))
		if instdir {
			str = append(str, 3, 0x8095)
		}
		str = append(append(str, utf16.Encode([]rune(s))...), 0)
		return at
	}
	addStr("", false)
	outdir := addStr(`\kav`, true)
	var ents []int32
	ents = append(ents, 11, outdir, 1, 0, 0, 0, 0) // SetOutPath $INSTDIR\kav
	for i, f := range files {
		if strings.HasPrefix(f.Name, "#") {
			continue
		}
		ents = append(ents, 20, 0x5000090, addStr(f.Name, false), int32(offs[i]), 0, 0, 0)
	}
	ents = append(ents, 1, 0, 0, 0, 0, 0, 0) // Return
	strBytes := sb
	if !o.ansi {
		strBytes = nil
		for _, c := range str {
			strBytes = binary.LittleEndian.AppendUint16(strBytes, c)
		}
	}
	const entOff = 300
	hdr := make([]byte, entOff)
	binary.LittleEndian.PutUint32(hdr[4+8*2:], entOff)
	binary.LittleEndian.PutUint32(hdr[8+8*2:], uint32(len(ents)/7))
	strOff := entOff + 4*len(ents)
	binary.LittleEndian.PutUint32(hdr[4+8*3:], uint32(strOff))
	binary.LittleEndian.PutUint32(hdr[4+8*4:], uint32(strOff+len(strBytes)))
	hdr = binary.LittleEndian.AppendUint32(hdr, 0)[:entOff]
	for _, e := range ents {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(e))
	}
	hdr = append(hdr, strBytes...)
	hdr = append(hdr, make([]byte, 64)...) // a language table

	var data []byte
	if o.solid {
		var plain []byte
		for _, b := range append([][]byte{hdr}, blocks...) {
			plain = binary.LittleEndian.AppendUint32(plain, uint32(len(b)))
			plain = append(plain, b...)
		}
		data = nsisCompress(t, o.method, plain)
	} else {
		for i, c := range append([][]byte{nsisCompress(t, o.method, hdr)}, blocks...) {
			l := uint32(len(c))
			if o.method != "stored" && (i == 0 || !strings.HasPrefix(files[i-1].Name, "#")) {
				l |= nsisBit31
			}
			data = binary.LittleEndian.AppendUint32(data, l)
			data = append(data, c...)
		}
	}
	return makeNSISPE(nsisFirstHeader(len(hdr), data))
}

// makeNSISPE returns a PE file of the overlay nsisFirstHeader returns,
// its CRC-32 set.
func makeNSISPE(overlay []byte) []byte { return nsisSetCRC(makePE(overlay)) }

// nsisSetCRC sets the CRC-32 at the end of the NSIS installer pe.
func nsisSetCRC(pe []byte) []byte {
	binary.LittleEndian.PutUint32(pe[len(pe)-4:], crc32.ChecksumIEEE(pe[nsisCRCStart:len(pe)-4]))
	return pe
}

// nsisFirstHeader returns the first header, data and a CRC-32 to be set.
func nsisFirstHeader(hlen int, data []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0)
	b = append(b, nsisMarker...)
	b = binary.LittleEndian.AppendUint32(b, uint32(hlen))
	b = binary.LittleEndian.AppendUint32(b, uint32(nsisFirstLen+len(data)+4))
	b = append(b, data...)
	return append(b, 0, 0, 0, 0)
}

// nsisCompress compresses b as NSIS does with method.
func nsisCompress(t testing.TB, method string, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	switch method {
	case "stored":
		return b
	case "zlib":
		fw, _ := flate.NewWriter(&out, flate.BestCompression)
		fw.Write(b)
		fw.Close()
		return out.Bytes()
	}
	cfg := lzma.WriterConfig{DictCap: 1 << 20, Size: -1, EOSMarker: true}
	if method == "lzma-noeos" {
		cfg.Size, cfg.EOSMarker = int64(len(b)), false
	}
	lw, err := cfg.NewWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	lw.Write(b)
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	c := out.Bytes()
	c = append(c[:5:5], c[13:]...) // no size
	if method == "lzma-filter" {
		c = append([]byte{0}, c...)
	}
	return c
}

func nsisKav() []entry {
	return []entry{
		{Name: "readme.txt", Data: []byte("readme\n")},
		{Name: "#uninstaller", Data: bytes.Repeat([]byte("uninstall data "), 100)},
		{Name: "libkavcore.so", Data: []byte(kavMarker)},
	}
}

// TestNSIS: the marker inside NSIS installers of every compression read,
// solid and not, named by the install script, in a zip too.
func TestNSIS(t *testing.T) {
	for _, method := range []string{"zlib", "lzma", "lzma-filter", "stored"} {
		for _, solid := range []bool{false, true} {
			for _, ansi := range []bool{false, true} {
				if method == "stored" && solid {
					continue
				}
				o := nsisOpts{method, solid, ansi}
				t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
					data := makeNSIS(t, o, nsisKav()...)
					for _, outer := range []string{"", "outer.zip"} {
						root := "setup.exe"
						in := data
						if outer != "" {
							in = archivetest.Zip(t, entry{Name: "setup.exe", Data: data})
							root = outer + Separator + root
						}
						files, rep := walkMem(t, strings.SplitN(root, Separator, 2)[0], in, Limits{})
						noWarnings(t, rep)
						wantGaps(t, rep)
						// The uninstaller's block, which no File names,
						// at its offset in the data.
						data := "data@0xb"
						if !solid {
							data = fmt.Sprintf("data@0x%x", 4+len(nsisCompress(t, method, []byte("readme\n"))))
						}
						for loc, want := range map[string]string{
							"$INSTDIR/kav/libkavcore.so": kavMarker,
							"$INSTDIR/kav/readme.txt":    "readme\n",
							data:                         strings.Repeat("uninstall data ", 100),
						} {
							f := find(files, root+Separator+loc)
							if f == nil || f.Data != want || f.Depth != strings.Count(root, Separator)+1 {
								t.Errorf("%s: %+v in %q", loc, f, locations(files))
							}
						}
						if h := find(files, root+Separator+"[header]"); h == nil || !strings.Contains(h.Data, "libkavcore.so") && !strings.Contains(h.Data, "l\x00i\x00b\x00k\x00a\x00v") {
							t.Errorf("header: %+v", h)
						}
						if len(files) != 5+strings.Count(root, Separator) {
							t.Errorf("locations %q", locations(files))
						}
					}
				})
			}
		}
	}
}

// TestNSISMakensis validates the reader on installers made by makensis,
// when it is installed (Debian package nsis), against the names 7z lists.
func TestNSISMakensis(t *testing.T) {
	makensis, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis not installed (Debian package nsis): real NSIS installers not tested")
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "inner"), 0o755)
	os.WriteFile(filepath.Join(dir, "inner", "libkavcore.so"), []byte(kavMarker), 0o644)
	os.WriteFile(filepath.Join(dir, "inner", "readme.txt"), bytes.Repeat([]byte("readme line\n"), 300), 0o644)
	for _, comp := range []string{"zlib", "lzma", "bzip2"} {
		for _, solid := range []string{"", "/SOLID"} {
			for _, unicode := range []string{"true", "false"} {
				name := fmt.Sprintf("%s%s-%s.exe", comp, strings.ToLower(strings.TrimPrefix(solid, "/")), unicode)
				t.Run(name, func(t *testing.T) {
					crc := map[string]string{"true": "on", "false": "off"}[unicode] // off: no CRC-32 written
					script := fmt.Sprintf(`Unicode %s
CRCCheck %s
SetCompressor %s %s
Name "Northwind Shield"
OutFile "%s"
InstallDir "$PROGRAMFILES\Kaspersky Lab\Northwind"
RequestExecutionLevel user
Section
  SetOutPath "$INSTDIR\kav"
  File inner\libkavcore.so
  File inner\readme.txt
  WriteUninstaller "$INSTDIR\uninst.exe"
SectionEnd
Section Uninstall
  Delete "$INSTDIR\kav\libkavcore.so"
SectionEnd
`, unicode, crc, solid, comp, name)
					nsi := filepath.Join(dir, name+".nsi")
					os.WriteFile(nsi, []byte(script), 0o644)
					cmd := exec.Command(makensis, "-V1", nsi)
					cmd.Dir = dir
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("makensis: %v\n%s", err, out)
					}
					data, err := os.ReadFile(filepath.Join(dir, name))
					if err != nil {
						t.Fatal(err)
					}
					files, rep := walkMem(t, name, data, Limits{})
					if comp == "bzip2" {
						if rep.GapCount == 0 {
							t.Error("no gap")
						}
						for _, g := range rep.Gaps {
							if !strings.Contains(g.Reason, "NSIS's bzip2 variant") {
								t.Errorf("gap %+v", g)
							}
						}
						return
					}
					noWarnings(t, rep)
					wantGaps(t, rep)
					if f := find(files, name+"!$INSTDIR/kav/libkavcore.so"); f == nil || f.Data != kavMarker {
						t.Errorf("marker: %+v in %q", f, locations(files))
					}
					if f := find(files, name+"!$INSTDIR/kav/readme.txt"); f == nil || len(f.Data) != 3600 {
						t.Errorf("readme: %+v", f)
					}
					if f := find(files, name+"![header]"); f == nil || f.Size == 0 {
						t.Errorf("header: %+v", f)
					}
				})
			}
		}
	}
}

func TestNSISDepth(t *testing.T) {
	data := makeNSIS(t, nsisOpts{method: "lzma", solid: true}, nsisKav()...)
	files, rep := walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: "setup.exe", Data: data}), Limits{MaxDepth: 1})
	if len(files) != 2 {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "archive-depth")
	wantWarning(t, rep, "outer.zip!setup.exe: NSIS installer archive nested deeper than 1 levels (limit archive-depth), not opened")
}

func TestNSISCorrupt(t *testing.T) {
	kav := nsisKav()
	zlibPlain := makeNSIS(t, nsisOpts{method: "zlib"}, kav...)
	lzmaSolid := makeNSIS(t, nsisOpts{method: "lzma", solid: true}, kav...)
	zlibSolid := makeNSIS(t, nsisOpts{method: "zlib", solid: true}, kav...)
	const fh = 1024 // the first header, after makePE's stub
	// The last block (the marker's): its first deflate block of the
	// reserved type 3.
	flipped := bytes.Clone(zlibPlain)
	flipped[len(flipped)-4-len(nsisCompress(t, "zlib", []byte(kavMarker)))] = 7
	crc := bytes.Clone(zlibPlain)
	crc[len(crc)-1] ^= 1
	bzip2 := bytes.Clone(zlibSolid)
	bzip2[fh+nsisFirstLen] = 0x31
	bzip2[fh+nsisFirstLen+1] = 0x00
	bzip2Plain := bytes.Clone(zlibPlain)
	bzip2Plain[fh+nsisFirstLen+4] = 0x31
	bzip2Plain[fh+nsisFirstLen+5] = 0x00
	noEOS := makeNSIS(t, nsisOpts{method: "lzma-noeos", solid: true}, kav...)
	bcj := makeNSIS(t, nsisOpts{method: "lzma-filter", solid: true}, kav...)
	bcj[fh+nsisFirstLen] = 1
	bigDict := bytes.Clone(lzmaSolid)
	binary.LittleEndian.PutUint32(bigDict[fh+nsisFirstLen+1:], 1<<30)
	short := bytes.Clone(zlibPlain)
	binary.LittleEndian.PutUint32(short[fh+24:], 10)
	// Header entries pointing anywhere: the blocks are named by offset.
	badHeader := makeNSIS(t, nsisOpts{method: "stored"}, kav...)
	binary.LittleEndian.PutUint32(badHeader[fh+nsisFirstLen+4+4+8*2:], 1<<30)
	for _, b := range [][]byte{flipped, bzip2, bzip2Plain, bcj, bigDict, badHeader} {
		nsisSetCRC(b)
	}
	for _, c := range []struct {
		name     string
		data     []byte
		warnings []string
	}{
		{"truncated.exe", zlibPlain[:len(zlibPlain)-30], []string{
			"truncated.exe: NSIS installer truncated: its data end at ",
			"truncated.exe!$INSTDIR/kav/libkavcore.so: NSIS block of ",
		}},
		{"truncated-solid.exe", lzmaSolid[:len(lzmaSolid)-30], []string{
			"truncated-solid.exe: NSIS installer truncated",
			"truncated-solid.exe: NSIS solid data unreadable after ",
		}},
		{"truncated-zlib-solid.exe", zlibSolid[:fh+nsisFirstLen+40], []string{
			"truncated-zlib-solid.exe: NSIS installer truncated",
			"truncated-zlib-solid.exe: NSIS solid data unreadable after 0 bytes (unexpected EOF), the rest not read",
		}},
		// An LZMA stream with no end marker: the reader does not give the
		// bytes it decoded before the compressed ones ran out.
		{"noeos.exe", noEOS, []string{"noeos.exe: NSIS solid data unreadable after 0 bytes (unexpected EOF), the rest not read"}},
		{"crc.exe", crc, []string{"crc.exe: NSIS installer fails its CRC-32 ("}},
		{"flipped.exe", flipped, []string{"flipped.exe!$INSTDIR/kav/libkavcore.so: read error: flate: corrupt input"}},
		{"bzip2.exe", bzip2, []string{"bzip2.exe: NSIS solid data not read: compressed with NSIS's bzip2 variant (no reader for it)"}},
		{"bzip2-plain.exe", bzip2Plain, []string{
			"bzip2-plain.exe![header]: NSIS block not read: compressed with NSIS's bzip2 variant (no reader for it)",
			"bzip2-plain.exe!data@0x0: NSIS block not read",
			fmt.Sprintf("bzip2-plain.exe!data@0x%x: NSIS block not read", 4+len(nsisCompress(t, "zlib", []byte("readme\n")))+4+1500),
		}},
		{"bcj.exe", bcj, []string{"bcj.exe: NSIS solid data not read: LZMA with the x86 BCJ filter (no reader for it)"}},
		{"dict.exe", bigDict, []string{"dict.exe: NSIS solid data not read: LZMA dictionary of 1024 MiB, over the 256 MiB allowed"}},
		{"short.exe", short, []string{"short.exe: not a valid NSIS installer: data length 10 too short, payload not read"}},
		{"empty.exe", makeNSISPE(nsisFirstHeader(100, nil)), []string{"empty.exe: not a valid NSIS installer: data length 32 too short, payload not read"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			if files[0].Location != c.name || files[0].Data != string(c.data) {
				t.Errorf("locations %q", locations(files))
			}
			wantGapWarnings(t, rep, c.warnings)
			for _, f := range files {
				// A CRC-32 that does not match: the blocks are read as
				// they are, and the installer is a gap.
				if strings.Contains(f.Data, "Kaspersky") && f.Location != c.name && c.name != "crc.exe" {
					t.Errorf("corrupt installer read whole: %s", f.Location)
				}
			}
		})
	}
	// A header declared of 200 MiB, its block of a few bytes: read as
	// its bytes come, not allocated whole.
	huge := bytes.Clone(zlibPlain)
	binary.LittleEndian.PutUint32(huge[fh+20:], 200<<20)
	nsisSetCRC(huge)
	var rep Report
	if n := allocated(func() { _, rep = walkMem(t, "huge.exe", huge, Limits{}) }); n > memBound {
		t.Errorf("allocated %d MiB", n>>20)
	}
	wantGapWarnings(t, rep, []string{"huge.exe![header]: read error: unexpected EOF, contents not read"})
	// A header whose script does not parse: the blocks named by offset,
	// and no gap.
	files, rep := walkMem(t, "header.exe", badHeader, Limits{})
	noWarnings(t, rep)
	if f := find(files, "header.exe!data@0x5eb"); f == nil || f.Data != kavMarker {
		t.Errorf("%q", locations(files))
	}
}

func TestNSISBombs(t *testing.T) {
	raw, _, _ := deflateZeros(nil, bombSize, nil)
	kav := nsisCompress(t, "zlib", []byte(kavMarker))
	hdr := make([]byte, 100)
	// Non-solid: the header, the bomb, the marker.
	var plain []byte
	for _, b := range [][]byte{nsisCompress(t, "zlib", hdr), raw, kav} {
		plain = binary.LittleEndian.AppendUint32(plain, uint32(len(b))|nsisBit31)
		plain = append(plain, b...)
	}
	// Solid: the same, in one stream.
	var stream bytes.Buffer
	fw, _ := flate.NewWriter(&stream, flate.BestSpeed)
	fw.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(hdr))))
	fw.Write(hdr)
	fw.Write(binary.LittleEndian.AppendUint32(nil, bombSize))
	zero := make([]byte, 1<<20)
	for range bombSize >> 20 {
		fw.Write(zero)
	}
	fw.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(kavMarker))))
	fw.Write([]byte(kavMarker))
	fw.Close()
	noRatio := int64(math.MaxInt64)
	for _, solid := range []bool{false, true} {
		data := makeNSISPE(nsisFirstHeader(len(hdr), plain))
		if solid {
			data = makeNSISPE(nsisFirstHeader(len(hdr), stream.Bytes()))
		}
		for _, c := range []struct {
			lim     Limits
			skipped string
			marker  bool
			gaps    []string
			warning string
		}{
			{Limits{MaxRatio: 100}, "decompression ratio over 100:1", false, []string{"ratio"}, "bomb.exe: decompression ratio over 100:1 (limit ratio), rest of the installer skipped"},
			{Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio}, "larger than 8 MiB", true, []string{"file-bytes"}, "bomb.exe!data@0x0: larger than 8 MiB (limit file-bytes), contents not read"},
			{Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio, MaxTotalBytes: 50 << 20}, "larger than 8 MiB", false, []string{"file-bytes", "total-bytes"}, "bomb.exe: walk truncated after 50 MiB read out of archives (limit total-bytes)"},
		} {
			if !solid && c.lim.MaxTotalBytes != 0 {
				// A block over file-bytes is not decompressed: below.
				continue
			}
			t.Run(fmt.Sprint(solid, c.gaps), func(t *testing.T) {
				var files []seen
				var rep Report
				n := allocated(func() { files, rep = walkMem(t, "bomb.exe", data, c.lim) })
				if n > memBound {
					t.Errorf("allocated %d MiB", n>>20)
				}
				f := find(files, "bomb.exe!data@0x0")
				if f == nil || !f.Nil || f.Skipped != c.skipped {
					t.Errorf("data@0x0: %+v in %q", f, locations(files))
				}
				m := find(files, fmt.Sprintf("bomb.exe!data@0x%x", 4+map[bool]int{false: len(raw), true: bombSize}[solid]))
				if c.marker != (m != nil && m.Data == kavMarker) {
					t.Errorf("marker visited %v, want %v: %q", m, c.marker, locations(files))
				}
				wantWarning(t, rep, c.warning)
				wantGaps(t, rep, c.gaps...)
			})
		}
	}
	// Non-solid LZMA blocks that each declare a dictionary of 256 MiB:
	// not allocated for blocks of a few bytes.
	var es []entry
	for i := range 20 {
		es = append(es, entry{Name: fmt.Sprintf("f%d.txt", i), Data: []byte(kavMarker)})
	}
	dicts := makeNSIS(t, nsisOpts{method: "lzma"}, es...)
	for pos := 1024 + nsisFirstLen; pos+4 <= len(dicts)-4; {
		l := int(binary.LittleEndian.Uint32(dicts[pos:]) &^ nsisBit31)
		binary.LittleEndian.PutUint32(dicts[pos+5:], maxXzDict)
		pos += 4 + l
	}
	nsisSetCRC(dicts)
	var files []seen
	var rep Report
	if n := allocated(func() { files, rep = walkMem(t, "dicts.exe", dicts, Limits{}) }); n > memBound {
		t.Errorf("allocated %d MiB", n>>20)
	}
	noWarnings(t, rep)
	if f := find(files, "dicts.exe!$INSTDIR/kav/f19.txt"); f == nil || f.Data != kavMarker {
		t.Errorf("%q", locations(files))
	}
	// More blocks than the files limit: a non-solid installer, whose
	// blocks are counted first, is not opened; in a solid one, the walk
	// stops at the limit.
	for _, solid := range []bool{false, true} {
		data := makeNSIS(t, nsisOpts{method: "zlib", solid: solid}, nsisKav()...)
		files, rep := walkMem(t, "setup.exe", data, Limits{MaxFiles: 3})
		want := "setup.exe: NSIS installer of more than 3 blocks (limit files), payload not read"
		n := 1
		if solid {
			want, n = "setup.exe!data@0xb: walk truncated at 3 files (limit files)", 3
		}
		if len(files) != n {
			t.Errorf("%q", locations(files))
		}
		wantGaps(t, rep, "files")
		wantWarning(t, rep, want)
	}
	// total-bytes in a non-solid installer, whose blocks over file-bytes
	// are not decompressed: ten blocks of 6 MiB.
	six, _, _ := deflateZeros(nil, 6<<20, nil)
	plain = nil
	for _, b := range append([][]byte{nsisCompress(t, "zlib", hdr)}, six, six, six, six, six, six, six, six, six, six, kav) {
		plain = binary.LittleEndian.AppendUint32(plain, uint32(len(b))|nsisBit31)
		plain = append(plain, b...)
	}
	files, rep = walkMem(t, "bomb.exe", makeNSISPE(nsisFirstHeader(len(hdr), plain)), Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio, MaxTotalBytes: 50 << 20})
	if len(files) != 10 {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "total-bytes")
	wantWarning(t, rep, "bomb.exe: walk truncated after 50 MiB read out of archives (limit total-bytes)")
}

// FuzzNSIS walks any bytes as the overlay of an NSIS installer (after
// makePE's stub), and reads them as an install header's script too.
func FuzzNSIS(f *testing.F) {
	small := []entry{{Name: "a.txt", Data: []byte("a")}, {Name: "#b", Data: []byte("bb")}}
	for _, o := range []nsisOpts{
		{method: "zlib"}, {method: "zlib", solid: true}, {method: "lzma"}, {method: "lzma", solid: true},
		{method: "lzma-noeos", solid: true}, {method: "stored"}, {method: "stored", ansi: true},
	} {
		overlay := makeNSIS(f, o, small...)[1024:]
		f.Add(overlay)
		if o.method == "stored" { // the install header alone
			f.Add(overlay[nsisFirstLen+4:])
		}
	}
	lim := Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 16 << 20, MaxFiles: 100, MaxDepth: 4}
	f.Fuzz(func(t *testing.T, overlay []byte) {
		nsisNames(overlay)
		if _, err := WalkBytes(context.Background(), "fuzz.exe", makePE(overlay), lim, func(*File) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestNSISDetect: the layout told from the first bytes of the data.
func TestNSISDetect(t *testing.T) {
	const hlen = 4336
	for _, c := range []struct {
		name         string
		b            []byte
		solidDeflate bool
		want         nsisLayout
	}{
		// An 8 MiB dictionary: its bytes 0-3 read as a compressed block of
		// 0x5d bytes.
		{"solid LZMA", []byte{0x5d, 0, 0, 0x80, 0, 0, 0x12, 0x34}, false, nsisLayout{method: nsisLZMA, solid: true}},
		{"solid LZMA, filter flag", []byte{0, 0x5d, 0, 0, 0x80, 0, 0, 0x12}, false, nsisLayout{method: nsisLZMA, solid: true}},
		{"LZMA", []byte{0xf8, 2, 0, 0x80, 0x5d, 0, 0, 0x80, 0, 0, 0x12}, false, nsisLayout{method: nsisLZMA}},
		{"LZMA, a block of 0x5d bytes", []byte{0x5d, 0, 0, 0x80, 0x5d, 0, 0, 0x80, 0, 0, 0x12}, false, nsisLayout{method: nsisLZMA}},
		{"solid bzip2", []byte{0x31, 0, 0x17, 0xc7, 0xff}, false, nsisLayout{method: nsisBzip2, solid: true}},
		{"bzip2", []byte{0x40, 3, 0, 0x80, 0x31, 0, 7, 0x11}, false, nsisLayout{method: nsisBzip2}},
		{"zlib", []byte{0x58, 3, 0, 0x80, 0xed, 0x56}, false, nsisLayout{method: nsisDeflate}},
		{"solid zlib that looks like a block", []byte{0x58, 3, 0, 0x80, 0xed, 0x56}, true, nsisLayout{method: nsisDeflate, solid: true}},
		{"solid zlib", []byte{0xed, 0x59, 0x79, 0x20, 0x54}, false, nsisLayout{method: nsisDeflate, solid: true}},
		{"stored", binary.LittleEndian.AppendUint32(nil, hlen), false, nsisLayout{stored: true}},
		{"a block past the end", []byte{0xff, 0xff, 0xff, 0xff, 0x5d, 0, 0, 0x80, 0, 0, 0x12}, false, nsisLayout{method: nsisDeflate, solid: true}},
	} {
		b := append(c.b, make([]byte, 16)...)[:16]
		if got := nsisDetect(b, 100000, hlen, func() bool { return c.solidDeflate }); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestNSISStrings: the codes of the install header's strings, in UTF-16
// and in the ANSI codes of NSIS 3 and NSIS 2.
func TestNSISStrings(t *testing.T) {
	u16 := func(c ...uint16) []byte {
		var b []byte
		for _, x := range c {
			b = binary.LittleEndian.AppendUint16(b, x)
		}
		return b
	}
	reg := []byte("\x00ProgramFilesDir\x00")
	regU := u16(0, 'P', 'r', 'o', 'g', 'r', 'a', 'm', 'F', 'i', 'l', 'e', 's', 'D', 'i', 'r', 0)
	for _, c := range []struct {
		name string
		s    nsisStrings
		off  int64
		want string
	}{
		{"unicode", nsisStrings{b: append(regU, u16(2, 0x2081, '\\', 'K', 3, 0x8095, 4, 3, 'x', 1, 0x8081, 2, 0x2626, 3, 0x8180, 0)...), unicode: true}, 17, `$PROGRAMFILES\K$INSTDIR` + "\x03x$(LSTR_1)$PROGRAMFILES$_96_"},
		{"ANSI 3", nsisStrings{b: append(reg, 2, 0x81, 0x20, '\\', 'K', 3, 0x95, 0x80, 4, 3, 'x', 0xe9, 0)}, 17, `$PROGRAMFILES\K$INSTDIR` + "\x03x\u00e9"},
		{"ANSI 2", nsisStrings{b: append(reg, 0xfe, 0x81, 0x20, '\\', 'K', 0xfd, 0x95, 0x80, 0xfc, 0xfd, 'x', 0), v2: true}, 17, `$PROGRAMFILES\K$INSTDIR` + "\u00fdx"},
	} {
		got, ok := c.s.get(c.off)
		if !ok || got != c.want {
			t.Errorf("%s: %q %v, want %q", c.name, got, ok, c.want)
		}
		if _, ok := c.s.get(int64(len(c.s.b))); ok {
			t.Errorf("%s: a string past the end", c.name)
		}
	}
	// Detection of the encoding.
	for _, c := range []struct {
		b           []byte
		unicode, v2 bool
	}{
		{append(regU, u16(3, 0x8095, 0)...), true, false},
		{append(reg, 3, 0x95, 0x80, 0), false, false},
		{append(reg, 0xfd, 0x95, 0x80, 0), false, true},
	} {
		s := nsisStrings{b: c.b}
		s.detect()
		if s.unicode != c.unicode || s.v2 != c.v2 {
			t.Errorf("%q: unicode %v, v2 %v", c.b, s.unicode, s.v2)
		}
	}
}
