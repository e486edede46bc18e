package ingest

import (
	"bytes"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/fuzzseed"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
)

// FuzzDecode looks for any input that panics format detection or a
// decoder, or gets past the limits: every error must be an *Error naming
// the input. go test ./pkg/ingest -fuzz FuzzDecode
func FuzzDecode(f *testing.F) {
	fuzzseed.Add(f, func(string) bool { return true }, "../../fixtures/sbom", "../../fixtures/whitelabel")
	opts := Options{Ingest: limits.Ingest{MaxBytes: 1 << 20, MaxDepth: 64}}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode("fuzz", bytes.NewReader(data), opts)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T, not *ingest.Error: %v", err, err)
			}
			return
		}
		doc.Normalize()
	})
}
