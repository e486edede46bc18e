package signatures_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/generate"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// corpusDir is the shared corpus beside the repository: the CycloneDX and
// SPDX specification test suites and examples.
const corpusDir = "../../shared/corpus"

// TestCorpusHasNoFindings runs the embedded packs over every SBOM of the
// corpus. They describe ordinary software, so any finding at medium or
// above is a false positive. Low and info findings are logged for review.
func TestCorpusHasNoFindings(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not found at %s (it lives in ../shared beside the repository): %v", corpusDir, err)
	}
	eng := embeddedEngine(t)
	set := eng.Set()
	scanned, components := 0, 0
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".tsv") {
			return err
		}
		doc, err := ingest.File(path, ingest.DefaultOptions())
		if err != nil {
			return nil // invalid inputs are the ingest tests' business
		}
		scanned++
		components += len(doc.Components)
		for _, f := range eng.Match(doc) {
			rel, _ := filepath.Rel(corpusDir, path)
			if f.Severity.Rank() >= signature.Medium.Rank() {
				t.Errorf("%s: %s finding on %q: %s %v", rel, f.Severity, f.Component.Name, f.Title, f.Evidence)
			} else {
				t.Logf("%s: %s finding on %q: %s", rel, f.Severity, f.Component.Name, f.Title)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 500 {
		t.Fatalf("only %d SBOMs ingested; the corpus walk is broken", scanned)
	}
	t.Logf("%d SBOMs, %d components, %d rules: no finding at medium or above", scanned, components, len(set.Rules))
}

// goroot returns the Go installation's root as `go env GOROOT` gives it,
// skipping the test when there is no go command to ask.
func goroot(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to find GOROOT with `go env GOROOT`")
	}
	out, err := exec.Command(gobin, "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		t.Skip("go env GOROOT printed nothing")
	}
	return root
}

// TestGOROOTHasNoFindings scans a real tree found on every machine that
// runs the tests, the Go toolchain's own installation (GOROOT: Go, C and
// assembly sources, shell and JavaScript, test data archives of every
// kind, certificates, the go and gofmt executables and the compiled
// tools), as a directory, the way `pedigree scan DIR` does. Nothing in it
// is Kaspersky's, so any finding at medium or above is a false positive;
// low and info findings are logged for review. Test data archives in it
// are over the file-bytes and ratio limits or deliberately broken, so the
// scan allows an incomplete target; the gaps are logged.
func TestGOROOTHasNoFindings(t *testing.T) {
	if testing.Short() {
		t.Skip("scans all of GOROOT (15,000 files, 270 MB; 2 to 6 s on two cores): skipped with -short")
	}
	root := goroot(t)
	if fi, err := os.Stat(filepath.Join(root, "src")); err != nil || !fi.IsDir() {
		t.Skipf("GOROOT %s has no src directory", root)
	}
	targets := []string{"dir:" + root}
	eng := embeddedEngine(t)
	start := time.Now()
	res, err := scan.Scan(context.Background(), scan.Config{Targets: targets, Engine: eng, FailOn: signature.Medium,
		Ingest: ingest.DefaultOptions(), AllowIncomplete: true, Generator: generate.Generator{Engine: eng}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range res.Targets {
		if tg.Verdict == result.Error {
			t.Fatalf("%s: %v", tg.Target, tg.Errors)
		}
		files := 0
		filepath.WalkDir(strings.TrimPrefix(tg.Target, "dir:"), func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files++
			}
			return nil
		})
		bySeverity := map[signature.Severity]int{}
		for _, f := range tg.Findings {
			bySeverity[f.Severity]++
			if f.Severity.Rank() >= signature.Medium.Rank() {
				t.Errorf("%s: %s finding on %q: %s %v", tg.Target, f.Severity, f.Component.Name, f.Title, f.Evidence)
			} else {
				t.Logf("%s: %s finding on %q: %s", tg.Target, f.Severity, f.Component.Name, f.Title)
			}
		}
		for _, g := range tg.Gaps {
			t.Logf("%s: gap: %+v", tg.Target, g)
		}
		t.Logf("%s: verdict %s, %d files, %d components, findings by severity %v, %d gaps",
			tg.Target, tg.Verdict, files, tg.Components, bySeverity, tg.GapCount)
		if tg.Components < 100 {
			t.Errorf("%s: only %d components; the directory scan is broken", tg.Target, tg.Components)
		}
	}
	t.Logf("scanned %v in %s", targets, time.Since(start).Round(time.Second))
}

// embeddedEngine compiles the embedded packs, as the CLI does without
// --signatures.
func embeddedEngine(t *testing.T) *match.Engine {
	t.Helper()
	eng, err := match.New(embeddedSet(t))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}
