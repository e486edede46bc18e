package walk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// A small LZX encoder, for tests: blocks of a chosen type with trees of
// flat codes (every used symbol of about the same length), greedy
// matches (the repeated offsets first), E8 translation, and a frame per
// 32 KiB of output, each the data of one CFDATA block.

type lzxBitWriter struct {
	out []byte
	acc uint32
	n   uint
}

func (w *lzxBitWriter) put(v uint32, k uint) {
	for i := int(k) - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | v>>uint(i)&1
		w.n++
		if w.n == 16 {
			w.out = binary.LittleEndian.AppendUint16(w.out, uint16(w.acc))
			w.acc, w.n = 0, 0
		}
	}
}

// align pads to 16 bits; with force, a whole word when aligned.
func (w *lzxBitWriter) align(force bool) {
	if w.n == 0 && !force {
		return
	}
	w.put(0, 16-w.n)
}

// lzxFlat returns lengths of a complete code over the used symbols.
func lzxFlat(used []bool) []uint8 {
	n := 0
	for _, u := range used {
		if u {
			n++
		}
	}
	lens := make([]uint8, len(used))
	if n == 0 {
		return lens
	}
	k := 0
	for 1<<k < n {
		k++
	}
	short := 1<<k - n // symbols of k-1 bits
	for s, u := range used {
		if !u {
			continue
		}
		lens[s] = uint8(k)
		if short > 0 {
			lens[s] = uint8(k - 1)
			short--
		}
	}
	return lens
}

// lzxCodes returns the canonical codes of lens.
func lzxCodes(lens []uint8) []uint32 {
	var count [17]uint32
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [18]uint32
	code := uint32(0)
	for l := 1; l <= 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	codes := make([]uint32, len(lens))
	for s, l := range lens {
		if l != 0 {
			codes[s] = next[l]
			next[l]++
		}
	}
	return codes
}

type lzxTree struct {
	lens  []uint8
	codes []uint32
}

func newLZXTree(lens []uint8) lzxTree { return lzxTree{lens, lzxCodes(lens)} }

func (w *lzxBitWriter) sym(t lzxTree, s int) {
	if t.lens[s] == 0 {
		panic(fmt.Sprintf("symbol %d not in the tree", s))
	}
	w.put(t.codes[s], uint(t.lens[s]))
}

// lengths writes lens as differences from prev, with the runs of the
// pretree (17 and 18 for zeros, 19 for equal lengths).
func (w *lzxBitWriter) lengths(lens, prev []uint8) {
	preUsed := make([]bool, lzxPreSyms)
	for i := range preUsed {
		preUsed[i] = true
	}
	pre := newLZXTree(lzxFlat(preUsed))
	for _, l := range pre.lens {
		w.put(uint32(l), 4)
	}
	delta := func(x int, v uint8) int { return (int(prev[x]) - int(v) + 17) % 17 }
	for x := 0; x < len(lens); {
		r := 1
		for x+r < len(lens) && lens[x+r] == lens[x] {
			r++
		}
		switch {
		case lens[x] == 0 && r >= 20:
			r = min(r, 51)
			w.sym(pre, 18)
			w.put(uint32(r-20), 5)
		case lens[x] == 0 && r >= 4:
			r = min(r, 19)
			w.sym(pre, 17)
			w.put(uint32(r-4), 4)
		case r >= 4:
			r = min(r, 5)
			w.sym(pre, 19)
			w.put(uint32(r-4), 1)
			w.sym(pre, delta(x, lens[x]))
		default:
			r = 1
			w.sym(pre, delta(x, lens[x]))
		}
		x += r
	}
	copy(prev, lens)
}

type lzxEncOpts struct {
	window  int    // log2
	e8      uint32 // E8 translation file size, 0: none
	types   []int  // type of each block, in turn (the last repeats)
	block   int    // bytes per block; 0: one block
	literal bool   // literals only
	overrun bool   // matches may run past the end of a frame
}

type lzxEncoder struct {
	o          lzxEncOpts
	w          lzxBitWriter
	frames     [][]byte // compressed data of each frame
	sizes      []int
	cut        int // bytes of w.out in frames
	r          [3]uint32
	mainPrev   []uint8
	lenPrev    []uint8
	data       []byte
	pos, frame int // frame: output at the last cut
	last       map[uint32]int
}

