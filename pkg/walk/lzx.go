package walk

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// LZX, as cabinet folders use it ([MS-CAB] and the LZX format Microsoft
// documents with LZX DELTA): one stream per folder, in frames of 32 KiB
// of output, one frame per CFDATA block. The bitstream is 16-bit
// little-endian words read most significant bit first; it is realigned on
// 16 bits at the end of each frame, and what a frame leaves of its
// block's data begins the next one's (the blocks' data is one stream, as
// cabextract reads it); a match may run a few bytes past the end of a
// frame, into the next. The stream starts with the E8 translation
// header; then come blocks, verbatim, aligned offset or uncompressed,
// each a type, a size and, for the first two, the code lengths of its
// trees, given as differences from the block before's.
//
// The window is at most 2 MiB, the only allocation whose size comes from
// the data; every code is checked to be complete, every match to lie in
// what was decoded, and whatever breaks the format is an error.

const (
	lzxMinWindow    = 15
	lzxMaxWindow    = 21
	lzxFrame        = 32768 // output of a frame
	lzxChars        = 256
	lzxMaxSlots     = 50
	lzxMainMax      = lzxChars + 8*lzxMaxSlots
	lzxLenSyms      = 249
	lzxAlignSyms    = 8
	lzxPreSyms      = 20
	lzxMaxCode      = 16
	lzxTableBits    = 10
	lzxMinMatch     = 2
	lzxMaxMatch     = lzxMinMatch + 7 + lzxLenSyms - 1
	lzxE8Limit      = 1 << 30 // E8 translation stops after the first 1 GiB
	lzxVerbatim     = 1
	lzxAligned      = 2
	lzxUncompressed = 3
)

// lzxSlots is the number of position slots of each window size.
var lzxSlots = [lzxMaxWindow + 1]int{15: 30, 16: 32, 17: 34, 18: 36, 19: 38, 20: 42, 21: 50}

// lzxExtra and lzxBase are the footer bits and base offset of each
// position slot.
var lzxExtra, lzxBase = func() (extra, base [lzxMaxSlots]uint32) {
	for i := range lzxMaxSlots {
		if i >= 4 {
			extra[i] = min(uint32(i-2)/2, 17)
		}
		if i > 0 {
			base[i] = base[i-1] + 1<<extra[i-1]
		}
	}
	return
}()

// lzxWindowOK tells whether a folder's window size (log2) is one LZX has.
func lzxWindowOK(bits int) bool { return bits >= lzxMinWindow && bits <= lzxMaxWindow }

// lzxHuff decodes one canonical Huffman code: codes of up to
// lzxTableBits bits by a table, longer ones length by length.
type lzxHuff struct {
	table [1 << lzxTableBits]uint16 // symbol<<5 | length; 0: longer code
	count [lzxMaxCode + 1]uint16    // codes of each length
	first [lzxMaxCode + 1]uint32    // first code of each length
	index [lzxMaxCode + 1]uint16    // in syms, of the first code of each length
	syms  [lzxMainMax]uint16        // by code
	empty bool                      // no code at all
}

var errLZXCode = errors.New("bad Huffman code")

// build makes the code of lens: a complete code, or none at all (an
// empty code is an error only when a symbol is decoded from it).
func (h *lzxHuff) build(lens []uint8, what string) error {
	h.count = [lzxMaxCode + 1]uint16{}
	for _, l := range lens {
		if l > lzxMaxCode {
			return fmt.Errorf("%s: code length %d", what, l)
		}
		h.count[l]++
	}
	h.count[0] = 0
	left := 1
	for l := 1; l <= lzxMaxCode; l++ {
		left = left<<1 - int(h.count[l])
		if left < 0 {
			return fmt.Errorf("%s: %w (over-subscribed)", what, errLZXCode)
		}
	}
	h.empty = left == 1<<lzxMaxCode
	if left > 0 && !h.empty {
		return fmt.Errorf("%s: %w (incomplete)", what, errLZXCode)
	}
	var code uint32
	var idx uint16
	for l := 1; l <= lzxMaxCode; l++ {
		h.first[l], h.index[l] = code, idx
		code = (code + uint32(h.count[l])) << 1
		idx += h.count[l]
	}
	next := h.index
	for s, l := range lens {
		if l != 0 {
			h.syms[next[l]] = uint16(s)
			next[l]++
		}
	}
	h.table = [1 << lzxTableBits]uint16{}
	for l := 1; l <= lzxTableBits; l++ {
		for i := range uint32(h.count[l]) {
			span := uint32(1) << (lzxTableBits - l)
			start := (h.first[l] + i) * span
			e := h.syms[uint32(h.index[l])+i]<<5 | uint16(l)
			for j := start; j < start+span; j++ {
				h.table[j] = e
			}
		}
	}
	return nil
}

