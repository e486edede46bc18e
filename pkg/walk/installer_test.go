package walk

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// kav.cab, stored.cab and kav.msi are fixtures made with gcab and wixl
// (see testdata/README.md); makeCab writes others here.

// makeCab writes a cabinet of one folder holding files, stored or
// compressed with MSZIP (no checksums: a zero checksum is none).
func makeCab(t testing.TB, mszip bool, files ...entry) []byte {
	t.Helper()
	var stream []byte
	var tab bytes.Buffer
	for _, f := range files {
		binary.Write(&tab, binary.LittleEndian, []uint32{uint32(len(f.Data)), uint32(len(stream))})
		binary.Write(&tab, binary.LittleEndian, []uint16{0, 0x5a87, 0x03a4, 0x20})
		tab.WriteString(f.Name + "\x00")
		stream = append(stream, f.Data...)
	}
	var data bytes.Buffer
	blocks := 0
	var win []byte
	for off := 0; off < len(stream) || blocks == 0; off += cabBlockMax {
		blk := stream[off:min(off+cabBlockMax, len(stream))]
		payload := blk
		if mszip {
			var b bytes.Buffer
			b.WriteString("CK")
			fw, err := flate.NewWriterDict(&b, flate.DefaultCompression, win)
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(blk)
			fw.Close()
			payload = b.Bytes()
			win = append(win, blk...)
			win = win[max(len(win)-cabBlockMax, 0):]
		}
		binary.Write(&data, binary.LittleEndian, uint32(0))
		binary.Write(&data, binary.LittleEndian, []uint16{uint16(len(payload)), uint16(len(blk))})
		data.Write(payload)
		blocks++
		if len(stream) == 0 {
			break
		}
	}
	comp := uint16(0)
	if mszip {
		comp = 1
	}
	filesOff := cabHeaderLen + 8
	dataOff := filesOff + tab.Len()
	var b bytes.Buffer
	b.WriteString("MSCF")
	binary.Write(&b, binary.LittleEndian, []uint32{0, uint32(dataOff + data.Len()), 0, uint32(filesOff), 0})
	b.Write([]byte{3, 1})
	binary.Write(&b, binary.LittleEndian, []uint16{1, uint16(len(files)), 0, 0, 0})
	binary.Write(&b, binary.LittleEndian, uint32(dataOff))
	binary.Write(&b, binary.LittleEndian, []uint16{uint16(blocks), comp})
	b.Write(tab.Bytes())
	b.Write(data.Bytes())
	return b.Bytes()
}

// makePE returns a minimal PE file, one section of 512 bytes, and then
// overlay.
func makePE(overlay []byte) []byte {
	b := make([]byte, 1024)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[60:], 64)
	copy(b[64:], "PE\x00\x00")
	binary.LittleEndian.PutUint16(b[68:], 0x14c)
	binary.LittleEndian.PutUint16(b[70:], 1) // sections
	copy(b[88:], ".text")
	binary.LittleEndian.PutUint32(b[88+16:], 512) // raw size
	binary.LittleEndian.PutUint32(b[88+20:], 512) // raw offset
	copy(b[512:], "stub code")
	return append(b, overlay...)
}

// kavInstallers returns, by name, an installer of each kind and the
// location of the marker inside it.
func kavInstallers(t testing.TB) map[string]string {
	return map[string]string{
		"kav.cab":         "kav.cab!inner/libkavcore.so",
		"stored.cab":      "stored.cab!inner/libkavcore.so",
		"kav.msi":         "kav.msi!kav.cab!libkavcore",
		"made.cab":        "made.cab!bin/libkavcore.so",
		"setup.exe":       "setup.exe!inner/libkavcore.so",
		"setup-7z.exe":    "setup-7z.exe!inner/libkavcore.so",
		"setup-msi.exe":   "setup-msi.exe!inner/libkavcore.so",
		"stored-many.cab": "stored-many.cab!bin/libkavcore.so",
	}
}

func installerData(t testing.TB, name string) []byte {
	kav := []byte(kavMarker)
	switch name {
	case "made.cab":
		return makeCab(t, true, entry{Name: `bin\readme.txt`, Data: []byte("readme")}, entry{Name: `bin\libkavcore.so`, Data: kav})
	case "stored-many.cab":
		return makeCab(t, false, entry{Name: "big.bin", Data: bytes.Repeat([]byte("x"), 100000)}, entry{Name: `bin\libkavcore.so`, Data: kav})
	case "setup.exe":
		return makePE(fixture(t, "kav.cab"))
	case "setup-7z.exe":
		return makePE(fixture(t, "kav.7z"))
	case "setup-msi.exe": // with a cab after some padding
		return makePE(append(make([]byte, 100), makeCab(t, true, entry{Name: `inner\libkavcore.so`, Data: kav})...))
	}
	return fixture(t, name)
}

