package walk

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// A squashfs (version 4, little-endian: every Linux kernel since 2.6.29)
// is read here rather than by a library: the readers at hand
// (sylabs/squashfs, go-diskfs) size their buffers from header fields and
// decompress blocks without bound, so a 1 KiB image could make them
// allocate gigabytes. Here every block decompresses to at most its
// declared bound (8 KiB of metadata, one block of data), every count is
// checked against the bytes that hold it, and a file over MaxFileBytes is
// a gap, not read.

const (
	sqfsSuperLen  = 96
	sqfsMetaMax   = 8192
	sqfsMaxDirs   = 256 // directory depth
	sqfsCompZlib  = 1
	sqfsCompLzma  = 2
	sqfsCompLzo   = 3
	sqfsCompXz    = 4
	sqfsCompLz4   = 5
	sqfsCompZstd  = 6
	sqfsNoFrag    = 0xffffffff
	sqfsBlockFlag = 1 << 24
)

var sqfsCompNames = map[uint16]string{sqfsCompZlib: "gzip", sqfsCompLzma: "lzma", sqfsCompLzo: "lzo", sqfsCompXz: "xz", sqfsCompLz4: "lz4", sqfsCompZstd: "zstd"}

type sqfsSuper struct {
	Magic, InodeCount, ModTime, BlockSize, FragCount uint32
	Comp, BlockLog, Flags, IDCount, VerMaj, VerMin   uint16
	RootInode, BytesUsed, IDTable, XattrTable        uint64
	InodeTable, DirTable, FragTable, ExportTable     uint64
}

// sqfs reads one image.
type sqfs struct {
	ra   io.ReaderAt
	size int64
	sb   sqfsSuper
	zd   *zstd.Decoder
	in   atomic.Int64 // compressed bytes read, for the ratio
	dirs map[uint64]bool
	seen int   // directory entries met, bounded
	out  int64 // bytes of files read, for the ratio
}

// isSquashfs reports a squashfs superblock: "hsqs" (little-endian) or
// "sqsh" (big-endian, squashfs 3 and older).
func isSquashfs(head []byte) bool {
	return bytes.HasPrefix(head, []byte("hsqs")) || bytes.HasPrefix(head, []byte("sqsh"))
}

func (s *sqfs) readAt(off uint64, n int) ([]byte, error) {
	if off > uint64(s.size) || uint64(n) > uint64(s.size)-off {
		return nil, fmt.Errorf("%d bytes at %d, beyond the image's end (%d bytes)", n, off, s.size)
	}
	buf := make([]byte, n)
	m, err := s.ra.ReadAt(buf, int64(off))
	s.in.Add(int64(m))
	if m == n {
		return buf, nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

// decompress decompresses src, which must give at most limit bytes.
func (s *sqfs) decompress(src []byte, limit int) ([]byte, error) {
	var r io.Reader
	switch s.sb.Comp {
	case sqfsCompZlib:
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, err
		}
		r = zr
	case sqfsCompXz:
		if d := xzFirstDict(src); d > 2*int64(s.sb.BlockSize) && d > 1<<20 {
			return nil, fmt.Errorf("xz dictionary of %d bytes for blocks of %d", d, s.sb.BlockSize)
		}
		xr, err := xz.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, err
		}
		r = xr
	case sqfsCompLzma:
		// squashfs-tools writes each block as a .lzma stream: properties,
		// dictionary size, the size it decodes to, then the data. Its
		// dictionary is the block size; a larger one is refused before
		// the reader allocates it, as for xz.
		if len(src) < lzma.HeaderLen {
			return nil, fmt.Errorf("lzma block of %d bytes, shorter than its header", len(src))
		}
		most := max(2*int64(s.sb.BlockSize), 1<<20)
		if d := int64(binary.LittleEndian.Uint32(src[1:])); d > most {
			return nil, fmt.Errorf("lzma dictionary of %d bytes for blocks of %d", d, s.sb.BlockSize)
		}
		lr, err := lzma.ReaderConfig{DictCap: int(most)}.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, err
		}
		r = lr
	case sqfsCompLz4:
		dst := make([]byte, limit)
		n, err := lz4.UncompressBlock(src, dst)
		if err != nil {
			return nil, fmt.Errorf("lz4: %v", err)
		}
		return dst[:n], nil
	case sqfsCompZstd:
		out, err := s.zd.DecodeAll(src, make([]byte, 0, limit))
		if err != nil {
			return nil, fmt.Errorf("zstd: %v", err)
		}
		if len(out) > limit {
			return nil, fmt.Errorf("block decompresses to over %d bytes", limit)
		}
		return out, nil
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, fmt.Errorf("block decompresses to over %d bytes", limit)
	}
	return out, nil
}

