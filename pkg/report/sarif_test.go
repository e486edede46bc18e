package report

import (
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

func TestLineOf(t *testing.T) {
	tests := []struct {
		loc       string
		path      string
		line, col int
		ok        bool
	}{
		{"app/build.gradle:12", "app/build.gradle", 12, 0, true},
		{"src/Main.java:3:7", "src/Main.java", 3, 7, true},
		{`src\win\a.cpp:9`, "src/win/a.cpp", 9, 0, true},
		{"./Dockerfile:4", "Dockerfile", 4, 0, true},
		{"opt/acme/scan/kavsdk.dll", "", 0, 0, false},
		{"libs/sdk.aar!build.gradle:3", "", 0, 0, false},
		{"/abs/go.mod:1", "", 0, 0, false},
		{"../up/go.mod:1", "", 0, 0, false},
		{"go.mod:0", "", 0, 0, false},
		{"go.mod:x", "", 0, 0, false},
		{":5", "", 0, 0, false},
		{"", "", 0, 0, false},
	}
	for _, tt := range tests {
		path, line, col, ok := lineOf(tt.loc)
		if path != tt.path || line != tt.line || col != tt.col || ok != tt.ok {
			t.Errorf("lineOf(%q) = %q, %d, %d, %v; want %q, %d, %d, %v", tt.loc, path, line, col, ok, tt.path, tt.line, tt.col, tt.ok)
		}
	}
}

// TestSARIFResultLocationAndSeverity checks that a result points at the
// file and line of its evidence when the scanned directory holds it, and
// that its security-severity is the finding's own (lowered by a note or a
// waiver), not its rule's.
func TestSARIFResultLocationAndSeverity(t *testing.T) {
	finding := func(sev signature.Severity, loc string) *result.Finding {
		return &result.Finding{Finding: match.Finding{
			ID: "PDG-0000000000000001", Severity: sev, Entity: "Kaspersky", Title: "Kaspersky SDK import",
			Rules: []string{"KL-VENDOR-001"},
			Evidence: []match.Evidence{
				{Rule: "KL-VENDOR-001", Kind: match.KindReference, Field: "properties[0]", Value: "com.kavsdk", Location: "opt/x.jar"},
				{Rule: "KL-VENDOR-001", Kind: match.KindReference, Field: "properties[1]", Value: "com.kavsdk", Location: loc},
			},
		}}
	}
	declared := func() *result.Finding {
		f := finding(signature.Critical, "")
		f.Component = &model.Component{Name: "kavsdk", Locations: []string{"app/build.gradle:2"}}
		return f
	}
	tests := []struct {
		name      string
		target    string
		kind      source.Kind
		f         *result.Finding
		uri       string
		line, col int
		score     string
	}{
		{"dir: the evidence's file and line", "dir:./src", source.KindDir, finding(signature.Low, "app/Main.java:12:5"), "./src/app/Main.java", 12, 5, "3.0"},
		{"dir .: the path as is", ".", source.KindDir, finding(signature.High, "build.gradle:7"), "build.gradle", 7, 0, "8.0"},
		{"file: the file itself", "recipes/Dockerfile", source.KindFile, finding(signature.Medium, "Dockerfile:3"), "recipes/Dockerfile", 3, 0, "5.5"},
		{"sbom: the SBOM at line 1", "bom.cdx.json", source.KindSBOM, finding(signature.Critical, "app/Main.java:12"), "bom.cdx.json", 1, 0, "9.5"},
		{"archive member: the target", "dir:src", source.KindDir, finding(signature.Info, "a.zip!b.gradle:3"), "src", 1, 0, "1.0"},
		{"a declaration: the component's location", "dir:src", source.KindDir, declared(), "src/app/build.gradle", 2, 0, "9.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := &result.Target{Target: tt.target, Source: tt.kind, Verdict: result.Fail, Findings: []*result.Finding{tt.f}}
			log := newSARIF(&result.Result{Targets: []*result.Target{tg}})
			res := log.Runs[0].Results[0]
			pl := res.Locations[0].PhysicalLocation
			if pl.ArtifactLocation.URI != tt.uri || pl.Region == nil || pl.Region.StartLine != tt.line || pl.Region.StartColumn != tt.col {
				t.Errorf("location = %q %+v, want %q line %d column %d", pl.ArtifactLocation.URI, pl.Region, tt.uri, tt.line, tt.col)
			}
			if res.Properties.SecuritySeverity != tt.score {
				t.Errorf("security-severity = %q, want %q", res.Properties.SecuritySeverity, tt.score)
			}
			for _, r := range log.Runs[0].Tool.Driver.Rules {
				if r.Properties.Tags[len(r.Properties.Tags)-1] != securityTag {
					t.Errorf("rule %s tags %v lack %q", r.ID, r.Properties.Tags, securityTag)
				}
			}
		})
	}
}
