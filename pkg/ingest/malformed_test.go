package ingest_test

import (
	"bytes"
	"fmt"
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
	spdx3 := `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld",`
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
		{"spdx 3.1", `{"@context":"https://spdx.org/rdf/3.1/spdx-context.jsonld","@graph":[]}`, ingest.KindUnsupportedVersion, "in: SPDX 3.1 (JSON-LD) is not supported (supported: SPDX 3.0, SPDX 2.1–2.3)"},
		{"spdx 3 as spdxVersion", `{"spdxVersion":"SPDX-3.0"}`, ingest.KindUnsupportedVersion, `in: spdx-json version "SPDX-3.0" is not supported (supported: SPDX-2.1, SPDX-2.2, SPDX-2.3; SPDX 3 is read as JSON-LD with an @context)`},
		{"spdx 3 truncated", spdx3 + `"@graph":[{"type":"software_Package",`, ingest.KindMalformed, "in: malformed json: truncated: the input ends after 98 bytes, inside an unfinished value"},
		{"spdx 3 syntax", spdx3 + "\"@graph\":[\n {\"type\" \"software_Package\"}]}", ingest.KindMalformed, "in: malformed json at line 2, column 10: invalid character '\"' after object key"},
		{"spdx 3 empty graph", spdx3 + `"@graph":[]}`, ingest.KindMalformed, "in: malformed spdx3-jsonld: @graph has no elements: nothing to evaluate (at line 1, column 71)"},
		{"spdx 3 graph object", spdx3 + `"@graph":{"type":"software_Package"}}`, ingest.KindMalformed, "in: malformed spdx3-jsonld: @graph is a JSON object, want an array of elements (at line 1, column 71)"},
		{"spdx 3 element number", spdx3 + "\"@graph\":[\n 42]}", ingest.KindMalformed, "in: malformed spdx3-jsonld: @graph[0] is a JSON number, want an element object (at line 2, column 2)"},
		{"spdx 3 no type", spdx3 + "\"@graph\":[\n {\"type\":\"SpdxDocument\",\"spdxId\":\"d\"},\n {\"spdxId\":\"p\",\"name\":\"x\"}]}", ingest.KindMalformed, `in: malformed spdx3-jsonld: @graph[1] ("p") has no type (at line 3, column 2)`},
		{"spdx 3 wrong type", spdx3 + "\"@graph\":[\n {\"type\":\"software_Package\",\"spdxId\":\"p\",\n \"name\": 7}]}", ingest.KindMalformed, "in: malformed spdx3-jsonld: @graph[0]: field name: got JSON number, want string (at line 3, column 10)"},
		{"spdx 3 missing to", spdx3 + "\"@graph\":[\n {\"type\":\"software_Package\",\"spdxId\":\"p\"},\n {\"type\":\"Relationship\",\"spdxId\":\"r\",\"from\":\"p\",\"relationshipType\":\"contains\",\"to\":[\"q\"]}]}", ingest.KindMalformed, `in: malformed spdx3-jsonld: @graph[1] (Relationship "r"): to names "q", which is no element of the document (at line 3, column 2)`},
		{"spdx 3 missing supplier", spdx3 + `"@graph":[{"type":"software_Package","spdxId":"p","suppliedBy":"nobody"}]}`, ingest.KindMalformed, `in: malformed spdx3-jsonld: @graph[0] (software_Package "p"): suppliedBy names "nobody", which is no element of the document (at line 1, column 72)`},
		{"spdx 3 no relationshipType", spdx3 + `"@graph":[{"type":"software_Package","spdxId":"p"},{"type":"Relationship","from":"p","to":["p"]}]}`, ingest.KindMalformed, `in: malformed spdx3-jsonld: @graph[1] (Relationship) has no relationshipType (at line 1, column 113)`},
		{"json array", `[1,2]`, ingest.KindNotSBOM, "in: not an SBOM: JSON top level is an array, want an object"},
		{"binary", "\x00\x01\x02\xff\xfe garbage", ingest.KindNotSBOM, "in: not an SBOM: binary content"},
		{"plain text", "hello world\n", ingest.KindNotSBOM, "in: not an SBOM: no CycloneDX, SPDX or syft marker found"},
		{"other xml", `<html><body/></html>`, ingest.KindNotSBOM, "in: not an SBOM: XML root element <html> is neither"},
		{"bad xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components></bom>`, ingest.KindMalformed, "in: malformed"},
		{"xml namespace", `<bom xmlns="http://cyclonedx.org/schema/bom/2.0"/>`, ingest.KindUnsupportedVersion, `in: cyclonedx-xml version "2.0" is not supported`},
		{"deep json", deepJSON, ingest.KindLimit, "in: nesting is deeper than 1000 levels (limit sbom-depth)"},
		{"deep xml", deepXML, ingest.KindLimit, "in: nesting is deeper than 1000 levels (limit sbom-depth)"},
		{"deep yaml", deepYAML, ingest.KindLimit, "in: nesting is deeper than 1000 levels (limit sbom-depth)"},
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

// TestLimits shows each ingest limit refusing an input just over it, with
// an error naming the input, the field and the --limit setting, while the
// same input passes at the default limits.
func TestLimits(t *testing.T) {
	big := strings.Repeat("a", 4096)
	comps := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"type":"library","name":"c%d","bom-ref":"c%d"}`, i, i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name  string
		set   func(*ingest.Options)
		input string
		want  string
	}{
		{"sbom-bytes", func(o *ingest.Options) { o.MaxBytes = 1024 },
			`{"bomFormat":"CycloneDX","specVersion":"1.6","x":"` + big + `"}`,
			"in.json: input is larger than 1024 bytes (limit sbom-bytes)"},
		{"sbom-depth", func(o *ingest.Options) { o.MaxDepth = 3 },
			`{"bomFormat":"CycloneDX","specVersion":"1.6","a":[[[[]]]]}`,
			"in.json: nesting is deeper than 3 levels (limit sbom-depth)"},
		{"components", func(o *ingest.Options) { o.MaxComponents = 10 },
			`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[` + comps(11) + `]}`,
			"in.json: more than 10 components (limit components)"},
		{"components nested in pedigree", func(o *ingest.Options) { o.MaxComponents = 2 },
			`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","pedigree":{"ancestors":[` + comps(2) + `]}}]}`,
			"in.json: more than 2 components (limit components)"},
		{"string-bytes", func(o *ingest.Options) { o.MaxStringBytes = 1000 },
			`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"},{"type":"library","name":"b","description":"` + big + `"}]}`,
			"in.json: components[1].description: a value of 4096 bytes is longer than 1000 bytes (limit string-bytes)"},
		{"string-bytes in a party", func(o *ingest.Options) { o.MaxStringBytes = 1000 },
			`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","supplier":{"name":"` + big + `"}}]}`,
			"in.json: components[0].supplier.name: a value of 4096 bytes is longer than 1000 bytes (limit string-bytes)"},
		{"string-bytes in SPDX", func(o *ingest.Options) { o.MaxStringBytes = 1000 },
			"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nDocumentNamespace: https://example.com/d\nCreator: Tool: t\nCreated: 2024-01-01T00:00:00Z\n\nPackageName: p\nSPDXID: SPDXRef-p\nPackageDownloadLocation: NOASSERTION\nPackageCopyrightText: " + big + "\n",
			"in.json: components[0].copyright: a value of 4096 bytes is longer than 1000 bytes (limit string-bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ingest.Decode("in.json", strings.NewReader(tc.input), ingest.DefaultOptions()); err != nil {
				t.Fatalf("at the default limits: %v", err)
			}
			opts := ingest.DefaultOptions()
			tc.set(&opts)
			_, err := ingest.Decode("in.json", strings.NewReader(tc.input), opts)
			if ingest.KindOf(err) != ingest.KindLimit || err.Error() != tc.want {
				t.Errorf("got %v (kind %v)\nwant %s", err, ingest.KindOf(err), tc.want)
			}
		})
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
