package generate

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

func engine(t *testing.T) *match.Engine {
	t.Helper()
	return enginetest.Embedded(t)
}

// elf returns a minimal ELF-looking shared object whose read-only data
// holds the given strings (NUL-separated), as a compiler would lay them out.
func elf(strs ...string) []byte {
	b := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00")
	b = append(b, make([]byte, 200)...)
	for _, s := range strs {
		b = append(b, s...)
		b = append(b, 0)
	}
	return append(b, make([]byte, 64)...)
}

type entry struct {
	name string
	data []byte
}

func tarOf(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if strings.HasSuffix(e.name, "/") {
			tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: tar.TypeDir, Mode: 0o755})
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Size: int64(len(e.data)), Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// dockerArchive builds a `docker save` archive of a one-layer image.
func dockerArchive(t *testing.T, layer []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(layer)
	diffID := "sha256:" + hex.EncodeToString(sum[:])
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{diffID}},
	})
	csum := sha256.Sum256(config)
	configName := hex.EncodeToString(csum[:]) + ".json"
	manifest, _ := json.Marshal([]map[string]any{{
		"Config": configName, "RepoTags": []string{"northwind/gateway:7.2"}, "Layers": []string{"layer.tar"},
	}})
	return tarOf(t, entry{"manifest.json", manifest}, entry{configName, config}, entry{"layer.tar", layer})
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDeepInspection builds the acceptance fixtures — binaries rebranded in
// their names, version resources, signatures and manifests, nested archives
// and an image — and checks each is found at the right severity, and that
// the negatives give nothing above low.
func TestDeepInspection(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	dir := t.TempDir()
	product := filepath.Join(dir, "product")

	// Positives.
	write(t, filepath.Join(product, "bin", "nwguard.dll"), petest.Build(map[string]string{
		"CompanyName": "AO Kaspersky Lab", "LegalCopyright": "© 2024 AO Kaspersky Lab", "ProductName": "Anti-Virus Engine",
		"OriginalFilename": "avengine.dll", "FileVersion": "21.9.6.465"}, nil))
	write(t, filepath.Join(product, "bin", "nwshield.exe"), petest.Sign(t, petest.Build(map[string]string{
		"CompanyName": "Northwind Security Ltd", "LegalCopyright": "© 2024 Northwind Security Ltd",
		"ProductName": "Northwind Shield", "OriginalFilename": "nwshield.exe", "FileVersion": "7.2.0.1"}, nil),
		pkix.Name{CommonName: "AO Kaspersky Lab", Organization: []string{"AO Kaspersky Lab"}, Country: []string{"RU"}}))
	write(t, filepath.Join(product, "lib", "libnwscan.so"), elf("libnwscan.so.7", "Copyright (c) 2023 AO Kaspersky Lab. All rights reserved.",
		"https://dnl-01.geo.kaspersky.com/index/u0607g.xml"))
	write(t, filepath.Join(product, "java", "nw-engine.jar"), archivetest.Zip(t,
		archivetest.File{Name: "META-INF/MANIFEST.MF", Data: []byte("Manifest-Version: 1.0\r\nImplementation-Vendor: Northwind Security Ltd\r\nImplementation-Title: Northwind Engine\r\nImplementation-Version: 7.2\r\n\r\n")},
		archivetest.File{Name: "com/kaspersky/components/scan/Engine.class", Data: []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34")},
		archivetest.File{Name: "com/northwind/engine/Main.class", Data: []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34")}))
	inner := archivetest.Zip(t, archivetest.File{Name: "lib/libkavcore.so", Data: elf("Copyright (C) 1997-2010 Kaspersky Lab ZAO")})
	write(t, filepath.Join(product, "dist", "plugins.tar.gz"), gz(tarOf(t, entry{"plugins/", nil}, entry{"plugins/av.zip", inner})))

	// Negatives.
	if ls, err := os.ReadFile("/bin/ls"); err == nil {
		write(t, filepath.Join(product, "sys", "ls"), ls)
	}
	if gzipBin, err := os.ReadFile("/bin/gzip"); err == nil {
		write(t, filepath.Join(product, "sys", "gzip"), gzipBin)
	}
	random := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range random {
		random[i] = byte(r.IntN(256))
	}
	write(t, filepath.Join(product, "data", "blob.bin"), random)
	write(t, filepath.Join(product, "CHANGELOG.md"), []byte("## 7.2\n- Fixed a crash when Kaspersky Endpoint Security was also installed.\n"))
	write(t, filepath.Join(product, "bin", "nwtray.exe"), petest.Build(map[string]string{
		"CompanyName": "Northwind Security Ltd", "ProductName": "Northwind Tray", "OriginalFilename": "nwtray.exe"}, nil))

	res, err := Generate(context.Background(), "dir", product, eng, Options{Limits: walk.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	findings := eng.Match(res.Document)
	// Findings by file: a file syft catalogued as a package carries the
	// package's name, and its location.
	got := map[string]match.Finding{}
	for _, f := range findings {
		for _, l := range append([]string{f.Component.Name}, f.Component.Locations...) {
			got[strings.TrimPrefix(l, "/")] = f
		}
		t.Logf("%s %s %v whiteLabel=%v rules=%v", f.Severity, f.Component.Name, f.Component.Locations, f.WhiteLabel, f.Rules)
	}
	want := []struct {
		name       string
		severity   signature.Severity
		whiteLabel bool
		kind       match.EvidenceKind
	}{
		{"bin/nwguard.dll", signature.High, false, match.KindPEVersion},
		{"bin/nwshield.exe", signature.High, true, match.KindSigner},
		{"lib/libnwscan.so", signature.High, false, match.KindCopyright},
		{"java/nw-engine.jar", signature.High, true, match.KindJavaPackage},
		{"dist/plugins.tar.gz!plugins/av.zip!lib/libkavcore.so", signature.High, false, match.KindCopyright},
	}
	for _, w := range want {
		f, ok := got[w.name]
		if !ok {
			t.Errorf("%s: no finding", w.name)
			continue
		}
		if f.Severity != w.severity || f.WhiteLabel != w.whiteLabel || !hasKind(f, w.kind) {
			t.Errorf("%s: %s whiteLabel=%v kinds=%v, want %s whiteLabel=%v with %s evidence", w.name, f.Severity, f.WhiteLabel, kinds(f), w.severity, w.whiteLabel, w.kind)
		}
	}
	if f := got["lib/libnwscan.so"]; !hasKind(f, match.KindDomain) {
		t.Errorf("libnwscan.so: the update host is not in the evidence: %v", kinds(f))
	}
	if f := got["dist/plugins.tar.gz!plugins/av.zip!lib/libkavcore.so"]; len(f.Path) < 3 {
		t.Errorf("nested file: path %v does not go through its archives", f.Path)
	}
	for name, f := range got {
		if strings.HasPrefix(name, "sys/") || strings.HasPrefix(name, "data/") || name == "bin/nwtray.exe" || name == "CHANGELOG.md" {
			if f.Severity.Rank() > signature.Low.Rank() {
				t.Errorf("negative %s: %s finding %v", name, f.Severity, f.Evidence)
			}
		}
	}
}

// TestDockerArchive: an image saved with `docker save`, read without a
// daemon, with a Kaspersky install tree.
func TestDockerArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	layer := tarOf(t,
		entry{"opt/", nil}, entry{"opt/kaspersky/", nil}, entry{"opt/kaspersky/kesl/", nil}, entry{"opt/kaspersky/kesl/bin/", nil},
		entry{"opt/kaspersky/kesl/bin/kesl-control", elf("kesl-control", "Copyright (c) AO Kaspersky Lab")},
		entry{"etc/", nil}, entry{"etc/os-release", []byte("ID=northwind\nVERSION_ID=7.2\n")},
	)
	path := filepath.Join(t.TempDir(), "gateway.tar")
	write(t, path, dockerArchive(t, layer))
	res, err := Generate(context.Background(), "docker-archive", path, eng, Options{Limits: walk.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	var found int
	for _, f := range eng.Match(res.Document) {
		t.Logf("%s %s %v", f.Severity, f.Component.Name, f.Rules)
		if strings.Contains(f.Component.Name, "opt/kaspersky/kesl/bin/kesl-control") {
			found++
			if f.Severity != signature.High || !hasKind(f, match.KindPath) || !hasKind(f, match.KindCopyright) {
				t.Errorf("kesl-control: %s %v", f.Severity, kinds(f))
			}
		}
	}
	if found != 1 {
		t.Errorf("the /opt/kaspersky tree in the image gave %d findings on kesl-control, want 1", found)
	}
}

func hasKind(f match.Finding, kind match.EvidenceKind) bool {
	for _, e := range f.Evidence {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

func kinds(f match.Finding) []string {
	var out []string
	for _, e := range f.Evidence {
		out = append(out, string(e.Kind)+":"+e.Rule)
	}
	return out
}
