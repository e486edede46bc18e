package walk

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/ulikunitz/xz/lzma"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// xarFile is a file of a xar made by xarOf: a directory when it has
// children. enc: "" (stored), "gzip" (zlib, as xar writes it), "xz",
// "lzma", or a style written as it is.
type xarFile struct {
	name     string
	data     []byte
	enc      string
	children []xarFile
}

// xarOpts are how xarOf writes a xar.
type xarOpts struct {
	alg    uint32 // checksum: 0 none, 1 sha1 (the default here), 2 md5, 3 sha256
	noSum  bool
	edit   func(toc string) string // the TOC's XML, before it is compressed
	tocRaw int64                   // the uncompressed TOC length declared, when not 0
}

// xarOf writes a xar archive: the header, the zlib-compressed TOC, then
// the heap (the TOC checksum first, then each file's data).
func xarOf(t testing.TB, o xarOpts, files ...xarFile) []byte {
	t.Helper()
	alg := o.alg
	if alg == 0 && !o.noSum {
		alg = 1
	}
	var h hash.Hash
	switch alg {
	case 1:
		h = sha1.New()
	case 2:
		h = md5.New()
	case 3:
		h = sha256.New()
	}
	var heap bytes.Buffer
	if h != nil {
		heap.Write(make([]byte, h.Size()))
	}
	var toc strings.Builder
	toc.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xar>\n <toc>\n")
	if h != nil {
		fmt.Fprintf(&toc, "  <checksum style=\"%s\"><offset>0</offset><size>%d</size></checksum>\n", map[uint32]string{1: "sha1", 2: "md5", 3: "sha256"}[alg], h.Size())
	}
	id := 0
	var write func(f xarFile)
	write = func(f xarFile) {
		id++
		fmt.Fprintf(&toc, "<file id=\"%d\"><name>%s</name>", id, f.name)
		if f.children != nil {
			toc.WriteString("<type>directory</type>")
			for _, c := range f.children {
				write(c)
			}
			toc.WriteString("</file>\n")
			return
		}
		stored, style := f.data, "application/octet-stream"
		switch f.enc {
		case "":
		case "gzip":
			var b bytes.Buffer
			zw := zlib.NewWriter(&b)
			zw.Write(f.data)
			zw.Close()
			stored, style = b.Bytes(), "application/x-gzip"
		case "xz":
			stored, style = xzip(t, f.data), "application/x-xz"
		case "lzma":
			stored, style = lzmaOf(t, f.data), "application/x-lzma"
		default:
			style = f.enc
		}
		fmt.Fprintf(&toc, "<type>file</type><mode>0644</mode><data><length>%d</length><offset>%d</offset><size>%d</size><encoding style=\"%s\"/></data></file>\n",
			len(stored), heap.Len(), len(f.data), style)
		heap.Write(stored)
	}
	for _, f := range files {
		write(f)
	}
	toc.WriteString(" </toc>\n</xar>\n")
	xml := toc.String()
	if o.edit != nil {
		xml = o.edit(xml)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(xml))
	zw.Close()
	hsize := 28
	if alg == 3 {
		hsize += 8
	}
	b := make([]byte, hsize)
	copy(b, "xar!")
	be := binary.BigEndian
	be.PutUint16(b[4:], uint16(hsize))
	be.PutUint16(b[6:], 1)
	be.PutUint64(b[8:], uint64(z.Len()))
	raw := int64(len(xml))
	if o.tocRaw != 0 {
		raw = o.tocRaw
	}
	be.PutUint64(b[16:], uint64(raw))
	be.PutUint32(b[24:], alg)
	if alg == 3 {
		copy(b[28:], "sha256")
	}
	heapBytes := heap.Bytes()
	if h != nil {
		h.Write(z.Bytes())
		copy(heapBytes, h.Sum(nil))
	}
	return append(append(b, z.Bytes()...), heapBytes...)
}

