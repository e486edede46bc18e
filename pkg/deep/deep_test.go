package deep

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

func inspector(t testing.TB) (*Inspector, *match.Engine) {
	t.Helper()
	e := enginetest.Embedded(t)
	return New(e), e
}

func wide(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func TestInspect(t *testing.T) {
	in, _ := inspector(t)
	tests := []struct {
		name, location string
		data           []byte
		check          func(f *Facts) bool
	}{
		{"copyright in a binary", "lib/x.so", []byte("\x7fELF\x00\x00Copyright (c) 2023 AO Kaspersky Lab\x00"),
			func(f *Facts) bool {
				return slices.Equal(f.Copyrights, []string{"Copyright (c) 2023 AO Kaspersky Lab"})
			}},
		{"UTF-16 copyright", "bin/x.dll", append([]byte("MZ\x00\x00"), wide("© 2024 AO Kaspersky Lab\x00")...),
			func(f *Facts) bool {
				return len(f.Copyrights) == 1 && strings.Contains(f.Copyrights[0], "AO Kaspersky Lab")
			}},
		{"Cyrillic name", "share/readme", []byte("Разработано: АО «Лаборатория Касперского», все права защищены"),
			func(f *Facts) bool { return len(f.Strings)+len(f.Copyrights) == 1 }},
		{"update host", "etc/upd.conf", []byte("mirror=https://dnl-07.geo.kaspersky.com/index/u0607g.xml\n"),
			func(f *Facts) bool {
				return slices.Contains(f.Hosts, "dnl-07.geo.kaspersky.com") && len(f.Strings) == 0
			}},
		{"DEX class names", "classes.dex", []byte("dex\n035\x00..Lcom/kavsdk/antivirus/Antivirus;..Lcom/example/App;"),
			func(f *Facts) bool { return slices.Equal(f.Classes, []string{"com.kavsdk.antivirus.Antivirus"}) }},
		{"install path", "usr/bin/nwctl", []byte("\x7fELF....cfg=/opt/kaspersky/kesl/etc/kesl.conf\x00"),
			func(f *Facts) bool { return len(f.Paths) == 1 && strings.Contains(f.Paths[0], "/opt/kaspersky/kesl") }},
		{"content string", "lib/libmail.so", []byte("..X-KLMS-AntiVirus: ...."),
			func(f *Facts) bool { return len(f.Content) == 1 }},
		{"file name alone", "drivers/klif.sys", []byte("nothing here"),
			func(f *Facts) bool { return f.PathMatters }},
		{"look-alikes", "lib/y.so", []byte("Kasper Kaspa CasperJS kaspersky-style? no: Kasperskyish kaspersky.example.org"),
			func(f *Facts) bool { return len(f.Copyrights) == 0 && len(f.Hosts) == 0 }},
		{"nothing", "bin/ls", []byte("\x7fELF GNU coreutils"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := in.Inspect(&walk.File{Location: tt.location, Name: tt.location[strings.LastIndex(tt.location, "/")+1:], Data: tt.data})
			if tt.check == nil {
				if f != nil {
					t.Fatalf("facts from a clean file: %+v", f)
				}
				return
			}
			if f == nil || !tt.check(f) {
				t.Fatalf("facts %+v", f)
			}
		})
	}
}

// TestArchiveBytesAreNotScanned: an archive's entries are read on their
// own; its compressed bytes and entry names are not read as strings.
func TestArchiveBytesAreNotScanned(t *testing.T) {
	in, _ := inspector(t)
	zipHead := append([]byte("PK\x03\x04"), []byte("com/kaspersky/x/A.class Copyright Kaspersky")...)
	if f := in.Inspect(&walk.File{Location: "a.jar", Name: "a.jar", Data: zipHead}); f != nil {
		t.Fatalf("archive bytes were scanned: %+v", f)
	}
}

// TestAssembleJar: classes and the manifest roll up into the jar, which is
// then white-labelled: offered by the manifest's vendor, made by the
// classes' owner.
func TestAssembleJar(t *testing.T) {
	in, eng := inspector(t)
	asm := NewAssembler()
	for _, f := range []*walk.File{
		{Location: "lib/nw.jar", Name: "nw.jar", Data: []byte("PK\x03\x04...")},
		{Location: "lib/nw.jar!META-INF/MANIFEST.MF", Name: "MANIFEST.MF", Data: []byte("Manifest-Version: 1.0\r\nImplementation-Vendor: Northwind Security Ltd\r\nImplementation-Version: 7.2\r\n\r\nName: x\r\n")},
		{Location: "lib/nw.jar!com/kaspersky/components/Scan.class", Name: "Scan.class", Data: []byte("\xca\xfe\xba\xbe")},
		{Location: "lib/nw.jar!com/northwind/Main.class", Name: "Main.class", Data: []byte("\xca\xfe\xba\xbe")},
	} {
		asm.Add(in.Inspect(f))
	}
	comps := asm.Components()
	if len(comps) != 1 || comps[0].Name != "lib/nw.jar" || comps[0].Version != "7.2" {
		t.Fatalf("components %+v", comps)
	}
	doc := &model.Document{Roots: []string{"root"}, Components: append([]*model.Component{{Ref: "root", Name: "product"}}, comps...)}
	comps[0].Parent = "root"
	doc.Normalize()
	fs := eng.Match(doc)
	if len(fs) != 1 || !fs[0].WhiteLabel || fs[0].Offered != "Northwind Security Ltd" || fs[0].Evidence[0].Kind != match.KindJavaPackage {
		t.Fatalf("findings %+v", fs)
	}
}

// TestSignedPE: a PE rebranded in its version resources but signed by the
// vendor is found through its signer, and is white-labelled.
func TestSignedPE(t *testing.T) {
	in, eng := inspector(t)
	data := petest.Sign(t, petest.Build(map[string]string{"CompanyName": "Northwind Security Ltd", "ProductName": "Northwind Shield"}, nil),
		pkix.Name{CommonName: "AO Kaspersky Lab", Organization: []string{"AO Kaspersky Lab"}})
	asm := NewAssembler()
	asm.Add(in.Inspect(&walk.File{Location: "bin/nwshield.exe", Name: "nwshield.exe", Data: data}))
	c := asm.Components()[0]
	doc := &model.Document{Components: []*model.Component{c}}
	doc.Normalize()
	fs := eng.Match(doc)
	if len(fs) != 1 || !fs[0].WhiteLabel || !slices.ContainsFunc(fs[0].Evidence, func(e match.Evidence) bool {
		return e.Kind == match.KindSigner && strings.Contains(e.Value, "chain not verified")
	}) {
		t.Fatalf("findings %+v", fs)
	}
}

func BenchmarkInspect(b *testing.B) {
	in, _ := inspector(b)
	r := rand.New(rand.NewPCG(1, 1))
	words := strings.Fields("the quick brown fox jumps over lazy dog kernel package library kind keep make look like take back work know")
	var text bytes.Buffer
	for text.Len() < 32<<20 {
		text.WriteString(words[r.IntN(len(words))])
		text.WriteByte(' ')
	}
	bin := make([]byte, 32<<20)
	for i := range bin {
		bin[i] = byte(r.IntN(256))
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"text", text.Bytes()}, {"binary", bin}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				in.Inspect(&walk.File{Location: "x", Name: "x", Data: c.data})
			}
		})
	}
}

