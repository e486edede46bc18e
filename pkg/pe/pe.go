// Package pe reads who made and who signed a Windows PE file: the strings
// of its version resource (CompanyName, LegalCopyright, ProductName, ...)
// and the certificates of its Authenticode signature.
//
// Everything in a PE file is untrusted input: every offset and size is
// checked against the data, the resource tree is walked to its defined
// depth of three with a cap on entries, and Parse never panics.
package pe

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrNotPE is returned (wrapped) by Parse when the data is not a PE file at
// all: no MZ header, or an MZ executable without a PE signature.
var ErrNotPE = errors.New("not a PE file")

// Info is what a PE file says about its maker.
type Info struct {
	// Machine is the architecture: "386", "amd64", "arm64", "arm",
	// "arm64ec", "ia64", "riscv64", ..., or the raw value as "0x1234".
	Machine string
	// Version holds the StringFileInfo values of the first string table
	// (language and code page) of the version resource, every key the
	// table has: CompanyName, LegalCopyright, ProductName,
	// OriginalFilename, FileDescription, InternalName, FileVersion,
	// ProductVersion, LegalTrademarks, ... It is nil when the file has no
	// version resource.
	Version map[string]string
	// Signature is the Authenticode signature, nil when the file has none.
	// Files signed only through a Windows security catalog carry no
	// signature of their own and have none here.
	Signature *Signature
}

// Signature is an Authenticode signature.
type Signature struct {
	// Signer is the certificate that signed, found by the SignerInfo's
	// issuer and serial number (or subject key identifier) among the
	// signature's certificates. When it is not among them, only Issuer and
	// SerialNumber are set.
	Signer Cert
	// Chain is every certificate in the signature, in its order.
	Chain []Cert
	// Verified reports that the signature is good for this very file: the
	// signer's signature over its signed attributes checks out, the signed
	// content's digest matches, the file's Authenticode digest matches
	// (DigestValid), and the signer's certificate chains to a system root
	// for code signing (or any usage) at the time of a verified timestamp,
	// or now.
	Verified bool
	// VerifyError says, on one line, why Verified is false.
	VerifyError string
	// DigestValid reports whether the file's Authenticode digest matches
	// the one the signature carries: false means the file was changed
	// after it was signed. It is nil when the digest could not be
	// computed (unknown digest algorithm, malformed content).
	DigestValid *bool
	// DigestAlgorithm is the Authenticode digest's algorithm: "sha256",
	// "sha1", "sha384", "sha512", "md5", or its object identifier.
	DigestAlgorithm string
	// Timestamp is the signing time vouched for by a countersignature or an
	// RFC 3161 timestamp whose own signature and chain verify; it is zero
	// when there is none.
	Timestamp time.Time
	// Nested holds the nested signatures (Microsoft's
	// SPC_NESTED_SIGNATURE attribute, as in files dual-signed with SHA-1
	// and SHA-256), each checked like this one. Nested signatures of
	// nested signatures are not read.
	Nested []Signature
}

// Cert is what a certificate says about whom it belongs to.
type Cert struct {
	// Subject and Issuer are distinguished names in RFC 2253 form, as
	// "CN=AO Kaspersky Lab,O=AO Kaspersky Lab,C=RU".
	Subject, Issuer string
	// SerialNumber is the serial number in lower-case hexadecimal, with a
	// leading "-" when negative.
	SerialNumber string
	// CommonName and Organization are the subject's CN and O attributes.
	CommonName   string
	Organization []string
	// NotBefore and NotAfter bound the certificate's validity.
	NotBefore, NotAfter time.Time
}

// Parse reads the machine type, version strings and Authenticode signature
// of a PE file (PE32 or PE32+) held in data.
//
// It returns an error wrapping ErrNotPE when data is not a PE file. When
// the headers are readable but the version resource or the signature is
// malformed, Parse returns the Info it could read together with an error
// that says what was wrong, so that a corrupt resource does not hide a
// signature or the other way round. A signature that is well formed but
// does not verify is not an error: see Signature.Verified.
func Parse(data []byte) (*Info, error) {
	return parse(data, options{})
}

// options are the knobs tests turn.
type options struct {
	// roots replaces the system roots when not nil.
	roots *x509.CertPool
	// now replaces the current time when not zero.
	now time.Time
}

// image is a PE file being read.
type image struct {
	data     []byte
	f        *pe.File
	lfanew   uint32
	pe32plus bool
	// numDirs is the optional header's NumberOfRvaAndSizes, capped at 16:
	// directories past it do not exist whatever debug/pe says.
	numDirs uint32
	dirs    []pe.DataDirectory
	// digests caches the Authenticode digest by algorithm, for nested
	// signatures.
	digests map[crypto.Hash][]byte
}