func TestInstallers(t *testing.T) {
	for name, marker := range kavInstallers(t) {
		t.Run(name, func(t *testing.T) {
			data := installerData(t, name)
			for _, outer := range []string{"", "outer.zip"} {
				loc, root := marker, name
				if outer != "" {
					data = archivetest.Zip(t, entry{Name: name, Data: data})
					loc, root = outer+Separator+marker, outer
				}
				files, rep := walkMem(t, root, data, Limits{})
				noWarnings(t, rep)
				wantGaps(t, rep)
				f := find(files, loc)
				if f == nil || f.Data != kavMarker || f.Depth != strings.Count(loc, Separator) {
					t.Errorf("%s: marker not visited: %+v in %q", loc, f, locations(files))
				}
			}
		})
	}
	// What the installer database says of itself, as text.
	files, _ := walkMem(t, "kav.msi", fixture(t, "kav.msi"), Limits{})
	for loc, want := range map[string]string{
		"kav.msi!Property":           "Manufacturer=Northwind Security Ltd\n",
		"kav.msi!File":               "libkavcore.so\n",
		"kav.msi!_StringData":        "\nNorthwind Shield\n",
		"kav.msi!SummaryInformation": "Northwind Security Ltd",
	} {
		if f := find(files, loc); f == nil || !strings.Contains(f.Data, want) {
			t.Errorf("%s: no %q: %+v", loc, want, f)
		}
	}
	// kav.cab is over the mini stream cutoff (4096 bytes): in regular
	// sectors; its blocks' checksums pass.
	if f := find(files, "kav.msi!kav.cab"); f == nil || f.Size < 4096 {
		t.Errorf("kav.msi!kav.cab: %+v", f)
	}
	if f := find(files, "kav.msi!kav.cab!random"); f == nil || len(f.Data) != 6000 {
		t.Errorf("kav.msi!kav.cab!random: %+v", f)
	}
	if f := find(files, "kav.msi!Property"); f == nil || !strings.Contains(f.Data, "ProductName=Northwind Shield\n") || !strings.Contains(f.Data, "ProductVersion=7.2.0\n") {
		t.Errorf("Property: %+v", f)
	}
	// A compound file that is no installer (an Office document) is not
	// opened, and is no gap.
	doc := notMSI(t, fixture(t, "kav.msi"))
	files, rep := walkMem(t, "report.doc", doc, Limits{})
	if len(files) != 1 || rep.Archives != 0 {
		t.Errorf("report.doc opened: %q", locations(files))
	}
	noWarnings(t, rep)
	files, rep = walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: "report.doc", Data: doc}), Limits{MaxDepth: 1})
	if len(files) != 2 {
		t.Errorf("report.doc in a zip: %q", locations(files))
	}
	noWarnings(t, rep)
	// A PE with no overlay, or junk after it, is a plain file.
	for _, data := range [][]byte{makePE(nil), makePE([]byte("MSCF and junk, 7z\xbc\xaf\x27\x1c and junk"))} {
		files, rep := walkMem(t, "plain.exe", data, Limits{})
		noWarnings(t, rep)
		if len(files) != 1 {
			t.Errorf("plain.exe: %q", locations(files))
		}
	}
}

// notMSI turns the installer database msi into a compound file of another
// class: its root's class and its tables' names changed.
func notMSI(t testing.TB, msi []byte) []byte {
	doc := bytes.Clone(msi)
	le := func(s string) []byte {
		return binary.LittleEndian.AppendUint16(nil, utf16.Encode([]rune(s))[0])
	}
	n := bytes.Count(doc, le(string(rune(msiTable))))
	if n == 0 {
		t.Fatal("kav.msi: no table names")
	}
	doc = bytes.ReplaceAll(doc, le(string(rune(msiTable))), le("X"))
	i := bytes.Index(doc, []byte{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46})
	if i < 0 {
		t.Fatal("kav.msi: no installer class")
	}
	doc[i] = 0x99
	return doc
}

