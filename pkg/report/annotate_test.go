package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest/cyclonedx"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// A CycloneDX 1.4 BOM with a nested component that has no bom-ref, and a
// vulnerabilities section cyclonedx-go is not asked to read.
const annotateInput = `{
  "bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
  "metadata": {"component": {"bom-ref": "root", "type": "application", "name": "Northwind Gateway", "version": "3.0"}},
  "components": [
    {"bom-ref": "av", "type": "application", "name": "nw-av",
     "components": [{"type": "library", "name": "nw-engine", "version": "2.1", "copyright": "© 2024 AO Kaspersky Lab"}]},
    {"bom-ref": "zlib", "type": "library", "name": "zlib", "version": "1.3.1"}
  ],
  "dependencies": [{"ref": "root", "dependsOn": ["av", "zlib"]}],
  "vulnerabilities": [{"id": "CVE-2099-0001", "source": {"name": "NVD"}}]
}`

func annotation(ref string) bomAnnotation {
	return bomAnnotation{Tool: "pedigree", ToolVersion: "test", Time: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
		Verdict: "fail", Signatures: "2026.11.1 sha256:abc",
		Findings: []bomFinding{{ID: "PDG-1", Severity: "high", Rules: "KL-VENDOR-001", Ref: ref, Text: "pedigree: HIGH finding PDG-1"}}}
}

func TestAnnotatedKeepsTheInput(t *testing.T) {
	doc, err := cyclonedx.DecodeJSON([]byte(annotateInput))
	if err != nil {
		t.Fatal(err)
	}
	doc.Format = "cyclonedx-json"
	var engine *model.Component
	for _, c := range doc.Components {
		if c.Name == "nw-engine" {
			engine = c
		}
	}
	if engine == nil || !strings.HasPrefix(engine.Ref, "pedigree:component:") {
		t.Fatalf("nw-engine: %+v", engine)
	}
	var out bytes.Buffer
	if err := writeAnnotated(&out, doc, []byte(annotateInput), annotation(engine.Ref)); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		SpecVersion     string            `json:"specVersion"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
		Annotations     []struct {
			BOMRef    string   `json:"bom-ref"`
			Subjects  []string `json:"subjects"`
			Timestamp string   `json:"timestamp"`
			Text      string   `json:"text"`
			Annotator struct {
				Component struct{ Name, Version string } `json:"component"`
			} `json:"annotator"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.SpecVersion != "1.5" || len(raw.Vulnerabilities) != 1 || len(raw.Annotations) != 1 {
		t.Fatalf("spec %s, %d vulnerabilities, %d annotations:\n%s", raw.SpecVersion, len(raw.Vulnerabilities), len(raw.Annotations), out.String())
	}
	a := raw.Annotations[0]
	if a.BOMRef != "pedigree:finding:PDG-1" || a.Timestamp != "2026-11-24T00:00:00Z" || a.Text != "pedigree: HIGH finding PDG-1" ||
		a.Annotator.Component.Name != "pedigree" || len(a.Subjects) != 1 || a.Subjects[0] != engine.Ref {
		t.Errorf("annotation %+v", a)
	}
	// Read back: the subject is the same component, which carries the
	// finding as a property; the metadata carries the verdict; nothing
	// else changed.
	back, err := cyclonedx.DecodeJSON(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Components) != len(doc.Components) || len(back.Warnings) != 0 {
		t.Fatalf("read back: %d components (want %d), warnings %q", len(back.Components), len(doc.Components), back.Warnings)
	}
	found := false
	for _, c := range back.Components {
		if c.Ref == engine.Ref {
			found = c.Name == "nw-engine" && c.Copyright == engine.Copyright && hasProp(c.Properties, "pedigree:finding", "PDG-1 high KL-VENDOR-001")
		}
	}
	if !found || !hasProp(back.Properties, "pedigree:verdict", "fail") || !hasProp(back.Properties, "pedigree:signatures", "2026.11.1 sha256:abc") {
		t.Errorf("read back:\n%s", out.String())
	}
	var again bytes.Buffer
	if err := writeAnnotated(&again, doc, []byte(annotateInput), annotation(engine.Ref)); err != nil || !bytes.Equal(again.Bytes(), out.Bytes()) {
		t.Errorf("not deterministic: %v", err)
	}
}

