package syftjson

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// load decodes a fixture the way the caller does: Decode, then Normalize.
func load(t *testing.T, name string) *model.Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return decodeOK(t, data)
}

func decodeOK(t *testing.T, data []byte) *model.Document {
	t.Helper()
	doc, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if doc == nil {
		t.Fatal("Decode returned a nil document and no error")
	}
	doc.Normalize()
	return doc
}

func component(t *testing.T, doc *model.Document, ref string) *model.Component {
	t.Helper()
	c := doc.Component(ref)
	if c == nil {
		t.Fatalf("no component %q", ref)
	}
	return c
}

func property(c *model.Component, name string) (string, bool) {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

func hasRel(doc *model.Document, from string, typ model.RelationshipType, to string) bool {
	for _, r := range doc.Relationships {
		if r.From == from && r.Type == typ && r.To == to {
			return true
		}
	}
	return false
}

func wantProperty(t *testing.T, c *model.Component, name, value string) {
	t.Helper()
	got, ok := property(c, name)
	if !ok {
		t.Fatalf("%s: no property %q; have %v", c.Ref, name, c.Properties)
	}
	if got != value {
		t.Fatalf("%s: property %q = %q, want %q", c.Ref, name, got, value)
	}
}

func wantNoProperty(t *testing.T, c *model.Component, name string) {
	t.Helper()
	if v, ok := property(c, name); ok {
		t.Fatalf("%s: unexpected property %q = %q", c.Ref, name, v)
	}
}

func wantSupplier(t *testing.T, c *model.Component, want model.Party) {
	t.Helper()
	if c.Supplier == nil {
		t.Fatalf("%s: no supplier", c.Ref)
	}
	if !reflect.DeepEqual(*c.Supplier, want) {
		t.Fatalf("%s: supplier = %+v, want %+v", c.Ref, *c.Supplier, want)
	}
}

func wantAuthors(t *testing.T, c *model.Component, want []model.Party) {
	t.Helper()
	if !reflect.DeepEqual(c.Authors, want) {
		t.Fatalf("%s: authors = %+v, want %+v", c.Ref, c.Authors, want)
	}
}

func wantStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func org(name string) model.Party {
	return model.Party{Kind: "organization", Name: name, Raw: name}
}

// TestVendorFieldsSchema16 checks, one field per case, that every
// vendor-revealing value of the modern fixture lands in the model.
func TestVendorFieldsSchema16(t *testing.T) {
	doc := load(t, "schema-16.json")
	tests := []struct {
		name  string
		ref   string
		check func(t *testing.T, c *model.Component)
	}{
		{"java Implementation-Vendor is the supplier", "pkg-java", func(t *testing.T, c *model.Component) {
			// Specification-Vendor comes first in the manifest but ranks lower.
			wantSupplier(t, c, org("Example Vendor GmbH"))
		}},
		{"java Implementation-Vendor property", "pkg-java", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:manifest.main.Implementation-Vendor", "Example Vendor GmbH")
		}},
		{"java Specification-Vendor property", "pkg-java", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:manifest.main.Specification-Vendor", "Example Specification Group")
		}},
		{"java Implementation-Title property", "pkg-java", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:manifest.main.Implementation-Title", "KV Client")
		}},
		{"java Created-By property", "pkg-java", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:manifest.main.Created-By", "Apache Maven 3.9.6")
		}},
		{"java manifest section vendor property", "pkg-java", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:manifest.sections[0].Implementation-Vendor", "Shaded Library Vendor")
		}},
		{"java manifest entries that reveal nothing are dropped", "pkg-java", func(t *testing.T, c *model.Component) {
			wantNoProperty(t, c, "syft:metadata:manifest.main.Manifest-Version")
			wantNoProperty(t, c, "syft:metadata:manifest.main.Build-Jdk-Spec")
			wantNoProperty(t, c, "syft:metadata:manifest.main[0].key")
		}},
		{"java pomProperties groupId is the group", "pkg-java", func(t *testing.T, c *model.Component) {
			if c.Group != "com.example.vendor" {
				t.Fatalf("group = %q", c.Group)
			}
			wantProperty(t, c, "syft:metadata:pomProperties.groupId", "com.example.vendor")
			wantProperty(t, c, "syft:metadata:pomProperties.artifactId", "kv-client")
		}},
		{"java pomProject name and url properties", "pkg-java", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:pomProject.name", "KV Client Library")
			wantProperty(t, c, "syft:metadata:pomProject.url", "https://vendor.example.com/kv-client")
			wantNoProperty(t, c, "syft:metadata:pomProperties.name") // empty
		}},
		{"java identity fields", "pkg-java", func(t *testing.T, c *model.Component) {
			if c.Name != "kv-client" || c.Version != "1.0.0" || c.Type != "java-archive" ||
				c.PURL != "pkg:maven/com.example.vendor/kv-client@1.0.0" {
				t.Fatalf("identity = %q %q %q %q", c.Name, c.Version, c.Type, c.PURL)
			}
			wantStrings(t, "cpes", c.CPEs, []string{"cpe:2.3:a:example_vendor:kv-client:1.0.0:*:*:*:*:*:*:*"})
			wantStrings(t, "licenses", c.Licenses, []string{"Apache-2.0"})
			wantProperty(t, c, "syft:package:foundBy", "java-archive-cataloger")
			wantProperty(t, c, "syft:package:language", "java")
			wantProperty(t, c, "syft:package:metadataType", "java-archive")
		}},
		{"java locations keep path and access path, not the layer", "pkg-java", func(t *testing.T, c *model.Component) {
			wantStrings(t, "locations", c.Locations, []string{"/opt/app/lib/kv-client-1.0.0.jar", "/opt/app/lib/kv-client.jar"})
		}},
		{".NET companyName is the supplier", "pkg-dotnet", func(t *testing.T, c *model.Component) {
			wantSupplier(t, c, org("Example Vendor GmbH"))
			wantProperty(t, c, "syft:metadata:companyName", "Example Vendor GmbH")
		}},
		{".NET legalCopyright is the copyright", "pkg-dotnet", func(t *testing.T, c *model.Component) {
			if want := "© 2024 Example Vendor GmbH. All rights reserved."; c.Copyright != want {
				t.Fatalf("copyright = %q, want %q", c.Copyright, want)
			}
			wantProperty(t, c, "syft:metadata:legalCopyright", "© 2024 Example Vendor GmbH. All rights reserved.")
		}},
		{".NET productName and internalName properties", "pkg-dotnet", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:productName", "Example Scanner")
			wantProperty(t, c, "syft:metadata:internalName", "Example.Scanner.dll")
			wantNoProperty(t, c, "syft:metadata:assemblyVersion")
		}},
		{"PE version resource CompanyName is the supplier", "pkg-pe", func(t *testing.T, c *model.Component) {
			wantSupplier(t, c, org("Helper Tools Ltd"))
			wantProperty(t, c, "syft:metadata:VersionResources.CompanyName", "Helper Tools Ltd")
		}},
		{"PE version resource LegalCopyright is the copyright", "pkg-pe", func(t *testing.T, c *model.Component) {
			if want := "Copyright (C) 2023 Helper Tools Ltd"; c.Copyright != want {
				t.Fatalf("copyright = %q, want %q", c.Copyright, want)
			}
		}},
		{"PE version resource names are properties", "pkg-pe", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:VersionResources.OriginalFilename", "scanhelper.exe")
			wantProperty(t, c, "syft:metadata:VersionResources.FileDescription", "Scan helper service")
			wantProperty(t, c, "syft:metadata:VersionResources.ProductName", "Helper Tools Scan Engine")
		}},
		{"npm author is parsed into an author", "pkg-npm", func(t *testing.T, c *model.Component) {
			wantAuthors(t, c, []model.Party{{Name: "Jane Maker", Email: "jane@example.org", Raw: "Jane Maker <jane@example.org>"}})
			wantProperty(t, c, "syft:metadata:author", "Jane Maker <jane@example.org>")
			if c.Supplier != nil {
				t.Fatalf("an npm author is not a supplier: %+v", c.Supplier)
			}
		}},
		{"npm homepage, url and description", "pkg-npm", func(t *testing.T, c *model.Component) {
			want := []model.ExternalRef{{Type: "website", URL: "https://maker.example.org/left-pad"}}
			if !reflect.DeepEqual(c.ExternalRefs, want) {
				t.Fatalf("externalRefs = %+v", c.ExternalRefs)
			}
			if c.Description != "String left pad" {
				t.Fatalf("description = %q", c.Description)
			}
			wantProperty(t, c, "syft:metadata:url", "https://github.com/maker/left-pad.git")
			wantProperty(t, c, "syft:metadata:homepage", "https://maker.example.org/left-pad")
		}},
		{"npm lock entry resolved URL", "pkg-npm-app", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:resolved", "https://npm.example-vendor.test/example-ui/-/example-ui-2.0.0.tgz")
			wantNoProperty(t, c, "syft:metadata:integrity")
		}},
		{"python author and authorEmail make one author", "pkg-python", func(t *testing.T, c *model.Component) {
			wantAuthors(t, c, []model.Party{{Name: "Py Author", Email: "py@example.net", Raw: "Py Author"}})
			wantProperty(t, c, "syft:metadata:authorEmail", "py@example.net")
		}},
		{"composer author objects", "pkg-php", func(t *testing.T, c *model.Component) {
			wantAuthors(t, c, []model.Party{
				{Name: "Composer Person", Email: "composer@example.com", URLs: []string{"https://composer.example.com"}},
				{Name: "Second Person"},
			})
			wantProperty(t, c, "syft:metadata:authors[0].name", "Composer Person")
			wantProperty(t, c, "syft:metadata:authors[0].email", "composer@example.com")
			wantProperty(t, c, "syft:metadata:authors[1].name", "Second Person")
		}},
		{"rpm vendor is the supplier", "pkg-rpm", func(t *testing.T, c *model.Component) {
			wantSupplier(t, c, org("Red Example, Inc."))
			wantStrings(t, "licenses", c.Licenses, []string{"Proprietary"})
		}},
		{"dpkg maintainer is the supplier of last resort", "pkg-deb", func(t *testing.T, c *model.Component) {
			wantSupplier(t, c, model.Party{Name: "Debian Example Team", Email: "team@lists.example.org", Raw: "Debian Example Team <team@lists.example.org>"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, component(t, doc, tt.ref))
		})
	}
}

