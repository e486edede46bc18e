package walk

import (
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf16"
)

// ISO 9660 is read here, as squashfs is: go-diskfs's reader sizes its
// buffers from header fields (path tables, directories up to 4 GiB each).
// Here a directory is read only when it lies inside the image, and all
// directories together at most isoMaxDirBytes. Names are Rock Ridge's
// (NM) when present, else Joliet's, else the ISO 9660 name without its
// version (";1"). El Torito boot images are not read apart: a gap would
// be wrong for them, as they are usually files of the tree too.

const (
	isoSector      = 2048
	isoMaxDirBytes = 64 << 20
	isoMaxDepth    = 64
)

type iso struct {
	ra       io.ReaderAt
	size     int64
	joliet   bool
	dirBytes int64
	seen     map[uint32]bool
}

func (s *iso) read(off int64, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > s.size || n > s.size-off {
		return nil, fmt.Errorf("%d bytes at %d, beyond the image's end (%d bytes)", n, off, s.size)
	}
	buf := make([]byte, n)
	if _, err := s.ra.ReadAt(buf, off); err != nil && err != io.EOF {
		return nil, err
	}
	return buf, nil
}

// walkISO walks the ISO 9660 image n of size bytes, read from ra.
func (w *walker) walkISO(n node, ra io.ReaderAt, size int64) error {
	s := &iso{ra: ra, size: size, seen: map[uint32]bool{}}
	var root []byte
	for i := int64(16); i < 16+64; i++ {
		vd, err := s.read(i*isoSector, isoSector)
		if err != nil || string(vd[1:6]) != "CD001" {
			if root == nil {
				w.gap(n.loc, "", "not a valid ISO 9660 image: no primary volume descriptor, files not read")
				return nil
			}
			break
		}
		if vd[0] == 255 {
			break
		}
		if vd[0] == 1 && root == nil {
			root = vd[156 : 156+34]
		}
		// A Joliet supplementary descriptor, with names in UCS-2, is used
		// when the primary tree has no Rock Ridge names.
		if vd[0] == 2 && vd[88] == '%' && vd[89] == '/' && strings.ContainsRune("@CE", rune(vd[90])) && !s.joliet {
			if s.hasRockRidge(root) {
				continue
			}
			root, s.joliet = vd[156:156+34], true
		}
	}
	if root == nil {
		w.gap(n.loc, "", "not a valid ISO 9660 image: no primary volume descriptor, files not read")
		return nil
	}
	w.rep.Archives++
	err := w.isoDir(n, s, root, "", 0)
	if err == errStopImage {
		return nil
	}
	return err
}

// hasRockRidge reports Rock Ridge names: the root's first record (".")
// has SUSP ("SP") in its system use area.
func (s *iso) hasRockRidge(root []byte) bool {
	if root == nil {
		return false
	}
	ext := int64(binary.LittleEndian.Uint32(root[2:]))
	d, err := s.read(ext*isoSector, min(isoSector, s.size-ext*isoSector))
	if err != nil || len(d) < 34 || int(d[0]) > len(d) || d[0] < 34 {
		return false
	}
	start := 33 + int(d[32]) + (1 - int(d[32])%2)
	if start > int(d[0]) {
		return false
	}
	su := d[start:d[0]]
	return len(su) >= 2 && string(su[:2]) == "SP"
}

// isoName is the name of a directory record: Rock Ridge NM, Joliet, or
// ISO 9660 without ";1".
func (s *iso) name(rec []byte) string {
	nl := int(rec[32])
	raw := rec[33 : 33+nl]
	if !s.joliet {
		start := 33 + nl + (1 - nl%2)
		var nm []byte
		for su := rec[min(start, len(rec)):]; len(su) >= 4 && int(su[2]) >= 4 && int(su[2]) <= len(su); su = su[su[2]:] {
			if string(su[:2]) == "NM" && su[2] >= 5 {
				nm = append(nm, su[5:su[2]]...)
			}
		}
		if nm != nil {
			return string(nm)
		}
	} else {
		u := make([]uint16, len(raw)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(raw[2*i:])
		}
		raw = []byte(string(utf16.Decode(u)))
	}
	name := string(raw)
	if i := strings.LastIndexByte(name, ';'); i >= 0 {
		name = name[:i]
	}
	return strings.TrimSuffix(name, ".")
}