// TestInstallersDepth nests each installer one level beyond archive-depth.
func TestInstallersDepth(t *testing.T) {
	for name := range kavInstallers(t) {
		k := map[string]string{"msi": "msi", "exe": "cab", "cab": "cab"}[name[len(name)-3:]]
		if name == "setup-7z.exe" {
			k = "7z"
		}
		files, rep := walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: name, Data: installerData(t, name)}), Limits{MaxDepth: 1})
		if len(files) != 2 {
			t.Errorf("%s: %q", name, locations(files))
		}
		wantGaps(t, rep, "archive-depth")
		wantWarning(t, rep, fmt.Sprintf("outer.zip!%s: %s archive nested deeper than 1 levels (limit archive-depth), not opened", name, k))
	}
	// The cab inside the msi is one level deeper.
	files, rep := walkMem(t, "kav.msi", fixture(t, "kav.msi"), Limits{MaxDepth: 1})
	if find(files, "kav.msi!kav.cab") == nil || find(files, "kav.msi!kav.cab!libkavcore") != nil {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "archive-depth")
	wantWarning(t, rep, "kav.msi!kav.cab: cab archive nested deeper than 1 levels (limit archive-depth), not opened")
}

func TestInstallersCorrupt(t *testing.T) {
	kav := []byte(kavMarker)
	cab := fixture(t, "kav.cab")
	flipped := bytes.Clone(cab)
	flipped[len(flipped)-20] ^= 0xff // in the deflate data
	nosum := bytes.Clone(cab)        // no checksum, and a bad deflate block header
	clear(nosum[0x50:0x54])
	nosum[0x5a] ^= 0xff
	lzx := bytes.Clone(cab)
	lzx[cabHeaderLen+6], lzx[cabHeaderLen+7] = cabCompressLZX, 21 // MSZIP data read as LZX
	quantum := bytes.Clone(cab)
	quantum[cabHeaderLen+6] = cabCompressQ
	msi := fixture(t, "kav.msi")
	msiHeader := bytes.Clone(msi)
	binary.LittleEndian.PutUint32(msiHeader[44:], 1<<30) // FAT sectors
	msiDir := bytes.Clone(msi)
	binary.LittleEndian.PutUint32(msiDir[48:], 1<<20) // first directory sector
	msiFAT := bytes.Clone(msi)
	// The FAT's first sector, all of it pointing at sector 0: every chain
	// loops.
	fat := (int(binary.LittleEndian.Uint32(msi[76:])) + 1) * 512
	for i := fat; i < fat+512; i += 4 {
		binary.LittleEndian.PutUint32(msiFAT[i:], 0)
	}
	for _, c := range []struct {
		name     string
		data     []byte
		warnings []string
	}{
		{"truncated.cab", cab[:len(cab)-20], []string{"truncated.cab: not a valid cab: cabinet of 138 bytes declared, 118 present, entries not read"}},
		{"flipped.cab", flipped, []string{"flipped.cab!inner/libkavcore.so: read error: data block checksum error, contents not read"}},
		{"nosum.cab", nosum, []string{"nosum.cab!inner/libkavcore.so: read error: MSZIP: "}},
		{"lzx.cab", lzx, []string{"lzx.cab!inner/libkavcore.so: read error: LZX data block 1: block of type 4, contents not read"}},
		{"quantum.cab", quantum, []string{"quantum.cab: cab folder compressed with Quantum, not opened"}},
		{"short.cab", makeCab(t, true, entry{Name: "inner/libkavcore.so", Data: kav})[:60], []string{"short.cab: not a valid cab: "}},
		{"truncated.msi", msi[:len(msi)/2], []string{"truncated.msi: not a valid msi: "}},
		{"header.msi", msiHeader, []string{"header.msi: not a valid msi: sector counts over the file's size, streams not read"}},
		{"dir.msi", msiDir, []string{"dir.msi: not a valid msi: directory: sector 1048576 out of range in a chain, streams not read"}},
		{"fat.msi", msiFAT, []string{"fat.msi: not a valid msi: directory: chain loops, streams not read"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			if files[0].Location != c.name || files[0].Data != string(c.data) {
				t.Errorf("locations %q", locations(files))
			}
			wantGapWarnings(t, rep, c.warnings)
			for _, f := range files {
				if strings.Contains(f.Data, "Kaspersky") && f.Location != c.name {
					t.Errorf("corrupt installer read whole: %s", f.Location)
				}
			}
		})
	}
}

