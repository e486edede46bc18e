package cyclonedx

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

func decodeFixture(t *testing.T, dialect string) *model.Document {
	t.Helper()
	data, err := os.ReadFile("testdata/vendor-fields.cdx." + dialect)
	if err != nil {
		t.Fatal(err)
	}
	var doc *model.Document
	if dialect == "json" {
		doc, err = DecodeJSON(data)
	} else {
		doc, err = DecodeXML(data)
	}
	if err != nil {
		t.Fatalf("decode %s: %v", dialect, err)
	}
	doc.Normalize()
	return doc
}

func component(d *model.Document, ref string) *model.Component {
	if c := d.Component(ref); c != nil {
		return c
	}
	return &model.Component{}
}

func name(p *model.Party) string {
	if p == nil {
		return ""
	}
	return p.Name
}

func names(ps []model.Party) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Name+" <"+p.Email+">")
	}
	return strings.Join(s, ", ")
}

func props(ps []model.Property) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Name+"="+p.Value)
	}
	return strings.Join(s, "; ")
}

// TestVendorFields shows that every field that can name a component's maker
// survives decoding, in JSON and in XML alike.
func TestVendorFields(t *testing.T) {
	tests := []struct {
		field string
		get   func(d *model.Document) string
		want  string
	}{
		{"metadata.authors", func(d *model.Document) string { return names(d.Authors) }, "Sam Author <sam@sbom-writer.example>"},
		{"metadata.tools", func(d *model.Document) string { return strings.Join(d.Tools, ",") }, "example bom-writer 2.0"},
		{"metadata.supplier", func(d *model.Document) string { return name(d.Supplier) + " " + strings.Join(d.Supplier.URLs, "") }, "Doc Supplier Ltd https://doc-supplier.example"},
		{"metadata.manufacturer", func(d *model.Document) string { return name(d.Manufacturer) }, "Doc Manufacturer AG"},
		{"metadata.properties", func(d *model.Document) string { return props(d.Properties) }, "doc:prop=doc value"},
		{"metadata.component", func(d *model.Document) string { return strings.Join(d.Roots, ",") }, "product"},
		{"root supplier", func(d *model.Document) string { return name(component(d, "product").Supplier) }, "Brand Reseller Inc"},
		{"root supplier contact", func(d *model.Document) string { return names(component(d, "product").Supplier.Contacts) }, "Rita Reseller <rita@reseller.example>"},
		{"nested component publisher", func(d *model.Document) string { return component(d, "nested-lib").Publisher }, "Nested Publisher"},
		{"nested component parent", func(d *model.Document) string { return component(d, "nested-lib").Parent }, "product"},
		{"supplier", func(d *model.Document) string { return name(component(d, "engine").Supplier) }, "Engine Supplier GmbH"},
		{"supplier url", func(d *model.Document) string { return strings.Join(component(d, "engine").Supplier.URLs, ",") }, "https://engine-supplier.example"},
		{"supplier address", func(d *model.Document) string { return component(d, "engine").Supplier.Address }, "Berlin, DE"},
		{"manufacturer", func(d *model.Document) string { return name(component(d, "engine").Manufacturer) }, "Engine Maker JSC"},
		{"author and authors", func(d *model.Document) string { return names(component(d, "engine").Authors) }, "Legacy Author String <>, Ada Author <ada@engine-maker.example>"},
		{"publisher", func(d *model.Document) string { return component(d, "engine").Publisher }, "Engine Publisher Ltd"},
		{"group", func(d *model.Document) string { return component(d, "engine").Group }, "com.engine"},
		{"copyright", func(d *model.Document) string { return component(d, "engine").Copyright }, "Copyright 2024 Engine Maker JSC"},
		{"purl", func(d *model.Document) string { return component(d, "engine").PURL }, "pkg:maven/com.engine/scan-engine@3.2.1"},
		{"cpe", func(d *model.Document) string { return strings.Join(component(d, "engine").CPEs, ",") }, "cpe:2.3:a:enginemaker:scan-engine:3.2.1:*:*:*:*:*:*:*"},
		{"swid", func(d *model.Document) string { s := component(d, "engine").SWID; return s.TagID + " " + s.Name }, "enginemaker.com-scan-engine-3.2.1 Scan Engine"},
		{"omniborId", func(d *model.Document) string { return strings.Join(component(d, "engine").OmniborIDs, ",") }, "gitoid:blob:sha1:261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"},
		{"swhid", func(d *model.Document) string { return strings.Join(component(d, "engine").SWHIDs, ",") }, "swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2"},
		{"hash (lower-cased)", func(d *model.Document) string {
			h := component(d, "engine").Hashes[0]
			return h.Algorithm + ":" + h.Value
		}, "SHA-256:b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184"},
		{"license", func(d *model.Document) string { return strings.Join(component(d, "engine").Licenses, ",") }, "Engine EULA"},
		{"licensing licensor", func(d *model.Document) string { return props(component(d, "engine").Properties) }, "vendor:hint=Engine Maker; cdx:licensing:licensor=Engine Licensor Co; cdx:mime-type=application/x-sharedlib; annotation:Annotating Auditor=built by Engine Maker JSC"},
		{"external reference", func(d *model.Document) string {
			e := component(d, "engine").ExternalRefs[0]
			return e.Type + " " + e.URL
		}, "distribution https://updates.engine-maker.example/engine"},
		{"pedigree ancestor supplier", func(d *model.Document) string { return name(component(d, "engine").Pedigree.Ancestors[0].Supplier) }, "Upstream Engine Vendor"},
		{"pedigree variant publisher", func(d *model.Document) string { return component(d, "engine").Pedigree.Variants[0].Publisher }, "Variant Publisher"},
		{"pedigree descendant author", func(d *model.Document) string { return names(component(d, "engine").Pedigree.Descendants[0].Authors) }, "Fork Author <>"},
		{"pedigree commit author", func(d *model.Document) string { return component(d, "engine").Pedigree.Commits[0].Author }, "Carl Committer <carl@engine-maker.example>"},
		{"pedigree notes", func(d *model.Document) string { return component(d, "engine").Pedigree.Notes }, "rebranded from upstream-engine"},
		{"evidence identity", func(d *model.Document) string {
			e := component(d, "engine").Evidence.Identity[0]
			return e.Field + " " + e.ConcludedValue + " " + strings.Join(e.Methods, ",")
		}, "purl pkg:maven/com.engine/scan-engine@3.2.1 manifest-analysis: MANIFEST.MF names Engine Maker JSC"},
		{"evidence copyright", func(d *model.Document) string { return strings.Join(component(d, "engine").Evidence.Copyright, ",") }, "Copyright Engine Maker JSC"},
		{"evidence occurrence as location", func(d *model.Document) string { return strings.Join(component(d, "engine").Locations, ",") }, "/opt/brand/lib/engine.so"},
		{"tags", func(d *model.Document) string { return strings.Join(component(d, "engine").Tags, ",") }, "antivirus"},
		{"service provider", func(d *model.Document) string { return name(component(d, "update-svc").Supplier) }, "Update Provider LLC"},
		{"service endpoint", func(d *model.Document) string { return component(d, "update-svc").ExternalRefs[0].URL }, "https://upd.engine-maker.example/index"},
		{"dependencies", func(d *model.Document) string {
			var s []string
			for _, r := range d.Relationships {
				s = append(s, r.From+" "+string(r.Type)+" "+r.To)
			}
			return strings.Join(s, "; ")
		}, "product CONTAINS nested-lib; product DEPENDS_ON engine; product DEPENDS_ON update-svc"},
	}
	for _, dialect := range []string{"json", "xml"} {
		doc := decodeFixture(t, dialect)
		if len(doc.Warnings) != 0 {
			t.Errorf("%s: unexpected warnings: %v", dialect, doc.Warnings)
		}
		for _, tt := range tests {
			t.Run(dialect+"/"+tt.field, func(t *testing.T) {
				if got := tt.get(doc); got != tt.want {
					t.Errorf("got  %q\nwant %q", got, tt.want)
				}
			})
		}
	}
}

