package match_test

import (
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// judged matches one component, with the product root above it, against
// the embedded signatures and returns its finding's severity ("" for no
// finding) and notes.
func judged(t *testing.T, e *match.Engine, x model.Component) (signature.Severity, []string) {
	t.Helper()
	x.Ref = "x"
	root := &model.Component{Ref: "root", Name: "Product", Supplier: &model.Party{Name: "Fabrikam Systems"}}
	doc := &model.Document{Components: []*model.Component{root, &x}, Roots: []string{"root"},
		Relationships: []model.Relationship{{From: "root", Type: model.RelDependsOn, To: "x"}}}
	for _, f := range e.Match(doc) {
		if f.Component.Ref == "x" {
			return f.Severity, f.Notes
		}
	}
	return "", nil
}

// TestVendorNamedComponents: a name that says Kaspersky is vendor identity,
// raised to a product's category when a product phrase matches, and
// lowered only for a third party's integration.
func TestVendorNamedComponents(t *testing.T) {
	e := whiteLabelEngine(t)
	acme := &model.Party{Name: "ACME Monitoring GmbH"}
	kl := &model.Party{Name: "AO Kaspersky Lab"}
	tests := []struct {
		name string
		x    model.Component
		want signature.Severity
		note string // a substring of a note, if one is expected
	}{
		{"product not in the phrase list", model.Component{Name: "Kaspersky Security for Microsoft Exchange Servers"}, signature.High, ""},
		{"consumer product", model.Component{Name: "Kaspersky Standard"}, signature.High, ""},
		{"package name", model.Component{Name: "kaspersky-agent"}, signature.High, ""},
		{"product phrase raises", model.Component{Name: "kaspersky-endpoint-security"}, signature.Critical, ""},
		{"Russian name", model.Component{Name: "Антивирус Касперского"}, signature.High, ""},
		{"PE product name", model.Component{Name: "agent.exe", Properties: []model.Property{{Name: "pe:ProductName", Value: "Kaspersky Standard"}}}, signature.High, ""},
		{"Kaspersky's own plug-in", model.Component{Name: "Kaspersky ICAP Plug-in"}, signature.Critical, ""},
		{"plug-in by another maker keeps its rating", model.Component{Name: "Kaspersky Anti-Spam plugin", Supplier: acme}, signature.Critical, ""},
		{"exporter by Kaspersky", model.Component{Name: "kaspersky-exporter", Supplier: kl}, signature.High, ""},
		{"exporter with no maker, named first", model.Component{Name: "kaspersky-exporter"}, signature.High, ""},
		{"exporter by a third party", model.Component{Name: "kaspersky-security-center-exporter", Supplier: acme}, signature.Low, "exporter"},
		{"connector for", model.Component{Name: "Connector for Kaspersky Endpoint Security"}, signature.Low, `after "for"`},
		{"plugin for", model.Component{Name: "splunk plugin for Kaspersky"}, signature.Low, `after "for"`},
		{"another project's name first", model.Component{Name: "cloudflash-kaspersky"}, signature.Low, "another project"},
		{"exporter not named first", model.Component{Name: "prometheus-kaspersky-exporter"}, signature.Low, "exporter"},
		{"powered by", model.Component{Name: "powered-by-kaspersky"}, signature.High, ""},
		{"integration word but strong evidence", model.Component{Name: "kaspersky-connector", Supplier: acme, PURL: "pkg:npm/%40kaspersky/connector@1.0.0"}, signature.Low, ""},
		{"look-alike", model.Component{Name: "kasperskyish-tool"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes := judged(t, e, tt.x)
			if got != tt.want {
				t.Errorf("severity %q, want %q (notes %q)", got, tt.want, notes)
			}
			if tt.note != "" && !strings.Contains(strings.Join(notes, "\n"), tt.note) {
				t.Errorf("notes %q, want one saying %q", notes, tt.note)
			}
		})
	}
}

// TestPersonsAreNotCompanies: a maker that reads as a person surnamed
// Kaspersky, with an e-mail address outside Kaspersky's domains, is at most
// low; the company, its staff and unclear names stay high.
func TestPersonsAreNotCompanies(t *testing.T) {
	e := whiteLabelEngine(t)
	tests := []struct {
		name string
		x    model.Component
		want signature.Severity
	}{
		{"author with e-mail", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Name: "Alex Kaspersky", Email: "alex@example.org"}}}, signature.Low},
		{"raw author string", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Raw: "Alex Kaspersky <alex@example.org>"}}}, signature.Low},
		{"middle initial", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Name: "Maria I. Kaspersky", Email: "m@example.net"}}}, signature.Low},
		{"author property", model.Component{Name: "tiny-lexer", Properties: []model.Property{{Name: "npm:author", Value: "Alex Kaspersky <alex@example.org>"}}}, signature.Low},
		{"copyright with e-mail", model.Component{Name: "tiny-lexer", Copyright: "Copyright (c) 2019 Alex Kaspersky <alex@example.org>"}, signature.Low},
		{"no e-mail", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Name: "Alex Kaspersky"}}}, signature.High},
		{"Kaspersky address", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Name: "Eugene Kaspersky", Email: "eugene@kaspersky.com"}}}, signature.High},
		{"company", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Name: "Kaspersky Lab", Email: "info@example.org"}}}, signature.High},
		{"legal form", model.Component{Name: "tiny-lexer", Supplier: &model.Party{Name: "Kaspersky Labs GmbH", Email: "x@example.org"}}, signature.High},
		{"team", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Name: "Team Kaspersky", Email: "team@example.org"}}}, signature.High},
		{"surname first", model.Component{Name: "tiny-lexer", Authors: []model.Party{{Name: "Kaspersky Japan", Email: "jp@example.org"}}}, signature.High},
		{"person plus a strong identifier", model.Component{Name: "tiny-lexer", PURL: "pkg:maven/com.kaspersky.components/tiny@1.0", Authors: []model.Party{{Name: "Alex Kaspersky", Email: "alex@example.org"}}}, signature.High},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, notes := judged(t, e, tt.x); got != tt.want {
				t.Errorf("severity %q, want %q (notes %q)", got, tt.want, notes)
			}
		})
	}
}

