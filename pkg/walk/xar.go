package walk

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/bzip2"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// xar archives: macOS installer packages (.pkg: Distribution,
// PackageInfo, Bom, Payload, Scripts, component packages `x.pkg/Payload`)
// and .xip. A 28-byte (or longer) big-endian header, a zlib-compressed XML
// table of contents, then the heap the TOC's offsets are relative to.
// Each file's data is stored, or compressed with zlib (xar's "gzip"),
// bzip2, xz or lzma; a Payload is itself a gzip or pbzx stream of a cpio
// archive, which the walk opens as any file.

// isXar tells a xar archive (macOS .pkg installers, .xip): "xar!", a
// header of at least 28 bytes, version 1.
func isXar(head []byte) bool {
	return len(head) >= 28 && string(head[:4]) == "xar!" &&
		binary.BigEndian.Uint16(head[4:]) >= 28 && binary.BigEndian.Uint16(head[6:]) == 1
}

// Bounds of a xar's table of contents.
const (
	maxXarTOC   = 64 << 20 // compressed or not
	maxXarDepth = 256      // XML elements nested
	maxXarText  = 64 << 10 // the text of one element (a name, a number)
)

// xarMember is a <file> of the TOC.
type xarMember struct {
	parent  int // index of the directory holding it, or -1
	name    string
	typ     string
	mode    fs.FileMode
	hasData bool
	off     int64 // in the heap
	length  int64 // archived
	size    int64 // extracted
	enc     string
	bad     string // why its data cannot be read
}

// xarTOC is what walkXar uses of a TOC.
type xarTOC struct {
	members         []xarMember
	ckOff, ckSize   int64 // the TOC checksum in the heap, ckSize 0 if none
	ckStyle         string
	dataMembers     int
	maxData, maxAll int
	// eaData counts the extended attributes (<ea>) that have data in the
	// heap: they are not read, and each is a gap.
	eaData int
}

var errXarTooMany = errors.New("too many files")

