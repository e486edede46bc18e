package walk

import (
	"bytes"
	"encoding/binary"
)

// Formats pedigree tells by their magic numbers but has no reader for
// (visit.go's open makes each a gap): their bytes still go through the
// content pass as a plain file's, but what they compress or hold is not
// read, and the scan is incomplete, never a silent pass.

// noReader reports whether k is one of these formats.
func noReader(k kind) bool {
	switch k {
	case kindLzop, kindCompress, kindDMG, kindSZDD, kindWIM, kindISCab, kindACE, kindUPX:
		return true
	}
	return false
}

// detectNoReader tells these formats (but dmg, told by its end) from the
// first bytes of a file, or kindNone.
func detectNoReader(head []byte) kind {
	le := binary.LittleEndian
	switch {
	case bytes.HasPrefix(head, []byte("\x89LZO\x00\r\n\x1a\n")):
		return kindLzop
	case isCompressZ(head):
		return kindCompress
	case bytes.HasPrefix(head, []byte("SZDD\x88\xf0\x27\x33")), bytes.HasPrefix(head, []byte("KWAJ\x88\xf0\x27\xd1")):
		return kindSZDD
	case len(head) >= 12 && string(head[:8]) == "MSWIM\x00\x00\x00" && le.Uint32(head[8:]) == 208: // its header's size
		return kindWIM
	case len(head) >= 20 && string(head[:4]) == "ISc(" && le.Uint32(head[12:]) >= 20 && le.Uint32(head[16:]) > 0: // a cabinet descriptor
		return kindISCab
	case isCHM(head): // read by chm.go
		return kindCHM
	case len(head) >= 14 && string(head[7:14]) == "**ACE**":
		return kindACE
	case isUPXELF(head):
		return kindUPX
	}
	return kindNone
}

// isCompressZ tells a stream of compress(1) (.Z): its magic number, then
// codes of 9 to 16 bits and no reserved flag.
func isCompressZ(head []byte) bool {
	if len(head) < 3 || head[0] != 0x1f || head[1] != 0x9d {
		return false
	}
	bits := head[2] & 0x1f
	return head[2]&0x60 == 0 && bits >= 9 && bits <= 16
}

// isDMG tells an Apple disk image (UDIF) by the 512-byte trailer its
// file ends with: "koly", version 4, its own size 512. tail is the end of
// the file (nil when unknown). The files of a dmg are in a filesystem
// (HFS+, APFS) in chunks compressed mostly with zlib, bzip2, lzfse or
// lzma: there is no maintained reader of either in Go.
func isDMG(tail []byte) bool {
	if len(tail) < 512 {
		return false
	}
	k := tail[len(tail)-512:]
	return bytes.HasPrefix(k, []byte("koly")) && binary.BigEndian.Uint32(k[4:]) == 4 && binary.BigEndian.Uint32(k[8:]) == 512
}
