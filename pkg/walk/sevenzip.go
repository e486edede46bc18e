package walk

import (
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"strings"
	"sync/atomic"

	"github.com/bodgit/sevenzip"
)

// countingReaderAt counts the bytes read through it: the compressed bytes
// a 7z reader has consumed, for the ratio guard.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// sevenZipError says why a 7z archive or entry could not be read, naming
// encryption when the reader hints at it.
func sevenZipError(err error) string {
	var re *sevenzip.ReadError
	if errors.As(err, &re) && re.Encrypted {
		return "encrypted (7z AES), no password: " + err.Error()
	}
	if strings.Contains(err.Error(), "unsupported compression algorithm") {
		return "unsupported compression method: " + err.Error()
	}
	return err.Error()
}

// open7z reads the headers of a 7z archive. The reader (v1.6.1) panics on
// some malformed headers (found by FuzzWalkBytes): that is an invalid
// archive like any other.
func open7z(ra io.ReaderAt, size int64) (zr *sevenzip.Reader, err error) {
	defer func() {
		if v := recover(); v != nil {
			zr, err = nil, fmt.Errorf("malformed header (the 7z reader failed: %v)", v)
		}
	}()
	return sevenzip.NewReader(ra, size)
}

// errReader7z gives the read errors of a 7z entry their reason, and checks
// its CRC-32 at its end: the 7z reader does not.
type errReader7z struct {
	r   io.Reader
	crc uint32 // as recorded, 0 for none
	h   hash.Hash32
	err error // the first read error, other than io.EOF
}

func (e *errReader7z) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.h.Write(p[:n])
	if err == io.EOF && e.crc != 0 && e.h.Sum32() != e.crc {
		err = fmt.Errorf("checksum error: CRC-32 %08x, recorded %08x", e.h.Sum32(), e.crc)
	}
	if err != nil && err != io.EOF {
		var re *ratioError
		if !errors.As(err, &re) {
			err = errors.New(sevenZipError(err))
		}
		if e.err == nil {
			e.err = err
		}
	}
	return n, err
}

// walk7z walks the 7z archive n of size bytes, read at random from ra.
//
// The entries of a solid block are one compressed stream: reading an
// entry decompresses every entry before it in the block. So that no byte
// is decompressed uncounted, the entries of a block are read in order, and
// what the walk does not read of an entry (beyond MaxFileBytes) is still
// read out, against MaxTotalBytes and the ratio, before the next one. The
// ratio is the archive's: all the bytes decompressed so far over all the
// compressed bytes read. Once an entry of a block fails, the rest of the
// block is not read, and each of its entries is a gap.
func (w *walker) walk7z(n node, ra io.ReaderAt, size int64) error {
	if err := check7zHeader(ra, size, uint64(w.lim.MaxFiles)); err != nil {
		if w.abort != nil {
			return w.abort
		}
		var tm *tooMany7z
		limit := ""
		if errors.As(err, &tm) {
			limit = "files"
		}
		w.gap(n.loc, limit, "not a valid 7z: %v, entries not read", err)
		return nil
	}
	cr := &countingReaderAt{r: ra}
	zr, err := open7z(cr, size)
	if w.abort != nil {
		return w.abort
	}
	if err != nil {
		w.gap(n.loc, "", "not a valid 7z: %s, entries not read", sevenZipError(err))
		return nil
	}
	w.rep.Archives++
	// last is, by block, the index of its last entry with data.
	last := map[int]int{}
	for i, f := range zr.File {
		if f.UncompressedSize > 0 {
			last[f.Stream] = i
		}
	}
	broken := map[int]string{} // by block: why the rest of it is not read
	var out int64              // bytes decompressed so far
	for i, f := range zr.File {
		if err := w.check(); err != nil {
			return err
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		mode := f.Mode()
		size := int64(-1)
		if f.UncompressedSize <= 1<<62 {
			size = int64(f.UncompressedSize)
		}
		visit := true
		switch {
		case mode.IsDir():
			continue
		case mode&fs.ModeSymlink != 0:
			w.rep.Links++
			visit = false
		case !mode.IsRegular():
			w.rep.Special++
			visit = false
		}
		c := n.child(w.entryName(n.loc, f.Name), mode.Perm())
		more := f.UncompressedSize > 0 && last[f.Stream] != i // entries of the same block follow
		if why, ok := broken[f.Stream]; ok && f.UncompressedSize > 0 {
			if visit {
				w.gap(c.loc, "", "not read: %s", why)
				if err := w.emitSkipped(c, size, "not read: "+why); err != nil {
					return err
				}
			}
			continue
		}
		if !visit && !more {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			if w.abort != nil {
				return w.abort
			}
			reason := sevenZipError(err)
			broken[f.Stream] = "an earlier entry of its solid block could not be read"
			if visit {
				w.gap(c.loc, "", "%s, contents not read", reason)
				if err := w.emitSkipped(c, size, "unreadable: "+reason); err != nil {
					return err
				}
			}
			continue
		}
		er := &errReader7z{r: rc, crc: f.CRC32, h: crc32.NewIEEE()}
		rr := w.ratio(n.loc, "rest of the archive skipped", er, cr.n.Load)
		rr.out = out
		r := w.budget(n.loc, rr)
		if visit {
			if err := w.visitReader(c, size, r, nil); err != nil {
				rc.Close()
				return err
			}
		}
		var derr error
		if er.err == nil && rr.err == nil && more && w.abort == nil {
			// What was not read of this entry, read out to reach the next.
			_, derr = io.Copy(io.Discard, r)
		}
		out = rr.out
		rc.Close()
		switch {
		case w.abort != nil:
			return w.abort
		case rr.err != nil: // a gap already
			return nil
		case derr != nil:
			w.gap(c.loc, "", "read error: %v, rest of the solid block not read", derr)
		}
		if fail := firstErr(er.err, derr); fail != nil {
			broken[f.Stream] = fmt.Sprintf("an earlier entry of its solid block failed (%v)", fail)
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