// meta reads a run of metadata blocks from a position.
type sqfsMeta struct {
	s   *sqfs
	pos uint64 // of the next block
	buf []byte
}

func (s *sqfs) meta(start uint64, skip int) (*sqfsMeta, error) {
	m := &sqfsMeta{s: s, pos: start}
	_, err := m.read(skip)
	return m, err
}

func (m *sqfsMeta) next() error {
	h, err := m.s.readAt(m.pos, 2)
	if err != nil {
		return err
	}
	v := binary.LittleEndian.Uint16(h)
	n := int(v &^ 0x8000)
	if n == 0 || n > sqfsMetaMax {
		return fmt.Errorf("metadata block of %d bytes", n)
	}
	data, err := m.s.readAt(m.pos+2, n)
	if err != nil {
		return err
	}
	m.pos += 2 + uint64(n)
	if v&0x8000 == 0 {
		if data, err = m.s.decompress(data, sqfsMetaMax); err != nil {
			return err
		}
	}
	m.buf = append(m.buf, data...)
	return nil
}

// read returns the next n bytes; n is checked by the caller to be small,
// or backed by blocks as they come.
func (m *sqfsMeta) read(n int) ([]byte, error) {
	for len(m.buf) < n {
		if err := m.next(); err != nil {
			return nil, err
		}
	}
	out := m.buf[:n:n]
	m.buf = m.buf[n:]
	return out, nil
}

// sqfsInode is what the walk needs of an inode.
type sqfsInode struct {
	typ             uint16
	perm            fs.FileMode
	dirStart        uint32 // directories
	dirSize         uint32
	dirOffset       uint16
	blockStart      uint64 // files
	size            uint64
	fragIndex       uint32
	fragOffset      uint32
	blocks          []uint32
	fileOK, isDirOK bool
}

func (s *sqfs) inode(ref uint64, maxBytes int64) (*sqfsInode, error) {
	m, err := s.meta(s.sb.InodeTable+ref>>16, int(ref&0xffff))
	if err != nil {
		return nil, err
	}
	h, err := m.read(16)
	if err != nil {
		return nil, err
	}
	in := &sqfsInode{typ: binary.LittleEndian.Uint16(h), perm: fs.FileMode(binary.LittleEndian.Uint16(h[2:]) & 0o777)}
	le := binary.LittleEndian
	switch in.typ {
	case 1: // directory
		b, err := m.read(16)
		if err != nil {
			return nil, err
		}
		in.dirStart, in.dirSize, in.dirOffset, in.isDirOK = le.Uint32(b), uint32(le.Uint16(b[8:])), le.Uint16(b[10:]), true
	case 8: // extended directory (its index is not needed)
		b, err := m.read(24)
		if err != nil {
			return nil, err
		}
		in.dirSize, in.dirStart, in.dirOffset, in.isDirOK = le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint16(b[18:]), true
	case 2, 9: // file, extended file
		if in.typ == 2 {
			b, err := m.read(16)
			if err != nil {
				return nil, err
			}
			in.blockStart, in.fragIndex, in.fragOffset, in.size = uint64(le.Uint32(b)), le.Uint32(b[4:]), le.Uint32(b[8:]), uint64(le.Uint32(b[12:]))
		} else {
			b, err := m.read(40)
			if err != nil {
				return nil, err
			}
			in.blockStart, in.size, in.fragIndex, in.fragOffset = le.Uint64(b), le.Uint64(b[8:]), le.Uint32(b[28:]), le.Uint32(b[32:])
		}
		in.fileOK = true
		if in.size > uint64(maxBytes) {
			return in, nil // not read: its block list is not needed
		}
		n := in.size / uint64(s.sb.BlockSize)
		if in.fragIndex == sqfsNoFrag && in.size%uint64(s.sb.BlockSize) != 0 {
			n++
		}
		b, err := m.read(4 * int(n)) // n is bounded by maxBytes
		if err != nil {
			return nil, err
		}
		in.blocks = make([]uint32, n)
		for i := range in.blocks {
			in.blocks[i] = le.Uint32(b[4*i:])
		}
	}
	return in, nil
}

