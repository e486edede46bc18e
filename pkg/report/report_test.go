package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/golden"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// goldens holds the golden file of each subtest of TestWrite and
// TestCycloneDX: testdata/TestWrite_findings_json.golden for
// TestWrite/findings_json.
var goldens = golden.Dir{Path: "testdata", Flat: true}

// TestMain fails on golden files no test asked for (see golden.Run).
func TestMain(m *testing.M) {
	os.Exit(golden.Run(m, goldens))
}

// --- Fixtures: scan results built by hand ---

// testSet is a signature set with the rules the fixtures cite and one
// they do not (KL-NET-001), so SARIF must list only the cited ones.
func testSet() *signature.Set {
	rule := func(id, title string, c signature.Category, s signature.Severity, desc string, refs ...string) *signature.Rule {
		return &signature.Rule{ID: id, Title: title, Entity: "Kaspersky", Category: c, Severity: s, Description: desc, References: refs}
	}
	return &signature.Set{
		Rules: []*signature.Rule{ // sorted by id, as NewSet leaves them
			rule("KL-DEV-001", "Kaspresso Android test framework (Kaspersky open source)", signature.DeveloperLibrary, signature.Low,
				"Kaspersky's open-source UI test framework for Android; not security software.",
				"https://github.com/KasperskyLab/Kaspresso"),
			rule("KL-FILE-002", "Kaspersky Windows library (DLL)", signature.Indicator, signature.Medium,
				"File names of libraries Kaspersky products install."),
			rule("KL-MENTION-001", "Kaspersky mentioned in a description or comment", signature.Mention, signature.Info, ""),
			rule("KL-NET-001", "Kaspersky update server", signature.Indicator, signature.Medium, "Update hosts."),
			rule("KL-SDK-001", "Kaspersky Anti-Virus SDK or Anti-Spam SDK", signature.SDK, signature.Critical,
				"Kaspersky's anti-virus and anti-spam SDKs, which OEMs embed under their own names.",
				"https://www.kaspersky.com/oem", "kaspersky-artifacts.md §2"),
			rule("KL-VENDOR-001", "Kaspersky named as the maker", signature.VendorIdentity, signature.High,
				"AO Kaspersky Lab or an affiliate named as supplier, manufacturer, author or copyright holder.",
				"Commerce Final Determination, 89 FR 52434 (2024)"),
		},
		Packs: []*signature.Pack{
			{Name: "kaspersky", Version: "2026.11.1"},
			{Name: "local", Version: "1"},
		},
		Digest: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
}

// gatewayDoc is a CycloneDX document of a product that embeds a
// Kaspersky SDK under its own maker's name.
func gatewayDoc() *model.Document {
	acme := &model.Party{Kind: "organization", Name: "Acme Networks Inc."}
	return &model.Document{
		Source: "fixtures/acme-gateway.cdx.json", Format: model.FormatCycloneDXJSON, SpecVersion: "1.6",
		Roots: []string{"acme-gateway"},
		Components: []*model.Component{
			{Ref: "acme-gateway", Type: "application", Name: "Acme Secure Gateway", Version: "3.2", Supplier: acme},
			{Ref: "acme-scan-module", Name: "Acme Scan Module", Version: "3.2", Parent: "acme-gateway"},
			{Ref: "acme-scan-core", Name: "acme-scan-core", Version: "8.1", Supplier: acme,
				PURL:      "pkg:generic/acme/acme-scan-core@8.1",
				Copyright: "Copyright (c) 1997-2024 AO Kaspersky Lab",
				Locations: []string{"opt/acme/scan/kavsdk.dll"}, Parent: "acme-scan-module"},
			{Ref: "kaspresso", Name: "kaspresso", Version: "1.5.3",
				PURL:     "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.3",
				Supplier: &model.Party{Name: "AO Kaspersky Lab"}},
			{Ref: "release-notes", Name: "release-notes", Version: "3.2", Publisher: "Acme Docs Team",
				Description: "Migrated from the Kaspersky engine in 3.0."},
		},
		Warnings: []string{`components[3].licenses[0]: "GPL" is not an SPDX license id`},
	}
}

// testResult is two targets: one that fails with a white-label critical
// finding, a waived low finding and an info mention whose waiver expired;
// and one that could not be read.
func testResult() *result.Result {
	doc := gatewayDoc()
	c := func(ref string) *model.Component { return doc.Component(ref) }
	waived := waiver.Waiver{Component: "kaspresso", Reason: "test-only dependency, not shipped", Owner: "qa@acme.example",
		Expires: "2099-12-31", Source: "waivers.yaml:2"}
	expired := waiver.Waiver{Rule: "KL-MENTION-001", Reason: "documentation only", Owner: "docs@acme.example",
		Expires: "2024-01-31", Source: "waivers.yaml:9"}
	unused := waiver.Waiver{Finding: "PDG-0000000000000000", Reason: "old finding", Owner: "sec@acme.example",
		Expires: "2099-12-31", Source: "waivers.yaml:16"}
	return &result.Result{
		ToolName: "pedigree", ToolVersion: "0.1.0-test",
		Signatures: testSet(),
		FailOn:     signature.High,
		Targets: []*result.Target{
			{
				Target: "fixtures/acme-gateway.cdx.json", Source: "sbom", Document: doc, Verdict: result.Fail,
				Findings: []*result.Finding{
					{
						Finding: match.Finding{
							ID: "PDG-4F1C2A9B7D3E5F60", Severity: signature.Critical, Entity: "Kaspersky",
							WhiteLabel: true, Offered: "Acme Networks Inc.",
							Title:      "Kaspersky Anti-Virus SDK or Anti-Spam SDK: acme-scan-core 8.1",
							Rule:       "KL-SDK-001",
							Confidence: "high", Component: c("acme-scan-core"),
							Path:  []string{"acme-gateway", "acme-scan-module", "acme-scan-core"},
							Rules: []string{"KL-FILE-002", "KL-SDK-001", "KL-VENDOR-001"},
							Evidence: []match.Evidence{
								{Rule: "KL-FILE-002", Kind: match.KindFilename, Field: "locations[0]", Value: "kavsdk.dll", Location: "opt/acme/scan/kavsdk.dll"},
								{Rule: "KL-SDK-001", Kind: match.KindCPE, Field: "cpes[0]", Value: "cpe:2.3:a:kaspersky:anti-virus_sdk:8.1:*:*:*:*:*:*:*"},
								{Rule: "KL-VENDOR-001", Kind: match.KindCopyright, Field: "copyright", Value: "Copyright (c) 1997-2024 AO Kaspersky Lab"},
								{Rule: "KL-VENDOR-001", Kind: match.KindSigner, Field: "properties[pedigree:signer]", Value: "Kaspersky Lab JSC", Location: "opt/acme/scan/kavsdk.dll"},
							},
						},
						Gating: true,
					},
					{
						Finding: match.Finding{
							ID: "PDG-0A1B2C3D4E5F6071", Severity: signature.Low, Entity: "Kaspersky", Offered: "AO Kaspersky Lab",
							Title:      "Kaspresso Android test framework (Kaspersky open source): kaspresso 1.5.3",
							Rule:       "KL-DEV-001",
							Confidence: "high", Component: c("kaspresso"),
							Path:  []string{"acme-gateway", "kaspresso"},
							Rules: []string{"KL-DEV-001", "KL-VENDOR-001"},
							Evidence: []match.Evidence{
								{Rule: "KL-DEV-001", Kind: match.KindPURL, Field: "purl", Value: "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.3"},
								{Rule: "KL-VENDOR-001", Kind: match.KindSupplier, Field: "supplier.name", Value: "AO Kaspersky Lab"},
							},
						},
						Waiver: &waived, Suppressed: true,
					},
					{
						Finding: match.Finding{
							ID: "PDG-9E8D7C6B5A493827", Severity: signature.Info, Entity: "Kaspersky",
							Title:      "Kaspersky mentioned in a description or comment: release-notes 3.2",
							Rule:       "KL-MENTION-001",
							Confidence: "low", Component: c("release-notes"),
							// The middle ref is not a component of the document:
							// the path shows the ref itself.
							Path:  []string{"acme-gateway", "urn:uuid:5d1c0a3e-docs", "release-notes"},
							Rules: []string{"KL-MENTION-001"},
							Evidence: []match.Evidence{
								{Rule: "KL-MENTION-001", Kind: match.KindMention, Field: "description", Value: "Migrated from the Kaspersky engine in 3.0."},
							},
						},
						Waiver: &expired, WaiverExpired: true,
					},
				},
				Errors: []string{},
			},
			{
				Target: "sbom:missing/vendor-b.spdx.json", Source: "sbom", Verdict: result.Error,
				Findings: []*result.Finding{},
				Errors:   []string{"missing/vendor-b.spdx.json: open: no such file or directory"},
			},
		},
		Waivers: []result.WaiverUse{
			{Waiver: unused, Used: 0},
			{Waiver: waived, Used: 1},
			{Waiver: expired, Expired: true, Used: 1},
		},
	}
}

// passResult is one target that passes with nothing found and lists left
// nil where they can be, to show they still render as [].
func passResult() *result.Result {
	return &result.Result{
		ToolName: "pedigree", ToolVersion: "0.1.0-test", Signatures: testSet(),
		Targets: []*result.Target{{
			Target: "clean.spdx.json", Source: "sbom", Verdict: result.Pass,
			Document: &model.Document{Format: model.FormatSPDXJSON, SpecVersion: "SPDX-2.3", Name: "clean-product"},
		}},
	}
}

// gateResult has the verdicts beyond pass and fail: a firmware image one
// of whose nested archives was not opened (incomplete), and a bid scanned
// with the gate off that has a finding (review, never pass).
func gateResult() *result.Result {
	sdk := testResult().Targets[0].Findings[0]
	sdk.Gating = false
	return &result.Result{
		ToolName: "pedigree", ToolVersion: "0.1.0-test", Signatures: testSet(),
		Targets: []*result.Target{
			{
				Target: "firmware.zip", Source: "archive", Verdict: result.Incomplete, Findings: []*result.Finding{},
				Document: &model.Document{Format: model.FormatSyftJSON, SpecVersion: "16.0.0", Name: "firmware.zip",
					Warnings: []string{
						"firmware.zip!rootfs.zip!opt.zip: zip archive nested deeper than 2 levels (limit archive-depth), not opened",
						"firmware.zip!keys.zip!kl.key: encrypted, contents not read",
						"firmware.zip!readme.txt: path traversal in entry name \"../readme.txt\", name cleaned",
					}},
				Gaps: []model.Gap{
					{Location: "firmware.zip!rootfs.zip!opt.zip", Reason: "zip archive nested deeper than 2 levels (limit archive-depth), not opened", Limit: "archive-depth"},
					{Location: "firmware.zip!keys.zip!kl.key", Reason: "encrypted, contents not read"},
				},
				GapCount: 2,
			},
			{
				Target: "bid-07.cdx.json", Source: "sbom", Verdict: result.Review, Findings: []*result.Finding{sdk},
				Document: gatewayDoc(),
			},
		},
	}
}

// emptyResult has no targets at all.
func emptyResult() *result.Result {
	return &result.Result{}
}

var fixtures = []struct {
	name   string
	result func() *result.Result
}{
	{"findings", testResult},
	{"pass", passResult},
	{"empty", emptyResult},
	{"gate", gateResult},
	{"longpath", longPathResult},
	{"fullpath", fullPathResult},
}

// --- Golden files ---

func TestWrite(t *testing.T) {
	for _, fx := range fixtures {
		for _, format := range AllFormats() {
			if format == "cyclonedx-json" {
				continue // one BOM per target: TestCycloneDX
			}
			t.Run(fx.name+"_"+string(format), func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, format, fx.result()); err != nil {
					t.Fatal(err)
				}
				goldens.Check(t, b.Bytes())
			})
		}
	}
}

