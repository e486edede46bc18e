package report

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest/cyclonedx"
	"github.com/pedigree-sbom/pedigree/pkg/internal/fuzzseed"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// FuzzAnnotatedJSON looks for CycloneDX JSON that is read but that the
// annotated writer cannot write back, or that panics it.
// go test ./pkg/report -fuzz FuzzAnnotatedJSON
func FuzzAnnotatedJSON(f *testing.F) {
	fuzzAnnotated(f, ".json", cyclonedx.DecodeJSON, model.FormatCycloneDXJSON)
}

// FuzzAnnotatedXML is FuzzAnnotatedJSON for CycloneDX XML.
// go test ./pkg/report -fuzz FuzzAnnotatedXML
func FuzzAnnotatedXML(f *testing.F) {
	fuzzAnnotated(f, ".xml", cyclonedx.DecodeXML, model.FormatCycloneDXXML)
}

// fuzzAnnotated decodes each input and, when it is a BOM, writes it back
// annotated with a finding: what was read must be writable.
func fuzzAnnotated(f *testing.F, suffix string, decode func([]byte) (*model.Document, error), format model.Format) {
	fuzzseed.Add(f, func(name string) bool { return strings.Contains(name, "cdx") && strings.HasSuffix(name, suffix) },
		"../ingest/cyclonedx/testdata", "../../fixtures/sbom", "../../fixtures/whitelabel")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := decode(data)
		if err != nil {
			return
		}
		doc.Normalize()
		doc.Format = format
		last := ""
		if n := len(doc.Components); n > 0 {
			last = doc.Components[n-1].Ref
		}
		if err := writeAnnotated(io.Discard, doc, data, bomAnnotation{Tool: "pedigree", Time: time.Unix(0, 0),
			Findings: []bomFinding{{ID: "F", Ref: last}}}); err != nil {
			t.Fatalf("a BOM that was read cannot be written back: %v", err)
		}
	})
}
