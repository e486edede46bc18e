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
	// Image references are kept as they are; a name that is no reference
	// is a file beside the list.
	lists := t.TempDir()
	got, err = ReadList("list.txt", lists, strings.NewReader("registry:alpine\nalpine:latest\nlocalhost:5000/app:1\nalpine\n"))
	want = []string{"registry:alpine", "alpine:latest", "localhost:5000/app:1", filepath.Join(lists, "alpine")}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadList of image references: %q, %v; want %q", got, err, want)
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

// TestExpandNotes checks that sboms:DIR skips, with a note, the files that
// are certainly not SBOMs, and keeps every file that looks like one by
// name or content, broken or not, so that it fails closed.
func TestExpandNotes(t *testing.T) {
	files := map[string]string{
		"bids/a.cdx.json":       `{"bomFormat":"CycloneDX"}`,
		"bids/README.md":        "# Bids\n\nOne SBOM per vendor.\n",
		"bids/a.cdx.json.sig":   "\x00\x01\x02binary signature\xff",
		"bids/notes.txt":        "reviewed by legal\n",
		"bids/sbom-broken.txt":  "garbage, but named like an SBOM\n",
		"bids/vendor-b.json":    `{"broken":`,
		"bids/vendor-c.spdx":    "SPDXVersion: SPDX-2.3\n",
		"bids/vendor-d.xml":     "<bom",
		"bids/empty.json":       "  \n",
		"bids/sub/deep.txt":     "plain text\n",
		"junk/README.md":        "nothing here\n",
		"only/bom.json":         `{"spdxVersion":"SPDX-2.3"}`,
		"only/x.spdx.json":      `{}`,
		"mixed/bom.json":        `{}`,
		"mixed/main.go":         "package main\n",
		"mixed/.hidden/x.go":    "package x\n",
		"onlyhidden/.keep":      "",
		"only-with-hidden/.git": "x",
	}
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j := func(p string) string { return filepath.Join(dir, p) }
	for _, c := range []struct {
		name      string
		in        string
		want      []string
		wantNotes []string
	}{
		{"bids: README, signature and text skipped; broken SBOMs kept", "sboms:" + j("bids"),
			[]string{"sbom:" + j("bids/a.cdx.json"), "sbom:" + j("bids/empty.json"), "sbom:" + j("bids/sbom-broken.txt"),
				"sbom:" + j("bids/vendor-b.json"), "sbom:" + j("bids/vendor-c.spdx"), "sbom:" + j("bids/vendor-d.xml")},
			[]string{"sboms:" + j("bids") + ": skipped README.md: not an SBOM",
				"sboms:" + j("bids") + ": skipped a.cdx.json.sig: not an SBOM",
				"sboms:" + j("bids") + ": skipped notes.txt: not an SBOM",
				"sboms:" + j("bids") + ": skipped sub/deep.txt: not an SBOM"}},
		{"nothing but a README: kept as an error target, with the note", "sboms:" + j("junk"),
			[]string{"sboms:" + j("junk")}, []string{"sboms:" + j("junk") + ": skipped README.md: not an SBOM"}},
		{"only SBOMs: no note", "sboms:" + j("only"), []string{"sbom:" + j("only/bom.json"), "sbom:" + j("only/x.spdx.json")}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, notes := ExpandNotes([]string{c.in})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("targets\n got %q\nwant %q", got, c.want)
			}
			if !reflect.DeepEqual(notes, c.wantNotes) {
				t.Errorf("notes\n got %q\nwant %q", notes, c.wantNotes)
			}
		})
	}
	if err := dirError(j("junk")); err == nil || !strings.Contains(err.Error(), "no SBOM files in the directory (1 other files skipped)") {
		t.Errorf("dirError(junk) = %v", err)
	}

	for _, c := range []struct {
		dir  string
		want bool
	}{
		{"only", true},
		{"bids", false},
		{"mixed", false},
		{"onlyhidden", false},
		{"only-with-hidden", false},
		{"nowhere", false},
		{"only/bom.json", false},
	} {
		if got := OnlySBOMs(j(c.dir)); got != c.want {
			t.Errorf("OnlySBOMs(%s) = %v, want %v", c.dir, got, c.want)
		}
	}
}
