package walk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
)

// MBR and GPT disk images are read here, as squashfs is: go-diskfs's
// partition tables size their buffers from header fields (a GPT's
// partition array from its entry count and size, unchecked) and its ext4
// and FAT readers do the same with the group descriptor table and the
// FAT. Here the partition array is read only when it lies inside the image
// and is at most 1 MiB with a valid checksum; logical partitions of an
// extended MBR partition are followed along at most maxPartitions boot
// records, loops refused. Each partition is walked as a file of the disk,
// named p1, p2, ... (p5 on for logical partitions, as Linux numbers
// them; a GPT partition by its slot), read through a section of the image.
// A partition running beyond the image's end or overlapping one already
// walked is a gap, not read.

const (
	mbrSector     = 512
	maxPartitions = 128
	gptMaxArray   = 1 << 20
)

// diskPart is a partition: bytes start to start+n of the image.
type diskPart struct {
	name     string
	start, n int64
}

// walkDisk walks the partitions of the MBR or GPT disk image n of size
// bytes, read from ra.
func (w *walker) walkDisk(n node, k kind, ra io.ReaderAt, size int64) error {
	img := &imgReader{ra: ra, size: size}
	var parts []diskPart
	var problems []string
	var err error
	if k == kindGPT {
		parts, err = readGPT(img, mbrSector)
	} else {
		parts, problems, err = readMBR(img)
	}
	if err != nil {
		w.gap(n.loc, "", "not a valid %s: %v, partitions not read", k, err)
		return nil
	}
	w.rep.Archives++
	for _, p := range problems {
		w.gap(n.loc, "", "%s", p)
	}
	var done []diskPart
	for _, p := range parts {
		if err := w.check(); err != nil {
			return err
		}
		c := n.child(p.name, 0o644)
		switch {
		case p.n < 0 || p.start > size || p.n > size-p.start:
			w.gap(c.loc, "", "partition runs beyond the image's end (%d bytes), not read", size)
			continue
		case p.start < mbrSector:
			w.gap(c.loc, "", "partition starts in the partition table, not read")
			continue
		}
		if q, ok := overlapping(done, p); ok {
			w.gap(c.loc, "", "partition overlaps %s, not read", q.name)
			continue
		}
		done = append(done, p)
		sr := io.NewSectionReader(ra, p.start, p.n)
		if err := w.visitReader(c, p.n, w.budget(n.loc, sr), sr); err != nil {
			return err
		}
	}
	return w.abort
}

// overlapping returns a partition of done that p overlaps.
func overlapping(done []diskPart, p diskPart) (diskPart, bool) {
	for _, q := range done {
		if p.start < q.start+q.n && q.start < p.start+p.n {
			return q, true
		}
	}
	return diskPart{}, false
}

// isExtended reports the MBR types of an extended partition.
func isExtended(typ byte) bool { return typ == 0x05 || typ == 0x0f || typ == 0x85 }

// readMBR reads the partitions of an MBR, with the logical ones of an
// extended partition. problems are gaps: parts of the table not read. A
// protective MBR (type 0xee) gives the GPT's partitions.
func readMBR(img *imgReader) (parts []diskPart, problems []string, err error) {
	b, err := img.at(0, mbrSector)
	if err != nil {
		return nil, nil, err
	}
	for i := range 4 {
		if b[446+16*i+4] == 0xee {
			for _, ss := range []int64{512, 4096} {
				if h, err := img.at(ss, 8); err == nil && string(h) == "EFI PART" {
					parts, err := readGPT(img, ss)
					return parts, nil, err
				}
			}
			return nil, nil, fmt.Errorf("protective MBR without a GPT header")
		}
	}
	logical := 5
	for i := range 4 {
		e := b[446+16*i : 446+16*i+16]
		typ, start, count := e[4], int64(binary.LittleEndian.Uint32(e[8:])), int64(binary.LittleEndian.Uint32(e[12:]))
		switch {
		case typ == 0 || count == 0:
		case isExtended(typ):
			var ps []diskPart
			ps, err := readEBRs(img, start, count, &logical)
			parts = append(parts, ps...)
			if err != nil {
				problems = append(problems, fmt.Sprintf("extended partition p%d: %v, the rest of its logical partitions not read", i+1, err))
			}
		default:
			parts = append(parts, diskPart{fmt.Sprintf("p%d", i+1), start * mbrSector, count * mbrSector})
		}
	}
	return parts, problems, nil
}

