package serve

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// fileGenerator stands in for generate.Generator: it reads the artifact,
// a line per component ("name;supplier", or "GAP;reason" for a part not
// inspected), and records each call with the engine it was made for.
type fileGenerator struct {
	eng   *match.Engine
	calls *generatorCalls
}

type generatorCalls struct {
	mu      sync.Mutex
	names   []string
	engines []string
	active  int
	most    int
}

func (g fileGenerator) Generate(_ context.Context, s source.Scheme, path string) (*model.Document, source.Kind, error) {
	c := g.calls
	c.mu.Lock()
	c.names = append(c.names, filepath.Base(path))
	c.engines = append(c.engines, g.eng.Set().Digest)
	c.active++
	c.most = max(c.most, c.active)
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.active--; c.mu.Unlock() }()
	time.Sleep(20 * time.Millisecond) // long enough for overlapping calls to show

	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	base := filepath.Base(path)
	d := &model.Document{Format: model.FormatSyftJSON, Source: "generated", Roots: []string{"root"},
		Components: []*model.Component{{Ref: "root", Name: base}}}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		name, supplier, _ := strings.Cut(line, ";")
		if name == "GAP" {
			d.Gaps = append(d.Gaps, model.Gap{Location: base + "!inner.bin", Reason: supplier + " (read from " + path + ")"})
			d.GapCount++
			continue
		}
		c := &model.Component{Ref: "c" + string(rune('a'+i)), Name: name, Parent: "root", Locations: []string{base + "!" + name}}
		if supplier != "" {
			c.Supplier = &model.Party{Name: supplier}
		}
		d.Components = append(d.Components, c)
	}
	d.Normalize()
	return d, source.KindOf(s, false), nil
}

