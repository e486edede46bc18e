package pe_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509/pkix"
	debugpe "debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/pe"
	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
)

var kaspersky = pkix.Name{CommonName: "AO Kaspersky Lab", Organization: []string{"AO Kaspersky Lab"}}

func TestVersionRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		version map[string]string
		extra   []byte
	}{
		{"ascii", map[string]string{"CompanyName": "AO Kaspersky Lab", "ProductName": "Kaspersky Endpoint Security"}, nil},
		{"non-ascii", map[string]string{
			"CompanyName":    "АО «Лаборатория Касперского»",
			"LegalCopyright": "© 2024 AO Kaspersky Lab",
			"ProductName":    "Kaspersky Anti-Virus",
		}, nil},
		{"every standard key", map[string]string{
			"Comments":         "built for tests",
			"CompanyName":      "Northwind Security Ltd",
			"FileDescription":  "Northwind Antivirus Service",
			"FileVersion":      "21.3.10.391",
			"InternalName":     "avp",
			"LegalCopyright":   "Copyright (C) 2024 Northwind Security Ltd",
			"LegalTrademarks":  "Northwind is a trademark",
			"OriginalFilename": "avp.exe",
			"PrivateBuild":     "",
			"ProductName":      "Northwind Total Security",
			"ProductVersion":   "21.3.10.391",
			"SpecialBuild":     "",
		}, nil},
		{"empty value", map[string]string{"CompanyName": ""}, nil},
		{"every alignment", map[string]string{"A": "x", "AB": "xy", "ABC": "xyz", "ABCD": "wxyz", "ABCDE": "vwxyz"}, nil},
		{"surrogate pairs", map[string]string{"ProductName": "Shield 🛡️ Pro", "𝒦": "𝒦𝒦"}, nil},
		{"custom key", map[string]string{"CompanyName": "Northwind", "Kaspersky Lab Build": "1234"}, nil},
		{"with extra data", map[string]string{"CompanyName": "Northwind"}, []byte("dnl-01.geo.kaspersky.com\x00")},
		{"long value", map[string]string{"Comments": strings.Repeat("Лаборатория ", 500)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := petest.Build(tt.version, tt.extra)
			info, err := pe.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if info.Machine != "amd64" {
				t.Errorf("Machine = %q, want amd64", info.Machine)
			}
			if !maps.Equal(info.Version, tt.version) {
				t.Errorf("Version = %q\nwant      %q", info.Version, tt.version)
			}
			if info.Signature != nil {
				t.Errorf("Signature = %+v, want nil", info.Signature)
			}
			if len(tt.extra) > 0 && !bytes.Contains(data, tt.extra) {
				t.Error("the extra data is not in the image")
			}
		})
	}
}

func TestBuildIsReadByDebugPE(t *testing.T) {
	data := petest.Build(map[string]string{"CompanyName": "Northwind"}, []byte("update.example.com"))
	f, err := debugpe.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range f.Sections {
		names = append(names, s.Name)
	}
	if want := []string{".text", ".rdata", ".rsrc"}; !slices.Equal(names, want) {
		t.Errorf("sections %q, want %q", names, want)
	}
	oh, ok := f.OptionalHeader.(*debugpe.OptionalHeader64)
	if !ok {
		t.Fatalf("optional header %T, want PE32+", f.OptionalHeader)
	}
	if oh.FileAlignment != 0x200 || oh.SectionAlignment != 0x1000 || oh.SizeOfHeaders != 0x200 {
		t.Errorf("alignment %#x/%#x, headers %#x", oh.FileAlignment, oh.SectionAlignment, oh.SizeOfHeaders)
	}
}

func TestNoVersionResource(t *testing.T) {
	info, err := pe.Parse(petest.Build(nil, []byte("just data")))
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != nil || info.Signature != nil {
		t.Errorf("got %+v, want no version and no signature", info)
	}
}

