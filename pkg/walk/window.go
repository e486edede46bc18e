package walk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
)

// A Window is part of a large file's contents (File.Windows). Data holds
// the file's bytes from offset Start; the window answers for
// Data[From:To], and the bytes before From and after To are margin, shared
// with the windows before and after it: at least WindowMargin of each,
// except at the ends of the file. The parts answered for tile the file in
// order, each but the last WindowSize bytes long, and every From is a
// multiple of WindowMargin in the file (Start+From), so a search that
// works in blocks of WindowMargin or a divisor of it meets the same block
// boundaries as in the whole file.
type Window struct {
	Data     []byte
	Start    int64
	From, To int
}

// WindowSize is the part of the file a window answers for, and
// WindowMargin the bytes of context on each side of it: a match of a
// pattern that begins in a window, and the context read around it, must
// fit in the margin.
const (
	WindowSize   = 4 << 20
	WindowMargin = 64 << 10
)

// windowed reports whether the file n, of size bytes (bigFile to
// MaxFileBytes), whose first bytes are head, is read in windows rather
// than whole: only a file no reader opens and that is read for its bytes
// alone. Archives, installers and images are read whole or at random
// (their readers need them so), PE files whole (pkg/deep reads their
// headers, resources and signature), and the few files read by name
// (Java manifests, Android manifests) whole. Detection is the one
// visitData runs on the whole file: head holds every byte the detectors
// read from the start, and the tail is read at random.
func (w *walker) windowed(n node, head []byte, ra io.ReaderAt, size int64) bool {
	if ra == nil || n.declared != kindNone || n.name == axmlName || strings.EqualFold(n.name, "MANIFEST.MF") ||
		bytes.HasPrefix(head, []byte("MZ")) ||
		len(head) >= 4 && binary.BigEndian.Uint32(head) == 0xd00dfeed { // a device tree: isFIT searches it
		return false
	}
	if u, ok := ra.(interface{ uncounted() io.ReaderAt }); ok {
		ra = u.uncounted() // a look, not a read: the bytes are counted when they are read
	}
	off := max(size-tailLen, 0)
	tail := make([]byte, size-off)
	m, _ := ra.ReadAt(tail, off)
	k := detectNamed(n.name, head, tail[:m])
	return refineKind(k, head, ra, size) == kindNone
}

// windowBuf is the walker's buffer for a file read in windows: a window's
// part and its two margins.
func (w *walker) windowBuf() []byte {
	if w.window == nil {
		w.window = make([]byte, WindowMargin+WindowSize+WindowMargin)
	}
	return w.window
}

// visitWindows visits the file n, of size bytes as listed, read from r in
// windows (File.Windows); head is what was read of it already, from the
// start of r. The file is read to its end, whatever its size said, but no
// further than MaxFileBytes: the rest is a gap. A read error is a gap
// naming where the contents stop.
func (w *walker) visitWindows(n node, size int64, r io.Reader, head []byte) error {
	var read int64
	windows := func(yield func(Window) bool) error {
		buf := w.windowBuf()
		have := copy(buf, head) // buf holds the file from offset start
		var start int64
		eof := false
		var rerr error // a read error: what was read before it is still given
		fill := func() {
			for have < len(buf) && !eof {
				limit := w.lim.MaxFileBytes + 1 - (start + int64(have))
				if limit <= 0 {
					return
				}
				m, err := r.Read(buf[have:min(len(buf), have+int(min(limit, int64(len(buf)))))])
				have += m
				switch {
				case errors.Is(err, io.EOF):
					eof = true
				case err != nil:
					eof, rerr = true, err
				}
			}
		}
		for {
			fill()
			from := 0
			if start > 0 {
				from = WindowMargin
			}
			to := min(from+WindowSize, have)
			if int64(to)+start > w.lim.MaxFileBytes {
				to = int(w.lim.MaxFileBytes - start)
			}
			if to <= from {
				return rerr
			}
			last := to == have && eof
			if !yield(Window{Data: buf[:min(have, to+WindowMargin)], Start: start, From: from, To: to}) {
				return nil
			}
			read = start + int64(to)
			if last {
				return rerr
			}
			if read >= w.lim.MaxFileBytes {
				if have > to || !eof {
					return errOverFileBytes
				}
				return nil
			}
			// Keep the margin before the next part and what was read
			// beyond it.
			keep := to - WindowMargin
			have = copy(buf, buf[keep:have])
			start += int64(keep)
		}
	}
	var werr error
	called := false
	_, err := w.emit(&File{Location: n.loc, Name: n.name, Size: size, Mode: n.mode, Depth: n.depth,
		Windows: func(yield func(Window) bool) error {
			if called {
				return errors.New(n.loc + ": windows already read")
			}
			called = true
			werr = windows(yield)
			return werr
		}})
	if err != nil {
		return err
	}
	switch {
	case werr == nil:
	case errors.Is(werr, errOverFileBytes):
		w.gap(n.loc, "file-bytes", "larger than %s (limit file-bytes) when read, contents past it not read", sizeString(w.lim.MaxFileBytes))
	case w.abort != nil:
		return w.abort
	default:
		w.lastReadErr = werr
		w.gap(n.loc, "", "read error at byte %d: %v, contents past it not read", read, werr)
	}
	return nil
}

// errOverFileBytes ends the windows of a file that grew past MaxFileBytes
// while it was read.
var errOverFileBytes = errors.New("over file-bytes")