func TestAnnotatedFromModel(t *testing.T) {
	doc := &model.Document{Format: "spdx-json", Roots: []string{"SPDXRef-root"},
		Components: []*model.Component{
			{Ref: "SPDXRef-root", Name: "ShieldCore Server", Version: "8.9", Supplier: &model.Party{Name: "Acme SecureShield Inc."}},
			{Ref: "SPDXRef-sdk", Name: "shieldcore-sdk", Version: "8.9.2", Parent: "SPDXRef-root",
				Originator: &model.Party{Name: "Kaspersky Lab ZAO"}, Hashes: []model.Hash{{Algorithm: "SHA256", Value: "ab"}, {Algorithm: "ADLER32", Value: "1"}}},
			{Ref: "SPDXRef-zlib", Name: "zlib", PURL: "pkg:generic/zlib@1.3.1"},
		},
		Relationships: []model.Relationship{{From: "SPDXRef-root", Type: model.RelDependsOn, To: "SPDXRef-zlib"}},
	}
	var out bytes.Buffer
	if err := writeAnnotated(&out, doc, nil, annotation("SPDXRef-sdk")); err != nil {
		t.Fatal(err)
	}
	back, err := cyclonedx.DecodeJSON(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if back.SpecVersion != "1.6" || len(back.Roots) != 1 || back.Roots[0] != "SPDXRef-root" || len(back.Components) != 3 {
		t.Fatalf("read back: spec %s, roots %q, %d components\n%s", back.SpecVersion, back.Roots, len(back.Components), out.String())
	}
	sdk := back.Component("SPDXRef-sdk")
	if sdk == nil || sdk.Parent != "SPDXRef-root" || len(sdk.Authors) != 1 || sdk.Authors[0].Name != "Kaspersky Lab ZAO" ||
		len(sdk.Hashes) != 1 || sdk.Hashes[0].Algorithm != "SHA-256" || !hasProp(sdk.Properties, "pedigree:finding", "PDG-1 high KL-VENDOR-001") {
		t.Errorf("sdk %+v\n%s", sdk, out.String())
	}
	if !strings.Contains(out.String(), `"ref": "SPDXRef-root"`) || !strings.Contains(out.String(), `"pedigree:finding:PDG-1"`) {
		t.Errorf("dependencies or annotation missing:\n%s", out.String())
	}
}

func hasProp(ps []model.Property, name, value string) bool {
	for _, p := range ps {
		if p.Name == name && p.Value == value {
			return true
		}
	}
	return false
}

// TestAnnotatedWritesWhatItReads: BOMs that cyclonedx-go reads but would
// refuse to write (found by FuzzDecodeJSON) are written: an empty tools
// object is dropped, a licence with neither id nor name is dropped, and of
// a licence with both the id is kept.
func TestAnnotatedWritesWhatItReads(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		not      []string
	}{
		{"empty tools", `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"tools":{}},"components":[{"type":"library","name":"a","bom-ref":"a"}]}`,
			[]string{`"name": "a"`}, []string{`"tools"`}},
		{"empty licence", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"a","licenses":[{"license":{}},{"license":{"id":"MIT"}}]}]}`,
			[]string{`"id": "MIT"`}, []string{`"license": {}`}},
		{"licence with id and name", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"a","components":[{"type":"library","name":"b","licenses":[{"license":{"id":"MIT","name":"MIT License"}}]}]}]}`,
			[]string{`"id": "MIT"`}, []string{`"MIT License"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := cyclonedx.DecodeJSON([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			doc.Format = model.FormatCycloneDXJSON
			var out bytes.Buffer
			if err := writeAnnotated(&out, doc, []byte(tc.in), annotation("a")); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %s:\n%s", w, out.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("output has %s", n)
				}
			}
			if strings.Contains(out.String(), "pedigree:note") {
				t.Errorf("the BOM was rebuilt, not written back as read")
			}
		})
	}
}
