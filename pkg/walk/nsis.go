package walk

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/ulikunitz/xz/lzma"
)

// NSIS installers: a PE stub, and in its overlay the first header (flags,
// 0xDEADBEEF, "NullsoftInst", the length of the install header, the
// length of everything from the first header to the CRC-32 that ends
// it), then the data:
//
//   - non-solid: blocks of a 32-bit length (bit 31 set: compressed, the
//     rest the length of what follows) and their bytes; the first is the
//     install header, each other one a file's data;
//   - solid: one compressed stream of such blocks, their lengths plain.
//
// The compression is NSIS's zlib (raw deflate), LZMA (5 bytes of
// properties and a stream with no size; NSIS 3 may put a filter flag
// byte first) or NSIS's bzip2 variant, which has no reader: a gap. The
// install header's script says where its File instructions put each
// block: its path names the block when it can be read; otherwise the
// block is named by its offset in the data, data@0x2e. Unless the flags
// say there is none, a CRC-32 of the file from offset 512 follows the
// data: checked, as zlib and LZMA streams have no checksum.

const (
	nsisFirstLen = 28
	nsisNoCRC    = 4 // first header flag: no CRC-32 after the data
	nsisBit31    = 1 << 31
)

// nsisMethod is an NSIS compression method.
type nsisMethod int

const (
	nsisDeflate nsisMethod = iota
	nsisLZMA
	nsisBzip2
)

func (m nsisMethod) String() string {
	switch m {
	case nsisLZMA:
		return "LZMA"
	case nsisBzip2:
		return "bzip2"
	}
	return "zlib"
}

// nsisFirst is an NSIS first header.
type nsisFirst struct {
	off       int64 // in the file
	flags     uint32
	headerLen int64 // the install header, decompressed
	dataEnd   int64 // in the file: the end of the data, before the CRC
	declared  int64 // where the data end as declared (beyond size when truncated)
}

// findNSIS finds the first header in the overlay of the PE file ra (size
// bytes), as setupInOverlay does.
func findNSIS(ra io.ReaderAt, size int64) (*nsisFirst, error) {
	start := peOverlay(ra, size)
	if start == 0 {
		return nil, errFormat("no PE overlay")
	}
	buf := make([]byte, min(size-start, overlayScan+64))
	m, _ := ra.ReadAt(buf, start)
	buf = buf[:m]
	i := bytes.Index(buf, nsisMarker)
	if i < 4 || i+len(nsisMarker)+8 > len(buf) {
		return nil, errFormat("no NSIS first header")
	}
	b := buf[i-4:]
	le := binary.LittleEndian
	f := &nsisFirst{off: start + int64(i) - 4, flags: le.Uint32(b), headerLen: int64(le.Uint32(b[20:]))}
	all := int64(le.Uint32(b[24:]))
	crc := int64(4)
	if f.flags&nsisNoCRC != 0 {
		crc = 0
	}
	if all < nsisFirstLen+crc+4 {
		return nil, fmt.Errorf("data length %d too short", all)
	}
	f.declared = f.off + all - crc
	f.dataEnd = min(f.declared, size)
	return f, nil
}

// nsisLayout is how an installer's data are stored.
type nsisLayout struct {
	method nsisMethod
	solid  bool
	stored bool // non-solid, the install header not compressed
}

// isNSISLZMA tells LZMA properties as NSIS writes them at p: lc=3, lp=0,
// pb=2 and a dictionary of whole KiB, perhaps after a filter flag byte;
// then the range coder's first byte, always 0.
func isNSISLZMA(p []byte) bool {
	if len(p) > 1 && p[0] <= 1 && p[1] == 0x5d {
		p = p[1:]
	}
	if len(p) < 6 || p[0] != 0x5d || p[5] != 0 {
		return false
	}
	d := binary.LittleEndian.Uint32(p[1:])
	return d >= 1<<12 && d%1024 == 0
}

// isNSISBzip2 tells NSIS's bzip2 variant: a block byte 0x31, then the
// first bits of a block.
func isNSISBzip2(p []byte) bool { return len(p) >= 2 && p[0] == 0x31 && p[1] < 14 }

