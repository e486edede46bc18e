package cdxjson

import (
	"encoding/json"
	"testing"
)

// TestRawSections: the sections cyclonedx-go is not asked to read are
// kept byte for byte, whatever they hold (here a vulnerability whose
// rating would not decode), and the rest is the library's BOM.
func TestRawSections(t *testing.T) {
	in := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"zlib"}],
	"vulnerabilities":[{"id":"CVE-2099-0001","ratings":[{"score":"not a number"}]}],
	"formulation":[{"bom-ref":"f"}]}`
	var b BOM
	if err := json.Unmarshal([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	if b.Components == nil || (*b.Components)[0].Name != "zlib" {
		t.Errorf("components: %+v", b.Components)
	}
	raw := b.Raw()
	if len(raw) != 2 || string(raw["vulnerabilities"]) != `[{"id":"CVE-2099-0001","ratings":[{"score":"not a number"}]}]` ||
		string(raw["formulation"]) != `[{"bom-ref":"f"}]` {
		t.Errorf("raw sections: %q", raw)
	}
	if len((&BOM{}).Raw()) != 0 {
		t.Error("an empty BOM has raw sections")
	}
}