// parseXarTOC reads the XML of a TOC. maxData bounds the files with data,
// 4 × maxData the <file> elements.
func parseXarTOC(r io.Reader, maxData int) (*xarTOC, error) {
	t := &xarTOC{maxData: maxData, maxAll: 4 * maxData}
	d := xml.NewDecoder(r)
	d.Strict = true
	var stack []string // element names
	var isFile []bool  // whether each element of stack is a <file> of files
	var files []int    // the <file> elements open, innermost last
	var text []byte
	inTOC := func() bool { return len(stack) >= 2 && stack[0] == "xar" && stack[1] == "toc" }
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXarDepth {
				return nil, fmt.Errorf("elements nested over %d deep", maxXarDepth)
			}
			name := tok.Name.Local
			stack = append(stack, name)
			isFile = append(isFile, false)
			text = text[:0]
			if !inTOC() {
				if len(stack) == 1 && name != "xar" {
					return nil, fmt.Errorf("root element <%s>, not <xar>", name)
				}
				continue
			}
			parent := ""
			if len(stack) >= 2 {
				parent = stack[len(stack)-2]
			}
			switch {
			case name == "file" && (parent == "toc" || parent == "file"):
				if len(t.members) >= t.maxAll {
					return nil, errXarTooMany
				}
				m := xarMember{parent: -1, size: -1, mode: 0o644}
				if parent == "file" && len(files) > 0 {
					m.parent = files[len(files)-1]
				}
				t.members = append(t.members, m)
				files = append(files, len(t.members)-1)
				isFile[len(isFile)-1] = true
			case name == "data" && parent == "file" && len(files) > 0:
				m := &t.members[files[len(files)-1]]
				if !m.hasData {
					m.hasData = true
					if t.dataMembers++; t.dataMembers > maxData {
						return nil, errXarTooMany
					}
				}
			case name == "encoding" && parent == "data":
				for _, a := range tok.Attr {
					if a.Name.Local == "style" && len(files) > 0 {
						t.members[files[len(files)-1]].enc = a.Value
					}
				}
			case name == "name" && parent == "file":
				for _, a := range tok.Attr {
					if a.Name.Local == "enctype" && a.Value == "base64" && len(files) > 0 {
						t.members[files[len(files)-1]].bad = "base64" // decoded at the end tag
					}
				}
			case name == "checksum" && parent == "toc":
				for _, a := range tok.Attr {
					if a.Name.Local == "style" {
						t.ckStyle = a.Value
					}
				}
			}
		case xml.CharData:
			if len(text)+len(tok) > maxXarText {
				return nil, fmt.Errorf("element text over %d bytes", maxXarText)
			}
			text = append(text, tok...)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("unbalanced elements")
			}
			name := stack[len(stack)-1]
			parent := ""
			if len(stack) >= 2 {
				parent = stack[len(stack)-2]
			}
			isTOC, wasFile := inTOC(), isFile[len(isFile)-1]
			stack, isFile = stack[:len(stack)-1], isFile[:len(isFile)-1]
			if !isTOC {
				continue
			}
			s := strings.TrimSpace(string(text))
			text = text[:0]
			var cur *xarMember
			if len(files) > 0 {
				cur = &t.members[files[len(files)-1]]
			}
			num := func() (int64, error) {
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil || v < 0 {
					return 0, fmt.Errorf("bad <%s> %q", name, s)
				}
				return v, nil
			}
			var err error
			switch {
			case wasFile:
				files = files[:len(files)-1]
			case cur == nil:
				if parent == "checksum" && len(stack) == 3 { // xar toc checksum
					switch name {
					case "offset":
						t.ckOff, err = num()
					case "size":
						t.ckSize, err = num()
					}
				}
			case parent == "file" && name == "name":
				if cur.bad == "base64" {
					b, derr := base64.StdEncoding.DecodeString(s)
					if derr != nil {
						return nil, fmt.Errorf("bad base64 name %q", s)
					}
					s, cur.bad = string(b), ""
				}
				cur.name = s
			case parent == "file" && name == "type":
				cur.typ = s
			case parent == "file" && name == "mode":
				if v, perr := strconv.ParseUint(s, 8, 32); perr == nil {
					cur.mode = fs.FileMode(v).Perm()
				}
			case parent == "ea" && name == "offset":
				t.eaData++
			case parent == "data" && name == "offset":
				cur.off, err = num()
			case parent == "data" && name == "length":
				cur.length, err = num()
			case parent == "data" && name == "size":
				cur.size, err = num()
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if len(stack) != 0 {
		return nil, io.ErrUnexpectedEOF
	}
	return t, nil
}