// TestPaths shows the path from the product root through nesting and the
// dependency graph.
func TestPaths(t *testing.T) {
	doc := decodeFixture(t, "json")
	paths := doc.Paths()
	for ref, want := range map[string][]string{
		"product":    {"product"},
		"nested-lib": {"product", "nested-lib"},
		"engine":     {"product", "engine"},
		"update-svc": {"product", "update-svc"},
	} {
		if got := paths[ref]; !slices.Equal(got, want) {
			t.Errorf("path to %s: got %v, want %v", ref, got, want)
		}
	}
}

// TestValidationWarnings shows that specification breaks that matter for
// identification are reported as warnings naming the element.
func TestValidationWarnings(t *testing.T) {
	tests := []struct {
		name, bom, want string
	}{
		{"bad hash length", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","hashes":[{"alg":"SHA-256","content":"abcd"}]}]}`, `components[0] ("a"): SHA-256 value has 4 hex digits, want 64`},
		{"non-hex hash", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","hashes":[{"alg":"MD5","content":"zz"}]}]}`, `components[0] ("a"): MD5 value "zz" is not hexadecimal`},
		{"unknown type", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"gadget","name":"a"}]}`, `components[0] ("a"): type "gadget" is not a CycloneDX component type`},
		{"missing type", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a"}]}`, `components[0] ("a"): type is missing`},
		{"duplicate ref", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"x"},{"type":"library","name":"b","bom-ref":"x"}]}`, `bom-ref "x" is used 2 times; a bom-ref must be unique`},
		{"empty ref", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":""}]}`, `a bom-ref is empty; a bom-ref must be a non-empty string`},
		{"dangling dependency", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"a"}],"dependencies":[{"ref":"a","dependsOn":["ghost"]}]}`, `dependencies[0]: dependsOn "ghost" names no component or service`},
		{"bad serial", `{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"1234"}`, `serialNumber "1234" is not a urn:uuid (RFC 4122)`},
		{"bad timestamp", `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"timestamp":"yesterday"}}`, `metadata.timestamp "yesterday" is not an RFC 3339 date-time`},
		{"nested component", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"},{"type":"library","name":"b","components":[{"type":"library","name":"c","components":[{"name":"d"}]}]}]}`, `components[1].components[0].components[0] ("d"): type is missing`},
		{"metadata component", `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"application","name":"p","components":[{"type":"library"}]}}}`, `metadata.component.components[0]: name is missing`},
		{"nested service", `{"bomFormat":"CycloneDX","specVersion":"1.6","services":[{"name":"s","services":[{"name":" "}]}]}`, `services[0].services[0] (" "): name is missing`},
		{"license property", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","licenses":[{"license":{"id":"MIT","properties":[{"value":"x"}]}}]}]}`, `components[0] ("a") license: a property has no name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := DecodeJSON([]byte(tt.bom))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(doc.Warnings, tt.want) {
				t.Errorf("warnings %q do not contain %q", doc.Warnings, tt.want)
			}
		})
	}
}

