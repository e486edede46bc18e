package walk

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf16"
)

// Compiled HTML help (CHM, "ITSF" version 3, or 2): a header, a directory of
// listing chunks ("PMGL") naming every file by its section, offset and
// length, and the files' data in two sections: section 0, stored, from
// the content offset on; section 1, "MSCompressed", one LZX stream
// (lzx.go) held by the section-0 file ::DataSpace/Storage/MSCompressed/
// Content, in frames of 32 KiB, the decoder reset every reset interval
// (ControlData), where its reset table says each frame's data begins.
//
// Every file is walked, the internal ones of the help too (/#SYSTEM: the
// title and compiler, /#STRINGS, /$FIftiMain, ...: text for the content
// pass); the ::DataSpace storage is not (its Content is what section 1
// decodes). Section 1 is decoded once, in order, and its files handed
// out in offset order: nothing of it is held but a frame and the window.
// Every count, offset and length is checked against the file or the
// decoded section's declared size; whatever breaks the format is a gap.

const (
	chmHeaderV3     = 0x60 // ITSF header with the content offset
	chmHeaderV2     = 0x58 // without: the content follows the directory
	chmDirHeader    = 0x54 // ITSP header
	chmChunkHeader  = 0x14 // PMGL header
	chmMaxChunk     = 1 << 16
	chmMaxName      = 1024
	chmMaxFrameData = 3 * lzxFrame // compressed bytes of one frame
	chmControlName  = "::DataSpace/Storage/MSCompressed/ControlData"
	chmContentName  = "::DataSpace/Storage/MSCompressed/Content"
	chmNameListName = "::DataSpace/NameList"
	chmResetName    = "::DataSpace/Storage/MSCompressed/Transform/{7FC28940-9D31-11D0-9B27-00A0C91E9C7C}/InstanceData/ResetTable"
)

// isCHM tells a CHM file from its first bytes: "ITSF", version 3 with a
// header of 0x60 or 0x58 bytes, or version 2 with one of 0x58.
func isCHM(head []byte) bool {
	le := binary.LittleEndian
	if len(head) < 12 || string(head[:4]) != "ITSF" {
		return false
	}
	v, l := le.Uint32(head[4:]), le.Uint32(head[8:])
	return v == 3 && (l == chmHeaderV3 || l == chmHeaderV2) || v == 2 && l == chmHeaderV2
}

// chmStructure are the other streams of a CHM's compressed-section
// structure that compilers write (hhc, chmcmd): they describe section 1,
// hold no content, and are not walked. Any other "::" entry is.
var chmStructure = map[string]bool{
	"::DataSpace/Storage/MSCompressed/SpanInfo":       true,
	"::DataSpace/Storage/MSCompressed/Transform/List": true,
}

// chmEntry is a file of a CHM's directory.
type chmEntry struct {
	name    string
	section int64
	off     int64 // in its section
	size    int64
}

// chmDir is what a CHM's header and directory say.
type chmDir struct {
	size       int64 // of the file
	declared   int64 // the size the header declares, -1: none
	contentOff int64 // of section 0
	files      []chmEntry
	internal   map[string]chmEntry // the ::DataSpace files of section 0
}

// errCHMFiles is the error of a directory of more files than allowed.
type errCHMFiles struct{ max int }

func (e *errCHMFiles) Error() string {
	return fmt.Sprintf("more than %d files in its directory (limit files)", e.max)
}

