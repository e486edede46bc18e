// Package petest builds small Windows PE files for tests: a minimal PE32+
// image with a version resource and arbitrary extra bytes, and
// Authenticode-signed copies of it made with osslsigncode.
package petest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

const (
	fileAlign    = 0x200
	sectionAlign = 0x1000
	headersSize  = 0x200
	peOffset     = 0x80 // e_lfanew: after the DOS header and a short stub
	optHdrSize   = 240  // PE32+ optional header with 16 data directories
)

type section struct {
	name  string
	data  []byte
	flags uint32
	rva   uint32 // filled by Build
	off   uint32 // filled by Build
}

// Build returns a minimal but valid PE32+ (amd64) image: headers, one .text
// section with a few bytes, and, when version is non-empty, a .rsrc section
// with a VS_VERSIONINFO resource holding those strings (StringFileInfo
// "040904B0"). extra, when non-empty, is placed in a .rdata section (lets
// tests embed strings such as update hosts).
//
// A "FileVersion" or "ProductVersion" of the form a.b.c.d also fills the
// binary VS_FIXEDFILEINFO. The image is accepted by debug/pe and by
// osslsigncode (sign and verify); it has no imports and its entry point
// returns at once.
func Build(version map[string]string, extra []byte) []byte {
	// .text: xor eax, eax; ret. Flags: CODE | EXECUTE | READ.
	text := []byte{0x31, 0xC0, 0xC3}
	secs := []*section{{name: ".text", data: text, flags: 0x60000020}}
	if len(extra) > 0 {
		secs = append(secs, &section{name: ".rdata", data: extra, flags: 0x40000040}) // INITIALIZED_DATA | READ
	}
	var rsrc *section
	if len(version) > 0 {
		rsrc = &section{name: ".rsrc", flags: 0x40000040}
		secs = append(secs, rsrc)
	}

	// Lay the sections out; the resource section's contents hold RVAs of
	// their own, so it is filled in once its address is known.
	rva, off := uint32(sectionAlign), uint32(headersSize)
	for _, s := range secs {
		s.rva, s.off = rva, off
		if s == rsrc {
			s.data = resourceSection(s.rva, versionInfo(version))
		}
		rva += alignUp(uint32(len(s.data)), sectionAlign)
		off += alignUp(uint32(len(s.data)), fileAlign)
	}
	sizeOfImage := rva
	out := make([]byte, off)

	// DOS header and stub.
	copy(out, "MZ")
	le16(out[0x02:], 0x90)   // bytes on last page
	le16(out[0x04:], 3)      // pages
	le16(out[0x08:], 4)      // header paragraphs
	le16(out[0x0C:], 0xFFFF) // max extra paragraphs
	le16(out[0x10:], 0xB8)   // initial SP
	le16(out[0x18:], 0x40)   // relocation table offset
	le32(out[0x3C:], peOffset)
	copy(out[0x40:], []byte{0x0E, 0x1F, 0xBA, 0x0E, 0x00, 0xB4, 0x09, 0xCD, 0x21, 0xB8, 0x01, 0x4C, 0xCD, 0x21})
	copy(out[0x4E:], "This program cannot be run in DOS mode.\r\r\n$")

	// PE signature and COFF file header.
	p := out[peOffset:]
	copy(p, "PE\x00\x00")
	coff := p[4:]
	le16(coff[0:], 0x8664) // IMAGE_FILE_MACHINE_AMD64
	le16(coff[2:], uint16(len(secs)))
	le16(coff[16:], optHdrSize)
	le16(coff[18:], 0x0022) // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE

	// PE32+ optional header.
	opt := coff[20:]
	le16(opt[0:], 0x20B)
	opt[2] = 14 // linker version
	var code, data uint32
	for _, s := range secs {
		if s.flags&0x20 != 0 {
			code += alignUp(uint32(len(s.data)), fileAlign)
		} else {
			data += alignUp(uint32(len(s.data)), fileAlign)
		}
	}
	le32(opt[4:], code)
	le32(opt[8:], data)
	le32(opt[16:], secs[0].rva) // AddressOfEntryPoint
	le32(opt[20:], secs[0].rva) // BaseOfCode
	le64(opt[24:], 0x140000000) // ImageBase
	le32(opt[32:], sectionAlign)
	le32(opt[36:], fileAlign)
	le16(opt[40:], 6) // operating system version
	le16(opt[48:], 6) // subsystem version
	le32(opt[56:], sizeOfImage)
	le32(opt[60:], headersSize)
	// CheckSum (opt[64:]) stays 0: osslsigncode fills it in.
	le16(opt[68:], 3)      // IMAGE_SUBSYSTEM_WINDOWS_CUI
	le16(opt[70:], 0x8160) // HIGH_ENTROPY_VA | DYNAMIC_BASE | NX_COMPAT | TERMINAL_SERVER_AWARE
	le64(opt[72:], 0x100000)
	le64(opt[80:], 0x1000)
	le64(opt[88:], 0x100000)
	le64(opt[96:], 0x1000)
	le32(opt[108:], 16) // NumberOfRvaAndSizes
	if rsrc != nil {
		dd := opt[112+2*8:] // IMAGE_DIRECTORY_ENTRY_RESOURCE
		le32(dd[0:], rsrc.rva)
		le32(dd[4:], uint32(len(rsrc.data)))
	}
	// The security directory (entry 4) stays empty for the signer to fill.

	// Section headers and contents.
	sh := opt[optHdrSize:]
	for i, s := range secs {
		h := sh[i*40:]
		copy(h[0:8], s.name)
		le32(h[8:], uint32(len(s.data)))                      // VirtualSize
		le32(h[12:], s.rva)                                   // VirtualAddress
		le32(h[16:], alignUp(uint32(len(s.data)), fileAlign)) // SizeOfRawData
		le32(h[20:], s.off)                                   // PointerToRawData
		le32(h[36:], s.flags)
		copy(out[s.off:], s.data)
	}
	return out
}

