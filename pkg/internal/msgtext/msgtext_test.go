package msgtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s     string
		limit int
		want  string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"abcd", 0, "…"},
		// A byte cut at 3 would split "é" (2 bytes) and "К" (2 bytes).
		{"aéКz", 3, "aéК…"},
		{"ééé", 2, "éé…"},
		{"\xff\xfeabc", 3, "\xff\xfea…"},
	} {
		if got := Clip(tc.s, tc.limit); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.s, tc.limit, got, tc.want)
		}
	}
}

// TestClipNeverSplitsACharacter clips texts of multi-byte characters at
// every limit: the result is always valid UTF-8.
func TestClipNeverSplitsACharacter(t *testing.T) {
	for _, s := range []string{strings.Repeat("Лаборатория Касперского ", 5), strings.Repeat("日本語", 30), strings.Repeat("a€😀", 20)} {
		for limit := 0; limit <= utf8.RuneCountInString(s)+1; limit++ {
			got := Clip(s, limit)
			if !utf8.ValidString(got) {
				t.Fatalf("Clip(%q, %d) = %q, not valid UTF-8", s, limit, got)
			}
			if n := utf8.RuneCountInString(strings.TrimSuffix(got, "…")); n > limit {
				t.Fatalf("Clip(%q, %d) keeps %d characters", s, limit, n)
			}
		}
	}
}
