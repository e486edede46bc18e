package pe

import (
	"bytes"
	"crypto"
	_ "crypto/md5" // digest algorithms a signature may name
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	winCertTypePKCSSignedData = 0x0002
	// maxWinCerts caps the WIN_CERTIFICATE entries looked at; files have
	// one.
	maxWinCerts = 16
	// maxNested caps the nested signatures read; dual-signed files have
	// one.
	maxNested = 8
)

var (
	oidSignedData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidSpcIndirectData  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}
	oidNestedSignature  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 4, 1}
	oidRFC3161Timestamp = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 3, 3, 1}
	oidTSTInfo          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidMessageDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidCounterSignature = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
)

// readSignature fills info.Signature from the security directory.
func (img *image) readSignature(info *Info, o options) error {
	off, size := img.dir(dirSecurity)
	if off == 0 || size == 0 {
		return nil
	}
	// The security directory's address is a file offset, not an RVA.
	if uint64(off)+uint64(size) > uint64(len(img.data)) {
		return fmt.Errorf("the certificate table (offset 0x%x, %d bytes) runs past the end of the file (%d bytes)", off, size, len(img.data))
	}
	der, err := signedDataBlob(img.data[off : off+size])
	if err != nil {
		return err
	}
	sig, err := img.parseSignature(der, o, 0)
	info.Signature = sig
	return err
}

// signedDataBlob returns the PKCS#7 data of the first WIN_CERTIFICATE of
// type WIN_CERT_TYPE_PKCS_SIGNED_DATA in the certificate table.
func signedDataBlob(table []byte) ([]byte, error) {
	var types []string
	for p, i := uint64(0), 0; p+8 <= uint64(len(table)) && i < maxWinCerts; i++ {
		length := uint64(binary.LittleEndian.Uint32(table[p:]))
		typ := binary.LittleEndian.Uint16(table[p+6:])
		if length < 8 || p+length > uint64(len(table)) {
			return nil, fmt.Errorf("certificate table entry at +0x%x has length %d, outside the table's %d bytes", p, length, len(table))
		}
		if typ == winCertTypePKCSSignedData {
			return table[p+8 : p+length], nil
		}
		types = append(types, fmt.Sprintf("0x%04x", typ))
		p += (length + 7) &^ 7 // entries are 8-byte aligned
	}
	if len(types) == 0 {
		return nil, errors.New("empty certificate table")
	}
	return nil, fmt.Errorf("the certificate table holds no PKCS#7 signed data, only entries of type %v: %w", types, errors.ErrUnsupported)
}

// contentInfo is PKCS#7's ContentInfo; Content is the [0] wrapper, whose
// Bytes are the inner content's encoding.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

// signedDataASN is PKCS#7's SignedData with the parts read later left raw.
type signedDataASN struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	ContentInfo      contentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

// signerInfoASN is PKCS#7's SignerInfo (CMS's, with the subject key
// identifier choice).
type signerInfoASN struct {
	Version                   int
	SID                       asn1.RawValue
	DigestAlgorithm           algorithmIdentifier
	AuthenticatedAttributes   asn1.RawValue `asn1:"optional,tag:0"`
	DigestEncryptionAlgorithm algorithmIdentifier
	EncryptedDigest           []byte
	UnauthenticatedAttributes asn1.RawValue `asn1:"optional,tag:1"`
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

// spcIndirectData is Authenticode's SpcIndirectDataContent.
type spcIndirectData struct {
	Data          asn1.RawValue
	MessageDigest struct {
		Algorithm algorithmIdentifier
		Digest    []byte
	}
}

// tstInfo is the start of RFC 3161's TSTInfo.
type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		HashAlgorithm algorithmIdentifier
		HashedMessage []byte
	}
	SerialNumber asn1.RawValue
	GenTime      time.Time `asn1:"generalized"`
}

// signedData is a parsed SignedData.
type signedData struct {
	contentType asn1.ObjectIdentifier
	// content is the encoding of the signed content (with its tag);
	// contentValue is its value octets, which the message digest covers.
	content, contentValue []byte
	certs                 []*certEntry
	signers               []*signerInfoASN
}

