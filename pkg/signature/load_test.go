package signature

import (
	"strings"
	"testing"
	"testing/fstest"
)

const goodRule = `pack: test
version: "1"
rules:
  - id: T-NAME-001
    title: Test vendor as maker
    entity: Test
    category: vendor-identity
    severity: high
    match:
      names: [Testco]
    references: ["a citation"]
    examples:
      match:
        - supplier: Testco Ltd
      noMatch:
        - supplier: Testcorp
`

func TestParseGood(t *testing.T) {
	p, err := Parse("good.yaml", []byte(goodRule))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) != 1 || p.Rules[0].Source != "good.yaml:4" {
		t.Fatalf("got %d rules, source %q", len(p.Rules), p.Rules[0].Source)
	}
}

// TestParseErrors shows that each kind of mistake is refused with the file
// and the line of the mistake.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown field", "    severity: high\n", "    severity: high\n    weight: 3\n", "bad.yaml:9: field weight not found"},
		{"unknown match kind", "      names: [Testco]\n", "      names: [Testco]\n      regex: [x]\n", "bad.yaml:11: field regex not found"},
		{"bad category", "category: vendor-identity", "category: vendor", `bad.yaml:7: rule T-NAME-001: category "vendor" is not one of`},
		{"bad severity", "severity: high", "severity: severe", `bad.yaml:8: rule T-NAME-001: severity "severe"`},
		{"bad id", "id: T-NAME-001", "id: t name", `bad.yaml:4: rule id "t name" must look like`},
		{"pattern without words", "names: [Testco]", `names: ["Ltd."]`, `bad.yaml:10: rule T-NAME-001: names pattern "Ltd.": has no words`},
		{"bad purl", "names: [Testco]", `purls: ["maven/com.x/y"]`, `bad.yaml:10: rule T-NAME-001: purls pattern "maven/com.x/y": must start with pkg:`},
		{"purl with version", "names: [Testco]", `purls: ["pkg:npm/x@1.0"]`, "must not name a version"},
		{"bad glob", "names: [Testco]", `purls: ["pkg:npm/[x"]`, "bad wildcard pattern"},
		{"cpe without vendor", "names: [Testco]", `cpes: ["*:x"]`, "vendor must be named"},
		{"short hash", "names: [Testco]", `hashes: ["sha256:abcd"]`, "sha256 value must be 64 hex digits"},
		{"filename that is a path", "names: [Testco]", `filenames: ["bin/x.dll"]`, "is a path; put it under paths"},
		{"filename matching everything", "names: [Testco]", `filenames: ["*"]`, "matches every file"},
		{"upper-case domain", "names: [Testco]", `domains: ["Testco.com"]`, "must be lower case"},
		{"one-label domain", "names: [Testco]", `domains: ["com"]`, "at least two labels"},
		{"java package", "names: [Testco]", `javaPackages: ["com.9x"]`, `segment "9x" is not a Java identifier`},
		{"short content", "names: [Testco]", `content: ["abc"]`, "shorter than 6 bytes"},
		{"service with slash", "names: [Testco]", `services: ["svc/x"]`, `bad.yaml:10: rule T-NAME-001: services pattern "svc/x": must be a service name`},
		{"short service glob", "names: [Testco]", `services: ["KL*"]`, "needs at least 4 characters besides wildcards"},
		{"bad service glob", "names: [Testco]", `services: ["KLIF[0-9"]`, "bad wildcard pattern"},
		{"duplicate pattern", "names: [Testco]", `names: [Testco, Testco]`, `names pattern "Testco" is listed twice`},
		{"no patterns", "      names: [Testco]\n", "      {}\n", "no patterns under match"},
		{"no references", `references: ["a citation"]`, "references: []", "no references"},
		{"no examples", "      match:\n        - supplier: Testco Ltd\n", "      match: []\n", "no examples.match"},
		{"syntax", "    title: Test vendor as maker\n", "    title: [unclosed\n", "bad.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantParseError(t, goodRule, tt.old, tt.new, tt.want) })
	}
}

