// Package walk visits every regular file of a directory, file or archive,
// and of the archives inside them, within limits.
//
// Inputs are untrusted: products from vendors, bids. Nothing is ever
// extracted to disk. Archive entries are read into memory, up to
// Limits.MaxFileBytes each, so a hostile entry name cannot write anywhere;
// names are still cleaned for reporting (see File.Location).
//
// Archives are recognised by their contents, never by their names: zip
// (and jar, war, ear, apk, aar, nupkg, whl, ...; deflate, bzip2 and xz
// entries), a zip appended to another file (self-extracting installers),
// tar, gzip, bzip2, xz, zstd, lz4 (frames), ar (.deb packages, static
// libraries), cpio ("newc"), rpm (gzip, bzip2, xz, zstd or uncompressed
// payloads), 7z (solid or not; not encrypted ones, nor methods the reader
// lacks, such as PPMd) and rar (1.5 to 5, read only; not encrypted or
// multi-volume ones). Brotli has no magic number: a file named .br is
// opened as brotli, and one that does not decode is a gap. A compressed
// stream holding a tar or cpio is walked as that archive (x.tar.gz!a/b);
// any other compressed stream is one file named without its suffix
// (x.gz!x). Firmware and disk images: squashfs 4 (not lzo or lzma ones),
// ISO 9660 (Rock Ridge and Joliet names), the payload of U-Boot legacy
// images, the images of a U-Boot FIT (fit.go), ext2/3/4 and FAT
// filesystems (ext.go, fat.go) and the partitions of MBR and GPT disk
// images (disk.go) are walked. Windows installers: cabinets (stored, MSZIP
// and LZX folders, lzx.go; Quantum ones are gaps), cabinets and 7z
// archives in the overlay of a PE file, msi packages, whose streams are
// walked (installer.go), and NSIS installers (zlib or LZMA, solid or not;
// nsis.go). Inno Setup installers are gaps whose bytes are still visited
// as a plain file; lzma and dmg files are plain files.
//
// A file named AndroidManifest.xml in Android binary XML (an APK's) is
// visited as text XML in place of its bytes, as an msi's tables are
// (axml.go).
//
// Every limit hit, bad entry and unreadable archive is a warning in the
// Report, and the walk goes on: a corrupt archive is still visited as a
// plain file. Those that leave contents unread are also Gaps, so that a
// caller never takes a walk with gaps for one that saw everything. Only
// the caller's function, context cancellation and errors on the root
// itself end a walk with an error. A panic in the caller's
// function is not recovered.
package walk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
)

// Limits bound a walk: see limits.Walk for each. A zero field takes its
// default (DefaultLimits); pkg/limits owns the defaults and fills them in.
type Limits = limits.Walk

// Defaults of Limits.
const (
	DefaultMaxDepth      = limits.DefaultArchiveDepth
	DefaultMaxFiles      = limits.DefaultFiles
	DefaultMaxFileBytes  = limits.DefaultFileBytes
	DefaultMaxTotalBytes = limits.DefaultTotalBytes
	DefaultMaxRatio      = limits.DefaultRatio
)

// DefaultLimits returns the default limits.
func DefaultLimits() Limits { return limits.Default().Walk }

// Separator joins an archive's location and the name of an entry inside it.
const Separator = "!"

// File is one regular file met by a walk.
type File struct {
	// Location is the path from the walked root with "/" separators:
	// "bin/agent.exe". Inside archives the names are joined with "!":
	// "dist/app.tar.gz!opt/x/lib.zip!lib/libkav.so". Names of archive
	// entries are cleaned: no leading "/", no "..", no control characters,
	// and a "!" in a name is written "%21". Names on disk are as they are.
	// The root itself is named by its base name when it is a file, and
	// by the name given to WalkBytes.
	Location string
	// Name is the base name.
	Name string
	// Size is the size in bytes: as read, or as declared when Data is nil
	// (-1 when unknown).
	Size int64
	Mode fs.FileMode
	// Depth is 0 for files on disk, 1 inside an archive, 2 inside an
	// archive inside an archive, ...
	Depth int
	// Data are the contents, nil when Skipped. They are only valid during
	// the call: the walker may reuse them.
	Data []byte
	// Windows, for a large file read for its bytes alone (no reader
	// opens it and it is not a PE file: window.go), stands for Data, which
	// is nil: it reads the file in order and calls yield with each Window
	// until the end or until yield returns false. Its error is a read
	// error, which the walk also records as a gap. It may be called once,
	// during the call to fn only; the file is read only as far as it is.
	Windows func(yield func(Window) bool) error
	// Skipped says why Data is nil: "larger than 256 MiB", "decompression
	// ratio over 1000:1", "encrypted", "unreadable: ...".
	Skipped string
	// Unit numbers the files on disk in walk order: a file on disk and
	// every entry of its archives have the same Unit, and a later file on
	// disk a greater one (not always the next). Sorting files by Unit,
	// stably, gives walk order back after WalkParallel.
	Unit int
}