// parseSignedData parses a ContentInfo holding a SignedData.
func parseSignedData(der []byte) (*signedData, error) {
	var ci contentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, fmt.Errorf("content info: %w", asn1Error(der, err))
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("content type %v is not PKCS#7 signed data", ci.ContentType)
	}
	var sd signedDataASN
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("signed data: %w", asn1Error(ci.Content.Bytes, err))
	}
	out := &signedData{contentType: sd.ContentInfo.ContentType, content: sd.ContentInfo.Content.Bytes}
	if len(out.content) > 0 {
		var inner asn1.RawValue
		if _, err := asn1.Unmarshal(out.content, &inner); err != nil {
			return nil, fmt.Errorf("signed content: %w", err)
		}
		out.contentValue = inner.Bytes
	}
	for rest, i := sd.Certificates.Bytes, 0; len(rest) > 0; i++ {
		if i == maxCerts {
			return nil, fmt.Errorf("more than %d certificates", maxCerts)
		}
		var raw asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &raw); err != nil {
			return nil, fmt.Errorf("certificate %d: %w", i+1, err)
		}
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue // an attribute or other certificate choice
		}
		c, err := parseCert(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", i+1, err)
		}
		out.certs = append(out.certs, c)
	}
	for rest, i := sd.SignerInfos.Bytes, 0; len(rest) > 0; i++ {
		if i == maxSigners {
			return nil, fmt.Errorf("more than %d signer infos", maxSigners)
		}
		si := new(signerInfoASN)
		var err error
		if rest, err = asn1.Unmarshal(rest, si); err != nil {
			return nil, fmt.Errorf("signer info %d: %w", i+1, err)
		}
		out.signers = append(out.signers, si)
	}
	if len(out.signers) == 0 {
		return nil, errors.New("no signer info")
	}
	return out, nil
}

const (
	maxCerts   = 256
	maxSigners = 16
	maxAttrs   = 256
)

// parseSignature parses and checks one Authenticode signature; depth is 0
// for the primary signature and 1 for nested ones.
func (img *image) parseSignature(der []byte, o options, depth int) (*Signature, error) {
	sd, err := parseSignedData(der)
	if err != nil {
		return nil, err
	}
	if !sd.contentType.Equal(oidSpcIndirectData) {
		return nil, fmt.Errorf("signed content type %v is not Authenticode's SpcIndirectDataContent", sd.contentType)
	}
	var spc spcIndirectData
	if _, err := asn1.Unmarshal(sd.content, &spc); err != nil {
		return nil, fmt.Errorf("SpcIndirectDataContent: %w", err)
	}
	si := sd.signers[0] // Authenticode has exactly one
	sig := &Signature{DigestAlgorithm: algorithmName(spc.MessageDigest.Algorithm.Algorithm)}
	for _, c := range sd.certs {
		sig.Chain = append(sig.Chain, c.info)
	}
	signer := findSigner(sd.certs, si)
	if signer != nil {
		sig.Signer = signer.info
	} else {
		sig.Signer = sidCert(si.SID)
	}

	// The file's digest, against the one signed.
	if h, ok := hashFor(spc.MessageDigest.Algorithm.Algorithm); ok {
		if sum, err := img.authenticodeDigest(h); err == nil {
			valid := bytes.Equal(sum, spc.MessageDigest.Digest)
			sig.DigestValid = &valid
		}
	}

	var errs []error
	unauth, err := attributes(si.UnauthenticatedAttributes)
	if err != nil {
		errs = append(errs, fmt.Errorf("unauthenticated attributes: %w", err))
	}
	now := o.now
	if now.IsZero() {
		now = time.Now()
	}
	at := now
	ts, tsErr := timestamp(sd, si, unauth, o)
	if tsErr == nil && !ts.IsZero() {
		sig.Timestamp, at = ts, ts
	}

	verr := verifySigner(sd.certs, signer, si, sd.contentValue, x509.ExtKeyUsageCodeSigning, at, o)
	switch {
	case verr == nil && sig.DigestValid == nil:
		verr = fmt.Errorf("the file's digest could not be computed (algorithm %s)", sig.DigestAlgorithm)
	case verr == nil && !*sig.DigestValid:
		verr = errors.New("the file's digest does not match the signed one: the file was changed after signing")
	}
	if verr != nil {
		msg := verr.Error()
		if tsErr != nil {
			msg += fmt.Sprintf(" (timestamp not used: %v)", tsErr)
		}
		sig.VerifyError = oneLine(msg)
	} else {
		sig.Verified = true
	}

	if depth == 0 {
		tried := 0
	nested:
		for _, a := range unauth {
			if !a.Type.Equal(oidNestedSignature) {
				continue
			}
			for rest := a.Values.Bytes; len(rest) > 0; tried++ {
				if tried == maxNested {
					errs = append(errs, fmt.Errorf("more than %d nested signatures", maxNested))
					break nested
				}
				var raw asn1.RawValue
				if rest, err = asn1.Unmarshal(rest, &raw); err != nil {
					errs = append(errs, fmt.Errorf("nested signature %d: %w", tried+1, err))
					break
				}
				n, err := img.parseSignature(raw.FullBytes, o, depth+1)
				if n != nil {
					sig.Nested = append(sig.Nested, *n)
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("nested signature %d: %w", tried+1, err))
				}
			}
		}
	}
	return sig, joinErrors(errs)
}

