package walk

import (
	"bufio"
	"fmt"
	"io"
)

// budgetReader counts the bytes read out of an archive against
// MaxTotalBytes, and watches ctx.
type budgetReader struct {
	w *walker
	r io.Reader
}

func (w *walker) budget(r io.Reader) io.Reader {
	return &budgetReader{w: w, r: r}
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if err := b.w.check(); err != nil {
		return 0, err
	}
	left := b.w.lim.MaxTotalBytes - b.w.rep.ArchiveBytes
	if left <= 0 {
		return 0, b.w.truncate("walk truncated after %s read out of archives (MaxTotalBytes)", sizeString(b.w.lim.MaxTotalBytes))
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.w.rep.ArchiveBytes += int64(n)
	return n, err
}

// byteCounter counts the compressed bytes a decompressor consumes. It is an
// io.ByteReader, so that the decompressors read from it without a buffer
// of their own: the count is what they used, not what they read ahead.
type byteCounter struct {
	br *bufio.Reader
	n  int64
}

func newByteCounter(r io.Reader) *byteCounter {
	return &byteCounter{br: bufio.NewReaderSize(r, 16<<10)}
}

func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.br.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *byteCounter) ReadByte() (byte, error) {
	b, err := c.br.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// ratioSlack is what any stream may decompress to whatever its ratio.
const ratioSlack = 1 << 20

// ratioError is the error of a stream whose ratio went over MaxRatio.
type ratioError struct{ max int64 }

func (e *ratioError) Error() string  { return fmt.Sprintf("decompression ratio over %d:1", e.max) }
func (e *ratioError) reason() string { return e.Error() }

// ratioReader stops a decompressed stream once it has produced more than
// MaxRatio times the compressed bytes consumed (in), and warns once.
type ratioReader struct {
	w    *walker
	loc  string // what is warned about
	what string // what happens then: "entry skipped"
	r    io.Reader
	in   func() int64
	out  int64
	err  error
}

func (w *walker) ratio(loc, what string, r io.Reader, in func() int64) *ratioReader {
	return &ratioReader{w: w, loc: loc, what: what, r: r, in: in}
}

func (rr *ratioReader) Read(p []byte) (int, error) {
	if rr.err != nil {
		return 0, rr.err
	}
	n, err := rr.r.Read(p)
	rr.out += int64(n)
	if rr.out > ratioSlack && (rr.out-1)/rr.w.lim.MaxRatio >= max(rr.in(), 1) {
		rr.err = &ratioError{rr.w.lim.MaxRatio}
		rr.w.warn("%s: decompression ratio over %d:1 (MaxRatio), %s", rr.loc, rr.w.lim.MaxRatio, rr.what)
		return n, rr.err
	}
	return n, err
}

// errReader fails every read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
func (e errReader) Close() error             { return nil }
