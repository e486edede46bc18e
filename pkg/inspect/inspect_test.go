package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

func TestWrite(t *testing.T) {
	doc, err := ingest.File("../../fixtures/sbom/acme-suite.cdx-1.6.json", ingest.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := Write(&table, doc, "table"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"4 components", "path:      Acme Desktop Suite > acme-core > libpng > zlib", "supplier:  Acme Software Inc."} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	var out bytes.Buffer
	if err := Write(&out, doc, "json"); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("json output does not parse: %v", err)
	}
	if strings.Contains(out.String(), "null") {
		t.Error("json output has null lists")
	}
	if err := Write(&out, doc, "yaml"); err == nil {
		t.Error("an unknown format must be refused")
	}
}

// TestWriteJSONStreamed: the components, encoded one at a time, give the
// same bytes as the whole annotated document encoded at once.
func TestWriteJSONStreamed(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/*/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range files {
		doc, err := ingest.File(name, ingest.DefaultOptions())
		if err != nil {
			continue // not an SBOM (README.md)
		}
		n++
		for _, opt := range []Options{{}, {FullPaths: true}} {
			var got, want bytes.Buffer
			if err := WriteOptions(&got, doc, "json", opt); err != nil {
				t.Fatal(err)
			}
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(newAnnotator(doc, opt).document()); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s %+v: streamed JSON differs from the document encoded whole:\n%s\nwant\n%s", name, opt, got.String(), want.String())
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d fixtures read", n)
	}
	var got bytes.Buffer
	if err := Write(&got, &model.Document{Source: "empty"}, "json"); err != nil || !strings.Contains(got.String(), `"components": []`) {
		t.Errorf("empty document: %v\n%s", err, got.String())
	}
}

// chain is a product root and n components c0..c(n-1), each depending on
// the next.
func chain(n int) *model.Document {
	d := &model.Document{Source: "chain", Roots: []string{"root"}, Components: []*model.Component{{Ref: "root", Name: "product"}}}
	prev := "root"
	for i := range n {
		ref := fmt.Sprintf("c%d", i)
		d.Components = append(d.Components, &model.Component{Ref: ref, Name: fmt.Sprintf("klif.%d.sys", i)})
		d.Relationships = append(d.Relationships, model.NewRelationship(prev, "DEPENDS_ON", ref))
		prev = ref
	}
	return d
}

// TestWriteLongPaths: a long path is shortened to its first and last
// steps with how many were left out, unless full paths are asked for.
func TestWriteLongPaths(t *testing.T) {
	doc := chain(12)
	var table bytes.Buffer
	if err := Write(&table, doc, "table"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"path:  product > klif.0.sys > klif.1.sys > klif.2.sys > … 5 more … > klif.8.sys > klif.9.sys > klif.10.sys > klif.11.sys\n",
		// Nine steps are shown whole: leaving one out would save nothing.
		"path:  product > klif.0.sys > klif.1.sys > klif.2.sys > klif.3.sys > klif.4.sys > klif.5.sys > klif.6.sys > klif.7.sys\n",
		"path:  product > klif.0.sys\n",
	} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	var full bytes.Buffer
	if err := WriteOptions(&full, doc, "table", Options{FullPaths: true}); err != nil {
		t.Fatal(err)
	}
	if want := "path:  product > klif.0.sys > klif.1.sys > klif.2.sys > klif.3.sys > klif.4.sys > klif.5.sys > klif.6.sys > klif.7.sys > klif.8.sys > klif.9.sys > klif.10.sys > klif.11.sys\n"; !strings.Contains(full.String(), want) || strings.Contains(full.String(), "more") {
		t.Errorf("full paths: want %q in\n%s", want, full.String())
	}

	var out bytes.Buffer
	if err := Write(&out, doc, "json"); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Components []struct {
			Ref          string   `json:"ref"`
			Path         []string `json:"path"`
			PathRefs     []string `json:"pathRefs"`
			PathLength   *int     `json:"pathLength"`
			PathElided   *int     `json:"pathElided"`
			PathElidedAt *int     `json:"pathElidedAt"`
		} `json:"components"`
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	last := v.Components[len(v.Components)-1]
	if want := []string{"root", "c0", "c1", "c2", "c8", "c9", "c10", "c11"}; !slices.Equal(last.PathRefs, want) {
		t.Errorf("pathRefs = %v, want %v", last.PathRefs, want)
	}
	if last.PathLength == nil || *last.PathLength != 13 || last.PathElided == nil || *last.PathElided != 5 || last.PathElidedAt == nil || *last.PathElidedAt != 4 {
		t.Errorf("pathLength, pathElided, pathElidedAt = %v, %v, %v; want 13, 5, 4", last.PathLength, last.PathElided, last.PathElidedAt)
	}
	if c := v.Components[8]; len(c.Path) != 9 || c.PathLength != nil || c.PathElided != nil || c.PathElidedAt != nil {
		t.Errorf("a path of nine steps is whole, without the keys: %+v", c)
	}
}

// TestWriteLongChainLinear: inspect of a long chain writes output in
// proportion to the number of components, not to the sum of the paths'
// lengths (which is what showing every path whole would give).
func TestWriteLongChainLinear(t *testing.T) {
	const n = 20000
	doc := chain(n)
	for _, format := range Formats {
		var out bytes.Buffer
		if err := Write(&out, doc, format); err != nil {
			t.Fatal(err)
		}
		if per := out.Len() / n; per > 1000 {
			t.Errorf("%s: %d bytes for %d components, %d per component", format, out.Len(), n, per)
		}
	}
}