// Report says what a walk did.
type Report struct {
	Files    int // regular files visited (calls of fn)
	Archives int // archives opened (a tar.gz is one)
	Skipped  int // files visited with Data == nil
	// Bytes are the bytes read from disk, or given to WalkBytes.
	Bytes int64
	// ArchiveBytes are the bytes read out of archives, decompressed, at
	// every nesting level: what MaxTotalBytes bounds.
	ArchiveBytes int64
	Links        int // symbolic and hard links, on disk and in archives, not followed
	Special      int // devices, FIFOs, sockets, ... not read
	// Truncated is set when MaxFiles or MaxTotalBytes stopped the walk
	// before its end.
	Truncated bool
	// Warnings are every limit hit, bad entry and unreadable or unsupported
	// archive, in walk order: "dist/app.zip!etc/passwd: path traversal in
	// entry name \"../../etc/passwd\", name cleaned". After MaxWarnings
	// the rest are only counted, in a last warning.
	Warnings []string
	// Gaps are the parts of the input whose contents were not inspected,
	// each also a warning: a limit hit (archive-depth, file-bytes, ratio,
	// files, total-bytes), an archive or entry that could not be read
	// (corrupt, encrypted, unsupported compression), a file that could not
	// be opened. A walk with gaps did not read every byte it was given,
	// so its caller cannot say that nothing is there. After MaxGaps the
	// rest are only counted, in GapCount.
	Gaps []Gap
	// GapCount is the number of gaps, listed or not.
	GapCount int
}

// Gap is a part of the input whose contents were not inspected.
type Gap struct {
	// Location is where, as File.Location.
	Location string
	// Reason says what was not read and why: "zip archive nested deeper
	// than 6 levels (limit archive-depth), not opened".
	Reason string
	// Limit names the limit that was hit (see pkg/limits), or "" when the
	// part could not be read for another reason.
	Limit string
}

// String is the gap as a warning: "LOCATION: REASON".
func (g Gap) String() string { return g.Location + ": " + g.Reason }

// MaxWarnings bounds Report.Warnings.
const MaxWarnings = 10000

// MaxGaps bounds Report.Gaps.
const MaxGaps = 1000

// Add adds the counts and warnings of o to r, for callers that walk several
// roots into one report.
func (r *Report) Add(o Report) {
	r.Files += o.Files
	r.Archives += o.Archives
	r.Skipped += o.Skipped
	r.Bytes += o.Bytes
	r.ArchiveBytes += o.ArchiveBytes
	r.Links += o.Links
	r.Special += o.Special
	r.Truncated = r.Truncated || o.Truncated
	r.Warnings = append(r.Warnings, o.Warnings...)
	r.addGaps(o.Gaps, o.GapCount)
}

// AddGap records a gap and its warning, for callers that read parts of an
// input themselves (the files of an image).
func (r *Report) AddGap(g Gap) {
	if len(r.Warnings) < MaxWarnings {
		r.Warnings = append(r.Warnings, g.String())
	}
	r.addGaps([]Gap{g}, 1)
}

// addGaps adds gaps, of count in all, keeping at most MaxGaps listed.
func (r *Report) addGaps(gaps []Gap, count int) {
	r.GapCount += count
	room := max(MaxGaps-len(r.Gaps), 0)
	r.Gaps = append(r.Gaps, gaps[:min(len(gaps), room)]...)
}

// Walk visits root (a directory, a regular file, or an archive file) and
// calls fn for every regular file, archives included: fn sees the archive
// file itself, then its entries. fn must not keep f.Data after returning.
//
// A walk is deterministic: directories in sorted name order, archives in
// their own order. Symbolic links are not followed (root itself may be
// one); devices, FIFOs and sockets are not read; they are counted in the
// Report, without a warning. A file that cannot be read is a warning, and
// is visited with Skipped set.
//
// fn may return fs.SkipDir to have an archive file not opened, and
// fs.SkipAll to end the walk without an error. Any other error from fn ends
// the walk and is returned as is; so is ctx.Err() when ctx is done. A walk
// stopped by MaxFiles or MaxTotalBytes returns a nil error and a Report
// with Truncated set. The Report is valid in every case.
func Walk(ctx context.Context, root string, lim Limits, fn func(f *File) error) (Report, error) {
	w := newWalker(ctx, lim, fn)
	defer repanic()
	real, err := filepath.EvalSymlinks(root) // the root may be a link; nothing under it is followed
	if err != nil {
		return w.rep, err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return w.rep, err
	}
	switch {
	case fi.IsDir():
		err = w.walkDir(real, "")
	case fi.Mode().IsRegular():
		err = w.visitDiskFile(real, filepath.Base(root))
	default:
		return w.rep, fmt.Errorf("%s: not a directory or regular file (%v)", root, fi.Mode().Type())
	}
	return w.finish(err)
}