// lzxEncode compresses data: the data of each frame and its size.
func lzxEncode(data []byte, o lzxEncOpts) (frames [][]byte, sizes []int) {
	slots := lzxSlots[o.window]
	e := &lzxEncoder{o: o, r: [3]uint32{1, 1, 1}, mainPrev: make([]uint8, lzxChars+8*slots), lenPrev: make([]uint8, lzxLenSyms), last: map[uint32]int{}}
	e.data = bytes.Clone(data)
	if o.e8 != 0 {
		e.w.put(1, 1)
		e.w.put(o.e8, 32)
		for f := 0; f < len(e.data) && f < lzxE8Limit; f += lzxFrame {
			lzxE8Encode(e.data[f:min(f+lzxFrame, len(e.data))], int32(f), int32(o.e8))
		}
	} else {
		e.w.put(0, 1)
	}
	size := o.block
	if size == 0 {
		size = min(max(len(data), 1), 1<<24-1)
	}
	for i := 0; e.pos < len(e.data); i++ {
		typ := o.types[min(i, len(o.types)-1)]
		e.block(typ, min(size, len(e.data)-e.pos))
	}
	if e.pos > e.frame || len(e.frames) == 0 {
		e.cutFrame()
	}
	return e.frames, e.sizes
}

// lzxE8Encode is the translation lzxE8 undoes.
func lzxE8Encode(b []byte, pos, size int32) {
	for i := 0; i < len(b)-10; i++ {
		if b[i] != 0xe8 {
			continue
		}
		cur := pos + int32(i)
		rel := int32(binary.LittleEndian.Uint32(b[i+1:]))
		if rel >= -cur && rel < size {
			abs := rel - size
			if rel < size-cur {
				abs = rel + cur
			}
			binary.LittleEndian.PutUint32(b[i+1:], uint32(abs))
		}
		i += 4
	}
}

// cutFrame ends a frame: of 32 KiB, or what is left; the overrun of a
// match past its end is the next frame's.
func (e *lzxEncoder) cutFrame() {
	e.w.align(false)
	e.frames = append(e.frames, bytes.Clone(e.w.out[e.cut:]))
	n := min(e.pos-e.frame, lzxFrame)
	e.sizes = append(e.sizes, n)
	e.cut = len(e.w.out)
	e.frame += n
}

// advance notes that n bytes were encoded, cutting a frame at its end.
func (e *lzxEncoder) advance(n int) {
	for i := e.pos; i < e.pos+n; i++ {
		if i+3 <= len(e.data) {
			e.last[uint32(e.data[i])|uint32(e.data[i+1])<<8|uint32(e.data[i+2])<<16] = i
		}
	}
	e.pos += n
	if e.pos-e.frame >= lzxFrame {
		e.cutFrame()
	}
}

