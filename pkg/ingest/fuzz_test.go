package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode looks for any input that panics format detection or a
// decoder, or gets past the limits: every error must be an *Error naming
// the input. go test ./pkg/ingest -fuzz FuzzDecode
func FuzzDecode(f *testing.F) {
	for _, dir := range []string{filepath.Join("..", "..", "fixtures", "sbom"), filepath.Join("..", "..", "fixtures", "whitelabel")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
	}
	opts := Options{MaxBytes: 1 << 20, MaxDepth: 64}
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
