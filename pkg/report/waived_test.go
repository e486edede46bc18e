package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// TestWaivedRules: a finding from which a waiver took one rule's evidence
// says so in the JSON report, valid against the schema, and in the table.
func TestWaivedRules(t *testing.T) {
	r := testResult()
	f := r.Targets[0].Findings[0]
	w := waiver.Waiver{Rule: "KL-FILE-002", Component: "*", Reason: "file name alone is not evidence here", Owner: "sec@acme.example",
		Expires: "2027-01-31", Source: "waivers.yaml:23"}
	f.WaivedRules = []result.WaivedRule{{Rule: "KL-FILE-002", Waiver: &w}}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := compile(t, reportSchema).Validate(instance(t, b.Bytes())); err != nil {
		t.Errorf("report does not match %s:\n%v", reportSchema, err)
	}
	var doc Document
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := doc.Targets[0].Findings
	want := []WaivedRule{{Rule: "KL-FILE-002", Waiver: Waiver{Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Source: w.Source}}}
	if len(got[0].WaivedRules) != 1 || got[0].WaivedRules[0] != want[0] {
		t.Errorf("waivedRules %+v, want %+v", got[0].WaivedRules, want)
	}
	if strings.Count(b.String(), `"waivedRules"`) != 1 {
		t.Error("waivedRules must be left out of findings without waived rules")
	}
	b.Reset()
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if line := "(rule KL-FILE-002 waived: file name alone is not evidence here, sec@acme.example, until 2027-01-31)"; !strings.Contains(b.String(), line) {
		t.Errorf("table has no line %q:\n%s", line, b.String())
	}
}