func TestSigned(t *testing.T) {
	rebranded := map[string]string{
		"CompanyName":    "Northwind Security Ltd",
		"ProductName":    "Northwind Antivirus",
		"LegalCopyright": "© 2024 Northwind Security Ltd",
	}
	tests := []struct {
		name    string
		subject pkix.Name
		hash    string
	}{
		{"sha256", kaspersky, "sha256"},
		{"sha1", kaspersky, "sha1"},
		{"sha512", kaspersky, "sha512"},
		{"russian subject", pkix.Name{CommonName: "АО «Лаборатория Касперского»", Organization: []string{"АО «Лаборатория Касперского»"}, Country: []string{"RU"}}, "sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signed := petest.SignWith(t, petest.Build(rebranded, nil), petest.Options{Subject: tt.subject, Hash: tt.hash})
			info, err := pe.Parse(signed.Data)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(info.Version, rebranded) {
				t.Errorf("Version = %q, want %q", info.Version, rebranded)
			}
			sig := info.Signature
			if sig == nil {
				t.Fatal("no signature")
			}
			cn := tt.subject.CommonName
			if !strings.Contains(sig.Signer.Subject, cn) || sig.Signer.CommonName != cn {
				t.Errorf("Signer subject %q, common name %q, want %q", sig.Signer.Subject, sig.Signer.CommonName, cn)
			}
			if !slices.Equal(sig.Signer.Organization, tt.subject.Organization) {
				t.Errorf("Signer.Organization = %q, want %q", sig.Signer.Organization, tt.subject.Organization)
			}
			if sig.Signer.Issuer != sig.Signer.Subject {
				t.Errorf("self-signed, yet issuer %q differs from subject %q", sig.Signer.Issuer, sig.Signer.Subject)
			}
			if want := signed.Cert.SerialNumber.Text(16); sig.Signer.SerialNumber != want {
				t.Errorf("SerialNumber = %s, want %s", sig.Signer.SerialNumber, want)
			}
			if !sig.Signer.NotAfter.Equal(signed.Cert.NotAfter) {
				t.Errorf("NotAfter = %v, want %v", sig.Signer.NotAfter, signed.Cert.NotAfter)
			}
			if len(sig.Chain) != 1 || sig.Chain[0].Subject != sig.Signer.Subject {
				t.Errorf("Chain = %+v, want the signer alone", sig.Chain)
			}
			if sig.Verified {
				t.Error("a self-signed certificate verified against the system roots")
			}
			if !strings.Contains(sig.VerifyError, "unknown authority") {
				t.Errorf("VerifyError = %q, want it to say the authority is unknown", sig.VerifyError)
			}
			if sig.DigestValid == nil || !*sig.DigestValid {
				t.Errorf("DigestValid = %v, want true", sig.DigestValid)
			}
			if sig.DigestAlgorithm != tt.hash {
				t.Errorf("DigestAlgorithm = %q, want %q", sig.DigestAlgorithm, tt.hash)
			}
			if !sig.Timestamp.IsZero() || len(sig.Nested) != 0 {
				t.Errorf("Timestamp %v, %d nested, want none", sig.Timestamp, len(sig.Nested))
			}
		})
	}
}

func TestSignPlain(t *testing.T) {
	info, err := pe.Parse(petest.Sign(t, petest.Build(nil, nil), kaspersky))
	if err != nil {
		t.Fatal(err)
	}
	if info.Signature == nil || info.Signature.Signer.CommonName != "AO Kaspersky Lab" {
		t.Fatalf("Signature = %+v", info.Signature)
	}
	if info.Version != nil {
		t.Errorf("Version = %q, want nil", info.Version)
	}
}

func TestSignedThenChanged(t *testing.T) {
	data := petest.Sign(t, petest.Build(map[string]string{"CompanyName": "Northwind"}, nil), kaspersky)
	data[0x200] ^= 0xFF // the first byte of .text
	info, err := pe.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	sig := info.Signature
	if sig == nil || sig.DigestValid == nil || *sig.DigestValid || sig.Verified {
		t.Fatalf("Signature = %+v, want an invalid digest", sig)
	}
	if sig.Signer.CommonName != "AO Kaspersky Lab" {
		t.Errorf("the signer is still who signed, got %+v", sig.Signer)
	}
}

func TestNotPE(t *testing.T) {
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	mzOnly := make([]byte, 0x100)
	copy(mzOnly, "MZ")
	binary.LittleEndian.PutUint32(mzOnly[0x3C:], 0x80)
	mzFar := bytes.Clone(mzOnly)
	binary.LittleEndian.PutUint32(mzFar[0x3C:], 0xFFFFFFF0)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"elf", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...)},
		{"random", random},
		{"text", []byte("MZ is not enough")},
		{"dos executable", mzOnly},
		{"pe offset past the end", mzFar},
		{"bare coff", append([]byte{0x64, 0x86}, make([]byte, 200)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := pe.Parse(tt.data)
			if !errors.Is(err, pe.ErrNotPE) {
				t.Fatalf("err = %v, want ErrNotPE", err)
			}
			if info != nil {
				t.Errorf("info = %+v, want nil", info)
			}
			checkMessage(t, err)
		})
	}
}

