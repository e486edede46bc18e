package ingest_test

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
)

// TestMalformed shows that broken input gives one error line naming the
// input and the problem, of the right kind, and never a panic.
func TestMalformed(t *testing.T) {
	deepJSON := `{"bomFormat":"CycloneDX","specVersion":"1.6","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`
	deepXML := `<bom xmlns="http://cyclonedx.org/schema/bom/1.6">` + strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000) + `</bom>`
	deepYAML := "spdxVersion: SPDX-2.3\nx: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	tests := []struct {
		name  string
		input string
		kind  ingest.Kind
		want  string
	}{
		{"empty", "", ingest.KindNotSBOM, "in: empty input (nothing but white space)"},
		{"white space", " \n\t\r\n ", ingest.KindNotSBOM, "in: empty input"},
		{"truncated json", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "compo`, ingest.KindMalformed, "in: malformed json: truncated: the input ends after 55 bytes, inside an unfinished value"},
		{"json syntax", "{\n\"bomFormat\": \"CycloneDX\",,\n}", ingest.KindMalformed, "in: malformed json at line 2, column 26: invalid character ',' looking for beginning of object key string"},
		{"wrong type", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":{"a":1}}`, ingest.KindMalformed, "in: malformed cyclonedx-json: field components: got JSON object, want []cyclonedx.Component"},
		{"specVersion number", `{"bomFormat":"CycloneDX","specVersion":1.6}`, ingest.KindMalformed, `in: malformed cyclonedx-json: specVersion is 1.6, want a string such as "1.6"`},
		{"bomFormat other", `{"bomFormat":"Other","specVersion":"1.6"}`, ingest.KindNotSBOM, `in: not an SBOM: bomFormat is "Other", want "CycloneDX"`},
		{"unsupported cyclonedx", `{"bomFormat":"CycloneDX","specVersion":"2.0"}`, ingest.KindUnsupportedVersion, `in: cyclonedx-json version "2.0" is not supported (supported: 1.2–1.7)`},
		{"unsupported spdx", `{"spdxVersion":"SPDX-1.2"}`, ingest.KindUnsupportedVersion, `in: spdx-json version "SPDX-1.2" is not supported`},
		{"spdx 3", `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}`, ingest.KindUnsupportedVersion, "in: SPDX 3.0.1 (JSON-LD) is not yet supported: convert it to SPDX 2.3 or CycloneDX"},
		{"json array", `[1,2]`, ingest.KindNotSBOM, "in: not an SBOM: JSON top level is an array, want an object"},
		{"binary", "\x00\x01\x02\xff\xfe garbage", ingest.KindNotSBOM, "in: not an SBOM: binary content"},
		{"plain text", "hello world\n", ingest.KindNotSBOM, "in: not an SBOM: no CycloneDX, SPDX or syft marker found"},
		{"other xml", `<html><body/></html>`, ingest.KindNotSBOM, "in: not an SBOM: XML root element <html> is neither"},
		{"bad xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components></bom>`, ingest.KindMalformed, "in: malformed"},
		{"xml namespace", `<bom xmlns="http://cyclonedx.org/schema/bom/2.0"/>`, ingest.KindUnsupportedVersion, `in: cyclonedx-xml version "2.0" is not supported`},
		{"deep json", deepJSON, ingest.KindLimit, "in: nesting is deeper than the limit of 1000 levels"},
		{"deep xml", deepXML, ingest.KindLimit, "in: nesting is deeper than the limit of 1000 levels"},
		{"deep yaml", deepYAML, ingest.KindLimit, "in: nesting is deeper than the limit of 1000 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ingest.Decode("in", strings.NewReader(tt.input), ingest.DefaultOptions())
			if err == nil {
				t.Fatalf("want an error, got a document with %d components", len(doc.Components))
			}
			if got := ingest.KindOf(err); got != tt.kind {
				t.Errorf("kind %v, want %v (%v)", got, tt.kind, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got %q\nwant prefix %q", err, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// TestSizeLimit shows that an input over MaxBytes is refused, not buffered.
func TestSizeLimit(t *testing.T) {
	opts := ingest.DefaultOptions()
	opts.MaxBytes = 1024
	input := `{"bomFormat":"CycloneDX","specVersion":"1.6","x":"` + strings.Repeat("a", 4096) + `"}`
	_, err := ingest.Decode("big.json", strings.NewReader(input), opts)
	if ingest.KindOf(err) != ingest.KindLimit || !strings.Contains(err.Error(), "big.json: input is larger than the 1024-byte limit") {
		t.Errorf("got %v", err)
	}
	opts.MaxDepth = 3
	opts.MaxBytes = 0
	_, err = ingest.Decode("deep.json", strings.NewReader(`{"bomFormat":"CycloneDX","specVersion":"1.6","a":[[[[]]]]}`), opts)
	if ingest.KindOf(err) != ingest.KindLimit || !strings.Contains(err.Error(), "limit of 3 levels") {
		t.Errorf("configured depth: got %v", err)
	}
}

// whitespace yields n bytes of white space without holding them.
type whitespace struct{ n int64 }

func (w *whitespace) Read(p []byte) (int, error) {
	if w.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), w.n)
	for i := range p[:k] {
		p[i] = " \n\t"[i%3]
	}
	w.n -= k
	return int(k), nil
}

// TestWhitespaceMemory shows that 100 MB of white space is refused as empty
// input in bounded memory: the reader does not keep what it skips.
func TestWhitespaceMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ingest.Decode("space.json", &whitespace{n: 100 << 20}, ingest.DefaultOptions())
	runtime.ReadMemStats(&after)
	if ingest.KindOf(err) != ingest.KindNotSBOM || !strings.Contains(err.Error(), "empty input") {
		t.Fatalf("got %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes for 100 MB of white space, want under 4 MiB", alloc)
	}
	// White space before a real document is skipped the same way.
	r := io.MultiReader(&whitespace{n: 10 << 20}, bytes.NewReader([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`)))
	if _, err := ingest.Decode("lead.json", r, ingest.DefaultOptions()); err != nil {
		t.Errorf("document after white space: %v", err)
	}
}
