package walk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// U-Boot FIT images: a flattened device tree (FDT) whose /images node
// holds one subnode per image (kernel-1, fdt-1, ramdisk-1, ...). An image's
// payload is its "data" property, or lies outside the tree (mkimage -E):
// at "data-position" from the start of the file, or at "data-offset" from
// the end of the tree (rounded up to 4 bytes), "data-size" bytes long. Its
// "compression" property names how it is compressed.
//
// The reader is this file's own: every offset and length is checked
// against the tree's declared size and the file's, the nesting is bounded
// (fdtMaxDepth), and the structure block is read through a small window,
// never whole, so an embedded payload is not read until it is walked.

// FDT structure block tokens.
const (
	fdtBeginNode = 1
	fdtEndNode   = 2
	fdtProp      = 3
	fdtNop       = 4
	fdtEnd       = 9
)

const (
	fdtMagic = 0xd00dfeed
	// fdtMaxDepth bounds the nesting of nodes: a FIT needs four levels
	// (/, images, kernel-1, hash-1).
	fdtMaxDepth = 32
	// fdtMaxStrings bounds the strings block (property names), read
	// whole: a FIT's has a few hundred bytes.
	fdtMaxStrings = 1 << 20
	// fdtMaxName bounds a node name, fdtMaxValue a property value read (a
	// compression name, an offset): longer values are skipped.
	fdtMaxName  = 4096
	fdtMaxValue = 4096
	// fdtWindow is how much of the structure block is read at a time.
	fdtWindow = 64 << 10
)

// fitEntry is one image of a FIT.
type fitEntry struct {
	name        string
	off, size   int64 // the payload, in the file
	compression string
	// bad says why the payload cannot be read: "has no data"; then off
	// and size mean nothing.
	bad string
}

// errFITTooMany is the error of a FIT with more images than the walk may
// visit files.
var errFITTooMany = errors.New("too many images")