// odcCpio writes an "odc" cpio archive, as macOS installer payloads are,
// its names "./" first as there.
func odcCpio(entries ...entry) []byte {
	var b bytes.Buffer
	write := func(ino int, name string, mode uint32, data []byte) {
		fmt.Fprintf(&b, "070707%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o", 1, ino, mode, 0, 0, 1, 0, 0, len(name)+1, len(data))
		b.WriteString(name)
		b.WriteByte(0)
		b.Write(data)
	}
	write(1, ".", 0o040755, nil)
	for i, e := range entries {
		write(i+2, "./"+e.Name, 0o100644, e.Data)
	}
	write(0, "TRAILER!!!", 0, nil)
	return b.Bytes()
}

// pbzxOf writes a pbzx stream of data in chunks of chunk bytes, each xz
// but those whose index is in stored. A chunk's first word is its
// uncompressed size (16 MiB, bit 24, in a full chunk of Apple's).
func pbzxOf(t testing.TB, data []byte, chunk int, stored ...int) []byte {
	t.Helper()
	be := binary.BigEndian
	b := be.AppendUint64([]byte("pbzx"), 1<<24)
	for i := 0; len(data) > 0; i++ {
		c := data[:min(chunk, len(data))]
		data = data[len(c):]
		z := xzip(t, c)
		for _, s := range stored {
			if s == i {
				z = c
			}
		}
		b = be.AppendUint64(b, uint64(len(c)))
		b = be.AppendUint64(b, uint64(len(z)))
		b = append(b, z...)
	}
	return b
}

// lzipOf writes an lzip stream of a member per part: the LZMA data of
// an LZMA-alone stream with an end marker, framed as lzip frames them.
func lzipOf(t testing.TB, parts ...[]byte) []byte {
	t.Helper()
	var b []byte
	le := binary.LittleEndian
	for _, p := range parts {
		s := lzmaOf(t, p, lzma.WriterConfig{DictCap: 1 << 16}) // 13-byte header, then the data
		b = append(b, "LZIP\x01\x10"...)                       // 64 KiB
		b = append(b, s[lzma.HeaderLen:]...)
		b = le.AppendUint32(b, crc32.ChecksumIEEE(p))
		b = le.AppendUint64(b, uint64(len(p)))
		b = le.AppendUint64(b, uint64(6+len(s)-lzma.HeaderLen+20))
	}
	return b
}

// shieldPkg is a product installer package: Distribution, then a
// component package whose Payload is payload.
func shieldPkg(t testing.TB, o xarOpts, payload []byte) []byte {
	return xarOf(t, o,
		xarFile{name: "Distribution", data: []byte("<installer-gui-script minSpecVersion=\"1\"/>"), enc: "gzip"},
		xarFile{name: "shield.pkg", children: []xarFile{
			{name: "PackageInfo", data: []byte("<pkg-info identifier=\"com.example.shield\"/>"), enc: "gzip"},
			{name: "Payload", data: payload},
			{name: "Scripts", data: archivetest.Gzip(t, odcCpio(entry{Name: "postinstall", Data: []byte("#!/bin/sh\n")}))},
		}},
	)
}

var kavOpt = entry{Name: "opt/kav/libkavcore.so", Data: []byte(kavMarker)}

