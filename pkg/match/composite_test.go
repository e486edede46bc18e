package match

import (
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// compositeEngine has a file-name rule (medium), a subtree composite of
// three blocks (critical) and a component composite (medium).
func compositeEngine(t *testing.T) *Engine {
	t.Helper()
	rules := []*signature.Rule{
		{ID: "ZX-FILE-001", Entity: "Zorbex", Category: signature.Indicator, Severity: signature.Medium,
			Match: signature.Match{Filenames: []string{"zxhttpd"}}},
		{ID: "ZX-LAYOUT-001", Entity: "Zorbex", Category: signature.Engine, Severity: signature.Critical,
			Scope: signature.ScopeSubtree, Levels: 2,
			All: []signature.Match{
				{Filenames: []string{"zxhttpd", "zxhttpd.xml"}},
				{Paths: []string{"bin/bases"}},
				{Filenames: []string{"*.zpl"}},
			}},
		{ID: "ZX-LAYOUT-002", Entity: "Zorbex", Category: signature.Indicator, Severity: signature.Medium,
			All: []signature.Match{
				{Filenames: []string{"*.zdb"}},
				{Paths: []string{"bases"}},
			}},
		{ID: "ZX-LAYOUT-003", Entity: "Zorbex", Category: signature.Indicator, Severity: signature.Medium,
			Scope: signature.ScopeSubtree,
			All: []signature.Match{
				{Services: []string{"zorbexd"}},
				{Filenames: []string{"zorbex.conf"}},
			}},
	}
	e, err := New(&signature.Set{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func ruleIDs(ev []Evidence) []string {
	var out []string
	for _, v := range ev {
		out = append(out, v.Rule)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestCompositeOneComponent: the blocks of a composite rule found in one
// component's own locations.
func TestCompositeOneComponent(t *testing.T) {
	e := compositeEngine(t)
	tests := []struct {
		name string
		locs []string
		want []string
	}{
		{"layout", []string{"/opt/zx/bin/zxhttpd", "/opt/zx/bin/bases/daily.db", "/opt/zx/ppl/scan.zpl"}, []string{"ZX-FILE-001", "ZX-LAYOUT-001"}},
		{"renamed daemon, config kept", []string{"/opt/acme/etc/zxhttpd.xml", "/opt/acme/bin/bases/x", "/opt/acme/ppl/a.zpl"}, []string{"ZX-LAYOUT-001"}},
		{"windows layout", []string{`C:\Acme\Engine\bin\zxhttpd`, `C:\Acme\Engine\bin\bases\x`, `C:\Acme\Engine\ppl\a.zpl`}, []string{"ZX-FILE-001", "ZX-LAYOUT-001"}},
		{"two of three blocks", []string{"/opt/zx/bin/zxhttpd", "/opt/zx/ppl/scan.zpl"}, []string{"ZX-FILE-001"}},
		{"blocks in different trees", []string{"/opt/zx/bin/zxhttpd", "/srv/y/bin/bases/x", "/opt/zx/ppl/a.zpl"}, []string{"ZX-FILE-001"}},
		{"module above the root", []string{"/opt/zx/bin/zxhttpd", "/opt/zx/bin/bases/x", "/opt/a.zpl"}, []string{"ZX-FILE-001"}},
		{"no anchor", []string{"/opt/zx/bin/bases/x", "/opt/zx/ppl/a.zpl"}, nil},
		{"component scope: base file in bases", []string{"/opt/acme/bases/main.zdb"}, []string{"ZX-LAYOUT-002"}},
		{"component scope: base file elsewhere", []string{"/opt/acme/data/main.zdb"}, nil},
		{"component scope: both blocks, different locations", []string{"/opt/acme/data/main.zdb", "/opt/acme/bases/readme"}, []string{"ZX-LAYOUT-002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ruleIDs(e.Explain(&model.Component{Name: "x", Locations: tt.locs}))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCompositeEvidence: one piece of evidence per block, naming the block
// and the file.
func TestCompositeEvidence(t *testing.T) {
	e := compositeEngine(t)
	ev := e.Explain(&model.Component{Name: "x", Locations: []string{"/opt/zx/bin/zxhttpd", "/opt/zx/bin/bases/daily.db", "/opt/zx/ppl/scan.zpl"}})
	var got []string
	for _, v := range ev {
		if v.Rule == "ZX-LAYOUT-001" {
			got = append(got, string(v.Kind)+" "+v.Field+" "+v.Value+" "+v.Location)
		}
	}
	want := []string{
		"filename all[0] locations[0] zxhttpd /opt/zx/bin/zxhttpd",
		"path all[1] locations[1] bin/bases /opt/zx/bin/bases/daily.db",
		"filename all[2] locations[2] scan.zpl /opt/zx/ppl/scan.zpl",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCompositeAcrossComponents: a directory scan lists an install tree
// file by file; the subtree rule is found across the components and
// reported on the component of the first block, which it raises.
func TestCompositeAcrossComponents(t *testing.T) {
	e := compositeEngine(t)
	file := func(ref, loc string) *model.Component {
		return &model.Component{Ref: ref, Type: "file", Name: loc, Locations: []string{loc}}
	}
	doc := &model.Document{Components: []*model.Component{
		file("a", "opt/zx/bin/zxhttpd"),
		file("b", "opt/zx/bin/bases/daily.db"),
		file("c", "opt/zx/ppl/scan.zpl"),
		file("d", "srv/other/bin/zxhttpd"),
	}}
	got := map[string]string{}
	for _, f := range e.Match(doc) {
		got[f.Component.Ref] = string(f.Severity) + " " + strings.Join(ruleIDs(f.Evidence), ",")
	}
	want := map[string]string{
		"a": "critical ZX-FILE-001,ZX-LAYOUT-001",
		"d": "medium ZX-FILE-001",
	}
	if len(got) != len(want) || got["a"] != want["a"] || got["d"] != want["d"] {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestCompositeServices: a service name has no location, so it lies in no
// subtree; a systemd unit file does.
func TestCompositeServices(t *testing.T) {
	e := compositeEngine(t)
	tests := []struct {
		name string
		c    model.Component
		want []string
	}{
		{"unit file beside config", model.Component{Locations: []string{"/opt/zx/zorbexd.service", "/opt/zx/zorbex.conf"}}, []string{"ZX-LAYOUT-003"}},
		{"service property", model.Component{Locations: []string{"/opt/zx/zorbex.conf"}, Properties: []model.Property{{Name: "pedigree:service", Value: "zorbexd"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ruleIDs(e.Explain(&tt.c)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCompositeMayMatchPath: deep inspection records the files a composite
// block could match, even when no ordinary pattern names them.
func TestCompositeMayMatchPath(t *testing.T) {
	e := compositeEngine(t)
	for _, p := range []string{"opt/zx/ppl/scan.zpl", "opt/zx/bin/bases/daily.db", "opt/acme/main.zdb", "lib/systemd/system/zorbexd.service"} {
		if !e.MayMatchPath(p) {
			t.Errorf("MayMatchPath(%q) = false", p)
		}
	}
	for _, p := range []string{"opt/zx/readme.txt", "opt/zx/bin/base/x"} {
		if e.MayMatchPath(p) {
			t.Errorf("MayMatchPath(%q) = true", p)
		}
	}
}
