package walk

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// Windows installers: cabinets (cab.go), installer databases (msi.go, on
// the compound files of cfb.go), and cabinets or 7z archives appended to
// an executable (self-extracting). Their kinds are numbered apart from
// the archive kinds of visit.go.
const (
	kindCab         kind = 200 + iota
	kindCabAppended      // a cab in the overlay of a PE file
	kind7zAppended       // a 7z in the overlay of a PE file (7-Zip SFX)
	kindCFB              // a compound file, before refineKind tells whether an msi
	kindMSI              // an installer database
	kindNSIS             // an NSIS installer (nsis.go)
	kindInno             // an Inno Setup installer: its payload has no reader yet
)

// installerKindName names the installer kinds, "" for any other.
func installerKindName(k kind) string {
	switch k {
	case kindCab, kindCabAppended:
		return "cab"
	case kind7zAppended:
		return "7z"
	case kindCFB, kindMSI:
		return "msi"
	case kindNSIS:
		return "NSIS installer"
	case kindInno:
		return "Inno Setup installer"
	}
	return ""
}

// detectInstaller tells a cabinet or compound file from its first bytes.
func detectInstaller(head []byte) kind {
	switch {
	case bytes.HasPrefix(head, cfbMagic):
		return kindCFB
	case isCab(head, -1):
		return kindCab
	}
	return kindNone
}

// refineKind completes detect with what needs more than the head of a
// file: whether a compound file is an installer database, and a cab or
// 7z in an executable's overlay. head is the file's start; ra reads the
// file (size bytes), or is nil inside an archive for a file not in memory.
func refineKind(k kind, head []byte, ra io.ReaderAt, size int64) (refined kind) {
	defer func() {
		if v := recover(); v != nil { // a bug: the file is opened, and a gap
			if k == kindCFB {
				k = kindMSI
			}
			refined = k
		}
	}()
	switch {
	case k == kindCFB:
		return refineCFB(k, ra, size)
	case k != kindNone || !bytes.HasPrefix(head, []byte("MZ")):
		return k
	case ra == nil:
		return upxPE(head, nil, 0)
	case cabInOverlay(ra, size) >= 0:
		return kindCabAppended
	case sevenZipInOverlay(ra, size) >= 0:
		return kind7zAppended
	}
	if k := setupInOverlay(ra, size); k != kindNone {
		return k
	}
	return upxPE(head, ra, size) // upx.go
}

// Markers of the setup installers, near the start of the PE overlay:
// NSIS's first header ("\xef\xbe\xad\xde" and "NullsoftInst"; nsis.go
// reads its payload) and Inno Setup's setup data ("Inno Setup Setup Data
// ("), whose payload pedigree cannot open yet.
var (
	nsisMarker = []byte("\xef\xbe\xad\xdeNullsoftInst")
	innoMarker = []byte("Inno Setup Setup Data (")
)

// setupInOverlay tells an NSIS or Inno Setup installer from the first
// overlayScan bytes of its PE overlay, and kindNone for any other file.
// Such a payload is compressed in the installer's own format: what the
// walk cannot read of it is reported as not inspected, never as a plain
// file that passed.
func setupInOverlay(ra io.ReaderAt, size int64) kind {
	start := peOverlay(ra, size)
	if start == 0 {
		return kindNone
	}
	buf := make([]byte, min(size-start, overlayScan+64))
	m, _ := ra.ReadAt(buf, start)
	buf = buf[:m]
	switch {
	case bytes.Contains(buf, nsisMarker):
		return kindNSIS
	case bytes.Contains(buf, innoMarker):
		return kindInno
	}
	return kindNone
}

// sevenZipInOverlay finds a 7z archive at the start of the overlay of the
// PE file ra, or up to overlayScan bytes into it (a 7-Zip SFX stub may
// pad): its offset, or -1. Its start header must pass its CRC.
func sevenZipInOverlay(ra io.ReaderAt, size int64) int64 {
	start := peOverlay(ra, size)
	if start == 0 {
		return -1
	}
	buf := make([]byte, min(size-start, overlayScan+32))
	m, _ := ra.ReadAt(buf, start)
	buf = buf[:m]
	sig := []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}
	for p := 0; ; {
		i := bytes.Index(buf[p:], sig)
		if i < 0 || p+i > overlayScan {
			return -1
		}
		p += i
		if p+32 <= len(buf) && crc32.ChecksumIEEE(buf[p+12:p+32]) == binary.LittleEndian.Uint32(buf[p+8:]) {
			return start + int64(p)
		}
		p++
	}
}

// walkInstaller opens the installer n of kind k: size bytes read at
// random from ra (nil inside an archive, for a file not in memory).
func (w *walker) walkInstaller(n node, k kind, size int64, ra io.ReaderAt) error {
	if ra == nil {
		w.gap(n.loc, "file-bytes", "%s larger than %s (limit file-bytes) inside an archive, entries not read", k, sizeString(w.lim.MaxFileBytes))
		return nil
	}
	switch k {
	case kindCab:
		return w.walkCab(n, ra, size)
	case kindCabAppended:
		if off := cabInOverlay(ra, size); off >= 0 {
			return w.walkCab(n, io.NewSectionReader(ra, off, size-off), size-off)
		}
	case kind7zAppended:
		if off := sevenZipInOverlay(ra, size); off >= 0 {
			return w.walk7z(n, io.NewSectionReader(ra, off, size-off), size-off)
		}
	case kindMSI:
		return w.walkMSI(n, ra, size)
	case kindNSIS:
		return w.walkNSIS(n, ra, size) // nsis.go
	case kindInno:
		w.gap(n.loc, "", "%s: its payload is not opened (no reader for it yet)", installerKindName(k))
	}
	return nil
}