// TestXar: macOS installer packages (xar) are opened, and their gzip or
// pbzx payloads of odc cpio; lzip streams are read.
func TestXar(t *testing.T) {
	gzPayload := archivetest.Gzip(t, odcCpio(kavOpt))
	cpioData := odcCpio(entry{Name: "opt/kav/readme", Data: bytes.Repeat([]byte("kav "), 300)}, kavOpt)
	pbzx := pbzxOf(t, cpioData, 256, 1, 3)
	tarData := archivetest.Tar(t, entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}, entry{Name: "more.txt", Data: bytes.Repeat([]byte("more "), 1000)})
	const marker = "!shield.pkg/Payload!opt/kav/libkavcore.so"
	for _, c := range []struct {
		name, marker string
		data         []byte
	}{
		{"Shield.pkg", "Shield.pkg" + marker, shieldPkg(t, xarOpts{}, gzPayload)},
		{"pbzx.pkg", "pbzx.pkg" + marker, shieldPkg(t, xarOpts{}, pbzx)},
		{"md5.pkg", "md5.pkg" + marker, shieldPkg(t, xarOpts{alg: 2}, gzPayload)},
		{"sha256.pkg", "sha256.pkg" + marker, shieldPkg(t, xarOpts{alg: 3}, gzPayload)},
		{"nosum.pkg", "nosum.pkg" + marker, shieldPkg(t, xarOpts{noSum: true}, gzPayload)},
		{"newc.pkg", "newc.pkg!shield.pkg/Payload!opt/kav/libkavcore.so", shieldPkg(t, xarOpts{}, archivetest.Gzip(t, makeCpio(kavOpt)))},
		{"outer.zip", "outer.zip!Shield.pkg" + marker, archivetest.Zip(t, entry{Name: "Shield.pkg", Data: shieldPkg(t, xarOpts{}, pbzx)})},
		{"xz.xar", "xz.xar!a/libkavcore.so", xarOf(t, xarOpts{}, xarFile{name: "a", children: []xarFile{{name: "libkavcore.so", data: []byte(kavMarker), enc: "xz"}}})},
		{"lzma.xar", "lzma.xar!libkavcore.so", xarOf(t, xarOpts{}, xarFile{name: "libkavcore.so", data: []byte(kavMarker), enc: "lzma"})},
		{"gzip.xar", "gzip.xar!x.tar!inner/libkavcore.so", xarOf(t, xarOpts{}, xarFile{name: "x.tar", data: tarData, enc: "gzip"})},
		// A <file> where none belongs is no file, and closes none.
		{"stray.pkg", "stray.pkg" + marker, shieldPkg(t, xarOpts{edit: func(s string) string {
			return strings.Replace(s, "<data>", "<data><file><name>stray</name></file>", 1)
		}}, gzPayload)},
		{"Payload", "Payload!opt/kav/libkavcore.so", pbzx},
		{"kav.cpio", "kav.cpio!opt/kav/libkavcore.so", odcCpio(kavOpt)},
		{"x.tar.lz", "x.tar.lz!inner/libkavcore.so", lzipOf(t, tarData)},
		{"two.tar.lz", "two.tar.lz!inner/libkavcore.so", lzipOf(t, tarData[:700], tarData[700:])},
		{"libkavcore.so.lz", "libkavcore.so.lz!libkavcore.so", lzipOf(t, []byte(kavMarker))},
		{"lz.zip", "lz.zip!x.tar.lz!inner/libkavcore.so", archivetest.Zip(t, entry{Name: "x.tar.lz", Data: lzipOf(t, tarData)})},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			noWarnings(t, rep)
			wantGaps(t, rep)
			f := find(files, c.marker)
			if f == nil || f.Data != kavMarker || f.Depth != strings.Count(c.marker, Separator) {
				t.Errorf("marker not visited: %+v in %q", f, locations(files))
			}
		})
	}
	// Every file of the package is visited.
	files, _ := walkMem(t, "Shield.pkg", shieldPkg(t, xarOpts{}, gzPayload), Limits{})
	for _, loc := range []string{"Shield.pkg!Distribution", "Shield.pkg!shield.pkg/PackageInfo", "Shield.pkg!shield.pkg/Scripts!postinstall"} {
		if find(files, loc) == nil {
			t.Errorf("%s not visited: %q", loc, locations(files))
		}
	}
}