// layout finds the offsets that the corruptions below aim at.
type layout struct {
	resourceDir, securityDir int // data directory entries in the headers
	rsrc                     int // the .rsrc section in the file
}

func findLayout(t *testing.T, data []byte) layout {
	t.Helper()
	f, err := debugpe.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	opt := int(binary.LittleEndian.Uint32(data[0x3C:])) + 24
	l := layout{resourceDir: opt + 112 + 2*8, securityDir: opt + 112 + 4*8}
	for _, s := range f.Sections {
		if s.Name == ".rsrc" {
			l.rsrc = int(s.Offset)
		}
	}
	return l
}

func TestMalformed(t *testing.T) {
	base := petest.Build(map[string]string{"CompanyName": "Northwind", "ProductName": "Shield"}, nil)
	l := findLayout(t, base)
	le16 := func(b []byte, at int, v uint16) { binary.LittleEndian.PutUint16(b[at:], v) }
	le32 := func(b []byte, at int, v uint32) { binary.LittleEndian.PutUint32(b[at:], v) }
	// withCertTable appends a certificate table holding one WIN_CERTIFICATE.
	withCertTable := func(b []byte, typ uint16, content []byte) []byte {
		off := len(b)
		entry := make([]byte, 8, 8+len(content)+7)
		le32(entry, 0, uint32(8+len(content)))
		le16(entry, 4, 0x0200)
		le16(entry, 6, typ)
		entry = append(entry, content...)
		for len(entry)%8 != 0 {
			entry = append(entry, 0)
		}
		le32(b, l.securityDir, uint32(off))
		le32(b, l.securityDir+4, uint32(len(entry)))
		return append(b, entry...)
	}
	tests := []struct {
		name        string
		corrupt     func(b []byte) []byte
		want        string // in the error
		unsupported bool   // errors.Is(err, errors.ErrUnsupported)
		partial     bool   // Parse still returns the machine
	}{
		{"truncated in the coff header", func(b []byte) []byte { return b[:0x90] }, "truncated", false, false},
		{"truncated in the optional header", func(b []byte) []byte { return b[:0xC0] }, "reading headers", false, false},
		{"truncated in the section table", func(b []byte) []byte { return b[:0x1A0] }, "reading headers", false, false},
		{"truncated in the resource section", func(b []byte) []byte { return b[:l.rsrc+40] }, "past the end", false, true},
		{"truncated before the resource section", func(b []byte) []byte { return b[:l.rsrc] }, "past the end of the file", false, true},
		{"resource directory outside every section", func(b []byte) []byte { le32(b, l.resourceDir, 0x900000); return b }, "outside every section", false, true},
		{"type entry offset past the section", func(b []byte) []byte { le32(b, l.rsrc+20, 0x80000000|0x7FFFFFF0); return b }, "runs past the end of the section", false, true},
		{"type entry pointing at the root", func(b []byte) []byte { le32(b, l.rsrc+20, 0x80000000); return b }, "deeper than the three levels", false, true},
		{"type entry is data", func(b []byte) []byte { le32(b, l.rsrc+20, 72); return b }, "directory of names", false, true},
		{"huge entry count", func(b []byte) []byte { le16(b, l.rsrc+12, 0xFFFF); return b }, "more than the limit of 10000", false, true},
		{"entries past the section", func(b []byte) []byte { le16(b, l.rsrc+14, 5000); return b }, "run past the end of the section", false, true},
		{"data entry past the section", func(b []byte) []byte { le32(b, l.rsrc+68, 0x7FFFFFF0); return b }, "data entry", false, true},
		{"version data outside every section", func(b []byte) []byte { le32(b, l.rsrc+72, 0xFFFFFF00); return b }, "outside every section", false, true},
		{"empty version data", func(b []byte) []byte { le32(b, l.rsrc+76, 0); return b }, "the resource data is empty", false, true},
		{"version block of length zero", func(b []byte) []byte { le16(b, l.rsrc+88, 0); return b }, "shorter than its header", false, true},
		{"wrong root key", func(b []byte) []byte { b[l.rsrc+88+6] = 'X'; return b }, "want \"VS_VERSION_INFO\"", false, true},
		{"child block of length 3", func(b []byte) []byte {
			i := bytes.Index(b, utf16le("StringFileInfo"))
			le16(b, i-6, 3)
			return b
		}, "shorter than its header", false, true},
		{"unterminated key", func(b []byte) []byte {
			i := bytes.Index(b, utf16le("CompanyName"))
			le16(b, i-6, 6+4) // the block ends inside the key
			return b
		}, "key runs past the end of the block", false, true},
		{"certificate table past the end", func(b []byte) []byte {
			le32(b, l.securityDir, uint32(len(b)-4))
			le32(b, l.securityDir+4, 100)
			return b
		}, "runs past the end of the file", false, true},
		{"certificate entry longer than the table", func(b []byte) []byte {
			b = withCertTable(b, 2, []byte{0x30, 0x00})
			le32(b, len(b)-16, 0x1000)
			return b
		}, "outside the table", false, true},
		{"x.509 certificate entry only", func(b []byte) []byte { return withCertTable(b, 1, []byte{0x30, 0x00}) }, "no PKCS#7 signed data", true, true},
		{"not der", func(b []byte) []byte { return withCertTable(b, 2, []byte("definitely not DER")) }, "asn1", false, true},
		{"ber indefinite length", func(b []byte) []byte {
			return withCertTable(b, 2, []byte{0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02, 0x00, 0x00})
		}, "BER indefinite-length", true, true},
		{"other content type", func(b []byte) []byte {
			return withCertTable(b, 2, []byte{0x30, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01})
		}, "is not PKCS#7 signed data", false, true},
		{"signed data without content", func(b []byte) []byte {
			return withCertTable(b, 2, []byte{0x30, 0x0F, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02, 0xA0, 0x02, 0x30, 0x00})
		}, "signed data", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := pe.Parse(tt.corrupt(bytes.Clone(base)))
			if err == nil {
				t.Fatalf("no error; info %+v", info)
			}
			t.Log(err)
			if errors.Is(err, pe.ErrNotPE) {
				t.Fatalf("err = %v, want something other than ErrNotPE", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if got := errors.Is(err, errors.ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", got, tt.unsupported)
			}
			if tt.partial && (info == nil || info.Machine != "amd64") {
				t.Errorf("info = %+v, want the machine at least", info)
			}
			checkMessage(t, err)
		})
	}
}

// TestVersionQuirks covers version resources that bend the format the way
// some producers do.
func TestVersionQuirks(t *testing.T) {
	version := map[string]string{"CompanyName": "Northwind Security Ltd", "ProductName": "Shield"}
	base := petest.Build(version, nil)
	l := findLayout(t, base)
	block := func(b []byte, key string) int { return bytes.Index(b, utf16le(key)) - 6 }
	tests := []struct {
		name  string
		patch func(b []byte)
	}{
		{"root value typed as text", func(b []byte) { binary.LittleEndian.PutUint16(b[l.rsrc+88+4:], 1) }},
		{"string value length in bytes", func(b []byte) {
			i := block(b, "CompanyName")
			binary.LittleEndian.PutUint16(b[i+2:], 2*binary.LittleEndian.Uint16(b[i+2:]))
		}},
		{"string value length zero", func(b []byte) { binary.LittleEndian.PutUint16(b[block(b, "ProductName")+2:], 0) }},
		{"string value without its NUL", func(b []byte) {
			i := block(b, "ProductName")
			binary.LittleEndian.PutUint16(b[i:], binary.LittleEndian.Uint16(b[i:])-2)
		}},
		{"resource size past the section", func(b []byte) { binary.LittleEndian.PutUint32(b[l.rsrc+76:], 0x50000) }},
		{"root length past the resource", func(b []byte) { binary.LittleEndian.PutUint16(b[l.rsrc+88:], 0xFFF0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bytes.Clone(base)
			tt.patch(b)
			info, err := pe.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(info.Version, version) {
				t.Errorf("Version = %q, want %q", info.Version, version)
			}
		})
	}
}

// TestPartialResults checks that a broken version resource
// does not hide the signature, nor a truncated signature the version.
func TestPartialResults(t *testing.T) {
	version := map[string]string{"CompanyName": "Northwind"}
	signed := petest.Sign(t, petest.Build(version, nil), kaspersky)
	l := findLayout(t, signed)

	b := bytes.Clone(signed)
	binary.LittleEndian.PutUint16(b[l.rsrc+12:], 0xFFFF)
	info, err := pe.Parse(b)
	if err == nil || !strings.HasPrefix(err.Error(), "version resource: ") {
		t.Errorf("err = %v, want a version resource error", err)
	}
	if info == nil || info.Signature == nil || info.Signature.Signer.CommonName != "AO Kaspersky Lab" {
		t.Errorf("info = %+v, want the signature despite the broken resource", info)
	}

	info, err = pe.Parse(signed[:len(signed)-100])
	if err == nil || !strings.HasPrefix(err.Error(), "authenticode signature: ") {
		t.Errorf("err = %v, want a signature error", err)
	}
	if info == nil || !maps.Equal(info.Version, version) {
		t.Errorf("info = %+v, want the version despite the truncated signature", info)
	}
}

// TestTruncatedEverywhere cuts a signed file at every length: never a
// panic, and an error from the PE signature on.
func TestTruncatedEverywhere(t *testing.T) {
	data := petest.Build(map[string]string{"CompanyName": "Northwind"}, []byte("extra"))
	if petest.Available() {
		data = petest.Sign(t, data, kaspersky)
	}
	for n := range len(data) {
		info, err := pe.Parse(data[:n])
		if err == nil && n < 0x200 {
			t.Errorf("%d bytes: no error, info %+v", n, info)
		}
		if err != nil {
			checkMessage(t, err)
		}
	}
}

func TestPE32(t *testing.T) {
	// Turn the PE32+ image into a PE32 one: magic 0x10b, a 4-byte image
	// base and BaseOfData, 16 fewer bytes of optional header.
	data := petest.Build(map[string]string{"CompanyName": "Northwind", "ProductName": "Shield32"}, nil)
	opt := int(binary.LittleEndian.Uint32(data[0x3C:])) + 24
	out := bytes.Clone(data[:opt])
	binary.LittleEndian.PutUint16(out[opt-24+4:], 0x14C)    // I386
	binary.LittleEndian.PutUint16(out[opt-24+4+16:], 224)   // SizeOfOptionalHeader
	binary.LittleEndian.PutUint16(out[opt-24+4+18:], 0x102) // EXECUTABLE_IMAGE | 32BIT_MACHINE
	o := data[opt:]
	pe32 := make([]byte, 224)
	binary.LittleEndian.PutUint16(pe32, 0x10B)
	copy(pe32[2:24], o[2:24])                            // linker version .. BaseOfCode
	binary.LittleEndian.PutUint32(pe32[28:], 0x00400000) // ImageBase
	copy(pe32[32:68], o[32:68])                          // alignment .. CheckSum
	copy(pe32[68:72], o[68:72])                          // Subsystem, DllCharacteristics
	for i := range 4 {                                   // stack and heap sizes
		binary.LittleEndian.PutUint32(pe32[72+4*i:], uint32(binary.LittleEndian.Uint64(o[72+8*i:])))
	}
	copy(pe32[88:], o[104:240]) // LoaderFlags, NumberOfRvaAndSizes, data directories
	out = append(out, pe32...)
	out = append(out, data[opt+240:0x200]...)
	out = append(out, make([]byte, 16)...) // keep section data where the headers say
	out = append(out, data[0x200:]...)

	info, err := pe.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Machine != "386" || info.Version["ProductName"] != "Shield32" {
		t.Errorf("got %+v", info)
	}
	if _, ok := mustPE(t, out).OptionalHeader.(*debugpe.OptionalHeader32); !ok {
		t.Error("not a PE32 image")
	}
	if petest.Available() {
		info, err := pe.Parse(petest.Sign(t, out, kaspersky))
		if err != nil {
			t.Fatal(err)
		}
		if s := info.Signature; s == nil || s.Signer.CommonName != "AO Kaspersky Lab" || s.DigestValid == nil || !*s.DigestValid {
			t.Errorf("PE32 signature %+v", s)
		}
	}
}

// TestLenientHeaders covers files debug/pe refuses but Windows loads.
func TestLenientHeaders(t *testing.T) {
	version := map[string]string{"CompanyName": "Northwind"}
	tests := []struct {
		name    string
		patch   func(b []byte, coff int)
		machine string
	}{
		{"unknown machine", func(b []byte, coff int) { binary.LittleEndian.PutUint16(b[coff:], 0x0200) }, "ia64"},
		{"arm64ec", func(b []byte, coff int) { binary.LittleEndian.PutUint16(b[coff:], 0xA641) }, "arm64ec"},
		{"stale symbol table", func(b []byte, coff int) {
			binary.LittleEndian.PutUint32(b[coff+8:], 0x7FFFFF00)
			binary.LittleEndian.PutUint32(b[coff+12:], 10)
		}, "amd64"},
		{"fewer data directories than room", func(b []byte, coff int) { binary.LittleEndian.PutUint32(b[coff+20+108:], 15) }, "amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := petest.Build(version, nil)
			coff := int(binary.LittleEndian.Uint32(data[0x3C:])) + 4
			tt.patch(data, coff)
			if _, err := debugpe.NewFile(bytes.NewReader(data)); err == nil {
				t.Log("debug/pe accepts this one")
			}
			info, err := pe.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if info.Machine != tt.machine || !maps.Equal(info.Version, version) {
				t.Errorf("got %+v, want machine %s", info, tt.machine)
			}
		})
	}
}

func TestFewDataDirectories(t *testing.T) {
	// Two data directories: the resource directory does not exist, whatever
	// the bytes where it would be say.
	data := petest.Build(map[string]string{"CompanyName": "Northwind"}, nil)
	coff := int(binary.LittleEndian.Uint32(data[0x3C:])) + 4
	binary.LittleEndian.PutUint32(data[coff+20+108:], 2)
	info, err := pe.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != nil {
		t.Errorf("Version = %q, want none", info.Version)
	}
}

// TestRealSignedFile reads a real EV-signed file when the module cache
// has golang.org/x/sys's copy of it: a signature made by Windows tooling,
// with an RFC 3161 timestamp and a certificate that has since expired.
func TestRealSignedFile(t *testing.T) {
	const want = "5d92ebb58e887fe05878ac8805bc125eb47916764678668cd8cbd4c092cd6667"
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skip("no module cache:", err)
	}
	paths, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "golang.org/x/sys@*/windows/testdata/ev-signed-file.exe"))
	var data []byte
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && fmt.Sprintf("%x", sha256.Sum256(b)) == want {
			data = b
			break
		}
	}
	if data == nil {
		t.Skip("golang.org/x/sys's windows/testdata/ev-signed-file.exe is not in the module cache")
	}
	info, err := pe.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	sig := info.Signature
	if info.Machine != "386" || sig == nil {
		t.Fatalf("got %+v", info)
	}
	if sig.Signer.CommonName != "WireGuard LLC" || !slices.Equal(sig.Signer.Organization, []string{"WireGuard LLC"}) ||
		sig.Signer.SerialNumber != "663d5fca728882f36ff1bdf5d85f0ba" || !strings.Contains(sig.Signer.Issuer, "DigiCert") {
		t.Errorf("Signer = %+v", sig.Signer)
	}
	if sig.DigestAlgorithm != "sha256" || sig.DigestValid == nil || !*sig.DigestValid || len(sig.Chain) != 2 {
		t.Errorf("digest %s valid %v, %d certificates", sig.DigestAlgorithm, sig.DigestValid, len(sig.Chain))
	}
	// The timestamp and the chain verify against the system roots, which
	// vary from machine to machine.
	t.Logf("Verified %v (%s), Timestamp %v", sig.Verified, sig.VerifyError, sig.Timestamp)
	if ts := time.Date(2021, 11, 23, 17, 4, 26, 0, time.UTC); !sig.Timestamp.IsZero() && !sig.Timestamp.Equal(ts) {
		t.Errorf("Timestamp = %v, want %v", sig.Timestamp, ts)
	}
}

func mustPE(t *testing.T, data []byte) *debugpe.File {
	t.Helper()
	f, err := debugpe.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// checkMessage holds errors to the house style: lower case, one line, no
// trailing period.
func checkMessage(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if msg == "" || strings.ContainsAny(msg, "\n") || strings.HasSuffix(msg, ".") || strings.ToLower(msg[:1]) != msg[:1] {
		t.Errorf("error message %q: want one lower-case line without a trailing period", msg)
	}
}
