package spdx

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/golden"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// dialects are the fixtures of one product, written in every SPDX 2.3
// dialect.
var dialects = []struct {
	name   string
	format model.Format
	file   string
}{
	{"json", model.FormatSPDXJSON, "product.spdx.json"},
	{"tag-value", model.FormatSPDXTagValue, "product.spdx"},
	{"yaml", model.FormatSPDXYAML, "product.spdx.yaml"},
	{"rdf", model.FormatSPDXRDF, "product.spdx.rdf.xml"},
	{"xml", model.FormatSPDXXML, "product.spdx.xml"},
}

// decodeFile decodes a fixture the way the caller does: leading white
// space removed, Normalize after.
func decodeFile(t *testing.T, format model.Format, path string) *model.Document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Decode(format, trimLeading(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	doc.Normalize()
	return doc
}

func trimLeading(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(data, " \t\r\n\f\v")
}

const (
	product  = "SPDXRef-Product"
	lib      = "SPDXRef-Lib"
	upstream = "SPDXRef-Upstream"
	mainFile = "SPDXRef-File-Main"
)

var (
	vendor = model.Party{Kind: "organization", Name: "Example Vendor GmbH", Email: "ops@example.com",
		Raw: "Organization: Example Vendor GmbH (ops@example.com)"}
	maker = model.Party{Kind: "person", Name: "Jane Maker", Email: "jane@example.org",
		Raw: "Person: Jane Maker (jane@example.org)"}
)

func hasRelationship(d *model.Document, want model.Relationship) bool {
	for _, r := range d.Relationships {
		if r == want {
			return true
		}
	}
	return false
}

// fieldChecks are the vendor-revealing fields (and the fields around them)
// every dialect must deliver. Each returns what is wrong, or "".
var fieldChecks = []struct {
	field string
	check func(d *model.Document) string
}{
	{"spec version", func(d *model.Document) string {
		return expect(d.SpecVersion, "2.3")
	}},
	{"document id, name, created, comment", func(d *model.Document) string {
		return expect([]string{d.ID, d.Name, d.Created, d.Comment}, []string{
			"https://example.com/spdxdocs/example-product-2.0", "example-product-2.0",
			"2024-05-01T12:00:00Z", "Fixture for pedigree's SPDX decoder.",
		})
	}},
	{"creators", func(d *model.Document) string {
		if s := expect(d.Tools, []string{"fixture-writer-1.0"}); s != "" {
			return s
		}
		return expect(d.Authors, []model.Party{vendor, maker})
	}},
	{"roots", func(d *model.Document) string {
		return expect(d.Roots, []string{product})
	}},
	{"components", func(d *model.Document) string {
		var refs []string
		for _, c := range d.Components {
			refs = append(refs, c.Ref)
		}
		return expect(refs, []string{product, lib, upstream})
	}},
	{"name, version, file name, type", func(d *model.Document) string {
		c := d.Component(product)
		return expect([]string{c.Name, c.Version, c.FileName, c.Type},
			[]string{"Example Product", "2.0", "example-product-2.0.tar.gz", "application"})
	}},
	{"supplier", func(d *model.Document) string {
		return expect(d.Component(product).Supplier, &vendor)
	}},
	{"originator", func(d *model.Document) string {
		return expect(d.Component(product).Originator, &maker)
	}},
	{"copyright", func(d *model.Document) string {
		return expect(d.Component(product).Copyright, "Copyright 2024 Example Vendor GmbH")
	}},
	{"purl", func(d *model.Document) string {
		return expect(d.Component(product).PURL, "pkg:generic/example-vendor/example-product@2.0")
	}},
	{"cpe", func(d *model.Document) string {
		return expect(d.Component(product).CPEs, []string{"cpe:2.3:a:example_vendor:example_product:2.0:*:*:*:*:*:*:*"})
	}},
	{"external refs", func(d *model.Document) string {
		return expect(d.Component(product).ExternalRefs, []model.ExternalRef{
			{Type: "distribution", URL: "https://example.com/downloads/example-product-2.0.tar.gz"},
			{Type: "website", URL: "https://example.com/product"},
			{Type: "PACKAGE-MANAGER/purl", URL: "pkg:generic/example-vendor/example-product@2.0"},
			{Type: "SECURITY/cpe23Type", URL: "cpe:2.3:a:example_vendor:example_product:2.0:*:*:*:*:*:*:*", Comment: "vendor CPE"},
		})
	}},
	{"checksum", func(d *model.Document) string {
		return expect(d.Component(product).Hashes, []model.Hash{
			{Algorithm: "SHA-256", Value: "11b6d3ee554eedf79299905a98f9b9a04e498210b59f15094c916c91d150efcd"},
		})
	}},
	{"annotation and attribution", func(d *model.Document) string {
		return expect(d.Component(product).Properties, []model.Property{
			{Name: "annotation:Organization: Example Vendor GmbH (ops@example.com)", Value: "Built and signed by Example Vendor GmbH."},
			{Name: "attribution", Value: "Contains software by Example Vendor GmbH."},
		})
	}},
	{"licenses", func(d *model.Document) string {
		return expect(d.Component(product).Licenses, []string{"Apache-2.0", "MIT"})
	}},
	{"description and comment", func(d *model.Document) string {
		c := d.Component(product)
		return expect([]string{c.Description, c.Comment}, []string{"The example product.",
			"Package comment.\nSummary: Example product summary.\nSource information: built from the vendor's internal repository"})
	}},
	{"NOASSERTION and NONE", func(d *model.Document) string {
		for _, ref := range []string{lib, upstream} {
			c := d.Component(ref)
			if c.Supplier != nil || c.Copyright != "" || len(c.Licenses) != 0 || len(c.ExternalRefs) != 0 {
				return ref + " keeps a NOASSERTION or NONE value: " + dump(c)
			}
		}
		return ""
	}},
	{"file", func(d *model.Document) string {
		return expect(d.Files, []*model.File{{
			Ref:          mainFile,
			Name:         "./bin/example-product",
			Types:        []string{"BINARY"},
			Checksums:    []model.Hash{{Algorithm: "SHA-1", Value: "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"}},
			Copyright:    "Copyright 2024 Example Vendor GmbH",
			Contributors: []string{"Example Vendor GmbH"},
			Licenses:     []string{"Apache-2.0"},
			Notice:       "Example notice.",
			Comment: "The main binary.\nAttribution: Binary built by Example Vendor GmbH.\n" +
				"Annotation by Person: Jane Maker (jane@example.org): Signed with the Example Vendor GmbH key.",
		}})
	}},
	{"DESCRIBES", func(d *model.Document) string {
		return expectRelationship(d, model.Relationship{From: model.DocumentRef, Type: model.RelDescribes, To: product})
	}},
	{"CONTAINS", func(d *model.Document) string {
		return expectRelationship(d, model.Relationship{From: product, Type: model.RelContains, To: mainFile})
	}},
	{"DEPENDS_ON with comment", func(d *model.Document) string {
		return expectRelationship(d, model.Relationship{From: product, Type: model.RelDependsOn, To: lib, Comment: "linked at build time"})
	}},
	{"VARIANT_OF", func(d *model.Document) string {
		return expectRelationship(d, model.Relationship{From: lib, Type: model.RelVariantOf, To: upstream})
	}},
	{"CONTAINED_BY turned around", func(d *model.Document) string {
		return expectRelationship(d, model.Relationship{From: product, Type: model.RelContains, To: lib})
	}},
	{"relationships", func(d *model.Document) string {
		return expect(d.Relationships, []model.Relationship{
			{From: model.DocumentRef, Type: model.RelDescribes, To: product},
			{From: product, Type: model.RelContains, To: mainFile},
			{From: product, Type: model.RelDependsOn, To: lib, Comment: "linked at build time"},
			{From: lib, Type: model.RelVariantOf, To: upstream},
			{From: product, Type: model.RelContains, To: lib},
		})
	}},
	{"no warnings", func(d *model.Document) string {
		return expect(d.Warnings, []string{})
	}},
}

func expect(got, want any) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	return "got " + dump(got) + ", want " + dump(want)
}

