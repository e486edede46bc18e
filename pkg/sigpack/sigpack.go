// Package sigpack signs, verifies and installs signature pack bundles, so
// that rules newer than the binary's can be trusted.
//
// A bundle is the rule files of one release (top-level *.yaml, all of one
// version) in a gzip'd tar, built byte-for-byte reproducibly by Bundle. Its
// signature is a detached text file (conventionally BUNDLE.sig):
//
//	pedigree signature pack signature v1
//	key: pdg-1a2b3c4d5e6f7a8b
//	sha256: <hex digest of the bundle>
//	signature: <base64 ed25519 signature of the bundle's bytes>
//
// Verify accepts a bundle only when its signature verifies against one of
// the public keys given, which the CLI compiles in (package signatures);
// keys rotate by release. A Store keeps the installed bundle with its
// signature and verifies both again every time it loads them, so a pack
// changed on disk after installation is refused, not used.
package sigpack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// Text headers of the key and signature files.
const (
	sigHeader     = "pedigree signature pack signature v1"
	publicHeader  = "pedigree public key v1"
	privateHeader = "pedigree private key v1"
)

// Bounds on a bundle: it holds a few dozen small rule files.
const (
	MaxBundleBytes = 16 << 20 // compressed
	maxFiles       = 1000
	maxTotalBytes  = 64 << 20 // decompressed
)

// Key is a public key trusted to sign packs.
type Key struct {
	ID     string
	Public ed25519.PublicKey
}

// KeyID names a public key: "pdg-" and the first 8 bytes of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "pdg-" + hex.EncodeToString(sum[:8])
}

// GenerateKey makes a key pair and returns the text of its public and
// private key files.
func GenerateKey() (public, private []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	return MarshalPublic(pub), MarshalPrivate(priv), nil
}

// MarshalPublic writes a public key file.
func MarshalPublic(pub ed25519.PublicKey) []byte {
	return []byte(fmt.Sprintf("%s\n%s %s\n", publicHeader, KeyID(pub), base64.StdEncoding.EncodeToString(pub)))
}

// MarshalPrivate writes a private key file (its seed).
func MarshalPrivate(priv ed25519.PrivateKey) []byte {
	return []byte(fmt.Sprintf("%s\n%s %s\n", privateHeader, KeyID(priv.Public().(ed25519.PublicKey)), base64.StdEncoding.EncodeToString(priv.Seed())))
}

// ParsePublic reads a public key file.
func ParsePublic(text []byte) (Key, error) {
	id, raw, err := parseKey(text, publicHeader, ed25519.PublicKeySize)
	if err != nil {
		return Key{}, err
	}
	pub := ed25519.PublicKey(raw)
	if KeyID(pub) != id {
		return Key{}, fmt.Errorf("public key: its id %s does not match the key (%s)", id, KeyID(pub))
	}
	return Key{ID: id, Public: pub}, nil
}