// hashLayer is a rule layer with one rule naming a SHA-256 digest.
func hashLayer(t testing.TB, sum []byte) signature.Layer {
	t.Helper()
	pack := `pack: hash-test
version: "1"
rules:
  - id: T-HASH-001
    title: A known vendor binary
    entity: Test
    category: engine
    severity: critical
    match: {hashes: ["sha256:` + hex.EncodeToString(sum) + `"]}
    references: [test]
    examples: {match: [{hash: "sha256:` + hex.EncodeToString(sum) + `"}]}
`
	p, err := signature.Parse("hash.yaml", []byte(pack))
	if err != nil {
		t.Fatal(err)
	}
	return signature.Layer{p}
}

// TestHashes: files are hashed only when a rule names a hash, and a file
// whose digest a rule lists is found by it.
func TestHashes(t *testing.T) {
	data := []byte("a renamed vendor binary")
	sum := sha256.Sum256(data)
	set, err := signature.NewSet(hashLayer(t, sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := match.New(set)
	if err != nil {
		t.Fatal(err)
	}
	in := New(eng)
	f := in.Inspect(&walk.File{Location: "bin/nwupdate", Name: "nwupdate", Data: data})
	if f == nil || len(f.Hashes) != 1 || f.Hashes[0].Algorithm != "SHA-256" {
		t.Fatalf("facts %+v", f)
	}
	asm := NewAssembler()
	asm.Add(f)
	doc := &model.Document{Components: asm.Components()}
	doc.Normalize()
	if fs := eng.Match(doc); len(fs) != 1 || fs[0].Evidence[0].Kind != match.KindHash {
		t.Fatalf("findings %+v", fs)
	}
	// With no hash rules, nothing is hashed.
	plain, _ := inspector(t)
	if f := plain.Inspect(&walk.File{Location: "bin/nwupdate", Name: "nwupdate", Data: data}); f != nil {
		t.Fatalf("a file was hashed though no rule names a hash: %+v", f)
	}
}

// TestCollectorKeepsWalkOrder: inspecting the files of a parallel walk
// assembles the same components, in the same order, as inspecting the
// files of a sequential walk one after another.
func TestCollectorKeepsWalkOrder(t *testing.T) {
	in, _ := inspector(t)
	dir := t.TempDir()
	for i := range 200 {
		data := []byte("nothing")
		switch i % 7 {
		case 0:
			data = []byte("Copyright (c) AO Kaspersky Lab")
		case 3:
			data = append(bytes.Repeat([]byte{'x'}, 1<<20), " s00.upd.kaspersky.com "...)
		}
		name := filepath.Join(dir, strings.Repeat("d/", i%5), fmt.Sprintf("f%03d.bin", i))
		if i%11 == 0 { // an archive whose entries keep their order inside the unit
			name += ".zip"
			data = archivetest.Zip(t, archivetest.File{Name: "a/one.txt", Data: data}, archivetest.File{Name: "b/two.txt", Data: []byte("Copyright (c) AO Kaspersky Lab")})
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seq := NewAssembler()
	if _, err := walk.Walk(context.Background(), dir, walk.Limits{}, func(f *walk.File) error {
		seq.Add(in.Inspect(f))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 4, 8} {
		c := in.Collect()
		if _, err := walk.WalkParallel(context.Background(), dir, walk.Limits{}, workers, func(f *walk.File) error {
			c.Add(f)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		par := NewAssembler()
		c.Assemble(par)
		var a, b []string
		for _, c := range seq.Components() {
			a = append(a, c.Name+fmtProps(c.Properties))
		}
		for _, c := range par.Components() {
			b = append(b, c.Name+fmtProps(c.Properties))
		}
		if len(a) < 50 || !slices.Equal(a, b) {
			t.Fatalf("%d workers: parallel %q\nsequential %q", workers, b, a)
		}
	}
}

func fmtProps(ps []model.Property) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Name+"="+p.Value)
	}
	return strings.Join(s, ";")
}
