package match

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

func testEngine(t testing.TB) *Engine {
	t.Helper()
	data, err := os.ReadFile("testdata/test-pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := signature.Parse("test-pack.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	set, err := signature.NewSet(signature.Layer{p})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	if errs := e.CheckExamples(); len(errs) > 0 {
		t.Fatal(errs)
	}
	return e
}

func kinds(ev []Evidence) []string {
	var out []string
	for _, e := range ev {
		out = append(out, e.Rule+" "+string(e.Kind)+" "+e.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestChannels shows which component field feeds which evidence kind.
func TestChannels(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name string
		c    model.Component
		want []string
	}{
		{"supplier", model.Component{Supplier: &model.Party{Name: "ZORBEX LTD."}}, []string{"ZX-NAME-001 supplier supplier.name"}},
		{"supplier raw", model.Component{Supplier: &model.Party{Raw: "Organization: Zorbex (x@y)"}}, []string{"ZX-NAME-001 supplier supplier.name"}},
		{"cyrillic manufacturer", model.Component{Manufacturer: &model.Party{Name: "ООО «Зорбекс»"}}, []string{"ZX-NAME-001 manufacturer manufacturer.name"}},
		{"homoglyph publisher", model.Component{Publisher: "Zorbe\u0445"}, []string{"ZX-NAME-001 publisher publisher"}},
		{"author", model.Component{Authors: []model.Party{{Name: "Jane"}, {Name: "Zorbex Labs"}}}, []string{"ZX-NAME-001 author authors[1].name"}},
		{"originator", model.Component{Originator: &model.Party{Name: "Zorbex"}}, []string{"ZX-NAME-001 originator originator.name"}},
		{"copyright", model.Component{Copyright: "(c) 2020 Zorbex AG"}, []string{"ZX-NAME-001 copyright copyright"}},
		{"evidence copyright", model.Component{Evidence: &model.Evidence{Copyright: []string{"Zorbex"}}}, []string{"ZX-NAME-001 copyright evidence.copyright[0]"}},
		{"description is a mention only", model.Component{Description: "A Zorbex plug-in"}, []string{"ZX-MENTION-001 mention description"}},
		{"product name", model.Component{Name: "Zorbex Shield Engine"}, []string{"ZX-PROD-001 name name"}},
		{"purl npm scope", model.Component{PURL: "pkg:npm/%40zorbex/hexa@2.0.0"}, []string{"ZX-DEV-001 purl purl"}},
		{"purl other scope", model.Component{PURL: "pkg:npm/%40zorbexa/hexa@2.0.0"}, nil},
		{"cpe 2.3", model.Component{CPEs: []string{"cpe:2.3:a:zorbex:shield:1:*:*:*:*:*:*:*"}}, []string{"ZX-ID-001 cpe cpes[0]"}},
		{"cpe 2.2", model.Component{CPEs: []string{"cpe:/a:zorbex:shield:1"}}, []string{"ZX-ID-001 cpe cpes[0]"}},
		{"cpe other vendor", model.Component{CPEs: []string{"cpe:2.3:a:zorbexa:shield:1:*:*:*:*:*:*:*"}}, nil},
		{"hash", model.Component{Hashes: []model.Hash{{Algorithm: "SHA-256", Value: strings.Repeat("1", 64)}}}, []string{"ZX-ID-001 hash hashes[0]"}},
		{"java group", model.Component{Group: "com.zorbex.sdk.core"}, []string{"ZX-ID-001 java-package group"}},
		{"java prefix is whole segments", model.Component{Group: "com.zorbex.sdkx"}, nil},
		{"maven purl namespace", model.Component{PURL: "pkg:maven/com.zorbex.sdk/core@1"}, []string{"ZX-ID-001 java-package purl"}},
		{"class file path", model.Component{Locations: []string{"classes/com/zorbex/sdk/Scanner.class"}}, []string{"ZX-ID-001 java-package locations[0]"}},
		{"signer property", model.Component{Properties: []model.Property{{Name: "pedigree:signer", Value: "ZRBX42TEAM"}}}, []string{"ZX-ID-001 signer properties[pedigree:signer]"}},
		{"pe company", model.Component{Properties: []model.Property{{Name: "syft:metadata:companyName", Value: "Zorbex"}}}, []string{"ZX-NAME-001 pe-version properties[syft:metadata:companyName]"}},
		{"manifest vendor", model.Component{Properties: []model.Property{{Name: "syft:metadata:manifest.main.Implementation-Vendor", Value: "Zorbex"}}}, []string{"ZX-NAME-001 supplier properties[syft:metadata:manifest.main.Implementation-Vendor]"}},
		{"file name", model.Component{FileName: "ZBXCORE.SYS"}, []string{"ZX-IND-001 filename fileName"}},
		{"file glob", model.Component{Locations: []string{"/libs/ZX_Mobile_SDK.aar"}}, []string{"ZX-IND-001 filename locations[0]"}},
		{"path", model.Component{Locations: []string{"/opt/zorbex/bin/scan"}}, []string{"ZX-IND-001 path locations[0]"}},
		{"path is whole segments", model.Component{Locations: []string{"/opt/zorbexa/bin/scan"}}, nil},
		{"domain", model.Component{ExternalRefs: []model.ExternalRef{{Type: "distribution", URL: "https://s01.upd.zorbex.example/x"}}}, []string{"ZX-IND-001 domain externalRefs[0]"}},
		{"domain lookalike", model.Component{ExternalRefs: []model.ExternalRef{{Type: "website", URL: "https://upd.zorbex.example.org/"}}}, nil},
		{"email domain", model.Component{Authors: []model.Party{{Name: "x", Email: "dev@upd.zorbex.example"}}}, []string{"ZX-IND-001 domain authors[0].email"}},
		{"content", model.Component{Properties: []model.Property{{Name: "pedigree:content:lib/x.so", Value: "...ZORBEX_PLUGINS_PATH..."}}}, []string{"ZX-IND-001 content properties[pedigree:content:lib/x.so]"}},
		{"nothing", model.Component{Name: "zlib", Supplier: &model.Party{Name: "Jean-loup Gailly"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			if c.Name == "" {
				c.Name = "x"
			}
			if got := kinds(e.Explain(&c)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func doc(components ...*model.Component) *model.Document {
	d := &model.Document{Roots: []string{components[0].Ref}, Components: components}
	d.Normalize()
	return d
}

func TestWhiteLabelAndPath(t *testing.T) {
	e := testEngine(t)
	root := &model.Component{Ref: "root", Name: "Northwind Gateway", Supplier: &model.Party{Name: "Northwind Ltd"}}
	mid := &model.Component{Ref: "mid", Name: "nw-av", Parent: "root"}
	engine := &model.Component{Ref: "eng", Name: "nw-engine", Version: "2.1", Parent: "mid", Copyright: "© 2024 Zorbex AG"}
	open := &model.Component{Ref: "open", Name: "zorbex-agent", Supplier: &model.Party{Name: "Zorbex"}, Parent: "root"}
	mention := &model.Component{Ref: "m", Name: "nw-docs", Description: "Replaces Zorbex", Parent: "root"}
	fs := e.Match(doc(root, mid, engine, open, mention))
	if len(fs) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(fs), fs)
	}
	byRef := map[string]Finding{}
	for _, f := range fs {
		byRef[f.Component.Ref] = f
	}
	if f := byRef["eng"]; !f.WhiteLabel || f.Offered != "Northwind Ltd" || !slices.Equal(f.Path, []string{"root", "mid", "eng"}) || f.Severity != signature.High {
		t.Errorf("engine: whiteLabel %v offered %q path %v severity %s", f.WhiteLabel, f.Offered, f.Path, f.Severity)
	}
	if f := byRef["open"]; f.WhiteLabel || f.Offered != "Zorbex" {
		t.Errorf("a component offered under the vendor's own name is not white-labelled: %v %q", f.WhiteLabel, f.Offered)
	}
	if f := byRef["m"]; f.WhiteLabel || f.Severity != signature.Info || f.Confidence != "low" {
		t.Errorf("a mention is info and never white-label: %+v", f)
	}
	if fs[0].Severity.Rank() < fs[len(fs)-1].Severity.Rank() {
		t.Error("findings are not sorted most severe first")
	}
}

func TestClassifyingRuleSetsSeverity(t *testing.T) {
	e := testEngine(t)
	lib := &model.Component{Ref: "ui", Name: "ui", PURL: "pkg:npm/%40zorbex/ui@1", Supplier: &model.Party{Name: "Zorbex"}}
	fs := e.Match(doc(lib))
	if len(fs) != 1 || fs[0].Severity != signature.Low || !slices.Equal(fs[0].Rules, []string{"ZX-DEV-001", "ZX-NAME-001"}) {
		t.Fatalf("developer library: %+v", fs)
	}
	// A security rule outranks the classification.
	lib.Name = "Zorbex Shield Engine"
	fs = e.Match(doc(lib))
	if fs[0].Severity != signature.Critical {
		t.Fatalf("engine inside a developer-library purl: severity %s", fs[0].Severity)
	}
}

func TestPedigreeAndRelationships(t *testing.T) {
	e := testEngine(t)
	shield := &model.Component{Ref: "shield", Name: "ShieldCore", Supplier: &model.Party{Name: "Acme"},
		Pedigree: &model.Pedigree{Ancestors: []*model.Component{{Name: "Zorbex Shield Engine", Supplier: &model.Party{Name: "Zorbex"}}}}}
	variant := &model.Component{Ref: "variant", Name: "acme-av", Supplier: &model.Party{Name: "Acme"}}
	upstream := &model.Component{Ref: "up", Name: "zx-core", Supplier: &model.Party{Name: "Zorbex"}}
	plain := &model.Component{Ref: "plain", Name: "acme-ui", Supplier: &model.Party{Name: "Acme"}}
	d := doc(shield, variant, upstream, plain)
	d.Relationships = []model.Relationship{
		model.NewRelationship("variant", "VARIANT_OF", "up"),
		model.NewRelationship("plain", "DEPENDS_ON", "up"),
	}
	fs := e.Match(d)
	got := map[string]Finding{}
	for _, f := range fs {
		got[f.Component.Ref] = f
	}
	if f, ok := got["shield"]; !ok || !f.WhiteLabel || f.Severity != signature.Critical || f.Evidence[0].Kind != KindPedigree ||
		!strings.HasPrefix(f.Evidence[0].Field, "pedigree.ancestors[0].") {
		t.Errorf("pedigree ancestor: %+v", f)
	}
	if f, ok := got["variant"]; !ok || !f.WhiteLabel || f.Evidence[0].Kind != KindRelationship {
		t.Errorf("VARIANT_OF: %+v", f)
	}
	if _, ok := got["plain"]; ok {
		t.Error("depending on a vendor component does not make a component the vendor's")
	}
}

func TestSPDXFiles(t *testing.T) {
	e := testEngine(t)
	pkg := &model.Component{Ref: "pkg", Name: "nw-scanner", Supplier: &model.Party{Name: "Northwind"}}
	d := doc(pkg)
	d.Files = []*model.File{
		{Ref: "f1", Name: "./lib/scanner.so", Copyright: "Copyright Zorbex"},
		{Ref: "f2", Name: "./drivers/zbxcore.sys"},
		{Ref: "f3", Name: "./README"},
	}
	d.Relationships = []model.Relationship{model.NewRelationship("pkg", "CONTAINS", "f1"), model.NewRelationship("pkg", "CONTAINS", "f3")}
	fs := e.Match(d)
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want the package and the loose file: %+v", len(fs), fs)
	}
	var pkgF, fileF *Finding
	for i := range fs {
		switch fs[i].Component.Ref {
		case "pkg":
			pkgF = &fs[i]
		case "f2":
			fileF = &fs[i]
		}
	}
	if pkgF == nil || !pkgF.WhiteLabel || pkgF.Evidence[0].Location != "./lib/scanner.so" || pkgF.Evidence[0].Field != "files[f1].copyrightText" {
		t.Errorf("contained file: %+v", pkgF)
	}
	if fileF == nil || fileF.Evidence[0].Kind != KindFilename {
		t.Errorf("loose file: %+v", fileF)
	}
}

func TestFingerprintStable(t *testing.T) {
	a := &model.Component{Ref: "a", Name: "x", Version: "1", PURL: "pkg:npm/x@1"}
	b := &model.Component{Ref: "other-ref", Name: "x", Version: "1", PURL: "pkg:npm/x@1"}
	if fingerprint("Zorbex", a) != fingerprint("Zorbex", b) {
		t.Error("the fingerprint must not depend on the ref")
	}
	if fingerprint("Zorbex", a) == fingerprint("Other", a) {
		t.Error("the fingerprint must depend on the entity")
	}
	if !strings.HasPrefix(fingerprint("Zorbex", a), "PDG-") || len(fingerprint("Zorbex", a)) != 20 {
		t.Error(fingerprint("Zorbex", a))
	}
}

func TestDuplicateComponentsGetDistinctIDs(t *testing.T) {
	e := testEngine(t)
	a := &model.Component{Ref: "a", Name: "zx", Supplier: &model.Party{Name: "Zorbex"}}
	b := &model.Component{Ref: "b", Name: "zx", Supplier: &model.Party{Name: "Zorbex"}}
	fs := e.Match(doc(a, b))
	if len(fs) != 2 || fs[0].ID == fs[1].ID {
		t.Fatalf("findings %+v", fs)
	}
}

// TestContributedCode: a package by another maker in which a minority of
// the copyrighted files name the vendor holds contributed code; it is
// reported low, with a note, not as the vendor's product.
func TestContributedCode(t *testing.T) {
	e := testEngine(t)
	pkg := &model.Component{Ref: "nrpe", Name: "nrpe", Supplier: &model.Party{Name: "Nagios Enterprises"}}
	d := doc(pkg)
	d.Files = []*model.File{
		{Ref: "f1", Name: "./src/acl.c", Copyright: "Copyright (c) 2011 Zorbex ZAO"},
		{Ref: "f2", Name: "./src/nrpe.c", Copyright: "Copyright (c) Nagios Enterprises"},
	}
	d.Relationships = []model.Relationship{model.NewRelationship("nrpe", "CONTAINS", "f1"), model.NewRelationship("nrpe", "CONTAINS", "f2")}
	fs := e.Match(d)
	if len(fs) != 1 || fs[0].Severity != signature.Low || len(fs[0].Notes) != 1 || !strings.Contains(fs[0].Notes[0], "only 1 of 2 files") {
		t.Fatalf("contributed code: %+v", fs)
	}
	// When most copyrighted files are the vendor's, it is the vendor's.
	d.Files[1].Copyright = "Copyright Zorbex"
	if fs := e.Match(d); fs[0].Severity != signature.High || len(fs[0].Notes) != 0 {
		t.Fatalf("vendor's files: %+v", fs)
	}
}

func TestMostSpecificDomainWins(t *testing.T) {
	e := testEngine(t)
	// The test pack knows upd.zorbex.example only; add a broader rule.
	layer, err := signature.Parse("extra.yaml", []byte(`pack: extra
version: "1"
rules:
  - id: ZX-NET-009
    title: Zorbex corporate domain
    entity: Zorbex
    category: indicator
    severity: medium
    match: {domains: [zorbex.example]}
    references: [test]
    examples: {match: [{url: "https://www.zorbex.example/"}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := signature.NewSet(signature.Layer{layer}, signature.Layer(e.Set().Packs))
	if err != nil {
		t.Fatal(err)
	}
	e2, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	ev := e2.Explain(&model.Component{Name: "x", ExternalRefs: []model.ExternalRef{{Type: "distribution", URL: "https://s1.upd.zorbex.example/a"}}})
	if got := kinds(ev); !slices.Equal(got, []string{"ZX-IND-001 domain externalRefs[0]"}) {
		t.Errorf("got %q, want only the update-host rule", got)
	}
	ev = e2.Explain(&model.Component{Name: "x", ExternalRefs: []model.ExternalRef{{Type: "website", URL: "https://www.zorbex.example/"}}})
	if got := kinds(ev); !slices.Equal(got, []string{"ZX-NET-009 domain externalRefs[0]"}) {
		t.Errorf("got %q", got)
	}
}

// TestFilePrecheck: the allocation-free pre-check never turns away a path
// the full file matcher would accept.
func TestFilePrecheck(t *testing.T) {
	e := testEngine(t)
	for _, p := range []string{"/opt/zorbex/bin/x", `C:\Windows\ZBXCORE.SYS`, "dir/zbxcore.sys/", "libs/ZX_Mobile_SDK.aar",
		"classes/com/zorbex/sdk/A.class", "/usr/lib/libz.so", "Zörbex/zbxcore.sys", "a/" + strings.Repeat("x", 200) + "/zbxcore.sys"} {
		full := e.newCollector()
		full.fileFull(p, fieldAt("", "f"))
		if len(full.ev) > 0 && !e.fileMayMatch(p) {
			t.Errorf("%q: pre-check says no, full match finds %v", p, full.ev)
		}
	}
	if e.fileMayMatch("/usr/lib/libz.so") {
		t.Error("an ordinary path should be turned away")
	}
}

func TestUnderNamespace(t *testing.T) {
	tests := []struct {
		pattern, ns string
		want        bool
	}{
		{"github.com/kasperskylab", "github.com/kasperskylab/klogga", true},
		{"github.com/kasperskylab", "github.com/kasperskylab/klogga/a/b", true},
		{"github.com/kasperskylab", "github.com/kasperskylab", false},
		{"github.com/kasperskylab", "github.com/kasperskylabs/x", false},
		{"github.com/*lab", "github.com/kasperskylab/x", true},
		{"github.com/kasperskylab", "github.com", false},
	}
	for _, tt := range tests {
		if got := underNamespace(tt.pattern, tt.ns); got != tt.want {
			t.Errorf("underNamespace(%q, %q) = %v, want %v", tt.pattern, tt.ns, got, tt.want)
		}
	}
}

// TestConcurrentMatch: the engine only reads its indexes, so documents can
// be matched in parallel (run with -race).
func TestConcurrentMatch(t *testing.T) {
	e := testEngine(t)
	mk := func() *model.Document {
		return doc(&model.Component{Ref: "r", Name: "root", Supplier: &model.Party{Name: "Acme"}},
			&model.Component{Ref: "x", Name: "x", Copyright: "© Зорбекс", Parent: "r"})
	}
	done := make(chan int)
	for range 4 {
		go func() {
			n := 0
			for range 50 {
				n += len(e.Match(mk()))
			}
			done <- n
		}()
	}
	for range 4 {
		if n := <-done; n != 50 {
			t.Errorf("got %d findings over 50 runs, want 50", n)
		}
	}
}
