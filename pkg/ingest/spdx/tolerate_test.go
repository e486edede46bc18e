package spdx

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// tolerated are small documents with one tolerated defect each (see
// tolerate.go), in each dialect that can have it, with the exact warning.
// fixtures/sbom/tolerated holds fuller ones, checked with the engine by
// pkg/ingest's TestTolerated.
var tolerated = []struct {
	name    string
	format  model.Format
	input   string
	warning string
	// check looks at what was read.
	check func(t *testing.T, d *model.Document)
}{
	{"json id without prefix", model.FormatSPDXJSON,
		`{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [{"name": "a", "SPDXID": "1fba54c80561c201"}, {"name": "b", "SPDXID": "SPDXRef-b"}],
		  "relationships": [{"spdxElementId": "SPDXRef-b", "relationshipType": "CONTAINS", "relatedSpdxElement": "1fba54c80561c201"},
		                    {"spdxElementId": "DocumentRef-x:y", "relationshipType": "CONTAINS", "relatedSpdxElement": "NOASSERTION"}]}`,
		`2 element ids have no "SPDXRef-" prefix (first: "1fba54c80561c201"); read with the prefix added`,
		func(t *testing.T, d *model.Document) {
			if d.Components[0].Ref != "SPDXRef-1fba54c80561c201" || len(d.Relationships) != 1 || d.Relationships[0].To != "SPDXRef-1fba54c80561c201" {
				t.Errorf("refs: %s", dump(d))
			}
		}},
	{"yaml ids without prefix", model.FormatSPDXYAML,
		"spdxVersion: SPDX-2.2\nSPDXID: DOCUMENT\ndocumentDescribes: [p]\npackages:\n- name: a\n  SPDXID: p\n  hasFiles: [f]\nfiles:\n- fileName: x\n  SPDXID: f\n",
		`3 element ids have no "SPDXRef-" prefix (first: "DOCUMENT"); read with the prefix added`, nil},
	{"xml id without prefix", model.FormatSPDXXML,
		"<Document><spdxVersion>SPDX-2.3</spdxVersion><packages><name>a</name><SPDXID>p</SPDXID></packages></Document>",
		`element id "p" has no "SPDXRef-" prefix; read with the prefix added`, nil},
	{"tag-value ids without prefix", model.FormatSPDXTagValue,
		"SPDXVersion: SPDX-2.2\nSPDXID: SPDXRef-DOCUMENT\nPackageName: a\nSPDXID: SPDXRef-a\nFileName: x\nSPDXID: bb33ffbc8fb4be81\nRelationship: SPDXRef-a CONTAINS bb33ffbc8fb4be81\n",
		`element id "bb33ffbc8fb4be81" has no "SPDXRef-" prefix; read with the prefix added`,
		func(t *testing.T, d *model.Document) {
			if len(d.Files) != 1 || d.Files[0].Ref != "SPDXRef-bb33ffbc8fb4be81" {
				t.Errorf("files: %s", dump(d))
			}
		}},
	{"json supplier without type", model.FormatSPDXJSON,
		`{"spdxVersion": "SPDX-2.3", "packages": [{"name": "Azure Pipelines Hosted Image", "SPDXID": "SPDXRef-p", "supplier": "Microsoft/GitHub"}]}`,
		`package "Azure Pipelines Hosted Image": supplier "Microsoft/GitHub" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`,
		func(t *testing.T, d *model.Document) {
			if want := (&model.Party{Name: "Microsoft/GitHub", Raw: "Microsoft/GitHub"}); !reflect.DeepEqual(d.Components[0].Supplier, want) {
				t.Errorf("supplier %+v, want %+v", d.Components[0].Supplier, want)
			}
		}},
	{"json originator with a colon but no type", model.FormatSPDXJSON,
		`{"spdxVersion": "SPDX-2.3", "packages": [{"name": "p", "SPDXID": "SPDXRef-p", "originator": "Acme: the build team"}]}`,
		`package "p": originator "Acme: the build team" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`,
		func(t *testing.T, d *model.Document) {
			if o := d.Components[0].Originator; o == nil || o.Name != "Acme: the build team" || o.Kind != "" {
				t.Errorf("originator %+v", o)
			}
		}},
	{"json creator without type", model.FormatSPDXJSON,
		`{"spdxVersion": "SPDX-2.3", "creationInfo": {"created": "2022-01-01T00:00:00Z", "creators": ["Tool: x", "Jane Doe"]}}`,
		`creator "Jane Doe" has no "Organization:", "Person:" or "Tool:" prefix; the whole text is kept as the name`,
		func(t *testing.T, d *model.Document) {
			if len(d.Authors) != 1 || d.Authors[0].Name != "Jane Doe" || d.Authors[0].Kind != "" || len(d.Tools) != 1 {
				t.Errorf("authors %+v, tools %v", d.Authors, d.Tools)
			}
		}},
	{"tag-value person without type", model.FormatSPDXTagValue,
		"SPDXVersion: SPDX-2.2\nSPDXID: SPDXRef-DOCUMENT\nPackageName: Pygments\nSPDXID: SPDXRef-p\nPackageOriginator: Georg Brandl <georg@python.org>\n",
		`package "Pygments": originator "Georg Brandl <georg@python.org>" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`,
		func(t *testing.T, d *model.Document) {
			if o := d.Components[0].Originator; o == nil || o.Name != "Georg Brandl <georg@python.org>" || o.Raw != o.Name {
				t.Errorf("originator %+v", o)
			}
		}},
	{"tag-value supplier without type", model.FormatSPDXTagValue,
		"SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nPackageName: p\nSPDXID: SPDXRef-p\nPackageSupplier: Microsoft/GitHub\n",
		`package "p": supplier "Microsoft/GitHub" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`, nil},
	{"tag-value CR line ends", model.FormatSPDXTagValue,
		"SPDXVersion: SPDX-2.2\rDataLicense: CC0-1.0\rSPDXID: SPDXRef-DOCUMENT\rCreatorComment: <text>one\rtwo</text>\r\n\nPackageName: cbor\rSPDXID: SPDXRef-p\r",
		`6 lines end in a bare CR (carriage return without line feed); read as line breaks`,
		func(t *testing.T, d *model.Document) {
			if len(d.Components) != 1 || d.Components[0].Name != "cbor" {
				t.Errorf("components: %s", dump(d))
			}
		}},
	// A misspelled maker field is not dropped: its text stays readable.
	{"tag-value unknown tag", model.FormatSPDXTagValue,
		"SPDXVersion: SPDX-2.3\nPackageName: p\nSPDXID: SPDXRef-P\nPackageSuplier: Organization: AO Kaspersky Lab\n",
		`line 4: unknown tag "PackageSuplier" in the package section; kept as attribution text`,
		func(t *testing.T, d *model.Document) {
			want := model.Property{Name: "attribution", Value: "PackageSuplier: Organization: AO Kaspersky Lab"}
			if len(d.Components) != 1 || !slices.Contains(d.Components[0].Properties, want) {
				t.Errorf("components: %s", dump(d))
			}
		}},
	{"tag-value tag of another section", model.FormatSPDXTagValue,
		"SPDXVersion: SPDX-2.2\nSPDXID: SPDXRef-DOCUMENT\nFileName: ./x\nSPDXID: SPDXRef-F\nFIleCopyrightText: (c) 2017 Tessil\nLicenseComment: <text>Adapted\nto fit.</text>\n",
		"line 5: tag \"FIleCopyrightText\" is \"FileCopyrightText\" in other letter case; read as FileCopyrightText\n" +
			"line 6: unknown tag \"LicenseComment\" in the file section; kept as attribution text",
		func(t *testing.T, d *model.Document) {
			if len(d.Files) != 1 || d.Files[0].Copyright != "(c) 2017 Tessil" {
				t.Errorf("files: %s", dump(d))
			}
		}},
}

