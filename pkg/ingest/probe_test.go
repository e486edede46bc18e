package ingest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

var probeCases = []string{
	`{}`,
	` { "bomFormat" : "CycloneDX" , "specVersion":"1.6"} `,
	`{"BOMFORMAT":"CycloneDX","specversion":"1.6"}`,
	`{"bomFormat":"x","bomFormat":"CycloneDX"}`,
	`{"metadata":{"bomFormat":"no","x":["]","}"]},"bomFormat":"CycloneDX"}`,
	`{"a":"q\"{[","spdxVersion":"SPDX-2.3"}`,
	`{"a":"\\","schema":{"url":"https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.0.json","version":"16.0.0"}}`,
	`{"n":-1.5e3,"t":true,"f":false,"z":null,"sbom":{"bomFormat":"CycloneDX"}}`,
	`{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}`,
	`{"b\u006fmFormat":"CycloneDX"}`,
	`{"bomFormat":"CycloneDX",}`,
	`{"bomFormat":"CycloneDX" "x":1}`,
	`{"bomFormat":}`,
	`{"bomFormat":"CycloneDX"} trailing`,
	`{"a":[1,2,{"b":[3]}],"specVersion":"1.5"`,
	`{"bomFormat":"unterminated`,
	`{"a":[[1],{"b":[]}],"c":{"d":[[[]]]},"e":"[[[["}`,
	`{"a":tr"ue,"b":[[1]]}`,
	`{"a":x{,"b":[[1]]}`,
	`{"a":[}]}`,
}

// TestProbeAgrees shows probeObject reads the same top-level keys as
// encoding/json whenever it accepts an input that encoding/json accepts,
// over hand-made cases and every JSON fixture.
func TestProbeAgrees(t *testing.T) {
	inputs := [][]byte{}
	for _, c := range probeCases {
		inputs = append(inputs, []byte(c))
	}
	for _, dir := range []string{"../../fixtures/sbom", "../../fixtures/whitelabel", "testdata"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, data)
		}
	}
	if len(inputs) < len(probeCases)+10 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	for _, in := range inputs {
		checkProbe(t, in)
	}
}

func checkProbe(t *testing.T, in []byte) {
	t.Helper()
	got, depth, ok := probeDepth(in)
	if ok && depth >= 0 {
		if want := bracketDepth(in, 1<<30); depth != want {
			t.Errorf("probe depth %d, bracketDepth %d: %.80q", depth, want, in)
		}
	}
	var want jsonProbe
	if err := json.Unmarshal(in, &want); err != nil {
		return // invalid JSON: the decoder after detection reports it
	}
	if !ok {
		if bytes.IndexByte(in, '\\') < 0 && bytes.TrimSpace(in)[0] == '{' {
			t.Errorf("probe refused valid JSON %.80q", in)
		}
		return
	}
	for _, f := range []struct {
		name      string
		got, want json.RawMessage
	}{
		{"bomFormat", got.BOMFormat, want.BOMFormat}, {"specVersion", got.SpecVersion, want.SpecVersion},
		{"spdxVersion", got.SPDXVersion, want.SPDXVersion}, {"@context", got.Context, want.Context},
		{"schema", got.Schema, want.Schema}, {"artifacts", got.Artifacts, want.Artifacts}, {"sbom", got.SBOM, want.SBOM},
	} {
		if !bytes.Equal(f.got, f.want) {
			t.Errorf("%.60q: %s = %.40q, encoding/json has %.40q", in, f.name, f.got, f.want)
		}
	}
}

// FuzzProbe: go test ./pkg/ingest -run '^$' -fuzz FuzzProbe
func FuzzProbe(f *testing.F) {
	for _, c := range probeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		checkProbe(t, data)
	})
}
