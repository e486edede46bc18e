package cm

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/shell"
)

// referenceParse is Parse as it was before the documents were decoded
// once for both YAML readers and the answers were looked for only when a
// key they need is there.
func referenceParse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		return nil
	}
	var l decl.List
	cloud := strings.HasPrefix(string(data), "#cloud-config")
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for i := 0; i < 1000; i++ {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		root := &n
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = root.Content[0]
		}
		if cloud && root.Kind == yaml.MappingNode {
			cloudInit(root, &l)
		}
		walk(root, "", 0, &l)
	}
	shell.Answers(data, &l)
	return l.Items
}

// yamlCorpus returns the YAML files under fixtures/ and the module's
// testdata directories, those of /usr/lib (up to 16 MiB) when it exists,
// and files built from the fixtures: several documents, a document that
// does not decode between them, answer files.
func yamlCorpus(t testing.TB) map[string][]byte {
	t.Helper()
	out := recipetest.RepoYAML(t, ".sls", "user-data")
	var all []string
	for _, data := range out {
		all = append(all, string(data))
	}
	slices.Sort(all)
	out["gen/all.yml"] = []byte(strings.Join(all, "\n---\n"))
	out["gen/broken.yml"] = []byte(all[0] + "\n---\n: [\n---\n" + all[1])
	out["gen/answers.yml"] = []byte("EULA_AGREED=yes\nPRIVACY_POLICY_AGREED=yes\nUSE_KSN=no\nKLNAGENT_SERVER=x\nKLNAGENT_PORT=1\n")
	out["gen/cloud.yml"] = []byte("#cloud-config\n" + all[2])
	out["gen/many.yml"] = []byte(strings.Repeat("apt: [kesl]\n---\n", decl.MaxDocuments+5))
	maps.Copy(out, recipetest.SystemYAML(".sls", "user-data"))
	return out
}

// TestParseSameAsReference holds Parse to referenceParse on every YAML
// file of the corpus.
func TestParseSameAsReference(t *testing.T) {
	items := 0
	for loc, data := range yamlCorpus(t) {
		got, want := decl.Strings(Parse(data)), decl.Strings(referenceParse(data))
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got  %q\n want %q", loc, got, want)
		}
		items += len(want)
	}
	if items < 10 {
		t.Errorf("only %d items in the corpus: the test proves little", items)
	}
}

// FuzzSameAsReference holds Parse to referenceParse on any bytes.
func FuzzSameAsReference(f *testing.F) {
	for _, p := range [][]string{
		{"ansible-kesl", "roles", "kesl", "tasks", "main.yml"}, {"salt-kesl", "kesl", "init.sls"}, {"cloud-init", "user-data"},
	} {
		f.Add(fixture(f, p...))
	}
	f.Add([]byte("apt: [kesl]\n---\n: [\n---\nUSE_KSN=1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := decl.Strings(Parse(data)), decl.Strings(referenceParse(data)); !slices.Equal(got, want) {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
}
