package walk

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// The archives of Unix packages: ar (.deb, static libraries .a), cpio
// ("newc", as in .rpm) and rpm.

var arMagic = []byte("!<arch>\n")

func isAr(head []byte) bool { return bytes.HasPrefix(head, arMagic) }

// isCpio tells a cpio archive: "newc" (070701, 070702 with checksums),
// or "odc" (070707, portable ASCII: macOS installer payloads).
func isCpio(head []byte) bool {
	return bytes.HasPrefix(head, []byte("070701")) || bytes.HasPrefix(head, []byte("070702")) || isCpioOdc(head)
}

func isCpioOdc(head []byte) bool { return bytes.HasPrefix(head, []byte("070707")) }

// cpioHeader reads the header of a cpio entry (newc or odc) at the start
// of br: its mode, size and name size, and the header's length and
// alignment (4 bytes for newc, none for odc).
func cpioHeader(br *bufio.Reader) (mode uint64, size, nameSize, hlen, align int64, err error) {
	magic, err := br.Peek(6)
	if err != nil {
		return 0, 0, 0, 0, 0, err
	}
	if isCpioOdc(magic) {
		var hdr [76]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return 0, 0, 0, 0, 0, err
		}
		// magic, dev, ino, mode, uid, gid, nlink, rdev (6 octal digits
		// each), mtime (11), namesize (6), filesize (11)
		field := func(off, n int) (uint64, error) {
			return strconv.ParseUint(string(hdr[off:off+n]), 8, 64)
		}
		m, err1 := field(18, 6)
		ns, err2 := field(59, 6)
		fsize, err3 := field(65, 11)
		if err1 != nil || err2 != nil || err3 != nil {
			return 0, 0, 0, 0, 0, errFormat("bad header")
		}
		return m, int64(fsize), int64(ns), 76, 1, nil
	}
	var hdr [110]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return 0, 0, 0, 0, 0, err
	}
	if !isCpio(hdr[:]) {
		return 0, 0, 0, 0, 0, errFormat("bad magic")
	}
	var f [13]uint64
	for j := range f {
		v, err := strconv.ParseUint(string(hdr[6+8*j:14+8*j]), 16, 32)
		if err != nil {
			return 0, 0, 0, 0, 0, errFormat("bad header")
		}
		f[j] = v
	}
	return f[1], int64(f[6]), int64(f[11]), 110, 4, nil
}

func isRpm(head []byte) bool { return bytes.HasPrefix(head, []byte{0xed, 0xab, 0xee, 0xdb}) }

// errFormat is a malformed archive.
type errFormat string

func (e errFormat) Error() string { return string(e) }

// skip reads and drops n bytes of r.
func skip(r io.Reader, n int64) error {
	m, err := io.CopyN(io.Discard, r, n)
	if m < n && err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// exactReader reads the n bytes of an entry: an end before is an
// io.ErrUnexpectedEOF.
type exactReader struct {
	r io.Reader
	n int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), e.n)]
	n, err := e.r.Read(p)
	e.n -= int64(n)
	if err == io.EOF && e.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// walkAr walks the ar archive n read from r, which counts against
// MaxTotalBytes: GNU and BSD long names, symbol tables skipped.
func (w *walker) walkAr(n node, r io.Reader) error {
	br := bufio.NewReader(r)
	if err := skip(br, int64(len(arMagic))); err != nil {
		return w.archiveErr(n, "ar", 0, err)
	}
	var longNames []byte
	var hdr [60]byte
	for i := 0; ; i++ {
		if err := w.check(); err != nil {
			return err
		}
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return w.archiveErr(n, "ar", i, err)
		}
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || size < 0 || string(hdr[58:60]) != "`\n" {
			return w.archiveErr(n, "ar", i, errFormat("bad header"))
		}
		name := strings.TrimRight(string(hdr[:16]), " ")
		data := &exactReader{r: br, n: size}
		switch {
		case name == "/" || name == "/SYM64/" || strings.HasPrefix(name, "__.SYMDEF"):
			name = "" // symbol table
		case name == "//": // GNU long names
			if size > 16<<20 {
				return w.archiveErr(n, "ar", i, errFormat("long name table too large"))
			}
			if longNames, err = io.ReadAll(data); err != nil {
				return w.archiveErr(n, "ar", i, err)
			}
			name = ""
		case strings.HasPrefix(name, "#1/"): // BSD: the name begins the data
			l, err := strconv.Atoi(name[3:])
			if err != nil || l < 0 || int64(l) > size || l > 4096 {
				return w.archiveErr(n, "ar", i, errFormat("bad BSD name"))
			}
			b := make([]byte, l)
			if _, err := io.ReadFull(data, b); err != nil {
				return w.archiveErr(n, "ar", i, err)
			}
			name = strings.TrimRight(string(b), "\x00")
		case len(name) > 1 && name[0] == '/': // GNU: an offset in the long names
			off, err := strconv.Atoi(name[1:])
			if err != nil || off < 0 || off >= len(longNames) {
				return w.archiveErr(n, "ar", i, errFormat("bad long name reference"))
			}
			name = string(longNames[off:])
			if end := strings.Index(name, "/\n"); end >= 0 {
				name = name[:end]
			}
		default:
			name = strings.TrimSuffix(name, "/")
		}
		if name != "" {
			mode := fs.FileMode(0o644)
			if m, err := strconv.ParseUint(strings.TrimSpace(string(hdr[40:48])), 8, 32); err == nil {
				mode = fs.FileMode(m).Perm()
			}
			c := n.child(w.entryName(n.loc, name), mode)
			if err := w.visitReader(c, data.n, data, nil); err != nil {
				return err
			}
		}
		if err := skip(data, data.n); err != nil { // what the visit left
			return w.archiveErr(n, "ar", i, err)
		}
		if size%2 == 1 {
			if err := skip(br, 1); err != nil && err != io.ErrUnexpectedEOF {
				return w.archiveErr(n, "ar", i, err)
			}
		}
	}
}

