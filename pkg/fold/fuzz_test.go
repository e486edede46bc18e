package fold

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzTokens checks that folding never panics, never yields an empty word,
// and is idempotent: folding the folded text changes nothing. Splits lie
// inside their words, in order, on character boundaries, and matching
// text with them never panics and finds the text's own first word.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"AO Kaspersky Lab", "АО «Лаборатория Касперского»", "ＫＡＳＰＥＲＳＫＹ", "\xff\xfe", "ǅ ﬁ ß",
		"Kasper\x00sky\x1fLab", "K\u200ba\u3164s p e", "ao\x00co\x00rp\x00x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := Words(s)
		for _, w := range words {
			if w == "" {
				t.Fatalf("empty word in %q", words)
			}
		}
		fw, splits := fold(s)
		if !slices.Equal(fw, words) || splits != nil && len(splits) != len(words) {
			t.Fatalf("fold(%q) = %q %v, Words %q", s, fw, splits, words)
		}
		for i, sp := range splits {
			for j, o := range sp {
				if o <= 0 || o >= len(words[i]) || j > 0 && o <= sp[j-1] || !utf8.RuneStart(words[i][o]) {
					t.Fatalf("fold(%q): split %d of %q is %v", s, j, words[i], sp)
				}
			}
		}
		if tokens := Tokens(s); len(tokens) > 0 {
			ps := NewPhrases()
			ps.Add(tokens[0], 1)
			found := false
			ps.MatchString(s, func(int) { found = true })
			if !found {
				t.Fatalf("%q does not match its first word %q", s, tokens[0])
			}
		}
		joined := ""
		for i, w := range words {
			if i > 0 {
				joined += " "
			}
			joined += w
		}
		if isASCII, _ := asciiControls(s); isASCII && !slices.Equal(words, fullWords(s)) {
			t.Fatalf("ASCII fast path differs: %q -> %q, full %q", s, words, fullWords(s))
		}
		if again := Words(joined); !slices.Equal(again, words) {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, words, again)
		}
	})
}
