package cyclonedx

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/internal/fuzzseed"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// seeds adds the CycloneDX files of testdata and of fixtures/ with the
// given suffix to the corpus.
func seeds(f *testing.F, suffix string) {
	fuzzseed.Add(f, func(name string) bool { return strings.Contains(name, "cdx") && strings.HasSuffix(name, suffix) },
		"testdata", "../../../fixtures/sbom", "../../../fixtures/whitelabel")
}

// FuzzDecodeJSON looks for CycloneDX JSON that panics the decoder or the
// annotated writer. go test ./pkg/ingest/cyclonedx -fuzz FuzzDecodeJSON
func FuzzDecodeJSON(f *testing.F) { fuzzDecode(f, ".json", DecodeJSON, "cyclonedx-json") }

// FuzzDecodeXML looks for CycloneDX XML that panics the decoder or the
// annotated writer. go test ./pkg/ingest/cyclonedx -fuzz FuzzDecodeXML
func FuzzDecodeXML(f *testing.F) { fuzzDecode(f, ".xml", DecodeXML, "cyclonedx-xml") }

// fuzzDecode decodes each input and, when it is a BOM, writes it back
// annotated with a finding: what was read must be writable.
func fuzzDecode(f *testing.F, suffix string, decode func([]byte) (*model.Document, error), format model.Format) {
	seeds(f, suffix)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := decode(data)
		if err != nil {
			return
		}
		doc.Normalize()
		doc.Format = format
		if err := Annotated(io.Discard, doc, data, Annotation{Tool: "pedigree", Time: time.Unix(0, 0),
			Findings: []Finding{{ID: "F", Ref: lastRef(doc.Components)}}}); err != nil {
			t.Fatalf("a BOM that was read cannot be written back: %v", err)
		}
	})
}

// lastRef is the ref of the last component, or "".
func lastRef(list []*model.Component) string {
	if len(list) == 0 {
		return ""
	}
	return list[len(list)-1].Ref
}
