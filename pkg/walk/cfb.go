package walk

import (
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf16"
)

// Compound files ([MS-CFB], OLE): a FAT file system in one file. Sectors
// of 512 or 4096 bytes chained by a FAT; streams under the mini-stream
// cutoff in 64-byte mini sectors of the root's stream, chained by the
// miniFAT. Every count in the header is checked against the file's size
// before anything is allocated, and every chain is bounded by the number
// of sectors the file has.

var cfbMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

const (
	cfbEnd       = 0xfffffffe // ENDOFCHAIN
	cfbFree      = 0xffffffff
	cfbMaxRegSec = 0xfffffffa
	cfbDirLen    = 128
)

// cfb is a compound file's FATs and directory.
type cfb struct {
	ra      io.ReaderAt
	size    int64
	shift   uint // sector shift: 9 or 12
	nsec    uint32
	fat     []uint32
	minifat []uint32
	cutoff  uint64
	dir     []cfbEntry
	mini    []uint32 // the sectors of the mini stream
	miniLen uint64
}

// cfbEntry is a directory entry.
type cfbEntry struct {
	name               string
	typ                byte // 1 storage, 2 stream, 5 root
	left, right, child uint32
	clsid              [16]byte
	start              uint32
	size               uint64
}

func (c *cfb) secSize() int64 { return 1 << c.shift }

// readSector reads sector s into b (secSize bytes).
func (c *cfb) readSector(s uint32, b []byte) error {
	if s >= c.nsec {
		return fmt.Errorf("sector %d past the end", s)
	}
	off := (int64(s) + 1) << c.shift
	n, err := c.ra.ReadAt(b, off)
	if n < len(b) && off+int64(n) == c.size { // a short last sector
		clear(b[n:])
		return nil
	}
	return err
}

// chain returns the sectors of the chain from start, at most max of them
// (and no more than the file has: a longer chain loops).
func chain(table []uint32, start uint32, limit uint32, max int) ([]uint32, error) {
	var out []uint32
	for s := start; s != cfbEnd; {
		if s >= limit || int(s) >= len(table) {
			return out, fmt.Errorf("sector %d out of range in a chain", s)
		}
		if len(out) >= int(limit) {
			return out, fmt.Errorf("chain loops")
		}
		if len(out) >= max {
			break
		}
		out = append(out, s)
		s = table[s]
	}
	return out, nil
}

// openCFB reads the header, FAT, directory and miniFAT of a compound file
// of size bytes.
func openCFB(ra io.ReaderAt, size int64) (*cfb, error) {
	var h [512]byte
	if n, _ := ra.ReadAt(h[:], 0); n < len(h) {
		return nil, errFormat("truncated header")
	}
	le := binary.LittleEndian
	if string(h[:8]) != string(cfbMagic) || le.Uint16(h[28:]) != 0xfffe {
		return nil, errFormat("not a compound file")
	}
	c := &cfb{ra: ra, size: size}
	major := le.Uint16(h[26:])
	switch {
	case major == 3 && le.Uint16(h[30:]) == 9:
		c.shift = 9
	case major == 4 && le.Uint16(h[30:]) == 12:
		c.shift = 12
	default:
		return nil, errFormat("bad version or sector size")
	}
	if le.Uint16(h[32:]) != 6 {
		return nil, errFormat("bad mini sector size")
	}
	if size <= c.secSize() {
		return nil, errFormat("no sectors")
	}
	nsec := (size - c.secSize() + c.secSize() - 1) >> c.shift
	if nsec > cfbMaxRegSec {
		return nil, errFormat("too many sectors")
	}
	c.nsec = uint32(nsec)
	nfat := le.Uint32(h[44:])
	dirStart := le.Uint32(h[48:])
	c.cutoff = uint64(le.Uint32(h[56:]))
	miniStart, nmini := le.Uint32(h[60:]), le.Uint32(h[64:])
	difStart, ndif := le.Uint32(h[68:]), le.Uint32(h[72:])
	if nfat == 0 || nfat > c.nsec || nmini > c.nsec || ndif > c.nsec {
		return nil, errFormat("sector counts over the file's size")
	}
	// The DIFAT: the FAT's sectors.
	per := int(c.secSize() / 4)
	fatSecs := make([]uint32, 0, nfat)
	for i := 0; i < 109 && len(fatSecs) < int(nfat); i++ {
		fatSecs = append(fatSecs, le.Uint32(h[76+4*i:]))
	}
	buf := make([]byte, c.secSize())
	for d, i := difStart, uint32(0); len(fatSecs) < int(nfat); i++ {
		if i >= ndif || d >= c.nsec {
			return nil, errFormat("DIFAT shorter than the FAT")
		}
		if err := c.readSector(d, buf); err != nil {
			return nil, err
		}
		for j := 0; j < per-1 && len(fatSecs) < int(nfat); j++ {
			fatSecs = append(fatSecs, le.Uint32(buf[4*j:]))
		}
		d = le.Uint32(buf[4*(per-1):])
	}
	c.fat = make([]uint32, 0, int(nfat)*per)
	for _, s := range fatSecs {
		if err := c.readSector(s, buf); err != nil {
			return nil, fmt.Errorf("FAT: %w", err)
		}
		for j := range per {
			c.fat = append(c.fat, le.Uint32(buf[4*j:]))
		}
	}
	// The directory.
	dirSecs, err := chain(c.fat, dirStart, c.nsec, int(c.nsec))
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	if len(dirSecs) == 0 {
		return nil, errFormat("no directory")
	}
	for _, s := range dirSecs {
		if err := c.readSector(s, buf); err != nil {
			return nil, fmt.Errorf("directory: %w", err)
		}
		for j := 0; j < len(buf); j += cfbDirLen {
			c.dir = append(c.dir, parseCFBEntry(buf[j:j+cfbDirLen], c.shift == 9))
		}
	}
	if c.dir[0].typ != 5 {
		return nil, errFormat("no root entry")
	}
	// The miniFAT and the mini stream.
	if nmini > 0 {
		secs, err := chain(c.fat, miniStart, c.nsec, int(nmini))
		if err != nil {
			return nil, fmt.Errorf("miniFAT: %w", err)
		}
		for _, s := range secs {
			if err := c.readSector(s, buf); err != nil {
				return nil, fmt.Errorf("miniFAT: %w", err)
			}
			for j := range per {
				c.minifat = append(c.minifat, le.Uint32(buf[4*j:]))
			}
		}
	}
	root := c.dir[0]
	if root.size > 0 && root.start != cfbEnd {
		need := (root.size + uint64(c.secSize()) - 1) >> c.shift
		if need > uint64(c.nsec) {
			return nil, errFormat("mini stream over the file's size")
		}
		c.mini, err = chain(c.fat, root.start, c.nsec, int(need))
		if err != nil {
			return nil, fmt.Errorf("mini stream: %w", err)
		}
		c.miniLen = min(root.size, uint64(len(c.mini))<<c.shift)
	}
	return c, nil
}

