package walk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// ext2/3/4 filesystems are read here, not by go-diskfs, whose ext4 reader
// allocates the whole group descriptor table from the superblock's counts
// unchecked (gigabytes for a 1 KiB image), and reads only extents. Here
// every read is one block, one inode or one group descriptor, checked to
// lie inside the image before it is allocated; files are mapped by
// extents (at most extMaxDepth levels, their tree nodes no more than the
// file's blocks) or by block maps (direct, indirect, double and triple),
// small inline files and directories from the inode. A file's runs must
// cover its size; holes and unwritten extents read as zeros, counted for
// the ratio as squashfs's sparse blocks are. Directories are read
// linearly (hashed ones are linear-compatible), at most extMaxDir bytes
// each, extMaxDirBytes in all, extMaxDepth levels deep, each once (a
// directory met again is a loop); symbolic links are not followed. An
// incompatible feature the reader does not know makes the filesystem a
// gap naming it, and an encrypted file or directory is a gap.

const (
	extMaxDepth    = 128
	extMaxDir      = 32 << 20
	extMaxDirBytes = 256 << 20
	extTreeDepth   = 5
)

// Incompatible features.
const (
	extFiletype   = 0x2
	extRecover    = 0x4
	extExtents    = 0x40
	ext64bit      = 0x80
	extMMP        = 0x100
	extFlexBG     = 0x200
	extEAInode    = 0x400
	extCsumSeed   = 0x2000
	extLargeDir   = 0x4000
	extInlineData = 0x8000
	extEncrypt    = 0x10000
	extCasefold   = 0x20000
	extKnown      = extFiletype | extRecover | extExtents | ext64bit | extMMP | extFlexBG | extEAInode | extCsumSeed | extLargeDir | extInlineData | extEncrypt | extCasefold
)

var extFeatureNames = map[uint32]string{0x1: "compression", 0x8: "journal_dev", 0x10: "meta_bg", 0x1000: "dirdata"}

// Inode flags.
const (
	extFlagEncrypt = 0x800
	extFlagExtents = 0x80000
	extFlagInline  = 0x10000000
)

type extFS struct {
	img        *imgReader
	bs         int64
	inodes     uint32
	ipg        uint32
	groups     uint64
	inodeSize  int64
	descSize   int64
	gdtOff     int64
	incompat   uint32
	dirs       map[uint32]bool
	dirBytes   int64
	seen       int
	needsRecov bool
}

// extInode is what the walk needs of an inode.
type extInode struct {
	raw   []byte
	mode  uint16
	size  uint64
	flags uint32
}

func (in *extInode) typ() uint16 { return in.mode & 0xf000 }

// openExt reads and checks the superblock.
func openExt(img *imgReader) (*extFS, error) {
	sb, err := img.at(1024, 1024)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if le.Uint16(sb[56:]) != 0xef53 || le.Uint32(sb[24:]) > 6 {
		return nil, errors.New("bad superblock")
	}
	e := &extFS{img: img, bs: 1024 << le.Uint32(sb[24:]), inodes: le.Uint32(sb), ipg: le.Uint32(sb[40:]), incompat: le.Uint32(sb[96:]), dirs: map[uint32]bool{}}
	if bad := e.incompat &^ extKnown; bad != 0 {
		var names []string
		for bit := uint32(1); bit != 0; bit <<= 1 {
			if bad&bit != 0 {
				name, ok := extFeatureNames[bit]
				if !ok {
					name = fmt.Sprintf("0x%x", bit)
				}
				names = append(names, name)
			}
		}
		return nil, fmt.Errorf("unsupported feature %s", strings.Join(names, ", "))
	}
	blocks := uint64(le.Uint32(sb[4:]))
	first, bpg := uint64(le.Uint32(sb[20:])), uint64(le.Uint32(sb[32:]))
	e.inodeSize, e.descSize = 128, 32
	if le.Uint32(sb[76:]) >= 1 {
		e.inodeSize = int64(le.Uint16(sb[88:]))
	}
	if e.incompat&ext64bit != 0 {
		blocks |= uint64(le.Uint32(sb[0x150:])) << 32
		e.descSize = int64(le.Uint16(sb[254:]))
	}
	switch {
	case e.inodeSize < 128 || e.inodeSize > e.bs || e.inodeSize&(e.inodeSize-1) != 0:
		return nil, fmt.Errorf("inodes of %d bytes", e.inodeSize)
	case e.descSize < 32 || e.descSize > e.bs || e.descSize&(e.descSize-1) != 0:
		return nil, fmt.Errorf("group descriptors of %d bytes", e.descSize)
	case bpg == 0 || e.ipg == 0 || blocks <= first:
		return nil, fmt.Errorf("%d blocks, %d per group, %d inodes per group", blocks, bpg, e.ipg)
	}
	e.groups = (blocks - first + bpg - 1) / bpg
	e.gdtOff = int64(first+1) * e.bs
	e.needsRecov = e.incompat&extRecover != 0
	return e, nil
}