// parseFIT reads the images of the FIT image ra (size bytes), at most
// maxImages of them.
func parseFIT(ra io.ReaderAt, size int64, maxImages int) ([]fitEntry, error) {
	var h [40]byte
	if size < 40 {
		return nil, fmt.Errorf("truncated header")
	}
	if _, err := ra.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	be := binary.BigEndian
	if be.Uint32(h[0:]) != fdtMagic {
		return nil, fmt.Errorf("bad magic %#x", be.Uint32(h[0:]))
	}
	total := int64(be.Uint32(h[4:]))
	structOff, stringsOff := int64(be.Uint32(h[8:])), int64(be.Uint32(h[12:]))
	version, lastComp := be.Uint32(h[20:]), be.Uint32(h[24:])
	stringsSize := int64(be.Uint32(h[32:]))
	if version < 17 || lastComp > 17 {
		return nil, fmt.Errorf("device tree version %d (compatible with %d) not supported", version, lastComp)
	}
	structSize := int64(be.Uint32(h[36:]))
	switch {
	case total < 40 || total > size:
		return nil, fmt.Errorf("declared size %d bytes, file %d bytes", total, size)
	case structOff < 40 || structOff > total || structSize > total-structOff:
		return nil, fmt.Errorf("structure block at %d+%d outside the tree (%d bytes)", structOff, structSize, total)
	case stringsOff < 40 || stringsOff > total || stringsSize > total-stringsOff:
		return nil, fmt.Errorf("strings block at %d+%d outside the tree (%d bytes)", stringsOff, stringsSize, total)
	case stringsSize > fdtMaxStrings:
		return nil, fmt.Errorf("strings block of %d bytes, over %d", stringsSize, fdtMaxStrings)
	}
	strs := make([]byte, stringsSize)
	if _, err := ra.ReadAt(strs, stringsOff); err != nil && stringsSize > 0 {
		return nil, fmt.Errorf("strings block: %w", err)
	}
	c := &fdtCursor{ra: ra, pos: structOff, end: structOff + structSize}
	// External data (mkimage -E) starts after the tree, 4-byte aligned.
	extBase := (total + 3) &^ 3

	var (
		images []fitEntry
		depth  int  // nodes open
		inImgs bool // the node at depth 2 is /images
		cur    *fitEntry
		pos    = int64(-1) // data-position, or -1
		offset = int64(-1) // data-offset, or -1
		dsize  = int64(-1) // data-size, or -1
		inline bool        // a data property was met
	)
	// finish closes the image node cur.
	finish := func() {
		im := cur
		cur = nil
		switch {
		case inline:
		case dsize < 0 && (pos >= 0 || offset >= 0):
			im.bad = "has external data but no data-size"
		case pos >= 0:
			im.off, im.size = pos, dsize
		case offset >= 0:
			im.off, im.size = extBase+offset, dsize
		default:
			im.bad = "has no data"
		}
		if im.bad == "" && (im.off > size || im.size > size-im.off) {
			im.bad = fmt.Sprintf("has its data at %d+%d, beyond the end of the file (%d bytes)", im.off, im.size, size)
		}
	}
	for {
		tok, err := c.u32()
		if err != nil {
			return nil, err
		}
		switch tok {
		case fdtBeginNode:
			name, err := c.name()
			if err != nil {
				return nil, err
			}
			depth++
			switch {
			case depth > fdtMaxDepth:
				return nil, fmt.Errorf("nodes nested deeper than %d", fdtMaxDepth)
			case depth == 1 && name != "":
				return nil, fmt.Errorf("root node named %q", name)
			case depth == 2:
				inImgs = name == "images"
			case depth == 3 && inImgs:
				if len(images) >= maxImages {
					return nil, errFITTooMany
				}
				images = append(images, fitEntry{name: name})
				cur = &images[len(images)-1]
				pos, offset, dsize, inline = -1, -1, -1, false
			}
		case fdtEndNode:
			if depth == 0 {
				return nil, fmt.Errorf("node end outside any node at %d", c.pos-4)
			}
			if depth == 3 && cur != nil {
				finish()
			}
			depth--
		case fdtProp:
			l, err := c.u32()
			if err != nil {
				return nil, err
			}
			nameOff, err := c.u32()
			if err != nil {
				return nil, err
			}
			if depth == 0 {
				return nil, fmt.Errorf("property outside any node at %d", c.pos-12)
			}
			if int64(nameOff) >= int64(len(strs)) || bytes.IndexByte(strs[nameOff:], 0) < 0 {
				return nil, fmt.Errorf("property name at %d outside the strings block", nameOff)
			}
			pname := string(strs[nameOff : int(nameOff)+bytes.IndexByte(strs[nameOff:], 0)])
			start := c.pos
			var val []byte
			if depth == 3 && cur != nil && pname != "data" && l <= fdtMaxValue {
				if val, err = c.bytes(int(l)); err != nil {
					return nil, err
				}
			}
			if err := c.seek(start + (int64(l)+3)&^3); err != nil {
				return nil, err
			}
			if depth != 3 || cur == nil {
				continue
			}
			switch pname {
			case "data":
				cur.off, cur.size, inline = start, int64(l), true
			case "compression":
				cur.compression = string(bytes.TrimRight(val, "\x00"))
			case "data-position":
				pos = fdtNumber(val)
			case "data-offset":
				offset = fdtNumber(val)
			case "data-size":
				dsize = fdtNumber(val)
			}
		case fdtNop:
		case fdtEnd:
			if depth != 0 {
				return nil, fmt.Errorf("structure block ends inside a node")
			}
			return images, nil
		default:
			return nil, fmt.Errorf("unknown token %#x at %d", tok, c.pos-4)
		}
	}
}

// fdtNumber reads a 32- or 64-bit cell value, or -1.
func fdtNumber(v []byte) int64 {
	switch len(v) {
	case 4:
		return int64(binary.BigEndian.Uint32(v))
	case 8:
		if n := binary.BigEndian.Uint64(v); n < 1<<62 {
			return int64(n)
		}
	}
	return -1
}

// fdtCursor reads the structure block, from pos to end, through a window.
type fdtCursor struct {
	ra       io.ReaderAt
	pos, end int64
	win      []byte // the bytes at winOff
	winOff   int64
}

// bytes returns the next n bytes (n at most fdtWindow) and moves past
// them.
func (c *fdtCursor) bytes(n int) ([]byte, error) {
	if n < 0 || int64(n) > c.end-c.pos {
		return nil, fmt.Errorf("structure block truncated at %d", c.pos)
	}
	b, err := c.peek(n)
	if err != nil {
		return nil, err
	}
	c.pos += int64(n)
	return b[:n], nil
}

