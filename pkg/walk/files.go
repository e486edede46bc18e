package walk

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"iter"
	"path"
)

// Opener is a file of WalkFiles: where it is, and how to read it.
type Opener struct {
	// Location is the file's File.Location: "usr/bin/ls". It is used as
	// it is.
	Location string
	// Size is the file's size, or -1 when unknown.
	Size int64
	Mode fs.FileMode
	// Open opens the contents; WalkFiles closes them. A reader that is
	// also an io.ReaderAt is read at random, as a file on disk is: its
	// size is found by seeking to its end when it is an io.Seeker, and is
	// Size otherwise. Archives in a file larger than MaxFileBytes are
	// then walked whatever their format (zip, 7z, ISO 9660, squashfs, msi,
	// ...); from a plain reader only those that can be read as a stream
	// are.
	Open func() (io.ReadCloser, error)
	// Err, when not nil, says why the file could not be found: it is a
	// gap at Location ("unreadable: ERR, contents not read"), and Open
	// is not called.
	Err error
}

// WalkFiles is WalkParallel for files given one by one, in walk order,
// rather than listed from a directory: the files of an image's file
// system. files is read on the caller's goroutine; each file is opened,
// read and its archives walked by one of up to workers goroutines, which
// call fn as WalkParallel's do (File.Unit numbers the files in walk
// order). Limits hold for the walk as a whole, as in WalkParallel, and a
// file that cannot be opened is a gap and is visited with Skipped set.
// The Report is the one of a sequential walk of the same files: counts
// summed, warnings and gaps in walk order.
func WalkFiles(ctx context.Context, files iter.Seq[Opener], lim Limits, workers int, fn func(f *File) error, opts ...Option) (Report, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := startPool(ctx, &shared{cancel: cancel, big: make(chan struct{}, 1)}, lim, max(workers, 1), fn, opts)
	lister := newWalker(ctx, lim, fn)
	lister.sh = p.sh
	for o := range files {
		if lister.check() != nil {
			break
		}
		if o.Err != nil {
			lister.gap(o.Location, "", "unreadable: %v, contents not read", o.Err)
			continue
		}
		if p.send(ctx, lister, diskJob{loc: o.Location, file: &o}) != nil {
			break
		}
	}
	return p.finish(lister)
}

// visitOpener visits a file of WalkFiles.
func (w *walker) visitOpener(o *Opener) error {
	n := node{loc: o.Location, name: path.Base(o.Location), mode: o.Mode}
	rc, err := o.Open()
	if err != nil {
		w.gap(n.loc, "", "unreadable: %v, contents not read", err)
		return w.emitSkipped(n, o.Size, "unreadable: "+err.Error())
	}
	defer rc.Close()
	size := o.Size
	if ra, ok := rc.(io.ReaderAt); ok {
		if s, ok := rc.(io.Seeker); ok {
			if end, err := s.Seek(0, io.SeekEnd); err == nil {
				size = end
			}
		}
		if size >= 0 {
			// Read at random, and from the start through the same
			// ReadAt: the reader's own offset is not used.
			d := &openedReader{w: w, ra: ra}
			r := io.NewSectionReader(d, 0, size)
			switch {
			case size > w.lim.MaxFileBytes:
				return w.visitLarge(n, size, r, r)
			case size >= bigFile:
				return w.visitBig(n, size, r, d)
			}
			return w.visitReader(n, size, r, r)
		}
	}
	return w.visitReader(n, size, &openedReader{w: w, r: rc}, nil)
}

// bigFile is the size from which a file on disk or of WalkFiles is read
// into memory of its own (bigBuf), given back as soon as it is visited,
// rather than into the buffer a worker keeps from one file to the next: on
// a real system they are few (90 of the 60,226 files of a /usr/lib) but
// most of the bytes (3.1 of 4.6 GB), and on the heap each would raise the
// collector's goal and the process's memory until the scavenger ran.
const bigFile = 8 << 20

// visitBig visits the file n, of size bytes (bigFile to MaxFileBytes),
// read from r from its start; ra, when not nil, reads it at random. A
// file read for its bytes alone is read in windows (window.go); any other
// is read whole, into memory of its own. A file that turns out longer
// than size (it grew since it was listed) is read on as a stream, as
// visitReader does.
func (w *walker) visitBig(n node, size int64, r io.Reader, ra io.ReaderAt) error {
	var head []byte
	if ra != nil {
		buf := w.windowBuf()
		m, err := io.ReadFull(r, buf[:min(int64(len(buf)), size)])
		if err != nil && err != io.ErrUnexpectedEOF {
			return w.bigReadError(n, size, err)
		}
		head = buf[:m]
		if w.windowed(n, head, ra, size) {
			return w.visitWindows(n, size, r, head)
		}
	}
	if w.sh.big != nil {
		select {
		case w.sh.big <- struct{}{}:
			defer func() { <-w.sh.big }()
		case <-w.ctx.Done():
			return w.check()
		}
	}
	buf, free := bigBuf(int(size))
	defer free()
	c := copy(buf, head)
	m, err := io.ReadFull(r, buf[c:])
	m += c
	if err == io.ErrUnexpectedEOF || err == io.EOF && c > 0 { // shorter than it was: what there is
		err = nil
	}
	if err != nil {
		return w.bigReadError(n, size, err)
	}
	if m == len(buf) {
		var one [1]byte
		if k, _ := io.ReadFull(r, one[:]); k == 1 {
			return w.visitReader(n, -1, io.MultiReader(bytes.NewReader(buf), bytes.NewReader(one[:]), r), nil)
		}
		if w.abort != nil {
			return w.abort
		}
	}
	return w.visitData(n, buf[:m])
}

// bigReadError records a large file that could not be read.
func (w *walker) bigReadError(n node, size int64, err error) error {
	if w.abort != nil {
		return w.abort
	}
	w.lastReadErr = err
	w.gap(n.loc, "", "read error: %v, contents not read", err)
	return w.emitSkipped(n, size, "unreadable: "+err.Error())
}

// openedReader reads a file of WalkFiles, counting the bytes and watching
// ctx, as diskReader does a file on disk.
type openedReader struct {
	w  *walker
	r  io.Reader
	ra io.ReaderAt
}

func (d *openedReader) Read(p []byte) (int, error) {
	if err := d.w.check(); err != nil {
		return 0, err
	}
	n, err := d.r.Read(p)
	d.w.rep.Bytes += int64(n)
	return n, err
}

// uncounted reads the file at random without counting the bytes read.
func (d *openedReader) uncounted() io.ReaderAt { return d.ra }

func (d *openedReader) ReadAt(p []byte, off int64) (int, error) {
	if err := d.w.check(); err != nil {
		return 0, err
	}
	n, err := d.ra.ReadAt(p, off)
	d.w.rep.Bytes += int64(n)
	return n, err
}
