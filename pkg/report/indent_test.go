package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/golden"
)

// TestIndenter: the indenter gives the bytes encoding/json's Encoder gives
// with SetIndent("", "  "), for values of every kind and nesting, strings
// with escapes, quotes, brackets and non-ASCII text, and empty lists and
// objects.
func TestIndenter(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "a", `quote " inside`, `back\slash`, `\"`, "tab\tnew\nline", "{[,:]}", "<&>", "ünïcødé — …", "\x00\x1f", "\u2028", `\`}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := rnd.IntN(8); {
		case depth > 4 || k == 0:
			return strs[rnd.IntN(len(strs))]
		case k == 1:
			return rnd.Float64() * 1e6
		case k == 2:
			return rnd.IntN(2) == 0
		case k == 3:
			return nil
		case k < 6:
			n := rnd.IntN(4)
			l := make([]any, n)
			for i := range l {
				l[i] = value(depth + 1)
			}
			return l
		default:
			m := map[string]any{}
			for range rnd.IntN(4) {
				m[strs[rnd.IntN(len(strs))]] = value(depth + 1)
			}
			return m
		}
	}
	values := []any{nil, 1, "x", []any{}, map[string]any{}, []any{[]any{}, map[string]any{}}, NewDocument(testResult())}
	for range 500 {
		values = append(values, value(0))
	}
	for _, v := range values {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writeIndentedJSON(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("indented differently:\n%s", golden.Diff(want.String(), got.String()))
		}
	}
	// Written in pieces, byte by byte, it is the same.
	compact, _ := json.Marshal(values)
	var whole, pieces bytes.Buffer
	in := newIndenter(&whole, "  ")
	in.Write(compact)
	in.Flush()
	in = newIndenter(&pieces, "  ")
	for _, c := range compact {
		in.Write([]byte{c})
	}
	in.Flush()
	if whole.String() != pieces.String() || !strings.Contains(whole.String(), "\n  ") {
		t.Error("written byte by byte, the output differs")
	}
}