// isoDir walks the directory whose record is rec, at prefix in the image.
func (w *walker) isoDir(n node, s *iso, rec []byte, prefix string, depth int) error {
	ext := binary.LittleEndian.Uint32(rec[2:])
	size := int64(binary.LittleEndian.Uint32(rec[10:]))
	if s.seen[ext] || depth > isoMaxDepth {
		w.gap(n.loc+Separator+orDot(prefix), "", "ISO 9660 directory loop or nesting over %d, not read", isoMaxDepth)
		return nil
	}
	s.seen[ext] = true
	if s.dirBytes += size; s.dirBytes > isoMaxDirBytes {
		w.gap(n.loc+Separator+orDot(prefix), "", "ISO 9660 directories over %d MiB, not read", isoMaxDirBytes>>20)
		return nil
	}
	d, err := s.read(int64(ext)*isoSector, size)
	if err != nil {
		w.gap(n.loc+Separator+orDot(prefix), "", "bad ISO 9660 directory: %v, not read", err)
		return nil
	}
	for off := 0; off < len(d); {
		if err := w.check(); err != nil {
			return err
		}
		l := int(d[off])
		if l == 0 { // records do not cross sectors: on to the next
			off = (off/isoSector + 1) * isoSector
			continue
		}
		if l < 34 || off+l > len(d) || 33+int(d[off+32]) > l {
			w.gap(n.loc+Separator+orDot(prefix), "", "bad ISO 9660 directory record at %d, rest of the directory not read", off)
			return nil
		}
		r := d[off : off+l]
		off += l
		if r[32] == 1 && (r[33] == 0 || r[33] == 1) { // "." and ".."
			continue
		}
		name := prefix + s.name(r)
		flags := r[25]
		switch {
		case flags&2 != 0:
			if err := w.isoDir(n, s, r, name+"/", depth+1); err != nil {
				return err
			}
			continue
		case s.isSymlink(r):
			w.rep.Links++
			continue
		}
		c := n.child(w.entryName(n.loc, name), 0o644)
		fsize := int64(binary.LittleEndian.Uint32(r[10:]))
		foff := int64(binary.LittleEndian.Uint32(r[2:])) * isoSector
		switch {
		case flags&0x80 != 0:
			w.gap(c.loc, "", "ISO 9660 file in several extents, contents not read")
			err = w.emitSkipped(c, fsize, "several extents")
		case foff > s.size || fsize > s.size-foff:
			w.gap(c.loc, "", "ISO 9660 file beyond the image's end, contents not read")
			err = w.emitSkipped(c, fsize, "truncated")
		default:
			sr := io.NewSectionReader(s.ra, foff, fsize)
			err = w.visitReader(c, fsize, w.budget(n.loc, sr), sr)
		}
		if err != nil {
			return err
		}
	}
	return w.abort
}

// isSymlink reports a Rock Ridge symbolic link (SL) or a PX mode of one.
func (s *iso) isSymlink(rec []byte) bool {
	if s.joliet {
		return false
	}
	nl := int(rec[32])
	start := 33 + nl + (1 - nl%2)
	for su := rec[min(start, len(rec)):]; len(su) >= 4 && int(su[2]) >= 4 && int(su[2]) <= len(su); su = su[su[2]:] {
		if string(su[:2]) == "SL" {
			return true
		}
		if string(su[:2]) == "PX" && su[2] >= 12 && fs.FileMode(binary.LittleEndian.Uint32(su[4:]))&0o170000 == 0o120000 {
			return true
		}
	}
	return false
}
