package yamlerr

import (
	"errors"
	"testing"
)

func TestWrap(t *testing.T) {
	tests := []struct{ in, want string }{
		{"yaml: line 3: did not find expected key", "f.yaml:3: did not find expected key"},
		{"yaml: unmarshal errors:\n  line 3: field x not found\n  line 5: field y not found", "f.yaml:3: field x not found\nf.yaml:5: field y not found"},
		{"EOF", "f.yaml: EOF"},
	}
	for _, tt := range tests {
		if got := Wrap("f.yaml", errors.New(tt.in)).Error(); got != tt.want {
			t.Errorf("Wrap(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
