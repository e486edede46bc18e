package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/result"
)

// TestCycloneDX: each evaluated target's BOM, with its findings as
// annotations (golden files; -update rewrites them), the same bytes every
// time; a target that could not be read has no BOM, and several targets
// do not go to one writer.
func TestCycloneDX(t *testing.T) {
	r := testResult()
	r.Time = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, tg := range r.Targets {
		t.Run(cdxSubtest(tg.Target), func(t *testing.T) {
			var b bytes.Buffer
			err := WriteCycloneDX(&b, r, tg)
			if tg.Verdict == result.Error {
				if err == nil || !strings.Contains(err.Error(), "not evaluated, no BOM to write") {
					t.Fatalf("error target: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tg.Findings) > 0 && !strings.Contains(b.String(), `"bom-ref": "pedigree:finding:`+tg.Findings[0].ID+`"`) {
				t.Errorf("no annotation for %s:\n%s", tg.Findings[0].ID, b.String())
			}
			goldens.Check(t, b.Bytes())
			for range 5 {
				var again bytes.Buffer
				if err := WriteCycloneDX(&again, r, tg); err != nil || !bytes.Equal(again.Bytes(), b.Bytes()) {
					t.Fatalf("not deterministic: %v", err)
				}
			}
		})
	}
	if err := Write(&bytes.Buffer{}, "cyclonedx-json", r); err == nil || !strings.Contains(err.Error(), "give a directory") {
		t.Errorf("several targets to one writer: %v", err)
	}
	var one bytes.Buffer
	if err := Write(&one, "cyclonedx-json", passResult()); err != nil || !strings.Contains(one.String(), `"pedigree:verdict"`) {
		t.Errorf("one target: %v\n%s", err, one.String())
	}
}

// cdxSubtest names TestCycloneDX's subtest, and so its golden file, after
// a target.
func cdxSubtest(target string) string {
	return strings.NewReplacer("/", "_", ":", "_").Replace(target)
}
