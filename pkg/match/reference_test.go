package match_test

import (
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// TestReferences: an import of a vendor namespace (pedigree:import,
// written by deep inspection's source reader) is medium on its own, and
// takes the rule's severity when the document also declares or ships
// what it imports.
func TestReferences(t *testing.T) {
	e := enginetest.Embedded(t)
	src := &model.Component{Ref: "src", Type: "file", Name: "app/src/Main.java", Locations: []string{"app/src/Main.java"},
		Properties: []model.Property{{Name: "pedigree:import:app/src/Main.java:6", Value: "com.kavsdk.KavSdk"}}}
	doc := &model.Document{Roots: []string{"root"}, Components: []*model.Component{{Ref: "root", Name: "app"}, src}}
	src.Parent = "root"
	doc.Normalize()
	fs := e.Match(doc)
	if len(fs) != 1 || fs[0].Severity != "medium" || fs[0].Evidence[0].Kind != match.KindReference || fs[0].Evidence[0].Location != "app/src/Main.java:6" {
		t.Fatalf("import alone: %+v", fs)
	}
	if fs[0].Confidence != "low" || len(fs[0].Notes) != 0 {
		t.Errorf("import alone: confidence %s, notes %q; want low and none", fs[0].Confidence, fs[0].Notes)
	}
	// An import of a developer library beside it does not classify the
	// SDK import away: still medium.
	src.Properties = append(src.Properties, model.Property{Name: "pedigree:import:app/src/Main.java:7", Value: "com.kaspersky.kaspresso.kaspresso.Kaspresso"})
	if fs := e.Match(doc); len(fs) != 1 || fs[0].Severity != "medium" {
		t.Errorf("SDK and Kaspresso imports: %+v", fs)
	}
	aar := &model.Component{Ref: "aar", Type: "application", Name: "KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar", Parent: "root",
		Properties: []model.Property{{Name: "pedigree:declared-path", Value: "libs/KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar"}}}
	doc.Components = append(doc.Components, aar)
	raised := 0
	for _, f := range e.Match(doc) {
		if f.Component.Ref != "src" {
			continue
		}
		raised++
		if f.Severity != "critical" || len(f.Notes) != 1 || f.Rule != "KL-SDK-002" {
			t.Errorf("import with the SDK declared: %s by %s, notes %q", f.Severity, f.Rule, f.Notes)
		}
		// Waiving another rule's evidence judges again as Match did: the
		// SDK is still declared, the import still raised.
		if g, ok := e.Without(doc, f, "KL-DEV-001"); !ok || g.Severity != "critical" || len(g.Notes) != 1 {
			t.Errorf("without KL-DEV-001: %v %s, notes %q", ok, g.Severity, g.Notes)
		}
	}
	if raised != 1 {
		t.Errorf("%d findings on the source file, want 1", raised)
	}
	// A declaration that is only a mention raises nothing.
	aar.Name, aar.Properties = "app.aar", []model.Property{{Name: "pedigree:string", Value: "uses the Kaspersky Mobile Security SDK"}}
	for _, f := range e.Match(doc) {
		if f.Component.Ref == "src" && f.Severity != "medium" {
			t.Errorf("import with the SDK only mentioned: %s, notes %q", f.Severity, f.Notes)
		}
	}
	// Kaspresso declared and imported: the declaration is low (a developer
	// library), so the vendor-namespace rule it also matches (KL-VENDOR-003,
	// high) is not shown at its severity, and the import is not raised.
	kaspresso := &model.Component{Ref: "k", Type: "library", Name: "kaspresso", Version: "1.5.5", Parent: "root",
		PURL: "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.5"}
	src.Properties = []model.Property{{Name: "pedigree:import:app/src/androidTest/LoginTest.kt:3", Value: "com.kaspersky.kaspresso.testcases.api.testcase.TestCase"}}
	doc.Components = []*model.Component{doc.Components[0], src, kaspresso}
	for _, f := range e.Match(doc) {
		if f.Severity.Rank() > signature.Low.Rank() || len(f.Notes) > 0 {
			t.Errorf("Kaspresso declared and imported: %s on %s by %s, notes %q", f.Severity, f.Component.Name, f.Rule, f.Notes)
		}
	}
	// The same, with the vendor-namespace rule shown at its own severity
	// elsewhere in the document (a com.kaspersky.gradle plugin, high): the
	// Kaspresso import is still the developer library, not raised (seen on
	// the KasperskyLab/Kaspresso tree, whose 478 source files went to high).
	plugin := &model.Component{Ref: "p", Type: "library", Name: "air", Version: "1.0", Parent: "root",
		PURL: "pkg:maven/com.kaspersky.gradle/air@1.0"}
	doc.Components = append(doc.Components, plugin)
	shownHigh := false
	for _, f := range e.Match(doc) {
		switch f.Component.Ref {
		case "p":
			shownHigh = f.Severity == "high"
		case "src":
			if f.Severity.Rank() > signature.Low.Rank() || len(f.Notes) > 0 {
				t.Errorf("Kaspresso import beside a high com.kaspersky plugin: %s by %s, notes %q", f.Severity, f.Rule, f.Notes)
			}
		}
	}
	if !shownHigh {
		t.Error("the com.kaspersky.gradle plugin is not high: the case above tests nothing")
	}
	doc.Components = doc.Components[:len(doc.Components)-1]
	for _, v := range []string{"android.os.Bundle", "org.example.kav"} {
		src.Properties = []model.Property{{Name: "pedigree:import:a.java:1", Value: v}}
		if fs := e.Match(&model.Document{Components: []*model.Component{src}}); len(fs) != 0 {
			t.Errorf("%s: %+v", v, fs)
		}
	}
}
