package walk

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io/fs"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// Archives for the tests, made here: no binary fixture is committed.

// entry is one entry of an archive made by a test.
type entry = archivetest.File

func xzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := xz.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tarBz2 is a .tar.bz2 holding "hello.txt" ("hello, bzip2\n"), made with
// tar and bzip2: the standard library has no bzip2 writer.
var tarBz2 = []byte("BZh91AY&SY\x88,L\x15\x00\x00\x7f\xfb\x90\xca\x10\x02@@\x05\x7f\x80\x00\x80rd\xdeP\x04\x00\x00\b \x00t\x1a)\x90\xd0\x00\xf4 hmA%#\x10\x06\x80\x00\x03\xee\x95\r\x8d\b\x1e\xe4\x84\x8a\x9b\x06\x1c\xc9k\x1e\x81\fC\xe2\n\xf8 \xe4\xa6`\x04\xfa\xb32\b\x1a\xf3f\x89#i\xd9El\x83\x9d\x880\x98t\x16+!\xe8\x11\x0f\x1e\xf9\r\xa7HU\xfaz\xaa\x11\x10\x1f\x8b\xb9\"\x9c(HD\x16&\n\x80")

const bombSize = 100 << 20

// deflateZeros returns a raw deflate stream of prefix, n zeros (a multiple
// of 1 MiB) and suffix, with the CRC-32 and size of what it inflates to.
// It compresses one MiB of zeros and repeats it: a hundred times faster
// than compressing them all, and the same ratio (about 1028:1).
func deflateZeros(prefix []byte, n int64, suffix []byte) (raw []byte, crc uint32, size int64) {
	var b, chunk bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.DefaultCompression)
	fw.Write(prefix)
	fw.Flush() // byte-aligned, not final: the next blocks follow
	zero := make([]byte, 1<<20)
	zw, _ := flate.NewWriter(&chunk, flate.DefaultCompression)
	zw.Write(zero)
	zw.Flush()
	crc = crc32.ChecksumIEEE(prefix)
	for range n >> 20 {
		b.Write(chunk.Bytes())
		crc = crc32.Update(crc, crc32.IEEETable, zero)
	}
	sw, _ := flate.NewWriter(&b, flate.DefaultCompression)
	sw.Write(suffix)
	sw.Close()
	crc = crc32.Update(crc, crc32.IEEETable, suffix)
	return b.Bytes(), crc, int64(len(prefix)) + n + int64(len(suffix))
}

// gzipRaw wraps a raw deflate stream as a gzip file.
func gzipRaw(raw []byte, crc uint32, size int64) []byte {
	b := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	b = append(b, raw...)
	b = binary.LittleEndian.AppendUint32(b, crc)
	return binary.LittleEndian.AppendUint32(b, uint32(size))
}

// zipRaw makes a zip of one deflated entry, with the sizes given.
func zipRaw(name string, raw []byte, crc uint32, size uint64) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc, CompressedSize64: uint64(len(raw)), UncompressedSize64: size})
	if err != nil {
		panic(err)
	}
	w.Write(raw)
	zw.Close()
	return b.Bytes()
}

// bombs returns a zip holding one entry of 100 MiB of zeros, and a gzip of
// the same.
func bombs() (zipped, gzipped []byte) {
	raw, crc, size := deflateZeros(nil, bombSize, nil)
	return zipRaw("zeros.bin", raw, crc, uint64(size)), gzipRaw(raw, crc, size)
}

// tarGzBomb returns a tar.gz of one entry of 100 MiB of zeros.
func tarGzBomb() []byte {
	var hdr bytes.Buffer
	tw := tar.NewWriter(&hdr)
	tw.WriteHeader(&tar.Header{Name: "zeros.img", Mode: 0o644, Size: bombSize, Typeflag: tar.TypeReg})
	// The header only: the data, padding and end blocks are all zeros.
	return gzipRaw(deflateZeros(hdr.Bytes(), bombSize, make([]byte, 1024)))
}

// makeAr writes a GNU ar archive (as a .deb is), with a long name table
// for names over 15 bytes.
func makeAr(entries ...entry) []byte {
	var b, long bytes.Buffer
	b.WriteString("!<arch>\n")
	names := make([]string, len(entries))
	for i, e := range entries {
		if len(e.Name) > 15 {
			names[i] = fmt.Sprintf("/%d", long.Len())
			long.WriteString(e.Name + "/\n")
		} else {
			names[i] = e.Name + "/"
		}
	}
	member := func(name string, data []byte) {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", name, 0, 0, 0, 0o644, len(data))
		b.Write(data)
		if len(data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	if long.Len() > 0 {
		member("//", long.Bytes())
	}
	for i, e := range entries {
		member(names[i], e.Data)
	}
	return b.Bytes()
}

// makeCpio writes a "newc" cpio archive (as an rpm's payload is).
func makeCpio(entries ...entry) []byte {
	var b bytes.Buffer
	pad := func() {
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	write := func(ino int, name string, mode uint32, data []byte) {
		fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
		b.WriteString(name)
		b.WriteByte(0)
		pad()
		b.Write(data)
		pad()
	}
	for i, e := range entries {
		mode := uint32(0o100644)
		switch {
		case e.Mode.IsDir():
			mode = 0o040755
		case e.Mode&fs.ModeSymlink != 0:
			mode = 0o120777
		}
		write(i+1, e.Name, mode, e.Data)
	}
	write(0, "TRAILER!!!", 0, nil)
	return b.Bytes()
}

// makeRpm writes an rpm package: a lead, a signature header with one
// entry, an empty header, and the payload.
func makeRpm(payload []byte) []byte {
	var b bytes.Buffer
	lead := make([]byte, 96)
	copy(lead, "\xed\xab\xee\xdb\x03\x00")
	b.Write(lead)
	b.Write([]byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4})
	b.Write(make([]byte, 16+4+4)) // one index entry, 4 bytes of data, padding to 8
	b.Write([]byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	b.Write(payload)
	return b.Bytes()
}

// makeDeb returns a .deb package of KESL, in its parts.
func makeDeb(t testing.TB) []byte {
	return makeAr(
		entry{Name: "debian-binary", Data: []byte("2.0\n")},
		entry{Name: "control.tar.gz", Data: archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "./control", Data: []byte("Package: kesl\n")}))},
		entry{Name: "data.tar.xz", Data: xzip(t, archivetest.Tar(t,
			entry{Name: "./opt/", Mode: fs.ModeDir | 0o755},
			entry{Name: "./opt/kaspersky/kesl/bin/kesl", Data: []byte("kesl")},
			entry{Name: "./opt/kaspersky/kesl/lib/libkav", Data: []byte("libkav")},
			entry{Name: "./opt/kaspersky/kesl/lib/libkav.so", Data: []byte("libkav"), Mode: fs.ModeSymlink},
		))},
	)
}

// makeKeslCpio returns a cpio archive, as the payload of an rpm of KESL.
func makeKeslCpio() []byte {
	return makeCpio(
		entry{Name: ".", Mode: fs.ModeDir},
		entry{Name: "./opt/kaspersky/kesl/bin/kesl", Data: []byte("kesl")},
		entry{Name: "./opt/kaspersky/kesl/lib/libkav.so", Data: []byte("libkav.so.1"), Mode: fs.ModeSymlink},
		entry{Name: "./opt/kaspersky/kesl/share/a-much-longer-name.txt", Data: []byte("odd")},
	)
}
