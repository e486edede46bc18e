package ingest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// fixturesDir holds one product, "Acme Desktop Suite" 4.2.0 and its three
// libraries, written in every dialect and version pedigree reads (see
// fixtures/README.md; fixtures/gen/main.go writes them).
const fixturesDir = "../../fixtures/sbom"

// dialectReference is the fixture every other one is compared with. CycloneDX
// 1.6 JSON can say everything the projection holds.
const dialectReference = "acme-suite.cdx-1.6.json"

// A field of the projection that a dialect version may be unable to carry.
type field string

const (
	fieldRoot         field = "root"         // which component the document is about
	fieldDependencies field = "dependencies" // the DEPENDS_ON edges
	fieldSupplier     field = "supplier"     // each component's supplier name
	fieldHashes       field = "hashes"       // each component's hashes
	fieldCopyright    field = "copyright"    // each component's copyright text
)

// lack is a field a dialect version cannot express, and why.
type lack struct {
	field field
	why   string
}

// cyclonedx10and11 is what CycloneDX 1.0 and 1.1 cannot say.
var cyclonedx10and11 = []lack{
	{fieldRoot, "metadata (and metadata.component, the product the BOM describes) arrives in CycloneDX 1.2; the suite is one more component of the flat list"},
	{fieldDependencies, "the dependencies section arrives in CycloneDX 1.2 (1.1 only has the dependency-graph extension, see the -depgraph fixture)"},
	{fieldSupplier, "component supplier arrives in CycloneDX 1.2"},
}

// dialectFixtures lists every fixture with the dialect and version it must
// be detected as, and what its dialect version cannot express. A field
// listed here is blanked in the reference before the comparison, and must
// then really be absent from the fixture: a fixture that carries it after
// all fails, so the table cannot hide a field the decoder should read.
// Every file in fixturesDir must be listed.
var dialectFixtures = []struct {
	file    string
	format  model.Format
	version string
	lacks   []lack
}{
	// CycloneDX 1.2 to 1.7 carry every projected field: metadata.component,
	// dependencies and component supplier all arrive in 1.2; purl, cpe,
	// hashes, copyright and licenses are there from 1.0. (The projection
	// goes by component name, so the missing bom-refs of 1.0 do not count.)
	{"acme-suite.cdx-1.2.json", model.FormatCycloneDXJSON, "1.2", nil},
	{"acme-suite.cdx-1.3.json", model.FormatCycloneDXJSON, "1.3", nil},
	{"acme-suite.cdx-1.4.json", model.FormatCycloneDXJSON, "1.4", nil},
	{"acme-suite.cdx-1.5.json", model.FormatCycloneDXJSON, "1.5", nil},
	{"acme-suite.cdx-1.6.json", model.FormatCycloneDXJSON, "1.6", nil},
	{"acme-suite.cdx-1.7.json", model.FormatCycloneDXJSON, "1.7", nil},
	{"acme-suite.cdx-1.0.xml", model.FormatCycloneDXXML, "1.0", cyclonedx10and11},
	{"acme-suite.cdx-1.1.xml", model.FormatCycloneDXXML, "1.1", cyclonedx10and11},
	{"acme-suite.cdx-1.1-depgraph.xml", model.FormatCycloneDXXML, "1.1", []lack{cyclonedx10and11[0], cyclonedx10and11[2]}},
	{"acme-suite.cdx-1.2.xml", model.FormatCycloneDXXML, "1.2", nil},
	{"acme-suite.cdx-1.3.xml", model.FormatCycloneDXXML, "1.3", nil},
	{"acme-suite.cdx-1.4.xml", model.FormatCycloneDXXML, "1.4", nil},
	{"acme-suite.cdx-1.5.xml", model.FormatCycloneDXXML, "1.5", nil},
	{"acme-suite.cdx-1.6.xml", model.FormatCycloneDXXML, "1.6", nil},
	{"acme-suite.cdx-1.7.xml", model.FormatCycloneDXXML, "1.7", nil},
	// SPDX 2.2 and 2.3 carry every projected field in all five dialects:
	// DESCRIBES names the root, DEPENDS_ON the graph, PackageSupplier,
	// PackageChecksum, PackageCopyrightText, PackageLicenseConcluded and
	// Declared, and the purl and cpe23Type external references.
	{"acme-suite.spdx-2.2.json", model.FormatSPDXJSON, "2.2", nil},
	{"acme-suite.spdx-2.2.spdx", model.FormatSPDXTagValue, "2.2", nil},
	{"acme-suite.spdx-2.2.yaml", model.FormatSPDXYAML, "2.2", nil},
	{"acme-suite.spdx-2.2.rdf.xml", model.FormatSPDXRDF, "2.2", nil},
	{"acme-suite.spdx-2.2.xml", model.FormatSPDXXML, "2.2", nil},
	{"acme-suite.spdx-2.3.json", model.FormatSPDXJSON, "2.3", nil},
	{"acme-suite.spdx-2.3.spdx", model.FormatSPDXTagValue, "2.3", nil},
	{"acme-suite.spdx-2.3.yaml", model.FormatSPDXYAML, "2.3", nil},
	{"acme-suite.spdx-2.3.rdf.xml", model.FormatSPDXRDF, "2.3", nil},
	{"acme-suite.spdx-2.3.xml", model.FormatSPDXXML, "2.3", nil},
	// syft names the root (source) and its supplier (source.supplier), the
	// graph (dependency-of), purls, CPEs and licenses; a library's supplier
	// is the vendor of the ELF package note syft read it from.
	{"acme-suite.syft.json", model.FormatSyftJSON, "16.1.13", []lack{
		{fieldHashes, "a syft package has no digest field (digests belong to entries of the files section, which become model files, not component hashes)"},
		{fieldCopyright, "a syft package has no copyright field, and a systemd ELF package note has none either"},
	}},
}