// TestKESLToken: KESL counts as the whole name, with Kaspersky before it,
// or as Kaspersky's package names, not inside another project's name.
func TestKESLToken(t *testing.T) {
	e := whiteLabelEngine(t)
	tests := []struct {
		name string
		want signature.Severity
	}{
		{"kesl", signature.Critical},
		{"KESL", signature.Critical},
		{"kesl-gui", signature.Critical},
		{"kesl-service", signature.Critical},
		{"Kaspersky KESL", signature.Critical},
		{"KESL-GUI", signature.Critical},
		{"K E S L", signature.Critical},
		{"\uff2b\uff25\uff33\uff2c", signature.Critical},
		{"ke\u200bsl", signature.Critical},
		{"  kesl  ", signature.Critical},
		{"kesl-python", ""},
		{"python-kesl", ""},
		{"kesl-gui-theme", ""},
		{"KESL parser", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := judged(t, e, model.Component{Name: tt.name}); got != tt.want {
				t.Errorf("severity %q, want %q", got, tt.want)
			}
		})
	}
}

// TestKaspressoCoordinates: Kaspresso's modules and the Gradle coordinates
// of apps that depend on it are low; the Mobile SDK's
// com.kaspersky.components.accessibility is not.
func TestKaspressoCoordinates(t *testing.T) {
	e := whiteLabelEngine(t)
	tests := []struct {
		name string
		x    model.Component
		want signature.Severity
	}{
		{"catalogue entry", model.Component{Group: "com.kaspersky.android-components", Name: "kaspresso-allure-support"}, signature.Low},
		{"adb server", model.Component{Group: "com.kaspersky.android-components", Name: "adb-server-device"}, signature.Low},
		{"allure support package", model.Component{Group: "com.kaspersky.components.alluresupport", Name: "allure-support"}, signature.Low},
		{"compose support package", model.Component{Group: "com.kaspersky.components.composesupport", Name: "compose-support"}, signature.Low},
		{"test server class", model.Component{Name: "AdbCommand.class", Type: "file", Locations: []string{"classes/com/kaspersky/test_server/api/AdbCommand.class"}}, signature.Low},
		{"sample app", model.Component{Name: "com.kaspersky.kaspressample"}, signature.Low},
		{"Mobile SDK accessibility", model.Component{Group: "com.kaspersky.components.accessibility", Name: "accessibility"}, "not low"},
		{"other components", model.Component{Group: "com.kaspersky.components", Name: "core"}, signature.High},
		{"npm scope is no Maven group", model.Component{Group: "@kaspersky", Name: "grid"}, signature.High},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes := judged(t, e, tt.x)
			if tt.want == "not low" {
				if got.Rank() <= signature.Low.Rank() {
					t.Errorf("severity %q, want above low (notes %q)", got, notes)
				}
				return
			}
			if got != tt.want {
				t.Errorf("severity %q, want %q (notes %q)", got, tt.want, notes)
			}
		})
	}
}

