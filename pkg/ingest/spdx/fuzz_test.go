package spdx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	var files []string
	for _, dir := range []string{"testdata", filepath.Join("..", "..", "..", "fixtures", "sbom"), filepath.Join("..", "..", "..", "fixtures", "whitelabel")} {
		m, _ := filepath.Glob(filepath.Join(dir, "*spdx*"))
		files = append(files, m...)
	}
	n := 0
	for _, name := range files {
		// .xml would also take the RDF files: they have their own target.
		if !strings.HasSuffix(name, suffix) || (format == model.FormatSPDXXML && strings.HasSuffix(name, ".rdf.xml")) {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		n++
	}
	if n == 0 {
		f.Fatalf("no %s seeds", format)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode(format, trimLeading(data))
		if err == nil {
			doc.Normalize()
		}
	})
}
