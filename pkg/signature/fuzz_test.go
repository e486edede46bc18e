package signature

import "testing"

// FuzzParse checks that no rule file, however broken, panics the loader.
// Run with: go test ./pkg/signature -fuzz FuzzParse
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodRule))
	f.Add([]byte("pack: x\nversion: 1\nrules: [{id: A-B, match: {purls: ['pkg:']}}]\n"))
	f.Add([]byte("rules:\n  - &a {id: X-1}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err == nil && len(p.Rules) == 0 {
			t.Fatal("a pack without rules was accepted")
		}
	})
}
