package fold

import (
	"slices"
	"testing"
)

// FuzzTokens checks that folding never panics, never yields an empty word,
// and is idempotent: folding the folded text changes nothing.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"AO Kaspersky Lab", "АО «Лаборатория Касперского»", "ＫＡＳＰＥＲＳＫＹ", "\xff\xfe", "ǅ ﬁ ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := Words(s)
		for _, w := range words {
			if w == "" {
				t.Fatalf("empty word in %q", words)
			}
		}
		joined := ""
		for i, w := range words {
			if i > 0 {
				joined += " "
			}
			joined += w
		}
		if ascii(s) && !slices.Equal(words, fullWords(s)) {
			t.Fatalf("ASCII fast path differs: %q -> %q, full %q", s, words, fullWords(s))
		}
		if again := Words(joined); !slices.Equal(again, words) {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, words, again)
		}
	})
}
