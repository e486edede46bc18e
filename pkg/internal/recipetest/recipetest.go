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

// Root is the module's root directory.
func Root() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "..")
}

// Files returns the regular files under dir that keep accepts (given the
// path and the size), by path, until budget bytes are read; .git
// directories are skipped, and with inRepo only the files under the
// module's fixtures/ and testdata directories are taken. A file that
// cannot be read is left out.
func Files(dir string, inRepo bool, budget int, keep func(path string, size int64) bool) map[string][]byte {
	root := Root()
	out := map[string][]byte{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || budget <= 0 {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if rel, _ := filepath.Rel(root, p); inRepo && !strings.HasPrefix(rel, "fixtures/") && !strings.Contains(rel, "/testdata/") {
			return nil
		}
		info, err := d.Info()
		if err != nil || !keep(p, info.Size()) {
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

// RepoYAML returns the files named *.yml or *.yaml, or ending in one of
// extra (".sls", "user-data"), under fixtures/ and the module's testdata
// directories. It fails the test when there are fewer than 5.
func RepoYAML(t testing.TB, extra ...string) map[string][]byte {
	t.Helper()
	out := Files(Root(), true, 1<<40, yamlName(extra))
	if len(out) < 5 {
		t.Fatalf("only %d YAML fixtures", len(out))
	}
	return out
}

// SystemYAML returns such files of /usr/lib, up to 16 MiB of them, when it
// exists: real YAML nobody wrote for pedigree's tests.
func SystemYAML(extra ...string) map[string][]byte {
	return Files("/usr/lib", false, 16<<20, yamlName(extra))
}

// yamlName keeps the files named *.yml, *.yaml or ending in one of extra.
func yamlName(extra []string) func(string, int64) bool {
	return func(p string, _ int64) bool {
		b := strings.ToLower(filepath.Base(p))
		for _, s := range append([]string{".yml", ".yaml"}, extra...) {
			if strings.HasSuffix(b, s) {
				return true
			}
		}
		return false
	}
}
