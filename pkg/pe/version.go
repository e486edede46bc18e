package pe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
)

const (
	rtVersion = 16 // RT_VERSION
	// maxDirEntries caps the entries of one resource directory; real
	// files have a handful per directory, a few thousand at most.
	maxDirEntries = 10000
	// maxVersionSize caps the version resource: its root block's length
	// is a 16-bit count of bytes.
	maxVersionSize = 0xFFFF
	// maxKeyLen caps a version block's key, in UTF-16 code units; the
	// longest standard one, "OriginalFilename", has 16.
	maxKeyLen = 256
)

// readVersion fills info.Version from the first RT_VERSION resource: the
// first name, its first language.
func (img *image) readVersion(info *Info) error {
	rva, _ := img.dir(dirResource)
	if rva == 0 {
		return nil
	}
	// The directory's declared size is not trusted either way: the tree
	// may reach anywhere in the section, and nowhere past it.
	rsrc, err := img.rvaData(rva, ^uint32(0))
	if err != nil {
		return fmt.Errorf("resource directory: %w", err)
	}
	types, err := readResourceDir(rsrc, 0)
	if err != nil {
		return err
	}
	var names []resourceEntry
	found := false
	for _, e := range types {
		if !e.named && e.id == rtVersion {
			if !e.subdir {
				return errors.New("the RT_VERSION entry is data where a directory of names belongs")
			}
			if names, err = readResourceDir(rsrc, e.offset); err != nil {
				return err
			}
			found = true
			break
		}
	}
	if !found || len(names) == 0 {
		return nil
	}
	if !names[0].subdir {
		return errors.New("the first RT_VERSION name entry is data where a directory of languages belongs")
	}
	langs, err := readResourceDir(rsrc, names[0].offset)
	if err != nil {
		return err
	}
	if len(langs) == 0 {
		return nil
	}
	if langs[0].subdir {
		return errors.New("the first RT_VERSION language entry is a directory: the tree is deeper than the three levels the format defines")
	}
	off := uint64(langs[0].offset)
	if off+16 > uint64(len(rsrc)) {
		return fmt.Errorf("resource data entry at 0x%x runs past the end of the section", off)
	}
	dataRVA := binary.LittleEndian.Uint32(rsrc[off:])
	dataSize := binary.LittleEndian.Uint32(rsrc[off+4:])
	if dataSize == 0 {
		return errors.New("the resource data is empty")
	}
	data, err := img.rvaData(dataRVA, min(dataSize, maxVersionSize))
	if err != nil {
		return fmt.Errorf("resource data: %w", err)
	}
	v, err := parseVersionInfo(data)
	if err != nil {
		return err
	}
	info.Version = v
	return nil
}

// resourceEntry is one IMAGE_RESOURCE_DIRECTORY_ENTRY.
type resourceEntry struct {
	named  bool   // the entry has a name (string), not an ID
	id     uint16 // the ID when not named
	subdir bool   // offset is that of a subdirectory, not of a data entry
	offset uint32 // from the start of the resource section
}

// readResourceDir reads the IMAGE_RESOURCE_DIRECTORY at off.
func readResourceDir(rsrc []byte, off uint32) ([]resourceEntry, error) {
	if uint64(off)+16 > uint64(len(rsrc)) {
		return nil, fmt.Errorf("resource directory at 0x%x runs past the end of the section (%d bytes)", off, len(rsrc))
	}
	n := int(binary.LittleEndian.Uint16(rsrc[off+12:])) + int(binary.LittleEndian.Uint16(rsrc[off+14:]))
	if n > maxDirEntries {
		return nil, fmt.Errorf("resource directory at 0x%x has %d entries, more than the limit of %d", off, n, maxDirEntries)
	}
	start := uint64(off) + 16
	if start+8*uint64(n) > uint64(len(rsrc)) {
		return nil, fmt.Errorf("resource directory at 0x%x: its entries (%d) run past the end of the section (%d bytes)", off, n, len(rsrc))
	}
	entries := make([]resourceEntry, n)
	for i := range entries {
		e := rsrc[start+8*uint64(i):]
		name := binary.LittleEndian.Uint32(e)
		target := binary.LittleEndian.Uint32(e[4:])
		entries[i] = resourceEntry{
			named:  name&0x80000000 != 0,
			id:     uint16(name),
			subdir: target&0x80000000 != 0,
			offset: target &^ 0x80000000,
		}
	}
	return entries, nil
}