// nsisDetect tells the layout from the first 16 bytes of the data, of
// avail bytes in all. solidDeflate tells whether the data, inflated,
// begin with the install header's length, as a solid zlib stream's do:
// the first 4 bytes of one may pass for a block's length.
func nsisDetect(b []byte, avail, headerLen int64, solidDeflate func() bool) nsisLayout {
	v, l, block := uint32(0), int64(0), false
	if len(b) >= 4 {
		v = binary.LittleEndian.Uint32(b)
		l = int64(v &^ nsisBit31)
		block = l+4 <= avail
	}
	compressed := block && v&nsisBit31 != 0
	// A block's length and LZMA properties come first: a solid stream's
	// properties and first bytes would pass for them only with a
	// dictionary over 1 GiB (0x5d as its top byte) or a range coder's
	// first byte other than 0. The reverse is not so: the length of a
	// block can be 0x5d and a dictionary's first bytes.
	switch {
	case compressed && isNSISLZMA(b[4:]):
		return nsisLayout{method: nsisLZMA}
	case isNSISLZMA(b):
		return nsisLayout{method: nsisLZMA, solid: true}
	case isNSISBzip2(b):
		return nsisLayout{method: nsisBzip2, solid: true}
	case compressed && isNSISBzip2(b[4:]):
		return nsisLayout{method: nsisBzip2}
	case compressed && !solidDeflate():
		return nsisLayout{method: nsisDeflate}
	case block && v&nsisBit31 == 0 && l == headerLen:
		return nsisLayout{stored: true}
	}
	return nsisLayout{method: nsisDeflate, solid: true}
}

// nsisSolidDeflate tells whether the data at start in ra, of avail
// bytes, inflate to a first block as long as the install header.
func nsisSolidDeflate(ra io.ReaderAt, start, avail, headerLen int64) bool {
	fr := flate.NewReader(io.NewSectionReader(ra, start, min(avail, 1<<16)))
	var b [4]byte
	_, err := io.ReadFull(fr, b[:])
	return err == nil && int64(binary.LittleEndian.Uint32(b[:])) == headerLen
}

// errNSISBzip2 is why a block compressed with NSIS's bzip2 is not read.
var errNSISBzip2 = errors.New("compressed with NSIS's bzip2 variant (no reader for it)")

// nsisDecoder decompresses one NSIS stream read from in. When endOK is
// not nil, a stream that runs out of compressed bytes once endOK says all
// were consumed ends there (a solid stream, whose blocks say where they
// end); else that is an error. maxDict, when over 0, bounds an LZMA
// dictionary below the one the stream declares (see nsisBlockDict).
func nsisDecoder(m nsisMethod, in io.Reader, endOK func() bool, maxDict int64) (io.Reader, error) {
	switch m {
	case nsisBzip2:
		return nil, errNSISBzip2
	case nsisDeflate:
		return nsisEnded(flate.NewReader(in), endOK), nil
	}
	br, ok := in.(io.ByteReader)
	if !ok {
		br = bufio.NewReader(in)
		in = br.(io.Reader)
	}
	var props [6]byte
	if _, err := io.ReadFull(in, props[:1]); err != nil {
		return nil, fmt.Errorf("LZMA: %w", noEOF(err))
	}
	if props[0] <= 1 { // a filter flag
		if props[0] == 1 {
			return nil, errors.New("LZMA with the x86 BCJ filter (no reader for it)")
		}
		if _, err := io.ReadFull(in, props[:1]); err != nil {
			return nil, fmt.Errorf("LZMA: %w", noEOF(err))
		}
	}
	if _, err := io.ReadFull(in, props[1:5]); err != nil {
		return nil, fmt.Errorf("LZMA: %w", noEOF(err))
	}
	d := binary.LittleEndian.Uint32(props[1:])
	if d > maxXzDict {
		return nil, fmt.Errorf("LZMA dictionary of %d MiB, over the %d MiB allowed", d>>20, maxXzDict>>20)
	}
	if maxDict > 0 && int64(d) > maxDict {
		binary.LittleEndian.PutUint32(props[1:], uint32(maxDict))
	}
	head := make([]byte, 13)
	copy(head, props[:5])
	for i := 5; i < 13; i++ {
		head[i] = 0xff // size unknown
	}
	lr, err := lzma.ReaderConfig{DictCap: maxXzDict}.NewReader(&prefixByteReader{pre: head, r: in, br: br})
	if err != nil {
		return nil, err
	}
	return nsisEnded(lr, endOK), nil
}

