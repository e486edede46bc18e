package spdx

import (
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/fuzzseed"
)

// FuzzDecode3 decodes arbitrary SPDX 3 JSON-LD: an error is fine, a panic
// or a hang is not, and a document that was read must normalize.
//
//	go test ./pkg/ingest/spdx -run '^$' -fuzz '^FuzzDecode3$' -fuzztime 10m
func FuzzDecode3(f *testing.F) {
	fuzzseed.Add(f, func(name string) bool {
		return strings.HasSuffix(name, ".spdx3.json")
	}, "testdata", "../../../fixtures/sbom", "../../../fixtures/whitelabel")
	f.Add([]byte(`{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","spdxId":"p","suppliedBy":{"type":"Organization","name":"x"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode3(trimLeading(data))
		if err == nil {
			doc.Normalize()
		}
	})
}
