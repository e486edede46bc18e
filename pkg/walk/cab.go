package walk

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Cabinet files ([MS-CAB]): a header, folders (each a compressed stream
// of CFDATA blocks) and files (each a range of one folder's stream).
// Folders stored or compressed with MSZIP or LZX (lzx.go) are read;
// Quantum ones are gaps.

const (
	cabHeaderLen   = 36
	cabMaxFolders  = 1 << 16 // cFolders is 16 bits
	cabCompressNo  = 0
	cabCompressZip = 1
	cabCompressQ   = 2
	cabCompressLZX = 3
	cabBlockMax    = 32768 // uncompressed bytes in a CFDATA block
	cabContinued   = 0xfffd
)

// cabHeader is a cabinet's header, checked against the bytes it has.
type cabHeader struct {
	size                   int64 // cbCabinet
	filesOff               int64 // coffFiles
	folders, files, flags  int
	folderReserve, dataRes int
	foldersOff             int64 // first CFFOLDER
}

// parseCabHeader reads the header at the start of b (at least
// cabHeaderLen bytes, more when reserved fields or cabinet names follow),
// of a cabinet of at most avail bytes.
func parseCabHeader(b []byte, avail int64) (*cabHeader, error) {
	if len(b) < cabHeaderLen || string(b[:4]) != "MSCF" {
		return nil, errFormat("no cabinet header")
	}
	le := binary.LittleEndian
	h := &cabHeader{
		size:     int64(le.Uint32(b[8:])),
		filesOff: int64(le.Uint32(b[16:])),
		folders:  int(le.Uint16(b[26:])),
		files:    int(le.Uint16(b[28:])),
		flags:    int(le.Uint16(b[30:])),
	}
	switch {
	case le.Uint32(b[4:]) != 0 || b[25] != 1 || b[24] != 3:
		return nil, errFormat("bad cabinet header")
	case h.size < cabHeaderLen || h.size > avail:
		return nil, fmt.Errorf("cabinet of %d bytes declared, %d present", h.size, avail)
	case h.filesOff < cabHeaderLen || h.filesOff >= h.size:
		return nil, errFormat("bad file table offset")
	}
	p := cabHeaderLen
	if h.flags&4 != 0 { // RESERVE_PRESENT
		if len(b) < p+4 {
			return nil, errFormat("truncated header")
		}
		p += 4 + int(le.Uint16(b[36:]))
		h.folderReserve, h.dataRes = int(b[38]), int(b[39])
	}
	for _, f := range []int{1, 2} { // previous, next cabinet: two names each
		if h.flags&f == 0 {
			continue
		}
		for range 2 {
			if p >= len(b) {
				return nil, errFormat("truncated header")
			}
			i := bytes.IndexByte(b[p:], 0)
			if i < 0 {
				return nil, errFormat("truncated header")
			}
			p += i + 1
		}
	}
	h.foldersOff = int64(p)
	if h.foldersOff+int64(h.folders)*int64(8+h.folderReserve) > h.size {
		return nil, errFormat("folders past the end")
	}
	return h, nil
}

// isCab tells a cabinet from its first bytes, of a file of avail bytes
// (-1: unknown).
func isCab(head []byte, avail int64) bool {
	if avail < 0 {
		avail = 1 << 32
	}
	_, err := parseCabHeader(head, avail)
	return err == nil
}

type cabFolder struct {
	start  int64 // first CFDATA
	blocks int
	comp   int
	window int // LZX: log2 of the window size
}

type cabFile struct {
	name   string
	size   int64
	off    int64 // in the folder's stream
	folder int
}

// cabMethod names a compression type.
func cabMethod(c int) string {
	switch c {
	case cabCompressNo:
		return "none"
	case cabCompressZip:
		return "MSZIP"
	case cabCompressQ:
		return "Quantum"
	case cabCompressLZX:
		return "LZX"
	}
	return fmt.Sprintf("unknown method %d", c)
}

// readCabTables reads the header, folders and files of the cabinet at the
// start of ra (size bytes).
func readCabTables(ra io.ReaderAt, size int64) (*cabHeader, []cabFolder, []cabFile, error) {
	head := make([]byte, min(size, 64<<10))
	if _, err := ra.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, nil, nil, err
	}
	h, err := parseCabHeader(head, size)
	if err != nil {
		return nil, nil, nil, err
	}
	// The tables lie before the data: read them, at most the cabinet.
	tabEnd := h.size
	tab := make([]byte, min(tabEnd, 16<<20))
	n, err := ra.ReadAt(tab, 0)
	if err != nil && err != io.EOF {
		return nil, nil, nil, err
	}
	tab = tab[:n]
	le := binary.LittleEndian
	folders := make([]cabFolder, 0, h.folders)
	p := h.foldersOff
	for range h.folders {
		if p+8 > int64(len(tab)) {
			return nil, nil, nil, errFormat("folders past the end")
		}
		f := cabFolder{start: int64(le.Uint32(tab[p:])), blocks: int(le.Uint16(tab[p+4:])), comp: int(le.Uint16(tab[p+6:]) & 0xf), window: int(le.Uint16(tab[p+6:]) >> 8 & 0x1f)}
		if f.start >= h.size || f.start+int64(f.blocks)*8 > h.size {
			return nil, nil, nil, errFormat("folder data past the end")
		}
		folders = append(folders, f)
		p += 8 + int64(h.folderReserve)
	}
	files := make([]cabFile, 0, min(h.files, 4096))
	p = h.filesOff
	for range h.files {
		if p+16 > int64(len(tab)) {
			return nil, nil, nil, errFormat("files past the end")
		}
		f := cabFile{size: int64(le.Uint32(tab[p:])), off: int64(le.Uint32(tab[p+4:])), folder: int(le.Uint16(tab[p+8:]))}
		end := bytes.IndexByte(tab[p+16:], 0)
		if end < 0 || end > 1024 {
			return nil, nil, nil, errFormat("bad file name")
		}
		f.name = string(tab[p+16 : p+16+int64(end)])
		p += 16 + int64(end) + 1
		files = append(files, f)
	}
	return h, folders, files, nil
}