func (e *lzxEncoder) block(typ, size int) {
	w := &e.w
	w.put(uint32(typ), 3)
	w.put(uint32(size), 24)
	end := e.pos + size
	if typ == lzxUncompressed {
		w.align(true)
		for _, r := range e.r {
			w.out = binary.LittleEndian.AppendUint32(w.out, r)
		}
		for e.pos < end {
			n := min(end-e.pos, e.frame+lzxFrame-e.pos)
			w.out = append(w.out, e.data[e.pos:e.pos+n]...)
			e.advance(n)
		}
		if size&1 == 1 {
			w.out = append(w.out, 0)
		}
		return
	}
	slots := lzxSlots[e.o.window]
	used := make([]bool, lzxChars+8*slots)
	for i := range used {
		used[i] = i < lzxChars || !e.o.literal
	}
	main := newLZXTree(lzxFlat(used))
	lenUsed := make([]bool, lzxLenSyms)
	for i := range lenUsed {
		lenUsed[i] = !e.o.literal
	}
	length := newLZXTree(lzxFlat(lenUsed))
	align := newLZXTree([]uint8{3, 3, 3, 3, 3, 3, 3, 3})
	if typ == lzxAligned {
		for _, l := range align.lens {
			w.put(uint32(l), 3)
		}
	}
	w.lengths(main.lens[:lzxChars], e.mainPrev[:lzxChars])
	w.lengths(main.lens[lzxChars:], e.mainPrev[lzxChars:])
	w.lengths(length.lens, e.lenPrev)
	maxOff := uint32(1)<<e.o.window - 3
	for e.pos < end {
		limit := min(end, e.frame+lzxFrame, len(e.data)) - e.pos
		if e.o.overrun {
			limit = min(end, len(e.data)) - e.pos
		}
		off, n := e.match(limit, maxOff)
		if e.o.literal || n < 3 {
			w.sym(main, int(e.data[e.pos]))
			e.advance(1)
			continue
		}
		slot, footer := 0, uint32(0)
		switch off {
		case e.r[0]:
		case e.r[1]:
			slot = 1
			e.r[0], e.r[1] = e.r[1], e.r[0]
		case e.r[2]:
			slot = 2
			e.r[0], e.r[2] = e.r[2], e.r[0]
		default:
			f := off + 2
			for slot = 3; slot+1 < slots && lzxBase[slot+1] <= f; slot++ {
			}
			footer = f - lzxBase[slot]
			e.r = [3]uint32{off, e.r[0], e.r[1]}
		}
		lh := min(n-2, 7)
		w.sym(main, lzxChars+slot<<3|lh)
		if lh == 7 {
			w.sym(length, n-2-7)
		}
		if slot >= 3 {
			extra := uint(lzxExtra[slot])
			if typ == lzxAligned && extra >= 3 {
				w.put(footer>>3, extra-3)
				w.sym(align, int(footer&7))
			} else {
				w.put(footer, extra)
			}
		}
		e.advance(n)
	}
}

// match finds the longest of the repeated offsets' matches, or else the
// last occurrence of the next 3 bytes: its offset and length.
func (e *lzxEncoder) match(limit int, maxOff uint32) (uint32, int) {
	limit = min(limit, lzxMaxMatch)
	length := func(off uint32) int {
		if off == 0 || off > maxOff || int(off) > e.pos {
			return 0
		}
		n := 0
		for n < limit && e.data[e.pos+n] == e.data[e.pos+n-int(off)] {
			n++
		}
		return n
	}
	best, bestN := uint32(0), 0
	for _, off := range e.r {
		if n := length(off); n > bestN {
			best, bestN = off, n
		}
	}
	if bestN >= 3 || e.pos+3 > len(e.data) {
		return best, bestN
	}
	if p, ok := e.last[uint32(e.data[e.pos])|uint32(e.data[e.pos+1])<<8|uint32(e.data[e.pos+2])<<16]; ok {
		if n := length(uint32(e.pos - p)); n > bestN {
			best, bestN = uint32(e.pos-p), n
		}
	}
	return best, bestN
}

// lzxDecodeAll decodes frames with a decoder of the given window.
func lzxDecodeAll(window int, frames [][]byte, sizes []int) ([]byte, error) {
	d, err := newLZX(window)
	if err != nil {
		return nil, err
	}
	var out []byte
	for i, f := range frames {
		b, err := d.frame(f, sizes[i])
		if err != nil {
			return out, fmt.Errorf("frame %d: %w", i, err)
		}
		out = append(out, b...)
	}
	return out, nil
}

// lzxTestData returns data that exercises the encoder: text, runs, random
// bytes, E8 calls, and a stretch repeated from over the window's wrap.
func lzxTestData(n int) []byte {
	var b []byte
	rnd := random(n)
	for i := 0; len(b) < n; i++ {
		switch i % 5 {
		case 0:
			b = append(b, fmt.Sprintf("line %d of the test data, with some words repeated\n", i)...)
		case 1:
			b = append(b, bytes.Repeat([]byte{byte(i)}, i%300)...)
		case 2:
			b = append(b, rnd[len(b)%len(rnd):min(len(b)%len(rnd)+1000, len(rnd))]...)
		case 3: // a call: E8 and a small relative offset
			b = append(b, 0x55, 0xe8, byte(i), byte(i>>8), 0, 0, 0x90)
			b = append(b, 0xe8, 0xf0, 0xff, 0xff, 0xff)
		case 4:
			if len(b) > 40000 { // from about 32 KiB back: across the window's end
				b = append(b, b[32700:33000]...)
			}
		}
	}
	return b[:n]
}