// projection is what every dialect can say about the product: the root's
// name, each component by name, and the dependency edges by name.
type projection struct {
	Root       string                         `json:"root"`
	Components map[string]projectionComponent `json:"components"`
	DependsOn  []string                       `json:"dependsOn"`
}

type projectionComponent struct {
	Version   string   `json:"version"`
	PURL      string   `json:"purl"`
	CPEs      []string `json:"cpes"`
	Hashes    []string `json:"hashes"`
	Supplier  string   `json:"supplier"`
	Copyright string   `json:"copyright"`
	Licenses  []string `json:"licenses"`
}

func project(doc *model.Document) projection {
	p := projection{Components: map[string]projectionComponent{}, DependsOn: []string{}}
	names := map[string]string{}
	for _, c := range doc.Components {
		names[c.Ref] = c.Name
		pc := projectionComponent{
			Version:   c.Version,
			PURL:      c.PURL,
			CPEs:      model.SortedStrings(c.CPEs),
			Hashes:    []string{},
			Copyright: c.Copyright,
			Licenses:  model.SortedStrings(c.Licenses),
		}
		for _, h := range c.Hashes {
			pc.Hashes = append(pc.Hashes, h.Algorithm+":"+h.Value)
		}
		pc.Hashes = model.SortedStrings(pc.Hashes)
		if c.Supplier != nil {
			pc.Supplier = c.Supplier.Name
		}
		if _, dup := p.Components[c.Name]; dup {
			pc.Version = "DUPLICATE NAME"
		}
		p.Components[c.Name] = pc
	}
	name := func(ref string) string {
		if n, ok := names[ref]; ok {
			return n
		}
		return "unknown ref " + ref
	}
	var roots []string
	for _, r := range doc.Roots {
		roots = append(roots, name(r))
	}
	p.Root = strings.Join(roots, ", ")
	for _, r := range doc.Relationships {
		if r.Type == model.RelDependsOn {
			p.DependsOn = append(p.DependsOn, name(r.From)+" DEPENDS_ON "+name(r.To))
		}
	}
	p.DependsOn = model.SortedStrings(p.DependsOn)
	return p
}

// blank removes f from p, reporting whether p carried it.
func blank(p *projection, f field) (carried bool) {
	switch f {
	case fieldRoot:
		carried = p.Root != ""
		p.Root = ""
	case fieldDependencies:
		carried = len(p.DependsOn) > 0
		p.DependsOn = []string{}
	case fieldSupplier, fieldHashes, fieldCopyright:
		for n, c := range p.Components {
			switch f {
			case fieldSupplier:
				carried = carried || c.Supplier != ""
				c.Supplier = ""
			case fieldHashes:
				carried = carried || len(c.Hashes) > 0
				c.Hashes = []string{}
			case fieldCopyright:
				carried = carried || c.Copyright != ""
				c.Copyright = ""
			}
			p.Components[n] = c
		}
	default:
		panic("unknown field " + f)
	}
	return carried
}