func expectRelationship(d *model.Document, want model.Relationship) string {
	if hasRelationship(d, want) {
		return ""
	}
	return "missing " + dump(want) + " in " + dump(d.Relationships)
}

func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func TestVendorFieldsInEveryDialect(t *testing.T) {
	for _, dl := range dialects {
		doc := decodeFile(t, dl.format, filepath.Join("testdata", dl.file))
		for _, fc := range fieldChecks {
			t.Run(dl.name+"/"+fc.field, func(t *testing.T) {
				if d := doc.Component(product); d == nil && fc.field != "components" && fc.field != "spec version" {
					t.Fatalf("no component %s", product)
				}
				if msg := fc.check(doc); msg != "" {
					t.Error(msg)
				}
			})
		}
	}
}

// TestDialectsAgree checks that the five dialects of one product give the
// same model, apart from the format.
func TestDialectsAgree(t *testing.T) {
	want := decodeFile(t, dialects[0].format, filepath.Join("testdata", dialects[0].file))
	want.Format = ""
	for _, dl := range dialects[1:] {
		t.Run(dl.name, func(t *testing.T) {
			got := decodeFile(t, dl.format, filepath.Join("testdata", dl.file))
			if got.Format != dl.format {
				t.Errorf("format %q, want %q", got.Format, dl.format)
			}
			got.Format = ""
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("%s differs from json:\n%s", dl.name, golden.Diff(string(w), string(g)))
			}
		})
	}
}

