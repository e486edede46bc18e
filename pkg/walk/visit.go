package walk

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// kind is an archive format.
type kind int

const (
	kindNone kind = iota
	kindZip
	kindZipAppended // a zip at the end of another file (self-extracting installers)
	kindTar
	kindGzip
	kindBzip2
	kindXz
	kindAr
	kindCpio
	kindRpm
	kind7z
	kindRar
	kindZstd
	kindLz4
	kindBrotli // no magic number: told by its name only
	kindLzma   // LZMA-alone (.lzma, .tlz): told by its name and a strict check of its header
	kindSnappy // Snappy or S2 framed stream
	kindLzip   // lzip stream (lzip.go)
	kindXar    // xar archive (macOS .pkg installers, .xip: xar.go)
	kindPbzx   // Apple pbzx stream (a .pkg's Payload: pbzx.go)
	// Formats pedigree has no reader for: each is a gap, and its bytes
	// still go through the content pass as a plain file's.
	kindLzop     // lzop stream
	kindCompress // compress (.Z) stream
	kindDMG      // Apple disk image (UDIF, the "koly" trailer at its end)
	kindSZDD     // file compressed by MS-DOS compress.exe (SZDD, KWAJ: setup.ex_)
	kindWIM      // Windows imaging (WIM, ESD) archive
	kindISCab    // InstallShield cabinet (data1.cab)
	kindCHM      // compiled HTML help (CHM, ITSF): read by chm.go
	kindACE      // ACE archive
	kindUPX      // an executable packed by UPX (upx.go)
)

func (k kind) String() string {
	switch k {
	case kindZip, kindZipAppended:
		return "zip"
	case kindTar:
		return "tar"
	case kindGzip:
		return "gzip"
	case kindBzip2:
		return "bzip2"
	case kindXz:
		return "xz"
	case kindAr:
		return "ar"
	case kindCpio:
		return "cpio"
	case kindRpm:
		return "rpm"
	case kind7z:
		return "7z"
	case kindRar:
		return "rar"
	case kindZstd:
		return "zstd"
	case kindLz4:
		return "lz4"
	case kindBrotli:
		return "brotli"
	case kindLzma:
		return "lzma"
	case kindSnappy:
		return "snappy"
	case kindLzip:
		return "lzip"
	case kindLzop:
		return "lzop stream"
	case kindCompress:
		return "compress (.Z) stream"
	case kindXar:
		return "xar"
	case kindDMG:
		return "dmg disk image"
	case kindPbzx:
		return "pbzx"
	case kindSZDD:
		return "MS-DOS compress.exe (SZDD, KWAJ) file"
	case kindWIM:
		return "WIM image"
	case kindISCab:
		return "InstallShield cabinet"
	case kindCHM:
		return "CHM help file"
	case kindACE:
		return "ACE archive"
	case kindUPX:
		return "UPX-packed executable"
	}
	if s := installerKindName(k); s != "" { // installer.go
		return s
	}
	return imageKindName(k)
}

// headLen is how much of a file detect needs from its start.
const headLen = 512

// tailLen is how much of a file detect needs from its end: a zip's end of
// central directory record and the longest comment.
const tailLen = 22 + 65535

