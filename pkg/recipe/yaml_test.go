package recipe

import (
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/cm"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/k8s"
)

// yamlFiles returns the files Reader reads as YAML under dir, up to n
// bytes in all (none when dir does not exist), by path.
func yamlFiles(dir string, n int) map[string][]byte {
	return recipetest.Files(dir, false, n, func(p string, size int64) bool { return Reader(p) == YAML && size <= MaxBytes })
}

// BenchmarkYAMLParse reads the YAML files of /usr/lib (up to 16 MiB;
// skipped without them) as recipes: the Ansible, Salt and cloud-init
// reader and the image reader, on documents decoded once (Parse, "once")
// and, as before, each reader decoding the file itself ("twice"). ns/op
// is per file.
func BenchmarkYAMLParse(b *testing.B) {
	files := yamlFiles("/usr/lib", 16<<20)
	if len(files) == 0 {
		b.Skip("no YAML files under /usr/lib")
	}
	var locs []string
	for loc := range files {
		locs = append(locs, loc)
	}
	slices.Sort(locs)
	for _, bc := range []struct {
		name string
		fn   func(loc string, data []byte) []Item
	}{
		{"once", func(loc string, data []byte) []Item { return Parse(loc, data, nil) }},
		{"twice", func(_ string, data []byte) []Item { return append(cm.Parse(data), k8s.Parse(data)...) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				loc := locs[i%len(locs)]
				bc.fn(loc, files[loc])
			}
		})
	}
}

// TestYAMLSameAsReaders checks that reading a YAML file with its documents
// decoded once gives what the two readers give decoding it each: on the
// YAML files under fixtures/ and the module's testdata directories, and
// those of /usr/lib (up to 16 MiB) when it exists.
func TestYAMLSameAsReaders(t *testing.T) {
	files := yamlFiles("../..", 1<<40)
	for loc := range files {
		if !strings.Contains(loc, "fixtures/") && !strings.Contains(loc, "/testdata/") {
			delete(files, loc)
		}
	}
	if len(files) < 5 {
		t.Fatalf("only %d YAML fixtures", len(files))
	}
	for loc, data := range yamlFiles("/usr/lib", 16<<20) {
		files[loc] = data
	}
	items := 0
	for loc, data := range files {
		want := append(cm.Parse(data), k8s.Parse(data)...)
		if got := Parse(loc, data, nil); !slices.Equal(decl.Strings(got), decl.Strings(want)) {
			t.Errorf("%s:\n got  %q\n want %q", loc, decl.Strings(got), decl.Strings(want))
		}
		items += len(want)
	}
	if items < 10 {
		t.Errorf("only %d items: the test proves little", items)
	}
}
