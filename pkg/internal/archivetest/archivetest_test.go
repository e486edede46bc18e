package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/nwaples/rardecode/v2"
	"github.com/pierrec/lz4/v4"
)

var files = []File{
	{Name: "dir/", Mode: fs.ModeDir | 0o755},
	{Name: "dir/a.txt", Data: []byte("a")},
	{Name: "link", Data: []byte("dir/a.txt"), Mode: fs.ModeSymlink | 0o777},
}

func TestZip(t *testing.T) {
	data := Zip(t, files...)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(files) {
		t.Fatalf("%d entries, want %d", len(zr.File), len(files))
	}
	for i, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		// zip.Writer stores a directory, with no data.
		if zf.Name != files[i].Name || string(got) != string(files[i].Data) || zf.Method != zip.Deflate && i != 0 {
			t.Errorf("entry %d: %s %q method %d", i, zf.Name, got, zf.Method)
		}
	}
	if !zr.File[0].Mode().IsDir() || zr.File[1].Mode().Type() != 0 || zr.File[2].Mode()&fs.ModeSymlink == 0 {
		t.Errorf("modes: %v %v %v", zr.File[0].Mode(), zr.File[1].Mode(), zr.File[2].Mode())
	}
}

func TestTarGzip(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(Gzip(t, Tar(t, files...))))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	want := []struct {
		kind byte
		data string
		link string
	}{{tar.TypeDir, "", ""}, {tar.TypeReg, "a", ""}, {tar.TypeSymlink, "", "dir/a.txt"}}
	for i, w := range want {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		got, _ := io.ReadAll(tr)
		if h.Name != files[i].Name || h.Typeflag != w.kind || string(got) != w.data || h.Linkname != w.link {
			t.Errorf("entry %d: %+v %q", i, h, got)
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("after the last entry: %v", err)
	}
}

func TestStreams(t *testing.T) {
	data := bytes.Repeat([]byte("stream "), 1000)
	zr, err := zstd.NewReader(bytes.NewReader(Zstd(t, data)))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for name, r := range map[string]io.Reader{
		"zstd":   zr,
		"lz4":    lz4.NewReader(bytes.NewReader(Lz4(t, data))),
		"brotli": brotli.NewReader(bytes.NewReader(Brotli(t, data))),
	} {
		if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
	}
}

func TestRar(t *testing.T) {
	rr, err := rardecode.NewReader(bytes.NewReader(Rar(t, RarOptions{}, files[1], File{Name: "b", Data: []byte("bb")})))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []File{files[1], {Name: "b", Data: []byte("bb")}} {
		h, err := rr.Next()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rr)
		if err != nil || h.Name != want.Name || string(got) != string(want.Data) {
			t.Errorf("%s %q, %v; want %s %q", h.Name, got, err, want.Name, want.Data)
		}
	}
	if _, err := rr.Next(); err != io.EOF {
		t.Errorf("after the last entry: %v", err)
	}
	// Flags a reader must refuse.
	rr, err = rardecode.NewReader(bytes.NewReader(Rar(t, RarOptions{FileFlags: RarFileEncrypted}, files[1])))
	if err == nil {
		var h *rardecode.FileHeader
		if h, err = rr.Next(); err == nil && !h.Encrypted {
			t.Errorf("not encrypted: %+v", h)
		}
	}
}