// TestVendorFieldsSchema3 checks the same fields in an old document: plain
// string cpes and licenses, manifest maps, source.target, no source id.
func TestVendorFieldsSchema3(t *testing.T) {
	doc := load(t, "schema-3.json")
	tests := []struct {
		name  string
		ref   string
		check func(t *testing.T, c *model.Component)
	}{
		{"java Implementation-Vendor beats Bundle-Vendor", "legacy-java", func(t *testing.T, c *model.Component) {
			wantSupplier(t, c, org("Example Vendor GmbH"))
		}},
		{"java manifest map entries are properties", "legacy-java", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:manifest.main.Implementation-Vendor", "Example Vendor GmbH")
			wantProperty(t, c, "syft:metadata:manifest.main.Bundle-Vendor", "Example Bundle Vendor")
			wantProperty(t, c, "syft:metadata:manifest.main.Implementation-Title", "KV Client")
			wantProperty(t, c, "syft:metadata:manifest.main.Created-By", "1.8.0_292 (Example JDK Builder)")
			wantProperty(t, c, "syft:metadata:manifest.namedSections.com/example/vendor/.Specification-Vendor", "Example Specification Group")
			wantNoProperty(t, c, "syft:metadata:manifest.main.Manifest-Version")
		}},
		{"java plain string cpes and licenses", "legacy-java", func(t *testing.T, c *model.Component) {
			wantStrings(t, "cpes", c.CPEs, []string{
				"cpe:2.3:a:example_vendor:kv-client:0.8.0:*:*:*:*:*:*:*",
				"cpe:2.3:a:kv-client:kv-client:0.8.0:*:*:*:*:*:*:*",
			})
			wantStrings(t, "licenses", c.Licenses, []string{"Apache-2.0"})
		}},
		{"java group and virtual path", "legacy-java", func(t *testing.T, c *model.Component) {
			if c.Group != "com.example.vendor" {
				t.Fatalf("group = %q", c.Group)
			}
			wantStrings(t, "locations", c.Locations, []string{
				"/opt/app/lib/kv-client-0.8.0.jar",
				"/opt/app/lib/kv-client-0.8.0.jar:com.example.vendor:kv-client",
			})
		}},
		{"PE companyName is the supplier", "legacy-pe", func(t *testing.T, c *model.Component) {
			wantSupplier(t, c, org("Example Vendor GmbH"))
		}},
		{"PE legalCopyright is the copyright", "legacy-pe", func(t *testing.T, c *model.Component) {
			if want := "Copyright © Example Vendor GmbH 2019"; c.Copyright != want {
				t.Fatalf("copyright = %q, want %q", c.Copyright, want)
			}
		}},
		{"PE names are properties", "legacy-pe", func(t *testing.T, c *model.Component) {
			wantProperty(t, c, "syft:metadata:originalFilename", "scanhelper.exe")
			wantProperty(t, c, "syft:metadata:fileDescription", "Example scan helper")
			wantProperty(t, c, "syft:metadata:productName", "Example Scanner")
		}},
		{"npm author", "legacy-npm", func(t *testing.T, c *model.Component) {
			wantAuthors(t, c, []model.Party{{Name: "Jane Maker", Email: "jane@example.org", Raw: "Jane Maker <jane@example.org>"}})
			wantStrings(t, "licenses", c.Licenses, []string{"WTFPL", "MIT"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, component(t, doc, tt.ref))
		})
	}
}