func nsisEnded(r io.Reader, endOK func() bool) io.Reader {
	if endOK == nil {
		return r
	}
	return &nsisEnd{r: r, endOK: endOK}
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// prefixByteReader reads pre, then r; as an io.ByteReader, br.
type prefixByteReader struct {
	pre []byte
	r   io.Reader
	br  io.ByteReader
}

func (p *prefixByteReader) Read(b []byte) (int, error) {
	if len(p.pre) > 0 {
		n := copy(b, p.pre)
		p.pre = p.pre[n:]
		return n, nil
	}
	return p.r.Read(b)
}

func (p *prefixByteReader) ReadByte() (byte, error) {
	if len(p.pre) > 0 {
		c := p.pre[0]
		p.pre = p.pre[1:]
		return c, nil
	}
	return p.br.ReadByte()
}

// nsisEnd ends a solid stream that ran out of compressed bytes, as an
// LZMA stream with no end marker does, when all of them were consumed.
type nsisEnd struct {
	r     io.Reader
	endOK func() bool
}

func (e *nsisEnd) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.endOK() && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected EOF")) {
		err = io.EOF
	}
	return n, err
}

// walkNSIS walks the NSIS installer n: size bytes read at random from ra.
func (w *walker) walkNSIS(n node, ra io.ReaderAt, size int64) error {
	f, err := findNSIS(ra, size)
	if err != nil {
		w.gap(n.loc, "", "not a valid NSIS installer: %v, payload not read", err)
		return nil
	}
	start := f.off + nsisFirstLen
	if f.dataEnd < start+4 {
		w.gap(n.loc, "", "NSIS installer truncated: no data after its first header, payload not read")
		return nil
	}
	if f.declared > size {
		w.gap(n.loc, "", "NSIS installer truncated: its data end at %d, the file at %d; what is there is read", f.declared, size)
	}
	if err := w.nsisCRC(n, ra, size, f); err != nil {
		return err
	}
	head := make([]byte, 16)
	m, _ := ra.ReadAt(head, start)
	lay := nsisDetect(head[:m], f.dataEnd-start, f.headerLen, func() bool {
		return nsisSolidDeflate(ra, start, f.dataEnd-start, f.headerLen)
	})
	w.rep.Archives++
	in := &countingReaderAt{r: ra}
	if lay.solid {
		return w.nsisSolid(n, f, lay, io.NewSectionReader(in, start, f.dataEnd-start))
	}
	return w.nsisBlocks(n, f, lay, in, start)
}

// nsisCRCStart is where the CRC-32 of an NSIS installer begins: the PE
// headers before, which signing changes, are not covered.
const nsisCRCStart = 512

// nsisCRC checks the CRC-32 that ends the data, when there is one: of the
// file from nsisCRCStart to it. A mismatch is a gap; the blocks are still
// read, as they are (zlib and LZMA streams have no checksum of their own).
func (w *walker) nsisCRC(n node, ra io.ReaderAt, size int64, f *nsisFirst) error {
	if f.flags&nsisNoCRC != 0 || f.declared+4 > size || f.declared <= nsisCRCStart {
		return nil
	}
	var rec [4]byte
	if _, err := ra.ReadAt(rec[:], f.declared); err != nil {
		return nil
	}
	h := crc32.NewIEEE()
	buf := make([]byte, 64<<10)
	for pos := int64(nsisCRCStart); pos < f.declared; {
		if err := w.check(); err != nil {
			return err
		}
		k, err := ra.ReadAt(buf[:min(int64(len(buf)), f.declared-pos)], pos)
		h.Write(buf[:k])
		pos += int64(k)
		if err != nil && pos < f.declared {
			return nil // a read error: the blocks' reads will tell
		}
	}
	if got, want := h.Sum32(), binary.LittleEndian.Uint32(rec[:]); got != want {
		w.gap(n.loc, "", "NSIS installer fails its CRC-32 (%08x, recorded %08x): corrupt, its blocks read as they are", got, want)
	}
	return nil
}

// nsisHeaderName and nsisDataName name the blocks that have no path.
const nsisHeaderName = "[header]"

func nsisDataName(off int64) string { return fmt.Sprintf("data@0x%x", off) }

