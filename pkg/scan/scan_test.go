package scan

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

func engine(t *testing.T) *match.Engine {
	t.Helper()
	layer, err := signature.LoadPath("testdata/pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := signature.NewSet(layer)
	if err != nil {
		t.Fatal(err)
	}
	e, err := match.New(set)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func run(t *testing.T, failOn signature.Severity, ws []waiver.Waiver, targets ...string) *result.Result {
	t.Helper()
	res, err := Scan(context.Background(), Config{Targets: targets, Engine: engine(t), FailOn: failOn,
		Waivers: ws, Ingest: ingest.DefaultOptions(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestFailOn(t *testing.T) {
	tests := []struct {
		failOn  signature.Severity
		verdict result.Verdict
	}{
		{signature.Critical, result.Pass},
		{signature.High, result.Fail},
		{signature.Low, result.Fail},
		// The gate off: findings to review, never a pass.
		{"", result.Review},
	}
	for _, tt := range tests {
		res := run(t, tt.failOn, nil, "testdata/product.cdx.json")
		tg := res.Targets[0]
		if tg.Verdict != tt.verdict || res.Failed() != (tt.verdict == result.Fail) || res.Err() != nil {
			t.Errorf("--fail-on %q: verdict %s", tt.failOn, tg.Verdict)
		}
		if len(tg.Findings) != 2 {
			t.Fatalf("got %d findings, want 2 (engine, ui)", len(tg.Findings))
		}
	}
}

func TestWaivers(t *testing.T) {
	ws, err := waiver.Parse("w.yaml", []byte(`waivers:
  - component: nw-engine
    reason: replaced in 3.1
    owner: pm@northwind.example
    expires: 2026-11-23
  - rule: ZX-DEV-001
    reason: old acceptance
    owner: qa@northwind.example
    expires: 2025-01-01
  - rule: ZX-NOPE-001
    reason: unused
    owner: x
    expires: 2030-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, signature.Low, ws, "testdata/product.cdx.json")
	tg := res.Targets[0]
	var eng, ui *result.Finding
	for _, f := range tg.Findings {
		switch f.Component.Name {
		case "nw-engine":
			eng = f
		case "ui":
			ui = f
		}
	}
	if !eng.Suppressed || eng.Gating || eng.Waiver.Owner != "pm@northwind.example" {
		t.Errorf("a waiver on its last day suppresses: %+v", eng)
	}
	if ui.Suppressed || !ui.Gating || ui.Waiver == nil || ui.Waiver.Reason != "old acceptance" {
		t.Errorf("an expired waiver is shown but does not suppress: %+v", ui)
	}
	if tg.Verdict != result.Fail {
		t.Errorf("verdict %s: the expired waiver must not pass the gate", tg.Verdict)
	}
	uses := map[string]result.WaiverUse{}
	for _, u := range res.Waivers {
		uses[u.Waiver.Reason] = u
	}
	if u := uses["replaced in 3.1"]; u.Used != 1 || u.Expired {
		t.Errorf("applied waiver: %+v", u)
	}
	if u := uses["old acceptance"]; u.Used != 1 || !u.Expired {
		t.Errorf("expired waiver: %+v", u)
	}
	if u := uses["unused"]; u.Used != 0 {
		t.Errorf("unused waiver: %+v", u)
	}
}

// TestBadTargetsDoNotStopTheScan: a review of many bids sees every bid that
// could be read, and the scan still reports that one could not.
func TestBadTargetsDoNotStopTheScan(t *testing.T) {
	dir := t.TempDir()
	bad := dir + "/truncated.json"
	if err := os.WriteFile(bad, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[`), 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, signature.High, nil, bad, "testdata/product.cdx.json", "missing.json", "bogus:x", "oci-dir:"+dir+"/missing")
	want := []result.Verdict{result.Error, result.Fail, result.Error, result.Error, result.Error}
	for i, tg := range res.Targets {
		if tg.Verdict != want[i] {
			t.Errorf("%s: verdict %s, want %s (%v)", tg.Target, tg.Verdict, want[i], tg.Errors)
		}
	}
	if !errors.Is(res.Err(), result.ErrNotEvaluated) || !strings.Contains(res.Err().Error(), "truncated.json") {
		t.Errorf("Err() = %v", res.Err())
	}
	for _, tg := range res.Targets[2:] {
		t.Logf("%s: %v", tg.Target, tg.Errors)
	}
	if msg := res.Targets[4].Errors; len(msg) == 0 || !strings.Contains(msg[0], "no such file or directory") {
		t.Errorf("oci-dir: source: %v", msg)
	}
}

func TestSBOMScheme(t *testing.T) {
	res := run(t, signature.High, nil, "sbom:testdata/product.cdx.json")
	if res.Targets[0].Verdict != result.Fail || res.Targets[0].Document == nil {
		t.Fatalf("sbom: prefix not read: %+v", res.Targets[0])
	}
}

func TestNoTargets(t *testing.T) {
	if _, err := Scan(context.Background(), Config{Engine: engine(t)}); err == nil {
		t.Fatal("a scan without targets must fail")
	}
}

// TestManyTargetsConcurrently: targets read on several workers come back
// in argument order, with the same verdicts and waiver accounting as one
// at a time.
func TestManyTargetsConcurrently(t *testing.T) {
	ws, err := waiver.Parse("w.yaml", []byte("waivers:\n  - component: nw-engine\n    reason: r\n    owner: o\n    expires: 2099-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for i := range 12 {
		if i%4 == 3 {
			targets = append(targets, "missing.json")
		} else {
			targets = append(targets, "testdata/product.cdx.json")
		}
	}
	serial, err := Scan(context.Background(), Config{Targets: targets, Engine: engine(t), FailOn: signature.High, Waivers: ws, Ingest: ingest.DefaultOptions(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	par, err := Scan(context.Background(), Config{Targets: targets, Engine: engine(t), FailOn: signature.High, Waivers: ws, Ingest: ingest.DefaultOptions(), Now: now, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range targets {
		a, b := serial.Targets[i], par.Targets[i]
		if a.Target != b.Target || a.Verdict != b.Verdict || len(a.Findings) != len(b.Findings) {
			t.Errorf("target %d: serial %s %s %d, parallel %s %s %d", i, a.Target, a.Verdict, len(a.Findings), b.Target, b.Verdict, len(b.Findings))
		}
	}
	if serial.Waivers[0].Used != 9 || par.Waivers[0].Used != 9 {
		t.Errorf("waiver used %d (serial) and %d (parallel) times, want 9", serial.Waivers[0].Used, par.Waivers[0].Used)
	}
}
