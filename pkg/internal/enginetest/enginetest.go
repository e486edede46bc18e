// Package enginetest gives tests the matching engine of the embedded
// signature packs, as the CLI builds it without --signatures.
package enginetest

import (
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// Embedded compiles the embedded packs into an engine, or fails the test.
func Embedded(tb testing.TB) *match.Engine {
	tb.Helper()
	set, err := signatures.Set()
	if err != nil {
		tb.Fatal(err)
	}
	e, err := match.New(set)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
