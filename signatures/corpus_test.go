package signatures_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/signatures"
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
	eng, err := signatures.Engine()
	if err != nil {
		t.Fatal(err)
	}
	set := eng.Set()
	scanned, components := 0, 0
	err = filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
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
