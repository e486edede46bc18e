//go:build unix

package walk

import (
	"io"
	"io/fs"
	"syscall"
)

// fdFile is a file on disk read with system calls alone: an *os.File costs
// two more per file (registering with the poller, and its finalizer),
// which on trees of small files is time rg does not spend.
type fdFile struct {
	fd   int
	name string
}

// openFile opens a regular file for reading without following a symbolic
// link, and without blocking should it have become a FIFO since its
// directory was read.
func openFile(name string) (diskFile, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &fdFile{fd: fd, name: name}, nil
	}
}

func (f *fdFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *fdFile) ReadAt(p []byte, off int64) (int, error) {
	total := 0
	for total < len(p) {
		n, err := syscall.Pread(f.fd, p[total:], off+int64(total))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return total, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return total, io.EOF
		}
		total += n
	}
	return total, nil
}

func (f *fdFile) Close() error { return syscall.Close(f.fd) }

func (f *fdFile) Stat() (int64, fs.FileMode, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Fstat(f.fd, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, 0, &fs.PathError{Op: "stat", Path: f.name, Err: err}
		}
		return st.Size, fileMode(uint32(st.Mode)), nil
	}
}

// fileMode converts a stat mode as package os does.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