func TestInstallersBombs(t *testing.T) {
	zeros := make([]byte, bombSize)
	kav := entry{Name: `inner\libkavcore.so`, Data: []byte(kavMarker)}
	bomb := makeCab(t, true, entry{Name: "blank.img", Data: zeros}, kav)
	// MSZIP blocks of 32 KiB cannot pass about 1000:1.
	testContainerBomb(t, "bomb.cab", "archive", bomb)
	// A cab that declares more files than the limit is not opened.
	files, rep := walkMem(t, "made.cab", installerData(t, "made.cab"), Limits{MaxFiles: 1})
	if len(files) != 1 {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "files")
}

// testContainerBomb walks bomb, named name, a container whose entries are
// blank.img (bombSize zeros) and then inner/libkavcore.so (the marker),
// under each of the three limits a bomb meets: ratio (the rest of the
// container skipped; archive is what the warning calls it), file-bytes
// (blank.img skipped, the marker still read) and total-bytes (the walk
// stops). Memory stays under memBound.
func testContainerBomb(t *testing.T, name, archive string, bomb []byte) {
	t.Helper()
	noRatio := int64(math.MaxInt64)
	for _, c := range []struct {
		lim     Limits
		skipped string
		marker  bool
		gaps    []string
		warning string
	}{
		{Limits{MaxRatio: 100}, "decompression ratio over 100:1", false, []string{"ratio"}, name + ": decompression ratio over 100:1 (limit ratio), rest of the " + archive + " skipped"},
		{Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio}, "larger than 8 MiB", true, []string{"file-bytes"}, name + "!blank.img: larger than 8 MiB (limit file-bytes), contents not read"},
		{Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio, MaxTotalBytes: 50 << 20}, "larger than 8 MiB", false, []string{"file-bytes", "total-bytes"}, name + ": walk truncated after 50 MiB read out of archives (limit total-bytes)"},
	} {
		t.Run(fmt.Sprint(c.gaps), func(t *testing.T) {
			var files []seen
			var rep Report
			n := allocated(func() { files, rep = walkMem(t, name, bomb, c.lim) })
			if n > memBound {
				t.Errorf("allocated %d MiB", n>>20)
			}
			f := find(files, name+"!blank.img")
			if f == nil || !f.Nil || f.Skipped != c.skipped {
				t.Errorf("blank.img: %+v in %q", f, locations(files))
			}
			m := find(files, name+"!inner/libkavcore.so")
			if c.marker != (m != nil && m.Data == kavMarker) {
				t.Errorf("marker visited %v, want %v", m, c.marker)
			}
			wantWarning(t, rep, c.warning)
			wantGaps(t, rep, c.gaps...)
		})
	}
}