// resourceSection lays out a resource directory with one RT_VERSION
// resource, ID 1, language 0x0409, whose data is vi; base is the section's
// RVA, which the data entry needs.
func resourceSection(base uint32, vi []byte) []byte {
	const (
		typeDir   = 0
		nameDir   = typeDir + 16 + 8
		langDir   = nameDir + 16 + 8
		dataEnt   = langDir + 16 + 8
		dataOff   = dataEnt + 16
		subdir    = 0x80000000
		rtVersion = 16
	)
	b := make([]byte, dataOff+len(vi))
	dir := func(at int, id, target uint32) {
		le16(b[at+14:], 1) // NumberOfIdEntries
		le32(b[at+16:], id)
		le32(b[at+20:], target)
	}
	dir(typeDir, rtVersion, subdir|nameDir)
	dir(nameDir, 1, subdir|langDir)
	dir(langDir, 0x0409, dataEnt)
	le32(b[dataEnt:], base+dataOff)
	le32(b[dataEnt+4:], uint32(len(vi)))
	copy(b[dataOff:], vi)
	return b
}

// versionInfo encodes a VS_VERSIONINFO block with one string table,
// "040904B0" (U.S. English, Unicode), and the matching translation.
func versionInfo(strs map[string]string) []byte {
	keys := make([]string, 0, len(strs))
	for k := range strs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var table [][]byte
	for _, k := range keys {
		v := append(utf16.Encode([]rune(strs[k])), 0)
		table = append(table, block(k, 1, len(v), utf16Bytes(v)))
	}
	fixed := make([]byte, 52) // VS_FIXEDFILEINFO
	le32(fixed[0:], 0xFEEF04BD)
	le32(fixed[4:], 0x00010000)
	fms, fls := versionWords(strs["FileVersion"])
	pms, pls := versionWords(strs["ProductVersion"])
	le32(fixed[8:], fms)
	le32(fixed[12:], fls)
	le32(fixed[16:], pms)
	le32(fixed[20:], pls)
	le32(fixed[24:], 0x3F)    // FileFlagsMask
	le32(fixed[32:], 0x40004) // VOS_NT_WINDOWS32
	le32(fixed[36:], 1)       // VFT_APP
	translation := []byte{0x09, 0x04, 0xB0, 0x04}
	return block("VS_VERSION_INFO", 0, len(fixed), fixed,
		block("StringFileInfo", 1, 0, nil,
			block("040904B0", 1, 0, nil, table...)),
		block("VarFileInfo", 1, 0, nil,
			block("Translation", 0, len(translation), translation)))
}

// block encodes one version-resource node: wLength, wValueLength, wType,
// the key, padding to 32 bits, the value, padding, and the children, each
// starting on a 32-bit boundary. valueLen is in the unit the format uses:
// WORDs for text (typ 1), bytes for binary data.
func block(key string, typ uint16, valueLen int, value []byte, children ...[]byte) []byte {
	b := make([]byte, 6)
	b = append(b, utf16Bytes(append(utf16.Encode([]rune(key)), 0))...)
	b = pad4(b)
	b = append(b, value...)
	for _, c := range children {
		b = pad4(b)
		b = append(b, c...)
	}
	le16(b[0:], uint16(len(b)))
	le16(b[2:], uint16(valueLen))
	le16(b[4:], typ)
	return b
}

func versionWords(s string) (ms, ls uint32) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return 0, 0
	}
	var n [4]uint32
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return 0, 0
		}
		n[i] = uint32(v)
	}
	return n[0]<<16 | n[1], n[2]<<16 | n[3]
}

func utf16Bytes(u []uint16) []byte {
	b := make([]byte, 2*len(u))
	for i, c := range u {
		le16(b[2*i:], c)
	}
	return b
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func alignUp(n, a uint32) uint32 { return (n + a - 1) &^ (a - 1) }

func le16(b []byte, v uint16) { binary.LittleEndian.PutUint16(b, v) }
func le32(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }
func le64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }

