package walk

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// Zip compression methods beyond the standard library's.
const (
	zipMethodBzip2 = 12
	zipMethodXz    = 95
)

// walkZip walks the zip n of size bytes. appended says the zip was only
// guessed from the end of another file: then failing to read it is no
// warning.
//
// data, when not nil, are the zip's bytes (ra reads them): the
// decompressors then read entries in place.
func (w *walker) walkZip(n node, ra io.ReaderAt, size int64, appended bool, data []byte) error {
	zr, err := zip.NewReader(ra, size)
	if w.abort != nil {
		return w.abort
	}
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		if !appended {
			w.gap(n.loc, "", "not a valid zip: %v", err)
		}
		return nil
	}
	if appended && len(zr.File) == 0 {
		return nil
	}
	w.rep.Archives++
	// The decompressors count what they consume, for the ratio guard.
	var in *byteCounter
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser {
		in = newByteCounter(r, data)
		return newFlateReader(in.reader())
	})
	zr.RegisterDecompressor(zipMethodBzip2, func(r io.Reader) io.ReadCloser {
		in = newByteCounter(r, data)
		return io.NopCloser(bzip2.NewReader(in.reader()))
	})
	zr.RegisterDecompressor(zipMethodXz, func(r io.Reader) io.ReadCloser {
		in = newByteCounter(r, data)
		xr, err := w.newXzReader(in.reader())
		if err != nil {
			return errReader{err}
		}
		return io.NopCloser(xr)
	})
	overlaps := zipOverlaps(zr.File)
	for i, zf := range zr.File {
		if err := w.check(); err != nil {
			return err
		}
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		mode := zf.Mode()
		switch {
		case mode.IsDir():
			continue
		case mode&fs.ModeSymlink != 0:
			w.rep.Links++
			continue
		case !mode.IsRegular():
			w.rep.Special++
			continue
		}
		c := n.child(w.entryName(n.loc, zf.Name), mode)
		size := int64(-1)
		if zf.UncompressedSize64 <= math.MaxInt64 {
			size = int64(zf.UncompressedSize64)
		}
		in = nil
		if err := w.visitZipEntry(c, zf, size, overlaps[i], &in); err != nil {
			return err
		}
	}
	return nil
}

// visitZipEntry visits the entry zf, as c. *in is set, when it is opened,
// to the counter of the compressed bytes its decompressor consumes; it stays
// nil for stored entries.
func (w *walker) visitZipEntry(c node, zf *zip.File, size int64, overlaps bool, in **byteCounter) error {
	if overlaps {
		w.gap(c.loc, "", "entry data overlaps another entry's (a zip bomb?), entry skipped")
		return w.emitSkipped(c, size, "data overlaps another entry")
	}
	if zf.Flags&1 != 0 {
		w.gap(c.loc, "", "encrypted, contents not read")
		return w.emitSkipped(c, size, "encrypted")
	}
	rc, err := zf.Open()
	if err != nil {
		if w.abort != nil {
			return w.abort
		}
		if errors.Is(err, zip.ErrAlgorithm) {
			reason := fmt.Sprintf("unsupported compression method %d", zf.Method)
			w.gap(c.loc, "", "%s, contents not read", reason)
			return w.emitSkipped(c, size, reason)
		}
		w.gap(c.loc, "", "%v, contents not read", err)
		return w.emitSkipped(c, size, "unreadable: "+err.Error())
	}
	defer rc.Close()
	comp := int64(min(zf.CompressedSize64, math.MaxInt64))
	rr := w.ratio(c.loc, "entry skipped", rc, func() int64 {
		if *in != nil {
			return (*in).consumed()
		}
		return comp
	})
	return w.visitReader(c, size, w.budget(c.loc, rr), nil)
}