// path is the path of the member i in the archive, its directories first.
func (t *xarTOC) path(i int) string {
	var parts []string
	for j, n := i, 0; j >= 0 && n <= maxXarDepth; j, n = t.members[j].parent, n+1 {
		name := t.members[j].name
		if name == "" {
			name = "unnamed"
		}
		parts = append(parts, name)
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// walkXar walks the xar archive n of size bytes (-1 if unknown), read
// from r; ra, when not nil, reads it at random, and data, when not nil,
// are its bytes.
func (w *walker) walkXar(n node, size int64, r io.Reader, ra io.ReaderAt, data []byte) error {
	fail := func(limit, format string, args ...any) error {
		if w.abort != nil {
			return w.abort
		}
		w.gap(n.loc, limit, "not a valid xar archive: "+format+", its files not read", args...)
		return nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var h [28]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return fail("", "header: %v", err)
	}
	be := binary.BigEndian
	hsize := int64(be.Uint16(h[4:]))
	tocLen, tocRaw := be.Uint64(h[8:]), be.Uint64(h[16:])
	alg := be.Uint32(h[24:])
	if string(h[:4]) != "xar!" || hsize < 28 || be.Uint16(h[6:]) != 1 {
		return fail("", "bad header")
	}
	ext := make([]byte, hsize-28)
	if _, err := io.ReadFull(br, ext); err != nil {
		return fail("", "header: %v", err)
	}
	switch {
	case tocLen == 0 || tocLen > maxXarTOC:
		return fail("", "TOC of %d bytes", tocLen)
	case size >= 0 && tocLen > uint64(size-hsize):
		return fail("", "TOC of %d bytes, beyond the end of the archive", tocLen)
	case tocRaw > maxXarTOC:
		return fail("", "TOC declared of %d bytes uncompressed, over %s", tocRaw, sizeString(maxXarTOC))
	case tocRaw > uint64(w.lim.MaxRatio)*tocLen+ratioSlack:
		return fail("ratio", "TOC declared of %d bytes from %d (limit ratio)", tocRaw, tocLen)
	}
	// The compressed TOC, in memory: hashed for its checksum, and small.
	tocZ := make([]byte, tocLen)
	if _, err := io.ReadFull(br, tocZ); err != nil {
		return fail("", "TOC: %v", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(tocZ))
	if err != nil {
		return fail("", "TOC: %v", err)
	}
	lr := &io.LimitedReader{R: zr, N: int64(tocRaw)}
	toc, err := parseXarTOC(w.budget(n.loc, lr), w.lim.MaxFiles)
	if w.abort != nil {
		return w.abort
	}
	switch {
	case errors.Is(err, errXarTooMany):
		w.gap(n.loc, "files", "xar archive with more files than the %d allowed (limit files), its files not read", w.lim.MaxFiles)
		return nil
	case err != nil && lr.N == 0 && xarMore(zr):
		return fail("", "TOC longer than the %d bytes declared", tocRaw)
	case err != nil:
		return fail("", "TOC: %v", err)
	}
	w.rep.Archives++
	heap := &xarHeap{ra: ra, r: br, start: 28 + int64(len(ext)) + int64(tocLen), size: size}

	// The TOC checksum, in the heap.
	var ck hash.Hash
	switch alg {
	case 0:
	case 1:
		ck = sha1.New()
	case 2:
		ck = md5.New()
	case 3:
		switch name, _, _ := bytes.Cut(ext, []byte{0}); string(name) {
		case "sha256":
			ck = sha256.New()
		case "sha512":
			ck = sha512.New()
		}
	}
	switch {
	case alg == 0:
	case ck == nil || toc.ckSize != int64(ck.Size()):
		w.warn("%s: xar TOC checksum (algorithm %d, %q) not checked", n.loc, alg, toc.ckStyle)
	default:
		got, err := heap.bytes(toc.ckOff, toc.ckSize, toc.members)
		if w.abort != nil {
			return w.abort
		}
		ck.Write(tocZ)
		switch {
		case err != nil:
			w.warn("%s: xar TOC checksum not checked: %v", n.loc, err)
		case !bytes.Equal(got, ck.Sum(nil)):
			w.gap(n.loc, "", "xar TOC checksum does not match (a corrupt or altered archive), its files read all the same")
		}
	}

	order := make([]int, 0, toc.dataMembers)
	for i, m := range toc.members {
		switch {
		case m.hasData: // whatever its type says, data in the heap is read
			order = append(order, i)
		case m.typ == "symlink" || m.typ == "hardlink":
			w.rep.Links++
		case m.typ == "directory":
		case m.typ != "":
			w.rep.Special++
		}
	}
	if toc.eaData > 0 {
		w.gap(n.loc, "", "xar: %d extended attributes with data in the heap, not read", toc.eaData)
	}
	if ra == nil { // read once, in the order of the heap
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Compare(toc.members[a].off, toc.members[b].off)
		})
	}
	for _, i := range order {
		if err := w.check(); err != nil {
			return err
		}
		m := toc.members[i]
		c := n.child(w.entryName(n.loc, toc.path(i)), m.mode)
		if err := w.visitXarMember(c, m, heap, data); err != nil {
			return err
		}
	}
	return nil
}

// visitXarMember visits the member m of a xar as c, decoding its data.
func (w *walker) visitXarMember(c node, m xarMember, heap *xarHeap, data []byte) error {
	skipped := func(size int64, format string, args ...any) error {
		reason := fmt.Sprintf(format, args...)
		w.gap(c.loc, "", "%s, not read", reason)
		return w.emitSkipped(c, size, reason)
	}
	if !m.hasData { // an empty file
		return w.visitReader(c, 0, bytes.NewReader(nil), nil)
	}
	src, sra, err := heap.section(m.off, m.length)
	if err != nil {
		if w.abort != nil {
			return w.abort
		}
		return skipped(m.size, "xar file data %v", err)
	}
	defer heap.done()
	var dec io.Reader
	in := newByteCounter(src, data)
	switch enc := m.enc; enc {
	case "", "application/octet-stream":
		return w.visitReader(c, m.length, w.budget(c.loc, src), sra)
	case "application/x-gzip":
		// xar's "gzip" is zlib; a gzip stream is taken as well.
		r := bufio.NewReaderSize(in.reader(), 4096)
		if head, _ := r.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
			dec, err = gzip.NewReader(r)
		} else {
			dec, err = zlib.NewReader(r)
		}
	case "application/x-bzip2":
		dec = bzip2.NewReader(in.reader())
	case "application/x-xz", "application/x-lzma":
		r := bufio.NewReaderSize(in.reader(), 4096)
		if head, _ := r.Peek(6); bytes.Equal(head, []byte("\xfd7zXZ\x00")) {
			dec, err = w.newXzReader(r)
		} else {
			dec, err = newLzmaReader(r)
		}
	default:
		return skipped(m.size, "xar file data encoded %q (no reader for it)", enc)
	}
	if err != nil {
		if w.abort != nil {
			return w.abort
		}
		return skipped(m.size, "xar file data not a valid %s stream: %v", m.enc, err)
	}
	rr := w.ratio(c.loc, "entry skipped", dec, in.consumed)
	return w.visitReader(c, m.size, w.budget(c.loc, rr), nil)
}

