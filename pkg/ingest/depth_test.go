package ingest

import "testing"

func TestBracketDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`{}`, 1},
		{`{"a":[[1],{"b":[]}]}`, 4},
		{`{"a":"[[[[{{{{"}`, 1},
		{`{"a":"x\"[[[["}`, 1},
		{`{"a":"x\\"}`, 1},
		{`{"a":"x\\\"[[["}`, 1},
		{`{"a":"x\\\\"},[[[`, 3},
		{`{"a":"unterminated [[[`, 1},
		{`"`, 0},
		{`[["\\"]]`, 2},
	} {
		if got := bracketDepth([]byte(tc.in), 100); got != tc.want {
			t.Errorf("bracketDepth(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
	if got := bracketDepth([]byte(`[[[[[`), 3); got != 4 {
		t.Errorf("past the limit: %d, want 4 (max+1)", got)
	}
}