func lzxTestCases() []struct {
	name string
	o    lzxEncOpts
	n    int
} {
	v, a, u := lzxVerbatim, lzxAligned, lzxUncompressed
	return []struct {
		name string
		o    lzxEncOpts
		n    int
	}{
		{"verbatim", lzxEncOpts{window: 15, types: []int{v}}, 100000},
		{"literals", lzxEncOpts{window: 16, types: []int{v}, literal: true}, 40000},
		{"uncompressed", lzxEncOpts{window: 15, types: []int{u}}, 70001},
		{"aligned", lzxEncOpts{window: 21, types: []int{a}}, 100000},
		{"e8", lzxEncOpts{window: 17, types: []int{v}, e8: 12_000_000}, 100000},
		{"e8-small", lzxEncOpts{window: 15, types: []int{a}, e8: 3000}, 50000},
		{"mixed", lzxEncOpts{window: 15, types: []int{u, v, a, u, v, u}, block: 12345}, 150000},
		{"mixed-literal", lzxEncOpts{window: 18, types: []int{v, u}, block: 32768, literal: true}, 90000},
		{"short", lzxEncOpts{window: 15, types: []int{v}}, 9},
		{"odd", lzxEncOpts{window: 15, types: []int{u, v}, block: 32767}, 70000},
		{"overrun", lzxEncOpts{window: 15, types: []int{v, a}, block: 50000, overrun: true}, 200000},
	}
}

func TestLZXRoundTrip(t *testing.T) {
	for _, c := range lzxTestCases() {
		t.Run(c.name, func(t *testing.T) {
			data := lzxTestData(c.n)
			frames, sizes := lzxEncode(data, c.o)
			got, err := lzxDecodeAll(c.o.window, frames, sizes)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				i := 0
				for i < min(len(got), len(data)) && got[i] == data[i] {
					i++
				}
				t.Fatalf("decoded %d bytes, want %d; first difference at %d", len(got), len(data), i)
			}
		})
	}
}

// lzxCab writes a cabinet of one LZX folder holding files.
func lzxCab(t testing.TB, o lzxEncOpts, files ...entry) []byte {
	t.Helper()
	var stream []byte
	var tab bytes.Buffer
	for _, f := range files {
		binary.Write(&tab, binary.LittleEndian, []uint32{uint32(len(f.Data)), uint32(len(stream))})
		binary.Write(&tab, binary.LittleEndian, []uint16{0, 0x5a87, 0x03a4, 0x20})
		tab.WriteString(f.Name + "\x00")
		stream = append(stream, f.Data...)
	}
	frames, sizes := lzxEncode(stream, o)
	var data bytes.Buffer
	for i, f := range frames {
		var hdr [8]byte
		binary.LittleEndian.PutUint16(hdr[4:], uint16(len(f)))
		binary.LittleEndian.PutUint16(hdr[6:], uint16(sizes[i]))
		binary.LittleEndian.PutUint32(hdr[:], cabChecksum(hdr[4:8], cabChecksum(f, 0)))
		data.Write(hdr[:])
		data.Write(f)
	}
	filesOff := cabHeaderLen + 8
	dataOff := filesOff + tab.Len()
	var b bytes.Buffer
	b.WriteString("MSCF")
	binary.Write(&b, binary.LittleEndian, []uint32{0, uint32(dataOff + data.Len()), 0, uint32(filesOff), 0})
	b.Write([]byte{3, 1})
	binary.Write(&b, binary.LittleEndian, []uint16{1, uint16(len(files)), 0, 0, 0})
	binary.Write(&b, binary.LittleEndian, uint32(dataOff))
	binary.Write(&b, binary.LittleEndian, []uint16{uint16(len(frames)), uint16(o.window)<<8 | cabCompressLZX})
	b.Write(tab.Bytes())
	b.Write(data.Bytes())
	return b.Bytes()
}

