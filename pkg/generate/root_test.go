package generate

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// TestRootName: the name the user gave the target, and the path to it, are
// not evidence. A directory named like the Kaspersky Anti-Virus SDK
// ("kavsdk") holding a harmless README gave a critical finding from its
// name alone; a product under /opt/kaspersky would have given one from its
// path. Each target is built twice, in a directory (or archive) named
// kavsdk-rn and named northwind: both must give the findings listed, from
// the contents only. A file named like a Kaspersky driver is still found,
// as a target of its own and inside a directory.
func TestRootName(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	readme := []byte("Northwind Gateway 7.2: a mail relay.\n")
	driver := []byte("MZ driver stub\n")
	tests := []struct {
		name string
		kind source.Scheme
		// build writes the target under parent, named after label, and
		// returns its path.
		build func(t *testing.T, parent, label string) string
		want  []string // "component rule,rule..." of each finding
	}{
		{name: "harmless directory", kind: "dir",
			build: func(t *testing.T, parent, label string) string {
				dir := filepath.Join(parent, label)
				write(t, filepath.Join(dir, "README"), readme)
				return dir
			}},
		{name: "directory with a driver", kind: "dir",
			build: func(t *testing.T, parent, label string) string {
				dir := filepath.Join(parent, label)
				write(t, filepath.Join(dir, "README"), readme)
				write(t, filepath.Join(dir, "drivers", "klif.sys"), driver)
				return dir
			},
			want: []string{"drivers/klif.sys KL-DRV-001"}},
		{name: "directory under opt/kaspersky", kind: "dir",
			build: func(t *testing.T, parent, label string) string {
				dir := filepath.Join(parent, "opt", "kaspersky", label)
				write(t, filepath.Join(dir, "README"), readme)
				return dir
			}},
		{name: "harmless file", kind: "file",
			build: func(t *testing.T, parent, label string) string {
				p := filepath.Join(parent, "opt", "kaspersky", label, "README")
				write(t, p, readme)
				return p
			}},
		{name: "driver file", kind: "file",
			build: func(t *testing.T, parent, label string) string {
				p := filepath.Join(parent, label, "klif.sys")
				write(t, p, driver)
				return p
			},
			want: []string{"klif.sys KL-DRV-001"}},
		{name: "image archive", kind: "docker-archive",
			build: func(t *testing.T, parent, label string) string {
				p := filepath.Join(parent, label+".tar")
				write(t, p, dockerArchive(t, tarOf(t, entry{"opt/", nil}, entry{"opt/nw/", nil}, entry{"opt/nw/README", readme})))
				return p
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, label := range []string{"kavsdk-rn", "northwind"} {
				target := tt.build(t, t.TempDir(), label)
				res, err := Generate(context.Background(), tt.kind, target, eng, Options{Limits: walk.DefaultLimits()})
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				doc := res.Document
				if got := summary(eng.Match(doc)); !slices.Equal(got, tt.want) {
					t.Errorf("%s: findings %q, want %q", label, got, tt.want)
				}
				checkRoot(t, doc, target)
			}
		})
	}
}

// checkRoot: the root has no name and no location, and the label syft gave
// it (the path as given, or a file's name) is kept for reports, as the
// document's name and the root's ref.
func checkRoot(t *testing.T, doc *model.Document, target string) {
	t.Helper()
	if len(doc.Roots) != 1 {
		t.Fatalf("roots %q, want one", doc.Roots)
	}
	root := doc.Component(doc.Roots[0])
	if root == nil {
		t.Fatalf("root %q is not a component", doc.Roots[0])
	}
	if root.Name != "" || len(root.Locations) > 0 {
		t.Errorf("root: name %q, locations %q: the user's path would be matched", root.Name, root.Locations)
	}
	for _, p := range root.Properties {
		if strings.Contains(p.Value, target) {
			t.Errorf("root: property %s = %q holds the user's path", p.Name, p.Value)
		}
	}
	if doc.Name == "" || !strings.Contains(target, doc.Name) || root.Ref != doc.Name {
		t.Errorf("label: document name %q, root ref %q; want the target's name (%s) in both", doc.Name, root.Ref, target)
	}
}

// summary is "component rule,rule" for each finding, sorted; the
// component is named by its location when it has one.
func summary(findings []match.Finding) []string {
	var out []string
	for _, f := range findings {
		name := f.Component.Name
		if len(f.Component.Locations) > 0 {
			name = f.Component.Locations[0]
		}
		out = append(out, strings.TrimPrefix(name, "/")+" "+strings.Join(f.Rules, ","))
	}
	slices.Sort(out)
	return out
}