func TestArtifactSubmissions(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		calls := &generatorCalls{}
		gen := func(e *match.Engine) scan.Generator { return fileGenerator{eng: e, calls: calls} }
		src := &packSource{eng: nil}
		ts := newTestServer(t, openStore(t, url), nil, Config{Generator: gen, Reload: src.load})
		src.set(ts.eval.current(), nil)

		// An artifact whose inspection finds acme-core: a pass under the
		// embedded pack, stored as it came and inspected under its name.
		r := ts.as(t, store.Reviewer, "POST", "/api/v1/products/Acme%20Appliance/submissions?filename=../fw/acme+appliance%201.2.bin",
			[]byte("acme-core;Acme Corp\n"))
		if r.status != http.StatusCreated {
			t.Fatalf("artifact: %d %s", r.status, r.body)
		}
		var res SubmissionResult
		r.decode(t, &res)
		if res.Submission.Kind != "artifact" || res.Submission.Format != "" || res.Evaluation == nil || res.Evaluation.Verdict != "pass" {
			t.Fatalf("artifact submission: %+v", res)
		}
		if calls.names[0] != "acme_appliance_1.2.bin" {
			t.Errorf("inspected as %q", calls.names[0])
		}
		content, err := ts.store.Content(t.Context(), res.Submission.SHA256)
		if err != nil || string(content) != "acme-core;Acme Corp\n" {
			t.Errorf("stored content %q, %v: want the artifact as uploaded", content, err)
		}

		// A newer pack: the worker inspects the artifact's bytes again,
		// with a generator made for the new engine.
		newer := newerEngine(t)
		src.set(newer, nil)
		if _, err := ts.ReloadSignatures(t.Context(), "test"); err != nil {
			t.Fatal(err)
		}
		if before, err := ts.Submission(t.Context(), res.Submission.ID); err != nil || !before.Stale || before.Evaluation.Verdict != "pass" {
			t.Errorf("before the re-evaluation: stale %t, %v", before.Stale, err)
		}
		if ps, err := ts.Products(t.Context()); err != nil || len(ps) != 1 || !ps[0].Stale || ps[0].Verdict != "pass" {
			t.Errorf("the product before the re-evaluation: %+v, %v", ps, err)
		}
		if _, err := ts.Worker("w", WorkerOptions{}).Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		got, err := ts.Submission(t.Context(), res.Submission.ID)
		if err != nil || got.Stale || got.Evaluation.Verdict != "fail" || got.Evaluation.PackDigest != newer.Set().Digest {
			t.Fatalf("after the newer pack: %+v, %v", got.Evaluation, err)
		}
		if d, err := ts.ProductDetail(t.Context(), "Acme Appliance"); err != nil || d.Product.Stale || d.Product.Verdict != "fail" {
			t.Errorf("the product after the re-evaluation: %+v, %v", d.Product, err)
		}
		if n := len(calls.engines); n != 2 || calls.engines[1] != newer.Set().Digest {
			t.Errorf("generator calls under %v, want the second under the newer pack", calls.engines)
		}

		// A part not inspected makes it incomplete; the message names the
		// file as uploaded, not where the server wrote it.
		r = ts.as(t, store.Reviewer, "POST", "/api/v1/products/Packed/submissions?filename=packed.exe", []byte("GAP;UPX-packed\n"))
		r.decode(t, &res)
		if r.status != http.StatusCreated || res.Evaluation == nil || res.Evaluation.Verdict != "incomplete" {
			t.Fatalf("artifact with a gap: %d %s", r.status, r.body)
		}
		e, err := ts.store.LatestEvaluation(t.Context(), res.Submission.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(e.Findings), "pedigree-artifact-") || strings.Contains(string(r.body), os.TempDir()) {
			t.Errorf("the temporary directory shows: %s", r.body)
		}
		if entries, _ := filepath.Glob(filepath.Join(os.TempDir(), "pedigree-artifact-*")); len(entries) != 0 {
			t.Errorf("temporary directories left behind: %v", entries)
		}

		// A malformed SBOM is not taken for an artifact.
		if r := ts.as(t, store.Reviewer, "POST", "/api/v1/products/x/submissions", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [`)); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a malformed SBOM: %d %s", r.status, r.body)
		}
	})
}

// TestArtifactsOneAtATime: artifacts are inspected one at a time, however
// many arrive together.
func TestArtifactsOneAtATime(t *testing.T) {
	calls := &generatorCalls{}
	gen := func(e *match.Engine) scan.Generator { return fileGenerator{eng: e, calls: calls} }
	ts := newTestServer(t, openStore(t, pgtest.SQLiteURL(t)), nil, Config{Generator: gen})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			r := ts.as(t, store.Reviewer, "POST", "/api/v1/products/p/submissions?filename=a.bin", []byte("lib"+string(rune('a'+i))+";x\n"))
			if r.status != http.StatusCreated {
				t.Errorf("artifact %d: %d %s", i, r.status, r.body)
			}
		})
	}
	wg.Wait()
	if len(calls.names) != 4 || calls.most != 1 {
		t.Errorf("%d inspections, at most %d at once; want 4, one at a time", len(calls.names), calls.most)
	}
}

// TestNoGeneratorRefusesArtifacts: a server without a generator takes
// SBOMs only, and says so.
func TestNoGeneratorRefusesArtifacts(t *testing.T) {
	ts := newTestServer(t, openStore(t, pgtest.SQLiteURL(t)), nil, Config{})
	r := ts.as(t, store.Reviewer, "POST", "/api/v1/products/p/submissions", []byte("\x7fELF binary"))
	if r.status != http.StatusUnsupportedMediaType || !strings.Contains(r.errorText(t), "accepts only SBOMs") {
		t.Errorf("%d %s", r.status, r.body)
	}
}

func TestArtifactName(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "artifact",
		"setup.exe":                          "setup.exe",
		"../../etc/passwd":                   "passwd",
		`C:\Users\x\kav sdk 8.msi`:           "kav_sdk_8.msi",
		".hidden.jar":                        "hidden.jar",
		"...":                                "artifact",
		"naïve.zip":                          "na__ve.zip",
		strings.Repeat("a", 300) + ".tar.gz": strings.Repeat("a", maxArtifactName-3) + ".gz",
	} {
		if got := artifactName(in); got != want {
			t.Errorf("artifactName(%q) = %q, want %q", in, got, want)
		}
	}
}