// TestXarLarge: a package over file-bytes inside an archive is read once,
// in the order of its heap; on disk, at random.
func TestXarLarge(t *testing.T) {
	pad := xarFile{name: "Resources/big.bin", data: bytes.Repeat([]byte("0123456789abcdef"), 8<<10)}
	pkg := xarOf(t, xarOpts{},
		xarFile{name: "shield.pkg", children: []xarFile{{name: "Payload", data: archivetest.Gzip(t, odcCpio(kavOpt))}}}, pad)
	lim := Limits{MaxFileBytes: 64 << 10}
	files, rep := walkMem(t, "outer.tar", archivetest.Tar(t, entry{Name: "Shield.pkg", Data: pkg}), lim)
	if f := find(files, "outer.tar!Shield.pkg!shield.pkg/Payload!opt/kav/libkavcore.so"); f == nil || f.Data != kavMarker {
		t.Errorf("marker not visited: %q %q", locations(files), rep.Warnings)
	}
	wantGaps(t, rep, "file-bytes") // big.bin
	dir := t.TempDir()
	writeFile(t, dir+"/Shield.pkg", pkg)
	files, rep = walkDisk(t, dir, lim)
	if f := find(files, "Shield.pkg!shield.pkg/Payload!opt/kav/libkavcore.so"); f == nil || f.Data != kavMarker {
		t.Errorf("marker not visited: %q %q", locations(files), rep.Warnings)
	}
	wantGaps(t, rep, "file-bytes")
}

