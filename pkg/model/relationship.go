package model

import "strings"

// inverse maps an SPDX relationship type to the forward type it is the
// inverse of. A relationship of an inverse type is stored turned around.
var inverse = map[string]RelationshipType{
	"CONTAINED_BY":  RelContains,
	"DEPENDENCY_OF": RelDependsOn,
	"DESCRIBED_BY":  RelDescribes,
	"ANCESTOR_OF":   RelDescendantOf,
	"GENERATES":     RelGeneratedFrom,
}

// NewRelationship builds a relationship from an input's (from, type, to),
// turning inverse forms around so that consumers see one direction only.
// The type is upper-cased and dashes become underscores.
func NewRelationship(from, typ, to string) Relationship {
	t := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(typ), "-", "_"))
	if fwd, ok := inverse[t]; ok {
		return Relationship{From: to, Type: fwd, To: from}
	}
	return Relationship{From: from, Type: RelationshipType(t), To: to}
}

// structural reports whether an edge of this type puts To inside or under
// From in the product, so that it counts for the path from the product root.
// *_DEPENDENCY_OF types in SPDX read "To depends on From" and are handled by
// the caller.
func structural(t RelationshipType) bool {
	switch t {
	case RelContains, RelDependsOn, RelDescribes, "HAS_PREREQUISITE", "STATIC_LINK", "DYNAMIC_LINK":
		return true
	}
	return false
}

// dependencyOf reports whether the type is one of SPDX's "X is part of Y"
// forms (X is a kind of dependency of Y, an optional component of Y, or
// used as a package as part of Y), where the edge in the product runs from
// Y to X.
func dependencyOf(t RelationshipType) bool {
	s := string(t)
	return (strings.HasSuffix(s, "_DEPENDENCY_OF") && s != "DEPENDENCY_OF") ||
		s == "OPTIONAL_COMPONENT_OF" || s == "PACKAGE_OF"
}
