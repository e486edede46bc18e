package serve

import (
	"strings"
	"testing"
)

func TestReadBody(t *testing.T) {
	for _, c := range []struct {
		name        string
		body        string
		length, max int64
		want, err   string
	}{
		{"declared", "hello", 5, 10, "hello", ""},
		{"undeclared", "hello", -1, 10, "hello", ""},
		{"declared over the limit: read as it comes", "hello", 50, 10, "hello", ""},
		{"shorter than declared", "hel", 5, 10, "", "ended after 3 of the 5 bytes"},
	} {
		got, err := readBody(strings.NewReader(c.body), c.length, c.max)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		case c.err == "" && (err != nil || string(got) != c.want):
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}
}