const (
	dirResource = 2
	dirSecurity = 4
)

func parse(data []byte, o options) (*Info, error) {
	img, err := open(data)
	if err != nil {
		return nil, err
	}
	info := &Info{Machine: machine(binary.LittleEndian.Uint16(data[img.lfanew+4:]))}
	verr := img.readVersion(info)
	if verr != nil {
		verr = fmt.Errorf("version resource: %w", verr)
	}
	serr := img.readSignature(info, o)
	if serr != nil {
		serr = fmt.Errorf("authenticode signature: %w", serr)
	}
	switch {
	case verr != nil && serr != nil:
		return info, fmt.Errorf("%w; %w", verr, serr)
	case verr != nil:
		return info, verr
	case serr != nil:
		return info, serr
	}
	return info, nil
}

// open checks the MZ and PE signatures and reads the headers with
// debug/pe.
func open(data []byte) (*image, error) {
	if len(data) < 0x40 || data[0] != 'M' || data[1] != 'Z' {
		return nil, fmt.Errorf("%w: no MZ header", ErrNotPE)
	}
	lfanew := binary.LittleEndian.Uint32(data[0x3C:])
	if uint64(lfanew)+4 > uint64(len(data)) || string(data[lfanew:lfanew+4]) != "PE\x00\x00" {
		return nil, fmt.Errorf("%w: an MZ executable without a PE signature", ErrNotPE)
	}
	// COFF file header (20 bytes) and the optional header's magic.
	if uint64(lfanew)+4+20+2 > uint64(len(data)) {
		return nil, fmt.Errorf("truncated: the file ends inside the PE headers (%d bytes)", len(data))
	}
	// debug/pe is stricter than Windows: it wants a machine it knows, a
	// readable COFF symbol table (which images do not use), readable
	// relocations (likewise) and exactly as many data directories as the
	// optional header has room for. Reading the symbols and relocations of
	// a hostile file can also make it allocate far more than the file's
	// size. So it reads a copy of the headers with those fields
	// neutralised.
	f, err := pe.NewFile(sanitized(data, lfanew))
	if err != nil {
		return nil, fmt.Errorf("reading headers: %w", err)
	}
	img := &image{data: data, f: f, lfanew: lfanew}
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		img.numDirs, img.dirs = min(oh.NumberOfRvaAndSizes, 16), oh.DataDirectory[:]
	case *pe.OptionalHeader64:
		img.pe32plus = true
		img.numDirs, img.dirs = min(oh.NumberOfRvaAndSizes, 16), oh.DataDirectory[:]
	default:
		return nil, errors.New("no optional header: an object file, not an image")
	}
	// The raw count, in case the sanitised copy changed it.
	if at := img.optHeader() + optDirCount(img.pe32plus); at+4 <= len(data) {
		img.numDirs = min(img.numDirs, binary.LittleEndian.Uint32(data[at:]))
	}
	return img, nil
}

// optHeader is the file offset of the optional header.
func (img *image) optHeader() int { return int(img.lfanew) + 4 + 20 }

// optDirCount is the offset of NumberOfRvaAndSizes in the optional header;
// the data directories follow it.
func optDirCount(pe32plus bool) int {
	if pe32plus {
		return 108
	}
	return 92
}

// dir returns data directory i, or zeros when the file has none.
func (img *image) dir(i int) (addr, size uint32) {
	if uint32(i) >= img.numDirs || i >= len(img.dirs) {
		return 0, 0
	}
	return img.dirs[i].VirtualAddress, img.dirs[i].Size
}

