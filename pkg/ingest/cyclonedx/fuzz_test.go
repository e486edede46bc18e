package cyclonedx

import (
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/fuzzseed"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// seeds adds the CycloneDX files of testdata and of fixtures/ with the
// given suffix to the corpus.
func seeds(f *testing.F, suffix string) {
	fuzzseed.Add(f, func(name string) bool { return strings.Contains(name, "cdx") && strings.HasSuffix(name, suffix) },
		"testdata", "../../../fixtures/sbom", "../../../fixtures/whitelabel")
}

// FuzzDecodeJSON looks for CycloneDX JSON that panics the decoder.
// go test ./pkg/ingest/cyclonedx -fuzz FuzzDecodeJSON (pkg/report's
// FuzzAnnotated also writes back what was read).
func FuzzDecodeJSON(f *testing.F) { fuzzDecode(f, ".json", DecodeJSON) }

// FuzzDecodeXML looks for CycloneDX XML that panics the decoder.
// go test ./pkg/ingest/cyclonedx -fuzz FuzzDecodeXML
func FuzzDecodeXML(f *testing.F) { fuzzDecode(f, ".xml", DecodeXML) }

// fuzzDecode decodes each input and normalizes what was read.
func fuzzDecode(f *testing.F, suffix string, decode func([]byte) (*model.Document, error)) {
	seeds(f, suffix)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := decode(data)
		if err != nil {
			return
		}
		doc.Normalize()
	})
}