// inode reads inode ino.
func (e *extFS) inode(ino uint32) (*extInode, error) {
	if ino == 0 || ino > e.inodes {
		return nil, fmt.Errorf("inode %d out of range", ino)
	}
	g, i := uint64(ino-1)/uint64(e.ipg), int64(ino-1)%int64(e.ipg)
	if g >= e.groups || g > uint64(e.img.size) {
		return nil, fmt.Errorf("inode %d in group %d of %d", ino, g, e.groups)
	}
	d, err := e.img.at(e.gdtOff+int64(g)*e.descSize, e.descSize)
	if err != nil {
		return nil, fmt.Errorf("group descriptor %d: %v", g, err)
	}
	table := uint64(binary.LittleEndian.Uint32(d[8:]))
	if e.descSize >= 64 {
		table |= uint64(binary.LittleEndian.Uint32(d[0x28:])) << 32
	}
	if table > uint64(e.img.size/e.bs) || i > e.img.size/e.inodeSize {
		return nil, fmt.Errorf("inode %d beyond the image's end", ino)
	}
	raw, err := e.img.at(int64(table)*e.bs+i*e.inodeSize, e.inodeSize)
	if err != nil {
		return nil, fmt.Errorf("inode %d: %v", ino, err)
	}
	le := binary.LittleEndian
	return &extInode{raw: raw, mode: le.Uint16(raw), size: uint64(le.Uint32(raw[4:])) | uint64(le.Uint32(raw[108:]))<<32, flags: le.Uint32(raw[32:])}, nil
}

// block reads block b.
func (e *extFS) block(b uint64) ([]byte, error) {
	if b == 0 || b >= uint64(e.img.size/e.bs) {
		return nil, fmt.Errorf("block %d beyond the image's end", b)
	}
	return e.img.at(int64(b)*e.bs, e.bs)
}

// runs maps the first size bytes of the file in (a regular file or a
// directory, not inline).
func (e *extFS) runs(in *extInode, size uint64) ([]seg, error) {
	need := (size + uint64(e.bs) - 1) / uint64(e.bs)
	m := &extMap{e: e, need: need}
	var err error
	if in.flags&extFlagExtents != 0 {
		m.nodes = int64(need) + 16
		err = m.extents(in.raw[40:100], -1)
	} else {
		err = m.blockMap(in.raw[40:100])
	}
	if err != nil {
		return nil, err
	}
	m.hole(need)
	// The last block holds the file's end.
	var total int64
	for i := range m.segs {
		if over := total + m.segs[i].n - int64(size); over > 0 {
			m.segs[i].n -= over
			m.segs = m.segs[:i+1]
			break
		}
		total += m.segs[i].n
	}
	return m.segs, nil
}

// extMap builds the runs of a file's first need blocks.
type extMap struct {
	e     *extFS
	need  uint64 // blocks
	next  uint64 // the next logical block mapped
	nodes int64  // extent tree nodes still to be read
	segs  []seg
	cache map[uint64][]byte // indirect blocks, by level
	which map[uint64]uint64 // the block in the cache, by level
}

// hole maps zeros up to logical block to.
func (m *extMap) hole(to uint64) {
	if to > m.next {
		m.segs = addSeg(m.segs, seg{phys: -1, n: int64(to-m.next) * m.e.bs})
		m.next = to
	}
}

// data maps n blocks from physical block phys at logical block l.
func (m *extMap) data(l, phys, n uint64) error {
	if l < m.next {
		return fmt.Errorf("extents overlap at block %d", l)
	}
	if l >= m.need {
		return nil
	}
	n = min(n, m.need-l)
	if limit := uint64(m.e.img.size / m.e.bs); phys == 0 || phys >= limit || n > limit-phys {
		return fmt.Errorf("blocks %d to %d beyond the image's end", phys, phys+n)
	}
	m.hole(l)
	m.segs = addSeg(m.segs, seg{phys: int64(phys) * m.e.bs, n: int64(n) * m.e.bs})
	m.next = l + n
	return nil
}