// readEBRs follows the chain of extended boot records of the extended
// partition at base (sectors), numbering the logical partitions from
// *next on.
func readEBRs(img *imgReader, base, count int64, next *int) ([]diskPart, error) {
	var parts []diskPart
	seen := map[int64]bool{}
	for cur := base; ; {
		if seen[cur] {
			return parts, fmt.Errorf("loop in its boot records at sector %d", cur)
		}
		if len(seen) >= maxPartitions || *next > 4+maxPartitions {
			return parts, fmt.Errorf("over %d logical partitions", maxPartitions)
		}
		seen[cur] = true
		b, err := img.at(cur*mbrSector, mbrSector)
		if err != nil {
			return parts, err
		}
		if b[510] != 0x55 || b[511] != 0xaa {
			return parts, fmt.Errorf("no boot record signature at sector %d", cur)
		}
		e, link := b[446:462], b[462:478]
		if e[4] != 0 && binary.LittleEndian.Uint32(e[12:]) != 0 {
			start := cur + int64(binary.LittleEndian.Uint32(e[8:]))
			parts = append(parts, diskPart{fmt.Sprintf("p%d", *next), start * mbrSector, int64(binary.LittleEndian.Uint32(e[12:])) * mbrSector})
			*next++
		}
		rel := int64(binary.LittleEndian.Uint32(link[8:]))
		if !isExtended(link[4]) || rel == 0 {
			return parts, nil
		}
		if rel >= count {
			return parts, fmt.Errorf("boot record at sector %d beyond the extended partition", base+rel)
		}
		cur = base + rel
	}
}

