package walk

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// budgetReader counts the bytes read out of an archive against
// MaxTotalBytes, and watches ctx.
type budgetReader struct {
	w   *walker
	loc string // the archive read, for the gap when the budget runs out
	r   io.Reader
}

func (w *walker) budget(loc string, r io.Reader) io.Reader {
	return &budgetReader{w: w, loc: loc, r: r}
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if err := b.w.check(); err != nil {
		return 0, err
	}
	left := b.w.lim.MaxTotalBytes - b.w.sh.archiveBytes.Load()
	if left <= 0 {
		return 0, b.w.truncate(b.loc, "total-bytes", "walk truncated after %s read out of archives (limit total-bytes): the rest of this archive and what follows not visited", sizeString(b.w.lim.MaxTotalBytes))
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.w.rep.ArchiveBytes += int64(n)
	b.w.sh.archiveBytes.Add(int64(n))
	return n, err
}

// byteCounter gives a decompressor its compressed bytes and counts what
// it has consumed (not what it has read ahead), for the ratio guard. Bytes
// in memory are given as a *bytes.Reader, others through a *bufio.Reader:
// both are io.ByteReaders, which the decompressors read from directly, and
// the ones they have fast paths for.
type byteCounter struct {
	mem  *bytes.Reader // when the compressed bytes are in memory
	size int64         // of mem at the start
	cr   countingReader
	br   *bufio.Reader
}

// newByteCounter reads r, or the bytes of data the section reader r reads
// when data (the archive in memory) is not nil.
func newByteCounter(r io.Reader, data []byte) *byteCounter {
	if sr, ok := r.(*io.SectionReader); ok && data != nil {
		if _, off, n := sr.Outer(); off >= 0 && n >= 0 && off+n <= int64(len(data)) {
			r = bytes.NewReader(data[off : off+n])
		}
	}
	if br, ok := r.(*bytes.Reader); ok {
		return &byteCounter{mem: br, size: int64(br.Len())}
	}
	c := &byteCounter{}
	c.cr.r = r
	c.br = bufio.NewReaderSize(&c.cr, 16<<10)
	return c
}

// reader is what the decompressor reads.
func (c *byteCounter) reader() io.Reader {
	if c.mem != nil {
		return c.mem
	}
	return c.br
}

// consumed is the number of compressed bytes consumed so far.
func (c *byteCounter) consumed() int64 {
	if c.mem != nil {
		return c.size - int64(c.mem.Len())
	}
	return c.cr.n - int64(c.br.Buffered())
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
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
		rr.w.gap(rr.loc, "ratio", "decompression ratio over %d:1 (limit ratio), %s", rr.w.lim.MaxRatio, rr.what)
		return n, rr.err
	}
	return n, err
}

// errReader fails every read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
func (e errReader) Close() error             { return nil }