// block reads the data block at off whose size word is w, decompressed
// to want bytes at most.
func (s *sqfs) block(off uint64, w uint32, want int) ([]byte, error) {
	n := int(w &^ sqfsBlockFlag)
	if n == 0 { // sparse
		return make([]byte, want), nil
	}
	if n > int(s.sb.BlockSize) {
		return nil, fmt.Errorf("data block of %d bytes, over the block size %d", n, s.sb.BlockSize)
	}
	data, err := s.readAt(off, n)
	if err != nil {
		return nil, err
	}
	if w&sqfsBlockFlag == 0 {
		if data, err = s.decompress(data, int(s.sb.BlockSize)); err != nil {
			return nil, err
		}
	}
	if len(data) < want {
		return nil, fmt.Errorf("data block of %d bytes, %d expected", len(data), want)
	}
	return data[:want], nil
}

// fileData reads the contents of a file inode (at most MaxFileBytes).
func (s *sqfs) fileData(in *sqfsInode) ([]byte, error) {
	bs := uint64(s.sb.BlockSize)
	out := make([]byte, 0, in.size)
	off := in.blockStart
	for _, w := range in.blocks {
		want := int(min(bs, in.size-uint64(len(out))))
		b, err := s.block(off, w, want)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
		off += uint64(w &^ sqfsBlockFlag)
	}
	if rest := in.size - uint64(len(out)); rest > 0 {
		if in.fragIndex == sqfsNoFrag || in.fragIndex >= s.sb.FragCount {
			return nil, fmt.Errorf("fragment %d of %d", in.fragIndex, s.sb.FragCount)
		}
		loc, err := s.readAt(s.sb.FragTable+8*uint64(in.fragIndex/512), 8)
		if err != nil {
			return nil, err
		}
		m, err := s.meta(binary.LittleEndian.Uint64(loc), int(in.fragIndex%512)*16)
		if err != nil {
			return nil, err
		}
		e, err := m.read(16)
		if err != nil {
			return nil, err
		}
		end := uint64(in.fragOffset) + rest
		if end > bs {
			return nil, fmt.Errorf("fragment at %d of %d bytes, over the block size", in.fragOffset, rest)
		}
		b, err := s.blockAny(binary.LittleEndian.Uint64(e), binary.LittleEndian.Uint32(e[8:]))
		if err != nil {
			return nil, err
		}
		if uint64(len(b)) < end {
			return nil, fmt.Errorf("fragment block of %d bytes, %d needed", len(b), end)
		}
		out = append(out, b[in.fragOffset:end]...)
	}
	return out, nil
}

