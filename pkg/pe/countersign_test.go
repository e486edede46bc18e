package pe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
)

// TestLegacyCountersignature adds a PKCS#9 countersignature, the timestamp
// of older Authenticode signatures (which osslsigncode makes only with a
// time-stamping server at hand), to a signature osslsigncode made, and
// signs it with an ECDSA key to cover that path too.
func TestLegacyCountersignature(t *testing.T) {
	now := time.Now()
	longAgo := now.AddDate(-3, 0, 0)
	when := longAgo.AddDate(0, 6, 0).UTC().Truncate(time.Second)
	s := petest.SignWith(t, petest.Build(map[string]string{"CompanyName": "Northwind"}, nil), petest.Options{
		Subject: kaspersky, NotBefore: longAgo, NotAfter: longAgo.AddDate(1, 0, 0),
	})
	data, tsa := countersign(t, s.Data, when)

	tests := []struct {
		name      string
		roots     *x509.CertPool
		verified  bool
		wantError string
		timestamp time.Time
	}{
		{"trusted time-stamping authority", pool(s.Cert, tsa), true, "", when},
		{"untrusted time-stamping authority", pool(s.Cert), false, "timestamp not used: countersignature: x509: certificate signed by unknown authority", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := parse(data, options{roots: tt.roots, now: now})
			if err != nil {
				t.Fatal(err)
			}
			sig := info.Signature
			t.Logf("Verified %v, VerifyError %q", sig.Verified, sig.VerifyError)
			if sig.Verified != tt.verified || !strings.Contains(sig.VerifyError, tt.wantError) {
				t.Errorf("Verified %v, VerifyError %q; want %v, %q", sig.Verified, sig.VerifyError, tt.verified, tt.wantError)
			}
			if !sig.Timestamp.Equal(tt.timestamp) {
				t.Errorf("Timestamp = %v, want %v", sig.Timestamp, tt.timestamp)
			}
			if sig.DigestValid == nil || !*sig.DigestValid || len(sig.Chain) != 2 {
				t.Errorf("DigestValid %v, chain %+v", sig.DigestValid, sig.Chain)
			}
		})
	}
}

// countersign returns data with a countersignature made at when by a fresh
// time-stamping authority added to its signature, and that authority.
func countersign(t testing.TB, data []byte, when time.Time) ([]byte, *x509.Certificate) {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	img, err := open(data)
	if err != nil {
		t.Fatal(err)
	}
	off, size := img.dir(dirSecurity)
	blob, err := signedDataBlob(data[off : off+size])
	if err != nil {
		t.Fatal(err)
	}
	// The signed data with its parts raw, for writing back.
	type rawSignedData struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		ContentInfo      asn1.RawValue
		Certificates     asn1.RawValue `asn1:"optional,tag:0"`
		CRLs             asn1.RawValue `asn1:"optional,tag:1"`
		SignerInfos      asn1.RawValue
	}
	var ci contentInfo
	var sd rawSignedData
	var si signerInfoASN
	must(asn1.Unmarshal(blob, &ci))
	must(asn1.Unmarshal(ci.Content.Bytes, &sd))
	must(asn1.Unmarshal(sd.SignerInfos.Bytes, &si))

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(77),
		Subject:      pkix.Name{CommonName: "legacy TSA"},
		NotBefore:    when.AddDate(-1, 0, 0),
		NotAfter:     when.AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	}
	tsa, err := x509.ParseCertificate(must(x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)))
	if err != nil {
		t.Fatal(err)
	}

	set := func(b []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: b}
	}
	attr := func(oid asn1.ObjectIdentifier, v any) []byte {
		return must(asn1.Marshal(attribute{Type: oid, Values: set(must(asn1.Marshal(v)))}))
	}
	md := sha256.Sum256(si.EncryptedDigest)
	var attrs []byte
	attrs = append(attrs, attr(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})...)
	attrs = append(attrs, attr(oidSigningTime, when)...)
	attrs = append(attrs, attr(oidMessageDigest, md[:])...)
	digest := sha256.Sum256(must(asn1.Marshal(set(attrs))))
	signature := must(ecdsa.SignASN1(rand.Reader, key, digest[:]))
	sid := must(asn1.Marshal(issuerAndSerial{
		Issuer: asn1.RawValue{FullBytes: tsa.RawIssuer},
		Serial: asn1.RawValue{FullBytes: must(asn1.Marshal(tsa.SerialNumber))},
	}))
	cs := must(asn1.Marshal(signerInfoASN{
		Version:                   1,
		SID:                       asn1.RawValue{FullBytes: sid},
		DigestAlgorithm:           algorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}},
		AuthenticatedAttributes:   asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: attrs},
		DigestEncryptionAlgorithm: algorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}},
		EncryptedDigest:           signature,
	}))
	si.UnauthenticatedAttributes = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true,
		Bytes: must(asn1.Marshal(attribute{Type: oidCounterSignature, Values: set(cs)}))}
	sd.SignerInfos = set(must(asn1.Marshal(si)))
	sd.Certificates = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
		Bytes: append(append([]byte(nil), sd.Certificates.Bytes...), tsa.Raw...)}
	blob = must(asn1.Marshal(struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue
	}{oidSignedData, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: must(asn1.Marshal(sd))}}))

	table := make([]byte, 8, 8+len(blob)+8)
	binary.LittleEndian.PutUint32(table, uint32(8+len(blob)))
	binary.LittleEndian.PutUint16(table[4:], 0x0200)
	binary.LittleEndian.PutUint16(table[6:], winCertTypePKCSSignedData)
	table = append(table, blob...)
	for len(table)%8 != 0 {
		table = append(table, 0)
	}
	out := append(append([]byte(nil), data[:off]...), table...)
	secEntry := img.optHeader() + optDirCount(img.pe32plus) + 4 + 8*dirSecurity
	binary.LittleEndian.PutUint32(out[secEntry+4:], uint32(len(table)))
	return out, tsa
}