// detect tells the archive format from the first bytes of a file (head)
// and, when known, its last bytes (tail).
func detect(head, tail []byte) kind {
	switch {
	case isDMG(tail): // unread.go: its trailer, whatever its data fork begins with
		return kindDMG
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")), bytes.HasPrefix(head, []byte("PK\x07\x08PK\x03\x04")):
		return kindZip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 8}):
		return kindGzip
	case isBzip2(head):
		return kindBzip2
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return kindXz
	case bytes.HasPrefix(head, []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}):
		return kind7z
	case bytes.HasPrefix(head, []byte("Rar!\x1a\x07")):
		return kindRar
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return kindZstd
	case bytes.HasPrefix(head, []byte{0x04, 0x22, 0x4d, 0x18}):
		return kindLz4
	case isTar(head):
		return kindTar
	case isAr(head):
		return kindAr
	case isCpio(head):
		return kindCpio
	case isRpm(head):
		return kindRpm
	case detectImage(head) != kindNone: // firmware and disk images: images.go
		return detectImage(head)
	case detectInstaller(head) != kindNone: // cab, compound files: installer.go
		return detectInstaller(head)
	case bytes.HasPrefix(head, []byte("\xff\x06\x00\x00sNaPpY")), bytes.HasPrefix(head, []byte("\xff\x06\x00\x00S2sTwO")):
		return kindSnappy
	case isXar(head): // xar.go
		return kindXar
	case isPbzx(head): // pbzx.go
		return kindPbzx
	case isLzip(head): // lzip.go
		return kindLzip
	case detectNoReader(head) != kindNone: // unread.go
		return detectNoReader(head)
	case zipAtEnd(tail):
		return kindZipAppended
	}
	return kindNone
}

// detectNamed is detect, and the streams that have no magic number, told
// by their name: brotli, and LZMA-alone streams (.lzma, .tlz), whose
// header must also pass isLzma. Headers alone are not enough for lzma:
// other files pass its strictest check (the .kotlin_metadata files in
// jars begin 00 00 00 03 00 00 00 01 00 00 00 00 00, a properties byte,
// a dictionary, a size and the range coder's 0 to it).
func detectNamed(name string, head, tail []byte) kind {
	k := detect(head, tail)
	switch {
	case k != kindNone:
	case isBrotliName(name):
		return kindBrotli
	case isLzmaName(name) && isLzma(head):
		return kindLzma
	}
	return k
}

func isLzmaName(name string) bool {
	lower := strings.ToLower(name)
	return len(name) > len(".tlz") && (strings.HasSuffix(lower, ".lzma") || strings.HasSuffix(lower, ".tlz"))
}

func isBrotliName(name string) bool {
	return len(name) > len(".br") && strings.EqualFold(name[len(name)-len(".br"):], ".br")
}

func isTar(head []byte) bool {
	return len(head) >= 263 && string(head[257:262]) == "ustar"
}

func isBzip2(head []byte) bool {
	if len(head) < 10 || string(head[:3]) != "BZh" || head[3] < '1' || head[3] > '9' {
		return false
	}
	magic := string(head[4:10])
	return magic == "\x31\x41\x59\x26\x53\x59" || magic == "\x17\x72\x45\x38\x50\x90"
}

// zipAtEnd reports whether tail ends with a zip's end of central directory
// record whose comment runs exactly to the end.
func zipAtEnd(tail []byte) bool {
	if len(tail) < 22 {
		return false
	}
	// Forward with bytes.Index, which is vectorised: bytes.LastIndex
	// compares byte by byte, and this runs on the tail of every file.
	sig := []byte("PK\x05\x06")
	for start := 0; ; {
		i := bytes.Index(tail[start:], sig)
		if i < 0 {
			return false
		}
		i += start
		if i+22 <= len(tail) && i+22+int(binary.LittleEndian.Uint16(tail[i+20:])) == len(tail) {
			return true
		}
		start = i + 1
	}
}

// tailOf returns the part of data that detect reads as the tail.
func tailOf(data []byte) []byte {
	if len(data) > tailLen {
		return data[len(data)-tailLen:]
	}
	return data
}

