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