// sanitized returns a reader over data whose headers are patched so that
// debug/pe accepts what Windows accepts and reads no more than it must: a
// known machine, no COFF symbol table, no relocations, short section names
// (long ones live in the symbol table's strings) and a data directory
// count matching the optional header's size.
func sanitized(data []byte, lfanew uint32) io.ReaderAt {
	coff := int(lfanew) + 4
	nsec := int(binary.LittleEndian.Uint16(data[coff+2:]))
	optSize := int(binary.LittleEndian.Uint16(data[coff+16:]))
	end := min(coff+20+optSize+40*nsec, len(data))
	hdr := bytes.Clone(data[coff:end]) // the COFF header to the section table's end
	put16 := func(at int, v uint16) {
		if at+2 <= end {
			binary.LittleEndian.PutUint16(hdr[at-coff:], v)
		}
	}
	put32 := func(at int, v uint32) {
		if at+4 <= end {
			binary.LittleEndian.PutUint32(hdr[at-coff:], v)
		}
	}
	switch binary.LittleEndian.Uint16(data[coff:]) {
	case pe.IMAGE_FILE_MACHINE_AMD64, pe.IMAGE_FILE_MACHINE_ARM64, pe.IMAGE_FILE_MACHINE_ARMNT,
		pe.IMAGE_FILE_MACHINE_I386, pe.IMAGE_FILE_MACHINE_RISCV32, pe.IMAGE_FILE_MACHINE_RISCV64,
		pe.IMAGE_FILE_MACHINE_RISCV128, pe.IMAGE_FILE_MACHINE_UNKNOWN:
	default:
		put16(coff, pe.IMAGE_FILE_MACHINE_AMD64)
	}
	put32(coff+8, 0)  // PointerToSymbolTable
	put32(coff+12, 0) // NumberOfSymbols
	opt := coff + 20
	if opt+2 <= end {
		fixed := 0
		switch binary.LittleEndian.Uint16(data[opt:]) {
		case 0x10b:
			fixed = 96
		case 0x20b:
			fixed = 112
		}
		if fixed > 0 && optSize >= fixed {
			put32(opt+fixed-4, uint32((optSize-fixed)/8))
		}
	}
	for i := range nsec {
		sh := opt + optSize + 40*i
		if sh+40 > end {
			break
		}
		if hdr[sh-coff] == '/' {
			hdr[sh-coff] = '_'
		}
		put32(sh+24, 0) // PointerToRelocations
		put16(sh+32, 0) // NumberOfRelocations
	}
	return overlay{data: data, patch: hdr, at: int64(coff)}
}

// overlay reads data with the bytes from at on replaced by patch.
type overlay struct {
	data, patch []byte
	at          int64
}

func (o overlay) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= int64(len(o.data)) {
		return 0, io.EOF
	}
	n := copy(p, o.data[off:])
	// The part of [off, off+n) that the patch covers.
	lo, hi := max(off, o.at), min(off+int64(n), o.at+int64(len(o.patch)))
	if lo < hi {
		copy(p[lo-off:hi-off], o.patch[lo-o.at:hi-o.at])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// machine names an IMAGE_FILE_MACHINE_* value after GOARCH where there is
// one.
func machine(m uint16) string {
	switch m {
	case pe.IMAGE_FILE_MACHINE_I386:
		return "386"
	case pe.IMAGE_FILE_MACHINE_AMD64:
		return "amd64"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		return "arm64"
	case pe.IMAGE_FILE_MACHINE_ARM, pe.IMAGE_FILE_MACHINE_THUMB, pe.IMAGE_FILE_MACHINE_ARMNT:
		return "arm"
	case 0xA641:
		return "arm64ec"
	case 0xA64E:
		return "arm64x"
	case pe.IMAGE_FILE_MACHINE_IA64:
		return "ia64"
	case pe.IMAGE_FILE_MACHINE_RISCV32:
		return "riscv32"
	case pe.IMAGE_FILE_MACHINE_RISCV64:
		return "riscv64"
	case pe.IMAGE_FILE_MACHINE_LOONGARCH64:
		return "loong64"
	case pe.IMAGE_FILE_MACHINE_UNKNOWN:
		return "unknown"
	}
	return fmt.Sprintf("0x%04x", m)
}

// rvaData returns the file bytes at a relative virtual address, up to size
// bytes and never past the raw data of the section holding it, or an error
// when the address lies in no section's raw data.
func (img *image) rvaData(rva, size uint32) ([]byte, error) {
	for _, s := range img.f.Sections {
		span := max(s.VirtualSize, s.Size)
		if rva < s.VirtualAddress || uint64(rva) >= uint64(s.VirtualAddress)+uint64(span) {
			continue
		}
		off := rva - s.VirtualAddress
		if off >= s.Size {
			return nil, fmt.Errorf("rva 0x%x is in section %q past its data in the file", rva, s.Name)
		}
		start := uint64(s.Offset) + uint64(off)
		end := min(start+uint64(size), uint64(s.Offset)+uint64(s.Size), uint64(len(img.data)))
		if start >= end {
			return nil, fmt.Errorf("rva 0x%x maps to file offset 0x%x, past the end of the file (%d bytes)", rva, start, len(img.data))
		}
		return img.data[start:end], nil
	}
	return nil, fmt.Errorf("rva 0x%x is outside every section", rva)
}
