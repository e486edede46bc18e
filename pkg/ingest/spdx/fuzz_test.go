package spdx

import (
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/fuzzseed"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// One fuzz target per SPDX dialect, so that each is run, and its
// executions counted, on its own (docs/reliability.md):
//
//	go test ./pkg/ingest/spdx -run '^$' -fuzz '^FuzzDecodeJSON$' -fuzztime 10m

func FuzzDecodeJSON(f *testing.F)     { fuzzDialect(f, model.FormatSPDXJSON, ".spdx.json") }
func FuzzDecodeTagValue(f *testing.F) { fuzzDialect(f, model.FormatSPDXTagValue, ".spdx") }
func FuzzDecodeYAML(f *testing.F)     { fuzzDialect(f, model.FormatSPDXYAML, ".yaml") }
func FuzzDecodeRDF(f *testing.F)      { fuzzDialect(f, model.FormatSPDXRDF, ".rdf.xml") }
func FuzzDecodeXML(f *testing.F)      { fuzzDialect(f, model.FormatSPDXXML, ".xml") }

// fuzzDialect seeds the corpus with the dialect's files from testdata and
// fixtures/, then decodes every input: an error is fine, a panic or a hang
// is not, and a document that was read must normalize.
func fuzzDialect(f *testing.F, format model.Format, suffix string) {
	fuzzseed.Add(f, func(name string) bool {
		// .xml would also take the RDF files: they have their own target.
		return strings.Contains(name, "spdx") && strings.HasSuffix(name, suffix) &&
			!(format == model.FormatSPDXXML && strings.HasSuffix(name, ".rdf.xml"))
	}, "testdata", "../../../fixtures/sbom", "../../../fixtures/whitelabel")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode(format, trimLeading(data))
		if err == nil {
			doc.Normalize()
		}
	})
}
