package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// fakeGenerator stands in for generate.Generator, which runs syft: it
// records what it is asked to generate and returns a document made by
// doc, so that scan's own logic is tested without cataloging anything
// (pkg/generate tests scan with the real one).
type fakeGenerator struct {
	mu    sync.Mutex
	calls []string
	doc   func() *model.Document
	err   error
}

func (g *fakeGenerator) Generate(_ context.Context, s source.Scheme, path string) (*model.Document, source.Kind, error) {
	g.mu.Lock()
	g.calls = append(g.calls, string(s)+" "+filepath.Base(path))
	g.mu.Unlock()
	if g.err != nil {
		return nil, "", g.err
	}
	doc := g.doc()
	return doc, source.KindOf(s, strings.HasSuffix(path, ".zip")), nil
}

// zorbexDoc is a generated document with a library that names Zorbex as
// its maker, and the gaps given.
func zorbexDoc(gaps ...model.Gap) func() *model.Document {
	return func() *model.Document {
		d := &model.Document{Format: model.FormatSyftJSON, Source: "generated",
			Components: []*model.Component{{Ref: "c1", Name: "libzx", Supplier: &model.Party{Name: "Zorbex AG"}}},
			Gaps:       gaps, GapCount: len(gaps)}
		d.Normalize()
		return d
	}
}

func scanWith(t *testing.T, g Generator, failOn signature.Severity, allow bool, targets ...string) *result.Result {
	t.Helper()
	res, err := Scan(context.Background(), Config{Targets: targets, Engine: engine(t), FailOn: failOn,
		Ingest: ingest.DefaultOptions(), Now: now, Generator: g, AllowIncomplete: allow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGeneratedTargets: every target that is not an SBOM goes to the
// generator with the scheme it was given or that its type implies, and
// the report's source kind is the generator's; SBOMs never do.
func TestGeneratedTargets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeFile(t, dir, name, content) }
	product := filepath.Join(dir, "product")
	if err := os.Mkdir(product, 0o755); err != nil {
		t.Fatal(err)
	}
	lib := write("libzx.so", "\x7fELF (c) 2024 Zorbex AG")
	fw := write("fw.zip", "PK\x03\x04 not much of a zip")
	sbom := write("product.cdx.json", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`)
	for _, c := range []struct {
		target, call string
		kind         source.Kind
	}{
		{product, "dir product", source.KindDir},
		{"dir:" + product, "dir product", source.KindDir},
		{lib, "file libzx.so", source.KindFile},
		{fw, "file fw.zip", source.KindArchive},
		{"file:" + sbom, "file product.cdx.json", source.KindFile},
		{"docker-archive:" + fw, "docker-archive fw.zip", source.KindImage},
		{"oci-archive:" + fw, "oci-archive fw.zip", source.KindImage},
		{"oci-dir:" + product, "oci-dir product", source.KindImage},
		{sbom, "", source.KindSBOM},
		{"sbom:" + sbom, "", source.KindSBOM},
	} {
		g := &fakeGenerator{doc: zorbexDoc()}
		tg := scanWith(t, g, signature.High, false, c.target).Targets[0]
		call := strings.Join(g.calls, "; ")
		if call != c.call || tg.Source != c.kind {
			t.Errorf("%s: generated %q as %s, want %q as %s (%v)", c.target, call, tg.Source, c.call, c.kind, tg.Errors)
		}
		if c.call != "" && (tg.Verdict != result.Fail || len(tg.Findings) != 1) {
			t.Errorf("%s: verdict %s, %d findings (%v)", c.target, tg.Verdict, len(tg.Findings), tg.Errors)
		}
	}
}

// TestWithoutGenerator: a scan given no generator (a program that reads
// SBOMs only) turns every target that needs one into an error, never a
// pass; its SBOM targets are read as usual.
func TestWithoutGenerator(t *testing.T) {
	dir := t.TempDir()
	res := scanWith(t, nil, signature.High, false, dir, "testdata/product.cdx.json")
	tg := res.Targets[0]
	if tg.Verdict != result.Error || len(tg.Errors) != 1 || !strings.Contains(tg.Errors[0], ErrNoGenerator.Error()) {
		t.Errorf("directory without a generator: verdict %s, errors %v", tg.Verdict, tg.Errors)
	}
	if res.Targets[1].Verdict != result.Fail {
		t.Errorf("SBOM: verdict %s", res.Targets[1].Verdict)
	}
	if !errors.Is(res.Err(), result.ErrNotEvaluated) {
		t.Errorf("Err() = %v", res.Err())
	}
}

// TestGeneratedGaps: what generation could not inspect decides the
// verdict as scan's gate says: a gap without a gating finding is
// incomplete, allowed it is what was read, and a gating finding is a
// failure whatever was not read. A generator's error is the target's.
func TestGeneratedGaps(t *testing.T) {
	dir := t.TempDir()
	gap := model.Gap{Location: "level0.zip!level1.zip!level2.zip", Limit: "archive-depth",
		Reason: "zip archive nested deeper than 2 levels (limit archive-depth), not opened"}
	clean := func() *model.Document {
		d := zorbexDoc(gap)()
		d.Components[0].Supplier = &model.Party{Name: "Northwind"}
		return d
	}
	for _, c := range []struct {
		name   string
		g      *fakeGenerator
		failOn signature.Severity
		allow  bool
		want   result.Verdict
	}{
		{"gap, nothing found", &fakeGenerator{doc: clean}, signature.High, false, result.Incomplete},
		{"gap allowed", &fakeGenerator{doc: clean}, signature.High, true, result.Pass},
		{"gap and a gating finding", &fakeGenerator{doc: zorbexDoc(gap)}, signature.High, false, result.Fail},
		{"gap and a finding below the gate", &fakeGenerator{doc: zorbexDoc(gap)}, signature.Critical, false, result.Incomplete},
		{"generator error", &fakeGenerator{err: fmt.Errorf("%s: cataloging: broken", dir)}, signature.High, true, result.Error},
	} {
		t.Run(c.name, func(t *testing.T) {
			tg := scanWith(t, c.g, c.failOn, c.allow, dir).Targets[0]
			if tg.Verdict != c.want {
				t.Errorf("verdict %s, want %s (gaps %v, errors %v)", tg.Verdict, c.want, tg.Gaps, tg.Errors)
			}
			if c.g.err == nil && (len(tg.Gaps) != 1 || tg.Gaps[0] != gap || tg.GapCount != 1) {
				t.Errorf("gaps %+v (%d), want the generator's", tg.Gaps, tg.GapCount)
			}
		})
	}
}

// writeFile writes content to dir/name and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
