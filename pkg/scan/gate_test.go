package scan

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// TestVerdict: the verdict of an evaluated target, from its findings, its
// gaps and the gate. Only a complete target without gating findings
// passes; with the gate off, findings are to be reviewed, never passed.
func TestVerdict(t *testing.T) {
	gating := &result.Finding{Gating: true}
	below := &result.Finding{}
	waived := &result.Finding{Suppressed: true}
	gap := []model.Gap{{Location: "a.zip!b.zip", Reason: "zip archive nested deeper than 1 levels (limit archive-depth), not opened", Limit: "archive-depth"}}
	for _, c := range []struct {
		name     string
		findings []*result.Finding
		gaps     []model.Gap
		failOn   signature.Severity
		allow    bool
		want     result.Verdict
	}{
		{"clean", nil, nil, signature.High, false, result.Pass},
		{"below the gate", []*result.Finding{below}, nil, signature.High, false, result.Pass},
		{"gating", []*result.Finding{below, gating}, nil, signature.High, false, result.Fail},
		{"gate off with findings", []*result.Finding{below}, nil, "", false, result.Review},
		{"gate off, all waived", []*result.Finding{waived}, nil, "", false, result.Pass},
		{"gate off, nothing found", nil, nil, "", false, result.Pass},
		{"gap", nil, gap, signature.High, false, result.Incomplete},
		{"gap, findings below the gate", []*result.Finding{below}, gap, signature.High, false, result.Incomplete},
		{"gap and gating: the finding is certain", []*result.Finding{gating}, gap, signature.High, false, result.Fail},
		{"gap, gate off", []*result.Finding{below}, gap, "", false, result.Incomplete},
		{"gap allowed", nil, gap, signature.High, true, result.Pass},
		{"gap allowed, gate off with findings", []*result.Finding{below}, gap, "", true, result.Review},
	} {
		t.Run(c.name, func(t *testing.T) {
			tg := &result.Target{Findings: c.findings, Gaps: c.gaps, GapCount: len(c.gaps), Verdict: result.Pass}
			if got := verdict(tg, Config{FailOn: c.failOn, AllowIncomplete: c.allow}); got != c.want {
				t.Errorf("verdict %s, want %s", got, c.want)
			}
		})
	}
}

// TestTargetsThatAreNoSBOM: a file given as a target that looks like an
// SBOM, by its name or its keys, and cannot be read as one is an error;
// so is an empty file and anything that is not a regular file. None of
// them may reach generation, where they would pass.
func TestTargetsThatAreNoSBOM(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeFile(t, dir, name, content) }
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zorbex := `"components":[{"bom-ref":"a","type":"library","name":"x","supplier":{"name":"Zorbex"}}]`
	for _, c := range []struct {
		target, want string
	}{
		{write("empty.json", ""), "empty file (0 bytes): nothing to evaluate"},
		{write("blank.json", "  \n\t "), "blank.json: nothing but white space: nothing to evaluate"},
		{write("bom-only.json", "\xef\xbb\xbf"), "bom-only.json: nothing but white space: nothing to evaluate"},
		{"sbom:", "sbom:: no path after the scheme"},
		{"dir:", "dir:: no path after the scheme"},
		{"sboms:", "sboms:: no path after the scheme"},
		{"dir:" + write("notdir.json", "{}"), "notdir.json: not a directory (a regular file)"},
		{write("object.json", "{}\n"), "an empty JSON object"},
		{write("nomarker.json", `{"specVersion":"1.1",`+zorbex+`}`), "looks like CycloneDX (specVersion \"1.1\", components) but has no bomFormat"},
		{write("meta.json", `{"metadata":{},`+zorbex+`}`), "looks like CycloneDX (components, metadata) but has no bomFormat"},
		{write("spdx.json", `{"SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":"x","supplier":"Organization: Zorbex"}]}`), "looks like SPDX (SPDXID, packages) but has no spdxVersion"},
		{write("bom.xml", `<bom><components/></bom>`), "looks like CycloneDX (a <bom> root element) but has no CycloneDX namespace"},
		{write("product.cdx.json", "a plain text note"), "the file is named like an SBOM"},
		{write("sbom-2026.json", `{"name":"not an sbom"}`), "the file is named like an SBOM"},
		{fifo, "not a regular file (a named pipe)"},
		{"sbom:" + fifo, "not a regular file (a named pipe)"},
		{"file:" + fifo, "not a regular file (a named pipe)"},
		{"/dev/zero", "not a regular file (a character device)"},
	} {
		t.Run(filepath.Base(c.target), func(t *testing.T) {
			done := make(chan *result.Result, 1)
			go func() { done <- run(t, signature.High, nil, c.target) }()
			var res *result.Result
			select {
			case res = <-done:
			case <-time.After(time.Minute):
				t.Fatal("the scan did not return")
			}
			tg := res.Targets[0]
			if tg.Verdict != result.Error || len(tg.Errors) == 0 || !strings.Contains(tg.Errors[0], c.want) {
				t.Errorf("verdict %s, errors %q; want an error saying %q", tg.Verdict, tg.Errors, c.want)
			}
		})
	}
}

// TestCycloneDXWithoutBOMFormat: a CycloneDX document that lost its
// bomFormat but has a specVersion and components is read as what it is,
// with a warning.
func TestCycloneDXWithoutBOMFormat(t *testing.T) {
	p := filepath.Join(t.TempDir(), "product.json")
	data, err := os.ReadFile("testdata/product.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(`"bomFormat": "CycloneDX",`), nil, 1)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tg := run(t, signature.High, nil, p).Targets[0]
	if tg.Verdict != result.Fail || tg.Source != "sbom" || len(tg.Findings) != 2 {
		t.Fatalf("verdict %s, source %s, %d findings, errors %q", tg.Verdict, tg.Source, len(tg.Findings), tg.Errors)
	}
	want := "no bomFormat: read as CycloneDX 1.6 from its specVersion and components, dependencies, metadata"
	if !strings.Contains(strings.Join(tg.Document.Warnings, "\n"), want) {
		t.Errorf("warnings %q, want %q", tg.Document.Warnings, want)
	}
}

// TestStdinBounded: standard input is refused as soon as it shows binary
// content, and past the sbom-bytes limit without holding more than it.
func TestStdinBounded(t *testing.T) {
	scanStdin := func(r io.Reader, opts ingest.Options) *result.Target {
		res, err := Scan(context.Background(), Config{Targets: []string{"-"}, Engine: engine(t), FailOn: signature.High,
			Ingest: opts, Now: now, Stdin: r})
		if err != nil {
			t.Fatal(err)
		}
		return res.Targets[0]
	}
	zeros := &endless{b: 0}
	tg := scanStdin(zeros, ingest.DefaultOptions())
	if tg.Verdict != result.Error || !strings.Contains(tg.Errors[0], "not an SBOM: binary content") || zeros.n > 1<<20 {
		t.Errorf("zeros: verdict %s, %q after %d bytes", tg.Verdict, tg.Errors, zeros.n)
	}
	opts := ingest.DefaultOptions()
	opts.MaxBytes = 8 << 20
	braces := &endless{b: '{'}
	tg = scanStdin(braces, opts)
	if tg.Verdict != result.Error || !strings.Contains(tg.Errors[0], "(limit sbom-bytes)") || braces.n > opts.MaxBytes+2<<20 {
		t.Errorf("braces: verdict %s, %q after %d bytes", tg.Verdict, tg.Errors, braces.n)
	}
}

// endless reads the byte b forever, counting what it gave.
type endless struct {
	b byte
	n int64
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.b
	}
	e.n += int64(len(p))
	return len(p), nil
}
