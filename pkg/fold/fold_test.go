package fold

import (
	"slices"
	"strings"
	"testing"
	"unicode"
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
		// Nor do control characters that are not white space, C0 or C1,
		// nor the other default-ignorable code points.
		{"Kasper\x00sky Lab ZAO", []string{"kaspersky", "lab"}},
		{"Kasper\x1fsky Lab", []string{"kaspersky", "lab"}},
		{"Kasper\x7fsky", []string{"kaspersky"}},
		{"Kasper\u0085sky", []string{"kaspersky"}}, // NEL: few programs show it
		{"Kasper\u0090sky Лаборатория", []string{"kaspersky", Words("Лаборатория")[0]}},
		{"Kas\u3164per\uffa0sky\u115f", []string{"kaspersky"}}, // Hangul fillers are letters
		{"Kas\U000E0041per\U000E0100sky\u2065", []string{"kaspersky"}},
		{"Kasper\u202esky", []string{"kaspersky"}},
		// White-space controls separate words.
		{"Kasper\tsky\nLab\r\n", []string{"kasper", "sky", "lab"}},
		{"\x00Kaspersky\x00 Lab\x00", []string{"kaspersky", "lab"}},
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
		// Invisible characters inside a name join it; between words they
		// also separate them; either way a partial name stays partial.
		{"Kasper\x00sky Lab ZAO", []int{1, 2}},
		{"Kasper\u001fsky", []int{1}},
		{"Kaspersky\x00Lab", []int{1, 2, 3}},
		{"AO\u200bKaspersky\u200bLab", []int{1, 2, 3}},
		{"Kas\x01per\x02sky\x03Lab", []int{1, 2, 3}},
		{"Kaspersky\x00AO\x00Lab", []int{1, 2}},
		{"Kaspersky\x00a\x00o\x00Lab", []int{1, 2}},
		{"Kasper\x00", nil},
		{"\x00Kasper\x00 sky", nil},
		{"Casper\x00sky", nil},
		{"Kaspa\u200b", nil},
		{"Kasper\x00sky\x00ish", []int{1}}, // a word may end at an invisible character
		{"Kasper\x00skyish", nil},
		{"Kasper\x00s\x00ky", []int{1}},
		{"Ka\x00sper\x00", nil},
		{"Kasper\nsky", nil},
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
	for _, s := range []string{"AO Kaspersky Lab", "KASPERSKY LAB, JSC", "x_y-z.Q9 ", "  ", "ßx", "Ab\tcD\x00e~F", "a\x7fb",
		"\x00\x01K\x1fa\x1e s p\x0be\x0cr\x1c"} {
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
	for i, p := range []string{"Kaspersky", "Kaspersky Lab", "kavsdk", "Scan Engine", "x"} {
		ps.Add(p, i)
	}
	for _, s := range []string{"AO KASPERSKY LAB", "x kavsdk", "scan-engine", "nothing here", "Kasper", "ltd Kaspersky",
		strings.Repeat("a", 100) + " kaspersky", "kaspersky" + strings.Repeat("x", 70), "kav\x00sdk", "scan\x1fengine", "x", "a x"} {
		var fast, full []int
		ps.MatchString(s, func(id int) { fast = append(fast, id) })
		words, splits := dropLegal(fold(s))
		if splits == nil {
			ps.Match(words, func(id int) { full = append(full, id) })
		} else {
			ps.matchSplit(words, splits, func(id int) { full = append(full, id) })
		}
		if !slices.Equal(fast, full) {
			t.Errorf("%q: MatchString %v, Match %v", s, fast, full)
		}
	}
}

// TestSplits: where an invisible character stood between two letters is
// kept, as offsets in the folded words.
func TestSplits(t *testing.T) {
	tests := []struct {
		in     string
		words  []string
		splits [][]int
	}{
		{"AO Kaspersky Lab", []string{"ao", "kaspersky", "lab"}, nil},
		// Only an invisible character between two letters or digits is a
		// split.
		{"Kaspersky\u200b Lab", []string{"kaspersky", "lab"}, nil},
		{"\u200bKaspersky Lab\u200b\x00", []string{"kaspersky", "lab"}, nil},
		{"Kasper\u200bsky", []string{"kaspersky"}, [][]int{{6}}},
		{"x AO\x00Kaspersky\x00\x01Lab", []string{"x", "aokasperskylab"}, [][]int{nil, {2, 11}}},
		{"Kaspersky\u0000\u2060Lab ZAO", []string{"kasperskylab", "zao"}, [][]int{{9}, nil}},
		// Offsets count bytes of the folded word.
		{"Лаборатория\x00Касперского", []string{Words("ЛабораторияКасперского")[0]}, [][]int{{len(Words("Лаборатория")[0])}}},
		// Letters split one by one are spelled out.
		{"K\x00A\x00S", []string{"kas"}, [][]int{{1, 2}}},
		{"K\x00a s p e r s k y", []string{"kaspersky"}, [][]int{{1}}},
		{"x K\x00a", []string{"xka"}, [][]int{{2}}},
		{"xy K\x00a", []string{"xy", "ka"}, [][]int{nil, {1}}},
		{"", nil, nil},
	}
	for _, tt := range tests {
		words, splits := fold(tt.in)
		if !slices.Equal(words, tt.words) || !slices.EqualFunc(splits, tt.splits, slices.Equal) {
			t.Errorf("fold(%q) = %q %v, want %q %v", tt.in, words, splits, tt.words, tt.splits)
		}
	}
}

func TestInvisible(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{
		{0x00, true}, {0x08, true}, {'\t', false}, {'\n', false}, {'\v', false}, {'\f', false}, {'\r', false},
		{0x0e, true}, {0x1f, true}, {' ', false}, {'a', false}, {'-', false}, {0x7f, true},
		{0x80, true}, {0x85, true}, {0x9f, true}, {0xa0, false}, {0xad, true},
		{0x034f, true}, {0x061c, true}, {0x115f, true}, {0x1160, true}, {0x1161, false}, {0x17b4, true},
		{0x180e, true}, {0x200a, false}, {0x200b, true}, {0x200f, true}, {0x2010, false}, {0x202a, true},
		{0x202f, false}, {0x2065, true}, {0x3164, true}, {0xfe0f, true}, {0xfeff, true}, {0xffa0, true},
		{0xfff8, true}, {0xfffd, false}, {0x1bca3, true}, {0x1d173, true}, {0xe0001, true}, {0xe0fff, true},
		{0xf0000, false}, {'к', false},
	}
	for _, tt := range tests {
		if got := Invisible(tt.r); got != tt.want {
			t.Errorf("Invisible(%U) = %v, want %v", tt.r, got, tt.want)
		}
	}
	// The table holds the properties Default_Ignorable_Code_Point is
	// derived from, as far as Go's unicode package has them.
	for _, tab := range []*unicode.RangeTable{unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector} {
		for r := rune(0); r <= unicode.MaxRune; r++ {
			if unicode.Is(tab, r) && !unicode.Is(defaultIgnorable, r) {
				t.Errorf("%U is default-ignorable but not in the table", r)
			}
		}
	}
}