// readGPT reads the partitions of a GPT whose sectors are ss bytes.
func readGPT(img *imgReader, ss int64) ([]diskPart, error) {
	h, err := img.at(ss, 92)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	hs := int64(le.Uint32(h[12:]))
	if string(h[:8]) != "EFI PART" || hs < 92 || hs > ss {
		return nil, fmt.Errorf("bad GPT header")
	}
	if h, err = img.at(ss, hs); err != nil {
		return nil, err
	}
	sum := le.Uint32(h[16:])
	clear(h[16:20])
	if crc32.ChecksumIEEE(h) != sum {
		return nil, fmt.Errorf("GPT header checksum mismatch")
	}
	lba, num, esz := le.Uint64(h[72:]), int64(le.Uint32(h[80:])), int64(le.Uint32(h[84:]))
	if esz < 128 || esz%8 != 0 || num > gptMaxArray/esz || lba > uint64(img.size/ss) {
		return nil, fmt.Errorf("GPT partition array of %d entries of %d bytes at sector %d", num, esz, lba)
	}
	arr, err := img.at(int64(lba)*ss, num*esz)
	if err != nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(arr) != le.Uint32(h[88:]) {
		return nil, fmt.Errorf("GPT partition array checksum mismatch")
	}
	var parts []diskPart
	for i := range num {
		e := arr[i*esz : (i+1)*esz]
		if bytes.Equal(e[:16], make([]byte, 16)) {
			continue
		}
		if len(parts) == maxPartitions {
			return nil, fmt.Errorf("over %d partitions", maxPartitions)
		}
		first, last := le.Uint64(e[32:]), le.Uint64(e[40:])
		p := diskPart{fmt.Sprintf("p%d", i+1), 0, -1} // outside the image: a gap for walkDisk
		if last >= first && last < uint64(img.size/ss) {
			p.start, p.n = int64(first)*ss, int64(last-first+1)*ss
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// imgReader reads a filesystem or disk image at random, only within its
// size, and counts the bytes read: the files read out of the image are
// measured against them for the ratio, up to the image's size, so that
// blocks shared by many files, or read again, count once.
type imgReader struct {
	ra   io.ReaderAt
	size int64
	read int64
	out  int64 // bytes of files read out of it
}

// at reads n bytes at off.
func (r *imgReader) at(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > r.size || n > r.size-off {
		return nil, fmt.Errorf("%d bytes at %d, beyond the image's end (%d bytes)", n, off, r.size)
	}
	buf := make([]byte, n)
	m, err := r.ra.ReadAt(buf, off)
	r.read += int64(m)
	if int64(m) == n {
		return buf, nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

// in is the bytes of the image read so far, for the ratio.
func (r *imgReader) in() int64 { return min(r.read, r.size) }

// seg is a run of a file's bytes: n bytes at phys in the image, or zeros
// (a hole) when phys < 0, or mem when not nil (inline data).
type seg struct {
	phys, n int64
	mem     []byte
}

// addSeg appends a run to segs, merged with the last when contiguous.
func addSeg(segs []seg, s seg) []seg {
	if l := len(segs) - 1; l >= 0 && s.n > 0 && s.mem == nil && segs[l].mem == nil {
		p := segs[l]
		if (p.phys < 0 && s.phys < 0) || (p.phys >= 0 && s.phys == p.phys+p.n) {
			segs[l].n += s.n
			return segs
		}
	}
	if s.n <= 0 {
		return segs
	}
	return append(segs, s)
}

// segReader reads the runs of a file, in order.
type segReader struct {
	img  *imgReader
	segs []seg
	off  int64 // in segs[0]
}

func (s *segReader) Read(p []byte) (int, error) {
	for len(s.segs) > 0 && s.off == s.segs[0].n {
		s.segs, s.off = s.segs[1:], 0
	}
	if len(s.segs) == 0 {
		return 0, io.EOF
	}
	sg := s.segs[0]
	k := min(int64(len(p)), sg.n-s.off)
	if sg.mem != nil {
		copy(p, sg.mem[s.off:s.off+k])
		s.off += k
		return int(k), nil
	}
	if sg.phys >= 0 && (sg.phys > s.img.size || sg.n > s.img.size-sg.phys) {
		return 0, fmt.Errorf("%d bytes at %d, beyond the image's end (%d bytes)", sg.n, sg.phys, s.img.size)
	}
	if sg.phys < 0 {
		clear(p[:k])
		s.off += k
		return int(k), nil
	}
	m, err := s.img.ra.ReadAt(p[:k], sg.phys+s.off)
	s.img.read += int64(m)
	s.off += int64(m)
	if m == int(k) {
		err = nil
	} else if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return m, err
}

// imageFile visits the file name (size bytes) of the filesystem image n,
// whose runs segs gives; a file over file-bytes is a gap, not read, as in
// squashfs, and so is one whose holes would pass the ratio.
func (w *walker) imageFile(n node, img *imgReader, name string, mode fs.FileMode, size uint64, segs func() ([]seg, error)) error {
	c := n.child(w.entryName(n.loc, name), mode)
	if size > uint64(w.lim.MaxFileBytes) {
		reason := "larger than " + sizeString(w.lim.MaxFileBytes)
		w.gap(c.loc, "file-bytes", "%s (limit file-bytes), contents not read", reason)
		return w.emitSkipped(c, int64(min(size, 1<<62)), reason)
	}
	sz := int64(size)
	list, err := segs()
	if err != nil {
		w.gap(c.loc, "", "read error: %v, contents not read", err)
		return w.emitSkipped(c, sz, "unreadable: "+err.Error())
	}
	var stored, total int64
	for _, s := range list {
		if s.phys >= 0 || s.mem != nil {
			stored += s.n
		}
		total += s.n
	}
	if total != sz {
		err := fmt.Errorf("runs of %d bytes for a file of %d", total, sz)
		w.gap(c.loc, "", "read error: %v, contents not read", err)
		return w.emitSkipped(c, sz, "unreadable: "+err.Error())
	}
	if sz > ratioSlack && (sz-1)/w.lim.MaxRatio >= img.in()+stored {
		reason := fmt.Sprintf("decompression ratio over %d:1", w.lim.MaxRatio)
		w.gap(c.loc, "ratio", "%s (limit ratio), contents not read", reason)
		return w.emitSkipped(c, sz, reason)
	}
	rr := w.ratio(n.loc, "rest of the image skipped", &segReader{img: img, segs: list}, img.in)
	rr.out = img.out
	defer func() { img.out = rr.out }()
	if err := w.visitReader(c, sz, w.budget(n.loc, rr), nil); err != nil {
		return err
	}
	if rr.err != nil {
		return errStopImage
	}
	return w.abort
}

// walkDiskImage walks an ext2/3/4 or FAT filesystem or an MBR or GPT
// disk image.
func (w *walker) walkDiskImage(n node, k kind, ra io.ReaderAt, size int64) error {
	var err error
	switch k {
	case kindExt:
		err = w.walkExt(n, ra, size)
	case kindFAT:
		err = w.walkFAT(n, ra, size)
	default:
		err = w.walkDisk(n, k, ra, size)
	}
	if err == errStopImage {
		return nil
	}
	return err
}