func parseCFBEntry(b []byte, v3 bool) cfbEntry {
	le := binary.LittleEndian
	e := cfbEntry{typ: b[66], left: le.Uint32(b[68:]), right: le.Uint32(b[72:]), child: le.Uint32(b[76:]), start: le.Uint32(b[116:]), size: le.Uint64(b[120:])}
	copy(e.clsid[:], b[80:96])
	if v3 {
		e.size &= 0xffffffff
	}
	nl := int(le.Uint16(b[64:]))
	if nl > 64 {
		nl = 64
	}
	u := make([]uint16, 0, nl/2)
	for i := 0; i+1 < nl; i += 2 {
		if v := le.Uint16(b[i:]); v != 0 {
			u = append(u, v)
		} else {
			break
		}
	}
	e.name = string(utf16.Decode(u))
	return e
}

// cfbStream is a stream of a compound file and its path of storages.
type cfbStream struct {
	path  []string
	entry int
}

// streams lists the streams in the directory tree, storages first-level
// names joined; at most max.
func (c *cfb) streams(max int) ([]cfbStream, error) {
	var out []cfbStream
	seen := make([]bool, len(c.dir))
	var walk func(i uint32, path []string, depth int) error
	walk = func(i uint32, path []string, depth int) error {
		// An explicit stack for the siblings: the tree may be degenerate.
		stack := []uint32{i}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if i == cfbFree {
				continue
			}
			if int(i) >= len(c.dir) {
				return fmt.Errorf("directory entry %d out of range", i)
			}
			if seen[i] {
				return errFormat("directory tree loops")
			}
			seen[i] = true
			e := c.dir[i]
			stack = append(stack, e.right, e.left)
			switch e.typ {
			case 2:
				if len(out) >= max {
					return errCFBTooMany
				}
				out = append(out, cfbStream{path: append(path[:len(path):len(path)], e.name), entry: int(i)})
			case 1:
				if depth >= 16 {
					return errFormat("storages nested too deep")
				}
				if err := walk(e.child, append(path[:len(path):len(path)], e.name), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	seen[0] = true
	err := walk(c.dir[0].child, nil, 0)
	return out, err
}

var errCFBTooMany = errFormat("more streams than the files limit")

// open returns a reader of the stream of directory entry i.
func (c *cfb) open(i int) (io.Reader, error) {
	e := c.dir[i]
	if e.size < c.cutoff {
		if e.size > c.miniLen {
			return nil, errFormat("mini stream entry past the mini stream")
		}
		need := int((e.size + 63) / 64)
		secs, err := chain(c.minifat, e.start, uint32(min(c.miniLen/64, uint64(len(c.minifat)))), need)
		if err != nil {
			return nil, err
		}
		if len(secs) < need {
			return nil, errFormat("mini stream chain shorter than the stream")
		}
		return &cfbReader{c: c, secs: secs, mini: true, left: int64(e.size)}, nil
	}
	secs, err := c.sectors(e)
	if err != nil {
		return nil, err
	}
	return &cfbReader{c: c, secs: secs, left: int64(e.size)}, nil
}

// cfbReader reads a stream sector by sector.
type cfbReader struct {
	c    *cfb
	secs []uint32
	mini bool
	left int64
	buf  []byte
	run  []byte // the sectors read last, not mini
	sec  []byte // the sector read last
	at   uint32 // its number, +1 (0: none)
}

// sectors reads n sectors from s into r.run.
func (r *cfbReader) sectors(s uint32, n int) error {
	if uint64(s)+uint64(n) > uint64(r.c.nsec) {
		return fmt.Errorf("sector %d past the end", uint64(s)+uint64(n)-1)
	}
	size := n << r.c.shift
	if cap(r.run) < size {
		r.run = make([]byte, size)
	}
	r.run = r.run[:size]
	off := (int64(s) + 1) << r.c.shift
	m, err := r.c.ra.ReadAt(r.run, off)
	if m < size && off+int64(m) == r.c.size { // a short last sector
		clear(r.run[m:])
		return nil
	}
	return err
}

// sector reads sector s into r.sec, unless it is there already.
func (r *cfbReader) sector(s uint32) error {
	if r.at == s+1 {
		return nil
	}
	if r.sec == nil {
		r.sec = make([]byte, r.c.secSize())
	}
	r.at = 0
	if err := r.c.readSector(s, r.sec); err != nil {
		return err
	}
	r.at = s + 1
	return nil
}

func (r *cfbReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if len(r.buf) == 0 {
		if len(r.secs) == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		s := r.secs[0]
		r.secs = r.secs[1:]
		if r.mini {
			off := int64(s) * 64
			if err := r.sector(r.c.mini[off>>r.c.shift]); err != nil {
				return 0, err
			}
			in := off & (r.c.secSize() - 1)
			r.buf = r.sec[in : in+64]
		} else {
			// A run of consecutive sectors, up to 1 MiB, in one read.
			run := 1
			for run < len(r.secs)+1 && run<<r.c.shift < 1<<20 && int64(run)<<r.c.shift < r.left && r.secs[run-1] == s+uint32(run) {
				run++
			}
			r.secs = r.secs[run-1:]
			if err := r.sectors(s, run); err != nil {
				return 0, err
			}
			r.buf = r.run
		}
		r.buf = r.buf[:min(int64(len(r.buf)), r.left)]
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.left -= int64(n)
	return n, nil
}

// cfbStreamAt reads a stream in regular sectors at random: a stream over
// file-bytes (an embedded cab) is opened without being read whole.
type cfbStreamAt struct {
	c    *cfb
	secs []uint32
	size int64
}

// openAt returns a random reader of the stream of directory entry i, when
// it is in regular sectors.
func (c *cfb) openAt(i int) (*cfbStreamAt, error) {
	e := c.dir[i]
	if e.size < c.cutoff {
		return nil, errFormat("a mini stream")
	}
	secs, err := c.sectors(e)
	if err != nil {
		return nil, err
	}
	return &cfbStreamAt{c: c, secs: secs, size: int64(e.size)}, nil
}

// sectors are the regular sectors of the stream of e, in order: its FAT
// chain, checked to cover the stream and to fit in the file.
func (c *cfb) sectors(e cfbEntry) ([]uint32, error) {
	need := (e.size + uint64(c.secSize()) - 1) >> c.shift
	if need > uint64(c.nsec) {
		return nil, fmt.Errorf("stream of %d bytes, over the file's size", e.size)
	}
	secs, err := chain(c.fat, e.start, c.nsec, int(need))
	if err != nil {
		return nil, err
	}
	if uint64(len(secs)) < need {
		return nil, errFormat("chain shorter than the stream")
	}
	return secs, nil
}

func (s *cfbStreamAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errFormat("negative offset")
	}
	n := 0
	for len(p) > 0 {
		if off >= s.size {
			return n, io.EOF
		}
		ss := s.c.secSize()
		sec := s.secs[off>>s.c.shift]
		in := off & (ss - 1)
		m := int(min(int64(len(p)), ss-in, s.size-off))
		if k, err := s.c.ra.ReadAt(p[:m], (int64(sec)+1)<<s.c.shift+in); k < m {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n + k, err
		}
		p, off, n = p[m:], off+int64(m), n+m
	}
	return n, nil
}
