package main

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// writeFileAtomic writes the file name with write, all or nothing: into a
// new file next to it, renamed to name only when write and the close have
// succeeded, and removed on any error. A failed write leaves no partial
// report, and an earlier report at name stays as it was. The new file gets
// the permissions os.Create would give (0666 less the umask), or those of
// the file it replaces; a symbolic link is written through, not replaced.
// What is not a regular file (a device such as /dev/stdout, a named pipe)
// cannot be replaced and is written in place.
func writeFileAtomic(name string, write func(io.Writer) error) (err error) {
	perm, replace := os.FileMode(0o666), false
	if st, serr := os.Stat(name); serr == nil {
		if !st.Mode().IsRegular() {
			f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
			if err != nil {
				return err
			}
			err = write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return err
		}
		perm, replace = st.Mode().Perm(), true
		if real, lerr := filepath.EvalSymlinks(name); lerr == nil {
			name = real
		}
	}
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	var f *os.File
	for range 100 {
		f, err = os.OpenFile(filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if replace { // the permissions of the file replaced, whatever the umask
		if err = os.Chmod(tmp, perm); err != nil {
			return err
		}
	}
	return os.Rename(tmp, name)
}