// TestRDFIsDeterministic guards against the map-ordered reading inside
// tools-golang's RDF reader leaking into the model.
func TestRDFIsDeterministic(t *testing.T) {
	path := filepath.Join("testdata", "product.spdx.rdf.xml")
	first := dump(decodeFile(t, model.FormatSPDXRDF, path))
	for i := 0; i < 20; i++ {
		if got := dump(decodeFile(t, model.FormatSPDXRDF, path)); got != first {
			t.Fatalf("run %d differs:\n%s", i, golden.Diff(first, got))
		}
	}
}

// corpusDir is the shared conformance corpus, relative to this package.
const corpusDir = "../../../../shared/corpus/conformance"

var manifestFormats = map[string]model.Format{
	"spdx-json":      model.FormatSPDXJSON,
	"spdx-tag-value": model.FormatSPDXTagValue,
	"spdx-yaml":      model.FormatSPDXYAML,
	"spdx-rdf-xml":   model.FormatSPDXRDF,
	"spdx-xml":       model.FormatSPDXXML,
}

type manifestEntry struct {
	format      model.Format
	version     string
	expectation string
}

// readManifest reads MANIFEST.tsv, keyed by file path.
func readManifest(t *testing.T) map[string]manifestEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		t.Logf("no manifest (%v); choosing formats by file extension", err)
		return nil
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) == 0 {
		return nil
	}
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		col[h] = i
	}
	get := func(fields []string, name string) string {
		if i, ok := col[name]; ok && i < len(fields) {
			return fields[i]
		}
		return ""
	}
	out := map[string]manifestEntry{}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		out[get(f, "file")] = manifestEntry{
			format:      manifestFormats[get(f, "format")],
			version:     get(f, "spec_version"),
			expectation: get(f, "expectation"),
		}
	}
	return out
}

func formatByExtension(name string) model.Format {
	switch {
	case strings.HasSuffix(name, ".json"):
		return model.FormatSPDXJSON
	case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"):
		return model.FormatSPDXYAML
	case strings.HasSuffix(name, ".rdf"), strings.HasSuffix(name, ".rdf.xml"):
		return model.FormatSPDXRDF
	case strings.HasSuffix(name, ".xml"):
		return model.FormatSPDXXML
	}
	return model.FormatSPDXTagValue
}

// TestConformanceCorpus decodes every SPDX 2.2 and 2.3 document of the
// shared corpus.
func TestConformanceCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("conformance corpus not found at %s (from the package directory): %v", corpusDir, err)
	}
	manifest := readManifest(t)
	n := 0
	for _, version := range []string{"2.2", "2.3"} {
		entries, err := os.ReadDir(filepath.Join(corpusDir, "spdx", version))
		if err != nil {
			t.Logf("spdx/%s: %v", version, err)
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			rel := "spdx/" + version + "/" + e.Name()
			n++
			t.Run(rel, func(t *testing.T) {
				m, listed := manifest[rel]
				format := m.format
				if format == "" {
					format = formatByExtension(e.Name())
				}
				doc := decodeFile(t, format, filepath.Join(corpusDir, rel))
				want := version
				if listed && m.version != "" {
					want = m.version
				}
				if doc.SpecVersion != want {
					t.Errorf("spec version %q, want %q", doc.SpecVersion, want)
				}
				if len(doc.Components)+len(doc.Files) == 0 {
					if m.expectation == "edge-case" {
						t.Logf("edge case without components or files")
					} else {
						t.Errorf("no components and no files")
					}
				}
			})
		}
	}
	if n == 0 {
		t.Skip("the corpus has no SPDX 2.2 or 2.3 documents")
	}
}

