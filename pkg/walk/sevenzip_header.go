package walk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ulikunitz/xz/lzma"
)

// The 7z reader (bodgit/sevenzip v1.6.1) allocates, before reading them,
// as many items as a header declares: a crafted header of a few bytes
// makes it allocate terabytes, which no recover catches (found by
// FuzzWalkBytes). check7zHeader walks the header first, in the reader's
// own order, and refuses any count larger than the header could hold, a
// header over maxHeader7z, an encoded header compressed otherwise than
// with LZMA (as 7-Zip writes them), an LZMA or LZMA2 dictionary over
// maxXzDict (the decoders allocate it whole), and more files than
// maxFiles.

// maxHeader7z bounds a 7z header, as stored and as decoded.
const maxHeader7z = 64 << 20

var errHeader7z = errors.New("malformed header")

// tooMany7z is the error of a 7z declaring more entries than MaxFiles.
type tooMany7z struct{ n, max uint64 }

func (e *tooMany7z) Error() string {
	return fmt.Sprintf("%d entries declared, over the %d files allowed (limit files)", e.n, e.max)
}

// check7zHeader checks the header of the 7z archive in ra (size bytes).
func check7zHeader(ra io.ReaderAt, size int64, maxFiles uint64) error {
	var start [32]byte
	if _, err := ra.ReadAt(start[:], 0); err != nil {
		return fmt.Errorf("%w: %v", errHeader7z, err)
	}
	off, n := binary.LittleEndian.Uint64(start[12:]), binary.LittleEndian.Uint64(start[20:])
	if n > maxHeader7z || off > uint64(size) || 32+off+n > uint64(size) {
		return fmt.Errorf("%w: %d bytes at %d, in %d", errHeader7z, n, off, size)
	}
	if n == 0 {
		return nil // an empty archive
	}
	b := make([]byte, n)
	if _, err := ra.ReadAt(b, int64(32+off)); err != nil {
		return fmt.Errorf("%w: %v", errHeader7z, err)
	}
	h := &header7z{b: b, lim: n, maxFiles: maxFiles}
	switch h.byte() {
	case 0x01:
		h.header()
	case 0x17:
		h.streams()
		if h.err == nil {
			return check7zEncoded(ra, h, maxFiles)
		}
	default:
		h.fail()
	}
	return h.err
}