// archiveErr warns about an error in the archive n, after i entries, and
// returns the reason to stop the walk, if any.
func (w *walker) archiveErr(n node, format string, i int, err error) error {
	var rerr *ratioError
	switch {
	case w.abort != nil:
		return w.abort
	case err == w.lastReadErr, errors.As(err, &rerr): // warned
	case i == 0:
		w.gap(n.loc, "", "not a valid %s: %v", format, err)
	default:
		w.gap(n.loc, "", "bad %s header after %d entries: %v, rest of the archive skipped", format, i, err)
	}
	return nil
}

// walkCpio walks the cpio archive ("newc" or "odc" format) n read from
// r, which counts against MaxTotalBytes.
func (w *walker) walkCpio(n node, r io.Reader) error {
	br := bufio.NewReader(r)
	var pos int64 // for the 4-byte alignment of newc
	for i := 0; ; i++ {
		if err := w.check(); err != nil {
			return err
		}
		mode, size, nameSize, hlen, align, err := cpioHeader(br)
		if err != nil {
			return w.archiveErr(n, "cpio", i, err)
		}
		pad := func(pos int64) int64 { return (align - pos%align) % align }
		if nameSize == 0 || nameSize > 64<<10 {
			return w.archiveErr(n, "cpio", i, errFormat("bad name size"))
		}
		nameBuf := make([]byte, nameSize)
		if _, err := io.ReadFull(br, nameBuf); err != nil {
			return w.archiveErr(n, "cpio", i, err)
		}
		pos += hlen + nameSize
		if err := skip(br, pad(pos)); err != nil {
			return w.archiveErr(n, "cpio", i, err)
		}
		pos += pad(pos)
		name := strings.TrimRight(string(nameBuf), "\x00")
		if name == "TRAILER!!!" {
			return nil
		}
		data := &exactReader{r: br, n: size}
		switch mode & 0o170000 {
		case 0o100000: // regular
			c := n.child(w.entryName(n.loc, name), fs.FileMode(mode).Perm())
			if err := w.visitReader(c, size, data, nil); err != nil {
				return err
			}
		case 0o120000: // symbolic link
			w.rep.Links++
		case 0o040000: // directory
		default:
			w.rep.Special++
		}
		if err := skip(data, data.n); err != nil {
			return w.archiveErr(n, "cpio", i, err)
		}
		pos += size
		if err := skip(br, pad(pos)); err != nil {
			return w.archiveErr(n, "cpio", i, err)
		}
		pos += pad(pos)
	}
}

// walkRpm walks the rpm package n read from r: past its lead and headers,
// the payload is a compressed cpio archive.
func (w *walker) walkRpm(n node, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	fail := func(err error) error {
		if w.abort != nil {
			return w.abort
		}
		w.gap(n.loc, "", "not a valid rpm: %v", err)
		return nil
	}
	if err := skip(br, 96); err != nil { // the lead
		return fail(err)
	}
	for i := range 2 { // the signature header, padded to 8 bytes, and the header
		var h [16]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return fail(err)
		}
		if !bytes.HasPrefix(h[:], []byte{0x8e, 0xad, 0xe8, 0x01}) {
			return fail(errFormat("bad header magic"))
		}
		nindex, hsize := int64(binary.BigEndian.Uint32(h[8:])), int64(binary.BigEndian.Uint32(h[12:]))
		if nindex > 1<<16 || hsize > 256<<20 {
			return fail(errFormat("header too large"))
		}
		size := 16*nindex + hsize
		if i == 0 {
			size += (8 - (16+size)%8) % 8
		}
		if err := skip(br, size); err != nil {
			return fail(err)
		}
	}
	head, _ := br.Peek(headLen)
	if w.abort != nil {
		return w.abort
	}
	k := detect(head, nil)
	switch k {
	case kindGzip, kindBzip2, kindXz, kindZstd:
		return w.walkCompressed(n, k, br, false)
	}
	if isCpio(head) {
		return w.walkCpio(n, w.budget(n.loc, br))
	}
	// lzma (rpm -Z lzma) has no magic number and the payload no name: its
	// header, strictly checked or as rpm writes it, is enough here, where
	// the rpm header declares a compressed cpio. A gap if it does not decode.
	if isLzma(head) || bytes.HasPrefix(head, []byte{0x5d, 0, 0}) {
		return w.walkCompressed(n, kindLzma, br, false)
	}
	w.gap(n.loc, "", "rpm payload compressed with unknown, not supported: entries not read")
	return nil
}