// joinErrors is errors.Join on one line.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return multiError(errs)
}

type multiError []error

func (m multiError) Error() string {
	s := make([]string, len(m))
	for i, e := range m {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

func (m multiError) Unwrap() []error { return m }

// verifySigner checks a signer info over content: the message digest
// attribute, the signature over the signed attributes, and the chain of
// the signer's certificate for usage at the given time.
func verifySigner(certs []*certEntry, signer *certEntry, si *signerInfoASN, content []byte, usage x509.ExtKeyUsage, at time.Time, o options) error {
	if signer == nil {
		return errors.New("the signer's certificate is not in the signature")
	}
	if signer.cert == nil {
		return fmt.Errorf("the signer's certificate: %v", signer.err)
	}
	h, ok := hashFor(si.DigestAlgorithm.Algorithm)
	if !ok {
		return fmt.Errorf("digest algorithm %s is not supported", algorithmName(si.DigestAlgorithm.Algorithm))
	}
	signed := content
	if len(si.AuthenticatedAttributes.FullBytes) > 0 {
		attrs, err := attributes(si.AuthenticatedAttributes)
		if err != nil {
			return fmt.Errorf("signed attributes: %w", err)
		}
		var md []byte
		for _, a := range attrs {
			if a.Type.Equal(oidMessageDigest) {
				if _, err := asn1.Unmarshal(a.Values.Bytes, &md); err != nil {
					return fmt.Errorf("message digest attribute: %w", err)
				}
			}
		}
		if md == nil {
			return errors.New("the signed attributes have no message digest")
		}
		hh := h.New()
		hh.Write(content)
		if !bytes.Equal(hh.Sum(nil), md) {
			return errors.New("the message digest does not match the signed content")
		}
		// The signature covers the attributes as a SET, not as the [0]
		// IMPLICIT field they are stored in.
		signed = append([]byte{0x31}, si.AuthenticatedAttributes.FullBytes[1:]...)
	}
	alg, err := signatureAlgorithm(h, si.DigestEncryptionAlgorithm.Algorithm)
	if err != nil {
		return err
	}
	if err := signer.cert.CheckSignature(alg, signed, si.EncryptedDigest); err != nil {
		return fmt.Errorf("the signer's signature does not verify: %v", err)
	}
	inter := x509.NewCertPool()
	for _, c := range certs {
		if c.cert != nil && c != signer {
			inter.AddCert(c.cert)
		}
	}
	_, err = signer.cert.Verify(x509.VerifyOptions{
		Intermediates: inter,
		Roots:         o.roots,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{usage},
	})
	return err
}

// timestamp returns the time of the signature's countersignature or RFC
// 3161 timestamp once that checks out, zero when there is none.
func timestamp(sd *signedData, si *signerInfoASN, unauth []attribute, o options) (time.Time, error) {
	for _, a := range unauth {
		var first asn1.RawValue
		switch {
		case a.Type.Equal(oidCounterSignature):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &first); err != nil {
				return time.Time{}, fmt.Errorf("countersignature: %w", err)
			}
			var cs signerInfoASN
			if _, err := asn1.Unmarshal(first.FullBytes, &cs); err != nil {
				return time.Time{}, fmt.Errorf("countersignature: %w", err)
			}
			attrs, err := attributes(cs.AuthenticatedAttributes)
			if err != nil {
				return time.Time{}, fmt.Errorf("countersignature: %w", err)
			}
			var when time.Time
			for _, a := range attrs {
				if a.Type.Equal(oidSigningTime) {
					if _, err := asn1.Unmarshal(a.Values.Bytes, &when); err != nil {
						return time.Time{}, fmt.Errorf("countersignature signing time: %w", err)
					}
				}
			}
			if when.IsZero() {
				return time.Time{}, errors.New("countersignature has no signing time")
			}
			if err := verifySigner(sd.certs, findSigner(sd.certs, &cs), &cs, si.EncryptedDigest, x509.ExtKeyUsageTimeStamping, when, o); err != nil {
				return time.Time{}, fmt.Errorf("countersignature: %w", err)
			}
			return when, nil
		case a.Type.Equal(oidRFC3161Timestamp):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &first); err != nil {
				return time.Time{}, fmt.Errorf("rfc 3161 timestamp: %w", err)
			}
			tsd, err := parseSignedData(first.FullBytes)
			if err != nil {
				return time.Time{}, fmt.Errorf("rfc 3161 timestamp: %w", err)
			}
			if !tsd.contentType.Equal(oidTSTInfo) {
				return time.Time{}, fmt.Errorf("rfc 3161 timestamp: content type %v is not TSTInfo", tsd.contentType)
			}
			var tst tstInfo
			if _, err := asn1.Unmarshal(tsd.contentValue, &tst); err != nil {
				return time.Time{}, fmt.Errorf("rfc 3161 timestamp info: %w", err)
			}
			h, ok := hashFor(tst.MessageImprint.HashAlgorithm.Algorithm)
			if !ok {
				return time.Time{}, fmt.Errorf("rfc 3161 timestamp: digest algorithm %s is not supported", algorithmName(tst.MessageImprint.HashAlgorithm.Algorithm))
			}
			hh := h.New()
			hh.Write(si.EncryptedDigest)
			if !bytes.Equal(hh.Sum(nil), tst.MessageImprint.HashedMessage) {
				return time.Time{}, errors.New("rfc 3161 timestamp is for another signature")
			}
			tsi := tsd.signers[0]
			if err := verifySigner(tsd.certs, findSigner(tsd.certs, tsi), tsi, tsd.contentValue, x509.ExtKeyUsageTimeStamping, tst.GenTime, o); err != nil {
				return time.Time{}, fmt.Errorf("rfc 3161 timestamp: %w", err)
			}
			return tst.GenTime, nil
		}
	}
	return time.Time{}, nil
}