// nsisHeader reads the install header of hlen bytes from r, visits it as
// n![header], and returns the paths it gives the data blocks, by offset.
func (w *walker) nsisHeader(n node, f *nsisFirst, r io.Reader, hlen int64) (names map[int64]string, err error) {
	c := n.child(nsisHeaderName, 0o644)
	if hlen != f.headerLen || hlen > w.lim.MaxFileBytes {
		// A header not as declared, or too large to hold: visited as any
		// file, names not read.
		if hlen != f.headerLen {
			w.warn("%s: NSIS install header of %d bytes, %d declared: file names not read", c.loc, hlen, f.headerLen)
		}
		return nil, w.visitReader(c, hlen, r, nil)
	}
	// Grown as the bytes come, not allocated at the declared length.
	data, rerr := io.ReadAll(io.LimitReader(r, hlen))
	if rerr == nil && int64(len(data)) < hlen {
		rerr = io.ErrUnexpectedEOF
	}
	if rerr != nil {
		if w.abort != nil {
			return nil, w.abort
		}
		var re *ratioError
		if errors.As(rerr, &re) { // a gap already
			return nil, w.emitSkipped(c, int64(len(data)), re.reason())
		}
		w.gap(c.loc, "", "read error: %v, contents not read", rerr)
		return nil, w.emitSkipped(c, int64(len(data)), "unreadable: "+rerr.Error())
	}
	names = nsisNames(data)
	return names, w.visitReader(c, hlen, bytes.NewReader(data), nil)
}

// nsisBlocks walks the blocks of a non-solid installer, from start in ra.
func (w *walker) nsisBlocks(n node, f *nsisFirst, lay nsisLayout, in *countingReaderAt, start int64) error {
	method := lay.method
	if lay.stored { // told by the first compressed block
		method = nsisDeflate
		for pos, i := start, 0; pos+4 <= f.dataEnd && i < 64; i++ {
			var b [16]byte
			k, _ := in.ReadAt(b[:], pos)
			v := binary.LittleEndian.Uint32(b[:])
			if v&nsisBit31 != 0 {
				switch {
				case isNSISLZMA(b[4:k]):
					method = nsisLZMA
				case isNSISBzip2(b[4:k]):
					method = nsisBzip2
				}
				break
			}
			pos += 4 + int64(v)
		}
	}
	// The blocks counted first, as a cabinet's files are: more than the
	// walk may visit, and none is read.
	at := nsisBlockOffsets(in, start, f.dataEnd, w.lim.MaxFiles)
	if len(at) > w.lim.MaxFiles {
		w.gap(n.loc, "files", "NSIS installer of more than %d blocks (limit files), payload not read", w.lim.MaxFiles)
		return nil
	}
	var names map[int64]string
	var base, out int64
	for pos, i := start, 0; pos+4 <= f.dataEnd; i++ {
		if err := w.check(); err != nil {
			return err
		}
		var b [4]byte
		if _, err := in.ReadAt(b[:], pos); err != nil {
			w.gap(n.loc, "", "NSIS data unreadable at %d: %v, the rest not read", pos, err)
			return nil
		}
		v := binary.LittleEndian.Uint32(b[:])
		l := int64(v &^ nsisBit31)
		name := nsisHeaderName
		if i > 0 {
			name = names[pos-base]
			if name == "" {
				name = nsisDataName(pos - base)
			} else {
				name = w.entryName(n.loc, name)
			}
		}
		c := n.child(name, 0o644)
		if pos+4+l > f.dataEnd {
			w.gap(c.loc, "", "NSIS block of %d bytes at %d past the end of the data (truncated or corrupt), the rest not read", l, pos)
			return w.emitSkipped(c, -1, "truncated")
		}
		if i == 0 {
			base = pos + 4 + l
		}
		sr := io.NewSectionReader(in, pos+4, l)
		var r io.Reader = sr
		var rr *ratioReader
		size := l
		if v&nsisBit31 != 0 {
			bc := newByteCounter(sr, nil)
			dec, err := nsisDecoder(method, bc.reader(), nil, nsisBlockDict(l, w.lim.MaxRatio))
			if w.abort != nil {
				return w.abort
			}
			if err != nil {
				w.gap(c.loc, "", "NSIS block not read: %v", err)
				if err := w.emitSkipped(c, -1, "not read: "+err.Error()); err != nil {
					return err
				}
				pos += 4 + l
				continue
			}
			rr = w.ratio(n.loc, "rest of the installer skipped", dec, in.n.Load)
			rr.out = out
			r, size = rr, -1
		}
		r = w.budget(n.loc, r)
		if i == 0 {
			hr := r
			if size < 0 {
				hr = &exactReader{r: r, n: f.headerLen}
				size = f.headerLen
			}
			var err error
			if names, err = w.nsisHeader(n, f, hr, size); err != nil {
				return err
			}
			names = nsisCheckNames(names, at, base)
		} else if err := w.visitReader(c, size, r, nil); err != nil {
			return err
		}
		if rr != nil {
			out = rr.out
			if rr.err != nil { // a gap already
				return nil
			}
		}
		if w.abort != nil {
			return w.abort
		}
		pos += 4 + l
	}
	return nil
}