// visitReader visits the file n whose contents are read from r. size is
// its declared size, or -1. ra, when not nil, reads the same contents at
// random (a file on disk).
func (w *walker) visitReader(n node, size int64, r io.Reader, ra io.ReaderAt) error {
	if size > w.lim.MaxFileBytes {
		return w.visitLarge(n, size, r, ra)
	}
	hint := size
	if ra == nil { // a size declared inside an archive: not to be trusted
		hint = min(hint, untrustedHint)
	}
	// The buffer is the one of the last file at the same depth: reading
	// into memory already mapped saves clearing new memory and faulting
	// its pages in, which costs more than reading.
	for len(w.bufs) <= n.depth {
		w.bufs = append(w.bufs, nil)
	}
	buf := w.bufs[n.depth]
	w.bufs[n.depth] = nil
	defer func() {
		if cap(buf) <= maxKeptBuf {
			w.bufs[n.depth] = buf[:0]
		}
	}()
	data, over, err := readLimited(r, hint, w.lim.MaxFileBytes, buf)
	buf = data
	if err != nil {
		if w.abort != nil {
			return w.abort
		}
		w.lastReadErr = err
		if size < 0 {
			size = int64(len(data))
		}
		var rerr *ratioError
		if errors.As(err, &rerr) { // warned by the ratio reader
			return w.emitSkipped(n, size, rerr.reason())
		}
		w.gap(n.loc, "", "read error: %v, contents not read", err)
		return w.emitSkipped(n, size, "unreadable: "+err.Error())
	}
	if !over {
		return w.visitData(n, data)
	}
	// Longer than announced: go on as a stream.
	return w.visitLarge(n, -1, io.MultiReader(bytes.NewReader(data), r), nil)
}

// untrustedHint is the most memory reserved ahead for an entry whose size
// is declared inside an archive: beyond it, the buffer grows as data come.
const untrustedHint = 1 << 20

// maxKeptBuf is the largest buffer kept from one file to the next at a
// depth. Most files and entries are smaller; a larger buffer kept by each
// worker at each depth was live heap that raised the collector's goal
// (32 MiB kept: peak RSS on /usr/lib about 8% higher for 1% less CPU).
const maxKeptBuf = 4 << 20

// readLimited reads r to its end, or to limit+1 bytes (over), into buf if
// it is large enough. hint is the expected size, or -1; it is never trusted
// beyond limit.
func readLimited(r io.Reader, hint, limit int64, buf []byte) (data []byte, over bool, err error) {
	c := hint + 1
	if hint < 0 {
		c = 4096
	}
	c = min(c, limit+1)
	if int64(cap(buf)) < c {
		buf = make([]byte, 0, c)
		hugePages(buf)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return buf, true, nil
			}
			next := min(int64(cap(buf))*2, limit+1)
			nb := make([]byte, len(buf), next)
			hugePages(nb)
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, int64(len(buf)) > limit, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
}

// visitData visits the file n, whose contents are data, and opens it if it
// is an archive.
func (w *walker) visitData(n node, data []byte) error {
	if n.name == axmlName && isAXML(data) {
		data = w.androidManifest(n, data) // axml.go: the manifest as text
	}
	k := detectNamed(n.name, data, tailOf(data))
	k = refineKind(k, data, bytes.NewReader(data), int64(len(data)))
	if k == kindNone {
		k = n.declared
	}
	descend, err := w.emit(&File{Location: n.loc, Name: n.name, Size: int64(len(data)), Mode: n.mode, Depth: n.depth, Data: data})
	if err != nil || !descend || k == kindNone || !w.mayOpen(n, k) {
		return err
	}
	r := bytes.NewReader(data)
	return w.open(n, k, int64(len(data)), r, r, data)
}