// attributes parses a [0] or [1] field of attributes.
func attributes(raw asn1.RawValue) ([]attribute, error) {
	var attrs []attribute
	for rest := raw.Bytes; len(rest) > 0; {
		if len(attrs) == maxAttrs {
			return nil, fmt.Errorf("more than %d attributes", maxAttrs)
		}
		var a attribute
		var err error
		if rest, err = asn1.Unmarshal(rest, &a); err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

// authenticodeDigest hashes the file as Authenticode does: everything up
// to the certificate table except the checksum and the security directory
// entry.
func (img *image) authenticodeDigest(h crypto.Hash) ([]byte, error) {
	if sum, ok := img.digests[h]; ok {
		return sum, nil
	}
	checksum := img.optHeader() + 64
	secEntry := img.optHeader() + optDirCount(img.pe32plus) + 4 + 8*dirSecurity
	certOff, _ := img.dir(dirSecurity)
	if secEntry+8 > int(min(uint64(certOff), uint64(len(img.data)))) {
		return nil, errors.New("the certificate table overlaps the headers")
	}
	hh := h.New()
	hh.Write(img.data[:checksum])
	hh.Write(img.data[checksum+4 : secEntry])
	hh.Write(img.data[secEntry+8 : certOff])
	if img.digests == nil {
		img.digests = map[crypto.Hash][]byte{}
	}
	img.digests[h] = hh.Sum(nil)
	return img.digests[h], nil
}

var hashes = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
	name string
}{
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256, "sha256"},
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1, "sha1"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384, "sha384"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512, "sha512"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}, crypto.MD5, "md5"},
}