// check7zEncoded decodes the encoded header described by h, and checks it.
func check7zEncoded(ra io.ReaderAt, h *header7z, maxFiles uint64) error {
	const aes = "\x06\xf1\x07\x01"
	if slices.Contains(h.coders, aes) {
		return nil // encrypted: the reader stops at the password it lacks
	}
	switch {
	case len(h.coders) != 1 || h.coders[0] != "\x03\x01\x01" || len(h.props) != 5 || len(h.packs) < 1 || len(h.unpack) != 1:
		return fmt.Errorf("%w: encoded otherwise than with LZMA", errHeader7z)
	}
	if d := binary.LittleEndian.Uint32(h.props[1:]); d > maxXzDict {
		return fmt.Errorf("%w: LZMA dictionary of %d MiB, over the %d MiB allowed", errHeader7z, d>>20, maxXzDict>>20)
	}
	n := h.unpack[0]
	if n > maxHeader7z || h.packPos > 1<<62 || h.packs[0] > 1<<62 {
		return fmt.Errorf("%w: encoded header of %d bytes", errHeader7z, n)
	}
	lh := binary.LittleEndian.AppendUint64(bytes.Clone(h.props), n)
	lr, err := lzma.NewReader(io.MultiReader(bytes.NewReader(lh), io.NewSectionReader(ra, int64(32+h.packPos), int64(h.packs[0]))))
	if err != nil {
		return fmt.Errorf("%w: %v", errHeader7z, err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(lr, b); err != nil {
		return fmt.Errorf("%w: %v", errHeader7z, err)
	}
	d := &header7z{b: b, lim: n, maxFiles: maxFiles}
	if d.byte() != 0x01 {
		d.fail()
	}
	d.header()
	return d.err
}

// header7z reads a 7z header, checking its counts.
type header7z struct {
	b        []byte
	lim      uint64 // the header's size: no count may be larger
	maxFiles uint64
	err      error
	// What an encoded header's streams say.
	packPos uint64
	packs   []uint64
	coders  []string // ids of the first folder's coders
	props   []byte   // of its last coder
	unpack  []uint64
}

func (h *header7z) fail() {
	if h.err == nil {
		h.err = errHeader7z
	}
	h.b = nil
}

func (h *header7z) byte() byte {
	if len(h.b) == 0 {
		h.fail()
		return 0
	}
	c := h.b[0]
	h.b = h.b[1:]
	return c
}

// num reads a 7z NUMBER, as the reader does.
func (h *header7z) num() uint64 {
	first := h.byte()
	var v uint64
	mask := byte(0x80)
	for i := range 8 {
		if first&mask == 0 {
			return v | uint64(first&(mask-1))<<(8*i)
		}
		v |= uint64(h.byte()) << (8 * i)
		mask >>= 1
	}
	return v
}

// count reads a number of items, at most the header's size.
func (h *header7z) count() uint64 {
	n := h.num()
	if n > h.lim {
		h.fail()
		return 0
	}
	return n
}

func (h *header7z) skip(n uint64) {
	if n > uint64(len(h.b)) {
		h.fail()
		return
	}
	h.b = h.b[n:]
}

func (h *header7z) want(id byte) {
	if h.byte() != id {
		h.fail()
	}
}

// crcs reads n optional CRCs.
func (h *header7z) crcs(n uint64) {
	defined := n
	if h.byte() == 0 {
		defined = 0
		for i := uint64(0); i < n && h.err == nil; i += 8 {
			c := h.byte()
			for j := uint64(0); j < 8 && i+j < n; j++ {
				if c&(0x80>>j) != 0 {
					defined++
				}
			}
		}
	}
	h.skip(4 * defined)
}

func (h *header7z) streams() {
	id := h.byte()
	if id == 0x06 { // pack info
		h.packPos = h.num()
		n := h.count()
		id = h.byte()
		if id == 0x09 {
			for range n {
				h.packs = append(h.packs, h.num())
			}
			id = h.byte()
		}
		if id == 0x0a {
			h.crcs(n)
			id = h.byte()
		}
		if id != 0 {
			h.fail()
		}
		id = h.byte()
	}
	// folders are the numbers of outputs of each folder.
	var folders []uint64
	if id == 0x07 { // unpack info
		h.want(0x0b)
		n := h.count()
		if h.byte() != 0 { // external
			h.fail()
		}
		var outs uint64
		for f := uint64(0); f < n && h.err == nil; f++ {
			out := h.folder(f == 0)
			folders = append(folders, out)
			if outs += out; outs > h.lim {
				h.fail()
			}
		}
		h.want(0x0c)
		for range outs {
			h.unpack = append(h.unpack, h.num())
		}
		id = h.byte()
		if id == 0x0a {
			h.crcs(n)
			id = h.byte()
		}
		if id != 0 {
			h.fail()
		}
		id = h.byte()
	}
	if id == 0x08 { // substreams info
		streams := make([]uint64, len(folders))
		var total uint64
		id = h.byte()
		for i := range streams {
			streams[i] = 1
			if id == 0x0d {
				streams[i] = h.count()
			}
			if total += streams[i]; total > h.lim {
				h.fail()
			}
		}
		if id == 0x0d {
			id = h.byte()
		}
		if id == 0x09 {
			for _, s := range streams {
				if s == 0 {
					h.fail() // the reader would index past its sizes
				}
				for j := uint64(1); j < s && h.err == nil; j++ {
					h.num()
				}
			}
			id = h.byte()
		}
		if id == 0x0a {
			h.crcs(total)
			id = h.byte()
		}
		if id != 0 {
			h.fail()
		}
		id = h.byte()
	}
	if id != 0 {
		h.fail()
	}
}

// folder reads a folder, and returns its number of output streams. first
// says to keep its coders' ids and properties.
func (h *header7z) folder(first bool) uint64 {
	var in, out uint64
	n := h.count()
	for range n {
		if h.err != nil {
			return 0
		}
		v := h.byte()
		id := h.b[:min(int(v&0xf), len(h.b))]
		h.skip(uint64(v & 0xf))
		if first {
			h.coders = append(h.coders, string(id))
		}
		ci, co := uint64(1), uint64(1)
		if v&0x10 != 0 {
			ci, co = h.count(), h.count()
		}
		if in, out = in+ci, out+co; in > h.lim || out > h.lim {
			h.fail()
			return 0
		}
		if v&0x20 != 0 {
			size := h.count()
			props := h.b[:min(int(size), len(h.b))]
			if first {
				h.props = props
			}
			if d := lzmaDict(string(id), props); d > maxXzDict && h.err == nil {
				h.err = fmt.Errorf("LZMA dictionary of %d MiB, over the %d MiB allowed", d>>20, maxXzDict>>20)
			}
			h.skip(size)
		}
	}
	if out == 0 || in < out-1 {
		h.fail() // the reader's counts would wrap around
		return 0
	}
	for range 2 * (out - 1) { // bind pairs
		h.num()
	}
	if packed := in - (out - 1); packed != 1 {
		for range packed {
			h.num()
		}
	}
	return out
}

func (h *header7z) header() {
	id := h.byte()
	if id == 0x04 { // main streams info
		h.streams()
		id = h.byte()
	}
	if id == 0x05 { // files info
		files := h.count()
		if files > h.maxFiles {
			h.err = &tooMany7z{files, h.maxFiles}
			return
		}
		for h.err == nil {
			if h.byte() == 0 {
				break
			}
			h.skip(h.count())
		}
		id = h.byte()
	}
	if id != 0 && id != 0x02 && id != 0x03 { // the reader refuses 2 and 3 itself
		h.fail()
	}
}

// lzmaDict is the dictionary size that the properties of an LZMA or LZMA2
// coder declare, or 0: the decoder allocates it whole, whatever the data.
func lzmaDict(id string, props []byte) int64 {
	switch {
	case id == "\x03\x01\x01" && len(props) == 5:
		return int64(binary.LittleEndian.Uint32(props[1:]))
	case id == "\x21" && len(props) == 1 && props[0] <= 40:
		if props[0] == 40 {
			return 1<<32 - 1
		}
		return int64(2|props[0]&1) << (props[0]/2 + 11)
	}
	return 0
}
