package generate

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/registrytest"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// TestScanRegistry pushes a one-layer image holding a Kaspersky library to
// an in-process registry on 127.0.0.1 (plain HTTP, no network) and scans
// it by reference: registry:REF and the bare reference both pull it and
// fail the gate as an image. A registry that does not answer is an error
// target naming the reference and the host tried. Nothing is left under
// TMPDIR.
func TestScanRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials, no helpers
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	host, stop := registrytest.Serve()
	defer stop()
	registrytest.Push(t, host+"/app:1", registrytest.Image(t, "linux/amd64",
		registrytest.File{Path: "opt/kaspersky/kesl/libkavcore.so", Data: elf("libkavcore.so", "Copyright (C) 1997-2010 Kaspersky Lab ZAO")},
		registrytest.File{Path: "etc/os-release", Data: []byte("ID=northwind\nVERSION_ID=7.2\n")}))

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := closed.Addr().String()
	closed.Close()

	targets := []string{"registry:" + host + "/app:1", host + "/app:1", "registry:" + gone + "/app:1"}
	res := scanImages(t, eng, targets)
	wantImageFindings(t, res.Targets[:2], "opt/kaspersky/kesl/libkavcore.so")
	tg := res.Targets[2]
	if tg.Verdict != result.Error || len(tg.Errors) != 1 || !strings.HasPrefix(tg.Errors[0], gone+"/app:1: cannot pull from registry "+gone+": ") {
		t.Errorf("unreachable registry: verdict %s, errors %q", tg.Verdict, tg.Errors)
	} else {
		t.Log(tg.Errors[0])
	}
	if left := tempEntries(t, tmp); len(left) > 0 {
		t.Errorf("left under TMPDIR: %v", left)
	}
}

// TestRegistryPlainHTTP: plain HTTP goes only to localhost and loopback
// addresses; any other registry is read over TLS or not at all.
func TestRegistryPlainHTTP(t *testing.T) {
	var sent []string
	l := loopbackHTTPOnly{roundTripper(func(r *http.Request) (*http.Response, error) {
		sent = append(sent, r.URL.String())
		return nil, errors.New("not sent")
	})}
	for url, allowed := range map[string]bool{
		"http://127.0.0.1:5000/v2/":  true,
		"http://localhost:5000/v2/":  true,
		"http://[::1]:5000/v2/":      true,
		"https://10.0.0.1:5000/v2/":  true,
		"https://ghcr.io/v2/":        true,
		"http://10.0.0.1:5000/v2/":   false,
		"http://192.168.1.2/v2/":     false,
		"http://registry.local/v2/":  false,
		"http://ghcr.io/v2/":         false,
		"http://127.0.0.1.nip.io/v2": false,
	} {
		sent = nil
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.RoundTrip(req)
		if allowed != (len(sent) == 1) {
			t.Errorf("%s: sent %v, error %v; want sent %v", url, sent, err, allowed)
		}
		if !allowed && (err == nil || !strings.Contains(err.Error(), "plain HTTP to "+req.URL.Host+" refused")) {
			t.Errorf("%s: error %v", url, err)
		}
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRegistryPlatform: from a multi-platform index (linux/amd64 and
// linux/arm64 images holding different files) the platform asked for is
// pulled, by default linux on the host's architecture; a platform the
// index lacks, or a single image of another platform, is an error, as is
// a platform for a source that is not an image named by reference.
func TestRegistryPlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	host, stop := registrytest.Serve()
	defer stop()
	kav := elf("libkavcore.so", "Copyright (C) 1997-2010 Kaspersky Lab ZAO")
	registrytest.PushIndex(t, host+"/multi:1",
		registrytest.Image(t, "linux/amd64", registrytest.File{Path: "opt/kaspersky/amd64/libkavcore.so", Data: kav}),
		registrytest.Image(t, "linux/arm64", registrytest.File{Path: "opt/kaspersky/arm64/libkavcore.so", Data: kav}))
	registrytest.Push(t, host+"/single:1", registrytest.Image(t, "linux/amd64"))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	arches := func(platform string) []string {
		t.Helper()
		res, err := Generate(ctx, source.Registry, host+"/multi:1", eng, Options{Limits: walk.DefaultLimits(), Platform: platform})
		if err != nil {
			t.Fatalf("platform %q: %v", platform, err)
		}
		var out []string
		for _, c := range res.Document.Components {
			for _, a := range []string{"amd64", "arm64"} {
				if strings.Contains(c.Name, "opt/kaspersky/"+a+"/libkavcore.so") && !slices.Contains(out, a) {
					out = append(out, a)
				}
			}
		}
		return out
	}
	if got := arches("linux/arm64"); !slices.Equal(got, []string{"arm64"}) {
		t.Errorf("linux/arm64: read the files of %v", got)
	}
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" {
		if got := arches(""); !slices.Equal(got, []string{runtime.GOARCH}) {
			t.Errorf("default platform on %s: read the files of %v", runtime.GOARCH, got)
		}
	}
	for _, c := range []struct {
		scheme           source.Scheme
		target, platform string
		want             string
	}{
		{source.Registry, host + "/multi:1", "linux/s390x", host + "/multi:1: cannot pull from registry " + host + ": "},
		{source.Registry, host + "/single:1", "linux/arm64", host + "/single:1: registry " + host + ": the image is for linux/amd64, not linux/arm64"},
		{source.Registry, host + "/multi:1", "arm64", `platform "arm64": want OS/ARCH[/VARIANT], such as linux/amd64 or linux/arm/v7`},
		{source.Registry, host + "/multi:1", "linux/pdp11", `platform "linux/pdp11": want OS/ARCH[/VARIANT] with a known operating system and architecture`},
		{source.Dir, t.TempDir(), "linux/arm64", "platform linux/arm64 applies only to an image named by reference (registry:, docker:, podman: or a bare reference), not to a dir source"},
	} {
		_, err := Generate(ctx, c.scheme, c.target, eng, Options{Platform: c.platform})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:%s --platform %s: error %v, want %s", c.scheme, c.target, c.platform, err, c.want)
		}
	}
}