// lzxBits reads the bitstream of a frame: in, from p on, through a
// buffer of n bits. Past the end of in, it reads zero bits, counted in
// over; consuming them is an error.
type lzxBits struct {
	in   []byte
	p    int
	buf  uint64
	n    uint
	over uint
}

var errLZXShort = errors.New("data runs out")

func (b *lzxBits) fill() {
	for b.n <= 48 {
		var w uint64
		if b.p+1 < len(b.in) {
			w = uint64(binary.LittleEndian.Uint16(b.in[b.p:]))
			b.p += 2
		} else {
			b.over += 16
		}
		b.buf = b.buf<<16 | w
		b.n += 16
	}
}

// bits reads k bits (at most 32).
func (b *lzxBits) bits(k uint) uint32 {
	if k == 0 {
		return 0
	}
	if b.n < k {
		b.fill()
	}
	b.n -= k
	return uint32(b.buf>>b.n) & (1<<k - 1)
}

// short tells whether the reads went past the end of the data.
func (b *lzxBits) short() bool { return b.n < b.over }

// align drops the bits left of the current 16-bit word; with force, a
// whole word when there are none.
func (b *lzxBits) align(force bool) {
	k := b.n % 16
	if k == 0 && force {
		if b.n < 16 {
			b.fill()
		}
		k = 16
	}
	b.n -= k
}

// toBytes leaves bit reading for byte reading, at the next unread byte.
func (b *lzxBits) toBytes() error {
	if b.short() {
		return errLZXShort
	}
	b.p -= int(b.n-b.over) / 8
	b.buf, b.n, b.over = 0, 0, 0
	return nil
}

// decode reads a symbol of h.
func (b *lzxBits) decode(h *lzxHuff) (int, error) {
	if h.empty {
		return 0, errors.New("symbol of a code that has none")
	}
	if b.n < lzxMaxCode {
		b.fill()
	}
	v := uint32(b.buf>>(b.n-lzxMaxCode)) & (1<<lzxMaxCode - 1)
	if e := h.table[v>>(lzxMaxCode-lzxTableBits)]; e != 0 {
		b.n -= uint(e & 31)
		return int(e >> 5), nil
	}
	for l := lzxTableBits + 1; l <= lzxMaxCode; l++ {
		c := v >> (lzxMaxCode - l)
		if d := c - h.first[l]; d < uint32(h.count[l]) {
			b.n -= uint(l)
			return int(h.syms[uint32(h.index[l])+d]), nil
		}
	}
	return 0, errLZXCode // cannot happen with a complete code
}

// lzxDecoder decodes one folder's LZX stream, a frame at a time.
type lzxDecoder struct {
	win     []byte // the window, a power of two long
	mask    int
	pos     int   // in win, of the next byte
	written int64 // bytes decoded, overrun included
	total   int64 // bytes of the frames returned (since the last reset)
	slots   int
	b       lzxBits
	carry   []byte // input a frame left unread
	out     []byte // the frame, and a match's overrun past it
	pending int    // overrun bytes past the frame before
	last    int    // size of the frame before

	started  bool  // stream header read
	e8       int32 // E8 translation file size, 0: none
	btype    int
	bsize    int
	remain   int // bytes of the block left
	padByte  bool
	r0       uint32
	r1       uint32
	r2       uint32
	mainLens [lzxMainMax]uint8
	lenLens  [lzxLenSyms]uint8
	main     lzxHuff
	length   lzxHuff
	aligned  lzxHuff
	pre      lzxHuff
}

// newLZX returns a decoder of window 2^bits bytes.
func newLZX(bits int) (*lzxDecoder, error) {
	if !lzxWindowOK(bits) {
		return nil, fmt.Errorf("window of 2^%d bytes", bits)
	}
	return &lzxDecoder{
		win:   make([]byte, 1<<bits),
		mask:  1<<bits - 1,
		slots: lzxSlots[bits],
		out:   make([]byte, lzxFrame+lzxMaxMatch),
		r0:    1, r1: 1, r2: 1,
	}, nil
}