func TestDuplicateIDs(t *testing.T) {
	two := goodRule + strings.SplitN(goodRule, "rules:\n", 2)[1]
	_, err := Parse("dup.yaml", []byte(two))
	if err == nil || !strings.Contains(err.Error(), "dup.yaml:17: duplicate rule id T-NAME-001 (first defined at line 4)") {
		t.Fatalf("got %v", err)
	}

	// Across files of one layer.
	fsys := fstest.MapFS{"a.yaml": {Data: []byte(goodRule)}, "b.yaml": {Data: []byte(strings.Replace(goodRule, "pack: test", "pack: other", 1))}}
	layer, err := LoadFS(fsys, "dir")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSet(layer); err == nil || !strings.Contains(err.Error(), "dir/b.yaml:4: duplicate rule id T-NAME-001 (first defined at dir/a.yaml:4)") {
		t.Fatalf("got %v", err)
	}
}

func TestOverrideAndDisable(t *testing.T) {
	base, err := Parse("base.yaml", []byte(goodRule))
	if err != nil {
		t.Fatal(err)
	}
	over, err := Parse("over.yaml", []byte(strings.Replace(goodRule, "severity: high", "severity: critical", 1)))
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(Layer{base}, Layer{over})
	if err != nil {
		t.Fatal(err)
	}
	if r := set.Rule("T-NAME-001"); r == nil || r.Severity != Critical || r.Source != "over.yaml:4" {
		t.Fatalf("override not applied: %+v", r)
	}
	off, err := Parse("off.yaml", []byte("pack: off\nversion: \"1\"\nrules:\n  - id: T-NAME-001\n    disabled: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	set, err = NewSet(Layer{base}, Layer{off})
	if err != nil {
		t.Fatal(err)
	}
	if set.Rule("T-NAME-001") != nil || len(set.Rules) != 0 {
		t.Fatal("disabled rule still in force")
	}
	if set.Version() != "1" || !strings.HasPrefix(set.Digest, "sha256:") {
		t.Fatalf("version %q digest %q", set.Version(), set.Digest)
	}
}

func TestLoadFSNoFiles(t *testing.T) {
	if _, err := LoadFS(fstest.MapFS{"README.md": {Data: []byte("x")}}, "dir"); err == nil || !strings.Contains(err.Error(), "no rule files") {
		t.Fatalf("got %v", err)
	}
}

func TestParseSeverity(t *testing.T) {
	for _, s := range []string{"info", "LOW", " Medium", "high", "critical"} {
		if _, ok := ParseSeverity(s); !ok {
			t.Errorf("%q refused", s)
		}
	}
	if _, ok := ParseSeverity("none"); ok {
		t.Error("none is not a severity")
	}
	if Info.Rank() >= Critical.Rank() || Severity("x").Rank() != 0 {
		t.Error("rank order")
	}
}

func TestEveryCategoryHasGuidance(t *testing.T) {
	for _, c := range Categories {
		if c.Guidance() == "" {
			t.Errorf("category %s has no guidance", c)
		}
	}
}

// TestRuleFileSize shows a rule file over 4 MiB is refused before YAML
// parses it.
func TestRuleFileSize(t *testing.T) {
	data := make([]byte, maxFileBytes+1)
	for i := range data {
		data[i] = '#'
	}
	_, err := Parse("huge.yaml", data)
	if err == nil || err.Error() != "huge.yaml: rule file is 4194305 bytes, over the 4194304-byte limit" {
		t.Errorf("got %v", err)
	}
}

// wantParseError replaces old with new in the good source src and wants
// Parse to fail with an error that contains want.
func wantParseError(t *testing.T, src, old, new, want string) {
	t.Helper()
	bad := strings.Replace(src, old, new, 1)
	if bad == src {
		t.Fatalf("replacement %q not applied", old)
	}
	_, err := Parse("bad.yaml", []byte(bad))
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}