func TestLZXCab(t *testing.T) {
	kav := entry{Name: `inner\libkavcore.so`, Data: []byte(kavMarker)}
	for _, c := range lzxTestCases() {
		t.Run(c.name, func(t *testing.T) {
			big := entry{Name: "data.bin", Data: lzxTestData(c.n)}
			cab := lzxCab(t, c.o, entry{Name: "readme.txt", Data: []byte("readme")}, big, kav)
			files, rep := walkMem(t, "x.cab", cab, Limits{})
			noWarnings(t, rep)
			if m := find(files, "x.cab!inner/libkavcore.so"); m == nil || m.Data != kavMarker {
				t.Errorf("marker: %+v in %q", m, locations(files))
			}
			if f := find(files, "x.cab!data.bin"); f == nil || f.Data != string(big.Data) {
				t.Errorf("data.bin not read whole")
			}
		})
	}
}

// lzxCorruptions returns LZX cabs broken in various ways, and the warning
// each gets.
func lzxCorruptions(t testing.TB) []struct {
	name    string
	data    []byte
	warning string
} {
	kav := entry{Name: `inner\libkavcore.so`, Data: []byte(kavMarker)}
	good := func(o lzxEncOpts) []byte {
		return lzxCab(t, o, entry{Name: "data.bin", Data: lzxTestData(70000)}, kav)
	}
	v := lzxEncOpts{window: 15, types: []int{lzxVerbatim}}
	cab := good(v)
	dataOff := int(binary.LittleEndian.Uint32(cab[cabHeaderLen:]))
	first := dataOff + 8 // the first block's data
	// Sums off: the corruptions are seen by the decoder.
	nosum := func(b []byte) []byte {
		for p, k := dataOff, 0; k < int(binary.LittleEndian.Uint16(b[cabHeaderLen+4:])); k++ {
			clear(b[p : p+4])
			p += 8 + int(binary.LittleEndian.Uint16(b[p+4:]))
		}
		return b
	}
	set := func(b []byte, f func(b []byte)) []byte {
		b = nosum(bytes.Clone(b))
		f(b)
		return b
	}
	bits := func(b []byte, words ...uint16) {
		for i, w := range words {
			binary.LittleEndian.PutUint16(b[first+2*i:], w)
		}
	}
	var out []struct {
		name    string
		data    []byte
		warning string
	}
	add := func(name string, data []byte, warning string) {
		out = append(out, struct {
			name    string
			data    []byte
			warning string
		}{name, data, warning})
	}
	add("type.cab", set(cab, func(b []byte) { bits(b, 0b0_111_0000_0000_0000) }), "LZX data block 1: block of type 7")
	// Verbatim, 24 bits of size, then a pretree of 20 lengths of 1.
	add("pretree.cab", set(cab, func(b []byte) {
		bits(b, 0b0_001_0000_0000_0000, 0b0000_0000_1111_0001, 0x1111, 0x1111, 0x1111, 0x1111, 0x1111)
	}), "LZX data block 1: main tree: pretree: bad Huffman code (over-subscribed)")
	add("incomplete.cab", set(cab, func(b []byte) { bits(b, 0b0_001_0000_0000_0000, 0b0000_0000_0001_0000) }), "LZX data block 1: main tree: pretree: bad Huffman code (incomplete)")
	add("window.cab", set(cab, func(b []byte) { b[cabHeaderLen+7] = 22 }), "x.cab: cab folder compressed with LZX, window of 2^22 bytes not valid, not opened")
	// The last frame cut short, its size kept.
	short := bytes.Clone(cab)
	short = short[:len(short)-40]
	binary.LittleEndian.PutUint32(short[8:], uint32(len(short)))
	p := dataOff
	for k := 0; k < int(binary.LittleEndian.Uint16(short[cabHeaderLen+4:]))-1; k++ {
		p += 8 + int(binary.LittleEndian.Uint16(short[p+4:]))
	}
	binary.LittleEndian.PutUint16(short[p+4:], binary.LittleEndian.Uint16(short[p+4:])-40)
	add("short.cab", nosum(short), "LZX data block 3: ")
	// Repeated offsets of 0, stored by the uncompressed block: the first
	// match at a repeated offset in the verbatim block after it is at 0.
	u := good(lzxEncOpts{window: 15, types: []int{lzxUncompressed, lzxVerbatim}, block: 1000})
	add("r0.cab", set(u, func(b []byte) {
		// R0..R2 after the header (4 bytes with the alignment word).
		binary.LittleEndian.PutUint32(b[first+4:], 0)
		binary.LittleEndian.PutUint32(b[first+8:], 0)
		binary.LittleEndian.PutUint32(b[first+12:], 0)
	}), "LZX data block 1: match at offset 0")
	return out
}

