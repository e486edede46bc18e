package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestReleaseRecipe checks what can be checked of .goreleaser.yaml here,
// without GoReleaser or a Docker daemon: the images are built from the
// release build of pedigree, for linux on both architectures, from a
// Dockerfile that exists and copies that binary in as the entry point, and
// a manifest list joins them.
func TestReleaseRecipe(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Builds []struct {
			ID     string   `yaml:"id"`
			Binary string   `yaml:"binary"`
			GOOS   []string `yaml:"goos"`
			GOARCH []string `yaml:"goarch"`
		} `yaml:"builds"`
		Dockers []struct {
			IDs        []string `yaml:"ids"`
			GOOS       string   `yaml:"goos"`
			GOARCH     string   `yaml:"goarch"`
			Dockerfile string   `yaml:"dockerfile"`
			Images     []string `yaml:"image_templates"`
			Flags      []string `yaml:"build_flag_templates"`
		} `yaml:"dockers"`
		Manifests []struct {
			Name   string   `yaml:"name_template"`
			Images []string `yaml:"image_templates"`
		} `yaml:"docker_manifests"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if len(cfg.Builds) != 1 || cfg.Builds[0].Binary != "pedigree" {
		t.Fatalf("builds: %+v", cfg.Builds)
	}
	build := cfg.Builds[0]
	var images []string
	arches := map[string]bool{}
	for _, d := range cfg.Dockers {
		if !slices.Equal(d.IDs, []string{build.ID}) || d.GOOS != "linux" || !slices.Contains(build.GOARCH, d.GOARCH) {
			t.Errorf("docker image %v: not from the release build (%s, linux)", d.Images, build.ID)
		}
		if !slices.Contains(d.Flags, "--platform=linux/"+d.GOARCH) {
			t.Errorf("docker image %v: no --platform=linux/%s", d.Images, d.GOARCH)
		}
		arches[d.GOARCH] = true
		images = append(images, d.Images...)
		df, err := os.ReadFile(filepath.Join(root, d.Dockerfile))
		if err != nil {
			t.Fatalf("dockerfile: %v", err)
		}
		text := string(df)
		if !strings.Contains(text, "COPY "+build.Binary+" /usr/local/bin/"+build.Binary) ||
			!strings.Contains(text, `ENTRYPOINT ["/usr/local/bin/`+build.Binary+`"]`) || !strings.Contains(text, "FROM ") {
			t.Errorf("%s does not copy %s in as the entry point:\n%s", d.Dockerfile, build.Binary, text)
		}
	}
	if !arches["amd64"] || !arches["arm64"] {
		t.Errorf("images for %v, want amd64 and arm64", arches)
	}
	if len(cfg.Manifests) == 0 {
		t.Fatal("no docker_manifests")
	}
	for _, m := range cfg.Manifests {
		if !slices.Equal(slices.Sorted(slices.Values(m.Images)), slices.Sorted(slices.Values(images))) {
			t.Errorf("manifest %s joins %v, want %v", m.Name, m.Images, images)
		}
	}
}
