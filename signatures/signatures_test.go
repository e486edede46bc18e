package signatures_test

import (
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// TestEmbeddedPacks loads every embedded rule file through the strict
// loader and runs every rule's examples.
func TestEmbeddedPacks(t *testing.T) {
	set := embeddedSet(t)
	if len(set.Rules) == 0 {
		t.Fatal("no rules embedded")
	}
	eng, err := match.New(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range eng.CheckExamples() {
		t.Error(err)
	}
	examples := 0
	for _, r := range set.Rules {
		examples += len(r.Examples.Match) + len(r.Examples.NoMatch)
		if r.Entity != "Kaspersky" {
			t.Errorf("%s: rule %s: entity %q, want Kaspersky", r.Source, r.ID, r.Entity)
		}
	}
	t.Logf("%d packs, %d rules, %d examples", len(set.Packs), len(set.Rules), examples)
}

// TestTrustedKeys reads the compiled-in signing keys: each parses and is
// named by its id.
func TestTrustedKeys(t *testing.T) {
	keys, err := signatures.TrustedKeys()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if len(k.Public) != 32 || k.ID == "" {
			t.Errorf("key %q is malformed", k.ID)
		}
	}
}

// TestEmbeddedPacksShareOneVersion: the embedded packs are released
// together, and an installed pack is compared with their one version.
func TestEmbeddedPacksShareOneVersion(t *testing.T) {
	layer, err := signatures.Layer()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range layer {
		if p.Version != layer[0].Version {
			t.Errorf("%s is version %q, %s is %q", p.File, p.Version, layer[0].File, layer[0].Version)
		}
	}
}

// embeddedSet is the rule set of every embedded pack.
func embeddedSet(t *testing.T) *signature.Set {
	t.Helper()
	layer, err := signatures.Layer()
	if err != nil {
		t.Fatal(err)
	}
	set, err := signature.NewSet(layer)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