// frame decodes the next frame, of n bytes, from in (a CFDATA block's
// data). The result is valid until the next call.
func (d *lzxDecoder) frame(in []byte, n int) ([]byte, error) {
	if n < 0 || n > lzxFrame {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	if d.pending > n {
		return nil, errors.New("match past the end of the data")
	}
	copy(d.out, d.out[d.last:d.last+d.pending]) // the last frame's overrun
	if len(d.carry) > 0 {
		d.carry = append(d.carry, in...)
		in = d.carry
	}
	d.b = lzxBits{in: in}
	if !d.started && n > 0 {
		d.started = true
		if d.b.bits(1) == 1 {
			d.e8 = int32(d.b.bits(32))
		}
	}
	done := d.pending
	for done < n {
		if d.remain == 0 {
			if err := d.header(); err != nil {
				return nil, err
			}
			continue
		}
		if d.btype == lzxUncompressed {
			k := min(d.remain, n-done)
			if d.b.p+k > len(d.b.in) {
				return nil, fmt.Errorf("uncompressed block: %w", errLZXShort)
			}
			src := d.b.in[d.b.p : d.b.p+k]
			d.b.p += k
			copy(d.out[done:], src)
			for len(src) > 0 {
				m := copy(d.win[d.pos:], src)
				src = src[m:]
				d.pos = (d.pos + m) & d.mask
			}
			d.written += int64(k)
			done += k
			d.remain -= k
			d.padByte = d.remain == 0 && d.bsize&1 == 1
			continue
		}
		k, err := d.symbols(done, n)
		if err != nil {
			return nil, err
		}
		done = k
	}
	if d.b.short() {
		return nil, errLZXShort
	}
	// Realign, and keep what is left of the input for the next frame.
	d.b.align(false)
	if err := d.b.toBytes(); err != nil {
		return nil, err
	}
	d.carry = append(d.carry[:0], d.b.in[d.b.p:]...)
	if len(d.carry) > 2*lzxFrame {
		return nil, errors.New("frame data left unread")
	}
	out := d.out[:n]
	if d.e8 != 0 && d.total < lzxE8Limit {
		lzxE8(out, d.total, d.e8)
	}
	d.total += int64(n)
	d.pending = done - n
	d.last = n
	return out, nil
}

// reset begins a new stream in the same window, as the compressed
// section of a CHM file does at each of its reset points (chm.go): the E8
// header is read again and E8 positions count from here, the repeated
// offsets and the trees start afresh, and the next frame's data begins
// the input (none of the last frame's is carried). A block or a match
// that runs across the reset is an error. The window is kept: what a
// stream decodes does not refer to what was before it, but a match that
// does is taken as in a stream without resets.
func (d *lzxDecoder) reset() error {
	if d.remain != 0 || d.pending != 0 {
		return errors.New("block runs across a reset point")
	}
	d.started, d.e8, d.total = false, 0, 0
	d.btype, d.bsize, d.padByte = 0, 0, false
	d.r0, d.r1, d.r2 = 1, 1, 1
	d.mainLens = [lzxMainMax]uint8{}
	d.lenLens = [lzxLenSyms]uint8{}
	d.carry = d.carry[:0]
	return nil
}

// header reads a block header, and its trees.
func (d *lzxDecoder) header() error {
	if d.padByte { // after an uncompressed block of odd size
		if d.b.p >= len(d.b.in) {
			return fmt.Errorf("uncompressed block: %w", errLZXShort)
		}
		d.b.p++
		d.padByte = false
	}
	d.btype = int(d.b.bits(3))
	d.bsize = int(d.b.bits(24))
	d.remain = d.bsize
	switch d.btype {
	case lzxAligned:
		var lens [lzxAlignSyms]uint8
		for i := range lens {
			lens[i] = uint8(d.b.bits(3))
		}
		if err := d.aligned.build(lens[:], "aligned offset tree"); err != nil {
			return err
		}
		fallthrough
	case lzxVerbatim:
		if err := d.lengths(d.mainLens[:lzxChars], "main tree"); err != nil {
			return err
		}
		main := d.mainLens[:lzxChars+8*d.slots]
		if err := d.lengths(main[lzxChars:], "main tree"); err != nil {
			return err
		}
		if err := d.main.build(main, "main tree"); err != nil {
			return err
		}
		if d.main.empty {
			return fmt.Errorf("main tree: %w (empty)", errLZXCode)
		}
		if err := d.lengths(d.lenLens[:], "length tree"); err != nil {
			return err
		}
		if err := d.length.build(d.lenLens[:], "length tree"); err != nil {
			return err
		}
	case lzxUncompressed:
		d.b.align(true)
		if err := d.b.toBytes(); err != nil {
			return fmt.Errorf("uncompressed block: %w", err)
		}
		if d.b.p+12 > len(d.b.in) {
			return fmt.Errorf("uncompressed block: %w", errLZXShort)
		}
		le := binary.LittleEndian
		d.r0, d.r1, d.r2 = le.Uint32(d.b.in[d.b.p:]), le.Uint32(d.b.in[d.b.p+4:]), le.Uint32(d.b.in[d.b.p+8:])
		d.b.p += 12
	default:
		return fmt.Errorf("block of type %d", d.btype)
	}
	if d.b.short() {
		return fmt.Errorf("block header: %w", errLZXShort)
	}
	return nil
}

// lengths reads the code lengths lens, given by a pretree as differences
// from their values before.
func (d *lzxDecoder) lengths(lens []uint8, what string) error {
	var pre [lzxPreSyms]uint8
	for i := range pre {
		pre[i] = uint8(d.b.bits(4))
	}
	if err := d.pre.build(pre[:], what+": pretree"); err != nil {
		return err
	}
	for x := 0; x < len(lens); {
		z, err := d.b.decode(&d.pre)
		if err != nil {
			return fmt.Errorf("%s: pretree: %w", what, err)
		}
		run, v := 1, uint8(0)
		switch z {
		case 17:
			run = 4 + int(d.b.bits(4))
		case 18:
			run = 20 + int(d.b.bits(5))
		case 19:
			run = 4 + int(d.b.bits(1))
			z, err = d.b.decode(&d.pre)
			if err != nil {
				return fmt.Errorf("%s: pretree: %w", what, err)
			}
			if z > 16 {
				return fmt.Errorf("%s: pretree symbol %d after a run", what, z)
			}
			v = uint8((int(lens[x]) - z + 17) % 17)
		default:
			v = uint8((int(lens[x]) - z + 17) % 17)
		}
		if x+run > len(lens) {
			return fmt.Errorf("%s: run of %d lengths past the end", what, run)
		}
		for i := range run {
			lens[x+i] = v
		}
		x += run
		if d.b.short() {
			return fmt.Errorf("%s: %w", what, errLZXShort)
		}
	}
	return nil
}

// symbols decodes literals and matches of the current verbatim or
// aligned block into out from done on, until the block ends or the frame
// (n bytes) is full, and returns where out is then (past n when a match
// overruns the frame).
func (d *lzxDecoder) symbols(done, n int) (int, error) {
	b := &d.b
	for d.remain > 0 && done < n {
		sym, err := b.decode(&d.main)
		if err != nil {
			return 0, fmt.Errorf("main tree: %w", err)
		}
		if sym < lzxChars {
			d.win[d.pos] = byte(sym)
			d.out[done] = byte(sym)
			d.pos = (d.pos + 1) & d.mask
			done++
			d.remain--
			d.written++
			continue
		}
		sym -= lzxChars
		length := sym & 7
		if length == 7 {
			l, err := b.decode(&d.length)
			if err != nil {
				return 0, fmt.Errorf("length tree: %w", err)
			}
			length += l
		}
		length += lzxMinMatch
		var off uint32
		switch slot := sym >> 3; slot {
		case 0:
			off = d.r0
		case 1:
			off = d.r1
			d.r1 = d.r0
			d.r0 = off
		case 2:
			off = d.r2
			d.r2 = d.r0
			d.r0 = off
		default:
			extra := lzxExtra[slot]
			off = lzxBase[slot]
			switch {
			case d.btype == lzxAligned && extra >= 3:
				off += b.bits(uint(extra-3)) << 3
				a, err := b.decode(&d.aligned)
				if err != nil {
					return 0, fmt.Errorf("aligned offset tree: %w", err)
				}
				off += uint32(a)
			default:
				off += b.bits(uint(extra))
			}
			off -= 2
			d.r2, d.r1, d.r0 = d.r1, d.r0, off
		}
		if b.short() {
			return 0, errLZXShort
		}
		switch {
		case length > d.remain:
			return 0, fmt.Errorf("match of %d bytes past the end of its block", length)
		case off == 0 || int64(off) > d.written || int64(off) > int64(len(d.win)):
			return 0, fmt.Errorf("match at offset %d, %d bytes decoded", off, d.written)
		}
		src := (d.pos - int(off)) & d.mask
		if int(off) >= length && src+length <= len(d.win) && d.pos+length <= len(d.win) {
			copy(d.win[d.pos:d.pos+length], d.win[src:src+length])
			copy(d.out[done:], d.win[d.pos:d.pos+length])
			d.pos = (d.pos + length) & d.mask
		} else {
			for i := range length {
				c := d.win[src]
				d.win[d.pos] = c
				d.out[done+i] = c
				src = (src + 1) & d.mask
				d.pos = (d.pos + 1) & d.mask
			}
		}
		done += length
		d.remain -= length
		d.written += int64(length)
	}
	return done, nil
}

// lzxE8 undoes the E8 translation of frame b, at offset pos of the
// output, for a translation file size of size: the 32-bit operand after
// each E8 byte (but in the last 10 bytes) back from absolute to relative.
func lzxE8(b []byte, pos int64, size int32) {
	for i := 0; i < len(b)-10; i++ {
		if b[i] != 0xe8 {
			continue
		}
		cur := int32(pos + int64(i))
		abs := int32(binary.LittleEndian.Uint32(b[i+1:]))
		if abs >= -cur && abs < size {
			rel := abs + size
			if abs >= 0 {
				rel = abs - cur
			}
			binary.LittleEndian.PutUint32(b[i+1:], uint32(rel))
		}
		i += 4
	}
}
