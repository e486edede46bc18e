package match_test

import (
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Status of an evasion: caught, or a known limit listed in
// docs/reliability.md. A limit is asserted too, so that the day it is
// caught the test fails and the page is corrected.
const (
	caught = "caught"
	limit  = "limit"
)

// identityEvasions are ways a maker field can spell the vendor to slip
// past matching. Each is put in a component's supplier, as the only
// evidence.
var identityEvasions = []struct {
	name, supplier, status string
}{
	{"plain", "AO Kaspersky Lab", caught},
	{"mixed case", "kAsPeRsKy LAB", caught},
	{"extra spacing and tabs", "Kaspersky \t  Lab", caught},
	{"punctuation and legal form", "KASPERSKY LAB, JSC.", caught},
	{"cyrillic homoglyphs", "Kаsреrskу Lab", caught}, // а, р, е, у Cyrillic
	{"greek homoglyphs", "Καspersky Lab", caught},    // Κ, α Greek
	{"cyrillic ge for r", "Kaspeгsky Lab", caught},   // г
	{"cherokee letters", "ᏦᎪᏚᏢᎬᎡᏚᏦᎽ Lab", caught},    // Ꮶ Ꭺ Ꮪ Ꮲ Ꭼ Ꭱ Ꮪ Ꮶ Ꮍ
	{"full-width forms", "Ｋａｓｐｅｒｓｋｙ Ｌａｂ", caught},
	{"mathematical letters", "𝐊𝐚𝐬𝐩𝐞𝐫𝐬𝐤𝐲 Lab", caught},
	{"accents", "Kåśpérsky Lab", caught},
	{"zero-width space", "Kas\u200bper\u200bsky Lab", caught},
	{"zero-width joiner", "Kasp\u200dersky Lab", caught},
	{"soft hyphen", "Kasper\u00adsky Lab", caught},
	{"word joiner and BOM", "Kas\u2060per\ufeffsky Lab", caught},
	{"NUL inside the name", "Kasper\u0000sky Lab ZAO", caught},
	{"unit separator inside the name", "Kasper\u001fsky Lab", caught},
	{"C1 control inside the name", "Kasper\u0085sky\u009f Lab", caught},
	{"NUL between the words", "AO\u0000Kaspersky\u0000Lab", caught},
	{"zero-width space between the words", "AO\u200bKaspersky\u200bLab", caught},
	{"controls inside and between words", "AO\u0001Kas\u0002per\u007fsky\u0000Lab", caught},
	{"bidirectional controls", "\u202eKasper\u202dsky\u200f Lab", caught},
	{"Hangul filler inside the name", "Kasper\u3164sky Lab", caught},
	{"tag characters", "Kas\U000E0020per\U000E007Fsky Lab", caught},
	{"letters spaced out", "K a s p e r s k y Lab", caught},
	{"letters dotted", "K.A.S.P.E.R.S.K.Y. Lab", caught},
	{"Russian name", "АО «Лаборатория Касперского»", caught},
	{"transliterated Kasperskiy", "Kasperskiy Lab", limit},
	{"Russian nominative", "Касперский", limit},
	{"digits for letters", "Kasp3rsky Lab", limit},
	{"split across fields", "Kasper", limit}, // "sky" elsewhere
}

func TestIdentityEvasions(t *testing.T) {
	eng := enginetest.Embedded(t)
	for _, ev := range identityEvasions {
		t.Run(ev.name, func(t *testing.T) {
			doc := &model.Document{Roots: []string{"root"}, Components: []*model.Component{
				{Ref: "root", Name: "Northwind Gateway", Supplier: &model.Party{Name: "Northwind Security Ltd"}},
				{Ref: "c", Name: "scan-core", Version: "1.0", Parent: "root", Supplier: &model.Party{Name: ev.supplier}},
			}}
			doc.Normalize()
			got := limit
			for _, f := range eng.Match(doc) {
				if f.Component != nil && f.Component.Ref == "c" && f.Rule == "KL-VENDOR-001" {
					got = caught
				}
			}
			if got != ev.status {
				t.Errorf("supplier %q: %s, want %s (update docs/reliability.md if this changed)", ev.supplier, got, ev.status)
			}
		})
	}
}

// TestEvasionsDocumented shows docs/reliability.md lists every identity
// evasion with its status.
func TestEvasionsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reliability.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range identityEvasions {
		if row := "| " + ev.name + " | SBOM field | " + ev.status; !strings.Contains(string(doc), row) {
			t.Errorf("docs/reliability.md has no row %q", row)
		}
	}
}
