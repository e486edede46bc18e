package generate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
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

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	layerTar := tarOf(t,
		entry{"opt/", nil}, entry{"opt/kaspersky/", nil}, entry{"opt/kaspersky/kesl/", nil},
		entry{"opt/kaspersky/kesl/libkavcore.so", elf("libkavcore.so", "Copyright (C) 1997-2010 Kaspersky Lab ZAO")},
		entry{"etc/", nil}, entry{"etc/os-release", []byte("ID=northwind\nVERSION_ID=7.2\n")},
	)
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layerTar)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg.OS, cfg.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host + "/app:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := closed.Addr().String()
	closed.Close()

	targets := []string{"registry:" + host + "/app:1", host + "/app:1", "registry:" + gone + "/app:1"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := scan.Scan(ctx, scan.Config{Targets: targets, Engine: eng, FailOn: signature.High,
		Ingest: ingest.DefaultOptions(), Now: time.Now(), Workers: 1,
		Generator: Generator{Engine: eng, Options: Options{Limits: walk.DefaultLimits()}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range res.Targets[:2] {
		found := false
		for _, f := range tg.Findings {
			found = found || (f.Component != nil && strings.Contains(f.Component.Name, "opt/kaspersky/kesl/libkavcore.so"))
		}
		if tg.Verdict != result.Fail || tg.Source != source.KindImage || !found {
			t.Errorf("%s: verdict %s, source %s, libkavcore.so found %v, errors %v", tg.Target, tg.Verdict, tg.Source, found, tg.Errors)
		}
	}
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
