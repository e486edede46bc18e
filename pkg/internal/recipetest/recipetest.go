// Package recipetest holds what the recipe readers' tests share: reading
// the recipe fixtures under fixtures/recipes, and a corpus of real YAML.
package recipetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// RepoYAML returns the files named *.yml or *.yaml, or ending in one of
// extra (".sls", "user-data"), under fixtures/ and the module's testdata
// directories. It fails the test when there are fewer than 5.
func RepoYAML(t testing.TB, extra ...string) map[string][]byte {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..", "..")
	out := readYAML(root, root, 1<<40, extra)
	if len(out) < 5 {
		t.Fatalf("only %d YAML fixtures", len(out))
	}
	return out
}

// SystemYAML returns such files of /usr/lib, up to 16 MiB of them, when it
// exists: real YAML nobody wrote for pedigree's tests.
func SystemYAML(extra ...string) map[string][]byte {
	return readYAML("/usr/lib", "", 16<<20, extra)
}

// readYAML reads the YAML files under dir, until budget bytes are read;
// with a repo root, only those under its fixtures/ and testdata
// directories.
func readYAML(dir, repo string, budget int, extra []string) map[string][]byte {
	want := func(name string) bool {
		b := strings.ToLower(name)
		for _, s := range append([]string{".yml", ".yaml"}, extra...) {
			if strings.HasSuffix(b, s) {
				return true
			}
		}
		return false
	}
	out := map[string][]byte{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || budget <= 0 || d.IsDir() || !d.Type().IsRegular() || !want(d.Name()) {
			return nil
		}
		if rel, _ := filepath.Rel(repo, p); repo != "" && !strings.HasPrefix(rel, "fixtures/") && !strings.Contains(rel, "/testdata/") {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil {
			out[p] = data
			budget -= len(data)
		}
		return nil
	})
	return out
}
