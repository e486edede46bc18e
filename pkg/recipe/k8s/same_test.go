package k8s

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// referenceParse is Parse as it was before the documents were decoded
// once for both YAML readers.
func referenceParse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		return nil
	}
	var l decl.List
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for i := 0; i < 1000; i++ {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		walk(&n, 0, &l)
	}
	return l.Items
}

// TestParseSameAsReference holds Parse to referenceParse on the YAML files
// under fixtures/ and the module's testdata directories, those of
// /usr/lib (up to 16 MiB) when it exists, and files of several documents.
func TestParseSameAsReference(t *testing.T) {
	files := recipetest.RepoYAML(t)
	var all []string
	for _, data := range files {
		all = append(all, string(data))
	}
	slices.Sort(all)
	files["gen/all.yml"] = []byte(strings.Join(all, "\n---\n"))
	files["gen/broken.yml"] = []byte("image: a:1\n---\n: [\n---\nimage: b:2\n")
	files["gen/many.yml"] = []byte(strings.Repeat("image: a:1\n---\n", decl.MaxDocuments+5) + "image: z:9\n")
	maps.Copy(files, recipetest.SystemYAML())
	items := 0
	for loc, data := range files {
		got, want := decl.Strings(Parse(data)), decl.Strings(referenceParse(data))
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got  %q\n want %q", loc, got, want)
		}
		items += len(want)
	}
	if items < 5 {
		t.Errorf("only %d items in the corpus: the test proves little", items)
	}
}

// FuzzSameAsReference holds Parse to referenceParse on any bytes.
func FuzzSameAsReference(f *testing.F) {
	f.Add(fixture(f, "scanengine-docker", "deploy", "deployment.yaml"))
	f.Add(fixture(f, "compose", "values.yaml"))
	f.Add([]byte("image: a:1\n---\n: [\n---\nimage: b:2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := decl.Strings(Parse(data)), decl.Strings(referenceParse(data)); !slices.Equal(got, want) {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
}