func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, h := range hashes {
		if oid.Equal(h.oid) {
			return h.hash, true
		}
	}
	return 0, false
}

func algorithmName(oid asn1.ObjectIdentifier) string {
	for _, h := range hashes {
		if oid.Equal(h.oid) {
			return h.name
		}
	}
	return oid.String()
}

// signatureAlgorithm combines a SignerInfo's digest algorithm and its
// "digest encryption" algorithm, which is either a bare key algorithm or a
// combined one.
func signatureAlgorithm(h crypto.Hash, enc asn1.ObjectIdentifier) (x509.SignatureAlgorithm, error) {
	rsa := map[crypto.Hash]x509.SignatureAlgorithm{
		crypto.MD5: x509.MD5WithRSA, crypto.SHA1: x509.SHA1WithRSA, crypto.SHA256: x509.SHA256WithRSA,
		crypto.SHA384: x509.SHA384WithRSA, crypto.SHA512: x509.SHA512WithRSA,
	}
	ecdsa := map[crypto.Hash]x509.SignatureAlgorithm{
		crypto.SHA1: x509.ECDSAWithSHA1, crypto.SHA256: x509.ECDSAWithSHA256,
		crypto.SHA384: x509.ECDSAWithSHA384, crypto.SHA512: x509.ECDSAWithSHA512,
	}
	var table map[crypto.Hash]x509.SignatureAlgorithm
	switch {
	case hasPrefix(enc, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1}) && !enc.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}):
		table = rsa // rsaEncryption, md5WithRSA, sha1WithRSA, sha256WithRSA, ...; not RSASSA-PSS
	case hasPrefix(enc, asn1.ObjectIdentifier{1, 2, 840, 10045}):
		table = ecdsa // ecPublicKey, ecdsa-with-SHA1, ecdsa-with-SHA256, ...
	}
	if alg, ok := table[h]; ok {
		return alg, nil
	}
	return x509.UnknownSignatureAlgorithm, fmt.Errorf("signature algorithm %v with digest %v is not supported", enc, h)
}

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) >= len(prefix) && oid[:len(prefix)].Equal(prefix)
}

// asn1Error explains a failure to parse DER, singling out BER's
// indefinite lengths, which this package does not read.
func asn1Error(der []byte, err error) error {
	if indefinite(der, 0) {
		return fmt.Errorf("BER indefinite-length encoding (only DER is read): %w", errors.ErrUnsupported)
	}
	return err
}

// indefinite reports whether BER data uses an indefinite length anywhere.
func indefinite(b []byte, depth int) bool {
	for len(b) >= 2 && depth < 32 {
		tag, i := b[0], 1
		if tag&0x1F == 0x1F { // high tag number
			for i < len(b) && b[i]&0x80 != 0 {
				i++
			}
			i++
		}
		if i >= len(b) {
			return false
		}
		l := int(b[i])
		i++
		if l == 0x80 {
			return tag&0x20 != 0
		}
		n := l
		if l > 0x80 {
			k := l & 0x7F
			if k > 4 || i+k > len(b) {
				return false
			}
			n = 0
			for _, c := range b[i : i+k] {
				n = n<<8 | int(c)
			}
			i += k
		}
		if n < 0 || n > len(b)-i {
			return false
		}
		if tag&0x20 != 0 && indefinite(b[i:i+n], depth+1) {
			return true
		}
		b = b[i+n:]
	}
	return false
}

// oneLine joins the lines of an error message.
func oneLine(s string) string {
	return string(bytes.Join(bytes.Fields([]byte(s)), []byte(" ")))
}