// TestCorpusNullEdgeCases pins down the edge cases that once crashed
// tools-golang: null packages and null or empty relationships.
func TestCorpusNullEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name        string
		json        string
		comps, rels int
		files       int
	}{
		{"null package", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"n","documentNamespace":"x","creationInfo":{"created":"2023-07-18T12:27:48Z","creators":["Tool: t"]},"packages":[null]}`, 0, 0, 0},
		{"null and empty relationships", `{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":"a","SPDXID":"SPDXRef-A"}],"relationships":[null,{},null,{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-A"}]}`, 1, 1, 0},
		{"null members", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","creationInfo":null,"packages":[{"name":"a","SPDXID":"SPDXRef-A","supplier":null,"checksums":[null],"externalRefs":null}],"files":[null]}`, 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode(model.FormatSPDXJSON, []byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			doc.Normalize()
			if len(doc.Components) != tc.comps || len(doc.Relationships) != tc.rels || len(doc.Files) != tc.files {
				t.Errorf("got %d components, %d relationships, %d files; want %d, %d, %d",
					len(doc.Components), len(doc.Relationships), len(doc.Files), tc.comps, tc.rels, tc.files)
			}
		})
	}
}

// TestTextIsDecoded checks that escapes and entities in every dialect come
// out as the text they stand for: a vendor name must match however it was
// written.
func TestTextIsDecoded(t *testing.T) {
	const name = `АО "Лаборатория Касперского" & Co`
	for _, tc := range []struct {
		name   string
		format model.Format
		doc    string
	}{
		{"json escapes", model.FormatSPDXJSON, `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT",
			"creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Organization: \u0410\u041e \"\u041b\u0430\u0431\u043e\u0440\u0430\u0442\u043e\u0440\u0438\u044f \u041a\u0430\u0441\u043f\u0435\u0440\u0441\u043a\u043e\u0433\u043e\" \u0026 Co"]},
			"packages":[{"name":"p","SPDXID":"SPDXRef-P","supplier":"Organization: \u0410\u041e \"\u041b\u0430\u0431\u043e\u0440\u0430\u0442\u043e\u0440\u0438\u044f \u041a\u0430\u0441\u043f\u0435\u0440\u0441\u043a\u043e\u0433\u043e\" \u0026 Co",
			"annotations":[{"annotator":"Organization: \u0410\u041e \"\u041b\u0430\u0431\u043e\u0440\u0430\u0442\u043e\u0440\u0438\u044f \u041a\u0430\u0441\u043f\u0435\u0440\u0441\u043a\u043e\u0433\u043e\" \u0026 Co","annotationDate":"2024-01-01T00:00:00Z","annotationType":"OTHER","comment":"c"}]}]}`},
		{"yaml", model.FormatSPDXYAML, "spdxVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\ncreationInfo:\n  created: 2024-01-01T00:00:00Z\n  creators:\n    - 'Organization: " + name + "'\npackages:\n  - name: p\n    SPDXID: SPDXRef-P\n    supplier: 'Organization: " + name + "'\n    annotations:\n      - annotator: 'Organization: " + name + "'\n        annotationDate: 2024-01-01T00:00:00Z\n        annotationType: OTHER\n        comment: c\n"},
		{"xml entities", model.FormatSPDXXML, `<Document><spdxVersion>SPDX-2.3</spdxVersion><SPDXID>SPDXRef-DOCUMENT</SPDXID>
			<creationInfo><created>2024-01-01T00:00:00Z</created><creators>Organization: АО &quot;Лаборатория Касперского&quot; &amp; Co</creators></creationInfo>
			<packages><name>p</name><SPDXID>SPDXRef-P</SPDXID><supplier>Organization: АО "Лаборатория &#x41a;асперского" &amp; Co</supplier>
			<annotations><annotator>Organization: АО "Лаборатория Касперского" &amp; Co</annotator><annotationDate>2024-01-01T00:00:00Z</annotationDate><annotationType>OTHER</annotationType><comment>c</comment></annotations></packages></Document>`},
		{"tag-value", model.FormatSPDXTagValue, "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nDocumentNamespace: https://example.com/d\nCreator: Organization: " + name + "\nCreated: 2024-01-01T00:00:00Z\nPackageName: p\nSPDXID: SPDXRef-P\nPackageSupplier: Organization: " + name + "\nPackageDownloadLocation: NOASSERTION\nAnnotator: Organization: " + name + "\nAnnotationDate: 2024-01-01T00:00:00Z\nAnnotationType: OTHER\nSPDXREF: SPDXRef-P\nAnnotationComment: c\n"},
		{"rdf entities", model.FormatSPDXRDF, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
			<spdx:SpdxDocument rdf:about="https://example.com/d#SPDXRef-DOCUMENT"><spdx:specVersion>SPDX-2.3</spdx:specVersion>
			<spdx:creationInfo><spdx:CreationInfo><spdx:created>2024-01-01T00:00:00Z</spdx:created><spdx:creator>Organization: АО &quot;Лаборатория Касперского&quot; &amp; Co</spdx:creator></spdx:CreationInfo></spdx:creationInfo>
			<spdx:relationship><spdx:Relationship><spdx:relationshipType rdf:resource="http://spdx.org/rdf/terms#relationshipType_describes"/>
			<spdx:relatedSpdxElement><spdx:Package rdf:about="https://example.com/d#SPDXRef-P"><spdx:name>p</spdx:name><spdx:downloadLocation>NOASSERTION</spdx:downloadLocation>
			<spdx:supplier>Organization: АО "Лаборатория Касперского" &amp; Co</spdx:supplier>
			<spdx:annotation><spdx:Annotation><spdx:annotator>Organization: АО "Лаборатория Касперского" &amp; Co</spdx:annotator><spdx:annotationDate>2024-01-01T00:00:00Z</spdx:annotationDate>
			<spdx:annotationType rdf:resource="http://spdx.org/rdf/terms#annotationType_other"/><rdfs:comment>c</rdfs:comment></spdx:Annotation></spdx:annotation>
			</spdx:Package></spdx:relatedSpdxElement></spdx:Relationship></spdx:relationship></spdx:SpdxDocument></rdf:RDF>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode(tc.format, []byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			doc.Normalize()
			want := model.Party{Kind: "organization", Name: name, Raw: "Organization: " + name}
			if msg := expect(doc.Authors, []model.Party{want}); msg != "" {
				t.Errorf("creator: %s", msg)
			}
			c := doc.Component("SPDXRef-P")
			if c == nil {
				t.Fatal("no package SPDXRef-P")
			}
			if msg := expect(c.Supplier, &want); msg != "" {
				t.Errorf("supplier: %s", msg)
			}
			if msg := expect(c.Properties, []model.Property{{Name: "annotation:Organization: " + name, Value: "c"}}); msg != "" {
				t.Errorf("annotation: %s", msg)
			}
		})
	}
}