// TestParsePlatform: OS/ARCH[/VARIANT], normalised.
func TestParsePlatform(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "linux/amd64": "linux/amd64", "linux/x86_64": "linux/amd64", "Linux/ARM64": "linux/arm64",
		"linux/arm/v7": "linux/arm/v7", "linux/arm": "linux/arm/v7", "windows/amd64": "windows/amd64",
	} {
		if got, err := ParsePlatform(in); got != want || err != nil {
			t.Errorf("ParsePlatform(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"amd64", "linux", "arm/v7", "linux/amd64/v2/x", "plan10/amd64", "linux/*", "linux/"} {
		if got, err := ParsePlatform(in); err == nil {
			t.Errorf("ParsePlatform(%q) = %q, no error", in, got)
		}
	}
}

// scanImages scans image targets as pedigree scan does, one at a time.
func scanImages(t *testing.T, eng *match.Engine, targets []string) *result.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := scan.Scan(ctx, scan.Config{Targets: targets, Engine: eng, FailOn: signature.High,
		Ingest: ingest.DefaultOptions(), Now: time.Now(), Workers: 1,
		Generator: Generator{Engine: eng, Options: Options{Limits: walk.DefaultLimits()}}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// wantImageFindings checks that each target is an image that failed with
// a finding on a component whose name holds path.
func wantImageFindings(t *testing.T, targets []*result.Target, path string) {
	t.Helper()
	for _, tg := range targets {
		found := false
		for _, f := range tg.Findings {
			found = found || (f.Component != nil && strings.Contains(f.Component.Name, path))
		}
		if tg.Verdict != result.Fail || tg.Source != source.KindImage || !found {
			t.Errorf("%s: verdict %s, source %s, %s found %v, errors %v", tg.Target, tg.Verdict, tg.Source, path, found, tg.Errors)
		}
	}
}