// WalkBytes is Walk for one file in memory, named name (its Location). Its
// Depth is 0 and its Mode 0o644.
func WalkBytes(ctx context.Context, name string, data []byte, lim Limits, fn func(f *File) error) (Report, error) {
	w := newWalker(ctx, lim, fn)
	defer repanic()
	w.rep.Bytes = int64(len(data))
	n := node{loc: name, name: path.Base(filepath.ToSlash(name)), mode: 0o644}
	var err error
	if int64(len(data)) <= w.lim.MaxFileBytes {
		err = w.visitData(n, data)
	} else {
		r := bytes.NewReader(data)
		err = w.visitLarge(n, int64(len(data)), r, bytes.NewReader(data))
	}
	return w.finish(err)
}

// Internal reasons to stop.
var (
	errTruncated = errors.New("walk truncated")
	errSkipAll   = errors.New("skip all")
)

// fnError carries an error of the caller's function up the walk.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }

// fnPanic carries a panic of the caller's function through the walker's
// own recovery from panicking archive readers.
type fnPanic struct{ v any }

// repanic raises again, as it was, a panic of the caller's function.
func repanic() {
	if v := recover(); v != nil {
		if p, ok := v.(fnPanic); ok {
			panic(p.v)
		}
		panic(v)
	}
}

type walker struct {
	ctx context.Context
	lim Limits
	fn  func(*File) error
	rep Report
	// abort, once set, ends the walk: ctx.Err(), errTruncated, errSkipAll
	// or an *fnError.
	abort   error
	dropped int // warnings past MaxWarnings
	// lastReadErr is the error of the last failed entry read, so that the
	// same error met again by the archive reader is not warned twice.
	lastReadErr error
	bufs        [][]byte // by depth, the buffers of the files read, reused
	window      []byte   // the buffer of a file read in windows (window.go)
	// sh holds what the walkers of one walk share; there is more than one
	// in WalkParallel.
	sh *shared
	// unit is File.Unit of the files visited now.
	unit int
	// dispatch, when set, visits a regular file on disk in place of
	// visitDiskFile (WalkParallel's lister).
	dispatch func(p, loc string) error
}

func newWalker(ctx context.Context, lim Limits, fn func(*File) error) *walker {
	return &walker{ctx: ctx, lim: lim.WithDefaults(), fn: fn, sh: &shared{}}
}

// setAbort records the reason to stop, for this walker and every other of
// the walk.
func (w *walker) setAbort(err error) {
	if w.abort == nil {
		w.abort = err
		w.sh.stop(err)
	}
}

func (w *walker) finish(err error) (Report, error) {
	if w.dropped > 0 {
		w.rep.Warnings = append(w.rep.Warnings, fmt.Sprintf("%d more warnings not listed", w.dropped))
	}
	if err == nil {
		err = w.abort
	}
	var fe *fnError
	switch {
	case err == nil, err == errTruncated, err == errSkipAll:
		return w.rep, nil
	case errors.As(err, &fe):
		return w.rep, fe.err
	}
	return w.rep, err
}

func (w *walker) warn(format string, args ...any) {
	if len(w.rep.Warnings) >= MaxWarnings {
		w.dropped++
		return
	}
	w.rep.Warnings = append(w.rep.Warnings, fmt.Sprintf(format, args...))
}

// gap warns that the contents of loc were not inspected, and records it
// as a gap. limit names the limit hit, or is "".
func (w *walker) gap(loc, limit, format string, args ...any) {
	reason := fmt.Sprintf(format, args...)
	w.warn("%s: %s", loc, reason)
	w.rep.addGaps([]Gap{{Location: loc, Reason: reason, Limit: limit}}, 1)
}

// check returns the reason to stop, if any.
func (w *walker) check() error {
	if w.abort == nil {
		if err := w.sh.reason(); err != nil {
			w.abort = err
		} else if err := w.ctx.Err(); err != nil {
			w.setAbort(err)
		}
	}
	return w.abort
}

// truncate stops the walk because of limit, at loc.
func (w *walker) truncate(loc, limit, format string, args ...any) error {
	if w.abort == nil {
		w.abort = errTruncated
		if w.sh.stop(errTruncated) { // one gap, where the walk stopped first
			w.gap(loc, limit, format, args...)
			w.rep.Truncated = true
		}
	}
	return w.abort
}