// visitLarge visits the file n, larger than MaxFileBytes, without its
// contents, and walks it if it is an archive that can be walked without
// reading it whole.
func (w *walker) visitLarge(n node, size int64, r io.Reader, ra io.ReaderAt) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(headLen)
	if w.abort != nil {
		return w.abort
	}
	var tail []byte
	if ra != nil && size > 0 {
		off := max(size-tailLen, 0)
		tail = make([]byte, size-off)
		m, _ := ra.ReadAt(tail, off)
		tail = tail[:m]
		if w.abort != nil {
			return w.abort
		}
	}
	k := detectNamed(n.name, head, tail)
	k = refineKind(k, head, ra, size)
	if k == kindNone && ra != nil {
		k = detectImageAt(ra, size) // ISO 9660 and ext magic lie beyond head
	}
	if k == kindNone {
		k = n.declared
	}
	reason := "larger than " + sizeString(w.lim.MaxFileBytes)
	switch {
	case k == kindNone, noReader(k): // a format without a reader: its bytes are all there is to read
		w.gap(n.loc, "file-bytes", "%s (limit file-bytes), contents not read", reason)
	case (k == kindZip || k == kindZipAppended || k == kind7z) && ra == nil:
		w.gap(n.loc, "file-bytes", "%s %s (limit file-bytes) inside an archive, entries not read", k, reason)
	case k == kindZipAppended:
		// The entries are read, but not the bytes before them: the
		// installer's own code and version information.
		w.gap(n.loc, "file-bytes", "%s (limit file-bytes): its appended zip's entries are read, the rest of the file is not", reason)
	default:
		w.warn("%s: %s %s (limit file-bytes), not read whole; its entries are", n.loc, k, reason)
	}
	descend, err := w.emit(&File{Location: n.loc, Name: n.name, Size: size, Mode: n.mode, Depth: n.depth, Skipped: reason})
	if err != nil || !descend || k == kindNone || !w.mayOpen(n, k) {
		return err
	}
	if (k == kindZip || k == kindZipAppended || k == kind7z) && ra == nil {
		return nil
	}
	return w.open(n, k, size, br, ra, nil)
}

// mayOpen reports whether an archive at n is within MaxDepth.
func (w *walker) mayOpen(n node, k kind) bool {
	if n.depth < w.lim.MaxDepth {
		return true
	}
	if w.lim.MaxDepth > 0 && k != kindZipAppended { // 0: archives are not to be opened
		w.gap(n.loc, "archive-depth", "%s archive nested deeper than %d levels (limit archive-depth), not opened", k, w.lim.MaxDepth)
	}
	return false
}

// open walks the archive n. r reads it from its start; ra, when not nil,
// at random (size bytes); data, when not nil, are its bytes in memory.
// Errors in the archive are warnings; only reasons to stop the walk are
// returned.
func (w *walker) open(n node, k kind, size int64, r io.Reader, ra io.ReaderAt, data []byte) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if p, ok := v.(fnPanic); ok {
				panic(p)
			}
			w.gap(n.loc, "", "malformed %s archive (reader panicked: %v)", k, v)
			err = w.abort
		}
	}()
	switch k {
	case kindZip, kindZipAppended:
		err = w.walkZip(n, ra, size, k == kindZipAppended, data)
	case kindTar:
		w.rep.Archives++
		err = w.walkTar(n, w.budget(n.loc, r))
	case kindAr:
		w.rep.Archives++
		err = w.walkAr(n, w.budget(n.loc, r))
	case kindCpio:
		w.rep.Archives++
		err = w.walkCpio(n, w.budget(n.loc, r))
	case kindRpm:
		w.rep.Archives++
		err = w.walkRpm(n, r)
	case kind7z:
		err = w.walk7z(n, ra, size)
	case kindRar:
		w.rep.Archives++
		err = w.walkRar(n, r)
	case kindSquashfs, kindUImage, kindFIT, kindISO, kindExt, kindFAT, kindMBR, kindGPT:
		err = w.walkImage(n, k, size, r, ra)
	case kindCab, kindCabAppended, kind7zAppended, kindMSI, kindNSIS, kindInno:
		err = w.walkInstaller(n, k, size, ra)
	case kindXar:
		err = w.walkXar(n, size, r, ra, data)
	case kindLzop, kindCompress, kindSZDD:
		w.gap(n.loc, "", "%s not opened (no reader for it yet), its contents not read", k)
	case kindCHM:
		err = w.walkCHM(n, ra, size)
	case kindDMG, kindWIM, kindISCab, kindACE:
		w.gap(n.loc, "", "%s not opened (no reader for it yet), its files not read", k)
	case kindUPX:
		w.gap(n.loc, "", "%s: its packed code is not unpacked (no reader for it yet); its headers, resources and other bytes are read", k)
	default:
		err = w.walkCompressed(n, k, r, true)
	}
	if err == nil {
		err = w.abort
	}
	return err
}

// sizeString writes a byte count for people: "256 MiB".
func sizeString(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && n%1024 == 0 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%d %s", n, units[i])
}
