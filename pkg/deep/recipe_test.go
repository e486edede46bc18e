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

// TestWindowsDeploymentScripts checks the Windows readers end to end: a
// PowerShell function like the one in JJ-VP/winutil-derventio-old
// (functions/public/Invoke-WPFInstallKaspersky.ps1: download kes_win.msi,
// then Start-Process msiexec with KES's answer properties; written here
// in our own words), a batch file running setup_kes.exe silently, and a
// Security Center package descriptor like that repository's
// data/kes_win.kud all declare Kaspersky Endpoint Security for Windows,
// which the product rules rate critical, at the line that installs it.
// Benign scripts declare nothing the rules rate.
func TestWindowsDeploymentScripts(t *testing.T) {
	in, eng := inspector(t)
	files := []struct{ loc, data string }{
		{"functions/public/Install-Av.ps1", "function Install-Av {\n" +
			"  $dir = \"$env:USERPROFILE\\.av\"\n" +
			"  $url = \"https://example.org/tool/raw/main/data/kes_win.msi\"\n" +
			"  Invoke-WebRequest -Uri $url -OutFile \"$dir\\kes_win.msi\"\n" +
			"  Start-Process msiexec.exe -Wait -ArgumentList \"/a `\"$dir\\kes_win.msi`\" EULA=1 PRIVACYPOLICY=1 KSN=1 ALLOWREBOOT=0 /qb\"\n" +
			"}\n"},
		{"deploy/kes.cmd", "@echo off\r\nstart \"\" /wait \"%~dp0setup_kes.exe\" /s /pEULA=1 /pPRIVACYPOLICY=1 /pKSN=0\r\n"},
		{"data/kes_win.kud", "[Setup]\nExecutable=setup_kes.exe\nParams=/s /pEULA=1 /pPRIVACYPOLICY=1\n[Product]\nName=KES\n" +
			"LocalizedName=Kaspersky Endpoint Security for Windows (12.7.0)\n"},
		{"tools/benign.ps1", "# Kaspersky is not installed here\n" +
			"Start-Process msiexec.exe -Wait -ArgumentList '/i C:\\tmp\\AcmeAgent.msi EULA=1 /qn'\nchoco install 7zip -y\n"},
	}
	asm := NewAssembler()
	for _, f := range files {
		asm.Add(in.Inspect(&walk.File{Location: f.loc, Name: base(f.loc), Data: []byte(f.data)}))
	}
	doc := &model.Document{Roots: []string{"root"}, Components: []*model.Component{{Ref: "root", Name: "product"}}}
	for _, c := range asm.Components() {
		if c.Parent == "" {
			c.Parent = "root"
		}
		doc.Components = append(doc.Components, c)
	}
	doc.Normalize()
	findings := eng.Match(doc)
	for _, want := range []struct{ loc, file, version string }{
		{"functions/public/Install-Av.ps1:5", "functions/public/Install-Av.ps1", ""},
		{"deploy/kes.cmd:2", "deploy/kes.cmd", ""},
		{"data/kes_win.kud:6", "data/kes_win.kud", "12.7.0"},
	} {
		ok := false
		for _, f := range findings {
			c := f.Component
			if c.Name == "Kaspersky Endpoint Security for Windows" && c.Version == want.version &&
				slices.Contains(c.Locations, want.loc) && slices.Contains(f.Path, RefPrefix+want.file) {
				ok = f.Severity == "critical" && slices.Contains(f.Rules, "KL-PROD-001")
				if !ok {
					t.Errorf("%s: %s %v", want.loc, f.Severity, f.Rules)
				}
			}
		}
		if !ok {
			t.Errorf("%s: no critical finding for Kaspersky Endpoint Security for Windows", want.loc)
		}
	}
	// The benign script declares nothing rated; its comment is a mention
	// (info) on the file itself.
	for _, f := range findings {
		c := f.Component
		if c.Parent == RefPrefix+"tools/benign.ps1" || c.Name == "tools/benign.ps1" && f.Severity != "info" {
			t.Errorf("benign script rated: %s %v %s", c.Name, c.Locations, f.Severity)
		}
	}
}
