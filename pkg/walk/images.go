package walk

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// Firmware and disk images, told by their contents. Their kinds are
// numbered apart from the archive kinds of visit.go.
const (
	kindSquashfs kind = 100 + iota
	kindUImage        // U-Boot legacy image: a 64-byte header and a payload
	kindFIT           // U-Boot FIT: a device tree holding images
	kindISO           // ISO 9660
	kindExt           // ext2/3/4 filesystem
	kindFAT           // FAT12/16/32 filesystem
	kindMBR           // disk image with an MBR partition table
	kindGPT           // disk image with a GPT partition table
)

// imageKindName names the image kinds, "file" for any other.
func imageKindName(k kind) string {
	switch k {
	case kindSquashfs:
		return "squashfs"
	case kindUImage:
		return "uImage"
	case kindFIT:
		return "FIT image"
	case kindISO:
		return "iso9660"
	case kindExt:
		return "ext2/3/4 filesystem"
	case kindFAT:
		return "FAT filesystem"
	case kindMBR:
		return "MBR disk image"
	case kindGPT:
		return "GPT disk image"
	}
	return "file"
}

// detectImage tells a firmware or disk image from the first bytes of a
// file (all of them when it is in memory), or kindNone.
func detectImage(head []byte) kind {
	switch {
	case isSquashfs(head):
		return kindSquashfs
	case isUImage(head):
		return kindUImage
	case isFIT(head):
		return kindFIT
	case len(head) >= 0x8006 && string(head[0x8001:0x8006]) == "CD001":
		return kindISO
	case len(head) >= 0x43a && head[0x438] == 0x53 && head[0x439] == 0xef && extSane(head):
		return kindExt
	case isFAT(head):
		return kindFAT
	case len(head) >= 520 && string(head[512:520]) == "EFI PART" && head[510] == 0x55 && head[511] == 0xaa:
		return kindGPT
	case isMBR(head):
		return kindMBR
	}
	return kindNone
}

// extSane checks the ext superblock (at 1024) beyond its magic: a block
// size of 1 to 64 KiB and some inodes.
func extSane(head []byte) bool {
	sb := head[1024:]
	return binary.LittleEndian.Uint32(sb[24:]) <= 6 && binary.LittleEndian.Uint32(sb) > 0
}

func isFAT(head []byte) bool {
	if len(head) < 512 || head[510] != 0x55 || head[511] != 0xaa || (head[0] != 0xeb && head[0] != 0xe9) {
		return false
	}
	bps := binary.LittleEndian.Uint16(head[11:])
	spc := head[13]
	return (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc != 0 && spc&(spc-1) == 0 &&
		binary.LittleEndian.Uint16(head[14:]) > 0 && head[16] > 0 // reserved sectors, FATs
}

// isMBR checks the boot signature and that the four partition entries
// are plausible, one at least used.
func isMBR(head []byte) bool {
	if len(head) < 512 || head[510] != 0x55 || head[511] != 0xaa {
		return false
	}
	used := 0
	for i := range 4 {
		e := head[446+16*i : 446+16*i+16]
		if e[0] != 0 && e[0] != 0x80 {
			return false
		}
		if e[4] == 0 {
			continue
		}
		if binary.LittleEndian.Uint32(e[8:]) == 0 || binary.LittleEndian.Uint32(e[12:]) == 0 {
			return false
		}
		used++
	}
	return used > 0
}

const uImageMagic = 0x27051956

// isUImage checks the magic and the header's CRC-32.
func isUImage(head []byte) bool {
	if len(head) < 64 || binary.BigEndian.Uint32(head) != uImageMagic {
		return false
	}
	h := bytes.Clone(head[:64])
	crc := binary.BigEndian.Uint32(h[4:])
	clear(h[4:8])
	return crc32.ChecksumIEEE(h) == crc
}

// isFIT tells a FIT image from another device tree: it has an "images"
// node (FDT_BEGIN_NODE, then the name).
func isFIT(head []byte) bool {
	return len(head) >= 40 && binary.BigEndian.Uint32(head) == 0xd00dfeed && bytes.Contains(head, []byte("\x00\x00\x00\x01images\x00"))
}

var uImageComp = []string{"none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"}

// walkImage opens the image n of kind k. r reads it from its start; ra,
// when not nil, at random (size bytes).
func (w *walker) walkImage(n node, k kind, size int64, r io.Reader, ra io.ReaderAt) error {
	switch k {
	case kindSquashfs:
		if ra == nil {
			w.gap(n.loc, "file-bytes", "squashfs larger than %s (limit file-bytes) inside an archive, files not read", sizeString(w.lim.MaxFileBytes))
			return nil
		}
		return w.walkSquashfs(n, ra, size)
	case kindISO:
		if ra == nil {
			w.gap(n.loc, "file-bytes", "ISO 9660 image larger than %s (limit file-bytes) inside an archive, files not read", sizeString(w.lim.MaxFileBytes))
			return nil
		}
		return w.walkISO(n, ra, size)
	case kindUImage:
		return w.walkUImage(n, r)
	case kindFIT:
		return w.walkFIT(n, size, ra) // fit.go
	case kindExt, kindFAT, kindMBR, kindGPT:
		if ra == nil {
			w.gap(n.loc, "file-bytes", "%s larger than %s (limit file-bytes) inside an archive, files not read", k, sizeString(w.lim.MaxFileBytes))
			return nil
		}
		return w.walkDiskImage(n, k, ra, size) // disk.go, ext.go, fat.go
	default:
		w.gap(n.loc, "", "%s not opened (not supported), its files not read", k)
	}
	return nil
}

// walkUImage walks the payload of a U-Boot legacy image, read from r.
func (w *walker) walkUImage(n node, r io.Reader) error {
	var h [64]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		w.gap(n.loc, "", "not a valid uImage: %v, payload not read", err)
		return nil
	}
	size := int64(binary.BigEndian.Uint32(h[12:]))
	typ, comp := h[30], int(h[31])
	name := string(bytes.TrimRight(h[32:], "\x00"))
	if name == "" {
		name = "payload"
	}
	w.rep.Archives++
	c := n.child(w.entryName(n.loc, name), 0o644)
	br := bufio.NewReaderSize(w.budget(n.loc, &exactReader{r: r, n: size}), 4096)
	head, _ := br.Peek(headLen)
	switch {
	case w.abort != nil:
		return w.abort
	case typ == 4:
		w.gap(c.loc, "", "multi-file uImage not opened, its images not read")
	case comp >= len(uImageComp):
		w.gap(c.loc, "", "uImage payload with unknown compression %d, not read", comp)
	case comp == 3:
		// Decoded even in a header isLzma does not take for lzma's; a gap
		// if it does not decode.
		c.declared = kindLzma
	case comp == 4:
		w.gap(c.loc, "", "uImage payload compressed with %s, not read", uImageComp[comp])
	case comp != 0 && detect(head, nil) == kindNone:
		w.gap(c.loc, "", "uImage payload declared %s but not in a format read, not read", uImageComp[comp])
	}
	if err := w.visitReader(c, size, br, nil); err != nil {
		return err
	}
	return w.abort
}

// detectImageAt is detectImage for a file too large to be in memory, read
// at random: the ISO 9660 and ext magic numbers lie beyond headLen.
func detectImageAt(ra io.ReaderAt, size int64) kind {
	head := make([]byte, min(size, 0x8006))
	n, _ := ra.ReadAt(head, 0)
	return detectImage(head[:n])
}
