package scan

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bids/b.json", "bids/a.json", "bids/sub/c.json", "bids/.git/config", "bids/.hidden.json", "star*.json", "empty/.keep"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j := func(p string) string { return filepath.Join(dir, p) }
	for _, c := range []struct {
		name string
		in   []string
		want []string
	}{
		{"plain targets kept in order, twice when given twice", []string{j("x"), "-", j("x")}, []string{j("x"), "-", j("x")}},
		{"pattern sorted", []string{j("bids/*.json")}, []string{j("bids/a.json"), j("bids/b.json")}},
		{"pattern without a match kept", []string{j("none/*.json")}, []string{j("none/*.json")}},
		{"a file whose name is a pattern", []string{j("star*.json")}, []string{j("star*.json")}},
		{"scheme-prefixed sources are not patterns", []string{"sbom:" + j("bids/*.json")}, []string{"sbom:" + j("bids/*.json")}},
		{"sboms:DIR recursive, sorted, hidden skipped", []string{"sboms:" + j("bids")},
			[]string{"sbom:" + j("bids/a.json"), "sbom:" + j("bids/b.json"), "sbom:" + j("bids/sub/c.json")}},
		{"sboms:DIR missing or empty kept", []string{"sboms:" + j("nowhere"), "sboms:" + j("empty")}, []string{"sboms:" + j("nowhere"), "sboms:" + j("empty")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Expand(c.in); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Expand(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

func TestReadList(t *testing.T) {
	list := "# bids\n\n  a.json  \nsbom:b.json\n/abs/c.json\ndocker-archive:img.tar\n../d.json\n"
	got, err := ReadList("list.txt", "lists", strings.NewReader(list))
	want := []string{filepath.Join("lists", "a.json"), "sbom:" + filepath.Join("lists", "b.json"), "/abs/c.json",
		"docker-archive:" + filepath.Join("lists", "img.tar"), "d.json"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadList: %q, %v; want %q", got, err, want)
	}
	if got, _ := ReadList("-", "", strings.NewReader("a.json\n")); !reflect.DeepEqual(got, []string{"a.json"}) {
		t.Errorf("no directory: %q", got)
	}
	if _, err := ReadList("list.txt", "", strings.NewReader("a.json\n-\n")); err == nil || !strings.Contains(err.Error(), "list.txt:2: standard input cannot be named in a list") {
		t.Errorf("stdin in a list: %v", err)
	}
}

// TestTrimmedDocuments: once matched, a document keeps only what reports
// show, unless KeepDocuments; the component count is the whole document's.
func TestTrimmedDocuments(t *testing.T) {
	target := filepath.Join("testdata", "product.cdx.json")
	whole, err := ingest.File(target, ingest.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []bool{false, true} {
		res, err := Scan(context.Background(), Config{Targets: []string{target}, Engine: engine(t), FailOn: signature.High,
			Ingest: ingest.DefaultOptions(), KeepDocuments: keep})
		if err != nil {
			t.Fatal(err)
		}
		tg := res.Targets[0]
		if tg.Components != len(whole.Components) || len(tg.Findings) == 0 {
			t.Fatalf("keep %v: %d components counted, want %d; %d findings", keep, tg.Components, len(whole.Components), len(tg.Findings))
		}
		kept := map[string]bool{}
		for _, c := range tg.Document.Components {
			kept[c.Ref] = true
		}
		for _, f := range tg.Findings {
			for _, ref := range f.Path {
				if !kept[ref] {
					t.Errorf("keep %v: %s on a finding's path was dropped", keep, ref)
				}
			}
		}
		if n := len(tg.Document.Components); keep && n != len(whole.Components) || !keep && n >= len(whole.Components) {
			t.Errorf("keep %v: %d of %d components kept", keep, n, len(whole.Components))
		}
	}
}