func TestRelationships(t *testing.T) {
	tests := []struct {
		fixture  string
		from     string
		typ      model.RelationshipType
		to       string
		comment  string
		notFound bool
	}{
		{fixture: "schema-16.json", from: "src-id", typ: model.RelContains, to: "pkg-java"},
		// {parent: left-pad, child: example-ui, dependency-of}: left-pad is a
		// dependency of example-ui.
		{fixture: "schema-16.json", from: "pkg-npm-app", typ: model.RelDependsOn, to: "pkg-npm"},
		{fixture: "schema-16.json", from: "pkg-npm", typ: model.RelDependsOn, to: "pkg-npm-app", notFound: true},
		{fixture: "schema-16.json", from: "pkg-npm", typ: "EVIDENT_BY", to: "file-pkgjson"},
		{fixture: "schema-16.json", from: "pkg-java", typ: "EVIDENT_BY", to: "file-jar"},
		{fixture: "schema-16.json", from: "pkg-rpm", typ: model.RelContains, to: "pkg-python", comment: "syft: ownership-by-file-overlap"},
		{fixture: "schema-3.json", from: "legacy-java", typ: model.RelContains, to: "legacy-npm"},
		{fixture: "schema-3.json", from: "legacy-pe", typ: model.RelDependsOn, to: "legacy-npm"},
		{fixture: "schema-3.json", from: "legacy-npm", typ: "EVIDENT_BY", to: "legacy-file-pkgjson"},
	}
	docs := map[string]*model.Document{}
	for _, tt := range tests {
		t.Run(tt.fixture+" "+tt.from+" "+string(tt.typ)+" "+tt.to, func(t *testing.T) {
			doc := docs[tt.fixture]
			if doc == nil {
				doc = load(t, tt.fixture)
				docs[tt.fixture] = doc
			}
			if got := hasRel(doc, tt.from, tt.typ, tt.to); got == tt.notFound {
				t.Fatalf("relationship present = %v, want %v; have %+v", got, !tt.notFound, doc.Relationships)
			}
			if tt.comment != "" {
				for _, r := range doc.Relationships {
					if r.From == tt.from && r.To == tt.to && r.Comment != tt.comment {
						t.Fatalf("comment = %q, want %q", r.Comment, tt.comment)
					}
				}
			}
		})
	}
}