// --- Properties every format must have ---

func TestDeterministic(t *testing.T) {
	for _, format := range AllFormats() {
		if format == "cyclonedx-json" {
			continue // one BOM per target: TestCycloneDX
		}
		t.Run(string(format), func(t *testing.T) {
			var first bytes.Buffer
			if err := Write(&first, format, testResult()); err != nil {
				t.Fatal(err)
			}
			// Map iteration order changes from run to run; several runs
			// catch output that depends on it.
			for range 20 {
				var again bytes.Buffer
				if err := Write(&again, format, testResult()); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first.Bytes(), again.Bytes()) {
					t.Fatalf("two runs differ:\n%s", golden.Diff(first.String(), again.String()))
				}
			}
		})
	}
}

func TestNoNulls(t *testing.T) {
	for _, fx := range fixtures {
		for _, format := range []Format{JSON, SARIF} {
			t.Run(fx.name+"_"+string(format), func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, format, fx.result()); err != nil {
					t.Fatal(err)
				}
				var v any
				if err := json.Unmarshal(b.Bytes(), &v); err != nil {
					t.Fatal(err)
				}
				for _, p := range nulls(v, "$") {
					t.Errorf("%s is null; lists must be [] and objects present or omitted", p)
				}
				if !bytes.HasSuffix(b.Bytes(), []byte("}\n")) {
					t.Error("output does not end with a newline")
				}
			})
		}
	}
}