// blockAny reads a data block of any length up to the block size: a
// fragment block is usually shorter than a block.
func (s *sqfs) blockAny(off uint64, w uint32) ([]byte, error) {
	n := int(w &^ sqfsBlockFlag)
	if n == 0 || n > int(s.sb.BlockSize) {
		return nil, fmt.Errorf("fragment block of %d bytes", n)
	}
	data, err := s.readAt(off, n)
	if err != nil || w&sqfsBlockFlag != 0 {
		return data, err
	}
	return s.decompress(data, int(s.sb.BlockSize))
}

// checkSquashfs reads and checks the superblock; the error says why the
// image is not opened.
func (s *sqfs) checkSuper() error {
	h, err := s.readAt(0, sqfsSuperLen)
	if err != nil {
		return fmt.Errorf("truncated superblock: %v", err)
	}
	if bytes.HasPrefix(h, []byte("sqsh")) {
		return errors.New("big-endian squashfs (version 3 or older) not supported")
	}
	if err := binary.Read(bytes.NewReader(h), binary.LittleEndian, &s.sb); err != nil {
		return err
	}
	sb := &s.sb
	if sb.VerMaj != 4 || sb.VerMin != 0 {
		return fmt.Errorf("squashfs version %d.%d not supported", sb.VerMaj, sb.VerMin)
	}
	if sb.BlockSize < 4096 || sb.BlockSize > 1<<20 || bits.OnesCount32(sb.BlockSize) != 1 || 1<<sb.BlockLog != sb.BlockSize {
		return fmt.Errorf("bad block size %d (log %d)", sb.BlockSize, sb.BlockLog)
	}
	switch sb.Comp {
	case sqfsCompZlib, sqfsCompXz, sqfsCompLz4, sqfsCompLzma:
	case sqfsCompZstd:
		// A block decompresses to at most the block size, a metadata block
		// to sqfsMetaMax: with 4 KiB blocks the metadata is the larger.
		most := uint64(max(sb.BlockSize, sqfsMetaMax))
		s.zd, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(most), zstd.WithDecoderMaxWindow(most*2))
		if err != nil {
			return err
		}
	default:
		if name, ok := sqfsCompNames[sb.Comp]; ok {
			return fmt.Errorf("unsupported compression method %s", name)
		}
		return fmt.Errorf("unknown compression %d", sb.Comp)
	}
	return nil
}

// walkSquashfs walks the squashfs image n of size bytes, read from ra.
func (w *walker) walkSquashfs(n node, ra io.ReaderAt, size int64) error {
	s := &sqfs{ra: ra, size: size, dirs: map[uint64]bool{}}
	if err := s.checkSuper(); err != nil {
		w.gap(n.loc, "", "squashfs image not opened: %v", err)
		return nil
	}
	if s.zd != nil {
		defer s.zd.Close()
	}
	root, err := s.inode(s.sb.RootInode, w.lim.MaxFileBytes)
	if err == nil && !root.isDirOK {
		err = errors.New("root is not a directory")
	}
	if err != nil {
		w.gap(n.loc, "", "not a valid squashfs: %v, files not read", err)
		return nil
	}
	w.rep.Archives++
	if err := w.sqfsDir(n, s, root, "", 0); err != errStopImage {
		return err
	}
	return nil
}

