package scan

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// TestImageReferences: registry:REF goes to the generator as a registry
// image, and so does a bare reference that is not a path and names a
// registry host or a tag or digest; anything else stays a path, so a
// mistyped file name is a file that cannot be opened, never a pull.
func TestImageReferences(t *testing.T) {
	eng := engine(t) // before the working directory changes
	scanIn := func(g Generator, target string) *result.Target {
		res, err := Scan(context.Background(), Config{Targets: []string{target}, Engine: eng, FailOn: signature.High,
			Ingest: ingest.DefaultOptions(), Now: now, Generator: g})
		if err != nil {
			t.Fatal(err)
		}
		return res.Targets[0]
	}
	dir := t.TempDir()
	t.Chdir(dir)
	for _, d := range []string{"bids"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, dir, "app:1", "\x7fELF (c) 2024 Zorbex AG")
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, c := range []struct {
		target, call string
	}{
		{"registry:alpine:latest", "registry alpine:latest"},
		{"registry:alpine", "registry alpine"},
		{"alpine:latest", "registry alpine:latest"},
		{"localhost:5000/app:1", "registry app:1"},
		{"localhost/app", "registry app"},
		{"127.0.0.1:5000/team/app", "registry app"},
		{"ghcr.io/x/y", "registry y"},
		{"ghcr.io/x/y@" + digest, "registry y@" + digest},
		{"app:1", "file app:1"}, // an existing file
	} {
		g := &fakeGenerator{doc: zorbexDoc()}
		tg := scanIn(g, c.target)
		if len(g.calls) != 1 || g.calls[0] != c.call {
			t.Errorf("%s: generator calls %q, want %q (%v)", c.target, g.calls, c.call, tg.Errors)
			continue
		}
		want := source.KindImage
		if strings.HasPrefix(c.call, "file") {
			want = source.KindFile
		}
		if tg.Verdict != result.Fail || tg.Source != want {
			t.Errorf("%s: verdict %s, source %s", c.target, tg.Verdict, tg.Source)
		}
	}
	for _, c := range []struct{ target, err string }{
		{"alpine", "alpine: cannot open: no such file"},
		{"bom.json", "bom.json: cannot open: no such file"},
		{"missing/bom.json", "cannot open: no such file"},
		{"bids/v1:final.json", `unknown source scheme "bids/v1"`}, // bids/ exists: a path
		{"Alpine:latest", `unknown source scheme "Alpine"`},
		// A missing file whose name could parse as a reference is a file.
		{"bid:v2.json", `unknown source scheme "bid"`},
		{"reports.2024/bid.spdx.json", "cannot open: no such file"},
		{"Product.ZIP", "cannot open: no such file"},
		{"registry:", "no path after the scheme"},
		{"registry:Not A/Ref", "registry:Not A/Ref: not an image reference"},
	} {
		g := &fakeGenerator{doc: zorbexDoc()}
		tg := scanIn(g, c.target)
		if len(g.calls) != 0 || tg.Verdict != result.Error || len(tg.Errors) != 1 || !strings.Contains(tg.Errors[0], c.err) {
			t.Errorf("%s: calls %q, verdict %s, errors %q; want an error with %q", c.target, g.calls, tg.Verdict, tg.Errors, c.err)
		}
	}
}
