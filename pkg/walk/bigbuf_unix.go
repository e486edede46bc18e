//go:build unix

package walk

import "syscall"

// bigBuf returns n bytes of memory outside the Go heap, for the contents of
// one large file, and the function that gives them back. Memory a large
// file is read into is garbage once the file is visited; on the heap it
// would raise the collector's goal (twice the live heap) by twice its size
// until the next collection, and stay in the process until the scavenger
// returns it. Mapped memory goes back to the kernel when it is unmapped.
// Where mapping fails, the memory is from the heap.
func bigBuf(n int) ([]byte, func()) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, n), func() {}
	}
	hugePages(b)
	return b, func() { _ = syscall.Munmap(b) }
}