func TestEvidentByAddsLocation(t *testing.T) {
	doc := load(t, "schema-16.json")
	app := component(t, doc, "pkg-npm-app")
	wantStrings(t, "locations", app.Locations, []string{"/opt/app/package.json", "/opt/app/package-lock.json"})
	// A path the package already has is not repeated.
	npm := component(t, doc, "pkg-npm")
	wantStrings(t, "locations", npm.Locations, []string{"/opt/app/node_modules/left-pad/package.json"})
}

func TestRoot(t *testing.T) {
	t.Run("schema 16 image source", func(t *testing.T) {
		doc := load(t, "schema-16.json")
		wantStrings(t, "roots", doc.Roots, []string{"src-id"})
		root := component(t, doc, "src-id")
		if doc.Components[0] != root {
			t.Fatal("the root is not the first component")
		}
		if root.Name != "acme-appliance" || root.Version != "2.4.0" || root.Type != "image" {
			t.Fatalf("root = %q %q %q", root.Name, root.Version, root.Type)
		}
		wantSupplier(t, root, model.Party{Name: "Acme Appliances Inc.", Raw: "Acme Appliances Inc."})
		wantProperty(t, root, "syft:source:userInput", "registry.example.com/acme/appliance:2.4.0")
		wantProperty(t, root, "syft:source:tags[0]", "registry.example.com/acme/appliance:2.4.0")
		wantProperty(t, root, "syft:source:labels.org.opencontainers.image.vendor", "Acme Label Vendor")
		wantNoProperty(t, root, "syft:source:manifest")
		wantNoProperty(t, root, "syft:source:layers[0].digest")
		wantAuthors(t, root, []model.Party{{Name: "Ops Team", Email: "ops@acme.example", Raw: "Ops Team <ops@acme.example>"}})
		paths := doc.Paths()
		wantStrings(t, "path to kv-client", paths["pkg-java"], []string{"src-id", "pkg-java"})
		wantStrings(t, "path to examplelib", paths["pkg-python"], []string{"src-id", "pkg-rpm", "pkg-python"})
	})
	t.Run("schema 3 image target without id", func(t *testing.T) {
		doc := load(t, "schema-3.json")
		wantStrings(t, "roots", doc.Roots, []string{"pedigree:source"})
		root := component(t, doc, "pedigree:source")
		if root.Name != "registry.example.com/legacy/app:1.0" || root.Type != "image" {
			t.Fatalf("root = %q %q", root.Name, root.Type)
		}
		wantProperty(t, root, "syft:source:imageID", "sha256:abababababababababababababababababababababababababababababababab")
	})
	t.Run("directory source", func(t *testing.T) {
		doc := decodeOK(t, []byte(`{"source": {"id": "d1", "name": "", "type": "directory", "metadata": {"path": "/src/project"}}}`))
		root := component(t, doc, "d1")
		if root.Name != "/src/project" {
			t.Fatalf("name = %q", root.Name)
		}
		wantStrings(t, "locations", root.Locations, []string{"/src/project"})
	})
	t.Run("file source digests", func(t *testing.T) {
		doc := decodeOK(t, []byte(`{"source": {"id": "f1", "name": "app.tar", "type": "file",
			"metadata": {"path": "/tmp/app.tar", "digests": [{"algorithm": "sha256", "value": "ABCD"}]}}}`))
		root := component(t, doc, "f1")
		want := []model.Hash{{Algorithm: "SHA-256", Value: "abcd"}}
		if !reflect.DeepEqual(root.Hashes, want) {
			t.Fatalf("hashes = %+v", root.Hashes)
		}
	})
	t.Run("pre-v9 string target", func(t *testing.T) {
		doc := decodeOK(t, []byte(`{"source": {"type": "dir", "target": "/src/dir"}}`))
		root := component(t, doc, "pedigree:source")
		if root.Name != "/src/dir" || root.Type != "dir" {
			t.Fatalf("root = %q %q", root.Name, root.Type)
		}
	})
	t.Run("no source, no root", func(t *testing.T) {
		doc := decodeOK(t, []byte(`{"artifacts": []}`))
		if len(doc.Roots) != 0 || len(doc.Components) != 0 {
			t.Fatalf("roots = %v, components = %d", doc.Roots, len(doc.Components))
		}
	})
}