func FuzzCFB(f *testing.F) {
	f.Add(fixture(f, "kav.msi"))
	f.Add(notMSI(f, fixture(f, "kav.msi")))
	// Small seeds: kav.msi's tables without its cab, and a cab, in both
	// versions.
	msi := fixture(f, "kav.msi")
	c, err := openCFB(bytes.NewReader(msi), int64(len(msi)))
	if err != nil {
		f.Fatal(err)
	}
	streams, _ := c.streams(1000)
	var tables []cfbStreamData
	for _, s := range streams {
		if name, table := msiDecode(s.path[0]); table && name != "_Validation" {
			data, _ := c.readAll(s.entry, 1<<20)
			tables = append(tables, cfbStreamData{s.path[0], data})
		}
	}
	for _, v4 := range []bool{false, true} {
		f.Add(makeCFB(f, v4, nil, tables...))
		f.Add(makeCFB(f, v4, nil, cfbStreamData{msiName("_Tables"), nil}, cfbStreamData{msiEncode("a.cab"), fixture(f, "kav.cab")}))
	}
	lim := Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 16 << 20, MaxFiles: 1000, MaxDepth: 4}.WithDefaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		w := newWalker(context.Background(), lim, func(*File) error { return nil })
		c, err := openCFB(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		c.isMSI()
		streams, _ := c.streams(lim.MaxFiles)
		for _, s := range streams {
			c.readAll(s.entry, lim.MaxFileBytes)
		}
		w.msiText(c, streams)
		// Streams over file-bytes are read at random.
		small := lim
		small.MaxFileBytes = 4096
		if _, err := WalkBytes(context.Background(), "fuzz.msi", data, small, func(*File) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

// cfbStreamData is a stream for makeCFB: its name as stored.
type cfbStreamData struct {
	name string
	data []byte
}

// makeCFB writes a compound file of version 3 (512-byte sectors) or 4
// (4096), with the root class clsid and streams at the root: those under
// 4096 bytes in the mini stream. One FAT sector: small files only.
func makeCFB(t testing.TB, v4 bool, clsid []byte, streams ...cfbStreamData) []byte {
	t.Helper()
	shift := uint(9)
	if v4 {
		shift = 12
	}
	ss := 1 << shift
	pad := func(b []byte, n int) []byte { return append(b, make([]byte, (n-len(b)%n)%n)...) }
	var mini, regular []byte
	var minifat []uint32
	type placed struct {
		start uint32
		mini  bool
	}
	where := make([]placed, len(streams))
	for i, s := range streams {
		if len(s.data) == 0 {
			where[i] = placed{cfbEnd, true}
			continue
		}
		if len(s.data) < 4096 {
			where[i] = placed{uint32(len(mini) / 64), true}
			mini = pad(append(mini, s.data...), 64)
			for j := where[i].start; j < uint32(len(mini)/64); j++ {
				minifat = append(minifat, j+1)
			}
			minifat[len(minifat)-1] = cfbEnd
		} else {
			where[i] = placed{uint32(len(regular) / ss), false}
			regular = pad(append(regular, s.data...), ss)
		}
	}
	ndir := (len(streams) + 1 + ss/128 - 1) / (ss / 128)
	nminifat := (len(minifat)*4 + ss - 1) / ss
	nmini := len(mini) / ss
	if len(mini)%ss != 0 {
		nmini++
	}
	// Sectors: FAT, directory, miniFAT, mini stream, regular streams.
	dirAt, miniFATAt, miniAt := uint32(1), uint32(1+ndir), uint32(1+ndir+nminifat)
	regAt := miniAt + uint32(nmini)
	fat := make([]uint32, ss/4)
	for i := range fat {
		fat[i] = cfbFree
	}
	fat[0] = 0xfffffffd
	chainAt := func(start uint32, n int) {
		for i := range n {
			fat[start+uint32(i)] = start + uint32(i) + 1
		}
		if n > 0 {
			fat[start+uint32(n)-1] = cfbEnd
		}
	}
	chainAt(dirAt, ndir)
	chainAt(miniFATAt, nminifat)
	chainAt(miniAt, nmini)
	for i, s := range streams {
		if !where[i].mini {
			chainAt(regAt+where[i].start, (len(s.data)+ss-1)/ss)
		}
	}
	le := binary.LittleEndian
	entry := func(name string, typ byte, child, right, start uint32, size int) []byte {
		e := make([]byte, 128)
		u := utf16.Encode([]rune(name))
		for i, c := range u {
			le.PutUint16(e[2*i:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], cfbFree)
		le.PutUint32(e[72:], right)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint64(e[120:], uint64(size))
		return e
	}
	var dir []byte
	rootStart := uint32(cfbEnd)
	if nmini > 0 {
		rootStart = miniAt
	}
	root := entry("Root Entry", 5, 1, cfbFree, rootStart, len(mini))
	copy(root[80:], clsid)
	dir = append(dir, root...)
	for i, s := range streams {
		right := uint32(i + 2)
		if i == len(streams)-1 {
			right = cfbFree
		}
		start := where[i].start
		if !where[i].mini {
			start += regAt
		}
		dir = append(dir, entry(s.name, 2, cfbFree, right, start, len(s.data))...)
	}
	h := make([]byte, ss)
	copy(h, cfbMagic)
	le.PutUint16(h[24:], 0x3e)
	le.PutUint16(h[26:], map[bool]uint16{false: 3, true: 4}[v4])
	le.PutUint16(h[28:], 0xfffe)
	le.PutUint16(h[30:], uint16(shift))
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], 1)
	le.PutUint32(h[48:], dirAt)
	le.PutUint32(h[56:], 4096)
	le.PutUint32(h[60:], map[bool]uint32{false: cfbEnd, true: miniFATAt}[nminifat > 0])
	le.PutUint32(h[64:], uint32(nminifat))
	le.PutUint32(h[68:], cfbEnd)
	for i := 76; i < 512; i += 4 {
		le.PutUint32(h[i:], cfbFree)
	}
	le.PutUint32(h[76:], 0)
	out := slices.Clone(h)
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	out = append(out, pad(dir, ss)...)
	var mf []byte
	for _, v := range minifat {
		mf = le.AppendUint32(mf, v)
	}
	for len(mf)%ss != 0 {
		mf = le.AppendUint32(mf, cfbFree)
	}
	out = append(out, mf...)
	out = append(out, pad(mini, ss)...)
	return append(out, regular...)
}

// msiName is a table's stream name, as stored.
func msiName(table string) string { return string(rune(msiTable)) + msiEncode(table) }

// TestCFB reads compound files of both versions made here: streams in the
// mini stream and in regular sectors, names packed as an msi packs them.
func TestCFB(t *testing.T) {
	cab := fixture(t, "kav.cab")
	big := makeCab(t, false, entry{Name: "random.bin", Data: bytes.Repeat([]byte("0123456789abcdef"), 500)}, entry{Name: `inner\libkavcore.so`, Data: []byte(kavMarker)})
	msiClass := []byte{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}
	for _, v4 := range []bool{false, true} {
		data := makeCFB(t, v4, msiClass,
			cfbStreamData{msiEncode("small.cab"), cab},
			cfbStreamData{msiEncode("big.cab"), big},
			cfbStreamData{"\x05SummaryInformation", []byte("summary")})
		files, rep := walkMem(t, "x.msi", data, Limits{})
		noWarnings(t, rep)
		for _, loc := range []string{"x.msi!small.cab!inner/libkavcore.so", "x.msi!big.cab!inner/libkavcore.so"} {
			if f := find(files, loc); f == nil || f.Data != kavMarker {
				t.Errorf("v4 %v: %s: %+v in %q", v4, loc, f, locations(files))
			}
		}
		if f := find(files, "x.msi!SummaryInformation"); f == nil || f.Data != "summary" {
			t.Errorf("v4 %v: %q", v4, locations(files))
		}
		// A cab over file-bytes is still opened: read at random.
		files, rep = walkMem(t, "x.msi", data, Limits{MaxFileBytes: 4096})
		if f := find(files, "x.msi!big.cab!inner/libkavcore.so"); f == nil || f.Data != kavMarker {
			t.Errorf("v4 %v: big.cab over file-bytes: %q", v4, locations(files))
		}
		wantWarning(t, rep, "x.msi!big.cab: cab larger than 4 KiB (limit file-bytes), not read whole; its entries are")
		wantGaps(t, rep, "file-bytes") // its random.bin, 8000 bytes
		// Without the installer class, the tables say it is one.
		data = makeCFB(t, v4, nil, cfbStreamData{msiName("_Tables"), []byte{}}, cfbStreamData{msiEncode("small.cab"), cab})
		if files, _ := walkMem(t, "x.msi", data, Limits{}); find(files, "x.msi!small.cab!inner/libkavcore.so") == nil {
			t.Errorf("v4 %v, tables: %q", v4, locations(files))
		}
		// Neither: an Office document, not opened.
		data = makeCFB(t, v4, nil, cfbStreamData{"WordDocument", cab})
		if files, rep := walkMem(t, "x.doc", data, Limits{}); len(files) != 1 || len(rep.Warnings) != 0 {
			t.Errorf("v4 %v, doc: %q %q", v4, locations(files), rep.Warnings)
		}
	}
	if got, _ := msiDecode(msiName("_StringPool")); got != "_StringPool" {
		t.Errorf("msiDecode: %q", got)
	}
}

// TestSetupInstallers: an Inno Setup installer, whose payload pedigree
// cannot open yet, or an NSIS one whose payload is not valid (nsis.go;
// nsis_test.go reads valid ones), is visited as a file and reported as
// not inspected (a gap), never as a plain file that passed. Markers as
// the installers write them at the start of their overlay.
func TestSetupInstallers(t *testing.T) {
	nsis := makePE(append([]byte("\x00\x00\x00\x00\xef\xbe\xad\xdeNullsoftInst"), make([]byte, 64)...))
	inno := makePE(append([]byte("Inno Setup Setup Data (6.2.2)"), make([]byte, 64)...))
	plain := makePE([]byte("some resources, no installer"))
	for _, c := range []struct {
		name, data, warning string
	}{
		{"setup-nsis.exe", string(nsis), "setup-nsis.exe: not a valid NSIS installer: data length 0 too short, payload not read"},
		{"setup-inno.exe", string(inno), "setup-inno.exe: Inno Setup installer: its payload is not opened (no reader for it yet)"},
		{"plain.exe", string(plain), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, []byte(c.data), Limits{})
			if len(files) != 1 || files[0].Location != c.name {
				t.Errorf("locations %q", locations(files))
			}
			if c.warning == "" {
				if len(rep.Warnings) != 0 || rep.GapCount != 0 {
					t.Errorf("a plain executable has warnings %q", rep.Warnings)
				}
				return
			}
			wantWarning(t, rep, c.warning)
			wantGaps(t, rep, "")
		})
	}
}