// xarHeap reads the data of a xar's files: at random (ra), or once, in
// order, from r.
type xarHeap struct {
	ra    io.ReaderAt
	r     *bufio.Reader
	start int64 // of the heap in the archive
	size  int64 // of the archive, or -1
	pos   int64 // in the heap, when reading r
	cur   *exactReader
}

// section returns a reader of length bytes at off in the heap, and one at
// random when it can. done must be called once they have been read.
func (h *xarHeap) section(off, length int64) (io.Reader, io.ReaderAt, error) {
	end := off + length
	if end < off || h.size >= 0 && (off > h.size-h.start || end > h.size-h.start) {
		return nil, nil, fmt.Errorf("at %d (%d bytes) beyond the end of the archive", off, length)
	}
	if h.ra != nil {
		sr := io.NewSectionReader(h.ra, h.start+off, length)
		return sr, sr, nil
	}
	if off < h.pos {
		return nil, nil, fmt.Errorf("at %d overlaps data before it, not read", off)
	}
	if err := skip(h.r, off-h.pos); err != nil {
		return nil, nil, fmt.Errorf("at %d: %v", off, err)
	}
	h.pos = end
	h.cur = &exactReader{r: h.r, n: length}
	return h.cur, nil, nil
}

// done skips what was not read of the last section.
func (h *xarHeap) done() {
	if h.cur != nil {
		_ = skip(h.cur, h.cur.n) // an error comes again at the next section
		h.cur = nil
	}
}

// bytes reads the n bytes at off in the heap: in order, only if no file
// data lie before them.
func (h *xarHeap) bytes(off, n int64, members []xarMember) ([]byte, error) {
	if h.ra == nil {
		for _, m := range members {
			if m.hasData && m.off < off {
				return nil, errors.New("stored after file data")
			}
		}
	}
	src, _, err := h.section(off, n)
	if err != nil {
		return nil, err
	}
	defer h.done()
	b := make([]byte, n)
	if _, err := io.ReadFull(src, b); err != nil {
		return nil, err
	}
	return b, nil
}

// xarMore reports whether r has more to read.
func xarMore(r io.Reader) bool {
	var b [1]byte
	n, _ := io.ReadFull(r, b[:])
	return n > 0
}
