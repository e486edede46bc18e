package walk

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// FAT12/16/32 filesystems are read here, not by go-diskfs, whose FAT
// reader allocates the FAT, and a table of every cluster, from the boot
// sector's fields unchecked. Here the FAT is read only when it lies
// inside the image and is at most fatMaxBytes; every cluster of a chain is
// checked to be one of the filesystem's and is taken once only (a cluster
// met again, in the same chain or another, is a loop or a cross-link: an
// error), so no chain is longer than the cluster count. A directory is at
// most 2 MiB (65,536 entries, the FAT limit), all of them together
// fatMaxDirBytes, 64 levels deep. Names are the long (VFAT) ones when
// their checksum matches the short entry, else the 8.3 ones.

const (
	fatMaxBytes    = 64 << 20
	fatMaxDir      = 65536 * 32
	fatMaxDirBytes = 64 << 20
	fatMaxDepth    = 64
)

type fatFS struct {
	img         *imgReader
	bits        int // 12, 16 or 32
	clusters    uint32
	clusterSize int64
	dataOff     int64
	fat         []byte
	used        []uint64 // clusters already taken by a chain
	root        []seg    // FAT12/16: the fixed root directory
	rootCluster uint32   // FAT32
	dirBytes    int64
	seen        int
}

// openFAT reads and checks the boot sector and reads the FAT.
func openFAT(img *imgReader) (*fatFS, error) {
	b, err := img.at(0, 512)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	bps, spc := uint64(le.Uint16(b[11:])), uint64(b[13])
	rsv, nfat, rootEnt := uint64(le.Uint16(b[14:])), uint64(b[16]), uint64(le.Uint16(b[17:]))
	tot, fatsz := uint64(le.Uint16(b[19:])), uint64(le.Uint16(b[22:]))
	if tot == 0 {
		tot = uint64(le.Uint32(b[32:]))
	}
	if fatsz == 0 {
		fatsz = uint64(le.Uint32(b[36:]))
	}
	if bps < 512 || bps > 4096 || bps&(bps-1) != 0 || spc == 0 || spc&(spc-1) != 0 || rsv == 0 || nfat == 0 || fatsz == 0 {
		return nil, fmt.Errorf("bad boot sector")
	}
	rootSecs := (rootEnt*32 + bps - 1) / bps
	dataSec := rsv + nfat*fatsz + rootSecs
	if tot <= dataSec || (tot-dataSec)/spc == 0 {
		return nil, fmt.Errorf("%d sectors, %d before the data", tot, dataSec)
	}
	f := &fatFS{img: img, clusterSize: int64(bps * spc), dataOff: int64(dataSec * bps)}
	count := (tot - dataSec) / spc
	switch {
	case count < 4085:
		f.bits = 12
	case count < 65525:
		f.bits = 16
	case count < 0x0ffffff5:
		f.bits = 32
	default:
		return nil, fmt.Errorf("%d clusters", count)
	}
	f.clusters = uint32(count)
	need := ((count+2)*uint64(f.bits) + 7) / 8
	if need > fatsz*bps {
		return nil, fmt.Errorf("FAT of %d bytes for %d clusters", fatsz*bps, count)
	}
	if need > fatMaxBytes {
		return nil, fmt.Errorf("FAT of %d bytes, over %d MiB", need, fatMaxBytes>>20)
	}
	if f.fat, err = img.at(int64(rsv*bps), int64(need)); err != nil {
		return nil, fmt.Errorf("FAT: %v", err)
	}
	f.used = make([]uint64, (count+2+63)/64)
	if f.bits == 32 {
		f.rootCluster = le.Uint32(b[44:])
	} else {
		f.root = []seg{{phys: int64((rsv + nfat*fatsz) * bps), n: int64(rootEnt * 32)}}
	}
	return f, nil
}

// next is the FAT entry of cluster c (2 to clusters+1).
func (f *fatFS) next(c uint32) uint32 {
	switch f.bits {
	case 12:
		v := uint32(binary.LittleEndian.Uint16(f.fat[c+c/2:]))
		if c&1 == 1 {
			return v >> 4
		}
		return v & 0xfff
	case 16:
		return uint32(binary.LittleEndian.Uint16(f.fat[2*c:]))
	}
	return binary.LittleEndian.Uint32(f.fat[4*c:]) & 0x0fffffff
}

// end reports an end-of-chain mark.
func (f *fatFS) end(v uint32) bool {
	switch f.bits {
	case 12:
		return v >= 0xff8
	case 16:
		return v >= 0xfff8
	}
	return v >= 0x0ffffff8
}

// chain returns the runs of the chain from cluster start: size bytes of
// it, or when size < 0 (a directory) all of it up to fatMaxDir bytes.
func (f *fatFS) chain(start uint32, size int64) ([]seg, error) {
	var segs []seg
	want := size
	if size < 0 {
		want = fatMaxDir
	}
	var got int64
	for c := start; got < want; {
		if c < 2 || c-2 >= f.clusters {
			return nil, fmt.Errorf("cluster %d out of range", c)
		}
		if f.used[c/64]&(1<<(c%64)) != 0 {
			return nil, fmt.Errorf("cluster %d met twice (a loop or a cross-link)", c)
		}
		f.used[c/64] |= 1 << (c % 64)
		n := min(f.clusterSize, want-got)
		phys := f.dataOff + int64(c-2)*f.clusterSize
		if phys > f.img.size || n > f.img.size-phys {
			return nil, fmt.Errorf("cluster %d beyond the image's end", c)
		}
		segs = addSeg(segs, seg{phys: phys, n: n})
		got += n
		v := f.next(c)
		if f.end(v) {
			if size >= 0 && got < size {
				return nil, fmt.Errorf("chain of %d bytes for a file of %d", got, size)
			}
			return segs, nil
		}
		c = v
	}
	if size < 0 {
		return nil, fmt.Errorf("directory over %d bytes", fatMaxDir)
	}
	return segs, nil
}

