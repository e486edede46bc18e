package source

import "testing"

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		target string
		scheme Scheme
		path   string
		ok     bool
	}{
		{"sbom:bids/a.json", SBOM, "bids/a.json", true},
		{"sboms:bids", SBOMDir, "bids", true},
		{"oci-dir:layout/", OCIDir, "layout/", true},
		{"docker-archive:img.tar", DockerArchive, "img.tar", true},
		{"file:", File, "", true},
		{"registry:alpine:latest", Registry, "alpine:latest", true},
		{"registry:127.0.0.1:5000/app@sha256:00", Registry, "127.0.0.1:5000/app@sha256:00", true},
		{"docker:alpine:3", Docker, "alpine:3", true},
		{"podman:localhost/app:1", Podman, "localhost/app:1", true},
		{"alpine:latest", "", "alpine:latest", false},
		{"localhost:5000/app:1", "", "localhost:5000/app:1", false},
		{"bom.json", "", "bom.json", false},
		{`C:\bids\a.json`, "", `C:\bids\a.json`, false},
		{"bogus:x", "", "bogus:x", false},
		{"bids/v1:final.json", "", "bids/v1:final.json", false},
		{"SBOM:a.json", "", "SBOM:a.json", false},
	} {
		s, path, ok := Split(c.target)
		if s != c.scheme || path != c.path || ok != c.ok {
			t.Errorf("Split(%q) = %q, %q, %v; want %q, %q, %v", c.target, s, path, ok, c.scheme, c.path, c.ok)
		}
	}
}

func TestSchemes(t *testing.T) {
	for _, s := range AllSchemes() {
		if got, ok := ParseScheme(string(s)); !ok || got != s {
			t.Errorf("ParseScheme(%q) = %q, %v", s, got, ok)
		}
	}
	var generated []Scheme
	for _, s := range AllSchemes() {
		if s.Generated() {
			generated = append(generated, s)
		}
	}
	if got, want := Names(generated), Names(GeneratedSchemes()); got != want {
		t.Errorf("generated schemes %s, GeneratedSchemes %s", got, want)
	}
	if got := Names(GeneratedSchemes()); got != "dir, file, docker-archive, oci-archive, oci-dir, registry, docker or podman" {
		t.Errorf("Names = %q", got)
	}
	for _, s := range AllSchemes() {
		remote := s == Registry || s == Docker || s == Podman
		if s.Remote() != remote || (remote && !s.Image()) || s.Daemon() != (s == Docker || s == Podman) {
			t.Errorf("%s: Remote %v, Image %v, Daemon %v", s, s.Remote(), s.Image(), s.Daemon())
		}
	}
	if Names([]Scheme{SBOM}) != "sbom" || Names(nil) != "" {
		t.Error("Names of one or none")
	}
}

func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		scheme   Scheme
		archives bool
		want     Kind
	}{
		{Dir, true, KindDir},
		{File, false, KindFile},
		{File, true, KindArchive},
		{DockerArchive, false, KindImage},
		{OCIArchive, true, KindImage},
		{OCIDir, false, KindImage},
		{Registry, false, KindImage},
		{Docker, false, KindImage},
		{Podman, false, KindImage},
		{SBOM, false, KindSBOM},
	} {
		if got := KindOf(c.scheme, c.archives); got != c.want {
			t.Errorf("KindOf(%s, %v) = %s, want %s", c.scheme, c.archives, got, c.want)
		}
	}
}