// nsisBlockDict bounds the LZMA dictionary of a non-solid block of l
// compressed bytes: the reader allocates it whole, for each block, and
// NSIS declares the same (8 MiB by default) for a block of ten bytes as
// for one of megabytes. A match reaches back no further than the block
// has decompressed, and a block that decompresses past ratio × l (or
// 1 MiB) is one the ratio guard stops in most installers: one that needs
// a longer distance fails, a gap.
func nsisBlockDict(l, ratio int64) int64 {
	if l <= 0 || ratio > maxXzDict/l {
		return 0
	}
	return max(ratio*l, ratioSlack)
}

// nsisBlockOffsets returns where the blocks of a non-solid installer
// start, from start to end in ra, up to limit+1 of them (the install
// header is one).
func nsisBlockOffsets(ra io.ReaderAt, start, end int64, limit int) []int64 {
	var at []int64
	for pos := start; pos+4 <= end && len(at) <= limit; {
		var b [4]byte
		if _, err := ra.ReadAt(b[:], pos); err != nil {
			break
		}
		at = append(at, pos)
		pos += 4 + int64(binary.LittleEndian.Uint32(b[:])&^nsisBit31)
	}
	return at
}

// nsisCheckNames drops names unless every offset they name starts a
// block: else the script was not read as it was written (an NSIS of
// another instruction layout), and its names could be wrong.
func nsisCheckNames(names map[int64]string, at []int64, base int64) map[int64]string {
	starts := make(map[int64]bool, len(at))
	for _, a := range at { // the header's too: at -4-l, never named
		starts[a-base] = true
	}
	for off := range names {
		if !starts[off] {
			return nil
		}
	}
	return names
}

// nsisSolid walks the blocks of a solid installer, compressed in sr.
func (w *walker) nsisSolid(n node, f *nsisFirst, lay nsisLayout, sr *io.SectionReader) error {
	bc := newByteCounter(sr, nil)
	total := sr.Size()
	dec, err := nsisDecoder(lay.method, bc.reader(), func() bool { return bc.consumed() >= total }, 0)
	if w.abort != nil {
		return w.abort
	}
	if err != nil {
		w.gap(n.loc, "", "NSIS solid data not read: %v", err)
		return nil
	}
	rr := w.ratio(n.loc, "rest of the installer skipped", dec, bc.consumed)
	r := w.budget(n.loc, rr)
	var names map[int64]string
	var pos, base int64 // in the decompressed stream
	for i := 0; ; i++ {
		if err := w.check(); err != nil {
			return err
		}
		var b [4]byte
		k, err := io.ReadFull(r, b[:])
		switch {
		case w.abort != nil:
			return w.abort
		case rr.err != nil:
			return nil
		case err == io.EOF && i > 0:
			return nil
		case err != nil:
			w.gap(n.loc, "", "NSIS solid data unreadable after %d bytes (%v), the rest not read", pos+int64(k), noEOF(err))
			return nil
		}
		l := int64(binary.LittleEndian.Uint32(b[:]))
		name := nsisHeaderName
		if i > 0 {
			name = names[pos-base]
			if name == "" {
				name = nsisDataName(pos - base)
			} else {
				name = w.entryName(n.loc, name)
			}
		}
		c := n.child(name, 0o644)
		pos += 4
		lr := &exactReader{r: r, n: l}
		if i == 0 {
			if names, err = w.nsisHeader(n, f, lr, l); err != nil {
				return err
			}
			base = pos + l
		} else if err := w.visitReader(c, l, lr, nil); err != nil {
			return err
		}
		if w.abort != nil {
			return w.abort
		}
		// What the walk did not read of the block, read out to reach the
		// next.
		if _, err := io.Copy(io.Discard, lr); err != nil {
			if w.abort != nil {
				return w.abort
			}
			if rr.err == nil {
				w.gap(c.loc, "", "NSIS solid data unreadable (%v), the rest not read", err)
			}
			return nil
		}
		pos += l
	}
}