// zipOverlaps marks the entries whose compressed data begin inside an
// earlier entry's: no zip tool makes them, zip bombs do.
func zipOverlaps(files []*zip.File) []bool {
	type span struct {
		start, end int64
		i          int
	}
	var spans []span
	for i, f := range files {
		off, err := f.DataOffset()
		if err != nil || off < 0 {
			continue
		}
		end := off + int64(min(f.CompressedSize64, math.MaxInt64/2))
		if end < off {
			end = math.MaxInt64
		}
		spans = append(spans, span{off, end, i})
	}
	slices.SortStableFunc(spans, func(a, b span) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	bad := make([]bool, len(files))
	var end int64 = -1
	for _, s := range spans {
		if s.start < end {
			bad[s.i] = true
		}
		end = max(end, s.end)
	}
	return bad
}

var flatePool sync.Pool

// flateReader is a pooled deflate decompressor.
type flateReader struct{ io.ReadCloser }

func newFlateReader(r io.Reader) io.ReadCloser {
	if fr, ok := flatePool.Get().(io.ReadCloser); ok {
		fr.(flate.Resetter).Reset(r, nil)
		return flateReader{fr}
	}
	return flateReader{flate.NewReader(r)}
}

func (f flateReader) Close() error {
	err := f.ReadCloser.Close()
	flatePool.Put(f.ReadCloser)
	return err
}

// walkTar walks the tar n read from r, which counts against MaxTotalBytes.
func (w *walker) walkTar(n node, r io.Reader) error {
	tr := tar.NewReader(r)
	for i := 0; ; i++ {
		if err := w.check(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && hdr != nil) {
			return w.archiveErr(n, "tar", i, err)
		}
		switch hdr.Typeflag {
		case tar.TypeReg, 0, tar.TypeCont, tar.TypeGNUSparse:
		case tar.TypeSymlink, tar.TypeLink:
			w.rep.Links++
			continue
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			w.rep.Special++
			continue
		default: // directories, and what the reader does not resolve
			continue
		}
		c := n.child(w.entryName(n.loc, hdr.Name), fs.FileMode(hdr.Mode).Perm())
		if err := w.visitReader(c, hdr.Size, tr, nil); err != nil {
			return err
		}
	}
}

// walkCompressed walks the gzip, bzip2, xz, zstd, lz4, brotli, lzma,
// snappy, lzip or pbzx stream n read from r: as a tar or cpio if it holds one, else as
// one file named without the suffix.
// count says whether the stream is an archive of its own in the Report,
// not the payload of one.
func (w *walker) walkCompressed(n node, k kind, r io.Reader, count bool) error {
	in := newByteCounter(r, nil)
	var dec io.Reader
	var err error
	switch k {
	case kindGzip:
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(in.reader()); err == nil {
			dec = zr
		}
	case kindBzip2:
		dec = bzip2.NewReader(in.reader())
	case kindXz:
		dec, err = w.newXzReader(in.reader())
	case kindZstd:
		var zr *zstd.Decoder
		if zr, err = zstd.NewReader(in.reader(), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(maxXzDict), zstd.WithDecoderMaxMemory(maxXzDict)); err == nil {
			defer zr.Close()
			dec = zr
		}
	case kindLz4:
		dec = lz4.NewReader(in.reader())
	case kindBrotli:
		// Named .br, perhaps wrongly: a stream that does not decode is a
		// read error of its contents, and a gap.
		dec = brotli.NewReader(in.reader())
	case kindLzma:
		// Told by a strict check of its header, or declared lzma by its
		// container: a stream that does not decode is a gap.
		dec, err = newLzmaReader(in.reader())
	case kindSnappy:
		dec = s2.NewReader(in.reader()) // Snappy's framed format, and S2's
	case kindLzip:
		dec, err = newLzipReader(in.reader()) // lzip.go
	case kindPbzx:
		dec, err = w.newPbzxReader(in.reader()) // pbzx.go
	}
	if err != nil {
		if w.abort != nil {
			return w.abort
		}
		w.gap(n.loc, "", "not a valid %s: %v", k, err)
		return nil
	}
	if count {
		w.rep.Archives++
	}
	rr := w.ratio(n.loc, "rest of the stream skipped", dec, in.consumed)
	out := bufio.NewReaderSize(w.budget(n.loc, rr), 64<<10)
	head, _ := out.Peek(headLen)
	if w.abort != nil {
		return w.abort
	}
	switch {
	case isTar(head):
		return w.walkTar(n, out)
	case isCpio(head):
		return w.walkCpio(n, out)
	}
	// A read error here comes again, and is warned, when the file is read.
	return w.visitReader(n.child(decompressedName(n.name), n.mode), -1, out, nil)
}

// decompressedName is the name of a compressed file without its suffix.
func decompressedName(name string) string {
	lower := strings.ToLower(name)
	for _, s := range [...]struct{ suffix, repl string }{
		{".tgz", ".tar"}, {".taz", ".tar"}, {".tbz2", ".tar"}, {".tbz", ".tar"}, {".txz", ".tar"},
		{".svgz", ".svg"}, {".gz", ""}, {".gzip", ""}, {".bz2", ""}, {".bz", ""}, {".xz", ""},
		{".tzst", ".tar"}, {".zst", ""}, {".zstd", ""}, {".tlz4", ".tar"}, {".lz4", ""}, {".br", ""},
		{".tlz", ".tar"}, {".lzma", ""}, {".sz", ""}, {".s2", ""}, {".lz", ""},
	} {
		if strings.HasSuffix(lower, s.suffix) && len(name) > len(s.suffix) {
			return name[:len(name)-len(s.suffix)] + s.repl
		}
	}
	return name
}

// maxXzDict is the largest xz dictionary allowed: the reader allocates it
// whole, whatever the data. xz -9 uses 64 MiB.
const maxXzDict = 256 << 20

// newXzReader reads an xz stream, refusing a first block whose dictionary
// is over maxXzDict.
func (w *walker) newXzReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(12 + 1024)
	if d := xzFirstDict(head); d > maxXzDict {
		return nil, fmt.Errorf("dictionary of %d MiB, over the %d MiB allowed", d>>20, maxXzDict>>20)
	}
	xr, err := xz.NewReader(br)
	if err != nil {
		return nil, err
	}
	return xr, nil
}

