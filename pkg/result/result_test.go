package result

import (
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// TestResultVerdict: the run's verdict and error follow the exit codes:
// error and incomplete (2) before fail (1) before review and pass (0).
func TestResultVerdict(t *testing.T) {
	incomplete := &Target{Target: "fw.zip", Verdict: Incomplete, GapCount: 3,
		Gaps: []model.Gap{{Location: "fw.zip!a.zip", Reason: "not a valid zip: zip: not a valid zip file"}}}
	for _, c := range []struct {
		verdicts []Verdict
		want     Verdict
	}{
		{[]Verdict{Pass, Pass}, Pass},
		{[]Verdict{Pass, Review}, Review},
		{[]Verdict{Review, Fail}, Fail},
		{[]Verdict{Fail, Incomplete}, Incomplete},
		{[]Verdict{Incomplete, Error}, Error},
	} {
		r := &Result{}
		for _, v := range c.verdicts {
			tg := &Target{Target: "x", Verdict: v, Errors: []string{"x: broken"}}
			if v == Incomplete {
				tg = incomplete
			}
			r.Targets = append(r.Targets, tg)
		}
		if got := r.Verdict(); got != c.want {
			t.Errorf("%v: verdict %s, want %s", c.verdicts, got, c.want)
		}
		if wantErr := c.want == Error || c.want == Incomplete; (r.Err() != nil) != wantErr {
			t.Errorf("%v: Err() = %v", c.verdicts, r.Err())
		}
	}
	r := &Result{Targets: []*Target{incomplete}}
	want := "fw.zip: 3 parts not inspected, first fw.zip!a.zip: not a valid zip: zip: not a valid zip file"
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Err() = %v, want it to say %q", err, want)
	}
}

// TestParseVerdict: every verdict parses back to itself; nothing else does.
func TestParseVerdict(t *testing.T) {
	for _, v := range AllVerdicts() {
		if got, ok := ParseVerdict(string(v)); !ok || got != v {
			t.Errorf("ParseVerdict(%q) = %q, %v", v, got, ok)
		}
	}
	for _, s := range []string{"", "PASS", "failed", "unknown"} {
		if _, ok := ParseVerdict(s); ok {
			t.Errorf("ParseVerdict(%q) accepted", s)
		}
	}
}
