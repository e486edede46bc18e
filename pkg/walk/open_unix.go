//go:build unix

package walk

import (
	"os"
	"syscall"
)

// openFile opens a regular file for reading without following a symbolic
// link, and without blocking should it have become a FIFO since its
// directory was read.
func openFile(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
