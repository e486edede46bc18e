package waiver

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const file = `waivers:
  - rule: KL-DEV-001
    component: "pkg:maven/com.kaspersky.android-components/*"
    reason: Kaspresso is a UI-test framework; it is not shipped
    owner: qa-lead@acme.example
    expires: 2026-12-31
  - finding: PDG-0123456789ABCDEF
    target: "bids/*.json"
    reason: reviewed with legal
    owner: legal@acme.example
    expires: 2025-01-31
`

func TestParseAndCovers(t *testing.T) {
	ws, err := Parse("w.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].Source != "w.yaml:2" || ws[1].Source != "w.yaml:7" {
		t.Fatalf("got %+v", ws)
	}
	kaspresso := Subject{Finding: "PDG-AAAAAAAAAAAAAAAA", Rules: []string{"KL-DEV-001", "KL-VENDOR-001"},
		PURL: "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.3", Name: "kaspresso", Version: "1.5.3", Target: "app.cdx.json"}
	tests := []struct {
		name string
		w    int
		s    Subject
		want bool
	}{
		{"rule and component match", 0, kaspresso, true},
		{"rule missing", 0, Subject{Rules: []string{"KL-VENDOR-001"}, PURL: kaspresso.PURL}, false},
		{"component differs", 0, Subject{Rules: []string{"KL-DEV-001"}, PURL: "pkg:maven/com.kavsdk/kavsdk@1"}, false},
		{"finding and target match", 1, Subject{Finding: "PDG-0123456789ABCDEF", Target: "bids/northwind.json"}, true},
		{"finding matches, target does not", 1, Subject{Finding: "PDG-0123456789ABCDEF", Target: "other.json"}, false},
	}
	for _, tt := range tests {
		if got := ws[tt.w].Covers(tt.s); got != tt.want {
			t.Errorf("%s: Covers = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestExpired(t *testing.T) {
	ws, err := Parse("w.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	last := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	if ws[0].Expired(last) {
		t.Error("a waiver applies through its last day")
	}
	if !ws[0].Expired(last.Add(2 * time.Minute)) {
		t.Error("a waiver expires the day after its last day")
	}
	if !ws[1].Expired(last) {
		t.Error("2025-01-31 has expired by 2026")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"no selector", "waivers:\n  - reason: r\n    owner: o\n    expires: 2026-01-01\n", "w.yaml:2: waiver names no finding, rule or component"},
		{"no reason", "waivers:\n  - rule: KL-X-1\n    owner: o\n    expires: 2026-01-01\n", "w.yaml:2: reason is missing"},
		{"no owner", "waivers:\n  - rule: KL-X-1\n    reason: r\n    expires: 2026-01-01\n", "owner is missing"},
		{"bad date", "waivers:\n  - rule: KL-X-1\n    reason: r\n    owner: o\n    expires: next year\n", `expires "next year" is not a date`},
		{"bad finding id", "waivers:\n  - finding: F-1\n    reason: r\n    owner: o\n    expires: 2026-01-01\n", `finding "F-1" is not a finding id`},
		{"unknown field", "waivers:\n  - rule: KL-X-1\n    reason: r\n    owner: o\n    expires: 2026-01-01\n    until: x\n", "w.yaml:6: field until not found"},
		{"empty", "", "empty waiver file"},
		{"bad glob", "waivers:\n  - component: \"[x\"\n    reason: r\n    owner: o\n    expires: 2026-01-01\n", `bad pattern "[x"`},
	}
	for _, tt := range tests {
		_, err := Parse("w.yaml", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load("no-such-waivers.yaml")
	if err == nil || err.Error() != "waivers no-such-waivers.yaml: no such file or directory" {
		t.Fatalf("got %v", err)
	}
}

func TestWaivesRule(t *testing.T) {
	tests := []struct {
		w    Waiver
		want bool
	}{
		{Waiver{Rule: "KL-VENDOR-001", Component: "*"}, true},
		{Waiver{Rule: "KL-VENDOR-001"}, true},
		{Waiver{Rule: "KL-VENDOR-001", Finding: "PDG-0123456789ABCDEF"}, false},
		{Waiver{Finding: "PDG-0123456789ABCDEF"}, false},
		{Waiver{Component: "nw-engine"}, false},
	}
	for _, tt := range tests {
		if got := tt.w.WaivesRule(); got != tt.want {
			t.Errorf("%+v: WaivesRule = %v, want %v", tt.w, got, tt.want)
		}
	}
}

func TestMatchesAny(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"*", true},
		{"**", true},
		{"?*", true},
		{"*@*", true},
		{"*/*", true},
		{"*-*", true},
		{"[a-z]*", true},
		{"[!k]*", true},
		{"[]a]*", true},
		{"pkg:*", true},
		{"pkg:*/*/*", true},
		{"", true},
		{"nw-engine", false},
		{"kas*", false},
		{"*sdk*", false},
		{"pkg:npm/*", false},
		{"*@1.0", false},
		{"[k]aspersky", false},
		{`\*x`, false},
		{"*движок*", false},
	}
	for _, tt := range tests {
		if got := MatchesAny(tt.pattern); got != tt.want {
			t.Errorf("MatchesAny(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestWarnings(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	parse := func(src string) Waiver {
		t.Helper()
		ws, err := Parse("w.yaml", []byte("waivers:\n  - reason: r\n    owner: o\n"+src))
		if err != nil {
			t.Fatal(err)
		}
		return ws[0]
	}
	tests := []struct {
		name, src string
		want      []string
	}{
		{"one component, within a year", "    rule: KL-VENDOR-001\n    component: nw-engine\n    expires: 2027-05-31\n", nil},
		{"a year to the day", "    component: nw-engine\n    expires: 2027-11-23\n", nil},
		{"a year and a day", "    component: nw-engine\n    expires: 2027-11-24\n",
			[]string{"expires on 2027-11-24, more than a year away"}},
		{"wildcard component", "    rule: KL-VENDOR-001\n    component: \"*\"\n    expires: 2027-01-31\n",
			[]string{`covers any component (component "*")`}},
		{"no component", "    rule: KL-VENDOR-001\n    expires: 2027-01-31\n",
			[]string{"covers any component (it names no component or finding)"}},
		{"both", "    rule: KL-VENDOR-001\n    component: \"pkg:*/*\"\n    expires: 2099-12-31\n",
			[]string{`covers any component (component "pkg:*/*")`, "expires on 2099-12-31, more than a year away"}},
		{"a finding pins the component", "    finding: PDG-0123456789ABCDEF\n    component: \"*\"\n    expires: 2027-01-31\n", nil},
		{"expired wildcard", "    component: \"*\"\n    expires: 2024-12-31\n", []string{`covers any component (component "*")`}},
	}
	for _, tt := range tests {
		w := parse(tt.src)
		if got := w.Warnings(now); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Warnings = %q, want %q", tt.name, got, tt.want)
		}
	}
}
