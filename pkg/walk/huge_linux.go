package walk

import (
	"syscall"
	"unsafe"
)

// hugePages asks the kernel to back the 2 MiB-aligned part of b's memory
// with transparent huge pages, before it is first touched: a large buffer
// then costs a page fault per 2 MiB instead of one per 4 KiB. It is a hint;
// errors are ignored.
func hugePages(b []byte) {
	const huge = 2 << 20
	if cap(b) < 2*huge {
		return
	}
	b = b[:cap(b)]
	start := uintptr(unsafe.Pointer(&b[0]))
	skip := (huge - start%huge) % huge
	n := (uintptr(len(b)) - skip) / huge * huge
	if n == 0 {
		return
	}
	_ = syscall.Madvise(b[skip:skip+n], 14) // MADV_HUGEPAGE
}
