package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"testing"
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
