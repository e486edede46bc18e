package signature

import (
	"testing"
)

const goodComposite = `pack: test
version: "1"
rules:
  - id: T-LAYOUT-001
    title: Test engine layout
    entity: Test
    category: engine
    severity: critical
    scope: subtree
    levels: 2
    all:
      - filenames: [testd, testd.exe]
      - paths: [bin/bases]
    references: ["https://example.com/layout"]
    examples:
      match:
        - files: [/opt/t/bin/testd, /opt/t/bin/bases/x]
      noMatch:
        - files: [/opt/t/bin/testd]
`

func TestParseComposite(t *testing.T) {
	p, err := Parse("good.yaml", []byte(goodComposite))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Rules[0]
	if !r.Composite() || len(r.All) != 2 || r.Scope != ScopeSubtree || r.SubtreeLevels() != 2 {
		t.Fatalf("got %+v", r)
	}
	if got := r.Examples.Match[0].Component().Locations; len(got) != 2 {
		t.Fatalf("example locations %q", got)
	}
}

// TestParseCompositeErrors: mistakes in composite rules are refused with
// the file and line.
func TestParseCompositeErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"bad scope", "scope: subtree", "scope: tree", `bad.yaml:9: rule T-LAYOUT-001: scope "tree" is not component or subtree`},
		{"levels without subtree", "scope: subtree", "scope: component", "bad.yaml:10: rule T-LAYOUT-001: levels must be 1 or more, and only with scope subtree"},
		{"negative levels", "levels: 2", "levels: -1", "bad.yaml:10: rule T-LAYOUT-001: levels must be 1 or more"},
		{"one block", "      - paths: [bin/bases]\n", "", "bad.yaml:12: rule T-LAYOUT-001: all needs at least two blocks"},
		{"empty block", "      - paths: [bin/bases]\n", "      - {}\n", "bad.yaml:13: rule T-LAYOUT-001: all[1] has no patterns"},
		{"block kind", "      - paths: [bin/bases]\n", "      - names: [Test]\n", "bad.yaml:13: rule T-LAYOUT-001: all[1]: a composite block may only use filenames, paths, services"},
		{"block pattern", "      - paths: [bin/bases]\n", "      - filenames: [bin/x]\n", `bad.yaml:13: rule T-LAYOUT-001: filenames pattern "bin/x": is a path`},
		{"match beside all", "    scope: subtree\n", "    scope: subtree\n    match:\n      filenames: [x.dll]\n", "rule T-LAYOUT-001: a composite rule (all:) has no patterns under match"},
		{"scope without all", "    all:\n      - filenames: [testd, testd.exe]\n      - paths: [bin/bases]\n", "    match:\n      filenames: [testd]\n", "rule T-LAYOUT-001: scope is only for composite rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantParseError(t, goodComposite, tt.old, tt.new, tt.want) })
	}
}
