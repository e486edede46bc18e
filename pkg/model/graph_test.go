package model

import (
	"reflect"
	"testing"
)

func TestNewRelationship(t *testing.T) {
	tests := []struct {
		from, typ, to string
		want          Relationship
	}{
		{"a", "CONTAINS", "b", Relationship{From: "a", Type: RelContains, To: "b"}},
		{"b", "contained-by", "a", Relationship{From: "a", Type: RelContains, To: "b"}},
		{"b", "DEPENDENCY_OF", "a", Relationship{From: "a", Type: RelDependsOn, To: "b"}},
		{"a", "ANCESTOR_OF", "b", Relationship{From: "b", Type: RelDescendantOf, To: "a"}},
		{"src", "GENERATES", "bin", Relationship{From: "bin", Type: RelGeneratedFrom, To: "src"}},
		{"a", "VARIANT_OF", "b", Relationship{From: "a", Type: RelVariantOf, To: "b"}},
	}
	for _, tt := range tests {
		if got := NewRelationship(tt.from, tt.typ, tt.to); got != tt.want {
			t.Errorf("NewRelationship(%s %s %s) = %+v, want %+v", tt.from, tt.typ, tt.to, got, tt.want)
		}
	}
}

func TestPaths(t *testing.T) {
	comp := func(ref, parent string) *Component { return &Component{Ref: ref, Name: ref, Parent: parent} }
	d := &Document{
		Roots: []string{"root"},
		Components: []*Component{
			comp("root", ""), comp("a", ""), comp("b", ""), comp("nested", "b"), comp("opt", ""),
			comp("dev", ""), comp("orphan", ""), comp("cycle1", ""), comp("cycle2", ""),
		},
		Relationships: []Relationship{
			NewRelationship("root", "DEPENDS_ON", "a"),
			NewRelationship("a", "DEPENDS_ON", "b"),
			// A shorter way to b must win over the longer one.
			NewRelationship("root", "CONTAINS", "b"),
			NewRelationship("opt", "OPTIONAL_COMPONENT_OF", "a"),
			NewRelationship("dev", "DEV_DEPENDENCY_OF", "root"),
			NewRelationship("a", "CONTAINS", "cycle1"),
			NewRelationship("cycle1", "DEPENDS_ON", "cycle2"),
			NewRelationship("cycle2", "DEPENDS_ON", "cycle1"),
			// Not structural: a variant is not inside its original.
			NewRelationship("a", "VARIANT_OF", "orphan"),
		},
	}
	want := map[string][]string{
		"root":   {"root"},
		"a":      {"root", "a"},
		"b":      {"root", "b"},
		"nested": {"root", "b", "nested"},
		"opt":    {"root", "a", "opt"},
		"dev":    {"root", "dev"},
		"orphan": {"root", "orphan"},
		"cycle1": {"root", "a", "cycle1"},
		"cycle2": {"root", "a", "cycle1", "cycle2"},
	}
	if got := d.Paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("Paths() =\n%v\nwant\n%v", got, want)
	}

	// Without a single root, unreachable components stand alone.
	d.Roots = nil
	if got := d.Paths()["a"]; !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("no root: %v", got)
	}
}

// TestPathsNestedWithoutDependencies: a CycloneDX document with nested
// components and no dependency graph still gives each nested component its
// parents on the path.
func TestPathsNestedWithoutDependencies(t *testing.T) {
	d := &Document{
		Roots: []string{"root"},
		Components: []*Component{
			{Ref: "root"}, {Ref: "app"}, {Ref: "engine", Parent: "app"}, {Ref: "core", Parent: "engine"}, {Ref: "zlib"},
		},
	}
	want := map[string][]string{
		"root": {"root"}, "app": {"root", "app"}, "engine": {"root", "app", "engine"},
		"core": {"root", "app", "engine", "core"}, "zlib": {"root", "zlib"},
	}
	if got := d.Paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("Paths() = %v, want %v", got, want)
	}
}