// walkCab walks the cabinet n: size bytes read at random from ra.
func (w *walker) walkCab(n node, ra io.ReaderAt, size int64) error {
	h, folders, files, err := readCabTables(ra, size)
	if w.abort != nil {
		return w.abort
	}
	if err != nil {
		w.gap(n.loc, "", "not a valid cab: %v, entries not read", err)
		return nil
	}
	if len(files) > w.lim.MaxFiles {
		w.gap(n.loc, "files", "not a valid cab: %d entries declared, over the %d files allowed (limit files), entries not read", len(files), w.lim.MaxFiles)
		return nil
	}
	w.rep.Archives++
	if h.flags&3 != 0 {
		w.gap(n.loc, "", "cab of a multi-cabinet set: files continued from or to other cabinets not read")
	}
	// By folder, in stream order.
	slices.SortStableFunc(files, func(a, b cabFile) int {
		if a.folder != b.folder {
			return a.folder - b.folder
		}
		return int(min(max(a.off-b.off, -1), 1))
	})
	in := &countingReaderAt{r: ra}
	var out int64
	for i := 0; i < len(files); {
		j := i
		for j < len(files) && files[j].folder == files[i].folder {
			j++
		}
		if err := w.walkCabFolder(n, h, in, folders, files[i:j], &out); err == errCabStop {
			return nil
		} else if err != nil {
			return err
		}
		i = j
	}
	return nil
}

