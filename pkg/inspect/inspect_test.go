package inspect

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
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
