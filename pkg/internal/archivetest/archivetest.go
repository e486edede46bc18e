// Package archivetest builds small archives for tests, so that no binary
// fixture needs to be committed: zip, tar, gzip, zstd, lz4, brotli, and
// rar (stored entries only); and Android binary XML (AXML), the form of
// AndroidManifest.xml in an APK. 7z has no Go writer: pkg/walk commits its
// 7z fixtures.
package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"io/fs"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// File is one archive entry.
type File struct {
	Name string
	Data []byte
	// Mode is the entry's type and permissions. 0 is a regular file: in a
	// zip with no mode recorded, as zip.Writer.Create writes it; in a tar
	// 0o644. A directory has fs.ModeDir; a symbolic link fs.ModeSymlink,
	// and its target in Data.
	Mode fs.FileMode
}

// Zip returns a zip of files, each deflated, in the order given.
func Zip(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate}
		if f.Mode != 0 {
			h.SetMode(f.Mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Tar returns a tar (PAX format) of files, in the order given.
func Tar(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		switch {
		case f.Mode&fs.ModeSymlink != 0:
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, string(f.Data), 0
		case f.Mode.IsDir():
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write(f.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Gzip returns data gzipped: Gzip(t, Tar(t, ...)) is a .tar.gz.
func Gzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Zstd returns data as one zstd frame: Zstd(t, Tar(t, ...)) is a .tar.zst.
func Zstd(t testing.TB, data []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(data, nil)
}

// Lz4 returns data as an lz4 frame.
func Lz4(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := lz4.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Brotli returns data brotli-compressed.
func Brotli(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := brotli.NewWriterLevel(&buf, brotli.DefaultCompression)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Rar flags (RAR 1.5 to 4 format) that RarOptions can set.
const (
	RarArchiveVolume   = 0x0001 // archive header: a volume of a multi-volume archive
	RarFileSplitAfter  = 0x0002 // file header: continued in the next volume
	RarFileEncrypted   = 0x0004 // file header: contents encrypted
	rarFileLongBlock   = 0x8000
	rarMethodStore     = 0x30
	rarHeaderArchive   = 0x73
	rarHeaderFile      = 0x74
	rarHeaderEnd       = 0x7b
	rarEndNotLastValue = 0x0001
)

// RarOptions are header flags for Rar, to make archives a reader must
// refuse: 0 for a plain archive.
type RarOptions struct {
	ArchiveFlags uint16
	FileFlags    uint16
}

// Rar returns a RAR 4 archive (the 1.5 format) of regular files, each
// stored, uncompressed: no Go library writes rar, and the rar tool is not
// free software. Directories and links are written as empty files.
func Rar(t testing.TB, opt RarOptions, files ...File) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("Rar!\x1a\x07\x00")
	block := func(typ byte, flags uint16, body []byte) {
		h := []byte{typ}
		h = binary.LittleEndian.AppendUint16(h, flags)
		h = binary.LittleEndian.AppendUint16(h, uint16(2+2+1+2+len(body)))
		h = append(h, body...)
		b.Write(binary.LittleEndian.AppendUint16(nil, uint16(crc32.ChecksumIEEE(h))))
		b.Write(h)
	}
	block(rarHeaderArchive, opt.ArchiveFlags, make([]byte, 6))
	for _, f := range files {
		var body []byte
		body = binary.LittleEndian.AppendUint32(body, uint32(len(f.Data))) // packed size
		body = binary.LittleEndian.AppendUint32(body, uint32(len(f.Data))) // unpacked size
		body = append(body, 2)                                             // host OS: Unix
		body = binary.LittleEndian.AppendUint32(body, crc32.ChecksumIEEE(f.Data))
		body = binary.LittleEndian.AppendUint32(body, 0x5a210000) // DOS time, 2025
		body = append(body, 20, rarMethodStore)
		body = binary.LittleEndian.AppendUint16(body, uint16(len(f.Name)))
		body = binary.LittleEndian.AppendUint32(body, 0o100644) // Unix mode
		body = append(body, f.Name...)
		block(rarHeaderFile, rarFileLongBlock|opt.FileFlags, body)
		b.Write(f.Data)
	}
	end := uint16(0)
	if opt.ArchiveFlags&RarArchiveVolume != 0 {
		end = rarEndNotLastValue
	}
	block(rarHeaderEnd, end, nil)
	return b.Bytes()
}
