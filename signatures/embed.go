// Package signatures holds pedigree's built-in rule packs, embedded into
// the binary. The rule format is documented in README.md beside this file;
// pkg/signature loads and checks it.
package signatures

import (
	"embed"

	"github.com/pedigree-sbom/pedigree/pkg/match"
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

// Engine compiles the embedded packs alone into a matching engine, for
// callers (tests, benchmarks, tools) that take no --signatures.
func Engine() (*match.Engine, error) {
	layer, err := Layer()
	if err != nil {
		return nil, err
	}
	set, err := signature.NewSet(layer)
	if err != nil {
		return nil, err
	}
	return match.New(set)
}
