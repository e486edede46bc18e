// Package enginetest gives tests the matching engine of the embedded
// signature packs, as the CLI builds it without --signatures, and a
// "newer pack" for tests of what changes when one comes into force.
package enginetest

import (
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
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

// NewerPack is a rule file that, added to the embedded packs, makes the
// clean example product (fixtures/sbom/acme-suite.cdx-1.6.json, whose
// acme-core passes today) fail: a "newer pack" in which a rule now
// matches. Its version is 2026.12.1.
const NewerPack = `pack: test-newer
version: "2026.12.1"
rules:
  - id: TEST-ACME-001
    title: Acme core library (test rule)
    entity: Kaspersky
    category: vendor-identity
    severity: high
    match: {products: ["^acme-core$"]}
    references: [test]
    examples: {match: [{name: acme-core}], noMatch: [{name: acme-core-x}]}
`

// Compile compiles the rule files given as YAML texts, after the embedded
// packs when embedded is true, as the CLI compiles --signatures layers
// (match.Compile), or fails the test.
func Compile(tb testing.TB, embedded bool, files ...string) *match.Engine {
	tb.Helper()
	var layers []signature.Layer
	if embedded {
		base, err := signatures.Layer()
		if err != nil {
			tb.Fatal(err)
		}
		layers = append(layers, base)
	}
	for i, f := range files {
		p, err := signature.Parse("test-"+string(rune('a'+i))+".yaml", []byte(f))
		if err != nil {
			tb.Fatal(err)
		}
		layers = append(layers, signature.Layer{p})
	}
	e, err := match.Compile(layers...)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// Newer is the engine of the embedded packs and NewerPack.
func Newer(tb testing.TB) *match.Engine {
	tb.Helper()
	return Compile(tb, true, NewerPack)
}
