package k8s

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// fixture reads fixtures/recipes/PARTS...
var fixture = recipetest.Fixture

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"deployment", fixture(t, "scanengine-docker", "deploy", "deployment.yaml"), []string{
			"L17 image registry.example.com/kaspersky/scanengine@2.1.0 pkg:docker/kaspersky/scanengine@2.1.0?repository_url=registry.example.com (image reference)"}},
		{"compose", fixture(t, "compose", "compose.yaml"), []string{
			"L3 image nginx@1.25 pkg:docker/nginx@1.25 (image reference)",
			"L5 image kaspersky/scanengine-httpd@2.1 pkg:docker/kaspersky/scanengine-httpd@2.1 (image reference)"}},
		{"helm values", fixture(t, "compose", "values.yaml"), []string{
			"L3 image registry.example.com/vendor/kesl-service@12.0 pkg:docker/vendor/kesl-service@12.0?repository_url=registry.example.com (image reference)"}},
		{"several documents", []byte("image: a:1\n---\nimage: b:2\n---\n: [\n"), []string{
			"L1 image a@1 pkg:docker/a@1 (image reference)",
			"L3 image b@2 pkg:docker/b@2 (image reference)"}},
	} {
		got := decl.Strings(Parse(c.data))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(fixture(f, "scanengine-docker", "deploy", "deployment.yaml"))
	f.Add(fixture(f, "compose", "compose.yaml"))
	f.Add(fixture(f, "compose", "values.yaml"))
	f.Add([]byte("a: &x {image: y}\nb: *x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := decl.Check(Parse(data), data); msg != "" {
			t.Fatal(msg)
		}
	})
}