// extents maps the extent tree node b; depth is the level its parent
// expects, -1 for the root (in the inode).
func (m *extMap) extents(b []byte, depth int) error {
	le := binary.LittleEndian
	n, d := int(le.Uint16(b[2:])), int(le.Uint16(b[6:]))
	if le.Uint16(b) != 0xf30a || 12+12*n > len(b) || d > extTreeDepth || (depth >= 0 && d != depth) {
		return errors.New("bad extent tree node")
	}
	for i := range n {
		x := b[12+12*i:]
		l := uint64(le.Uint32(x))
		if l >= m.need {
			return nil
		}
		if d == 0 {
			length := uint64(le.Uint16(x[4:]))
			phys := uint64(le.Uint16(x[6:]))<<32 | uint64(le.Uint32(x[8:]))
			if length > 32768 { // unwritten: zeros
				if l < m.next {
					return fmt.Errorf("extents overlap at block %d", l)
				}
				m.hole(min(l+length-32768, m.need))
				continue
			}
			if err := m.data(l, phys, length); err != nil {
				return err
			}
			continue
		}
		if m.nodes--; m.nodes < 0 {
			return errors.New("extent tree over the file's blocks")
		}
		child, err := m.e.block(uint64(le.Uint16(x[8:]))<<32 | uint64(le.Uint32(x[4:])))
		if err != nil {
			return err
		}
		if err := m.extents(child, d-1); err != nil {
			return err
		}
	}
	return nil
}

// blockMap maps a file by its block map: 12 direct blocks, then an
// indirect, a double and a triple indirect one.
func (m *extMap) blockMap(ib []byte) error {
	le := binary.LittleEndian
	per := uint64(m.e.bs / 4)
	m.cache, m.which = map[uint64][]byte{}, map[uint64]uint64{}
	for l := uint64(0); l < m.need; l++ {
		var p uint64
		var err error
		switch r := l; {
		case r < 12:
			p = uint64(le.Uint32(ib[4*r:]))
		case r-12 < per:
			p, err = m.indirect(uint64(le.Uint32(ib[48:])), 1, r-12, per)
		case r-12-per < per*per:
			p, err = m.indirect(uint64(le.Uint32(ib[52:])), 2, r-12-per, per)
		case r-12-per-per*per < per*per*per:
			p, err = m.indirect(uint64(le.Uint32(ib[56:])), 3, r-12-per-per*per, per)
		default:
			err = fmt.Errorf("block %d beyond the triple indirect map", r)
		}
		if err != nil {
			return err
		}
		if p == 0 {
			continue // a hole
		}
		if err := m.data(l, p, 1); err != nil {
			return err
		}
	}
	return nil
}

// indirect follows the indirect block b of levels levels to entry i.
func (m *extMap) indirect(b uint64, levels int, i, per uint64) (uint64, error) {
	for lv := levels; lv >= 1; lv-- {
		if b == 0 {
			return 0, nil
		}
		span := uint64(1)
		for range lv - 1 {
			span *= per
		}
		key := uint64(lv)<<8 | uint64(levels)
		d, ok := m.cache[key]
		if !ok || m.which[key] != b {
			var err error
			if d, err = m.e.block(b); err != nil {
				return 0, fmt.Errorf("indirect block: %v", err)
			}
			m.cache[key], m.which[key] = d, b
		}
		b = uint64(binary.LittleEndian.Uint32(d[4*(i/span):]))
		i %= span
	}
	return b, nil
}

// inline returns the contents of an inline file or directory: 60 bytes
// in the inode's block map, the rest in its "system.data" attribute.
func (e *extFS) inline(in *extInode) ([]byte, error) {
	data := in.raw[40:100]
	if in.size <= 60 {
		return data[:in.size], nil
	}
	le := binary.LittleEndian
	if len(in.raw) < 132 {
		return nil, errors.New("inline data beyond the inode")
	}
	start := 128 + int(le.Uint16(in.raw[128:]))
	if start+4 > len(in.raw) || le.Uint32(in.raw[start:]) != 0xea020000 {
		return nil, errors.New("inline data without attributes")
	}
	attrs := in.raw[start+4:]
	for off := 0; off+16 <= len(attrs) && le.Uint32(attrs[off:]) != 0; {
		a := attrs[off:]
		nl := int(a[0])
		if 16+nl > len(a) {
			break
		}
		vo, vs := int(le.Uint16(a[2:])), int(le.Uint32(a[8:]))
		if a[1] == 7 && string(a[16:16+nl]) == "data" {
			if vo+vs > len(attrs) || uint64(vs) < in.size-60 {
				return nil, errors.New("bad inline data attribute")
			}
			return append(append([]byte(nil), data...), attrs[vo:vo+int(in.size-60)]...), nil
		}
		off += (16 + nl + 3) &^ 3
	}
	return nil, errors.New("inline data attribute not found")
}

// walkExt walks the ext2/3/4 filesystem image n of size bytes, read from ra.
func (w *walker) walkExt(n node, ra io.ReaderAt, size int64) error {
	e, err := openExt(&imgReader{ra: ra, size: size})
	if err != nil {
		w.gap(n.loc, "", "ext2/3/4 filesystem not opened: %v, files not read", err)
		return nil
	}
	w.rep.Archives++
	if e.needsRecov {
		w.gap(n.loc, "", "ext3/4 journal needs recovery: changes in it not read")
	}
	return w.extDir(n, e, 2, "", 0)
}