// walkFAT walks the FAT filesystem image n of size bytes, read from ra.
func (w *walker) walkFAT(n node, ra io.ReaderAt, size int64) error {
	f, err := openFAT(&imgReader{ra: ra, size: size})
	if err != nil {
		w.gap(n.loc, "", "not a valid FAT filesystem: %v, files not read", err)
		return nil
	}
	w.rep.Archives++
	root := f.root
	if root == nil {
		if root, err = f.chain(f.rootCluster, -1); err != nil {
			w.gap(n.loc, "", "bad FAT root directory: %v, files not read", err)
			return nil
		}
	}
	return w.fatDir(n, f, root, "", 0)
}

// fatDir walks the directory of runs segs, at prefix in the image.
func (w *walker) fatDir(n node, f *fatFS, segs []seg, prefix string, depth int) error {
	where := n.loc + Separator + orDot(prefix)
	var size int64
	for _, s := range segs {
		size += s.n
	}
	if f.dirBytes += size; f.dirBytes > fatMaxDirBytes || depth > fatMaxDepth {
		w.gap(where, "", "FAT directories over %d MiB or %d levels, not read", fatMaxDirBytes>>20, fatMaxDepth)
		return nil
	}
	d, err := io.ReadAll(&segReader{img: f.img, segs: segs})
	if err != nil {
		w.gap(where, "", "bad FAT directory: %v, not read", err)
		return nil
	}
	var lfn fatLFN
	for off := 0; off+32 <= len(d); off += 32 {
		if err := w.check(); err != nil {
			return err
		}
		e := d[off : off+32]
		if e[0] == 0 {
			break
		}
		attr := e[11]
		switch {
		case e[0] == 0xe5:
			lfn.reset()
			continue
		case attr&0x3f == 0x0f:
			lfn.add(e)
			continue
		case attr&0x08 != 0: // volume label
			lfn.reset()
			continue
		}
		name := lfn.name(e)
		lfn.reset()
		if name == "." || name == ".." {
			continue
		}
		if f.seen++; f.seen > 4*w.lim.MaxFiles {
			w.gap(n.loc, "files", "FAT directories list over %d entries (limit files), rest not read", 4*w.lim.MaxFiles)
			return nil
		}
		cl := uint32(binary.LittleEndian.Uint16(e[26:]))
		if f.bits == 32 {
			cl |= uint32(binary.LittleEndian.Uint16(e[20:])) << 16
		}
		size := int64(binary.LittleEndian.Uint32(e[28:]))
		if attr&0x10 != 0 {
			sub, err := f.chain(cl, -1)
			if err != nil {
				w.gap(n.loc+Separator+w.entryName(n.loc, prefix+name), "", "bad FAT directory: %v, not read", err)
				continue
			}
			if err := w.fatDir(n, f, sub, prefix+name+"/", depth+1); err != nil {
				return err
			}
			continue
		}
		err := w.imageFile(n, f.img, prefix+name, 0o644, uint64(size), func() ([]seg, error) {
			if size == 0 {
				return nil, nil
			}
			return f.chain(cl, size)
		})
		if err != nil {
			return err
		}
	}
	return w.abort
}

// fatLFN gathers the long name entries before a short entry.
type fatLFN struct {
	chars []uint16
	sum   byte
	want  int // the sequence number expected next; 0 when complete
	ok    bool
}

func (l *fatLFN) reset() { *l = fatLFN{chars: l.chars[:0]} }

// add takes one long name entry; they come last part first.
func (l *fatLFN) add(e []byte) {
	seq := int(e[0] & 0x1f)
	if e[0]&0x40 != 0 {
		l.reset()
		l.sum, l.want, l.ok = e[13], seq, seq > 0
		l.chars = append(l.chars, make([]uint16, 13*seq)...)
	}
	if !l.ok || seq != l.want || seq == 0 || e[13] != l.sum {
		l.ok = false
		return
	}
	p := l.chars[13*(seq-1):]
	for i, o := range []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
		p[i] = binary.LittleEndian.Uint16(e[o:])
	}
	l.want--
}

// name is the entry's long name when one came whole before it, for it,
// else its 8.3 name.
func (l *fatLFN) name(e []byte) string {
	var sum byte
	for _, c := range e[:11] {
		sum = (sum&1)<<7 + sum>>1 + c
	}
	if l.ok && l.want == 0 && sum == l.sum {
		u := l.chars
		for i, c := range u {
			if c == 0 {
				u = u[:i]
				break
			}
		}
		if len(u) > 0 {
			return string(utf16.Decode(u))
		}
	}
	base, ext := fatShort(e[:8], e[12]&0x08 != 0), fatShort(e[8:11], e[12]&0x10 != 0)
	if ext != "" {
		return base + "." + ext
	}
	return base
}

// fatShort is one part of an 8.3 name, bytes over 0x7f taken as Latin-1.
func fatShort(b []byte, lower bool) string {
	var s strings.Builder
	for i, c := range b {
		if i == 0 && c == 0x05 {
			c = 0xe5
		}
		s.WriteRune(rune(c))
	}
	r := strings.TrimRight(s.String(), " ")
	if lower {
		r = strings.ToLower(r)
	}
	return r
}
