//go:build !unix

package walk

import (
	"io/fs"
	"os"
)

type osFile struct{ *os.File }

// openFile opens a regular file for reading.
func openFile(name string) (diskFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (f osFile) Stat() (int64, fs.FileMode, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return 0, 0, err
	}
	return fi.Size(), fi.Mode(), nil
}