// maxLzmaSize is the largest uncompressed size an LZMA-alone header may
// declare for isLzma to take it for one (1 TiB); a stream of unknown size
// declares 2^64-1.
const maxLzmaSize = 1 << 40

// isLzma tells an LZMA-alone stream (.lzma, what lzma(1), xz
// --format=lzma and the LZMA SDK write) from its 13-byte header, which has
// no magic number, strictly enough not to take other files for one: the
// properties byte (lc, lp, pb) under 225, a dictionary of 4 KiB to 1.5 GiB
// that is 2^n or 2^n+2^(n-1) (as the encoders round it), a size unknown or
// of 1 byte to maxLzmaSize, and the first byte of the range coder, always
// 0.
func isLzma(head []byte) bool {
	if len(head) < 14 || head[0] >= 9*5*5 || head[13] != 0 {
		return false
	}
	d := binary.LittleEndian.Uint32(head[1:])
	if d < 4<<10 || d > 3<<29 {
		return false
	}
	if d&(d-1) != 0 { // not 2^n: then 3*2^(n-1)
		if q := d / 3; q*3 != d || q&(q-1) != 0 {
			return false
		}
	}
	size := binary.LittleEndian.Uint64(head[5:])
	return size == math.MaxUint64 || size >= 1 && size <= maxLzmaSize
}

// newLzmaReader reads an LZMA-alone stream, refusing a dictionary over
// maxXzDict (the reader allocates it whole, up to the declared size).
func newLzmaReader(r io.Reader) (io.Reader, error) {
	br, ok := r.(interface {
		io.Reader
		io.ByteReader
		Peek(int) ([]byte, error)
	})
	if !ok {
		br = bufio.NewReaderSize(r, 4096)
	}
	head, _ := br.Peek(lzma.HeaderLen)
	if len(head) == lzma.HeaderLen {
		if d := binary.LittleEndian.Uint32(head[1:]); d > maxXzDict {
			return nil, fmt.Errorf("dictionary of %d MiB, over the %d MiB allowed", d>>20, maxXzDict>>20)
		}
	}
	lr, err := lzma.ReaderConfig{DictCap: maxXzDict}.NewReader(br)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "lzma: "))
	}
	return &lzmaReader{r: lr}, nil
}

// lzmaReader makes the errors of an lzma.Reader final. Its Read returns
// an error before the bytes decoded ahead of it (a dictionary's worth at
// most), then those bytes and io.EOF after a truncation, or bytes decoded
// past corrupt data: a reader that saw the error once (bufio's Peek) would
// take the stream for whole. The bytes decoded with the error are lost.
type lzmaReader struct {
	r   io.Reader
	err error
}

func (l *lzmaReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

// xzFirstDict returns the LZMA2 dictionary size of the first block of the
// xz stream that begins with head, or 0.
func xzFirstDict(head []byte) int64 {
	if len(head) < 14 || head[12] == 0 {
		return 0
	}
	hsize := (int(head[12]) + 1) * 4
	if len(head) < 12+hsize {
		return 0
	}
	b := head[12 : 12+hsize]
	flags := b[1]
	p := 2
	uvarint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && p < len(b); i++ {
			c := b[p]
			p++
			v |= uint64(c&0x7f) << (7 * i)
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	for _, f := range []byte{0x40, 0x80} {
		if flags&f != 0 {
			if _, ok := uvarint(); !ok {
				return 0
			}
		}
	}
	for range int(flags&3) + 1 {
		id, ok1 := uvarint()
		size, ok2 := uvarint()
		if !ok1 || !ok2 || size > uint64(len(b)-p) {
			return 0
		}
		props := b[p : p+int(size)]
		p += int(size)
		if id == 0x21 && len(props) == 1 {
			c := props[0]
			switch {
			case c > 40:
				return 0
			case c == 40:
				return 1<<32 - 1
			}
			return int64(2|c&1) << (c/2 + 11)
		}
	}
	return 0
}