// extDir walks the directory of inode ino, at prefix in the image.
func (w *walker) extDir(n node, e *extFS, ino uint32, prefix string, depth int) error {
	where := n.loc + Separator + orDot(prefix)
	if e.dirs[ino] || depth > extMaxDepth {
		w.gap(where, "", "ext directory loop or nesting over %d, not read", extMaxDepth)
		return nil
	}
	e.dirs[ino] = true
	d, inl, err := e.dirData(ino)
	if err != nil {
		w.gap(where, "", "bad ext directory: %v, not read", err)
		return nil
	}
	// Entries do not cross blocks; an inline directory has two parts:
	// the inode's (after the parent's number) and its attribute's.
	parts := [][]byte{}
	if inl {
		parts = append(parts, d[4:min(60, len(d))])
		if len(d) > 60 {
			parts = append(parts, d[60:])
		}
	} else {
		for off := int64(0); off < int64(len(d)); off += e.bs {
			parts = append(parts, d[off:min(off+e.bs, int64(len(d)))])
		}
	}
	le := binary.LittleEndian
	for _, b := range parts {
		for off := 0; off+8 <= len(b); {
			if err := w.check(); err != nil {
				return err
			}
			child, rl := le.Uint32(b[off:]), int(le.Uint16(b[off+4:]))
			nl := int(b[off+6])
			if e.incompat&extFiletype == 0 {
				nl = int(le.Uint16(b[off+6:]))
			}
			if rl < 8 || rl%4 != 0 || off+rl > len(b) || 8+nl > rl {
				w.gap(where, "", "bad ext directory entry at %d, rest of the directory not read", off)
				return w.abort
			}
			name := string(b[off+8 : off+8+nl])
			off += rl
			if child == 0 || name == "." || name == ".." {
				continue
			}
			if e.seen++; e.seen > 4*w.lim.MaxFiles {
				w.gap(n.loc, "files", "ext directories list over %d entries (limit files), rest not read", 4*w.lim.MaxFiles)
				return nil
			}
			if err := w.extEntry(n, e, child, prefix+name, depth); err != nil {
				return err
			}
		}
	}
	return w.abort
}

// dirData reads the directory of inode ino; inl says it is inline.
func (e *extFS) dirData(ino uint32) (d []byte, inl bool, err error) {
	in, err := e.inode(ino)
	switch {
	case err != nil:
		return nil, false, err
	case in.typ() != 0x4000:
		return nil, false, fmt.Errorf("inode %d is not a directory", ino)
	case in.flags&extFlagEncrypt != 0:
		return nil, false, errors.New("encrypted")
	case in.size > extMaxDir:
		return nil, false, fmt.Errorf("directory of %d bytes, over %d MiB", in.size, extMaxDir>>20)
	case e.dirBytes+int64(in.size) > extMaxDirBytes:
		return nil, false, fmt.Errorf("directories over %d MiB in all", extMaxDirBytes>>20)
	}
	e.dirBytes += int64(in.size)
	if in.flags&extFlagInline != 0 {
		d, err := e.inline(in)
		if err == nil && len(d) < 4 {
			err = errors.New("short inline directory")
		}
		return d, true, err
	}
	segs, err := e.runs(in, in.size)
	if err != nil {
		return nil, false, err
	}
	d, err = io.ReadAll(&segReader{img: e.img, segs: segs})
	return d, false, err
}

// extEntry visits the directory entry name, of inode ino.
func (w *walker) extEntry(n node, e *extFS, ino uint32, name string, depth int) error {
	in, err := e.inode(ino)
	if err != nil {
		w.gap(n.loc+Separator+w.entryName(n.loc, name), "", "bad ext inode: %v, not read", err)
		return nil
	}
	switch in.typ() {
	case 0x4000:
		return w.extDir(n, e, ino, name+"/", depth+1)
	case 0xa000:
		w.rep.Links++
		return nil
	case 0x8000:
	default:
		w.rep.Special++
		return nil
	}
	if in.flags&extFlagEncrypt != 0 {
		c := n.child(w.entryName(n.loc, name), 0o644)
		w.gap(c.loc, "", "encrypted ext file, contents not read")
		return w.emitSkipped(c, int64(min(in.size, 1<<62)), "encrypted")
	}
	return w.imageFile(n, e.img, name, fs.FileMode(in.mode&0o777), in.size, func() ([]seg, error) {
		if in.flags&extFlagInline != 0 {
			d, err := e.inline(in)
			return []seg{{n: int64(len(d)), mem: d}}, err
		}
		return e.runs(in, in.size)
	})
}