// nsisNames reads the install header h: the paths its File instructions
// (EW_EXTRACTFILE) give the data blocks, by offset, each in the output
// directory its last SetOutPath (EW_CREATEDIR) set. Nil when the header
// is not as NSIS 2 and 3 write it.
func nsisNames(h []byte) (names map[int64]string) {
	defer func() {
		if recover() != nil { // a bug: the blocks are named by offset
			names = nil
		}
	}()
	const (
		ewCreateDir   = 11
		ewExtractFile = 20
		entryLen      = 28
	)
	if len(h) < 4+8*8 {
		return nil
	}
	le := binary.LittleEndian
	block := func(i int) (int64, int64) {
		return int64(int32(le.Uint32(h[4+8*i:]))), int64(int32(le.Uint32(h[8+8*i:])))
	}
	eoff, enum := block(2)
	soff, _ := block(3)
	hl := int64(len(h))
	if eoff <= 0 || eoff > hl || soff <= 0 || soff >= hl || enum < 0 {
		return nil
	}
	enum = min(enum, (hl-eoff)/entryLen)
	send := hl
	for i := 4; i < 8; i++ {
		if o, _ := block(i); o > soff && o < send {
			send = o
		}
	}
	s := nsisStrings{b: h[soff:send]}
	s.detect()
	names = map[int64]string{}
	outdir := ""
	for k := range enum {
		e := h[eoff+k*entryLen:]
		parm := func(i int) int64 { return int64(int32(le.Uint32(e[4+4*i:]))) }
		switch le.Uint32(e) {
		case ewCreateDir:
			if parm(1) != 0 {
				if d, ok := s.get(parm(0)); ok {
					outdir = d
				}
			}
		case ewExtractFile:
			name, ok := s.get(parm(1))
			off := parm(2)
			if !ok || name == "" || off < 0 {
				continue
			}
			if !nsisAbs(name) && outdir != "" {
				name = outdir + `\` + name
			}
			if _, dup := names[off]; !dup {
				names[off] = name
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	return names
}

// nsisAbs tells a path that does not go in the output directory.
func nsisAbs(p string) bool {
	return strings.HasPrefix(p, "$") || strings.HasPrefix(p, `\`) || len(p) >= 2 && p[1] == ':'
}

// nsisStrings is the string table of an install header: UTF-16 (NSIS 3
// Unicode) or bytes (ANSI, NSIS 2 or 3), with codes for variables, shell
// folders and language strings.
type nsisStrings struct {
	b       []byte
	unicode bool
	v2      bool // ANSI codes of NSIS 2: 0xfc to 0xff; else 1 to 4
}

// detect tells the encoding: UTF-16 has most of its odd bytes zero.
func (s *nsisStrings) detect() {
	b := s.b[:min(len(s.b), 4096)]
	zero := 0
	for i := 1; i < len(b); i += 2 {
		if b[i] == 0 {
			zero++
		}
	}
	s.unicode = len(b) >= 4 && zero*3 > len(b)
	if !s.unicode {
		v2, v3 := 0, 0
		for i := 0; i+2 < len(s.b); i++ {
			c, p := s.b[i], s.b[i+1:i+3]
			if p[0]&0x80 == 0 || p[1]&0x80 == 0 {
				continue
			}
			switch {
			case c >= 0xfc:
				v2++
			case c >= 1 && c <= 4:
				v3++
			}
		}
		s.v2 = v2 > v3
	}
}

// nsisVars are the names of NSIS's built-in variables, by index.
var nsisVars = []string{
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
	"R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9",
	"CMDLINE", "INSTDIR", "OUTDIR", "EXEDIR", "LANGUAGE", "TEMP", "PLUGINSDIR", "EXEPATH", "EXEFILE", "HWNDPARENT", "_CLICK", "_OUTDIR",
}

// nsisFolders names the shell folders of NSIS's constants, by CSIDL.
var nsisFolders = map[int]string{
	0x00: "DESKTOP", 0x02: "SMPROGRAMS", 0x05: "DOCUMENTS", 0x07: "SMSTARTUP", 0x0b: "STARTMENU",
	0x10: "DESKTOP", 0x14: "FONTS", 0x1a: "APPDATA", 0x1c: "LOCALAPPDATA", 0x23: "APPDATA",
	0x24: "WINDIR", 0x25: "SYSDIR", 0x26: "PROGRAMFILES", 0x2b: "COMMONFILES",
}

// maxNSISString bounds the length of a name read from the string table.
const maxNSISString = 1024

// get returns the string at off (in characters), its codes written as
// NSIS writes them in scripts: $INSTDIR, $PROGRAMFILES, $(LANG_5).
func (s *nsisStrings) get(off int64) (string, bool) {
	unit := int64(1)
	if s.unicode {
		unit = 2
	}
	if off < 0 || off*unit >= int64(len(s.b)) {
		return "", false
	}
	p := int(off * unit)
	char := func() (int, bool) {
		if p+int(unit) > len(s.b) {
			return 0, false
		}
		var c int
		if s.unicode {
			c = int(binary.LittleEndian.Uint16(s.b[p:]))
		} else {
			c = int(s.b[p])
		}
		p += int(unit)
		return c, true
	}
	// param reads the 2-byte argument of a code: two 7-bit halves.
	param := func() (lo, hi int, ok bool) {
		if s.unicode {
			c, ok := char()
			return c & 0xff, c >> 8, ok
		}
		a, ok1 := char()
		b, ok2 := char()
		return a, b, ok1 && ok2
	}
	var sb strings.Builder
	var u16 []uint16
	flush := func() {
		sb.WriteString(string(utf16.Decode(u16)))
		u16 = u16[:0]
	}
	lang, shell, vr, skip := 1, 2, 3, 4
	if !s.unicode && s.v2 {
		lang, shell, vr, skip = 0xff, 0xfe, 0xfd, 0xfc
	}
	for sb.Len()+len(u16) < maxNSISString {
		c, ok := char()
		if !ok {
			return "", false
		}
		if c == 0 {
			flush()
			return sb.String(), true
		}
		switch c {
		case skip: // the next character as it is
			if c, ok = char(); !ok {
				return "", false
			}
		case lang, shell, vr:
			lo, hi, ok := param()
			if !ok {
				return "", false
			}
			flush()
			switch c {
			case vr:
				i := (hi&0x7f)<<7 | lo&0x7f
				if i < len(nsisVars) {
					sb.WriteString("$" + nsisVars[i])
				} else {
					fmt.Fprintf(&sb, "$_%d_", i-len(nsisVars))
				}
			case lang:
				fmt.Fprintf(&sb, "$(LSTR_%d)", (hi&0x7f)<<7|lo&0x7f)
			case shell:
				sb.WriteString(s.folder(lo))
			}
			continue
		}
		if s.unicode {
			u16 = append(u16, uint16(c))
		} else {
			sb.WriteRune(rune(c)) // Latin-1: the code page is not known
		}
	}
	return "", false
}

// folder names a shell folder code: a CSIDL, or with bit 7 set the
// string offset of a registry value's name under
// HKLM\Software\Microsoft\Windows\CurrentVersion.
func (s *nsisStrings) folder(c int) string {
	if c&0x80 != 0 {
		sub := nsisStrings{b: s.b, unicode: s.unicode, v2: s.v2}
		v, _ := sub.getPlain(int64(c & 0x3f))
		switch v {
		case "ProgramFilesDir":
			return "$PROGRAMFILES"
		case "CommonFilesDir":
			return "$COMMONFILES"
		}
		return "$SHELL"
	}
	if name, ok := nsisFolders[c&0x3f]; ok {
		return "$" + name
	}
	return fmt.Sprintf("$CSIDL_%d", c&0x3f)
}

// getPlain reads a string with no codes at off.
func (s *nsisStrings) getPlain(off int64) (string, bool) {
	unit := int64(1)
	if s.unicode {
		unit = 2
	}
	var sb strings.Builder
	for p := off * unit; p+unit <= int64(len(s.b)) && sb.Len() < 64; p += unit {
		c := int(s.b[p])
		if s.unicode {
			c = int(binary.LittleEndian.Uint16(s.b[p:]))
		}
		if c == 0 {
			return sb.String(), true
		}
		if c < 0x20 || c > 0x7e {
			return "", false
		}
		sb.WriteByte(byte(c))
	}
	return "", false
}