// TestXarGaps: what cannot be read of a package, a pbzx or an lzip
// stream is a gap naming why, never a panic or a silent pass.
func TestXarGaps(t *testing.T) {
	gzPayload := archivetest.Gzip(t, odcCpio(kavOpt))
	good := shieldPkg(t, xarOpts{}, gzPayload)
	tocEnd := 28 + int(binary.BigEndian.Uint64(good[8:]))
	flip := func(b []byte, at ...int) []byte {
		b = bytes.Clone(b)
		for _, i := range at {
			b[i] ^= 0x55
		}
		return b
	}
	replace := func(old, new string) xarOpts {
		return xarOpts{edit: func(s string) string { return strings.Replace(s, old, new, 1) }}
	}
	text := bytes.Repeat([]byte("not an archive, "), 100)
	pbzx := pbzxOf(t, text, 512) // a plain file, read to its end
	lz := lzipOf(t, text)
	zeros := make([]byte, 8<<20)
	many := make([]xarFile, 6)
	for i := range many {
		many[i] = xarFile{name: fmt.Sprintf("f%d", i), data: []byte("x")}
	}
	for _, c := range []struct {
		name    string
		data    []byte
		lim     Limits
		limits  []string // of the gaps
		warning []string
	}{
		{"depth.pkg", good, Limits{MaxDepth: 1}, []string{"archive-depth", "archive-depth"}, []string{"depth.pkg!shield.pkg/Payload: gzip archive nested deeper than 1 levels (limit archive-depth), not opened"}},
		{"depth.zip", archivetest.Zip(t, entry{Name: "Shield.pkg", Data: good}), Limits{MaxDepth: 1}, []string{"archive-depth"}, []string{"depth.zip!Shield.pkg: xar archive nested deeper than 1 levels"}},
		{"truncated-toc.pkg", good[:tocEnd-20], Limits{}, []string{""}, []string{"truncated-toc.pkg: not a valid xar archive: TOC of 327 bytes, beyond the end of the archive, its files not read"}},
		{"header.pkg", good[:40], Limits{}, []string{""}, []string{"header.pkg: not a valid xar archive: TOC of"}},
		{"cut-toc.zip", archivetest.Zip(t, entry{Name: "Shield.pkg", Data: good[:tocEnd-20]}), Limits{MaxFileBytes: 100}, []string{""}, []string{"cut-toc.zip!Shield.pkg: not a valid xar archive: TOC of 327 bytes, beyond the end of the archive"}},
		{"corrupt-toc.pkg", flip(good, tocEnd-30, tocEnd-31), Limits{}, []string{""}, []string{"corrupt-toc.pkg: not a valid xar archive: TOC: "}},
		{"checksum.pkg", flip(good, tocEnd+2), Limits{}, []string{""}, []string{"checksum.pkg: xar TOC checksum does not match"}},
		{"not-xml.pkg", xarOf(t, xarOpts{edit: func(string) string { return "<xar><toc><file>" }}), Limits{}, []string{""}, []string{"not-xml.pkg: not a valid xar archive: TOC: "}},
		{"root.pkg", xarOf(t, xarOpts{edit: func(string) string { return "<html/>" }}), Limits{}, []string{""}, []string{"root.pkg: not a valid xar archive: TOC: root element <html>, not <xar>"}},
		{"deep.pkg", xarOf(t, xarOpts{edit: func(string) string { return "<xar><toc>" + strings.Repeat("<file>", 300) }}), Limits{}, []string{""}, []string{"deep.pkg: not a valid xar archive: TOC: elements nested over 256 deep"}},
		{"longer.pkg", shieldPkg(t, xarOpts{tocRaw: 100}, gzPayload), Limits{}, []string{""}, []string{"longer.pkg: not a valid xar archive: TOC longer than the 100 bytes declared"}},
		{"toc-bomb.pkg", shieldPkg(t, xarOpts{tocRaw: 60 << 20}, gzPayload), Limits{}, []string{"ratio"}, []string{"toc-bomb.pkg: not a valid xar archive: TOC declared of 62914560 bytes from"}},
		{"bad-offset.pkg", shieldPkg(t, replace("<offset>20</offset>", "<offset>9999999</offset>"), gzPayload), Limits{}, []string{""}, []string{"bad-offset.pkg!Distribution: xar file data at 9999999 (", "bytes) beyond the end of the archive, not read"}},
		{"bad-number.pkg", shieldPkg(t, replace("<offset>20</offset>", "<offset>-20</offset>"), gzPayload), Limits{}, []string{""}, []string{"bad-number.pkg: not a valid xar archive: TOC: bad <offset> \"-20\""}},
		{"bad-encoding.pkg", xarOf(t, xarOpts{}, xarFile{name: "a", data: []byte(kavMarker), enc: "application/x-foo"}), Limits{}, []string{""}, []string{"bad-encoding.pkg!a: xar file data encoded \"application/x-foo\" (no reader for it), not read"}},
		{"bad-zlib.pkg", xarOf(t, xarOpts{}, xarFile{name: "a", data: []byte(kavMarker), enc: "application/x-gzip"}), Limits{}, []string{""}, []string{"bad-zlib.pkg!a: xar file data not a valid application/x-gzip stream: "}},
		{"many.pkg", xarOf(t, xarOpts{}, many...), Limits{MaxFiles: 5}, []string{"files"}, []string{"many.pkg: xar archive with more files than the 5 allowed (limit files), its files not read"}},
		{"bomb.pkg", xarOf(t, xarOpts{}, xarFile{name: "zeros", data: zeros, enc: "gzip"}), Limits{MaxRatio: 100}, []string{"ratio"}, []string{"bomb.pkg!zeros: decompression ratio over 100:1 (limit ratio), entry skipped"}},
		{"big.pkg", xarOf(t, xarOpts{}, xarFile{name: "zeros", data: zeros[:1<<20], enc: "gzip"}), Limits{MaxFileBytes: 64 << 10}, []string{"file-bytes"}, []string{"big.pkg!zeros: larger than 64 KiB (limit file-bytes), contents not read"}},
		{"total.pkg", xarOf(t, xarOpts{}, xarFile{name: "zeros", data: zeros[:1<<20], enc: "gzip"}), Limits{MaxTotalBytes: 64 << 10}, []string{"total-bytes"}, []string{"total.pkg!zeros: walk truncated after 64 KiB read out of archives (limit total-bytes)"}},
		{"Payload", pbzx[:len(pbzx)-30], Limits{}, []string{""}, []string{"Payload!Payload: read error: "}},
		{"huge-chunk", append(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(bytes.Clone(pbzx), 1<<30), 1<<30), make([]byte, 64)...), Limits{}, []string{""}, []string{"huge-chunk!huge-chunk: read error: pbzx chunk 5 of 1073741824 bytes from 1073741824, over 64 MiB"}},
		{"bad-xz", flip(pbzx, 40, 41, 42), Limits{}, []string{""}, []string{"bad-xz"}},
		{"cut-header", pbzx[:12+16+len(pbzxOf(t, text[:512], 512))-12-16+8], Limits{}, []string{""}, []string{"cut-header!cut-header: read error: pbzx chunk 2 header: unexpected EOF"}},
		{"pbzx-bomb", pbzxOf(t, zeros, 16<<20), Limits{MaxRatio: 100}, []string{"ratio"}, []string{"pbzx-bomb: decompression ratio over 100:1 (limit ratio)"}},
		{"crc.lz", flip(lz, len(lz)-20), Limits{}, []string{""}, []string{"crc.lz!crc: read error: lzip member 1: CRC-32 mismatch"}},
		{"size.lz", flip(lz, len(lz)-2), Limits{}, []string{""}, []string{"size.lz!size: read error: lzip member 1: member of"}},
		{"truncated.lz", lz[:len(lz)-10], Limits{}, []string{""}, []string{"truncated.lz!truncated: read error: lzip member 1 trailer: unexpected EOF"}},
		{"trailing.lz", append(bytes.Clone(lz), "garbage"...), Limits{}, []string{""}, []string{"trailing.lz!trailing: read error: data after lzip member 1"}},
		{"v0.lz", append([]byte("LZIP\x00\x10"), lz[6:]...), Limits{}, []string{""}, []string{"v0.lz: not a valid lzip: lzip member 1 of version 0"}},
		{"lz-bomb.lz", lzipOf(t, zeros), Limits{MaxRatio: 100}, []string{"ratio"}, []string{"lz-bomb.lz: decompression ratio over 100:1 (limit ratio)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, c.lim)
			wantGaps(t, rep, c.limits...)
			wantWarning(t, rep, c.warning...)
			if len(files) == 0 || files[0].Location != c.name {
				t.Errorf("locations %q", locations(files))
			}
		})
	}
}