// TestOlderVersions checks SPDX 2.1 and 2.2, and the ways of saying what
// the document describes.
func TestOlderVersions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		format  model.Format
		doc     string
		version string
	}{
		{"json 2.1 documentDescribes", model.FormatSPDXJSON, `{"spdxVersion":"SPDX-2.1","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["SPDXRef-P"],
			"packages":[{"name":"p","SPDXID":"SPDXRef-P","supplier":"NONE","hasFiles":["SPDXRef-F"]}],"files":[{"fileName":"f","SPDXID":"SPDXRef-F"}]}`, "2.1"},
		{"json 2.2 DESCRIBED_BY", model.FormatSPDXJSON, `{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-DOCUMENT",
			"packages":[{"name":"p","SPDXID":"SPDXRef-P","hasFiles":["SPDXRef-F"]}],"files":[{"fileName":"f","SPDXID":"SPDXRef-F"}],
			"relationships":[{"spdxElementId":"SPDXRef-P","relationshipType":"DESCRIBED_BY","relatedSpdxElement":"SPDXRef-DOCUMENT"}]}`, "2.2"},
		{"tag-value 2.1", model.FormatSPDXTagValue, "SPDXVersion: SPDX-2.1\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nDocumentNamespace: https://example.com/d\nCreator: Tool: t\nCreated: 2024-01-01T00:00:00Z\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-P\nPackageName: p\nSPDXID: SPDXRef-P\nPackageSupplier: NONE\nPackageDownloadLocation: NOASSERTION\nFileName: f\nSPDXID: SPDXRef-F\nFileChecksum: SHA1: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n", "2.1"},
		{"rdf 2.2", model.FormatSPDXRDF, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#">
			<spdx:SpdxDocument rdf:about="https://example.com/d#SPDXRef-DOCUMENT"><spdx:specVersion>SPDX-2.2</spdx:specVersion>
			<spdx:relationship><spdx:Relationship><spdx:relationshipType rdf:resource="http://spdx.org/rdf/terms#relationshipType_describes"/>
			<spdx:relatedSpdxElement rdf:resource="https://example.com/d#SPDXRef-P"/></spdx:Relationship></spdx:relationship></spdx:SpdxDocument>
			<spdx:Package rdf:about="https://example.com/d#SPDXRef-P"><spdx:name>p</spdx:name><spdx:supplier>NONE</spdx:supplier>
			<spdx:hasFile><spdx:File rdf:about="https://example.com/d#SPDXRef-F"><spdx:fileName>f</spdx:fileName></spdx:File></spdx:hasFile></spdx:Package></rdf:RDF>`, "2.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode(tc.format, []byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			doc.Normalize()
			if doc.SpecVersion != tc.version {
				t.Errorf("spec version %q, want %q", doc.SpecVersion, tc.version)
			}
			if msg := expect(doc.Roots, []string{"SPDXRef-P"}); msg != "" {
				t.Errorf("roots: %s", msg)
			}
			if c := doc.Component("SPDXRef-P"); c == nil || c.Supplier != nil {
				t.Errorf("package: %s", dump(c))
			}
			if len(doc.Files) == 1 {
				if !hasRelationship(doc, model.Relationship{From: "SPDXRef-P", Type: model.RelContains, To: "SPDXRef-F"}) {
					t.Errorf("no SPDXRef-P CONTAINS SPDXRef-F in %s", dump(doc.Relationships))
				}
			} else {
				t.Errorf("files: %s", dump(doc.Files))
			}
		})
	}
}

// TestLenientScalars checks that a scalar of the wrong kind where the
// schema wants a scalar is read as its text rather than refused, and that
// a version keeps its exact text.
func TestLenientScalars(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format model.Format
		doc    string
	}{
		{"json", model.FormatSPDXJSON, `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-P","name":"p","versionInfo":1.10,"filesAnalyzed":"false","licenseInfoFromFiles":[true]}]}`},
		{"yaml", model.FormatSPDXYAML, "spdxVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\npackages:\n  - SPDXID: SPDXRef-P\n    name: p\n    versionInfo: 1.10\n    filesAnalyzed: no\n    licenseInfoFromFiles: [true]\n"},
		{"xml", model.FormatSPDXXML, "<Document><spdxVersion>SPDX-2.3</spdxVersion><SPDXID>SPDXRef-DOCUMENT</SPDXID><packages><SPDXID>SPDXRef-P</SPDXID><name>p</name><versionInfo>1.10</versionInfo><filesAnalyzed>false</filesAnalyzed><licenseInfoFromFiles>true</licenseInfoFromFiles></packages></Document>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode(tc.format, []byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			c := doc.Component("SPDXRef-P")
			if c == nil || c.Version != "1.10" || !reflect.DeepEqual(c.Licenses, []string{"true"}) {
				t.Errorf("got %s", dump(c))
			}
		})
	}
}