// node is a file about to be visited.
type node struct {
	loc, name string
	depth     int
	mode      fs.FileMode
	declared  kind // what its container declares it compressed with (a uImage's lzma), when detect finds nothing
}

func (n node) child(name string, mode fs.FileMode) node {
	return node{loc: n.loc + Separator + name, name: path.Base(name), depth: n.depth + 1, mode: mode}
}

// emit calls fn. descend says whether fn lets an archive be opened.
func (w *walker) emit(f *File) (descend bool, err error) {
	if err := w.check(); err != nil {
		return false, err
	}
	if w.sh.files.Add(1) > int64(w.lim.MaxFiles) {
		return false, w.truncate(f.Location, "files", "walk truncated at %d files (limit files): this file and what follows not visited", w.lim.MaxFiles)
	}
	w.rep.Files++
	f.Unit = w.unit
	if f.Data == nil && f.Windows == nil {
		w.rep.Skipped++
	}
	err = w.callFn(f)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.SkipDir):
		return false, nil
	case errors.Is(err, fs.SkipAll):
		w.setAbort(errSkipAll)
	default:
		w.setAbort(&fnError{err})
	}
	return false, w.abort
}

func (w *walker) callFn(f *File) error {
	defer func() {
		if v := recover(); v != nil {
			panic(fnPanic{v})
		}
	}()
	return w.fn(f)
}

// emitSkipped visits a file without its contents.
func (w *walker) emitSkipped(n node, size int64, reason string) error {
	_, err := w.emit(&File{Location: n.loc, Name: n.name, Size: size, Mode: n.mode, Depth: n.depth, Skipped: reason})
	return err
}

// walkDir visits the directory at dir, whose location is loc ("" for the
// root).
func (w *walker) walkDir(dir, loc string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.gap(orDot(loc), "", "%v", fserr.WithOp(err))
	}
	for _, e := range entries {
		if err := w.check(); err != nil {
			return err
		}
		p := filepath.Join(dir, e.Name())
		l := e.Name()
		if loc != "" {
			l = loc + "/" + l
		}
		t := e.Type()
		switch {
		case t&fs.ModeSymlink != 0:
			w.rep.Links++
		case t.IsDir():
			if err := w.walkDir(p, l); err != nil {
				return err
			}
		case t.IsRegular() && w.dispatch != nil:
			if err := w.dispatch(p, l); err != nil {
				return err
			}
		case t.IsRegular():
			if err := w.visitDiskFile(p, l); err != nil {
				return err
			}
			w.unit++
		default:
			w.rep.Special++
		}
	}
	return nil
}

func orDot(loc string) string {
	if loc == "" {
		return "."
	}
	return loc
}

// diskFile is an open file on disk.
type diskFile interface {
	io.Reader
	io.ReaderAt
	io.Closer
	Stat() (size int64, mode fs.FileMode, err error)
}

// visitDiskFile visits the regular file at p, whose location is loc.
func (w *walker) visitDiskFile(p, loc string) error {
	n := node{loc: loc, name: path.Base(loc)}
	f, err := openFile(p)
	if err != nil {
		w.gap(loc, "", "%v", fserr.WithOp(err))
		return w.emitSkipped(n, -1, "unreadable: "+fserr.WithOp(err).Error())
	}
	defer f.Close()
	size, mode, err := f.Stat()
	if err != nil {
		w.gap(loc, "", "%v", fserr.WithOp(err))
		return w.emitSkipped(n, -1, "unreadable: "+fserr.WithOp(err).Error())
	}
	if !mode.IsRegular() { // replaced since the directory was read
		w.rep.Special++
		return nil
	}
	n.mode = mode
	d := &diskReader{w: w, f: f}
	switch {
	case size > w.lim.MaxFileBytes:
		return w.visitLarge(n, size, io.NewSectionReader(d, 0, size), d)
	case size >= bigFile:
		return w.visitBig(n, size, d, d)
	}
	return w.visitReader(n, size, d, d)
}

// diskReader reads a file on disk, counting the bytes and watching ctx.
type diskReader struct {
	w *walker
	f diskFile
}

func (d *diskReader) Read(p []byte) (int, error) {
	if err := d.w.check(); err != nil {
		return 0, err
	}
	n, err := d.f.Read(p)
	d.w.rep.Bytes += int64(n)
	return n, err
}

// uncounted reads the file at random without counting the bytes read.
func (d *diskReader) uncounted() io.ReaderAt { return d.f }

func (d *diskReader) ReadAt(p []byte, off int64) (int, error) {
	if err := d.w.check(); err != nil {
		return 0, err
	}
	n, err := d.f.ReadAt(p, off)
	d.w.rep.Bytes += int64(n)
	return n, err
}
