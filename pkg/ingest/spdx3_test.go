package ingest_test

import (
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// TestSPDX3Detected shows SPDX 3.0 JSON-LD detected from its @context, in
// the string and the array form, and what is read through with a warning
// refused in strict mode.
func TestSPDX3Detected(t *testing.T) {
	const graph = `"@graph":[{"type":"software_Package","spdxId":"p","name":"x"},{"type":"software_Package","spdxId":"p","name":"y"}]}`
	for _, ctx := range []string{`"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"`, `["https://spdx.org/rdf/3.0.0/spdx-context.jsonld"]`} {
		in := `{"@context":` + ctx + `,` + graph
		doc, err := ingest.Decode("in", strings.NewReader(in), ingest.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if doc.Format != model.FormatSPDX3JSONLD || !strings.HasPrefix(doc.SpecVersion, "3.0.") || len(doc.Components) != 2 {
			t.Errorf("%s: read as %s %s with %d components", ctx, doc.Format, doc.SpecVersion, len(doc.Components))
		}
		if len(doc.Warnings) == 0 || !strings.Contains(doc.Warnings[0], `spdxId "p" is also the id of @graph[0]`) {
			t.Errorf("warnings %q", doc.Warnings)
		}
		opts := ingest.DefaultOptions()
		opts.Strict = true
		_, err = ingest.Decode("in", strings.NewReader(in), opts)
		if ingest.KindOf(err) != ingest.KindMalformed || !strings.HasSuffix(err.Error(), "(refused in strict mode)") {
			t.Errorf("strict: %v", err)
		}
	}
}