// sqfsDir walks the directory in, at prefix ("" or "a/b/") in the image.
func (w *walker) sqfsDir(n node, s *sqfs, in *sqfsInode, prefix string, depth int) error {
	if in.dirSize <= 3 {
		// Empty: nothing to loop through, and mksquashfs gives every empty
		// directory the table position of whatever listing comes next.
		return nil
	}
	key := uint64(in.dirStart)<<16 | uint64(in.dirOffset)
	if s.dirs[key] || depth > sqfsMaxDirs {
		w.gap(n.loc+Separator+orDot(prefix), "", "squashfs directory loop or nesting over %d, not read", sqfsMaxDirs)
		return nil
	}
	s.dirs[key] = true
	m, err := s.meta(s.sb.DirTable+uint64(in.dirStart), int(in.dirOffset))
	left := int64(in.dirSize) - 3
	for err == nil && left > 0 {
		if err := w.check(); err != nil {
			return err
		}
		var h []byte
		if h, err = m.read(12); err != nil {
			break
		}
		left -= 12
		count := binary.LittleEndian.Uint32(h) + 1
		start := binary.LittleEndian.Uint32(h[4:])
		if count > 256 {
			err = fmt.Errorf("directory header of %d entries", count)
			break
		}
		for range count {
			if left <= 0 {
				break
			}
			var e, name []byte
			if e, err = m.read(8); err != nil {
				break
			}
			nl := int(binary.LittleEndian.Uint16(e[6:])) + 1
			if name, err = m.read(nl); err != nil {
				break
			}
			left -= 8 + int64(nl)
			if s.seen++; s.seen > 4*w.lim.MaxFiles {
				w.gap(n.loc, "files", "squashfs directories list over %d entries (limit files), rest not read", 4*w.lim.MaxFiles)
				return nil
			}
			ref := uint64(start)<<16 | uint64(binary.LittleEndian.Uint16(e))
			if err := w.sqfsEntry(n, s, ref, prefix+string(name), depth); err != nil {
				return err
			}
		}
	}
	if err != nil && w.abort == nil {
		w.gap(n.loc+Separator+orDot(prefix), "", "bad squashfs directory: %v, rest of it not read", err)
	}
	return w.abort
}

func (w *walker) sqfsEntry(n node, s *sqfs, ref uint64, name string, depth int) error {
	in, err := s.inode(ref, w.lim.MaxFileBytes)
	if err != nil {
		w.gap(n.loc+Separator+w.entryName(n.loc, name), "", "bad squashfs inode: %v, not read", err)
		return nil
	}
	switch {
	case in.isDirOK:
		return w.sqfsDir(n, s, in, name+"/", depth+1)
	case in.typ == 3 || in.typ == 10:
		w.rep.Links++
		return nil
	case !in.fileOK:
		w.rep.Special++
		return nil
	}
	c := n.child(w.entryName(n.loc, name), in.perm)
	if in.size > uint64(w.lim.MaxFileBytes) {
		size := int64(-1)
		if in.size <= 1<<62 {
			size = int64(in.size)
		}
		reason := "larger than " + sizeString(w.lim.MaxFileBytes)
		w.gap(c.loc, "file-bytes", "%s (limit file-bytes), contents not read", reason)
		return w.emitSkipped(c, size, reason)
	}
	// Sparse blocks take no room: a file whose blocks could not hold its
	// size within the ratio is not decompressed at all.
	packed := int64(in.size % uint64(s.sb.BlockSize)) // its tail in a fragment
	for _, b := range in.blocks {
		packed += int64(b &^ sqfsBlockFlag)
	}
	if sz := int64(in.size); sz > ratioSlack && (sz-1)/w.lim.MaxRatio >= s.in.Load()+packed {
		reason := fmt.Sprintf("decompression ratio over %d:1", w.lim.MaxRatio)
		w.gap(c.loc, "ratio", "%s (limit ratio), contents not read", reason)
		return w.emitSkipped(c, sz, reason)
	}
	data, err := s.fileData(in)
	if err != nil {
		w.gap(c.loc, "", "read error: %v, contents not read", err)
		return w.emitSkipped(c, int64(in.size), "unreadable: "+err.Error())
	}
	rr := w.ratio(n.loc, "rest of the image skipped", bytes.NewReader(data), s.in.Load)
	rr.out = s.out
	defer func() { s.out = rr.out }()
	if err := w.visitReader(c, int64(len(data)), w.budget(n.loc, rr), nil); err != nil {
		return err
	}
	if rr.err != nil {
		return errStopImage
	}
	return w.abort
}

// errStopImage ends the walk of an image whose ratio went over.
var errStopImage = errors.New("image stopped")
