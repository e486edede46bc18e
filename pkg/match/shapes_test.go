package match_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/golden"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// The shape fixtures (fixtures/shapes/README.md) are small SBOMs of the
// ways Kaspersky software, and things that only look like it, show up in
// real products: components named after Kaspersky, third-party
// integrations, a person surnamed Kaspersky, Kaspresso, a vendor binary in
// someone else's package, an SDK archive and its nested parts.

const shapesDir = "../../fixtures/shapes"

// shapesGolden holds testdata/shapes/<fixture>.golden, the file of the
// subtest TestShapesGolden/<fixture>.
var shapesGolden = golden.Dir{Path: "testdata/shapes", Trim: 1}

func shapeFixtures(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(shapesDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasSuffix(e.Name(), ".md") {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no fixtures in " + shapesDir)
	}
	return out
}

func matchShape(t *testing.T, e *match.Engine, name string) matched {
	t.Helper()
	doc, err := ingest.File(filepath.Join(shapesDir, name), ingest.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) > 0 {
		t.Errorf("%s: ingest warnings: %q", name, doc.Warnings)
	}
	return matched{doc, e.Match(doc)}
}

// TestShapesGolden compares the findings of every shape fixture with
// testdata/shapes/<file>.golden; -update rewrites them.
func TestShapesGolden(t *testing.T) {
	e := whiteLabelEngine(t)
	for _, name := range shapeFixtures(t) {
		t.Run(name, func(t *testing.T) {
			shapesGolden.Check(t, []byte(render(name, matchShape(t, e, name))))
		})
	}
}

// TestShapesVerdicts states the verdict of each shape component by
// component, so that a golden rewritten by mistake cannot hide a change.
func TestShapesVerdicts(t *testing.T) {
	e := whiteLabelEngine(t)
	type want struct {
		component string
		severity  signature.Severity // "" means no finding at all
	}
	cases := map[string][]want{
		"vendor-named.cdx.json": {
			{"Kaspersky Security for Microsoft Exchange Servers", signature.High},
			{"Kaspersky Standard", signature.High},
			{"kaspersky-agent", signature.High},
			{"Kaspersky Endpoint Security for Linux", signature.Critical},
			{"kesl-gui", signature.Critical},
			{"Антивирус Касперского", signature.High},
		},
		"third-party-integrations.cdx.json": {
			{"ksc-prometheus-exporter", signature.Info},
			{"kaspersky-security-center-exporter", signature.Low},
			{"Connector for Kaspersky Endpoint Security", signature.Low},
			{"siem-plugin-for-kaspersky-anti-virus", signature.Low},
			{"kaspersky-beat", signature.Low},
		},
		"person-author.cdx.json": {
			{"tiny-lexer", signature.Low},
			{"csv-stream-lite", signature.Low},
		},
		"kesl-python.cdx.json": {
			{"kesl-python", ""},
		},
		"kaspresso-tree.cdx.json": {
			{"allure-support", signature.Low},
			{"compose-support", signature.Low},
			{"adbserver-desktop", signature.Low},
			{"com.kaspersky.kaspressample", signature.Low},
			{"com.kaspersky.kaspresso.tutorial", signature.Low},
		},
		"kaspresso-dependent.cdx.json": {
			{"kaspresso", signature.Low},
			{"kaspresso-allure-support", signature.Low},
			{"adb-server-device", signature.Low},
			{"kautomator", signature.Low},
		},
		"vendor-binary.spdx.json": {
			{"fabrikam-scan-plugin", signature.High},
			{"nrpe", signature.Low},
		},
		"nested-aar.cdx.json": {
			{"KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar", signature.Critical},
			{"classes.jar", ""},
			{"KL_Base_SDK_Android_5.13.0.136_Release.aar", signature.Critical},
		},
	}
	for _, name := range shapeFixtures(t) {
		if _, ok := cases[name]; !ok {
			t.Errorf("%s: no verdicts stated for this fixture", name)
		}
	}
	for name, wants := range cases {
		m := matchShape(t, e, name)
		for _, w := range wants {
			f := findingFor(m, w.component)
			switch {
			case w.severity == "" && f != nil:
				t.Errorf("%s: %s: want no finding, got %s", name, w.component, describe(f, m.doc))
			case w.severity != "" && f == nil:
				t.Errorf("%s: %s: want %s, got no finding", name, w.component, w.severity)
			case w.severity != "" && f.Severity != w.severity:
				t.Errorf("%s: %s: want %s, got %s", name, w.component, w.severity, describe(f, m.doc))
			}
		}
	}
}