func TestFiles(t *testing.T) {
	doc := load(t, "schema-16.json")
	files := map[string]*model.File{}
	for _, f := range doc.Files {
		files[f.Ref] = f
	}
	if len(files) != 5 {
		t.Fatalf("files = %d, want 5", len(files))
	}
	jar := files["file-jar"]
	if jar.Name != "/opt/app/lib/kv-client-1.0.0.jar" {
		t.Fatalf("jar name = %q", jar.Name)
	}
	want := []model.Hash{
		{Algorithm: "SHA-1", Value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{Algorithm: "SHA-256", Value: "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"},
	}
	if !reflect.DeepEqual(jar.Checksums, want) {
		t.Fatalf("jar checksums = %+v", jar.Checksums)
	}
	exe := files["file-exe"]
	wantStrings(t, "exe types", exe.Types, []string{"BINARY"})
	for _, s := range []string{"mimeType: application/x-dosexec", "executable format: pe", "imported libraries: KERNEL32.dll, helpertools_engine.dll"} {
		if !strings.Contains(exe.Comment, s) {
			t.Fatalf("exe comment %q lacks %q", exe.Comment, s)
		}
	}
	if n := files["file-nested"]; n.Name != "/opt/app/app.war!/WEB-INF/lib/inner.jar" || n.Checksums[0].Algorithm != "SHA-512" {
		t.Fatalf("nested file = %+v", n)
	}
	if l := files["file-lock"]; len(l.Checksums) != 0 || len(l.Types) != 0 {
		t.Fatalf("lock file = %+v", l)
	}

	legacy := load(t, "schema-3.json")
	if f := legacy.Files[0]; f.Ref != "legacy-file-pkgjson" || f.Checksums[0] != (model.Hash{Algorithm: "MD5", Value: "0123456789abcdef0123456789abcdef"}) {
		t.Fatalf("legacy file = %+v", f)
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		fixture, spec, tool, distro string
	}{
		{"schema-16.json", "16.1.13", "syft 1.57.0", "debian 12"},
		{"schema-3.json", "3.2.4", "syft 0.40.0", "debian 10"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			doc := load(t, tt.fixture)
			if doc.SpecVersion != tt.spec {
				t.Fatalf("specVersion = %q, want %q", doc.SpecVersion, tt.spec)
			}
			wantStrings(t, "tools", doc.Tools, []string{tt.tool})
			want := model.Property{Name: "syft:distro", Value: tt.distro}
			if len(doc.Properties) == 0 || doc.Properties[0] != want {
				t.Fatalf("properties = %+v, want %+v first", doc.Properties, want)
			}
			if len(doc.Warnings) != 0 {
				t.Fatalf("warnings = %q", doc.Warnings)
			}
		})
	}
}