// walkCabFolder visits the files of one folder, sorted by offset.
func (w *walker) walkCabFolder(n node, h *cabHeader, in *countingReaderAt, folders []cabFolder, files []cabFile, out *int64) error {
	skipAll := func(why string) error {
		for _, f := range files {
			c := n.child(w.entryName(n.loc, f.name), 0o644)
			w.gap(c.loc, "", "%s, not read", why)
			if err := w.emitSkipped(c, f.size, "not read: "+why); err != nil {
				return err
			}
		}
		return nil
	}
	fi := files[0].folder
	if fi >= cabContinued {
		return skipAll("cab file continued in another cabinet")
	}
	if fi >= len(folders) {
		return skipAll("cab file in a folder that does not exist")
	}
	fo := folders[fi]
	badWindow := fo.comp == cabCompressLZX && !lzxWindowOK(fo.window)
	if badWindow || fo.comp != cabCompressNo && fo.comp != cabCompressZip && fo.comp != cabCompressLZX {
		method := cabMethod(fo.comp)
		if badWindow {
			method = fmt.Sprintf("LZX, window of 2^%d bytes not valid", fo.window)
		}
		w.gap(n.loc, "", "cab folder compressed with %s, not opened", method)
		for _, f := range files {
			c := n.child(w.entryName(n.loc, f.name), 0o644)
			if err := w.emitSkipped(c, f.size, "compressed with "+method); err != nil {
				return err
			}
		}
		return nil
	}
	fr := &cabFolderReader{ra: in, h: h, f: fo, next: fo.start}
	rr := w.ratio(n.loc, "rest of the archive skipped", fr, in.n.Load)
	rr.out = *out
	r := w.budget(n.loc, rr)
	defer func() { *out = rr.out }()
	var pos int64
	for k, f := range files {
		if err := w.check(); err != nil {
			return err
		}
		c := n.child(w.entryName(n.loc, f.name), 0o644)
		if f.off < pos { // overlaps the file before: a bomb, or a broken table
			w.gap(c.loc, "", "cab entry data overlaps another entry's, entry skipped")
			if err := w.emitSkipped(c, f.size, "data overlaps another entry"); err != nil {
				return err
			}
			continue
		}
		if _, err := io.CopyN(io.Discard, r, f.off-pos); err != nil {
			return w.cabFolderErr(n, rr, files[k:], err)
		}
		pos = f.off
		lr := &exactReader{r: r, n: f.size}
		if err := w.visitReader(c, f.size, lr, nil); err != nil {
			return err
		}
		if w.abort != nil {
			return w.abort
		}
		// What the walk did not read of the entry, read out to reach the
		// next. A read error was warned for this entry when it was read.
		if _, err := io.Copy(io.Discard, lr); err != nil {
			return w.cabFolderErr(n, rr, files[k+1:], err)
		}
		pos += f.size
	}
	return nil
}

// errCabStop ends the walk of a cabinet whose ratio went over the limit.
var errCabStop = errors.New("cab: stop")

// cabFolderErr records that a folder failed, and that its files left are
// not read.
func (w *walker) cabFolderErr(n node, rr *ratioReader, rest []cabFile, err error) error {
	if w.abort != nil {
		return w.abort
	}
	if rr.err != nil { // a gap already
		return errCabStop
	}
	for _, f := range rest {
		c := n.child(w.entryName(n.loc, f.name), 0o644)
		w.gap(c.loc, "", "not read: cab folder data unreadable (%v)", err)
		if err := w.emitSkipped(c, f.size, "unreadable: "+err.Error()); err != nil {
			return err
		}
	}
	return nil
}

// cabFolderReader decompresses a folder's CFDATA blocks in order.
type cabFolderReader struct {
	ra    io.ReaderAt
	h     *cabHeader
	f     cabFolder
	next  int64 // offset of the next CFDATA
	block int   // blocks read
	buf   []byte
	dst   []byte
	fr    io.ReadCloser
	out   []byte // decompressed, not yet read
	win   []byte // MSZIP: the last 32 KiB decompressed
	lzx   *lzxDecoder
	err   error
}