func nulls(v any, at string) []string {
	switch x := v.(type) {
	case nil:
		return []string{at}
	case map[string]any:
		var out []string
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, nulls(x[k], at+"."+k)...)
		}
		return out
	case []any:
		var out []string
		for i, e := range x {
			out = append(out, nulls(e, fmt.Sprintf("%s[%d]", at, i))...)
		}
		return out
	}
	return nil
}

func TestEmptyListsAreArrays(t *testing.T) {
	tests := []struct {
		name   string
		result *result.Result
		format Format
		want   []string
	}{
		{"pass target", passResult(), "json", []string{`"findings": []`, `"errors": []`, `"warnings": []`, `"verdict": "pass"`}},
		{"no targets", emptyResult(), "json", []string{`"targets": []`, `"failOn": "none"`}},
		{"error target", testResult(), "json", []string{`"target": "sbom:missing/vendor-b.spdx.json",`, `"components": 0,`}},
		{"sarif without findings", passResult(), "sarif", []string{`"results": []`, `"rules": []`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tt.format, tt.result); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %s:\n%s", w, b.String())
				}
			}
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "xml", testResult())
	if err == nil {
		t.Fatal("no error for an unknown format")
	}
	for _, want := range append([]Format{`"xml"`}, AllFormats()...) {
		if !strings.Contains(err.Error(), string(want)) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// --- What the documents say ---

func TestNewDocumentSummary(t *testing.T) {
	tests := []struct {
		name   string
		result func() *result.Result
		want   Summary
	}{
		{"findings", testResult, Summary{
			Targets: 2, Failed: 1, Errors: 1, Suppressed: 1,
			Findings: SeverityCounts{Critical: 1, Info: 1}, // the low finding is waived
			Waivers:  WaiverCounts{Applied: 1, Expired: 1, Unused: 1},
			FailOn:   "high",
		}},
		{"pass", passResult, Summary{Targets: 1, FailOn: "none"}},
		{"empty", emptyResult, Summary{FailOn: "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewDocument(tt.result()).Summary; got != tt.want {
				t.Errorf("summary = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNewDocumentTarget(t *testing.T) {
	d := NewDocument(testResult())
	got := d.Targets[0]
	if want := (Product{Name: "Acme Secure Gateway", Version: "3.2", Supplier: "Acme Networks Inc."}); got.Product != want {
		t.Errorf("product = %+v, want %+v", got.Product, want)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"components", got.Components, 5},
		{"critical path", got.Findings[0].Component.Path, []string{"Acme Secure Gateway", "Acme Scan Module", "acme-scan-core"}},
		{"path through an unknown ref", got.Findings[2].Component.Path, []string{"Acme Secure Gateway", "urn:uuid:5d1c0a3e-docs", "release-notes"}},
		{"supplier falls back to publisher", got.Findings[2].Component.Supplier, "Acme Docs Team"},
		{"waiver", *got.Findings[1].Waiver, Waiver{Reason: "test-only dependency, not shipped", Owner: "qa@acme.example", Expires: "2099-12-31", Source: "waivers.yaml:2"}},
		{"expired waiver", got.Findings[2].Waiver.Expired, true},
		{"no waiver", got.Findings[0].Waiver == nil, true},
		{"signatures", d.Signatures, Signatures{Version: "2026.11.1+1", Digest: testSet().Digest, Rules: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestProductOf(t *testing.T) {
	tests := []struct {
		name string
		doc  *model.Document
		want Product
	}{
		{"no document", nil, Product{}},
		{"document name when there is no root", &model.Document{Name: "spdx-doc"}, Product{Name: "spdx-doc"}},
		{"document supplier", &model.Document{
			Roots:      []string{"r"},
			Components: []*model.Component{{Ref: "r", Name: "box", Version: "1"}},
			Supplier:   &model.Party{Name: "Vendor"}, Manufacturer: &model.Party{Name: "Maker"},
		}, Product{Name: "box", Version: "1", Supplier: "Vendor"}},
		{"document manufacturer", &model.Document{
			Roots:        []string{"r"},
			Components:   []*model.Component{{Ref: "r", Name: "box"}},
			Manufacturer: &model.Party{Name: "Maker"},
		}, Product{Name: "box", Supplier: "Maker"}},
		{"root not among the components", &model.Document{Name: "doc", Roots: []string{"gone"}}, Product{Name: "doc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := productOf(tt.doc); got != tt.want {
				t.Errorf("productOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTitleRule(t *testing.T) {
	tests := []struct {
		name  string
		rule  string
		rules []string
		want  string
	}{
		{"the engine's title rule", "KL-SDK-001", []string{"KL-FILE-002", "KL-SDK-001", "KL-VENDOR-001"}, "KL-SDK-001"},
		{"first rule when the finding does not say", "", []string{"KL-FILE-002", "KL-VENDOR-001"}, "KL-FILE-002"},
		{"no rules", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &result.Finding{Finding: match.Finding{Rule: tt.rule, Rules: tt.rules}}
			if got := titleRule(f); got != tt.want {
				t.Errorf("titleRule = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ target, want string }{
		{"fixtures/a.cdx.json", "fixtures/a.cdx.json"},
		{"sbom:fixtures/a.cdx.json", "fixtures/a.cdx.json"},
		{"sboms/vendor b.json", "sboms/vendor%20b.json"},
		{`sboms\windows\a.json`, "sboms/windows/a.json"},
		{"/srv/sboms/a.json", "file:///srv/sboms/a.json"},
		{`C:\sboms\a.json`, "file:///C:/sboms/a.json"},
		{"docker-archive:images/app.tar", "images/app.tar"},
		// sboms: was missing from the writer's own list of schemes.
		{"sboms:bids", "bids"},
		{"odd:name.json", "./odd:name.json"},
		{"-", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			if got := artifactURI(tt.target); got != tt.want {
				t.Errorf("artifactURI(%q) = %q, want %q", tt.target, got, tt.want)
			}
		})
	}
}

func TestTableCleansControlCharacters(t *testing.T) {
	r := testResult()
	f := r.Targets[0].Findings[0]
	f.Evidence = append(f.Evidence, match.Evidence{Rule: "KL-VENDOR-001", Kind: "author", Field: "authors[0]\x1b[2J", Value: "AO\tKaspersky\nLab\x1b[31m"})
	var b bytes.Buffer
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\t") {
		t.Errorf("table passes control characters through:\n%q", b.String())
	}
	if !strings.Contains(b.String(), `authors[0] [2J = "AO\tKaspersky\nLab\x1b[31m"`) {
		t.Errorf("evidence value not quoted:\n%s", b.String())
	}
}

// TestCSVInjection: a value from an SBOM cannot become a spreadsheet
// formula.
func TestCSVInjection(t *testing.T) {
	var b strings.Builder
	cw := &safeCSV{csv.NewWriter(&b)}
	cw.Write([]string{"=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "plain", ""})
	cw.w.Flush()
	if got, want := b.String(), "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-1,'@SUM(A1),plain,\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
