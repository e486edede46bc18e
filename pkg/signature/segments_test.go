package signature

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// pathSegmentsReference is PathSegments as first written: replace the
// separators, lower-case, split. The one-pass version must agree with it.
func pathSegmentsReference(s string) []string {
	s = strings.ToLower(strings.NewReplacer(`\`, "/", "!", "/").Replace(s))
	var out []string
	for _, seg := range strings.Split(s, "/") {
		if seg != "" && seg != "." {
			out = append(out, seg)
		}
	}
	return out
}

// TestPathSegments: separators, empty and "." segments, case, and the
// same result as the reference on random strings over the characters
// that matter (separators, dots, ASCII and non-ASCII letters, invalid
// UTF-8).
func TestPathSegments(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"/", nil},
		{"a", []string{"a"}},
		{`C:\Program Files\Kaspersky Lab\avp.exe`, []string{"c:", "program files", "kaspersky lab", "avp.exe"}},
		{"app.jar!com/Kaspersky/A.class", []string{"app.jar", "com", "kaspersky", "a.class"}},
		{"./x//./y/..", []string{"x", "y", ".."}},
		{"ÄBC/\u212a", []string{"äbc", "k"}},
	} {
		if got := PathSegments(c.in); !slices.Equal(got, c.want) {
			t.Errorf("PathSegments(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	alphabet := []string{"/", `\`, "!", ".", "a", "B", "Ä", "\u212a", "\xff", "\xc3", " "}
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		var b strings.Builder
		for range rng.Intn(12) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		s := b.String()
		if got, want := PathSegments(s), pathSegmentsReference(s); !slices.Equal(got, want) {
			t.Fatalf("PathSegments(%q) = %q, reference %q", s, got, want)
		}
	}
}
