// Package recipetest holds what the recipe readers' tests share: reading
// the recipe fixtures under fixtures/recipes.
package recipetest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Fixture returns the contents of fixtures/recipes/PARTS..., failing the
// test when it cannot be read.
func Fixture(t testing.TB, parts ...string) []byte {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..", "..", "fixtures", "recipes")
	data, err := os.ReadFile(filepath.Join(append([]string{root}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
