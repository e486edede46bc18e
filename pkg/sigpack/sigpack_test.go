package sigpack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// testKey is derived from a fixed seed: it is trusted only by these tests.
func testKey(name string) (ed25519.PrivateKey, Key) {
	seed := sha256.Sum256([]byte("pedigree sigpack test key " + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	return priv, Key{ID: KeyID(pub), Public: pub}
}

const rules = `pack: test
version: "%s"
rules:
  - id: T-001
    title: Test rule
    entity: Kaspersky
    category: vendor-identity
    severity: high
    match:
      names: [Kaspersky]
    references: [test]
    examples:
      match: [{supplier: Kaspersky}]
      noMatch: [{supplier: Acme}]
`

func packFS(versions ...string) fstest.MapFS {
	fsys := fstest.MapFS{"README.md": {Data: []byte("not a rule file")}}
	for i, v := range versions {
		fsys[string(rune('a'+i))+".yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(strings.Replace(rules, "%s", v, 1), "T-001", "T-00"+string(rune('1'+i)), 1))}
	}
	return fsys
}

func signed(t *testing.T, priv ed25519.PrivateKey, versions ...string) (bundle, sig []byte) {
	t.Helper()
	b, err := Bundle(packFS(versions...))
	if err != nil {
		t.Fatal(err)
	}
	return b, Sign(b, priv)
}

func TestBundleIsReproducible(t *testing.T) {
	a, _ := Bundle(packFS("2026.12.1", "2026.12.1"))
	b, _ := Bundle(packFS("2026.12.1", "2026.12.1"))
	if !bytes.Equal(a, b) {
		t.Fatal("the same files gave two bundles")
	}
	layer, version, err := Open(a, "x")
	if err != nil || version != "2026.12.1" || len(layer) != 2 || layer[0].File != "x/a.yaml" {
		t.Fatalf("open: %v %q %d", err, version, len(layer))
	}
	if _, err := Bundle(fstest.MapFS{"x.txt": {}}); err == nil {
		t.Error("a bundle without rule files was made")
	}
}

func TestVerify(t *testing.T) {
	priv, key := testKey("release")
	_, other := testKey("other")
	bundle, sig := signed(t, priv, "2026.12.1")
	if k, err := Verify(bundle, sig, []Key{other, key}); err != nil || k.ID != key.ID {
		t.Fatalf("a good pack: %v", err)
	}
	flipped := bytes.Clone(bundle)
	flipped[len(flipped)/2] ^= 1
	// A signature for the tampered bundle's digest, but not made with the key.
	forged := bytes.Replace(sig, []byte(sha(bundle)), []byte(sha(flipped)), 1)
	for _, tc := range []struct {
		name        string
		bundle, sig []byte
		keys        []Key
		want        string
	}{
		{"unsigned", bundle, nil, []Key{key}, "the pack is not signed"},
		{"not a signature", bundle, []byte("-----BEGIN PGP SIGNATURE-----\n"), []Key{key}, "not a pedigree pack signature"},
		{"untrusted key", bundle, sig, []Key{other}, "which this pedigree does not trust (trusted: " + other.ID + ")"},
		{"tampered pack", flipped, sig, []Key{key}, "was changed after signing"},
		{"forged digest", flipped, forged, []Key{key}, "the signature does not verify with key " + key.ID},
		{"malformed", bundle, []byte(sigHeader + "\nkey: " + key.ID + "\nsha256: " + sha(bundle) + "\nsignature: !!!\n"), []Key{key}, "signature is malformed"},
		{"no colon", bundle, []byte(sigHeader + "\nkey " + key.ID + "\n"), []Key{key}, "malformed line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.bundle, tc.sig, tc.keys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, 64)
	for _, c := range s {
		out = append(out, hexdigits[c>>4], hexdigits[c&15])
	}
	return string(out)
}

func TestOpenRefuses(t *testing.T) {
	tarOf := func(entries map[string]string, typ byte) []byte {
		var b bytes.Buffer
		gz := gzip.NewWriter(&b)
		tw := tar.NewWriter(gz)
		for name, data := range entries {
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: typ})
			tw.Write([]byte(data))
		}
		tw.Close()
		gz.Close()
		return b.Bytes()
	}
	good := strings.Replace(rules, "%s", "1", 1)
	for _, tc := range []struct {
		name   string
		bundle []byte
		want   string
	}{
		{"traversal", tarOf(map[string]string{"../evil.yaml": good}, tar.TypeReg), `entry "../evil.yaml" is not a top-level rule file`},
		{"subdirectory", tarOf(map[string]string{"a/b.yaml": good}, tar.TypeReg), "is not a top-level rule file"},
		{"symlink", tarOf(map[string]string{"l.yaml": ""}, tar.TypeSymlink), "is not a top-level rule file"},
		{"not yaml", tarOf(map[string]string{"run.sh": "echo"}, tar.TypeReg), "is not a top-level rule file"},
		{"empty", tarOf(map[string]string{}, tar.TypeReg), "no rule files"},
		{"bad rules", tarOf(map[string]string{"a.yaml": "pack: x\n"}, tar.TypeReg), "a.yaml"},
		{"not gzip", []byte("plain"), "open pack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Open(tc.bundle, "x")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	b, _ := Bundle(packFS("1", "2"))
	if _, _, err := Open(b, "x"); err == nil || !strings.Contains(err.Error(), "a pack has one version") {
		t.Errorf("mixed versions: %v", err)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2026.11.1", "2026.12.1", -1},
		{"2026.12.10", "2026.12.9", 1},
		{"2026.12.1", "2026.12.1", 0},
		{"2026.12", "2026.12.1", -1},
		{"2027.1.1", "2026.12.31", 1},
		{"2026.12.1", "2026.12.x", -1},
		{"1.b", "1.a", 1},
	} {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestKeys(t *testing.T) {
	pubText, privText, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublic(pubText)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivate(privText)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Bundle(packFS("1"))
	if _, err := Verify(b, Sign(b, priv), []Key{pub}); err != nil {
		t.Errorf("a generated key pair does not verify: %v", err)
	}
	if _, err := ParsePublic(privText); err == nil {
		t.Error("a private key file was read as a public key")
	}
	wrongID := bytes.Replace(pubText, []byte(pub.ID), []byte("pdg-0000000000000000"), 1)
	if _, err := ParsePublic(wrongID); err == nil || !strings.Contains(err.Error(), "does not match the key") {
		t.Errorf("a key with another's id: %v", err)
	}
}

func TestStore(t *testing.T) {
	priv, key := testKey("release")
	s := Store{Dir: filepath.Join(t.TempDir(), "sig")}
	if in, err := s.Load([]Key{key}); in != nil || err != nil {
		t.Fatalf("empty store: %v %v", in, err)
	}
	bundle, sig := signed(t, priv, "2026.12.1")
	in, err := Check(bundle, sig, []Key{key})
	if err != nil || in.Version != "2026.12.1" || in.KeyID != key.ID {
		t.Fatalf("check: %v %+v", err, in)
	}
	if err := s.Install(bundle, sig); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load([]Key{key}); err != nil || got.SHA256 != in.SHA256 || len(got.Layer) != 1 {
		t.Fatalf("load: %v", err)
	}
	// Changed on disk after installation: refused when loaded.
	p := filepath.Join(s.Dir, bundleFile)
	data, _ := os.ReadFile(p)
	data[len(data)-5] ^= 0xff
	os.WriteFile(p, data, 0o644)
	if _, err := s.Load([]Key{key}); err == nil || !strings.Contains(err.Error(), "installed signatures "+s.Dir+": the pack's sha256") {
		t.Errorf("tampered after install: %v", err)
	}
	// A key no longer trusted (rotated out) is refused too.
	s.Install(bundle, sig)
	_, newer := testKey("next release")
	if _, err := s.Load([]Key{newer}); err == nil || !strings.Contains(err.Error(), "does not trust") {
		t.Errorf("rotated key: %v", err)
	}
	if removed, err := s.Remove(); err != nil || !removed {
		t.Fatalf("remove: %v %v", removed, err)
	}
	if removed, err := s.Remove(); err != nil || removed {
		t.Errorf("remove again: %v %v", removed, err)
	}
	if in, err := s.Load([]Key{key}); in != nil || err != nil {
		t.Errorf("after remove: %v %v", in, err)
	}
}

func TestFetch(t *testing.T) {
	priv, key := testKey("release")
	bundle, sig := signed(t, priv, "2026.12.1")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/p.tar.gz", "/unsigned.tar.gz":
			w.Write(bundle)
		case "/p.tar.gz.sig":
			w.Write(sig)
		case "/broken.tar.gz":
			http.Error(w, "down", http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	b, s, err := Fetch(ctx, srv.URL+"/p.tar.gz")
	if err != nil || !bytes.Equal(b, bundle) || !bytes.Equal(s, sig) {
		t.Fatalf("fetch: %v", err)
	}
	if _, err := Verify(b, s, []Key{key}); err != nil {
		t.Error(err)
	}
	if _, s, err := Fetch(ctx, srv.URL+"/unsigned.tar.gz"); err != nil || s != nil {
		t.Errorf("unsigned: sig %q err %v", s, err)
	}
	if _, _, err := Fetch(ctx, srv.URL+"/broken.tar.gz"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("server error: %v", err)
	}
	if _, _, err := Fetch(ctx, filepath.Join(t.TempDir(), "none.tar.gz")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}
