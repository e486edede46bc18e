package pe

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"time"
)

// certEntry is a certificate of a signature: what it says, and the parsed
// certificate when crypto/x509 accepts it.
type certEntry struct {
	info Cert
	cert *x509.Certificate // nil when crypto/x509 rejects the certificate
	err  error             // why it did
	// rawIssuer, serial and ski identify the certificate to a SignerInfo.
	rawIssuer []byte
	serial    *big.Int
	ski       []byte
}

// parseCert parses a certificate with crypto/x509 or, when that refuses it
// (old certificates with negative serial numbers or odd names abound in
// signed software), reads its names, serial number and validity alone.
func parseCert(der []byte) (*certEntry, error) {
	c, err := x509.ParseCertificate(der)
	if err == nil {
		return &certEntry{
			info: Cert{
				Subject:      c.Subject.String(),
				Issuer:       c.Issuer.String(),
				SerialNumber: c.SerialNumber.Text(16),
				CommonName:   c.Subject.CommonName,
				Organization: c.Subject.Organization,
				NotBefore:    c.NotBefore,
				NotAfter:     c.NotAfter,
			},
			cert:      c,
			rawIssuer: c.RawIssuer,
			serial:    c.SerialNumber,
			ski:       c.SubjectKeyId,
		}, nil
	}
	e, lerr := lenientCert(der)
	if lerr != nil {
		return nil, err
	}
	e.err = err
	return e, nil
}

// lenientCert reads the subject, issuer, serial number and validity of a
// certificate that crypto/x509 rejects.
func lenientCert(der []byte) (*certEntry, error) {
	var c struct {
		TBS struct {
			Version  int `asn1:"optional,explicit,default:0,tag:0"`
			Serial   asn1.RawValue
			SigAlg   asn1.RawValue
			Issuer   asn1.RawValue
			Validity asn1.RawValue
			Subject  asn1.RawValue
		}
	}
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		return nil, err
	}
	tbs := c.TBS
	if tbs.Serial.Class != asn1.ClassUniversal || tbs.Serial.Tag != asn1.TagInteger {
		return nil, errors.New("no serial number")
	}
	serial := twosComplement(tbs.Serial.Bytes)
	subject, _ := parseName(tbs.Subject.FullBytes)
	issuer, _ := parseName(tbs.Issuer.FullBytes)
	var validity struct{ NotBefore, NotAfter time.Time }
	_, _ = asn1.Unmarshal(tbs.Validity.FullBytes, &validity) // zero when unreadable
	return &certEntry{
		info: Cert{
			Subject:      subject.String(),
			Issuer:       issuer.String(),
			SerialNumber: serial.Text(16),
			CommonName:   subject.CommonName,
			Organization: subject.Organization,
			NotBefore:    validity.NotBefore,
			NotAfter:     validity.NotAfter,
		},
		rawIssuer: tbs.Issuer.FullBytes,
		serial:    serial,
	}, nil
}

func parseName(der []byte) (pkix.Name, error) {
	var rdns pkix.RDNSequence
	var n pkix.Name
	if _, err := asn1.Unmarshal(der, &rdns); err != nil {
		return n, err
	}
	n.FillFromRDNSequence(&rdns)
	return n, nil
}

// twosComplement decodes a DER INTEGER's value octets, minimal or not.
func twosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return n
}

// issuerAndSerial is CMS's IssuerAndSerialNumber, the serial left raw so
// that non-minimal encodings still match.
type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

// findSigner returns the certificate a SignerInfo names, nil when none
// does.
func findSigner(certs []*certEntry, si *signerInfoASN) *certEntry {
	sid := si.SID
	if sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 { // subjectKeyIdentifier
		for _, c := range certs {
			if len(c.ski) > 0 && bytes.Equal(c.ski, sid.Bytes) {
				return c
			}
		}
		return nil
	}
	var ias issuerAndSerial
	if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil {
		return nil
	}
	serial := twosComplement(ias.Serial.Bytes)
	for _, c := range certs {
		if c.serial.Cmp(serial) == 0 && bytes.Equal(c.rawIssuer, ias.Issuer.FullBytes) {
			return c
		}
	}
	// The same name encoded differently (string types, say).
	issuer, err := parseName(ias.Issuer.FullBytes)
	if err != nil {
		return nil
	}
	for _, c := range certs {
		if c.serial.Cmp(serial) == 0 && c.info.Issuer == issuer.String() {
			return c
		}
	}
	return nil
}

// sidCert describes the signer from the SignerInfo alone, for when its
// certificate is missing.
func sidCert(sid asn1.RawValue) Cert {
	var ias issuerAndSerial
	if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil || ias.Serial.Tag != asn1.TagInteger {
		return Cert{}
	}
	issuer, _ := parseName(ias.Issuer.FullBytes)
	return Cert{Issuer: issuer.String(), SerialNumber: twosComplement(ias.Serial.Bytes).Text(16)}
}
