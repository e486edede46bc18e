//go:build !unix

package walk

// bigBuf returns n bytes for the contents of one large file, and the
// function that gives them back (a no-op: they are on the heap).
func bigBuf(n int) ([]byte, func()) { return make([]byte, n), func() {} }
