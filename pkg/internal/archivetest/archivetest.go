// Package archivetest builds small archives for tests.
package archivetest

import (
	"archive/zip"
	"bytes"
	"testing"
)

// File is one archive entry.
type File struct {
	Name string
	Data []byte
}

// Zip returns a zip (deflate) of files, in the order given.
func Zip(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.Name)
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
