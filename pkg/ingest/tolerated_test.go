package ingest_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

const toleratedDir = "../../fixtures/sbom/tolerated"

// toleratedFixtures are the SPDX 2 files of fixtures/sbom/tolerated with a
// defect pedigree reads through (docs/ingest.md, "Tolerated defects"),
// each beside its corrected form NAME.fixed.EXT, and the exact warnings.
var toleratedFixtures = []struct {
	file     string
	warnings []string
	// defect is the strict-mode error after "malformed FORMAT: ".
	defect string
}{
	{"bare-ids.spdx.json",
		[]string{`3 element ids have no "SPDXRef-" prefix (first: "5d2c99d85d72adf9"); read with the prefix added`},
		`3 element ids have no "SPDXRef-" prefix (first: "5d2c99d85d72adf9")`},
	{"bare-ids.spdx",
		[]string{`3 element ids have no "SPDXRef-" prefix (first: "5d2c99d85d72adf9"); read with the prefix added`},
		`3 element ids have no "SPDXRef-" prefix (first: "5d2c99d85d72adf9")`},
	{"bare-supplier.spdx.json",
		[]string{
			`package "northwind-gateway": supplier "Northwind Networks/Contoso" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`,
			`package "nw-threat-engine": supplier "AO Kaspersky Lab" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`,
		},
		`package "northwind-gateway": supplier "Northwind Networks/Contoso" has no "Organization:" or "Person:" prefix`},
	{"bare-supplier.spdx",
		[]string{
			`package "northwind-gateway": supplier "Northwind Networks/Contoso" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`,
			`package "nw-threat-engine": supplier "AO Kaspersky Lab" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`,
		},
		`package "northwind-gateway": supplier "Northwind Networks/Contoso" has no "Organization:" or "Person:" prefix`},
	{"bare-person.spdx",
		[]string{`package "nw-threat-engine": originator "Kaspersky SDK Team <sdk@kaspersky.com>" has no "Organization:" or "Person:" prefix; the whole text is kept as the name`},
		`package "nw-threat-engine": originator "Kaspersky SDK Team <sdk@kaspersky.com>" has no "Organization:" or "Person:" prefix`},
	{"cr-line-ends.spdx",
		[]string{`38 lines end in a bare CR (carriage return without line feed); read as line breaks`},
		`38 lines end in a bare CR (carriage return without line feed)`},
	{"unknown-tag.spdx",
		[]string{
			`line 39: tag "FIleCopyrightText" is "FileCopyrightText" in other letter case; read as FileCopyrightText`,
			`line 40: unknown tag "LicenseComment" in the file section; kept as attribution text`,
		},
		`line 39: tag "FIleCopyrightText" is "FileCopyrightText" in other letter case`},
}

// fixedName is the corrected form of a tolerated fixture.
func fixedName(file string) string {
	base, ext, _ := strings.Cut(file, ".")
	return base + ".fixed." + ext
}

// TestTolerated reads each tolerated fixture with its exact warnings, and
// shows that the embedded engine finds in it exactly what it finds in the
// corrected file: the defect costs no finding.
func TestTolerated(t *testing.T) {
	eng := enginetest.Embedded(t)
	for _, tc := range toleratedFixtures {
		t.Run(tc.file, func(t *testing.T) {
			doc, err := ingest.File(filepath.Join(toleratedDir, tc.file), ingest.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(doc.Warnings, tc.warnings) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(doc.Warnings, "\n"), strings.Join(tc.warnings, "\n"))
			}
			fixed, err := ingest.File(filepath.Join(toleratedDir, fixedName(tc.file)), ingest.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if len(fixed.Warnings) != 0 {
				t.Errorf("corrected file has warnings: %q", fixed.Warnings)
			}
			got, want := findings(eng, doc), findings(eng, fixed)
			if len(want) == 0 {
				t.Fatal("the corrected file has no finding: the fixture tests nothing")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("findings differ from the corrected file's:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestToleratedStrict refuses each tolerated fixture in strict mode, with
// an error naming the input and the defect, and reads the corrected ones.
func TestToleratedStrict(t *testing.T) {
	opts := ingest.DefaultOptions()
	opts.Strict = true
	for _, tc := range toleratedFixtures {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(toleratedDir, tc.file)
			doc, err := ingest.File(path, opts)
			if err == nil {
				t.Fatalf("no error in strict mode; warnings %q", doc.Warnings)
			}
			if ingest.KindOf(err) != ingest.KindMalformed {
				t.Errorf("kind %v, want malformed", ingest.KindOf(err))
			}
			format := "spdx-tag-value"
			if strings.HasSuffix(tc.file, ".json") {
				format = "spdx-json"
			}
			if want := path + ": malformed " + format + ": " + tc.defect + " (refused in strict mode)"; err.Error() != want {
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
			if _, err := ingest.File(filepath.Join(toleratedDir, fixedName(tc.file)), opts); err != nil {
				t.Errorf("corrected file in strict mode: %v", err)
			}
		})
	}
}

// finding is what a finding says, less the component it points to (whose
// supplier keeps the text as written: no kind, the raw text).
type finding struct {
	match.Finding
	ref, name, supplier string
}

func findings(eng *match.Engine, doc *model.Document) []finding {
	var out []finding
	for _, f := range eng.Match(doc) {
		x := finding{Finding: f, ref: f.Component.Ref, name: f.Component.Name}
		if s := f.Component.Supplier; s != nil {
			x.supplier = s.Name
		}
		x.Component = nil
		out = append(out, x)
	}
	return out
}

// TestUnknownTagStillMatched: a maker field whose tag is misspelled is not
// dropped with its line: kept as attribution text, the vendor it names is
// found (as a mention, for review), not passed over in silence.
func TestUnknownTagStillMatched(t *testing.T) {
	in := "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\n" +
		"DocumentNamespace: https://example.org/x\nCreator: Tool: t\nCreated: 2024-01-01T00:00:00Z\n\n" +
		"PackageName: nw-engine\nSPDXID: SPDXRef-P\nPackageDownloadLocation: NOASSERTION\n" +
		"PackageSuplier: Organization: AO Kaspersky Lab\n"
	doc, err := ingest.Decode("missp.spdx", strings.NewReader(in), ingest.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := enginetest.Embedded(t).Match(doc)
	if len(got) != 1 || got[0].Component.Name != "nw-engine" || got[0].Evidence[0].Kind != match.KindMention {
		t.Errorf("findings %+v, want one mention of the vendor on nw-engine", got)
	}
}
