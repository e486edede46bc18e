package deep

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/recipe"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// TestRecipes checks the hook to pkg/recipe: what a recipe declares
// becomes components under the recipe's own, imports of vendor
// namespaces become properties of the source file, and the engine rates
// the declared packages like any other component.
func TestRecipes(t *testing.T) {
	in, eng := inspector(t)
	files := []struct{ loc, data string }{
		{"docker/Dockerfile", "FROM debian:bookworm-slim\nCOPY kesl_10.1.1-6421_amd64.deb /tmp/\n" +
			"RUN dpkg -i /tmp/kesl_10.1.1-6421_amd64.deb && apt-get install -y klnagent64 curl\n"},
		{"app/src/Main.java", "package x;\nimport android.os.Bundle;\nimport com.kavsdk.KavSdk;\n"},
		{"app/src/util.c", "#include <stdio.h>\n"},
	}
	asm := NewAssembler()
	for _, f := range files {
		facts := in.Inspect(&walk.File{Location: f.loc, Name: f.loc[len(f.loc)-len(base(f.loc)):], Data: []byte(f.data)})
		asm.Add(facts)
	}
	byName := map[string]*model.Component{}
	for _, c := range asm.Components() {
		byName[c.Name] = c
	}
	if byName["app/src/util.c"] != nil {
		t.Error("a source file without vendor imports became a component")
	}
	java := byName["app/src/Main.java"]
	if java == nil || !slices.Contains(java.Properties, model.Property{Name: "pedigree:import:app/src/Main.java:3", Value: "com.kavsdk.KavSdk"}) ||
		len(java.Properties) != 1 {
		t.Errorf("Main.java: %+v", java)
	}
	kesl := byName["kesl"]
	if kesl == nil {
		t.Fatal("no kesl component")
	}
	if kesl.Parent != "file:docker/Dockerfile" || kesl.PURL != "pkg:deb/kesl@10.1.1-6421" || kesl.Type != "library" ||
		!slices.Equal(kesl.Locations, []string{"docker/Dockerfile:2", "docker/Dockerfile:3"}) {
		t.Errorf("kesl: %+v", kesl)
	}
	if !slices.Contains(kesl.Properties, model.Property{Name: "pedigree:declared-by", Value: "dockerfile RUN dpkg -i"}) ||
		!slices.Contains(kesl.Properties, model.Property{Name: "pedigree:declared-path", Value: "/tmp/kesl_10.1.1-6421_amd64.deb"}) {
		t.Errorf("kesl properties: %+v", kesl.Properties)
	}
	for _, name := range []string{"debian", "klnagent64", "curl"} {
		if byName[name] == nil || byName[name].Parent != "file:docker/Dockerfile" {
			t.Errorf("%s: %+v", name, byName[name])
		}
	}

	// Matched like any other component.
	doc := &model.Document{Roots: []string{"root"}, Components: []*model.Component{{Ref: "root", Name: "product"}}}
	for _, c := range asm.Components() {
		if c.Parent == "" {
			c.Parent = "root"
		}
		doc.Components = append(doc.Components, c)
	}
	doc.Normalize()
	got := map[string]string{}
	for _, f := range eng.Match(doc) {
		got[f.Component.Name] = string(f.Severity)
	}
	for name, want := range map[string]string{"kesl": "critical", "klnagent64": "critical"} {
		if got[name] != want {
			t.Errorf("%s rated %q, want %q (all: %v)", name, got[name], want, got)
		}
	}
	if got["curl"] != "" || got["debian"] != "" {
		t.Errorf("harmless declarations rated: %v", got)
	}
}

func TestRecipeLimits(t *testing.T) {
	in, _ := inspector(t)
	big := make([]byte, recipe.MaxBytes+1)
	copy(big, "RUN apt-get install -y kesl\n")
	if f := in.Inspect(&walk.File{Location: "Dockerfile", Name: "Dockerfile", Data: big}); f != nil && len(f.Declared) > 0 {
		t.Errorf("a recipe over %d bytes was read: %v", recipe.MaxBytes, f.Declared)
	}
}

func base(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func TestRecipeProgramsKeptOnlyWhenRulesCouldCare(t *testing.T) {
	in, _ := inspector(t)
	f := in.Inspect(&walk.File{Location: "run.sh", Name: "run.sh", Data: []byte(
		"/bin/rm -f /tmp/x\n./configure --prefix=/usr\n/opt/kaspersky/kesl/bin/kesl-setup.pl --autoinstall=a.ini\n/opt/kaspersky/ScanEngine/bin/kavhttpd\n")})
	if f == nil {
		t.Fatal("nothing declared")
	}
	var got []string
	for _, it := range f.Declared {
		got = append(got, it.Name)
	}
	if !slices.Equal(got, []string{"kesl-setup.pl", "kavhttpd"}) {
		t.Errorf("programs kept: %q", got)
	}
}