func TestLZXCorrupt(t *testing.T) {
	for _, c := range lzxCorruptions(t) {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, "x.cab", c.data, Limits{})
			if len(rep.Gaps) == 0 {
				t.Fatalf("no gap: %q", rep.Warnings)
			}
			wantWarning(t, rep, c.warning)
			for _, f := range files {
				if f.Location == "x.cab!inner/libkavcore.so" && f.Data != "" {
					t.Errorf("read after the corruption: %+v", f)
				}
			}
		})
	}
	// Every truncation and every byte flipped of a small stream: an error
	// or the data, never a panic.
	data := lzxTestData(5000)
	for _, o := range []lzxEncOpts{{window: 15, types: []int{lzxVerbatim}}, {window: 15, types: []int{lzxAligned, lzxUncompressed}, block: 1001, e8: 100000}} {
		frames, sizes := lzxEncode(data, o)
		f := frames[0]
		for i := range len(f) {
			lzxDecodeAll(o.window, [][]byte{f[:i]}, sizes)
			g := bytes.Clone(f)
			g[i] ^= 0x5a
			lzxDecodeAll(o.window, [][]byte{g}, sizes)
		}
	}
}

func TestLZXBombs(t *testing.T) {
	zeros := make([]byte, bombSize)
	kav := entry{Name: `inner\libkavcore.so`, Data: []byte(kavMarker)}
	bomb := lzxCab(t, lzxEncOpts{window: 21, types: []int{lzxVerbatim}}, entry{Name: "blank.img", Data: zeros}, kav)
	testContainerBomb(t, "bomb.cab", "archive", bomb)
}

// FuzzLZX decodes any bytes as one folder's data: the first byte picks
// the window, the next ones are CFDATA blocks, each a 16-bit size of
// output and a 16-bit size of data before its data.
func FuzzLZX(f *testing.F) {
	// Small seeds (minimizing a large new input takes long), and frames
	// of text repeated: several of them, small too.
	text := bytes.Repeat([]byte("pedigree \xe8\x10\x00\x00\x00 cab lzx frame "), 2500)
	for _, c := range append(lzxTestCases(), struct {
		name string
		o    lzxEncOpts
		n    int
	}{"text", lzxEncOpts{window: 15, types: []int{lzxAligned, lzxVerbatim}, block: 30000, e8: 1 << 20}, len(text)}) {
		data := lzxTestData(min(c.n, 3000))
		if c.name == "text" {
			data = text
		}
		frames, sizes := lzxEncode(data, c.o)
		seed := []byte{byte(c.o.window)}
		for i, fr := range frames {
			seed = binary.LittleEndian.AppendUint16(seed, uint16(sizes[i]))
			seed = binary.LittleEndian.AppendUint16(seed, uint16(len(fr)))
			seed = append(seed, fr...)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		d, err := newLZX(lzxMinWindow + int(b[0])%(lzxMaxWindow-lzxMinWindow+1))
		if err != nil {
			t.Fatal(err)
		}
		b = b[1:]
		for len(b) >= 4 {
			n := int(binary.LittleEndian.Uint16(b))
			m := min(int(binary.LittleEndian.Uint16(b[2:])), len(b)-4)
			out, err := d.frame(b[4:4+m], n)
			if err != nil {
				return
			}
			if len(out) != n {
				t.Fatalf("frame of %d bytes, %d asked", len(out), n)
			}
			b = b[4+m:]
		}
	})
}