// readCHMDir reads the header and directory of the CHM file ra (size
// bytes), of at most maxFiles files.
func readCHMDir(ra io.ReaderAt, size int64, maxFiles int) (*chmDir, error) {
	le := binary.LittleEndian
	var h [chmHeaderV3]byte
	if size < chmHeaderV2 {
		return nil, errFormat("truncated header")
	}
	if _, err := ra.ReadAt(h[:min(size, chmHeaderV3)], 0); err != nil && err != io.EOF {
		return nil, err
	}
	if !isCHM(h[:]) {
		return nil, errFormat("bad header")
	}
	hlen := int64(le.Uint32(h[8:]))
	if size < hlen {
		return nil, errFormat("truncated header")
	}
	inFile := func(off, n uint64) bool { return off <= uint64(size) && n <= uint64(size)-off }
	sizeOff, sizeLen := le.Uint64(h[0x38:]), le.Uint64(h[0x40:])
	dirOff, dirLen := le.Uint64(h[0x48:]), le.Uint64(h[0x50:])
	if !inFile(dirOff, dirLen) {
		return nil, fmt.Errorf("directory of %d bytes at %d, past the end of the file (%d bytes)", dirLen, dirOff, size)
	}
	d := &chmDir{size: size, declared: -1, internal: map[string]chmEntry{}}
	if hlen == chmHeaderV3 {
		if c := le.Uint64(h[0x58:]); c <= uint64(size) {
			d.contentOff = int64(c)
		} else {
			return nil, fmt.Errorf("content offset %d past the end of the file (%d bytes)", c, size)
		}
	}
	// The file size section: the size the file should have.
	if sizeLen >= 16 && inFile(sizeOff, 16) {
		var s [16]byte
		if _, err := ra.ReadAt(s[:], int64(sizeOff)); err == nil && le.Uint32(s[:]) == 0x1fe {
			d.declared = int64(min(le.Uint64(s[8:]), 1<<62))
		}
	}
	// The directory: the ITSP header, then its chunks.
	if dirLen < chmDirHeader {
		return nil, errFormat("directory too short")
	}
	var p [chmDirHeader]byte
	if _, err := ra.ReadAt(p[:], int64(dirOff)); err != nil {
		return nil, err
	}
	if string(p[:4]) != "ITSP" {
		return nil, errFormat("no directory header (ITSP)")
	}
	plen := uint64(le.Uint32(p[8:]))
	chunk := uint64(le.Uint32(p[0x10:]))
	chunks := uint64(le.Uint32(p[0x2c:]))
	switch {
	case plen < chmDirHeader || plen > dirLen:
		return nil, fmt.Errorf("directory header of %d bytes", plen)
	case chunk < chmChunkHeader+1 || chunk > chmMaxChunk:
		return nil, fmt.Errorf("directory chunks of %d bytes", chunk)
	case chunks > (uint64(size)-dirOff-plen)/chunk: // the header's length of the directory may leave them out
		return nil, fmt.Errorf("%d directory chunks of %d bytes, past the end of the file (%d bytes)", chunks, chunk, size)
	}
	if hlen == chmHeaderV2 { // the content follows the directory
		d.contentOff = int64(dirOff + plen + chunks*chunk)
	}
	buf := make([]byte, chunk)
	// Every listing chunk, in order: the first and last the header
	// names are not always right (chmcmd's first is the second).
	for i := range chunks {
		if _, err := ra.ReadAt(buf, int64(dirOff+plen+i*chunk)); err != nil {
			return nil, err
		}
		if string(buf[:4]) != "PMGL" { // an index chunk (PMGI): the listing is enough
			continue
		}
		free := uint64(le.Uint32(buf[4:]))
		if free > chunk-chmChunkHeader {
			return nil, fmt.Errorf("listing chunk %d: %d bytes of free space", i, free)
		}
		c := buf[chmChunkHeader : chunk-free]
		for len(c) > 0 {
			var e chmEntry
			var err error
			if c, e, err = chmReadEntry(c); err != nil {
				return nil, fmt.Errorf("listing chunk %d: %w", i, err)
			}
			switch {
			case strings.HasSuffix(e.name, "/") && e.size == 0: // a directory
				continue
			case e.section == 0 && (e.name == chmControlName || e.name == chmContentName || e.name == chmNameListName || e.name == chmResetName):
				d.internal[e.name] = e // what section 1 is read with, not a file
				continue
			case e.section == 0 && chmStructure[e.name]:
				continue
			}
			// Any other entry is walked as a file, an unknown "::" stream
			// and a "directory" with bytes included: data a CHM keeps where
			// help viewers do not look is still read.
			if len(d.files) >= maxFiles {
				return nil, &errCHMFiles{maxFiles}
			}
			d.files = append(d.files, e)
		}
	}
	return d, nil
}

// chmReadEntry reads the directory entry at the start of c: a name's
// length and the name, its section, offset and length.
func chmReadEntry(c []byte) ([]byte, chmEntry, error) {
	var e chmEntry
	var v [4]int64
	for k := range v {
		var n int
		v[k], n = chmEncint(c)
		if n <= 0 {
			return nil, e, errFormat("bad number in a directory entry")
		}
		c = c[n:]
		if k == 0 {
			switch {
			case v[0] == 0:
				return nil, e, errFormat("directory entry without a name")
			case v[0] > chmMaxName:
				return nil, e, fmt.Errorf("directory entry name of %d bytes", v[0])
			case v[0] > int64(len(c)):
				return nil, e, errFormat("directory entry name past the end of its chunk")
			}
			e.name = string(c[:v[0]])
			c = c[v[0]:]
		}
	}
	e.section, e.off, e.size = v[1], v[2], v[3]
	return c, e, nil
}

