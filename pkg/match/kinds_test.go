package match

import (
	"encoding/json"
	"testing"
)

func TestEvidenceKinds(t *testing.T) {
	seen := map[EvidenceKind]bool{}
	for _, k := range AllEvidenceKinds() {
		if seen[k] {
			t.Errorf("kind %q listed twice", k)
		}
		seen[k] = true
		if got, ok := ParseEvidenceKind(string(k)); !ok || got != k {
			t.Errorf("ParseEvidenceKind(%q) = %q, %v", k, got, ok)
		}
	}
	for _, k := range []EvidenceKind{kindComposite, kindFile, "", "PURL"} {
		if k.Valid() {
			t.Errorf("%q is valid", k)
		}
		if _, ok := ParseEvidenceKind(string(k)); ok {
			t.Errorf("ParseEvidenceKind(%q) succeeded", k)
		}
	}
}

func TestConfidences(t *testing.T) {
	for _, c := range AllConfidences() {
		if got, ok := ParseConfidence(string(c)); !ok || got != c {
			t.Errorf("ParseConfidence(%q) = %q, %v", c, got, ok)
		}
	}
	if _, ok := ParseConfidence("certain"); ok {
		t.Error("ParseConfidence(certain) succeeded")
	}
}

// TestKindsMarshalAsStrings shows that the named types change nothing in
// JSON: a kind is written as its string.
func TestKindsMarshalAsStrings(t *testing.T) {
	b, err := json.Marshal(Evidence{Rule: "R", Kind: KindPEVersion, Field: "f", Value: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"rule":"R","kind":"pe-version","field":"f","value":"v","location":""}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	b, _ = json.Marshal(struct{ C Confidence }{ConfidenceMedium})
	if want := `{"C":"medium"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
