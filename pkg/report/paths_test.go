package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// chainDoc is a product root and n components, each depending on the
// next: the shape whose paths grow with the square of its length.
func chainDoc(n int) *model.Document {
	d := &model.Document{
		Source: "chain.cdx.json", Format: model.FormatCycloneDXJSON, SpecVersion: "1.6",
		Roots:      []string{"appliance"},
		Components: []*model.Component{{Ref: "appliance", Type: "application", Name: "Northwind Appliance", Version: "5.0"}},
	}
	prev := "appliance"
	for i := range n {
		ref := fmt.Sprintf("c%d", i)
		d.Components = append(d.Components, &model.Component{Ref: ref, Type: "file", Name: fmt.Sprintf("kl%d.dll", i), Version: "1." + fmt.Sprint(i)})
		d.Relationships = append(d.Relationships, model.NewRelationship(prev, "DEPENDS_ON", ref))
		prev = ref
	}
	return d
}

// chainResult is a scan of a chain of n components in which the
// components at the positions given (all when none are) are findings, the
// deepest first, with the paths the engine gives.
func chainResult(n int, at ...int) *result.Result {
	doc := chainDoc(n)
	idx := doc.PathIndex()
	t := &result.Target{Target: "chain.cdx.json", Source: "sbom", Document: doc, Verdict: result.Pass, Errors: []string{}}
	for i := n - 1; i >= 0; i-- {
		if len(at) > 0 && !slices.Contains(at, i) {
			continue
		}
		c := doc.Components[i+1]
		t.Findings = append(t.Findings, &result.Finding{Finding: match.Finding{
			ID: fmt.Sprintf("PDG-%016X", i), Severity: signature.Medium, Entity: "Kaspersky",
			Title: "Kaspersky Windows library (DLL): " + c.Name + " " + c.Version, Rule: "KL-FILE-002",
			Confidence: "low", Component: c, Path: idx.Path(c.Ref), Rules: []string{"KL-FILE-002"},
			Evidence: []match.Evidence{{Rule: "KL-FILE-002", Kind: match.KindFilename, Field: "name", Value: c.Name, Location: c.Name}},
		}})
	}
	return &result.Result{ToolName: "pedigree", ToolVersion: "0.1.0-test", Signatures: testSet(), FailOn: signature.High,
		Targets: []*result.Target{t}}
}

// longPathResult has a finding 14 steps from the root, shown shortened
// (first 4, "… 6 more …", last 4), one 10 steps away ("… 2 more …"), one
// 9 steps away, shown whole (leaving out one step would save nothing),
// and a short one.
func longPathResult() *result.Result { return chainResult(13, 12, 8, 7, 1) }

// fullPathResult is the same scan with full paths asked for.
func fullPathResult() *result.Result {
	r := longPathResult()
	r.FullPaths = true
	return r
}

func TestLongPathJSON(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", longPathResult()); err != nil {
		t.Fatal(err)
	}
	var d Document
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	fs := d.Targets[0].Findings
	long := fs[0].Component
	if want := "Northwind Appliance > kl0.dll > kl1.dll > kl2.dll > kl9.dll > kl10.dll > kl11.dll > kl12.dll"; strings.Join(long.Path, " > ") != want ||
		long.PathLength != 14 || long.PathElided != 6 || long.PathElidedAt != 4 {
		t.Errorf("long path = %q, length %d, elided %d at %d", strings.Join(long.Path, " > "), long.PathLength, long.PathElided, long.PathElidedAt)
	}
	if got := pathText(long, " > "); got != "Northwind Appliance > kl0.dll > kl1.dll > kl2.dll > … 6 more … > kl9.dll > kl10.dll > kl11.dll > kl12.dll" {
		t.Errorf("pathText = %q", got)
	}
	if nine := fs[2].Component; len(nine.Path) != 9 || nine.PathLength != 0 || nine.PathElided != 0 {
		t.Errorf("a path of 9 steps is shown whole: %+v", nine)
	}
	// The keys are there only when the path is shortened.
	if n := strings.Count(b.String(), `"pathLength"`); n != 2 {
		t.Errorf("%d pathLength keys, want 2", n)
	}

	b.Reset()
	if err := Write(&b, "json", fullPathResult()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "pathLength") || strings.Contains(b.String(), "more …") {
		t.Errorf("full paths are shortened:\n%s", b.String())
	}
}

// TestLongChainLinear: reports of a chain of 10,000 components, each a
// finding, grow with the number of findings, not with the sum of their
// paths' lengths (50 million steps).
func TestLongChainLinear(t *testing.T) {
	const n = 10000
	r := chainResult(n)
	for _, format := range AllFormats() {
		if format == "cyclonedx-json" {
			continue
		}
		var b bytes.Buffer
		if err := Write(&b, format, r); err != nil {
			t.Fatal(err)
		}
		if per := b.Len() / n; per > 4000 {
			t.Errorf("%s: %d bytes for %d findings, %d per finding", format, b.Len(), n, per)
		}
		deepest := "… 9,993 more …" // 10,001 steps
		if format == "json" {
			deepest = `"pathElided": 9993,`
		}
		if !strings.Contains(b.String(), deepest) {
			t.Errorf("%s: the deepest path is not shortened", format)
		}
	}
}