// TestCpioOdc: odc cpio archives (macOS payloads) are read, truncated
// ones are gaps.
func TestCpioOdc(t *testing.T) {
	data := odcCpio(entry{Name: "dir/a.txt", Data: []byte("a")}, kavOpt)
	files, rep := walkMem(t, "kav.cpio", data, Limits{})
	noWarnings(t, rep)
	if f := find(files, "kav.cpio!dir/a.txt"); f == nil || f.Data != "a" {
		t.Errorf("locations %q", locations(files))
	}
	_, rep = walkMem(t, "cut.cpio", data[:len(data)-100], Limits{})
	wantGaps(t, rep, "")
	bad := bytes.Replace(bytes.Clone(data), []byte("070707"), []byte("070707x"), 2)[:len(data)]
	_, rep = walkMem(t, "bad.cpio", bad, Limits{})
	wantGaps(t, rep, "")
}

// xarParts splits a xar made by xarOf into its TOC's XML and its heap.
func xarParts(t testing.TB, data []byte) (toc, heap []byte) {
	t.Helper()
	hsize, tocLen := int(binary.BigEndian.Uint16(data[4:])), int(binary.BigEndian.Uint64(data[8:]))
	zr, err := zlib.NewReader(bytes.NewReader(data[hsize : hsize+tocLen]))
	if err != nil {
		t.Fatal(err)
	}
	toc, err = io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return toc, data[hsize+tocLen:]
}

// xarRaw writes a xar of the TOC toc (any bytes) and the heap heap,
// without a checksum.
func xarRaw(toc, heap []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(toc)
	zw.Close()
	b := []byte("xar!\x00\x1c\x00\x01")
	b = binary.BigEndian.AppendUint64(b, uint64(z.Len()))
	b = binary.BigEndian.AppendUint64(b, uint64(len(toc)))
	b = binary.BigEndian.AppendUint32(b, 0)
	return append(append(b, z.Bytes()...), heap...)
}

