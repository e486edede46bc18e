package scan

import (
	"context"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// waiverProduct has three Kaspersky components: a security product and an
// SDK, each also supplied or copyrighted by Kaspersky (and the product
// also named after Kaspersky, KL-VENDOR-005), and a library that only
// names Kaspersky as its supplier.
const waiverProduct = `{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "metadata": {"component": {"bom-ref": "root", "type": "application", "name": "Northwind Gateway", "version": "3.0",
    "supplier": {"name": "Northwind Security Ltd"}}},
  "components": [
    {"bom-ref": "av", "type": "application", "name": "Kaspersky Endpoint Security", "version": "12.0",
     "supplier": {"name": "AO Kaspersky Lab"}},
    {"bom-ref": "sdk", "type": "library", "name": "kavsdk", "version": "8.9", "copyright": "© 2024 AO Kaspersky Lab"},
    {"bom-ref": "lib", "type": "library", "name": "nw-helper", "version": "1.0", "supplier": {"name": "Kaspersky Lab"}},
    {"bom-ref": "zlib", "type": "library", "name": "zlib", "version": "1.3.1"}
  ],
  "dependencies": [{"ref": "root", "dependsOn": ["av", "sdk", "lib", "zlib"]}]
}`

// outcome is what a test expects of one finding after waivers.
type outcome struct {
	severity   signature.Severity
	rules      []string // the rules left on it; all of them when suppressed
	waived     []string // WaivedRules, in order
	suppressed bool
	waiver     string // the source of the finding's Waiver, if any
	expired    bool
}

// TestRuleWaivers: a waiver of a rule takes that rule's evidence away and
// leaves the finding standing on the rest, judged again; only a finding
// left with no evidence is suppressed. A waiver that names a finding, or
// no rule, suppresses the whole finding, as before.
func TestRuleWaivers(t *testing.T) {
	eng := enginetest.Embedded(t)
	sbom := filepath.Join(t.TempDir(), "product.cdx.json")
	if err := os.WriteFile(sbom, []byte(waiverProduct), 0o644); err != nil {
		t.Fatal(err)
	}
	scan := func(t *testing.T, failOn signature.Severity, waivers string) *result.Result {
		t.Helper()
		var ws []waiver.Waiver
		if waivers != "" {
			var err error
			if ws, err = waiver.Parse("w.yaml", []byte("waivers:\n"+waivers)); err != nil {
				t.Fatal(err)
			}
		}
		res, err := Scan(context.Background(), Config{Targets: []string{sbom}, Engine: eng, FailOn: failOn,
			Waivers: ws, Ingest: ingest.DefaultOptions(), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ids := map[string]string{}
	for _, f := range scan(t, signature.High, "").Targets[0].Findings {
		ids[f.Component.Ref] = f.ID
	}
	av := outcome{severity: signature.Critical, rules: []string{"KL-PROD-001", "KL-VENDOR-001", "KL-VENDOR-005"}}
	sdk := outcome{severity: signature.Critical, rules: []string{"KL-SDK-001", "KL-VENDOR-001"}}
	lib := outcome{severity: signature.High, rules: []string{"KL-VENDOR-001"}}
	const (
		w1 = "w.yaml:2"
		w2 = "w.yaml:7"
	)
	waive := func(selectors string) string {
		return "  - " + selectors + "\n    reason: r\n    owner: o\n    expires: 2027-01-31\n"
	}

	tests := []struct {
		name    string
		failOn  signature.Severity
		waivers string
		want    map[string]outcome
		verdict result.Verdict
		used    []int
	}{
		{"no waivers", signature.High, "", map[string]outcome{"av": av, "sdk": sdk, "lib": lib}, result.Fail, nil},
		{
			"vendor rule for every component: the product and SDK still fail", signature.High,
			waive("rule: KL-VENDOR-001\n    component: \"*\""),
			map[string]outcome{
				"av":  {severity: signature.Critical, rules: []string{"KL-PROD-001", "KL-VENDOR-005"}, waived: []string{"KL-VENDOR-001"}},
				"sdk": {severity: signature.Critical, rules: []string{"KL-SDK-001"}, waived: []string{"KL-VENDOR-001"}},
				"lib": {severity: signature.High, rules: []string{"KL-VENDOR-001"}, waived: []string{"KL-VENDOR-001"}, suppressed: true, waiver: w1},
			},
			result.Fail, []int{3},
		},
		{
			"the vendor-name rule for every component: only its evidence goes", signature.High,
			waive("rule: KL-VENDOR-005\n    component: \"*\""),
			map[string]outcome{
				"av":  {severity: signature.Critical, rules: []string{"KL-PROD-001", "KL-VENDOR-001"}, waived: []string{"KL-VENDOR-005"}},
				"sdk": sdk,
				"lib": lib,
			},
			result.Fail, []int{1},
		},
		{
			"product and maker rules of the product: the vendor name is left", signature.High,
			waive("rule: KL-PROD-001\n    component: \"Kaspersky Endpoint Security\"") + waive("rule: KL-VENDOR-001\n    component: \"Kaspersky Endpoint Security\""),
			map[string]outcome{
				"av":  {severity: signature.High, rules: []string{"KL-VENDOR-005"}, waived: []string{"KL-PROD-001", "KL-VENDOR-001"}},
				"sdk": sdk,
				"lib": lib,
			},
			result.Fail, []int{1, 1},
		},
		{
			"product and SDK rules for every component: high is left", signature.Critical,
			waive("rule: KL-PROD-001\n    component: \"*\"") + waive("rule: KL-SDK-001"),
			map[string]outcome{
				"av":  {severity: signature.High, rules: []string{"KL-VENDOR-001", "KL-VENDOR-005"}, waived: []string{"KL-PROD-001"}},
				"sdk": {severity: signature.High, rules: []string{"KL-VENDOR-001"}, waived: []string{"KL-SDK-001"}},
				"lib": lib,
			},
			result.Pass, []int{1, 1},
		},
		{
			"every rule of a finding waived: suppressed by the last", signature.High,
			waive("rule: KL-VENDOR-001\n    component: kavsdk") + waive("rule: KL-SDK-001\n    component: kavsdk"),
			map[string]outcome{
				"av":  av,
				"sdk": {severity: signature.Critical, rules: []string{"KL-SDK-001", "KL-VENDOR-001"}, waived: []string{"KL-VENDOR-001", "KL-SDK-001"}, suppressed: true, waiver: w2},
				"lib": lib,
			},
			result.Fail, []int{1, 1},
		},
		{
			"a component waiver without a rule suppresses the whole finding", signature.High,
			waive("component: \"Kaspersky Endpoint Security\""),
			map[string]outcome{"av": {severity: signature.Critical, rules: av.rules, suppressed: true, waiver: w1}, "sdk": sdk, "lib": lib},
			result.Fail, []int{1},
		},
		{
			"a waiver naming a finding and a rule suppresses the whole finding", signature.High,
			waive("finding: " + ids["av"] + "\n    rule: KL-VENDOR-001"),
			map[string]outcome{"av": {severity: signature.Critical, rules: av.rules, suppressed: true, waiver: w1}, "sdk": sdk, "lib": lib},
			result.Fail, []int{1},
		},
		{
			"a rule waiver, then a whole one", signature.High,
			waive("rule: KL-VENDOR-001\n    component: \"*\"") + waive("component: kavsdk"),
			map[string]outcome{
				"av":  {severity: signature.Critical, rules: []string{"KL-PROD-001", "KL-VENDOR-005"}, waived: []string{"KL-VENDOR-001"}},
				"sdk": {severity: signature.Critical, rules: sdk.rules, waived: []string{"KL-VENDOR-001"}, suppressed: true, waiver: w2},
				"lib": {severity: signature.High, rules: lib.rules, waived: []string{"KL-VENDOR-001"}, suppressed: true, waiver: w1},
			},
			result.Fail, []int{3, 1},
		},
		{
			"a rule waiver in another target only", signature.High,
			waive("rule: KL-VENDOR-001\n    target: other.json"),
			map[string]outcome{"av": av, "sdk": sdk, "lib": lib},
			result.Fail, []int{0},
		},
		{
			"an expired rule waiver takes nothing away", signature.High,
			"  - rule: KL-VENDOR-001\n    component: \"*\"\n    reason: r\n    owner: o\n    expires: 2025-01-31\n",
			map[string]outcome{
				"av":  {severity: signature.Critical, rules: av.rules, waiver: w1, expired: true},
				"sdk": {severity: signature.Critical, rules: sdk.rules, waiver: w1, expired: true},
				"lib": {severity: signature.High, rules: lib.rules, waiver: w1, expired: true},
			},
			result.Fail, []int{3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(t, tt.failOn, tt.waivers)
			tg := res.Targets[0]
			if tg.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s", tg.Verdict, tt.verdict)
			}
			if len(tg.Findings) != len(tt.want) {
				t.Fatalf("%d findings, want %d", len(tg.Findings), len(tt.want))
			}
			for _, f := range tg.Findings {
				ref := f.Component.Ref
				want, ok := tt.want[ref]
				if !ok {
					t.Fatalf("unexpected finding on %s", ref)
				}
				var waived []string
				for _, wr := range f.WaivedRules {
					waived = append(waived, wr.Rule)
					if wr.Waiver == nil || wr.Waiver.Rule != wr.Rule {
						t.Errorf("%s: rule %s waived by %+v", ref, wr.Rule, wr.Waiver)
					}
				}
				source := ""
				if f.Waiver != nil {
					source = f.Waiver.Source
				}
				got := outcome{f.Severity, f.Rules, waived, f.Suppressed, source, f.WaiverExpired}
				if got.severity != want.severity || !slices.Equal(got.rules, want.rules) || !slices.Equal(got.waived, want.waived) ||
					got.suppressed != want.suppressed || got.waiver != want.waiver || got.expired != want.expired {
					t.Errorf("%s: got %+v, want %+v", ref, got, want)
				}
				if f.ID != ids[ref] {
					t.Errorf("%s: id %s, was %s without waivers", ref, f.ID, ids[ref])
				}
				if gating := !f.Suppressed && f.Severity.Rank() >= tt.failOn.Rank(); f.Gating != gating {
					t.Errorf("%s: gating %v, want %v", ref, f.Gating, gating)
				}
				for _, v := range f.Evidence {
					if !slices.Contains(f.Rules, v.Rule) {
						t.Errorf("%s: evidence of %s, not among its rules %v", ref, v.Rule, f.Rules)
					}
				}
				if title := eng.Set().Rule(f.Rule).Title; !strings.HasPrefix(f.Title, title+": ") || !slices.Contains(f.Rules, f.Rule) {
					t.Errorf("%s: title %q and rule %s do not name it by a rule left (%v)", ref, f.Title, f.Rule, f.Rules)
				}
			}
			if !slices.IsSortedFunc(tg.Findings, func(a, b *result.Finding) int { return match.Compare(a.Finding, b.Finding) }) {
				t.Error("findings are not in the engine's order after waivers")
			}
			var used []int
			for _, u := range res.Waivers {
				used = append(used, u.Used)
			}
			if !slices.Equal(used, tt.used) {
				t.Errorf("waivers used %v times, want %v", used, tt.used)
			}
		})
	}
}
