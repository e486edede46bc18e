package generate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// upxELF is an executable the walk recognises as UPX-packed: its packed
// code is a gap of every generation that meets it.
const upxELF = "\x7fELF\x02\x01\x01\x00UPX!xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

// gapEngine is the embedded packs and a rule naming the SHA-256 of data,
// so that deep inspection hashes files.
func gapEngine(t *testing.T, data []byte) *match.Engine {
	t.Helper()
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	pack, err := signature.Parse("hash.yaml", []byte(`pack: hash-test
version: "1"
rules:
  - id: T-HASH-001
    title: A known vendor binary
    entity: Kaspersky
    category: engine
    severity: critical
    match: {hashes: ["sha256:`+digest+`"]}
    references: [test]
    examples: {match: [{hash: "sha256:`+digest+`"}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := signatures.Layer()
	if err != nil {
		t.Fatal(err)
	}
	set, err := signature.NewSet(embedded, signature.Layer{pack})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := match.New(set)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// deepFacts are the components of doc with facts of deep inspection, by
// name: type, each pedigree:* property (but the parent, which only the
// CycloneDX writer records) and each hash, sorted.
func deepFacts(doc *model.Document) map[string][]string {
	out := map[string][]string{}
	for _, c := range doc.Components {
		var facts []string
		for _, p := range c.Properties {
			if strings.HasPrefix(p.Name, "pedigree:") && p.Name != "pedigree:parent" {
				facts = append(facts, p.Name+"="+p.Value)
			}
		}
		if len(facts) == 0 && len(c.Hashes) == 0 {
			continue
		}
		for _, h := range c.Hashes {
			facts = append(facts, "hash "+h.Algorithm+":"+h.Value)
		}
		slices.Sort(facts)
		out[c.Name] = append([]string{"type " + c.Type}, facts...)
	}
	return out
}

// TestWriteCarriesGaps generates the SBOM of a tree holding a UPX-packed
// executable (a gap), a library whose copyright names Kaspersky and a
// binary a hash rule names (both known from deep inspection only), writes
// it in each format and reads it back: the gaps and the deep components
// are those of the generation, and a scan of the SBOM decides what a scan
// of the tree does, incomplete once the gate is off. syft-json, which
// cannot carry them, is refused with nothing written.
func TestWriteCarriesGaps(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	dir := t.TempDir()
	product := filepath.Join(dir, "product")
	hashed := []byte("a renamed vendor binary")
	write(t, filepath.Join(product, "bin", "nwpack"), []byte(upxELF))
	write(t, filepath.Join(product, "lib", "libnwscan.so"), elf("libnwscan.so.7", "Copyright (c) 2023 AO Kaspersky Lab. All rights reserved."))
	write(t, filepath.Join(product, "bin", "nwupdate"), hashed)
	eng := gapEngine(t, hashed)
	res, err := Generate(context.Background(), "dir", product, eng, Options{Limits: walk.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	gen := res.Document
	if len(gen.Gaps) != 1 || gen.GapCount != 1 || gen.Gaps[0].Location != "bin/nwpack" || !strings.Contains(gen.Gaps[0].Reason, "UPX-packed") {
		t.Fatalf("generation: gaps %v (%d), want the UPX-packed bin/nwpack", gen.Gaps, gen.GapCount)
	}
	wantDeep := deepFacts(gen)
	// With a hash rule every file is hashed: three deep components.
	if len(wantDeep) != 3 || !slices.ContainsFunc(wantDeep["bin/nwupdate"], func(f string) bool { return strings.HasPrefix(f, "hash SHA-256:") }) ||
		!slices.ContainsFunc(wantDeep["lib/libnwscan.so"], func(f string) bool { return strings.HasPrefix(f, "pedigree:copyright=") }) {
		t.Fatalf("generation: deep components %v, want lib/libnwscan.so with its copyright and a hashed bin/nwupdate", wantDeep)
	}
	dirScan := scanTarget(t, eng, "dir:"+product, signature.High)
	if dirScan.Verdict != result.Fail || dirScan.Complete() {
		t.Fatalf("the tree: %s, complete %v; want a failed, incomplete scan", dirScan.Verdict, dirScan.Complete())
	}

	// More gaps counted than listed: the total travels as well.
	counted := *res
	countedDoc := *gen
	countedDoc.GapCount = 5000
	counted.Document = &countedDoc

	for _, tc := range []struct {
		name, format string
		res          *Result
		refused      string
		gapCount     int
	}{
		{name: "cyclonedx-json", format: "cyclonedx-json", res: res, gapCount: 1},
		{name: "spdx-json", format: "spdx-json", res: res, gapCount: 1},
		{name: "cyclonedx-json counted", format: "cyclonedx-json", res: &counted, gapCount: 5000},
		{name: "spdx-json counted", format: "spdx-json", res: &counted, gapCount: 5000},
		{name: "syft-json", format: "syft-json", res: res,
			refused: "syft-json cannot carry the 3 files deep inspection learned about and 1 gaps; write cyclonedx-json or spdx-json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := tc.res.Write(&buf, tc.format)
			if tc.refused != "" {
				if err == nil || err.Error() != tc.refused || buf.Len() > 0 {
					t.Fatalf("error %v with %d bytes written, want %q and nothing", err, buf.Len(), tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "product."+tc.format)
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			doc, err := ingest.File(path, ingest.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(doc.Gaps, gen.Gaps) || doc.GapCount != tc.gapCount {
				t.Errorf("gaps read back %+v (%d), want %+v (%d)", doc.Gaps, doc.GapCount, gen.Gaps, tc.gapCount)
			}
			if got := deepFacts(doc); !maps.EqualFunc(got, wantDeep, slices.Equal[[]string]) {
				t.Errorf("deep components read back\n%v\nwant\n%v", got, wantDeep)
			}
			tg := scanTarget(t, eng, path, signature.High)
			if tg.Verdict != dirScan.Verdict || tg.Complete() || !slices.Equal(tg.Gaps, dirScan.Gaps) || len(tg.Findings) != len(dirScan.Findings) {
				t.Errorf("scan: %s with %d findings, gaps %v; the tree: %s with %d findings, gaps %v",
					tg.Verdict, len(tg.Findings), tg.Gaps, dirScan.Verdict, len(dirScan.Findings), dirScan.Gaps)
			}
			if tg := scanTarget(t, eng, path, ""); tg.Verdict != result.Incomplete ||
				!strings.Contains(tg.IncompleteReason(), "first bin/nwpack: UPX-packed executable") {
				t.Errorf("scan with the gate off: %s, %q; want incomplete, naming bin/nwpack", tg.Verdict, tg.IncompleteReason())
			}
		})
	}
}

// TestWriteWithoutGaps: an SBOM with nothing of deep inspection to carry
// is syft's output, byte for byte, in every format (syft-json included).
func TestWriteWithoutGaps(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	product := t.TempDir()
	write(t, filepath.Join(product, "README"), []byte("Northwind Gateway 7.2\n"))
	res, err := Generate(context.Background(), "dir", product, engine(t), Options{Limits: walk.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.deepComponents()) > 0 || res.gapCount() > 0 {
		t.Fatalf("deep components %v, gaps %v", res.deepComponents(), res.Document.Gaps)
	}
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := res.Write(&buf, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		doc, err := ingest.Decode(format, &buf, ingest.DefaultOptions())
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(doc.Gaps) > 0 || doc.GapCount > 0 || strings.Contains(buf.String(), model.GapProperty) {
			t.Errorf("%s: gaps %v (%d) read from an SBOM without", format, doc.Gaps, doc.GapCount)
		}
	}
}

// TestSyftJSONRefusal: the message counts what syft-json would lose; with
// nothing to lose there is no error.
func TestSyftJSONRefusal(t *testing.T) {
	for _, tc := range []struct {
		files, gaps int
		want        string
	}{
		{0, 0, ""},
		{3, 0, "syft-json cannot carry the 3 files deep inspection learned about and 0 gaps; write cyclonedx-json or spdx-json"},
		{0, 2, "syft-json cannot carry the 0 files deep inspection learned about and 2 gaps; write cyclonedx-json or spdx-json"},
	} {
		err := syftJSONCarries(tc.files, tc.gaps)
		if got := errText(err); got != tc.want {
			t.Errorf("%d files, %d gaps: %q, want %q", tc.files, tc.gaps, got, tc.want)
		}
	}
}

// TestGapRecords: how each format records a document's gaps.
func TestGapRecords(t *testing.T) {
	gaps := []model.Gap{{Location: "a.zip", Reason: "not a valid zip: EOF"}, {Location: "b: c.bin", Reason: "UPX-packed executable: x"}}
	for _, tc := range []struct {
		name       string
		doc        model.Document
		cdx, spdx  []string
		spdxAnnots int
	}{
		{name: "none", doc: model.Document{}},
		{name: "listed", doc: model.Document{Gaps: gaps, GapCount: 2},
			cdx:  []string{"pedigree:gap=a.zip: not a valid zip: EOF", "pedigree:gap=b: c.bin: UPX-packed executable: x"},
			spdx: []string{"pedigree:gap a.zip: not a valid zip: EOF", "pedigree:gap b: c.bin: UPX-packed executable: x"}},
		{name: "counted", doc: model.Document{Gaps: gaps[:1], GapCount: 1001},
			cdx:  []string{"pedigree:gap=a.zip: not a valid zip: EOF", "pedigree:gap-count=1001"},
			spdx: []string{"pedigree:gap a.zip: not a valid zip: EOF", "pedigree:gap-count 1001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cdx := map[string]any{"metadata": map[string]any{"properties": []any{map[string]any{"name": "syft:x", "value": "y"}}}}
			addCycloneDXGaps(cdx, &tc.doc)
			var gotCDX []string
			for _, p := range cdx["metadata"].(map[string]any)["properties"].([]any)[1:] {
				m := p.(map[string]any)
				gotCDX = append(gotCDX, m["name"].(string)+"="+m["value"].(string))
			}
			if !slices.Equal(gotCDX, tc.cdx) {
				t.Errorf("cyclonedx-json: %q, want %q", gotCDX, tc.cdx)
			}
			spdx := map[string]any{"creationInfo": map[string]any{"created": "2026-01-02T03:04:05Z"}}
			addSPDXGaps(spdx, &tc.doc, "Tool: pedigree-1.0")
			anns, _ := spdx["annotations"].([]any)
			var gotSPDX []string
			for _, a := range anns {
				m := a.(map[string]any)
				if m["annotator"] != "Tool: pedigree-1.0" || m["annotationDate"] != "2026-01-02T03:04:05Z" || m["annotationType"] != "OTHER" {
					t.Errorf("spdx-json annotation %v", m)
				}
				gotSPDX = append(gotSPDX, m["comment"].(string))
			}
			if !slices.Equal(gotSPDX, tc.spdx) {
				t.Errorf("spdx-json: %q, want %q", gotSPDX, tc.spdx)
			}
		})
	}
}

// scanTarget scans one target with eng (and the real generator), gating
// on failOn ("" for no gate).
func scanTarget(t *testing.T, eng *match.Engine, target string, failOn signature.Severity) *result.Target {
	t.Helper()
	res, err := scan.Scan(context.Background(), scan.Config{Targets: []string{target}, Engine: eng, FailOn: failOn,
		Ingest: ingest.DefaultOptions(), Now: time.Now(), Generator: Generator{Engine: eng, Options: Options{Limits: walk.DefaultLimits()}}})
	if err != nil {
		t.Fatal(err)
	}
	tg := res.Targets[0]
	if tg.Verdict == result.Error {
		t.Fatalf("%s: %v", target, tg.Errors)
	}
	return tg
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
