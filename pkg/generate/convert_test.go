package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	stfile "github.com/anchore/stereoscope/pkg/file"
	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/format/syftjson"
	"github.com/anchore/syft/syft/sbom"

	"github.com/pedigree-sbom/pedigree/internal/registrytest"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// decodeJSON is how Generate read a catalog before toDocument: encoded as
// syft JSON and decoded by pkg/ingest. toDocument must give the same
// document.
func decodeJSON(target string, s *sbom.SBOM) (*model.Document, error) {
	var buf bytes.Buffer
	enc, err := syftjson.NewFormatEncoderWithConfig(syftjson.DefaultEncoderConfig())
	if err != nil {
		return nil, err
	}
	if err := enc.Encode(&buf, *s); err != nil {
		return nil, err
	}
	return ingest.Decode(target, &buf, ingest.DefaultOptions())
}

// catalog is syft's SBOM of a target, as Generate makes it.
func catalog(t *testing.T, scheme source.Scheme, target string) *sbom.SBOM {
	t.Helper()
	ctx := context.Background()
	gen := stfile.NewTempDirGenerator(tempPrefix)
	src, err := openSource(ctx, scheme, target, nil, gen)
	defer func() {
		if err := closeSource(src, gen); err != nil {
			t.Error(err)
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	s, err := syft.CreateSBOM(ctx, src, sbomConfig())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ecosystems writes a directory with packages of several ecosystems, and
// values that JSON escapes or replaces: HTML characters, U+2028, a
// string of invalid UTF-8, and a file name that is not UTF-8.
func ecosystems(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad := "Caf\xe9 \xff\xfe Ltd"
	write("app/package.json", []byte(`{"name":"app","version":"1.0.0","author":"Jane <jane@example.com> (https://example.com)","homepage":"https://example.com/a?b=1&c=<2>","license":"MIT","description":"x\u2028y"}`))
	write("app/node_modules/left-pad/package.json", []byte("{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"author\":{\"name\":\"Cam\",\"email\":\"cam@example.com\"},\"contributors\":[\"A <a@x.org>\",{\"name\":\"B\"}],\"license\":\"WTFPL\"}"))
	write("app/package-lock.json", []byte(`{"name":"app","version":"1.0.0","lockfileVersion":3,"packages":{"":{"name":"app","version":"1.0.0"},"node_modules/left-pad":{"version":"1.3.0","resolved":"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz","integrity":"sha512-AAAA","license":"WTFPL"}}}`))
	write("py/site-packages/requests-2.31.0.dist-info/METADATA", []byte("Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nSummary: HTTP\nHome-page: https://requests.readthedocs.io\nAuthor: Kenneth Reitz\nAuthor-email: me@kennethreitz.org\nLicense: Apache 2.0\n\nbody\n"))
	write("py/site-packages/requests-2.31.0.dist-info/RECORD", []byte("requests/__init__.py,sha256=abc,10\n"))
	write("py/site-packages/requests-2.31.0.dist-info/top_level.txt", []byte("requests\n"))
	write("py/site-packages/weird-0.1.dist-info/METADATA", []byte("Metadata-Version: 2.1\nName: weird\nVersion: 0.1\nAuthor: "+bad+" <x@y>\nMaintainer: M & <N>\n\n"))
	write("var/lib/dpkg/status", []byte("Package: libc6\nStatus: install ok installed\nPriority: required\nSection: libs\nInstalled-Size: 12000\nMaintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9\nDescription: GNU C Library\n\nPackage: zlib1g\nStatus: install ok installed\nMaintainer: Mark Brown <broonie@debian.org>\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13\nDepends: libc6 (>= 2.14)\nDescription: compression library\n"))
	write("etc/os-release", []byte("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n"))
	write("lib/apk/db/installed", []byte("P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\nm:Timo Ter\xe4s <timo@alpinelinux.org>\nU:https://musl.libc.org/\nT:the musl c library\no:musl\n\n"))
	write("rust/Cargo.lock", []byte("version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.190\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"91d3c334ca1ee894a2c6f6ad698fe8c435b76d504b13d436f0685d648d6d96f7\"\n"))
	write("go/go.mod", []byte("module example.com/m\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n"))
	write("go/go.sum", []byte("github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"))
	write("ruby/Gemfile.lock", []byte("GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.0.6)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rake\n"))
	write("php/composer.lock", []byte(`{"packages":[{"name":"monolog/monolog","version":"3.5.0","authors":[{"name":"Jordi <&>","email":"j@seld.be"}],"license":["MIT"],"homepage":"https://github.com/Seldaek/monolog"}]}`))
	manifest := "Manifest-Version: 1.0\r\nImplementation-Title: inner\r\nImplementation-Vendor: Inner \xc3\xa9 Corp <&>\r\nImplementation-Version: 2.0\r\n\r\n"
	inner := archivetest.Zip(t, archivetest.File{Name: "META-INF/MANIFEST.MF", Data: []byte(manifest)},
		archivetest.File{Name: "META-INF/maven/org.example/inner/pom.properties", Data: []byte("groupId=org.example\nartifactId=inner\nversion=2.0\n")})
	outer := archivetest.Zip(t,
		archivetest.File{Name: "META-INF/MANIFEST.MF", Data: []byte("Manifest-Version: 1.0\r\nImplementation-Title: outer\r\nImplementation-Vendor: Outer Inc\r\nImplementation-Version: 1.0\r\nBundle-Vendor: " + bad + "\r\n\r\nName: x/\r\nSpecification-Vendor: Per Entry\r\n\r\n")},
		archivetest.File{Name: "BOOT-INF/lib/inner-2.0.jar", Data: inner})
	write("java/outer-1.0.jar", outer)
	write("bin/libthing.so", registrytest.ELF("libthing.so", "Copyright (C) 2020 Thing"))
	write("odd/name-\xff\xfe.txt", []byte("x"))
	// Packages found under paths that are not UTF-8.
	write("odd-\xff\xfe/package.json", []byte(`{"name":"odd","version":"0.0.1"}`))
	write("odd-\xe9/lib/thing-\xff.jar", outer)
	write("var/lib/dpkg/status.d/caf\xe9", []byte("Package: cafe\xe9\nStatus: install ok installed\nMaintainer: Caf\xe9 <c@x>\nArchitecture: all\nVersion: 1.0\n"))
	return dir
}

// TestToDocumentSameAsJSON: toDocument builds, for directories, a file
// and an image, the very document the syft JSON round trip built,
// warnings included.
func TestToDocumentSameAsJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	t.Setenv("TMPDIR", t.TempDir())
	eco := ecosystems(t)
	img := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(img, registrytest.DockerSave(t, "example.com/eco:1", registrytest.DirImage(t, "linux/amd64", eco)), 0o644); err != nil {
		t.Fatal(err)
	}
	recipes, err := filepath.Abs("../../fixtures/recipes")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		scheme source.Scheme
		target string
		min    int // components at least
	}{
		{"ecosystems", source.Dir, eco, 10},
		{"recipes", source.Dir, recipes, 1},
		{"jar", source.File, filepath.Join(eco, "java", "outer-1.0.jar"), 2},
		{"image", source.DockerArchive, img, 10},
	}
	// This machine's packages, where it has them.
	for _, dir := range []string{"/usr/lib/python3", "/var/lib/dpkg"} {
		if _, err := os.Stat(dir); err == nil {
			cases = append(cases, struct {
				name   string
				scheme source.Scheme
				target string
				min    int
			}{"host" + strings.ReplaceAll(dir, "/", "-"), source.Dir, dir, 1})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := catalog(t, tc.scheme, tc.target)
			want, err := decodeJSON(tc.target, s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := toDocument(s)
			if err != nil {
				t.Fatal(err)
			}
			got.Source = tc.target
			if len(got.Components) < tc.min {
				t.Errorf("%d components, want at least %d", len(got.Components), tc.min)
			}
			if !reflect.DeepEqual(got, want) {
				diffDocs(t, got, want)
			}
			t.Logf("%d components, %d files, %d relationships, %d warnings", len(got.Components), len(got.Files), len(got.Relationships), len(got.Warnings))
		})
	}
}

// diffDocs reports the first line where the JSON of two documents differs.
func diffDocs(t *testing.T, got, want *model.Document) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			lo := max(0, i-5)
			t.Fatalf("documents differ at line %d:\ngot:\n%s\nwant:\n%s", i+1, strings.Join(gl[lo:min(len(gl), i+5)], "\n"), strings.Join(wl[lo:min(len(wl), i+5)], "\n"))
		}
	}
	t.Fatalf("documents differ (JSON lengths %d and %d lines; equal JSON: a difference JSON does not show)", len(gl), len(wl))
}
