package pe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
)

// These tests trust the test certificates, which Parse, bound to the
// system roots, cannot.

var kaspersky = pkix.Name{CommonName: "AO Kaspersky Lab", Organization: []string{"AO Kaspersky Lab"}}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		if c != nil {
			p.AddCert(c)
		}
	}
	return p
}

func TestVerify(t *testing.T) {
	now := time.Now()
	longAgo := now.AddDate(-3, 0, 0)
	version := map[string]string{"CompanyName": "Northwind Security Ltd"}
	tests := []struct {
		name      string
		opts      petest.Options
		trust     func(s petest.Signed) *x509.CertPool
		change    bool // flip a byte of .text after signing
		verified  bool
		wantError string
		timestamp time.Time
	}{
		{
			name:     "trusted",
			opts:     petest.Options{Subject: kaspersky},
			trust:    func(s petest.Signed) *x509.CertPool { return pool(s.Cert) },
			verified: true,
		},
		{
			name:      "untrusted",
			opts:      petest.Options{Subject: kaspersky},
			trust:     func(s petest.Signed) *x509.CertPool { return pool() },
			wantError: "unknown authority",
		},
		{
			name:      "changed after signing",
			opts:      petest.Options{Subject: kaspersky},
			trust:     func(s petest.Signed) *x509.CertPool { return pool(s.Cert) },
			change:    true,
			wantError: "changed after signing",
		},
		{
			name:      "expired without timestamp",
			opts:      petest.Options{Subject: kaspersky, NotBefore: longAgo, NotAfter: longAgo.AddDate(1, 0, 0)},
			trust:     func(s petest.Signed) *x509.CertPool { return pool(s.Cert) },
			wantError: "expired",
		},
		{
			name: "expired with a trusted timestamp",
			opts: petest.Options{Subject: kaspersky, NotBefore: longAgo, NotAfter: longAgo.AddDate(1, 0, 0),
				TimestampAt: longAgo.AddDate(0, 6, 0)},
			trust:     func(s petest.Signed) *x509.CertPool { return pool(s.Cert, s.TSACert) },
			verified:  true,
			timestamp: longAgo.AddDate(0, 6, 0),
		},
		{
			name: "expired with an untrusted timestamp",
			opts: petest.Options{Subject: kaspersky, NotBefore: longAgo, NotAfter: longAgo.AddDate(1, 0, 0),
				TimestampAt: longAgo.AddDate(0, 6, 0)},
			trust:     func(s petest.Signed) *x509.CertPool { return pool(s.Cert) },
			wantError: "timestamp not used: rfc 3161 timestamp: x509: certificate signed by unknown authority",
		},
		{
			name: "timestamp after the certificate expired",
			opts: petest.Options{Subject: kaspersky, NotBefore: longAgo, NotAfter: longAgo.AddDate(1, 0, 0),
				TimestampAt: longAgo.AddDate(2, 0, 0)},
			trust:     func(s petest.Signed) *x509.CertPool { return pool(s.Cert, s.TSACert) },
			wantError: "expired",
			timestamp: longAgo.AddDate(2, 0, 0),
		},
		{
			name:     "sha1",
			opts:     petest.Options{Subject: kaspersky, Hash: "sha1"},
			trust:    func(s petest.Signed) *x509.CertPool { return pool(s.Cert) },
			verified: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := petest.SignWith(t, petest.Build(version, nil), tt.opts)
			if tt.change {
				s.Data[0x200] ^= 0xFF
			}
			info, err := parse(s.Data, options{roots: tt.trust(s), now: now})
			if err != nil {
				t.Fatal(err)
			}
			sig := info.Signature
			if sig == nil {
				t.Fatal("no signature")
			}
			t.Logf("Verified %v, VerifyError %q", sig.Verified, sig.VerifyError)
			if sig.Verified != tt.verified || !strings.Contains(sig.VerifyError, tt.wantError) || (tt.verified && sig.VerifyError != "") {
				t.Errorf("Verified %v, VerifyError %q; want %v, %q", sig.Verified, sig.VerifyError, tt.verified, tt.wantError)
			}
			if want := !tt.change; sig.DigestValid == nil || *sig.DigestValid != want {
				t.Errorf("DigestValid = %v, want %v", sig.DigestValid, want)
			}
			if !sig.Timestamp.Equal(tt.timestamp.Truncate(time.Second)) {
				t.Errorf("Timestamp = %v, want %v", sig.Timestamp, tt.timestamp)
			}
			if sig.Signer.CommonName != "AO Kaspersky Lab" {
				t.Errorf("Signer = %+v", sig.Signer)
			}
		})
	}
}

