// Package signatures holds pedigree's built-in rule packs, embedded into
// the binary. The rule format is documented in README.md beside this file;
// pkg/signature loads and checks it.
package signatures

import (
	"embed"

	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

//go:embed *.yaml
var files embed.FS

// Label is how embedded rule files are named in errors and reports.
const Label = "embedded"

// Layer loads the embedded packs.
func Layer() (signature.Layer, error) {
	return signature.LoadFS(files, Label)
}

// Set loads the embedded packs alone into a signature set, for callers
// (tests, benchmarks, tools) that take no --signatures; match.New
// compiles it. This package holds the data only: it does not know the
// engine.
func Set() (*signature.Set, error) {
	layer, err := Layer()
	if err != nil {
		return nil, err
	}
	return signature.NewSet(layer)
}