// TestSkipsUnreadableField shows that a field the library cannot read, and
// which does not bear on identity, is dropped with a warning, while a wrong
// type in an identity field stays an error.
func TestSkipsUnreadableField(t *testing.T) {
	doc, err := DecodeJSON([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","modelCard":"oops"}]}`))
	if err != nil {
		t.Fatalf("unreadable non-identity field should be skipped: %v", err)
	}
	if len(doc.Components) != 1 || !strings.Contains(strings.Join(doc.Warnings, "\n"), `field "modelCard" could not be read`) {
		t.Errorf("got components %d, warnings %q", len(doc.Components), doc.Warnings)
	}
	_, err = DecodeJSON([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":{"x":1}}]}`))
	if err == nil || !strings.Contains(err.Error(), "field components.name") {
		t.Errorf("wrong type in name: got %v, want an error naming components.name", err)
	}
}

func TestHasEmptyRef(t *testing.T) {
	for _, tc := range []struct {
		data string
		key  string
		sep  byte
		want bool
	}{
		{`{"bom-ref":""}`, `"bom-ref"`, ':', true},
		{`{"bom-ref" :  "" }`, `"bom-ref"`, ':', true},
		{"{\"bom-ref\":\n\t\"\"}", `"bom-ref"`, ':', true},
		{`{"bom-ref":"a","x":""}`, `"bom-ref"`, ':', false},
		{`{"name":"bom-ref","bom-ref":"x"}`, `"bom-ref"`, ':', false},
		{`{"bom-ref":"x"} {"bom-ref":""}`, `"bom-ref"`, ':', true},
		{`{"bom-ref":"`, `"bom-ref"`, ':', false},
		{`<component bom-ref="">`, "bom-ref", '=', true},
		{`<component bom-ref = ''>`, "bom-ref", '=', true},
		{`<component bom-ref="a">`, "bom-ref", '=', false},
	} {
		if got := hasEmptyRef([]byte(tc.data), tc.key, tc.sep); got != tc.want {
			t.Errorf("hasEmptyRef(%q) = %v, want %v", tc.data, got, tc.want)
		}
	}
	for s, want := range map[string]bool{"00ff": true, "ABCdef0189": true, "": false, "0x1f": false, "ab g": false} {
		if isHex(s) != want {
			t.Errorf("isHex(%q) != %v", s, want)
		}
	}
}
