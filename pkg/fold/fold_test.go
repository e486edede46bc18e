package fold

import (
	"slices"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"AO Kaspersky Lab", []string{"kaspersky", "lab"}},
		{"KASPERSKY LAB, JSC", []string{"kaspersky", "lab"}},
		{"Kaspersky Labs GmbH", []string{"kaspersky", "labs"}},
		{"Kaspersky Lab ZAO", []string{"kaspersky", "lab"}},
		{"Kaspersky Lab, Inc.", []string{"kaspersky", "lab"}},
		// Cyrillic а (U+0430) in place of the Latin a.
		{"K\u0430spersky", []string{"kaspersky"}},
		// Full-width letters fold under NFKC.
		{"ＫＡＳＰＥＲＳＫＹ", []string{"kaspersky"}},
		// Upper-case Cyrillic look-alikes for every letter but R, which has none: К А Ѕ Р Е R Ѕ К У.
		{"КАЅРЕRЅКУ", []string{"kaspersky"}},
		{"kaspersky_sdk", []string{"kaspersky", "sdk"}},
		{"Kaspersky–Anti‑Virus", []string{"kaspersky", "anti", "virus"}},
		{"Casper Labs", []string{"casper", "labs"}},
		// Invisible format characters do not split a word.
		{"Kas\u200bper\u00adsky\u2060 Lab", []string{"kaspersky", "lab"}},
		// Letters spelled out one by one are a word; two are not.
		{"K a s p e r s k y Lab", []string{"kaspersky", "lab"}},
		{"K.A.S.P.E.R.S.K.Y.", []string{"kaspersky"}},
		{"K. L. Smith", []string{"k", "l", "smith"}},
		{"Ꮶ Ꭺ Ꮪ", []string{"kas"}},
		// Cyrillic г looks like r; Cherokee capitals like Latin ones.
		{"Kaspeгsky", []string{"kaspersky"}},
		{"ᏦᎪᏚᏢᎬᎡᏚᏦᎽ", []string{"kaspersky"}},
		{"", nil},
		{"—", nil},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCyrillicPatternMatchesCyrillicText(t *testing.T) {
	ps := NewPhrases()
	ps.Add("Лаборатория Касперского", 1)
	for _, text := range []string{
		"АО «Лаборатория Касперского»",
		"программ \"ЛАБОРАТОРИЯ КАСПЕРСКОГО\"",
		"ao laboratoriya — Лаборатория  Касперского, Москва",
	} {
		var got []int
		ps.MatchString(text, func(id int) { got = append(got, id) })
		if !slices.Equal(got, []int{1}) {
			t.Errorf("%q: matched %v, want [1]", text, got)
		}
	}
}

func TestPhrasesWordBounded(t *testing.T) {
	ps := NewPhrases()
	ps.Add("Kaspersky", 1)
	ps.Add("Kaspersky Lab", 2)
	ps.Add("KasperskyLab", 3)
	tests := []struct {
		text string
		want []int
	}{
		{"Kasper", nil},
		{"Casper", nil},
		{"Kaspa", nil},
		{"CasperJS", nil},
		{"Kasperskyish", nil},
		{"Jaspersoft Kasper-Kit", nil},
		{"KASPERSKY LAB, JSC", []int{1, 2}},
		{"Kaspersky Labs GmbH", []int{1}},
		{"АО «Лаборатория Касперского» and Kaspersky", []int{1}},
		{"HKLM\\SOFTWARE\\KasperskyLab", []int{3}},
		{"K\u0430spersky Lab", []int{1, 2}},
		{"© 2024 AO Kaspersky Lab. All rights reserved.", []int{1, 2}},
	}
	for _, tt := range tests {
		var got []int
		ps.MatchString(tt.text, func(id int) { got = append(got, id) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: matched %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestAddRejectsEmpty(t *testing.T) {
	ps := NewPhrases()
	if ps.Add("« — »", 1) || ps.Add("LLC", 2) {
		t.Fatal("a pattern without words must be refused")
	}
	if ps.Len() != 0 {
		t.Fatalf("Len = %d, want 0", ps.Len())
	}
}

func BenchmarkMatch(b *testing.B) {
	ps := NewPhrases()
	for i, p := range []string{"Kaspersky", "Kaspersky Lab", "KasperskyLab", "Лаборатория Касперского", "Kaspersky Scan Engine"} {
		ps.Add(p, i)
	}
	text := "Copyright (c) 2019-2024 The Example Project Authors and contributors, all rights reserved"
	b.ReportAllocs()
	for b.Loop() {
		ps.MatchString(text, func(int) {})
	}
}

// TestASCIIFastPath: plain ASCII text folds exactly as the full Unicode
// path would fold it.
func TestASCIIFastPath(t *testing.T) {
	for _, s := range []string{"AO Kaspersky Lab", "KASPERSKY LAB, JSC", "x_y-z.Q9 ", "  ", "ßx", "Ab\tcD\x00e~F", "a\x7fb"} {
		full := fullWords(s)
		if got := Words(s); !slices.Equal(got, full) {
			t.Errorf("Words(%q) = %q, want %q", s, got, full)
		}
	}
}

// fullWords forces the Unicode path by appending a non-ASCII separator.
func fullWords(s string) []string { return Words(s + "\u2014") }

// TestPrefilterAgrees: the allocation-free ASCII pre-check never turns away
// text the full match would accept.
func TestPrefilterAgrees(t *testing.T) {
	ps := NewPhrases()
	for i, p := range []string{"Kaspersky", "Kaspersky Lab", "kavsdk", "Scan Engine"} {
		ps.Add(p, i)
	}
	for _, s := range []string{"AO KASPERSKY LAB", "x kavsdk", "scan-engine", "nothing here", "Kasper", "ltd Kaspersky",
		strings.Repeat("a", 100) + " kaspersky", "kaspersky" + strings.Repeat("x", 70)} {
		var fast, full []int
		ps.MatchString(s, func(id int) { fast = append(fast, id) })
		ps.Match(Tokens(s), func(id int) { full = append(full, id) })
		if !slices.Equal(fast, full) {
			t.Errorf("%q: MatchString %v, Match %v", s, fast, full)
		}
	}
}
