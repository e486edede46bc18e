package walk

import (
	"errors"
	"io"
	"io/fs"

	"github.com/nwaples/rardecode/v2"
)

// rarError says why a rar archive or entry could not be read.
func rarError(err error) error {
	var why string
	switch {
	case errors.Is(err, rardecode.ErrArchiveEncrypted), errors.Is(err, rardecode.ErrArchivedFileEncrypted), errors.Is(err, rardecode.ErrBadPassword):
		why = "encrypted (rar), no password"
	case errors.Is(err, rardecode.ErrMultiVolume):
		why = "multi-volume rar, the rest is in another volume"
	case errors.Is(err, rardecode.ErrUnsupportedDecoder), errors.Is(err, rardecode.ErrUnknownDecoder), errors.Is(err, rardecode.ErrUnknownVersion):
		why = "unsupported compression method"
	case errors.Is(err, rardecode.ErrDictionaryTooLarge):
		why = "dictionary over the 256 MiB allowed"
	default:
		return err
	}
	return errors.New(why + ": " + err.Error())
}

// errReaderRar gives the read errors of a rar entry their reason.
type errReaderRar struct {
	r   io.Reader
	err error // the first read error, other than io.EOF
}

func (e *errReaderRar) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		err = rarError(err)
		if e.err == nil {
			e.err = err
		}
	}
	return n, err
}

// walkRar walks the rar (1.5 to 5) archive n read from r.
//
// In a solid rar every entry depends on those before it, and skipping to
// the next entry decompresses the rest of this one: so what the walk does
// not read of an entry is still read out, against MaxTotalBytes and the
// ratio, before the next. The ratio is the archive's: all the bytes
// decompressed so far over all the compressed bytes read.
func (w *walker) walkRar(n node, r io.Reader) error {
	in := &countingReader{r: r}
	rd, err := rardecode.NewReader(in, rardecode.MaxDictionarySize(maxXzDict))
	if err != nil {
		if w.abort != nil {
			return w.abort
		}
		w.gap(n.loc, "", "not a valid rar: %v, entries not read", rarError(err))
		return nil
	}
	var out int64 // bytes decompressed so far
	inBytes := func() int64 { return in.n }
	for i := 0; ; i++ {
		if err := w.check(); err != nil {
			return err
		}
		hdr, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, rardecode.ErrMultiVolume) {
			w.gap(n.loc, "", "multi-volume rar: what follows is in other volumes, not read")
			return nil
		}
		if err != nil {
			return w.archiveErr(n, "rar", i, rarError(err))
		}
		mode := hdr.Mode()
		visit := true
		switch {
		case hdr.IsDir || mode.IsDir():
			continue
		case mode&fs.ModeSymlink != 0 || hdr.LinkType != 0:
			w.rep.Links++
			visit = false
		case !mode.IsRegular():
			w.rep.Special++
			visit = false
		}
		c := n.child(w.entryName(n.loc, hdr.Name), mode.Perm())
		size := hdr.UnPackedSize
		if hdr.UnKnownSize || size < 0 {
			size = -1
		}
		if hdr.Encrypted {
			if visit {
				w.gap(c.loc, "", "encrypted (rar), no password, contents not read")
				if err := w.emitSkipped(c, size, "encrypted"); err != nil {
					return err
				}
			}
			continue
		}
		er := &errReaderRar{r: rd}
		rr := w.ratio(n.loc, "rest of the archive skipped", er, inBytes)
		rr.out = out
		br := w.budget(n.loc, rr)
		if visit {
			if err := w.visitReader(c, size, br, nil); err != nil {
				return err
			}
		}
		var derr error
		if er.err == nil && rr.err == nil && w.abort == nil {
			// What was not read of this entry, read out to reach the next.
			_, derr = io.Copy(io.Discard, br)
		}
		out = rr.out
		switch {
		case w.abort != nil:
			return w.abort
		case rr.err != nil: // a gap already
			return nil
		case derr != nil:
			w.gap(c.loc, "", "read error: %v, contents not read", derr)
		}
		if er.err != nil {
			w.lastReadErr = er.err
		}
	}
}