func (p projection) String() string {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// diffProjections says, one line each, how got differs from want.
func diffProjections(want, got projection) string {
	var lines []string
	if want.Root != got.Root {
		lines = append(lines, fmt.Sprintf("root: want %q, got %q", want.Root, got.Root))
	}
	names := map[string]bool{}
	for n := range want.Components {
		names[n] = true
	}
	for n := range got.Components {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		w, inWant := want.Components[n]
		g, inGot := got.Components[n]
		switch {
		case !inGot:
			lines = append(lines, fmt.Sprintf("component %q: missing", n))
			continue
		case !inWant:
			lines = append(lines, fmt.Sprintf("component %q: not in the reference", n))
			continue
		}
		wv, gv := reflect.ValueOf(w), reflect.ValueOf(g)
		for i := 0; i < wv.NumField(); i++ {
			if !reflect.DeepEqual(wv.Field(i).Interface(), gv.Field(i).Interface()) {
				lines = append(lines, fmt.Sprintf("component %q: %s: want %q, got %q", n, wv.Type().Field(i).Tag.Get("json"), wv.Field(i).Interface(), gv.Field(i).Interface()))
			}
		}
	}
	if !reflect.DeepEqual(want.DependsOn, got.DependsOn) {
		lines = append(lines, fmt.Sprintf("dependencies: want %q, got %q", want.DependsOn, got.DependsOn))
	}
	return strings.Join(lines, "\n")
}

// TestDialects ingests the same product written in every dialect and
// version. Each fixture must ingest without error as the dialect and
// version it is; its full normalised model is pinned in
// testdata/dialects/<fixture>.golden.json (go test -run Dialects -update
// rewrites them); and its projection (see projection) must equal the
// reference's, less exactly the fields its dialect version cannot carry.
func TestDialects(t *testing.T) {
	entries, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	listed := map[string]bool{}
	for _, f := range dialectFixtures {
		listed[f.file] = true
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "acme-suite.") && !listed[e.Name()] {
			t.Errorf("fixture %s is not listed in dialectFixtures", e.Name())
		}
	}

	refDoc, err := ingest.File(filepath.Join(fixturesDir, dialectReference), ingest.DefaultOptions())
	if err != nil {
		t.Fatalf("reference %s: %v", dialectReference, err)
	}
	reference := project(refDoc)
	// The reference must carry every field a fixture may lack, or blanking
	// it would prove nothing.
	for _, f := range []field{fieldRoot, fieldDependencies, fieldSupplier, fieldHashes, fieldCopyright} {
		if p := project(refDoc); !blank(&p, f) {
			t.Errorf("reference %s carries no %s", dialectReference, f)
		}
	}
	if len(reference.Components) != 4 || len(reference.DependsOn) != 3 {
		t.Errorf("reference %s: want 4 components and 3 dependencies, got\n%s", dialectReference, reference)
	}

	for _, fx := range dialectFixtures {
		for _, l := range fx.lacks {
			if strings.TrimSpace(l.why) == "" {
				t.Errorf("%s: the lack of %s gives no reason", fx.file, l.field)
			}
		}
		t.Run(fx.file, func(t *testing.T) {
			path := filepath.Join(fixturesDir, fx.file)
			doc, err := ingest.File(path, ingest.DefaultOptions())
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			if doc.Format != fx.format || doc.SpecVersion != fx.version {
				t.Errorf("detected as %s %s, want %s %s", doc.Format, doc.SpecVersion, fx.format, fx.version)
			}
			if len(doc.Warnings) > 0 {
				t.Errorf("warnings on a valid fixture: %q", doc.Warnings)
			}

			doc.Source = ""
			full, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			dialectGoldens.Check(t, append(full, '\n'))

			want, got := project(refDoc), project(doc)
			for _, l := range fx.lacks {
				blank(&want, l.field)
				if blank(&got, l.field) {
					t.Errorf("the table says %s cannot carry %s (%s), but it ingested with one: correct the table", fx.file, l.field, l.why)
				}
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("projection differs from the reference %s (less %s):\n%s\nfull projection:\n%s", dialectReference, lacking(fx.lacks), diffProjections(want, got), got)
			}
		})
	}
}

func lacking(lacks []lack) string {
	if len(lacks) == 0 {
		return "nothing"
	}
	var s []string
	for _, l := range lacks {
		s = append(s, string(l.field))
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
