// Package fuzzseed seeds fuzz targets with the repository's shared
// fixtures and a package's own test data.
package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
)

// Add adds to f's corpus every file of dirs whose name keep accepts, and
// fails the target when none is found: a fuzz target without seeds would
// only explore from nothing. Directories are relative to the package under
// test, e.g. "testdata" and "../../../fixtures/sbom".
func Add(f *testing.F, keep func(name string) bool, dirs ...string) {
	f.Helper()
	n := 0
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatalf("fuzz seeds: %v", err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || !keep(e.Name()) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatalf("fuzz seeds: %v", err)
			}
			f.Add(data)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("fuzz seeds: no file in %v is accepted", dirs)
	}
}