// TestVendorBinaryNotContributed: a binary whose copyright names Kaspersky
// alone is not contributed code, whatever the other files of its package
// say; a source file, or a binary with another holder too, still is.
func TestVendorBinaryNotContributed(t *testing.T) {
	e := whiteLabelEngine(t)
	run := func(name, copyright string, types []string) signature.Severity {
		doc := &model.Document{
			Components: []*model.Component{{Ref: "pkg", Name: "plugin", Supplier: &model.Party{Name: "Fabrikam Systems"}}},
			Roots:      []string{"pkg"},
			Files: []*model.File{
				{Ref: "f1", Name: "src/a.c", Copyright: "Copyright 2024 Fabrikam Systems"},
				{Ref: "f2", Name: "src/b.c", Copyright: "Copyright 2024 Fabrikam Systems"},
				{Ref: "f3", Name: name, Copyright: copyright, Types: types},
			},
		}
		for _, f := range []string{"f1", "f2", "f3"} {
			doc.Relationships = append(doc.Relationships, model.Relationship{From: "pkg", Type: model.RelContains, To: f})
		}
		for _, f := range e.Match(doc) {
			if f.Component.Ref == "pkg" {
				return f.Severity
			}
		}
		return ""
	}
	tests := []struct {
		name, file, copyright string
		types                 []string
		want                  signature.Severity
	}{
		{"shared library", "lib/libavscan.so.8", "© 2023 AO Kaspersky Lab. All Rights Reserved.", nil, signature.High},
		{"driver", "drivers/scanflt.sys", "(c) Kaspersky Lab ZAO", nil, signature.High},
		{"executable by type", "bin/scanner", "Copyright 2020 Kaspersky Lab", []string{"BINARY"}, signature.High},
		{"source file", "src/acl.c", "Copyright (c) 2011 Kaspersky Lab ZAO", nil, signature.Low},
		{"binary with another holder", "lib/libmw.so", "Copyright 2009 Georg Wicherski, Kaspersky Labs GmbH", nil, signature.Low},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.file, tt.copyright, tt.types); got != tt.want {
				t.Errorf("severity %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNestedArtifacts: the parts of one shipped artifact report once,
// under the artifact, with every piece of evidence and the highest
// severity; a package inside another package keeps its own finding.
func TestNestedArtifacts(t *testing.T) {
	e := whiteLabelEngine(t)
	aar := "libs/sdk.aar"
	doc := &model.Document{
		Roots: []string{"app"},
		Components: []*model.Component{
			{Ref: "app", Name: "Bank App", Supplier: &model.Party{Name: "Tailspin Toys"}},
			{Ref: "aar", Name: "sdk.aar", Parent: "app", Locations: []string{aar}, Supplier: &model.Party{Name: "AO Kaspersky Lab"}},
			{Ref: "jar", Name: "classes.jar", Parent: "aar", Locations: []string{aar + "!classes.jar"}},
			{Ref: "cls", Name: "KavSdk.class", Type: "file", Parent: "jar", Locations: []string{aar + "!classes.jar!com/kavsdk/KavSdk.class"}},
			{Ref: "war", Name: "portal.war", Parent: "app", Locations: []string{"portal.war"}, Supplier: &model.Party{Name: "AO Kaspersky Lab"}},
			{Ref: "lib", Name: "kaspresso.jar", Parent: "war", Locations: []string{"portal.war!WEB-INF/lib/kaspresso.jar"},
				PURL: "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.3"},
		},
	}
	findings := e.Match(doc)
	byRef := map[string]match.Finding{}
	for _, f := range findings {
		byRef[f.Component.Ref] = f
	}
	if _, ok := byRef["cls"]; ok {
		t.Errorf("the class reports on its own: %v", byRef["cls"].Rules)
	}
	if _, ok := byRef["jar"]; ok {
		t.Errorf("classes.jar reports on its own")
	}
	f, ok := byRef["aar"]
	if !ok {
		t.Fatalf("no finding on the .aar: %v", findings)
	}
	if f.Severity != signature.Critical {
		t.Errorf("aar severity %s, want critical (the SDK class's)", f.Severity)
	}
	var nested bool
	for _, v := range f.Evidence {
		if strings.HasPrefix(v.Field, "nested[") && v.Location == aar+"!classes.jar!com/kavsdk/KavSdk.class" {
			nested = true
		}
	}
	if !nested {
		t.Errorf("the class's evidence is not under the .aar with its location: %+v", f.Evidence)
	}
	if _, ok := byRef["lib"]; !ok {
		t.Errorf("a jar inside a war lost its own finding")
	}
	if g := byRef["war"]; g.Severity != signature.High {
		t.Errorf("war severity %s, want high", g.Severity)
	}
}