// peek returns at least n of the next bytes, up to the window's size,
// without moving.
func (c *fdtCursor) peek(n int) ([]byte, error) {
	if c.pos < c.winOff || c.pos+int64(n) > c.winOff+int64(len(c.win)) {
		want := min(int64(fdtWindow), c.end-c.pos)
		if cap(c.win) < int(want) {
			c.win = make([]byte, want)
		}
		c.win = c.win[:want]
		m, err := c.ra.ReadAt(c.win, c.pos)
		c.win, c.winOff = c.win[:m], c.pos
		if m < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("structure block at %d: %w", c.pos, err)
		}
	}
	return c.win[c.pos-c.winOff:], nil
}

func (c *fdtCursor) u32() (uint32, error) {
	b, err := c.bytes(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b), nil
}

// name reads a node name: NUL-terminated, padded to 4 bytes.
func (c *fdtCursor) name() (string, error) {
	b, err := c.peek(int(min(fdtMaxName, c.end-c.pos)))
	if err != nil {
		return "", err
	}
	b = b[:min(int64(len(b)), fdtMaxName, c.end-c.pos)]
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", fmt.Errorf("node name at %d unterminated or over %d bytes", c.pos, fdtMaxName)
	}
	name := string(b[:i])
	return name, c.seek(c.pos + int64(i+1+3)&^3)
}

// seek moves to p, which must lie within the block.
func (c *fdtCursor) seek(p int64) error {
	if p < c.pos || p > c.end {
		return fmt.Errorf("structure block truncated at %d", c.pos)
	}
	c.pos = p
	return nil
}

// fitCompressions are the payload compressions of a FIT that pkg/walk
// reads by their contents.
var fitCompressions = map[string]bool{"gzip": true, "bzip2": true, "lz4": true, "zstd": true, "xz": true, "lzma": true}

// walkFIT walks the images of the FIT image n: size bytes read at random
// from ra (nil inside an archive, for a file not in memory). Each image is
// a file named by its node (fw.itb!kernel-1), opened as any file is; a
// payload whose compression pkg/walk has no reader for (lzo) is a gap, and
// is still visited as it is.
func (w *walker) walkFIT(n node, size int64, ra io.ReaderAt) error {
	if ra == nil {
		w.gap(n.loc, "file-bytes", "FIT image larger than %s (limit file-bytes) inside an archive, its images not read", sizeString(w.lim.MaxFileBytes))
		return nil
	}
	images, err := parseFIT(ra, size, w.lim.MaxFiles)
	if w.abort != nil {
		return w.abort
	}
	switch {
	case errors.Is(err, errFITTooMany):
		w.gap(n.loc, "files", "FIT image with more images than the %d files allowed (limit files), its images not read", w.lim.MaxFiles)
		return nil
	case err != nil:
		w.gap(n.loc, "", "not a valid FIT image: %v, its images not read", err)
		return nil
	}
	w.rep.Archives++
	for _, im := range images {
		if err := w.check(); err != nil {
			return err
		}
		name := im.name
		if name == "" {
			name = "image"
		}
		c := n.child(w.entryName(n.loc, name), 0o644)
		if im.bad != "" {
			w.gap(c.loc, "", "FIT image %s, not read", im.bad)
			continue
		}
		sr := io.NewSectionReader(ra, im.off, im.size)
		head := make([]byte, min(im.size, headLen))
		m, _ := sr.ReadAt(head, 0)
		if w.abort != nil {
			return w.abort
		}
		switch comp := im.compression; {
		case comp == "" || comp == "none":
		case comp == "lzma":
			// Decoded even in a header isLzma does not take for lzma's; a
			// gap if it does not decode.
			c.declared = kindLzma
		case comp == "lzo":
			w.gap(c.loc, "", "FIT image payload compressed with %s, not read", comp)
		case !fitCompressions[comp]:
			w.gap(c.loc, "", "FIT image payload with unknown compression %q, not read", comp)
		case detect(head[:m], nil) == kindNone:
			w.gap(c.loc, "", "FIT image payload declared %s but not in a format read, not read", comp)
		}
		if err := w.visitReader(c, im.size, w.budget(n.loc, sr), sr); err != nil {
			return err
		}
	}
	return nil
}