// TestLZXRealCabs compares what the cab reader decodes of real
// cabinets with what cabextract extracts, file by file (SHA-256 of each):
// the cabinets named by PEDIGREE_LZX_CABS (paths separated by the
// system's list separator), when cabextract is installed. No such file
// ships with the tests.
func TestLZXRealCabs(t *testing.T) {
	list := os.Getenv("PEDIGREE_LZX_CABS")
	if list == "" {
		t.Skip("PEDIGREE_LZX_CABS not set")
	}
	if _, err := exec.LookPath("cabextract"); err != nil {
		t.Skip("no cabextract")
	}
	for _, path := range filepath.SplitList(list) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			h, folders, files, err := readCabTables(f, st.Size())
			if err != nil {
				t.Skipf("not a cab for the walk: %v", err)
			}
			slices.SortStableFunc(files, func(a, b cabFile) int {
				if a.folder != b.folder {
					return a.folder - b.folder
				}
				return int(min(max(a.off-b.off, -1), 1))
			})
			compared, failed := 0, 0
			var lzxBytes int64
			for i := 0; i < len(files); {
				j := i
				for j < len(files) && files[j].folder == files[i].folder {
					j++
				}
				group := files[i:j]
				i = j
				if group[0].folder >= len(folders) {
					continue
				}
				fo := folders[group[0].folder]
				if fo.comp != cabCompressLZX {
					continue
				}
				r := &cabFolderReader{ra: f, h: h, f: fo, next: fo.start}
				if fo.window < lzxMinWindow || fo.window > lzxMaxWindow {
					t.Logf("folder with a window of 2^%d", fo.window)
					continue
				}
				var pos int64
				for _, cf := range group {
					if cf.off < pos || !utf8.ValidString(cf.name) {
						continue
					}
					if _, err := io.CopyN(io.Discard, r, cf.off-pos); err != nil {
						t.Logf("%s: %v", cf.name, err)
						failed++
						break
					}
					sum := sha256.New()
					n, err := io.CopyN(sum, r, cf.size)
					pos = cf.off + n
					lzxBytes += n
					name := strings.ReplaceAll(cf.name, `\`, "/")
					out, cerr := exec.Command("sh", "-c", `cabextract -q -p -F "$1" "$2" | sha256sum`, "sh", name, path).Output()
					want := strings.Fields(string(out) + " ?")[0]
					got := hex.EncodeToString(sum.Sum(nil))
					switch {
					case err != nil:
						t.Logf("%s: decoded %d of %d bytes: %v (cabextract: %v)", name, n, cf.size, err, cerr)
						failed++
					case cerr != nil || got != want:
						t.Errorf("%s: %d bytes, sha256 %s, cabextract %s (%v)", name, n, got, want, cerr)
					default:
						compared++
					}
					if err != nil {
						break
					}
				}
			}
			t.Logf("%s: %d LZX files identical to cabextract's (%d bytes), %d not decoded", path, compared, lzxBytes, failed)
		})
	}
}

// TestLZXInInstallers: an LZX cab inside an msi (read whole, and read at
// random when over file-bytes) and in a PE's overlay.
func TestLZXInInstallers(t *testing.T) {
	kav := entry{Name: `inner\libkavcore.so`, Data: []byte(kavMarker)}
	text := entry{Name: "readme.txt", Data: lzxTestData(20000)}
	cab := lzxCab(t, lzxEncOpts{window: 21, types: []int{lzxUncompressed, lzxAligned}, block: 7000, e8: 1 << 20}, text, kav)
	if len(cab) < 8192 {
		t.Fatalf("cab of %d bytes: too small for the file-bytes case", len(cab))
	}
	msiClass := []byte{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}
	msi := makeCFB(t, false, msiClass, cfbStreamData{msiEncode("kav.cab"), cab})
	for _, c := range []struct {
		name, marker string
		data         []byte
		lim          Limits
		gaps         []string
	}{
		{"x.msi", "x.msi!kav.cab!inner/libkavcore.so", msi, Limits{}, nil},
		{"x.msi", "x.msi!kav.cab!inner/libkavcore.so", msi, Limits{MaxFileBytes: 4096}, []string{"file-bytes"}},
		{"setup.exe", "setup.exe!inner/libkavcore.so", makePE(cab), Limits{}, nil},
	} {
		files, rep := walkMem(t, c.name, c.data, c.lim)
		if f := find(files, c.marker); f == nil || f.Data != kavMarker {
			t.Errorf("%s %+v: marker %+v in %q", c.name, c.lim, f, locations(files))
		}
		wantGaps(t, rep, c.gaps...)
	}
}