func TestNested(t *testing.T) {
	data := petest.Build(map[string]string{"CompanyName": "Northwind"}, nil)
	first := petest.SignWith(t, data, petest.Options{Subject: kaspersky, Hash: "sha1"})
	second := petest.SignWith(t, first.Data, petest.Options{
		Subject: pkix.Name{CommonName: "Northwind Security Ltd", Organization: []string{"Northwind Security Ltd"}},
		Hash:    "sha256",
		Nest:    true,
	})
	info, err := parse(second.Data, options{roots: pool(first.Cert, second.Cert)})
	if err != nil {
		t.Fatal(err)
	}
	sig := info.Signature
	if sig == nil || sig.Signer.CommonName != "AO Kaspersky Lab" || sig.DigestAlgorithm != "sha1" || !sig.Verified {
		t.Fatalf("primary signature %+v", sig)
	}
	if len(sig.Nested) != 1 {
		t.Fatalf("%d nested signatures, want 1", len(sig.Nested))
	}
	n := sig.Nested[0]
	if n.Signer.CommonName != "Northwind Security Ltd" || n.DigestAlgorithm != "sha256" || !n.Verified || n.DigestValid == nil || !*n.DigestValid {
		t.Errorf("nested signature %+v", n)
	}
}

func TestIndefinite(t *testing.T) {
	tests := []struct {
		name string
		der  []byte
		want bool
	}{
		{"der", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, false},
		{"outer", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, true},
		{"inner", []byte{0x30, 0x06, 0xA0, 0x80, 0x05, 0x00, 0x00, 0x00}, true},
		{"primitive 0x80 is not", []byte{0x04, 0x80}, false},
		{"truncated", []byte{0x30, 0x84, 0xFF}, false},
		{"high tag", []byte{0x3F, 0x81, 0x01, 0x80, 0x00, 0x00}, true},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := indefinite(tt.der, 0); got != tt.want {
			t.Errorf("%s: indefinite(% x) = %v, want %v", tt.name, tt.der, got, tt.want)
		}
	}
}

func TestLenientCert(t *testing.T) {
	// A certificate crypto/x509 refuses: a negative serial number.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x7A1B2C3D4E5F),
		Subject:      kaspersky,
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	// Set the top bit of the serial number's first octet.
	tlv, err := asn1.Marshal(tmpl.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(der, tlv)
	if i < 0 {
		t.Fatal("serial not found")
	}
	bad := bytes.Clone(der)
	bad[i+2] |= 0x80
	if _, err := x509.ParseCertificate(bad); err == nil {
		t.Skip("crypto/x509 accepts negative serial numbers here")
	}
	e, err := parseCert(bad)
	if err != nil {
		t.Fatal(err)
	}
	if e.cert != nil || e.err == nil {
		t.Errorf("cert %v, err %v; want the lenient path", e.cert, e.err)
	}
	if e.info.CommonName != "AO Kaspersky Lab" || !strings.HasPrefix(e.info.SerialNumber, "-") || !e.info.NotAfter.Equal(tmpl.NotAfter) {
		t.Errorf("info %+v", e.info)
	}
}
