package match

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// TestWithout: taking a rule's evidence away judges what is left as Match
// would have judged it alone.
func TestWithout(t *testing.T) {
	e := testEngine(t)
	root := &model.Component{Ref: "root", Name: "Northwind Gateway", Supplier: &model.Party{Name: "Northwind Ltd"}}
	// An engine named as the vendor's product, with the vendor's copyright.
	eng := &model.Component{Ref: "eng", Name: "Zorbex Shield Engine", Version: "2.1", Parent: "root", Copyright: "© 2024 Zorbex AG"}
	// The vendor's developer library, also supplied by the vendor.
	ui := &model.Component{Ref: "ui", Name: "ui", Version: "1.0.0", PURL: "pkg:npm/%40zorbex/ui@1.0.0", Parent: "root",
		Supplier: &model.Party{Name: "Zorbex"}, Description: "Zorbex UI kit"}
	// Another maker's package named like the vendor's engine, with one of
	// two copyrighted files the vendor's.
	nrpe := &model.Component{Ref: "nrpe", Name: "nrpe Zorbex Shield Engine plugin", Parent: "root", Supplier: &model.Party{Name: "Nagios Enterprises"}}
	d := doc(root, eng, ui, nrpe)
	d.Files = []*model.File{
		{Ref: "f1", Name: "./src/acl.c", Copyright: "Copyright (c) 2011 Zorbex ZAO"},
		{Ref: "f2", Name: "./src/nrpe.c", Copyright: "Copyright (c) Nagios Enterprises"},
	}
	d.Relationships = append(d.Relationships, model.NewRelationship("nrpe", "CONTAINS", "f1"), model.NewRelationship("nrpe", "CONTAINS", "f2"))
	found := map[string]Finding{}
	for _, f := range e.Match(d) {
		found[f.Component.Ref] = f
	}

	tests := []struct {
		name, ref  string
		without    []string
		ok         bool
		severity   signature.Severity
		rule       string
		rules      []string
		whiteLabel bool
		note       string
	}{
		{"nothing taken", "eng", nil, true, signature.Critical, "ZX-PROD-001", []string{"ZX-NAME-001", "ZX-PROD-001"}, false, ""},
		{"a rule that did not match", "eng", []string{"ZX-DEV-001"}, true, signature.Critical, "ZX-PROD-001", []string{"ZX-NAME-001", "ZX-PROD-001"}, false, ""},
		{"vendor identity taken, the engine stays critical", "eng", []string{"ZX-NAME-001"}, true, signature.Critical, "ZX-PROD-001", []string{"ZX-PROD-001"}, false, ""},
		// Left with the copyright only, the component no longer shows the
		// vendor in its name: it is offered under the product's maker.
		{"engine taken, the copyright stays high", "eng", []string{"ZX-PROD-001"}, true, signature.High, "ZX-NAME-001", []string{"ZX-NAME-001"}, true, ""},
		{"every rule taken", "eng", []string{"ZX-PROD-001", "ZX-NAME-001"}, false, "", "", nil, false, ""},
		{"developer library taken, the supplier stays high", "ui", []string{"ZX-DEV-001"}, true, signature.High, "ZX-NAME-001", []string{"ZX-MENTION-001", "ZX-NAME-001"}, false, ""},
		{"identity taken, a mention stays info", "ui", []string{"ZX-DEV-001", "ZX-NAME-001"}, true, signature.Info, "ZX-MENTION-001", []string{"ZX-MENTION-001"}, false, ""},
		{"name taken, contributed code is low", "nrpe", []string{"ZX-PROD-001"}, true, signature.Low, "ZX-NAME-001", []string{"ZX-NAME-001"}, false, "only 1 of 2 files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := found[tt.ref]
			if !ok {
				t.Fatalf("no finding on %s", tt.ref)
			}
			g, ok := e.Without(d, f, tt.without...)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if g.Severity != tt.severity || g.Rule != tt.rule || !slices.Equal(g.Rules, tt.rules) || g.WhiteLabel != tt.whiteLabel {
				t.Errorf("got %s %s %v white label %v, want %s %s %v %v", g.Severity, g.Rule, g.Rules, g.WhiteLabel, tt.severity, tt.rule, tt.rules, tt.whiteLabel)
			}
			if g.ID != f.ID || g.Component != f.Component || !slices.Equal(g.Path, f.Path) {
				t.Errorf("identity changed: %s %v, was %s %v", g.ID, g.Path, f.ID, f.Path)
			}
			if !strings.HasPrefix(g.Title, e.set.Rule(tt.rule).Title+": ") {
				t.Errorf("title %q is not rule %s's", g.Title, tt.rule)
			}
			for _, v := range g.Evidence {
				if slices.Contains(tt.without, v.Rule) {
					t.Errorf("evidence of %s left: %+v", v.Rule, v)
				}
			}
			if (tt.note == "") != (len(g.Notes) == 0) || tt.note != "" && !strings.Contains(g.Notes[0], tt.note) {
				t.Errorf("notes %q, want %q", g.Notes, tt.note)
			}
		})
	}
	// Taking nothing gives the finding back as Match made it.
	for _, f := range found {
		if g, ok := e.Without(d, f); !ok || !reflect.DeepEqual(g, f) {
			t.Errorf("%s: Without nothing changed the finding: %+v, was %+v", f.Component.Ref, g, f)
		}
		if g, ok := e.Without(nil, f, "ZX-NOPE-001"); !ok || !reflect.DeepEqual(g, f) {
			t.Errorf("%s: Without an absent rule changed the finding", f.Component.Ref)
		}
	}
}
