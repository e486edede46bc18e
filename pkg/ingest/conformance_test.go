package ingest_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/golden"
)

// The golden files: testdata/conformance.golden, and
// testdata/dialects/<fixture>.golden.json of the subtest
// TestDialects/<fixture>.
var (
	goldens        = golden.Dir{Path: "testdata", Flat: true}
	dialectGoldens = golden.Dir{Path: "testdata/dialects", Trim: 1, Ext: ".golden.json"}
)

// TestMain fails on golden files no test asked for (see golden.Run).
func TestMain(m *testing.M) {
	os.Exit(golden.Run(m, goldens, dialectGoldens))
}

// corpusDir is the shared conformance corpus beside the repository.
const corpusDir = "../../../shared/corpus/conformance"

// tolerated lists the schema rules of the CycloneDX test suite that pedigree
// reads through on purpose, because they do not bear on who made a
// component. An invalid-* file whose kind is listed here may ingest with no
// warning; docs/ingest.md gives the same list to users.
var tolerated = map[string]string{
	"invalid-license-id":                     "licence ids are not checked against the SPDX licence list",
	"invalid-license-id-count":               "XML licence choice cardinality is not checked",
	"invalid-license-name-count":             "XML licence choice cardinality is not checked",
	"invalid-metadata-license":               "licence ids are not checked against the SPDX licence list",
	"invalid-metadata-distribution":          "distribution constraints do not bear on identity",
	"invalid-issue-type":                     "vulnerability and issue details are not read",
	"invalid-service-data":                   "service data-flow classifications are not read",
	"invalid-citations":                      "citations are not read",
	"invalid-namespace":                      "", // refused at detection: listed so the golden records it
	"invalid-component-swid":                 "",
	"invalid-metadata-timestamp":             "",
	"invalid-patch-type":                     "",
	"invalid-missing-component-type":         "",
	"invalid-empty-component":                "",
	"invalid-bomformat":                      "",
	"invalid-license-encoding":               "",
	"invalid-license-choice":                 "in XML the library keeps one of expression and license, so the mix is not seen",
	"invalid-license-declared-concluded-mix": "licence acknowledgements are not checked",
	"invalid-license-missing-id-and-name":    "",
}

// TestConformanceCorpus ingests every file of the CycloneDX and SPDX
// specification test suites. Valid files and SPDX 2 examples must ingest
// without error; invalid files must give an error or at least one warning,
// unless their rule is tolerated (see above); SPDX 3.0 JSON-LD examples
// must ingest too, each with components or files. The outcome of every file is pinned in
// testdata/conformance.golden (go test -run Conformance -update rewrites it).
func TestConformanceCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		golden.Skip(t, fmt.Sprintf("conformance corpus not found at %s (it lives in ../shared beside the repository): %v", corpusDir, err))
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasSuffix(path, ".tsv") && !strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var outcomes strings.Builder
	counts := map[string]int{}
	for _, path := range files {
		rel, _ := filepath.Rel(corpusDir, path)
		rel = filepath.ToSlash(rel)
		base := filepath.Base(rel)
		doc, err := ingest.File(path, ingest.DefaultOptions())
		var outcome string
		switch {
		case err != nil:
			outcome = fmt.Sprintf("error (%s): %v", ingest.KindOf(err), err)
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("%s: error does not name the input: %v", rel, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error is not one line: %q", rel, err)
			}
		case len(doc.Warnings) > 0:
			outcome = fmt.Sprintf("ok, %d components, %d warnings: %s", len(doc.Components), len(doc.Warnings), doc.Warnings[0])
		default:
			outcome = fmt.Sprintf("ok, %d components", len(doc.Components)+len(doc.Files))
		}
		fmt.Fprintf(&outcomes, "%s\t%s\n", rel, strings.ReplaceAll(outcome, path, rel))

		switch {
		case strings.HasPrefix(rel, "spdx/3"):
			counts["spdx3"]++
			if err != nil {
				t.Errorf("%s: SPDX 3 example must ingest: %v", rel, err)
			} else if doc.Format != "spdx3-jsonld" || len(doc.Components)+len(doc.Files) == 0 {
				t.Errorf("%s: read as %s with %d components and %d files, want spdx3-jsonld with some", rel, doc.Format, len(doc.Components), len(doc.Files))
			}
		case strings.HasPrefix(rel, "spdx/"):
			counts["spdx2"]++
			if err != nil {
				t.Errorf("%s: SPDX example must ingest: %v", rel, err)
			}
		case strings.HasPrefix(base, "valid-"):
			counts["valid"]++
			if err != nil {
				t.Errorf("%s: valid file must ingest: %v", rel, err)
			}
		case strings.HasPrefix(base, "invalid-"), strings.HasPrefix(base, "informal-invalid-"), strings.HasPrefix(base, "skip_invalid-"):
			counts["invalid"]++
			if err == nil && len(doc.Warnings) == 0 {
				if reason := tolerated[kindOfInvalid(base)]; reason == "" {
					t.Errorf("%s: invalid file ingested with no error and no warning", rel)
				} else {
					counts["tolerated"]++
				}
			}
		default:
			counts["other"]++
		}
	}
	t.Logf("corpus: %d files: %v", len(files), counts)
	goldens.CheckNamed(t, "conformance", []byte(outcomes.String()))
}

// kindOfInvalid turns "invalid-hash-md5-1.6.json" into "invalid-hash-md5".
func kindOfInvalid(base string) string {
	base = strings.TrimPrefix(strings.TrimPrefix(base, "skip_"), "informal-")
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if i := strings.LastIndex(base, "-1."); i > 0 {
		base = base[:i]
	}
	return base
}