// parseVersionInfo reads the strings of the first string table of a
// VS_VERSIONINFO resource.
func parseVersionInfo(b []byte) (map[string]string, error) {
	root, err := readBlock(b, 0)
	if err != nil {
		return nil, err
	}
	if root.key != "VS_VERSION_INFO" {
		return nil, fmt.Errorf("the root key is %q, want \"VS_VERSION_INFO\"", msgtext.Clip(root.key, 40))
	}
	// The value is a VS_FIXEDFILEINFO of 52 bytes, even in files that call
	// it text, which would make its length count WORDs.
	if v := root.valueStart; v+4 <= root.end && binary.LittleEndian.Uint32(b[v:]) == 0xFEEF04BD {
		root.childStart = min(align4(v+52), root.end)
	}
	strs := map[string]string{}
	var sfi *block
	err = root.children(b, func(c *block) bool {
		if c.key == "StringFileInfo" {
			sfi = c
			return false
		}
		return true
	})
	if err != nil || sfi == nil {
		return strs, err
	}
	var table *block
	if err := sfi.children(b, func(c *block) bool { table = c; return false }); err != nil || table == nil {
		return strs, err
	}
	err = table.children(b, func(c *block) bool {
		if _, dup := strs[c.key]; !dup {
			strs[c.key] = c.text(b)
		}
		return true
	})
	return strs, err
}

// block is one node of a version resource: VS_VERSIONINFO, StringFileInfo,
// StringTable, String, VarFileInfo or Var. Offsets are into the resource
// data, which starts on a 32-bit boundary; so does every block.
type block struct {
	key        string
	valueStart int // after the key and its padding
	childStart int // after the value and its padding
	end        int // the block's end, within the data
}

// readBlock reads the block header and key at off: wLength, wValueLength,
// wType, the NUL-terminated UTF-16 key, padding to 32 bits.
func readBlock(b []byte, off int) (*block, error) {
	if off+6 > len(b) {
		return nil, fmt.Errorf("version block at 0x%x runs past the end of the resource (%d bytes)", off, len(b))
	}
	length := int(binary.LittleEndian.Uint16(b[off:]))
	valueLen := int(binary.LittleEndian.Uint16(b[off+2:]))
	if binary.LittleEndian.Uint16(b[off+4:]) == 1 { // text: the length counts WORDs
		valueLen *= 2
	}
	if length < 6 {
		return nil, fmt.Errorf("version block at 0x%x has length %d, shorter than its header", off, length)
	}
	// A length a little past the resource's end is common enough (padding
	// left out of the resource size) to be read as ending there.
	end := min(off+length, len(b))
	var key []uint16
	p := off + 6
	for {
		if p+2 > end {
			return nil, fmt.Errorf("version block at 0x%x: its key runs past the end of the block", off)
		}
		c := binary.LittleEndian.Uint16(b[p:])
		p += 2
		if c == 0 {
			break
		}
		if len(key) == maxKeyLen {
			return nil, fmt.Errorf("version block at 0x%x: its key is longer than %d characters", off, maxKeyLen)
		}
		key = append(key, c)
	}
	blk := &block{key: string(utf16.Decode(key)), end: end}
	blk.valueStart = min(align4(p), end)
	blk.childStart = min(align4(blk.valueStart+valueLen), end)
	return blk, nil
}

// children calls yield for each child block until it returns false.
func (blk *block) children(b []byte, yield func(*block) bool) error {
	for p := blk.childStart; p+6 <= blk.end; {
		if binary.LittleEndian.Uint16(b[p:]) == 0 {
			break // zero padding at the end
		}
		c, err := readBlock(b, p)
		if err != nil {
			return err
		}
		if !yield(c) {
			return nil
		}
		p = align4(c.end)
	}
	return nil
}

// text decodes a String block's value: UTF-16 up to a NUL or the block's
// end. The declared value length is not used, as producers disagree on
// whether it counts bytes or characters and whether it includes the NUL.
func (blk *block) text(b []byte) string {
	var u []uint16
	for p := blk.valueStart; p+2 <= blk.end; p += 2 {
		c := binary.LittleEndian.Uint16(b[p:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func align4(n int) int { return (n + 3) &^ 3 }