// chmEncint reads an ENCINT at the start of b: 7 bits a byte, most
// significant first, the high bit set on all but the last. It returns the
// value and its length, 0 when b ends first, -1 past 63 bits.
func chmEncint(b []byte) (int64, int) {
	var v uint64
	for i, c := range b {
		if v>>56 != 0 {
			return 0, -1
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			if v>>63 != 0 {
				return 0, -1
			}
			return int64(v), i + 1
		}
	}
	return 0, 0
}

// chmSection1 is how section 1 is decoded.
type chmSection1 struct {
	window     int     // log2
	resetEvery int     // frames between reset points
	ulen       int64   // decoded size
	content    int64   // offset of the compressed stream in the file
	clen       int64   // its length
	table      []int64 // where each frame's data begins, in the stream
	frames     int     // to decode
}

// section0 reads the section-0 file name whole: at most limit bytes.
func (d *chmDir) section0(ra io.ReaderAt, name string, limit int64) ([]byte, error) {
	e, ok := d.internal[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("no %s", name)
	case e.size > limit:
		return nil, fmt.Errorf("%s of %d bytes", name, e.size)
	case e.off > d.size-d.contentOff || e.size > d.size-d.contentOff-e.off:
		return nil, fmt.Errorf("%s past the end of the file", name)
	}
	b := make([]byte, e.size)
	if _, err := ra.ReadAt(b, d.contentOff+e.off); err != nil {
		return nil, err
	}
	return b, nil
}

// readSection1 reads how section 1 is compressed, for files ending by
// end in it; the reset table's entries are read up to end's frame, at
// most limit bytes of them.
func (d *chmDir) readSection1(ra io.ReaderAt, end, limit int64) (*chmSection1, error) {
	le := binary.LittleEndian
	if nl, err := d.section0(ra, chmNameListName, 4096); err == nil {
		if n := chmSectionName(nl, 1); n != "MSCompressed" {
			return nil, fmt.Errorf("section 1 is %q, not MSCompressed", n)
		}
	}
	ctl, err := d.section0(ra, chmControlName, 4096)
	if err != nil {
		return nil, err
	}
	if len(ctl) < 24 || string(ctl[4:8]) != "LZXC" {
		return nil, errFormat("control data without its LZXC signature")
	}
	s := &chmSection1{}
	reset, window := uint64(le.Uint32(ctl[12:])), uint64(le.Uint32(ctl[16:]))
	switch v := le.Uint32(ctl[8:]); v {
	case 1:
	case 2: // in frames of 32 KiB
		reset *= lzxFrame
		window *= lzxFrame
	default:
		return nil, fmt.Errorf("LZXC version %d", v)
	}
	for s.window = lzxMinWindow; s.window <= lzxMaxWindow && window != 1<<s.window; s.window++ {
	}
	if !lzxWindowOK(s.window) {
		return nil, fmt.Errorf("LZX window of %d bytes", window)
	}
	if reset == 0 || reset%lzxFrame != 0 || reset > 1<<32 {
		return nil, fmt.Errorf("LZX reset interval of %d bytes", reset)
	}
	s.resetEvery = int(reset / lzxFrame)
	content, ok := d.internal[chmContentName]
	switch {
	case !ok:
		return nil, fmt.Errorf("no %s", chmContentName)
	case content.off > d.size-d.contentOff || content.size > d.size-d.contentOff-content.off:
		return nil, errFormat("compressed content past the end of the file")
	}
	s.content, s.clen = d.contentOff+content.off, content.size
	rte, ok := d.internal[chmResetName]
	switch {
	case !ok:
		return nil, errFormat("no reset table")
	case rte.size < 40 || rte.off > d.size-d.contentOff || rte.size > d.size-d.contentOff-rte.off:
		return nil, fmt.Errorf("reset table of %d bytes at %d", rte.size, rte.off)
	}
	var rt [40]byte
	if _, err := ra.ReadAt(rt[:], d.contentOff+rte.off); err != nil {
		return nil, fmt.Errorf("reset table: %w", err)
	}
	entries, esize, toff := uint64(le.Uint32(rt[4:])), le.Uint32(rt[8:]), uint64(le.Uint32(rt[12:]))
	s.ulen = int64(min(le.Uint64(rt[16:]), 1<<62))
	bl := le.Uint64(rt[32:])
	switch {
	case esize != 8 || bl != lzxFrame:
		return nil, fmt.Errorf("reset table of %d-byte entries for %d-byte frames", esize, bl)
	case toff < 40 || toff > uint64(rte.size) || entries > (uint64(rte.size)-toff)/8:
		return nil, fmt.Errorf("reset table of %d entries at %d, in %d bytes", entries, toff, rte.size)
	case end > s.ulen:
		return nil, fmt.Errorf("files up to byte %d, %d declared", end, s.ulen)
	}
	s.frames = int((end + lzxFrame - 1) / lzxFrame)
	if uint64(s.frames) > entries {
		return nil, fmt.Errorf("reset table of %d entries, %d frames to decode", entries, s.frames)
	}
	// The entries of the frames to decode, and of the one after: where
	// the last ends.
	frames := min(uint64(s.frames)+1, entries)
	if int64(frames)*8 > limit {
		return nil, fmt.Errorf("reset table of %d entries, over the %d bytes allowed (limit file-bytes)", frames, limit)
	}
	tab := make([]byte, frames*8)
	if _, err := ra.ReadAt(tab, d.contentOff+rte.off+int64(toff)); err != nil {
		return nil, fmt.Errorf("reset table: %w", err)
	}
	s.table = make([]int64, frames)
	for i := range s.table {
		v := le.Uint64(tab[8*i:])
		if v > uint64(s.clen) || i > 0 && int64(v) < s.table[i-1] || i == 0 && v != 0 {
			return nil, fmt.Errorf("reset table entry %d: offset %d", i, v)
		}
		s.table[i] = int64(v)
	}
	return s, nil
}