// TestMalformed checks that broken input gives an error, never a panic.
func TestMalformed(t *testing.T) {
	product, err := os.ReadFile(filepath.Join("testdata", "product.spdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		format      model.Format
		input       string
		want        string // in the error message
		unsupported string // the version of an *UnsupportedVersionError
	}{
		{"json truncated", model.FormatSPDXJSON, string(product[:len(product)/2]), "truncated", ""},
		{"json syntax error", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-2.3",, }`, "line 1, column", ""},
		{"json trailing data", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-2.3"} {}`, "after the end", ""},
		{"json array", model.FormatSPDXJSON, `[1, 2]`, "want a JSON object", ""},
		{"json packages is a number", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": 5}`, "packages is a number, want an array", ""},
		{"json package is a string", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-2.3", "packages": ["x"]}`, "packages", ""},
		{"json creationInfo is a string", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-2.3", "creationInfo": "x"}`, "creationInfo", ""},
		{"json relationship is a number", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-2.2", "relationships": [5]}`, "relationships", ""},
		// An id without "SPDXRef-" is tolerated (tolerate_test.go); one
		// with nothing after it is not.
		{"json bad element id", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-"}]}`, "ElementID", ""},
		{"json spdxVersion missing", model.FormatSPDXJSON, `{"name": "x"}`, "spdxVersion is missing", ""},
		{"json spdxVersion a number", model.FormatSPDXJSON, `{"spdxVersion": 2.3}`, "spdxVersion is a number", ""},
		{"json unknown version", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-9.9", "packages": []}`, "not supported", "SPDX-9.9"},
		{"json SPDX 3", model.FormatSPDXJSON, `{"spdxVersion": "SPDX-3.0"}`, "not supported", "SPDX-3.0"},
		{"tag-value garbage", model.FormatSPDXTagValue, "\x00\x01\x02\xff\xfe garbage\n\x7f\x80", "no colon", ""},
		{"tag-value binary with colons", model.FormatSPDXTagValue, "\x89PNG:\x00\x00\r\n\x1a:\n", "SPDXVersion tag is missing", ""},
		{"tag-value unknown version", model.FormatSPDXTagValue, "SPDXVersion: SPDX-9.9\nDataLicense: CC0-1.0\n", "not supported", "SPDX-9.9"},
		{"tag-value open text", model.FormatSPDXTagValue, "SPDXVersion: SPDX-2.3\nDocumentComment: <text>never closed\n", "never closed", ""},
		// An unknown tag is skipped with a warning (tolerate_test.go); an
		// element id with a colon is still an error.
		{"tag-value bad element id", model.FormatSPDXTagValue, "SPDXVersion: SPDX-2.3\nPackageName: p\nSPDXID: SPDXRef-a:b\n", "colon", ""},
		{"tag-value bad checksum", model.FormatSPDXTagValue, "SPDXVersion: SPDX-2.3\nPackageName: p\nSPDXID: SPDXRef-P\nPackageChecksum: CRC99: 1\n", "CRC99", ""},
		{"tag-value empty", model.FormatSPDXTagValue, "# only a comment\n", "no tag-value pairs", ""},
		{"yaml syntax error", model.FormatSPDXYAML, "spdxVersion: SPDX-2.3\npackages: [\n", "yaml", ""},
		{"yaml unknown version", model.FormatSPDXYAML, "spdxVersion: SPDX-9.9\n", "not supported", "SPDX-9.9"},
		{"yaml packages is a number", model.FormatSPDXYAML, "spdxVersion: SPDX-2.3\npackages: 5\n", "packages is a string, want an array", ""},
		{"yaml scalar document", model.FormatSPDXYAML, "just a string\n", "want a YAML mapping", ""},
		{"yaml alias bomb", model.FormatSPDXYAML, "spdxVersion: SPDX-2.3\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", "aliases", ""},
		{"xml truncated", model.FormatSPDXXML, "<Document><spdxVersion>SPDX-2.3</spdxVersion><packages><name>x", "", ""},
		{"xml wrong root", model.FormatSPDXXML, "<bom><spdxVersion>SPDX-2.3</spdxVersion></bom>", "want <Document>", ""},
		{"xml unknown version", model.FormatSPDXXML, "<Document><spdxVersion>SPDX-9.9</spdxVersion></Document>", "not supported", "SPDX-9.9"},
		{"xml packages is text", model.FormatSPDXXML, "<Document><spdxVersion>SPDX-2.3</spdxVersion><packages>5</packages></Document>", "packages", ""},
		{"xml repeated name", model.FormatSPDXXML, "<Document><spdxVersion>SPDX-2.3</spdxVersion><packages><SPDXID>SPDXRef-P</SPDXID><name>a</name><name>b</name></packages></Document>", "name", ""},
		{"rdf truncated", model.FormatSPDXRDF, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#"><spdx:SpdxDocument rdf:about="x#SPDXRef-DOCUMENT"><spdx:specVersion>SPDX-2.3`, "", ""},
		{"rdf garbage", model.FormatSPDXRDF, "<\x00\x01>", "XML syntax error", ""},
		{"rdf without version", model.FormatSPDXRDF, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#"><spdx:SpdxDocument rdf:about="x#SPDXRef-DOCUMENT"/></rdf:RDF>`, "specVersion is missing", ""},
		{"rdf unknown version", model.FormatSPDXRDF, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#"><spdx:SpdxDocument rdf:about="x#SPDXRef-DOCUMENT"><spdx:specVersion>SPDX-9.9</spdx:specVersion></spdx:SpdxDocument></rdf:RDF>`, "not supported", "SPDX-9.9"},
		{"rdf without document", model.FormatSPDXRDF, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#"><rdf:Description><spdx:specVersion>SPDX-2.3</spdx:specVersion></rdf:Description></rdf:RDF>`, "no spdx:SpdxDocument", ""},
		{"json empty", model.FormatSPDXJSON, "", "truncated", ""},
		{"tag-value empty input", model.FormatSPDXTagValue, "", "no tag-value pairs", ""},
		{"yaml empty", model.FormatSPDXYAML, "", "empty YAML document", ""},
		{"xml empty", model.FormatSPDXXML, "", "no root element", ""},
		{"rdf empty", model.FormatSPDXRDF, "", "no root element", ""},
		{"xml nested too deep", model.FormatSPDXXML, strings.Repeat("<a>", 20000), "deeper than", ""},
		{"rdf nested too deep", model.FormatSPDXRDF, strings.Repeat("<a>", 20000), "deeper than", ""},
		{"unknown format", model.FormatCycloneDXJSON, `{}`, "not an SPDX 2 dialect", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode(tc.format, []byte(tc.input))
			if err == nil {
				t.Fatalf("no error; got %s", dump(doc))
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not mention %q", msg, tc.want)
			}
			if strings.HasSuffix(msg, ".") || strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line without a final period", msg)
			}
			var ue *UnsupportedVersionError
			if errors.As(err, &ue) != (tc.unsupported != "") || (ue != nil && ue.Version != tc.unsupported) {
				t.Errorf("error %#v: want an *UnsupportedVersionError for %q: %v", err, tc.unsupported, errors.As(err, &ue))
			}
		})
	}
}

// TestRDFUntypedNode checks that a top-level node without a type, on which
// tools-golang's RDF reader panics, is ignored.
func TestRDFUntypedNode(t *testing.T) {
	doc, err := Decode(model.FormatSPDXRDF, []byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#">
		<spdx:SpdxDocument rdf:about="https://example.com/d#SPDXRef-DOCUMENT"><spdx:specVersion>SPDX-2.3</spdx:specVersion></spdx:SpdxDocument>
		<rdf:Description rdf:about="https://example.com/d#SPDXRef-X"><spdx:name>n</spdx:name></rdf:Description>
		<spdx:Package rdf:about="https://example.com/d#SPDXRef-P"><spdx:name>p</spdx:name></spdx:Package></rdf:RDF>`))
	if err != nil {
		t.Fatal(err)
	}
	doc.Normalize()
	if len(doc.Components) != 1 || doc.Components[0].Ref != "SPDXRef-P" || doc.ID != "https://example.com/d" {
		t.Errorf("got %s", dump(doc))
	}
}

// TestDamagedFixturesNeverPanic decodes every prefix of each fixture and
// copies of it with bytes changed: each must give a document or an error.
func TestDamagedFixturesNeverPanic(t *testing.T) {
	for _, dl := range dialects {
		data, err := os.ReadFile(filepath.Join("testdata", dl.file))
		if err != nil {
			t.Fatal(err)
		}
		try := func(what string, input []byte) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s %s: panic: %v", dl.name, what, p)
				}
			}()
			_, _ = Decode(dl.format, trimLeading(input))
		}
		step := len(data)/150 + 1
		for n := 0; n < len(data); n += step {
			try("prefix", data[:n])
		}
		for i := 0; i < len(data); i += step {
			for _, b := range []byte{0, '"', '<', '>', ':', '\n', '{', ']', 0xff} {
				damaged := append([]byte(nil), data...)
				damaged[i] = b
				try("damaged", damaged)
			}
		}
	}
}