// TestSchema1 reads the shape of schemas 1.0.x: no package ids, a string
// target, the fileMetadata list.
func TestSchema1(t *testing.T) {
	doc := decodeOK(t, []byte(`{
		"artifacts": [{"name": "a", "version": "1", "type": "deb", "locations": [{"path": "/var/lib/dpkg/status"}],
			"licenses": ["GPL-2.0"], "cpes": ["cpe:2.3:a:a:a:1:*:*:*:*:*:*:*"], "metadataType": "DpkgMetadata",
			"metadata": {"package": "a", "maintainer": "Someone <s@example.com>"}}],
		"fileMetadata": [{"location": {"path": "/bin/a"}, "metadata": {"mode": 755, "type": "regularFile", "userID": 0, "groupID": 0,
			"digests": [{"algorithm": "sha256", "value": "01"}]}}],
		"source": {"type": "dir", "target": "/src"},
		"distro": {"name": "debian", "version": "9", "idLike": ""},
		"descriptor": {"name": "syft", "version": "0.12.0"},
		"schema": {"version": "1.0.4", "url": "x"}
	}`))
	if len(doc.Components) != 2 {
		t.Fatalf("components = %d", len(doc.Components))
	}
	a := doc.Components[1]
	if a.Ref != "pedigree:component:2" || a.Name != "a" {
		t.Fatalf("artifact = %q %q", a.Ref, a.Name)
	}
	wantSupplier(t, a, model.Party{Name: "Someone", Email: "s@example.com", Raw: "Someone <s@example.com>"})
	wantStrings(t, "cpes", a.CPEs, []string{"cpe:2.3:a:a:a:1:*:*:*:*:*:*:*"})
	if len(doc.Files) != 1 || doc.Files[0].Name != "/bin/a" || doc.Files[0].Ref != "pedigree:file:1" ||
		doc.Files[0].Checksums[0] != (model.Hash{Algorithm: "SHA-256", Value: "01"}) {
		t.Fatalf("files = %+v", doc.Files)
	}
}

func TestOtherRelationshipTypes(t *testing.T) {
	doc := decodeOK(t, []byte(`{"artifactRelationships": [
		{"parent": "p", "child": "s", "type": "described-by"},
		{"parent": "a", "child": "b", "type": "future-kind"},
		{"parent": "a", "child": "b", "type": "CONTAINS"}
	]}`))
	for _, r := range []model.Relationship{
		{From: "s", Type: model.RelDescribes, To: "p"},
		{From: "a", Type: "FUTURE_KIND", To: "b"},
		{From: "a", Type: model.RelContains, To: "b"},
	} {
		if !hasRel(doc, r.From, r.Type, r.To) {
			t.Fatalf("missing %+v in %+v", r, doc.Relationships)
		}
	}
}

func TestLocationVariants(t *testing.T) {
	doc := decodeOK(t, []byte(`{"artifacts": [{"id": "x", "name": "x", "locations": [
		{"path": "/a.jar", "virtualPath": "/a.jar:inner"},
		{"path": "/app.war", "fullPath": "/app.war!/WEB-INF/lib/b.jar", "accessPath": "/app.war!/WEB-INF/lib/b.jar"},
		"/plain/string",
		{"path": "/a.jar"}
	]}]}`))
	wantStrings(t, "locations", component(t, doc, "x").Locations,
		[]string{"/a.jar", "/a.jar:inner", "/app.war", "/app.war!/WEB-INF/lib/b.jar", "/plain/string"})
}

func TestKeyMatching(t *testing.T) {
	doc := decodeOK(t, []byte(`{"artifacts": [{"id": "x", "name": "x", "metadata": {
		"IMPLEMENTATION_VENDOR": "Shouty Vendor",
		"nested": {"deeper": [{"org.label-schema.vendor": "Label Vendor"}]},
		"maintainers": ["One <one@example.com>", "Two"],
		"publisher": "Pub Co",
		"manufacturer": {"name": "Maker Inc", "url": "https://maker.example"},
		"originator": "Orig Person",
		"name": "not kept",
		"version": "not kept"
	}}]}`))
	c := component(t, doc, "x")
	wantProperty(t, c, "syft:metadata:IMPLEMENTATION_VENDOR", "Shouty Vendor")
	wantProperty(t, c, "syft:metadata:nested.deeper[0].org.label-schema.vendor", "Label Vendor")
	wantProperty(t, c, "syft:metadata:maintainers[1]", "Two")
	wantNoProperty(t, c, "syft:metadata:name")
	wantNoProperty(t, c, "syft:metadata:version")
	// vendor (from the label) outranks Implementation-Vendor.
	wantSupplier(t, c, org("Label Vendor"))
	if c.Publisher != "Pub Co" {
		t.Fatalf("publisher = %q", c.Publisher)
	}
	if c.Manufacturer == nil || c.Manufacturer.Name != "Maker Inc" || !reflect.DeepEqual(c.Manufacturer.URLs, []string{"https://maker.example"}) {
		t.Fatalf("manufacturer = %+v", c.Manufacturer)
	}
	if c.Originator == nil || c.Originator.Name != "Orig Person" {
		t.Fatalf("originator = %+v", c.Originator)
	}
}