func (c *cabFolderReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		if c.block >= c.f.blocks {
			return 0, io.EOF
		}
		c.err = c.readBlock()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

func (c *cabFolderReader) readBlock() error {
	var hdr [8]byte
	if c.next+8 > c.h.size {
		return errFormat("data block past the end")
	}
	if _, err := c.ra.ReadAt(hdr[:], c.next); err != nil {
		return err
	}
	cb := int64(binary.LittleEndian.Uint16(hdr[4:]))
	ucb := int(binary.LittleEndian.Uint16(hdr[6:]))
	start := c.next + 8 + int64(c.h.dataRes)
	if start+cb > c.h.size || ucb > cabBlockMax {
		return errFormat("bad data block")
	}
	c.next = start + cb
	c.block++
	if cap(c.buf) < int(cb) {
		c.buf = make([]byte, cb)
	}
	b := c.buf[:cb]
	if _, err := c.ra.ReadAt(b, start); err != nil {
		return err
	}
	if sum := binary.LittleEndian.Uint32(hdr[:]); sum != 0 && cabChecksum(hdr[4:8], cabChecksum(b, 0)) != sum {
		return errFormat("data block checksum error")
	}
	if c.f.comp == cabCompressNo {
		if int(cb) != ucb {
			return errFormat("stored block of the wrong size")
		}
		c.out = b
		return nil
	}
	if c.f.comp == cabCompressLZX {
		if c.lzx == nil {
			d, err := newLZX(c.f.window)
			if err != nil {
				return fmt.Errorf("LZX: %w", err)
			}
			c.lzx = d
		}
		out, err := c.lzx.frame(b, ucb)
		if err != nil {
			return fmt.Errorf("LZX data block %d: %w", c.block, err)
		}
		c.out = out
		return nil
	}
	if len(b) < 2 || b[0] != 'C' || b[1] != 'K' {
		return errFormat("MSZIP block without its CK signature")
	}
	if c.fr == nil {
		c.fr = flate.NewReaderDict(bytes.NewReader(b[2:]), c.win)
	} else if err := c.fr.(flate.Resetter).Reset(bytes.NewReader(b[2:]), c.win); err != nil {
		return err
	}
	if c.dst == nil {
		c.dst = make([]byte, cabBlockMax+1)
	}
	dst := c.dst[:ucb+1]
	m, err := io.ReadFull(c.fr, dst)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		if m != ucb {
			return fmt.Errorf("MSZIP block of %d bytes, %d declared", m, ucb)
		}
	case err != nil:
		return fmt.Errorf("MSZIP: %w", err)
	default:
		return fmt.Errorf("MSZIP block over the %d bytes declared", ucb)
	}
	dst = dst[:m]
	c.win = append(c.win, dst...)
	if len(c.win) > cabBlockMax {
		c.win = append(c.win[:0], c.win[len(c.win)-cabBlockMax:]...)
	}
	c.out = dst
	return nil
}

// cabChecksum is the checksum of CFDATA blocks: the XOR of b's 32-bit
// words, the last few bytes in a word of their own, most significant first.
func cabChecksum(b []byte, seed uint32) uint32 {
	sum := seed
	for len(b) >= 4 {
		sum ^= binary.LittleEndian.Uint32(b)
		b = b[4:]
	}
	var ul uint32
	for _, c := range b {
		ul = ul<<8 | uint32(c)
	}
	return sum ^ ul
}

// peOverlay returns where the overlay of the PE file ra (size bytes)
// begins, after its last section: 0 when it is no PE or has none.
func peOverlay(ra io.ReaderAt, size int64) int64 {
	var head [1024]byte
	n, _ := ra.ReadAt(head[:], 0)
	b := head[:n]
	le := binary.LittleEndian
	if len(b) < 64 || string(b[:2]) != "MZ" {
		return 0
	}
	pe := int64(le.Uint32(b[60:]))
	var coff [24]byte
	if pe <= 0 || pe+24 > size {
		return 0
	}
	if _, err := ra.ReadAt(coff[:], pe); err != nil || string(coff[:4]) != "PE\x00\x00" {
		return 0
	}
	nsec := int64(le.Uint16(coff[6:]))
	secs := pe + 24 + int64(le.Uint16(coff[20:]))
	if nsec == 0 || nsec > 1024 || secs+nsec*40 > size {
		return 0
	}
	tab := make([]byte, nsec*40)
	if _, err := ra.ReadAt(tab, secs); err != nil {
		return 0
	}
	var end int64
	for i := range nsec {
		s := tab[i*40:]
		end = max(end, int64(le.Uint32(s[20:]))+int64(le.Uint32(s[16:])))
	}
	if end <= 0 || end >= size {
		return 0
	}
	return end
}

// overlayScan is how far into a PE's overlay a cab is looked for.
const overlayScan = 1 << 20

// cabInOverlay finds a cabinet in the overlay of the PE file ra (size
// bytes): its offset, or -1.
func cabInOverlay(ra io.ReaderAt, size int64) int64 {
	start := peOverlay(ra, size)
	if start == 0 {
		return -1
	}
	buf := make([]byte, min(size-start, overlayScan+cabHeaderLen+512))
	m, _ := ra.ReadAt(buf, start)
	buf = buf[:m]
	for p := 0; ; {
		i := bytes.Index(buf[p:], []byte("MSCF"))
		if i < 0 || p+i > overlayScan {
			return -1
		}
		p += i
		if isCab(buf[p:], size-start-int64(p)) {
			return start + int64(p)
		}
		p++
	}
}