// chmSectionName returns name k of the NameList nl, or "".
func chmSectionName(nl []byte, k int) string {
	le := binary.LittleEndian
	if len(nl) < 4 {
		return ""
	}
	p := 4
	for i := range int(le.Uint16(nl[2:])) {
		if p+2 > len(nl) {
			return ""
		}
		n := int(le.Uint16(nl[p:]))
		if p+2+2*n > len(nl) {
			return ""
		}
		if i == k {
			u := make([]uint16, n)
			for j := range u {
				u[j] = le.Uint16(nl[p+2+2*j:])
			}
			return string(utf16.Decode(u))
		}
		p += 2 + 2*n + 2
	}
	return ""
}

// chmReader decodes section 1 in order, a frame at a time.
type chmReader struct {
	ra    io.ReaderAt
	s     *chmSection1
	d     *lzxDecoder
	frame int
	buf   []byte
	out   []byte
	err   error
}

func (c *chmReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		if c.frame >= c.s.frames {
			return 0, io.EOF
		}
		c.err = c.next()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// next decodes the next frame.
func (c *chmReader) next() error {
	i := c.frame
	if c.d == nil {
		d, err := newLZX(c.s.window)
		if err != nil {
			return err
		}
		c.d = d
	} else if i%c.s.resetEvery == 0 {
		if err := c.d.reset(); err != nil {
			return fmt.Errorf("LZX frame %d: %w", i, err)
		}
	}
	start, end := c.s.table[i], c.s.clen
	if i+1 < len(c.s.table) {
		end = c.s.table[i+1]
	} else {
		end = min(end, start+chmMaxFrameData) // the stream's last: what it needs
	}
	if end-start > chmMaxFrameData {
		return fmt.Errorf("LZX frame %d of %d compressed bytes", i, end-start)
	}
	if cap(c.buf) < int(end-start) {
		c.buf = make([]byte, end-start)
	}
	b := c.buf[:end-start]
	if _, err := c.ra.ReadAt(b, c.s.content+start); err != nil {
		return fmt.Errorf("LZX frame %d: %w", i, err)
	}
	n := int(min(c.s.ulen-int64(i)*lzxFrame, lzxFrame))
	out, err := c.d.frame(b, n)
	if err != nil {
		return fmt.Errorf("LZX frame %d: %w", i, err)
	}
	c.frame++
	c.out = out
	return nil
}

// walkCHM walks the CHM help file n: size bytes read at random from ra.
func (w *walker) walkCHM(n node, ra io.ReaderAt, size int64) error {
	if ra == nil {
		w.gap(n.loc, "file-bytes", "CHM help file larger than %s (limit file-bytes) inside an archive, its files not read", sizeString(w.lim.MaxFileBytes))
		return nil
	}
	d, err := readCHMDir(ra, size, w.lim.MaxFiles)
	if w.abort != nil {
		return w.abort
	}
	if _, ok := err.(*errCHMFiles); ok {
		w.gap(n.loc, "files", "CHM help file of %v, its files not read", err)
		return nil
	}
	if err != nil {
		w.gap(n.loc, "", "not a valid CHM help file: %v, its files not read", err)
		return nil
	}
	w.rep.Archives++
	if d.declared > size {
		w.gap(n.loc, "", "CHM help file of %d bytes, %d declared: truncated", size, d.declared)
	}
	var s1 []chmEntry
	for _, e := range d.files {
		if err := w.check(); err != nil {
			return err
		}
		if e.section == 1 {
			s1 = append(s1, e)
			continue
		}
		c := n.child(w.entryName(n.loc, strings.TrimPrefix(e.name, "/")), 0o644)
		switch {
		case e.section != 0:
			w.gap(c.loc, "", "CHM file in section %d (there are 2), not read", e.section)
			err = w.emitSkipped(c, e.size, fmt.Sprintf("in section %d", e.section))
		case e.size == 0: // wherever it is
			err = w.visitReader(c, 0, strings.NewReader(""), nil)
		case e.off > size-d.contentOff || e.size > size-d.contentOff-e.off:
			w.gap(c.loc, "", "CHM file of %d bytes at %d, past the end of the file, not read", e.size, e.off)
			err = w.emitSkipped(c, e.size, "truncated")
		default:
			sr := io.NewSectionReader(ra, d.contentOff+e.off, e.size)
			err = w.visitReader(c, e.size, w.budget(n.loc, sr), sr)
		}
		if err != nil {
			return err
		}
		if w.abort != nil {
			return w.abort
		}
	}
	if len(s1) == 0 {
		return nil
	}
	return w.walkCHMSection1(n, d, ra, s1)
}

// walkCHMSection1 visits the files of section 1, decoding it once.
func (w *walker) walkCHMSection1(n node, d *chmDir, ra io.ReaderAt, files []chmEntry) error {
	slices.SortStableFunc(files, func(a, b chmEntry) int {
		return int(min(max(a.off-b.off, -1), 1))
	})
	var end int64
	for _, f := range files {
		if f.size > 0 {
			end = max(end, min(f.off, 1<<61)+min(f.size, 1<<61)) // no overflow: over the declared size all the same
		}
	}
	skipAll := func(files []chmEntry, why string) error {
		for _, f := range files {
			c := n.child(w.entryName(n.loc, strings.TrimPrefix(f.name, "/")), 0o644)
			if err := w.emitSkipped(c, f.size, why); err != nil {
				return err
			}
		}
		return nil
	}
	s, err := d.readSection1(ra, end, w.lim.MaxFileBytes)
	if w.abort != nil {
		return w.abort
	}
	if err != nil {
		w.gap(n.loc, "", "CHM compressed section (MSCompressed) not read: %v; %d files in it not read", err, len(files))
		return skipAll(files, "unreadable: "+err.Error())
	}
	in := &countingReaderAt{r: ra}
	rr := w.ratio(n.loc, "rest of the help file skipped", &chmReader{ra: in, s: s}, in.n.Load)
	r := w.budget(n.loc, rr)
	var pos int64
	for k, f := range files {
		if err := w.check(); err != nil {
			return err
		}
		c := n.child(w.entryName(n.loc, strings.TrimPrefix(f.name, "/")), 0o644)
		if f.size == 0 { // wherever it is
			if err := w.visitReader(c, 0, strings.NewReader(""), nil); err != nil {
				return err
			}
			continue
		}
		if f.off < pos { // overlaps the file before: a bomb, or a broken directory
			w.gap(c.loc, "", "CHM file data overlaps another file's, not read")
			if err := w.emitSkipped(c, f.size, "data overlaps another entry"); err != nil {
				return err
			}
			continue
		}
		if err := skip(r, f.off-pos); err != nil {
			return w.chmSection1Err(n, rr, files[k:], err, skipAll)
		}
		pos = f.off
		lr := &exactReader{r: r, n: f.size}
		if err := w.visitReader(c, f.size, lr, nil); err != nil {
			return err
		}
		if w.abort != nil {
			return w.abort
		}
		if _, err := io.Copy(io.Discard, lr); err != nil {
			return w.chmSection1Err(n, rr, files[k+1:], err, skipAll)
		}
		pos += f.size
	}
	return nil
}

// chmSection1Err records that section 1 failed, and that the files left
// are not read.
func (w *walker) chmSection1Err(n node, rr *ratioReader, rest []chmEntry, err error, skip func([]chmEntry, string) error) error {
	if w.abort != nil {
		return w.abort
	}
	if rr.err != nil { // a gap already
		return nil
	}
	w.gap(n.loc, "", "CHM compressed section (MSCompressed) unreadable: %v; %d files in it not read", err, len(rest))
	return skip(rest, "unreadable: "+err.Error())
}
