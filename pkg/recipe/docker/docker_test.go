package docker

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// fixture reads the Dockerfile of fixtures/recipes/DIR.
func fixture(t testing.TB, dir string) []byte {
	return recipetest.Fixture(t, dir, "Dockerfile")
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name string
		data string
		want []string
	}{
		{"scan engine", string(fixture(t, "scanengine-docker")), []string{
			"L1 image ubuntu@22.04 pkg:docker/ubuntu@22.04 (dockerfile FROM)",
			"L3 package libssl3 pkg:deb/libssl3 (dockerfile RUN apt-get install)",
			"L3 package ca-certificates pkg:deb/ca-certificates (dockerfile RUN apt-get install)",
			"L7 kit Kaspersky_ScanEngine-Linux-x86_64-2.1.0.1234.tar.gz path=Kaspersky_ScanEngine-Linux-x86_64-2.1.0.1234.tar.gz (dockerfile ADD)",
			"L12 binary kavhttpd path=/opt/kaspersky/ScanEngine/bin/kavhttpd (dockerfile CMD)",
		}},
		{"kesl", string(fixture(t, "kesl-docker")), []string{
			"L1 image debian@bookworm-slim pkg:docker/debian@bookworm-slim (dockerfile FROM)",
			"L3 package kesl@10.1.1-6421 pkg:deb/kesl@10.1.1-6421 path=kesl_10.1.1-6421_amd64.deb (dockerfile COPY)",
			"L4 package perl pkg:deb/perl (dockerfile RUN apt-get install)",
			"L4 package kesl@10.1.1-6421 pkg:deb/kesl@10.1.1-6421 path=/tmp/kesl_10.1.1-6421_amd64.deb (dockerfile RUN dpkg -i)",
			"L4 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (dockerfile RUN run)",
		}},
		{"harmless", string(fixture(t, "harmless")), []string{
			"L1 image nginx@1.25-alpine pkg:docker/nginx@1.25-alpine (dockerfile FROM)",
			"L2 package curl pkg:apk/curl (dockerfile RUN apk add)",
			"L4 binary nginx (dockerfile CMD)",
		}},
		{"stages, flags, exec form, heredoc", `# syntax=docker/dockerfile:1
FROM --platform=linux/amd64 registry.example.com:5000/kaspersky/kesl:12.0 AS base
FROM base
ARG V=1
RUN ["dpkg", "-i", "/tmp/klnagent64_14.0.0-4646_amd64.deb"]
RUN --mount=type=cache,target=/var/cache/apt <<EOF
apt-get install -y kesl
EOF
COPY --from=base /opt/kaspersky /opt/kaspersky
COPY --chown=1000 ["kesl-${V}.x86_64.rpm", "/tmp/"]
ENTRYPOINT /opt/kaspersky/kesl/bin/kesl-control --app-info
FROM $BASE
`, []string{
			"L2 image registry.example.com:5000/kaspersky/kesl@12.0 pkg:docker/kaspersky/kesl@12.0?repository_url=registry.example.com:5000 (dockerfile FROM)",
			"L5 package klnagent64@14.0.0-4646 pkg:deb/klnagent64@14.0.0-4646 path=/tmp/klnagent64_14.0.0-4646_amd64.deb (dockerfile RUN dpkg -i)",
			"L7 package kesl pkg:deb/kesl (dockerfile RUN apt-get install)",
			"L10 package kesl pkg:rpm/kesl path=kesl-${V}.x86_64.rpm (dockerfile COPY)",
			"L11 binary kesl-control path=/opt/kaspersky/kesl/bin/kesl-control (dockerfile ENTRYPOINT run)",
		}},
		{"digest", "FROM alpine@sha256:abc\n", []string{"L1 image alpine pkg:docker/alpine@sha256:abc (dockerfile FROM)"}},
		{"empty and odd", "FROM\nRUN\nCMD []\nADD x\nRUN <<\n", nil},
	} {
		got := decl.Strings(Parse([]byte(c.data)))
		if !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, d := range []string{"scanengine-docker", "kesl-docker", "harmless"} {
		f.Add(fixture(f, d))
	}
	f.Add([]byte("RUN <<EOF\napt-get install x\nEOF\nCMD [\"a\"\nADD [\"x.deb\",\"/\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := decl.Check(Parse(data), data); msg != "" {
			t.Fatal(msg)
		}
	})
}