// TestTolerated reads each tolerated defect with its warning, and refuses
// it in strict mode with an error naming the defect.
func TestTolerated(t *testing.T) {
	for _, tc := range tolerated {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode(tc.format, []byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			doc.Normalize()
			if got := strings.Join(doc.Warnings, "\n"); got != tc.warning {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, tc.warning)
			}
			if tc.check != nil {
				tc.check(t, doc)
			}
		})
	}
}

// TestStrict refuses every tolerated defect when Strict is set: the error
// is a *StrictError naming the (first) defect, on one line.
func TestStrict(t *testing.T) {
	for _, tc := range tolerated {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := DecodeWith(tc.format, []byte(tc.input), Options{Strict: true})
			if err == nil {
				t.Fatalf("no error in strict mode; got %s", dump(doc))
			}
			var se *StrictError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is a %T, want a *StrictError", err, err)
			}
			first, _, _ := strings.Cut(tc.warning, "\n")
			defect, _, _ := strings.Cut(first, "; ")
			if want := defect + " (refused in strict mode)"; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
	// A document without defects reads in strict mode too.
	for _, dl := range dialects {
		if _, err := DecodeWith(dl.format, trimLeading(mustRead(t, dl.file)), Options{Strict: true}); err != nil {
			t.Errorf("%s: %v", dl.name, err)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
