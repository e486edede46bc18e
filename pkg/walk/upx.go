package walk

import (
	"bytes"
	"io"
)

// Executables packed by UPX keep their headers, resources (version
// information, icons) and a small stub readable, but their code and data
// are compressed: the strings a content pass looks for there are hidden.
// pedigree has no UPX unpacker yet, so a packed executable is a gap (the
// target is incomplete, never a silent pass), and its bytes still go
// through the content pass.

// upxSectionNames are the names UPX gives the sections of a packed PE
// file, each padded to 8 bytes in the section table.
var upxSectionNames = [][]byte{[]byte("UPX0\x00\x00\x00\x00"), []byte("UPX1\x00\x00\x00\x00")}

// upxPE tells a PE file packed by UPX by the names of its first two
// sections: kindUPX, or kindNone. head is the file's start; ra, when not
// nil, reads the file (size bytes), for a section table beyond head.
func upxPE(head []byte, ra io.ReaderAt, size int64) kind {
	const tableEnd = 4096 // the section table lies in the headers
	if len(head) < tableEnd && ra != nil {
		buf := make([]byte, min(size, tableEnd))
		n, _ := ra.ReadAt(buf, 0)
		head = buf[:n]
	}
	head = head[:min(len(head), tableEnd)]
	for _, name := range upxSectionNames {
		if !bytes.Contains(head, name) {
			return kindNone
		}
	}
	return kindUPX
}

// isUPXELF tells an ELF file packed by UPX: its loader information, marked
// "UPX!", follows the program headers within the first 512 bytes.
func isUPXELF(head []byte) bool {
	return bytes.HasPrefix(head, []byte("\x7fELF")) && bytes.Contains(head[:min(len(head), 512)], []byte("UPX!"))
}
