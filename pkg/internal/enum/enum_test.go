package enum

import "testing"

type color string

func TestParseAndJoin(t *testing.T) {
	all := []color{"red", "dark-blue"}
	for _, c := range []struct {
		in   string
		want color
		ok   bool
	}{
		{"red", "red", true},
		{"dark-blue", "dark-blue", true},
		{"RED", "", false},
		{"", "", false},
		{"blue", "", false},
	} {
		if got, ok := Parse(c.in, all); got != c.want || ok != c.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	if got := Join(all, ", "); got != "red, dark-blue" {
		t.Errorf("Join = %q", got)
	}
	if got := Join([]color(nil), ", "); got != "" {
		t.Errorf("Join(nil) = %q", got)
	}
}