// FuzzXar: a TOC (any bytes, compressed into a xar whose heap is the
// second input) and the second input as it is, each walked as a package
// with small limits: the TOC's parser, the heap, the encodings, the
// payloads they hold (gzip and pbzx odc cpio), lzip streams. Seeds: the
// packages of TestXar, the corrupt TOCs of TestXarGaps.
func FuzzXar(f *testing.F) {
	gz := archivetest.Gzip(f, odcCpio(kavOpt))
	for _, pkg := range [][]byte{
		shieldPkg(f, xarOpts{}, gz),
		shieldPkg(f, xarOpts{alg: 3}, pbzxOf(f, odcCpio(kavOpt), 64, 1)),
		xarOf(f, xarOpts{alg: 2}, xarFile{name: "a", children: []xarFile{{name: "b", data: []byte("b"), enc: "xz"}, {name: "c", data: []byte("c"), enc: "lzma"}}}),
		xarOf(f, xarOpts{noSum: true, edit: func(s string) string {
			return strings.Replace(s, "<name>a</name>", "<name enctype=\"base64\">Yi9j</name>", 1)
		}}, xarFile{name: "a", data: []byte("a")}),
		xarOf(f, xarOpts{edit: func(s string) string { return strings.Replace(s, "<offset>20</offset>", "<offset>-20</offset>", 1) }}, xarFile{name: "a", data: []byte("a")}),
	} {
		toc, heap := xarParts(f, pkg)
		f.Add(toc, heap)
		f.Add([]byte(nil), pkg)
	}
	f.Add([]byte("<xar><toc><file>"), lzipOf(f, []byte("a"), []byte("b")))
	lim := Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 8 << 20, MaxFiles: 100, MaxDepth: 4}
	f.Fuzz(func(t *testing.T, toc, data []byte) {
		for _, in := range []struct {
			name string
			data []byte
		}{{"toc.pkg", xarRaw(toc, data)}, {"fuzz.pkg", data}} {
			var files []seen
			rep, err := WalkBytes(t.Context(), in.name, in.data, lim, func(f *File) error {
				files = append(files, seen{Location: f.Location, Depth: f.Depth, Nil: f.Data == nil, Skipped: f.Skipped, Size: f.Size})
				if f.Depth > lim.MaxDepth || int64(len(f.Data)) > lim.MaxFileBytes {
					t.Errorf("%s: depth %d, %d bytes", f.Location, f.Depth, len(f.Data))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, files, rep)
			if rep.ArchiveBytes > lim.MaxTotalBytes || rep.Files > lim.MaxFiles || hasWarning(rep, "panicked") {
				t.Errorf("%s: %+v", in.name, rep)
			}
		}
		if t, err := parseXarTOC(bytes.NewReader(toc), 10); err == nil && (t.dataMembers > 10 || len(t.members) > 40) {
			panic(fmt.Sprintf("%d files", len(t.members)))
		}
	})
}

// TestXarHiddenData: data a TOC puts where a reader of files would not
// look is read, or a gap: a member whose type is not file (a fifo, a
// directory) but that has data is read, and an extended attribute with
// data in the heap is a gap.
func TestXarHiddenData(t *testing.T) {
	kav := xarFile{name: "a", data: []byte(kavMarker), enc: "gzip"}
	for _, typ := range []string{"fifo", "directory"} {
		data := xarOf(t, xarOpts{edit: func(s string) string { return strings.Replace(s, "<type>file</type>", "<type>"+typ+"</type>", 1) }}, kav)
		files, rep := walkMem(t, "x.xar", data, Limits{})
		if f := find(files, "x.xar!a"); f == nil || f.Data != kavMarker {
			t.Errorf("%s with data: %q %q", typ, locations(files), rep.Warnings)
		}
	}
	data := xarOf(t, xarOpts{edit: func(s string) string {
		s = strings.Replace(s, "<data>", "<ea><name>com.example.x</name>", 1)
		return strings.Replace(s, "</data>", "</ea>", 1)
	}}, kav)
	_, rep := walkMem(t, "ea.xar", data, Limits{})
	wantWarning(t, rep, "ea.xar: xar: 1 extended attributes with data in the heap, not read")
	if rep.GapCount == 0 {
		t.Errorf("no gap: %q", rep.Warnings)
	}
}