func TestParseParty(t *testing.T) {
	tests := []struct {
		in   string
		want model.Party
	}{
		{"Jane Maker <jane@example.org>", model.Party{Name: "Jane Maker", Email: "jane@example.org", Raw: "Jane Maker <jane@example.org>"}},
		{"Jane Maker <jane@example.org> (https://jane.example)", model.Party{Name: "Jane Maker", Email: "jane@example.org",
			URLs: []string{"https://jane.example"}, Raw: "Jane Maker <jane@example.org> (https://jane.example)"}},
		{"jane@example.org", model.Party{Email: "jane@example.org", Raw: "jane@example.org"}},
		{"<only@example.org>", model.Party{Email: "only@example.org", Raw: "<only@example.org>"}},
		{"Example Vendor GmbH", model.Party{Name: "Example Vendor GmbH", Raw: "Example Vendor GmbH"}},
		{"Builder (not a url)", model.Party{Name: "Builder (not a url)", Raw: "Builder (not a url)"}},
		{"  padded  ", model.Party{Name: "padded", Raw: "padded"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseParty(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parseParty(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// malformedCases are inputs that must fail (wantErr) or be read with a
// warning (wantWarning), never panic.
var malformedCases = []struct {
	name        string
	in          string
	wantErr     string
	wantWarning string
}{
	{name: "empty", in: "", wantErr: "empty input"},
	{name: "white space", in: " \n\t", wantErr: "empty input"},
	{name: "truncated", in: `{"artifacts": [{"id": "a", "name": "x"`, wantErr: "truncated"},
	{name: "syntax error", in: "{\n\"artifacts\": [}", wantErr: "line 2, column"},
	{name: "trailing garbage", in: `{} {}`, wantErr: "invalid JSON"},
	{name: "top-level array", in: `[{"artifacts": []}]`, wantErr: "want a JSON object at the top level, got array"},
	{name: "top-level null", in: `null`, wantErr: "got null"},
	{name: "top-level string", in: `"syft"`, wantErr: "got string"},
	{name: "artifacts is a number", in: `{"artifacts": 5}`, wantErr: "artifacts: want an array, got number"},
	{name: "artifacts is an object", in: `{"artifacts": {}}`, wantErr: "artifacts: want an array, got object"},
	{name: "artifact is a number", in: `{"artifacts": [5]}`, wantErr: "artifacts[0]: want an object, got number"},
	{name: "relationships is a string", in: `{"artifactRelationships": "x"}`, wantErr: "artifactRelationships: want an array, got string"},
	{name: "relationship is an array", in: `{"artifactRelationships": [[]]}`, wantErr: "artifactRelationships[0]: want an object, got array"},
	{name: "files is an object", in: `{"files": {}}`, wantErr: "files: want an array, got object"},
	{name: "file is null", in: `{"files": [null]}`, wantErr: "files[0]: want an object, got null"},
	{name: "fileMetadata is true", in: `{"fileMetadata": true}`, wantErr: "fileMetadata: want an array, got boolean"},
	{name: "source is an array", in: `{"source": []}`, wantErr: "source: want an object, got array"},
	{name: "cpes is an object", in: `{"artifacts": [{"id": "a", "name": "x", "cpes": {}}]}`,
		wantWarning: `artifacts[0] ("x"): cpes: want an array, got object; ignored`},
	{name: "cpe elements of odd types", in: `{"artifacts": [{"id": "a", "cpes": [5, {"cpe": 3}, {"cpe": {}}, null, []]}]}`,
		wantWarning: `artifacts[0]: cpes[0]: want a string or an object, got number; ignored`},
	{name: "licenses is a number", in: `{"artifacts": [{"id": "a", "licenses": 5}]}`,
		wantWarning: `artifacts[0]: licenses: want an array, got number; ignored`},
	{name: "locations of odd types", in: `{"artifacts": [{"id": "a", "locations": [7, {"path": []}]}]}`,
		wantWarning: `artifacts[0]: locations[0]: want an object, got number; ignored`},
	{name: "name is an object", in: `{"artifacts": [{"id": "a", "name": {"x": 1}}]}`,
		wantWarning: `artifacts[0]: name: want a string, got object; ignored`},
	{name: "metadata of odd types", in: `{"artifacts": [{"id": "a", "metadata": 7}, {"id": "b", "metadata": "s"}, {"id": "c", "metadata": [1, "x", null, {"author": 5}]}]}`},
	{name: "manifest key/value of odd types", in: `{"artifacts": [{"id": "a", "metadata": {"manifest": {"main": [{"key": 5, "value": "x"}, {"key": "Implementation-Vendor", "value": 5}, {"key": "", "value": "y"}, {"key": "Bundle-Vendor", "value": "Real"}]}}}]}`},
	{name: "relationship without child", in: `{"artifactRelationships": [{"parent": "a", "type": "contains"}]}`,
		wantWarning: `artifactRelationships[0]: parent, child and type are all required; relationship ignored`},
	{name: "header sections of odd types", in: `{"schema": 5, "descriptor": [], "distro": "x"}`,
		wantWarning: `schema: want an object, got number; ignored`},
	{name: "file fields of odd types", in: `{"files": [{"id": 1, "location": 2, "digests": [3, {"algorithm": {}, "value": "x"}], "executable": true, "metadata": []}]}`,
		wantWarning: `files[0]: location: want an object, got number; ignored`},
	{name: "newer schema", in: `{"schema": {"version": "17.0.0"}}`,
		wantWarning: `schema: version "17.0.0" is newer than the versions this decoder was written for`},
	{name: "numbers for strings", in: `{"artifacts": [{"id": 12, "name": "x", "version": 1.5}]}`},
	{name: "evident-by to unknown file", in: `{"artifacts": [{"id": "a"}], "artifactRelationships": [{"parent": "a", "child": "nope", "type": "evident-by"}, {"parent": "zz", "child": "nope", "type": "evident-by"}]}`},
	{name: "deep metadata", in: `{"artifacts": [{"id": "a", "metadata": ` + strings.Repeat(`{"author": [`, 400) + `"x"` + strings.Repeat(`]}`, 400) + `}]}`},
	{name: "too deep for encoding/json", in: `{"artifacts": [{"id": "a", "metadata": ` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `}]}`,
		wantErr: "invalid JSON"},
}

func TestMalformed(t *testing.T) {
	for _, tt := range malformedCases {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error, want one containing %q", tt.wantErr)
				}
				if doc != nil {
					t.Fatal("a document came back with the error")
				}
				msg := err.Error()
				if !strings.Contains(msg, tt.wantErr) {
					t.Fatalf("error %q does not contain %q", msg, tt.wantErr)
				}
				if r := []rune(msg); unicode.IsUpper(r[0]) || strings.HasSuffix(msg, ".") || strings.Contains(msg, "\n") {
					t.Fatalf("error %q: want one lower-case line without a trailing period", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v, want the input tolerated", err)
			}
			doc.Normalize()
			_ = doc.Paths()
			if tt.wantWarning == "" {
				return
			}
			for _, w := range doc.Warnings {
				if strings.Contains(w, tt.wantWarning) {
					return
				}
			}
			t.Fatalf("warnings %q lack %q", doc.Warnings, tt.wantWarning)
		})
	}
}

func TestOddValuesStillMapped(t *testing.T) {
	doc := decodeOK(t, []byte(`{"artifacts": [{"id": "a", "metadata": {"manifest": {"main": [
		{"key": 5, "value": "x"}, {"key": "Implementation-Vendor", "value": 5}, {"key": "Bundle-Vendor", "value": "Real"}]}}},
		{"id": 12, "name": "x", "version": 1.5, "cpes": {}}]}`))
	wantSupplier(t, component(t, doc, "a"), org("Real"))
	n := component(t, doc, "12")
	if n.Version != "1.5" || len(n.CPEs) != 0 {
		t.Fatalf("numeric fields = %q %q", n.Version, n.CPEs)
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"schema-16.json", "schema-3.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tt := range malformedCases {
		if len(tt.in) < 4096 {
			f.Add([]byte(tt.in))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode(data)
		if (doc == nil) == (err == nil) {
			t.Fatalf("doc = %v, err = %v: want exactly one", doc != nil, err)
		}
		if err == nil {
			doc.Normalize()
			_ = doc.Paths()
		}
	})
}

// TestMetadataNotReadIsAGap: metadata the reader cannot read to its end
// (valid JSON always can be; this is the guard for a reader bug) leaves the
// document incomplete, with a gap naming the package, not only a warning;
// what was read before the error is kept.
func TestMetadataNotReadIsAGap(t *testing.T) {
	d := &decoder{doc: &model.Document{}}
	c := &model.Component{Name: "libx"}
	d.metadata(c, json.RawMessage(`{"author": "Kaspersky Lab", "files": [`), "artifacts[0]")
	if d.doc.GapCount != 1 || len(d.doc.Gaps) != 1 || d.doc.Gaps[0].Location != "artifacts[0]: metadata" {
		t.Fatalf("gaps %+v (count %d), want one at artifacts[0]: metadata", d.doc.Gaps, d.doc.GapCount)
	}
	if len(d.doc.Warnings) != 1 || !strings.Contains(d.doc.Warnings[0], "not inspected") {
		t.Errorf("warnings %q", d.doc.Warnings)
	}
	kept := false
	for _, p := range c.Properties {
		kept = kept || strings.Contains(p.Value, "Kaspersky Lab")
	}
	if !kept {
		t.Errorf("the author read before the error is lost: %+v", c.Properties)
	}
}