// Options says how SignWith signs.
type Options struct {
	// Subject is the subject (and issuer) of the fresh self-signed
	// code-signing certificate.
	Subject pkix.Name
	// Hash is the digest osslsigncode uses: "sha256" (the default), "sha1",
	// "sha384", "sha512" or "md5".
	Hash string
	// NotBefore and NotAfter bound the certificate's validity; they default
	// to an hour ago and a year from now.
	NotBefore, NotAfter time.Time
	// TimestampAt, when non-zero, adds an RFC 3161 timestamp made at that
	// time by osslsigncode's built-in test time-stamping authority, whose
	// own self-signed certificate is fresh too.
	TimestampAt time.Time
	// Nest adds the signature to an already signed file as a nested
	// signature (osslsigncode -nest) instead of replacing it.
	Nest bool
}

// Signed is what SignWith made.
type Signed struct {
	Data []byte
	// Cert is the self-signed signing certificate.
	Cert *x509.Certificate
	// TSACert is the time-stamping authority's self-signed certificate,
	// nil without a timestamp.
	TSACert *x509.Certificate
}

// Sign signs data with osslsigncode using a fresh self-signed code-signing
// certificate whose subject is the given name (e.g. O="AO Kaspersky Lab",
// CN="AO Kaspersky Lab"), made with crypto/x509 and written as PEM to
// t.TempDir(). It calls t.Skip when osslsigncode is not installed.
func Sign(t testing.TB, data []byte, subject pkix.Name) []byte {
	t.Helper()
	return SignWith(t, data, Options{Subject: subject}).Data
}

// Available reports whether osslsigncode is installed, for callers (such
// as fuzz targets seeding their corpus) that want to go on without it
// rather than skip.
func Available() bool {
	_, err := exec.LookPath("osslsigncode")
	return err == nil
}

// SkipMessage is what Sign and SignWith skip with when osslsigncode is
// missing.
const SkipMessage = "osslsigncode not installed: apt-get install osslsigncode"

// SignWith is Sign with options; it also returns the certificates, so that
// tests can trust them.
func SignWith(t testing.TB, data []byte, o Options) Signed {
	t.Helper()
	tool, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Skip(SkipMessage)
	}
	dir := t.TempDir()
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.AddDate(1, 0, 0)
	}
	if o.Hash == "" {
		o.Hash = "sha256"
	}
	cert, certFile, keyFile := selfSigned(t, dir, "signer", o.Subject, o.NotBefore, o.NotAfter, x509.ExtKeyUsageCodeSigning)
	in, out := filepath.Join(dir, "in.exe"), filepath.Join(dir, "out.exe")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"sign", "-certs", certFile, "-key", keyFile, "-h", o.Hash, "-n", "petest"}
	if o.Nest {
		args = append(args, "-nest")
	}
	var tsa *x509.Certificate
	if !o.TimestampAt.IsZero() {
		var tsaCert, tsaKey string
		tsa, tsaCert, tsaKey = selfSigned(t, dir, "tsa", pkix.Name{CommonName: "petest TSA", Organization: []string{"petest"}},
			o.TimestampAt.AddDate(-1, 0, 0), o.TimestampAt.AddDate(10, 0, 0), x509.ExtKeyUsageTimeStamping)
		args = append(args, "-TSA-certs", tsaCert, "-TSA-key", tsaKey, "-TSA-time", strconv.FormatInt(o.TimestampAt.Unix(), 10))
	}
	args = append(args, "-in", in, "-out", out)
	cmd := exec.Command(tool, args...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		t.Fatalf("osslsigncode %s: %v\n%s", strings.Join(args, " "), err, output.String())
	}
	signed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return Signed{Data: signed, Cert: cert, TSACert: tsa}
}

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

// selfSigned makes a self-signed certificate for one extended key usage
// and writes it and its key as PEM files in dir. The RSA key is shared by
// all certificates of the process: generating one takes long, and tests
// only care about the certificates.
func selfSigned(t testing.TB, dir, name string, subject pkix.Name, notBefore, notAfter time.Time, usage x509.ExtKeyUsage) (*x509.Certificate, string, string) {
	t.Helper()
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if keyErr != nil {
		t.Fatal(keyErr)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial.Add(serial, big.NewInt(1)),
		Subject:               subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{usage},
		BasicConstraintsValid: true,
	}
	if usage == x509.ExtKeyUsageTimeStamping {
		// RFC 3161 wants the time-stamping usage alone and critical, and
		// OpenSSL insists; crypto/x509 marks it non-critical, so it goes in
		// by hand.
		oids, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
		if err != nil {
			t.Fatal(err)
		}
		tmpl.ExtKeyUsage = nil
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: oids}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, name+".pem")
	keyFile := filepath.Join(dir, name+".key")
	for file, block := range map[string]*pem.Block{
		certFile: {Type: "CERTIFICATE", Bytes: der},
		keyFile:  {Type: "PRIVATE KEY", Bytes: pkcs8},
	} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(fmt.Errorf("writing %s: %w", name, err))
		}
	}
	return cert, certFile, keyFile
}