// ParsePrivate reads a private key file.
func ParsePrivate(text []byte) (ed25519.PrivateKey, error) {
	id, seed, err := parseKey(text, privateHeader, ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if KeyID(priv.Public().(ed25519.PublicKey)) != id {
		return nil, fmt.Errorf("private key: its id %s does not match the key", id)
	}
	return priv, nil
}

func parseKey(text []byte, header string, size int) (string, []byte, error) {
	what := strings.TrimPrefix(header, "pedigree ")
	what = strings.TrimSuffix(what, " v1")
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	if len(lines) != 2 || strings.TrimSpace(lines[0]) != header {
		return "", nil, fmt.Errorf("not a %s file (want %q, then ID BASE64)", what, header)
	}
	id, b64, ok := strings.Cut(strings.TrimSpace(lines[1]), " ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(raw) != size {
		return "", nil, fmt.Errorf("%s: malformed key line", what)
	}
	return id, raw, nil
}

// Bundle packs the top-level *.yaml files of fsys into a gzip'd tar, in
// name order with fixed times and modes, so the same files always give
// the same bytes.
func Bundle(fsys fs.FS) ([]byte, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		hdr := &tar.Header{Name: e.Name(), Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0).UTC(), Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		if _, err := tw.Write(data); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		n++
	}
	if n == 0 {
		return nil, errors.New("bundle: no rule files (*.yaml)")
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// Sign returns the detached signature file of bundle.
func Sign(bundle []byte, priv ed25519.PrivateKey) []byte {
	sum := sha256.Sum256(bundle)
	sig := ed25519.Sign(priv, bundle)
	return []byte(fmt.Sprintf("%s\nkey: %s\nsha256: %s\nsignature: %s\n", sigHeader,
		KeyID(priv.Public().(ed25519.PublicKey)), hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sig)))
}

// Verify checks bundle against its signature file and the trusted keys,
// and returns the key that signed it.
func Verify(bundle, sig []byte, keys []Key) (Key, error) {
	if len(sig) == 0 {
		return Key{}, errors.New("the pack is not signed (no signature file)")
	}
	fields := map[string]string{}
	lines := strings.Split(strings.TrimSpace(string(sig)), "\n")
	if strings.TrimSpace(lines[0]) != sigHeader {
		return Key{}, fmt.Errorf("the signature file is not a pedigree pack signature (want first line %q)", sigHeader)
	}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return Key{}, fmt.Errorf("the signature file has a malformed line %q", l)
		}
		fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	i := slices.IndexFunc(keys, func(k Key) bool { return k.ID == fields["key"] })
	if i < 0 {
		ids := make([]string, len(keys))
		for j, k := range keys {
			ids[j] = k.ID
		}
		return Key{}, fmt.Errorf("the pack is signed by key %q, which this pedigree does not trust (trusted: %s)", fields["key"], strings.Join(ids, ", "))
	}
	sum := sha256.Sum256(bundle)
	if fields["sha256"] != hex.EncodeToString(sum[:]) {
		return Key{}, fmt.Errorf("the pack's sha256 %s is not the one signed (%s): it was changed after signing", hex.EncodeToString(sum[:]), fields["sha256"])
	}
	raw, err := base64.StdEncoding.DecodeString(fields["signature"])
	if err != nil || len(raw) != ed25519.SignatureSize {
		return Key{}, errors.New("the signature file's signature is malformed")
	}
	if !ed25519.Verify(keys[i].Public, bundle, raw) {
		return Key{}, fmt.Errorf("the signature does not verify with key %s: the pack or its signature was changed", keys[i].ID)
	}
	return keys[i], nil
}

// Open reads the rule files of a bundle (verify it first) into a layer
// whose files are named label/NAME, and returns the one version its packs
// share.
func Open(bundle []byte, label string) (signature.Layer, string, error) {
	gz, err := gzip.NewReader(bytes.NewReader(bundle))
	if err != nil {
		return nil, "", fmt.Errorf("open pack: %w", err)
	}
	tr := tar.NewReader(gz)
	var (
		layer signature.Layer
		total int64
		errs  []error
	)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("open pack: %w", err)
		}
		if hdr.Typeflag != tar.TypeReg || strings.ContainsAny(hdr.Name, `/\`) || !strings.HasSuffix(hdr.Name, ".yaml") || hdr.Name == ".yaml" {
			return nil, "", fmt.Errorf("open pack: entry %q is not a top-level rule file", hdr.Name)
		}
		if len(layer) >= maxFiles {
			return nil, "", fmt.Errorf("open pack: more than %d files", maxFiles)
		}
		total += hdr.Size
		if total > maxTotalBytes {
			return nil, "", fmt.Errorf("open pack: more than %d bytes of rule files", maxTotalBytes)
		}
		data, err := io.ReadAll(io.LimitReader(tr, hdr.Size))
		if err != nil {
			return nil, "", fmt.Errorf("open pack: %s: %w", hdr.Name, err)
		}
		p, err := signature.Parse(path.Join(label, hdr.Name), data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		layer = append(layer, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	if len(layer) == 0 {
		return nil, "", errors.New("open pack: no rule files")
	}
	version := layer[0].Version
	for _, p := range layer[1:] {
		if p.Version != version {
			return nil, "", fmt.Errorf("open pack: %s is version %q and %s is %q: a pack has one version", layer[0].File, version, p.File, p.Version)
		}
	}
	return layer, version, nil
}

// CompareVersions orders pack versions ("2026.11.1" < "2026.12.1" <
// "2026.12.10") number by number; a part that is not a number is compared
// as text after numbers.
func CompareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		if i >= len(pa) {
			return -1
		}
		if i >= len(pb) {
			return 1
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				return cmpInt(na, nb)
			}
		case ea == nil:
			return -1
		case eb == nil:
			return 1
		default:
			if c := strings.Compare(pa[i], pb[i]); c != 0 {
				return c
			}
		}
	}
	return 0
}

func cmpInt(a, b int) int {
	if a < b {
		return -1
	}
	return 1
}
