package generate

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/registrytest"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// TestDaemonUnreachable: with no daemon at the socket named, docker: and
// podman: are errors naming the address tried and where it came from,
// before anything is read.
func TestDaemonUnreachable(t *testing.T) {
	dir := t.TempDir()
	sock := "unix://" + filepath.Join(dir, "docker.sock")
	t.Setenv("DOCKER_HOST", sock)
	t.Setenv("CONTAINER_HOST", "unix://"+filepath.Join(dir, "podman.sock"))
	eng := engine(t)
	for _, c := range []struct {
		scheme source.Scheme
		want   string
	}{
		{source.Docker, "docker:alpine:3: no Docker daemon reachable at " + sock + " (from DOCKER_HOST): dial unix " + filepath.Join(dir, "docker.sock") + ": connect: no such file or directory"},
		{source.Podman, "podman:alpine:3: no Podman daemon reachable at unix://" + filepath.Join(dir, "podman.sock") + " (from CONTAINER_HOST): dial unix "},
	} {
		_, err := Generate(context.Background(), c.scheme, "alpine:3", eng, Options{Limits: walk.DefaultLimits()})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v\nwant %s…", c.scheme, err, c.want)
		}
	}
	t.Setenv("DOCKER_HOST", "ssh://builder@example.com")
	_, err := Generate(context.Background(), source.Docker, "alpine:3", eng, Options{})
	if err == nil || !strings.Contains(err.Error(), "docker:alpine:3: Docker daemon at ssh://builder@example.com (from DOCKER_HOST): ssh is not supported") {
		t.Errorf("ssh host: %v", err)
	}
}

// TestDaemonHosts: where each daemon is looked for, and why. Docker's is
// the docker command's: DOCKER_HOST, else the context in force
// (DOCKER_CONTEXT, else config.json's currentContext), else the default
// socket; a context that is named and cannot be read is an error.
func TestDaemonHosts(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("DOCKER_CONFIG", cfg)
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("CONTAINER_HOST", "")
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if hosts, why, _, err := daemonHosts(source.Podman); err != nil || !slices.Equal(hosts, []string{"unix:///run/user/1000/podman/podman.sock", "unix:///run/podman/podman.sock"}) || why != "CONTAINER_HOST unset" {
		t.Errorf("podman: %v (%s) %v", hosts, why, err)
	}
	t.Setenv("CONTAINER_HOST", "tcp://127.0.0.1:8888")
	if hosts, why, _, err := daemonHosts(source.Podman); err != nil || !slices.Equal(hosts, []string{"tcp://127.0.0.1:8888"}) || why != "from CONTAINER_HOST" {
		t.Errorf("podman: %v (%s) %v", hosts, why, err)
	}

	writeDockerContext(t, cfg, "rootless", "unix:///run/user/1000/docker.sock", false)
	writeDockerContext(t, cfg, "remote", "tcp://10.0.0.5:2376", true)
	config := filepath.Join(cfg, "config.json")
	for _, c := range []struct {
		name                        string
		dockerHost, context, config string
		host, why                   string
		tls                         bool
		err                         string
	}{
		{name: "nothing set", host: "unix:///var/run/docker.sock", why: "DOCKER_HOST unset, default Docker context"},
		{name: "DOCKER_HOST", dockerHost: "tcp://127.0.0.1:2375", context: "rootless", host: "tcp://127.0.0.1:2375", why: "from DOCKER_HOST"},
		{name: "DOCKER_CONTEXT", context: "rootless", config: `{"currentContext":"remote"}`, host: "unix:///run/user/1000/docker.sock", why: `Docker context "rootless", from DOCKER_CONTEXT`},
		{name: "current context", config: `{"auths":{},"currentContext":"rootless"}`, host: "unix:///run/user/1000/docker.sock", why: `Docker context "rootless", from currentContext in ` + config},
		{name: "TLS", context: "remote", host: "tcp://10.0.0.5:2376", why: `Docker context "remote", from DOCKER_CONTEXT`, tls: true},
		{name: "default context named", context: "default", host: "unix:///var/run/docker.sock", why: "DOCKER_HOST unset, default Docker context"},
		{name: "unknown context", context: "gone", err: `docker context "gone" (DOCKER_CONTEXT): `},
		{name: "broken config", config: `{"currentContext":`, err: "docker client configuration " + config + ": "},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", c.dockerHost)
			t.Setenv("DOCKER_CONTEXT", c.context)
			os.Remove(config)
			if c.config != "" {
				if err := os.WriteFile(config, []byte(c.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			hosts, why, tls, err := daemonHosts(source.Docker)
			if c.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.err) {
					t.Fatalf("error %v, want %s…", err, c.err)
				}
				return
			}
			if err != nil || !slices.Equal(hosts, []string{c.host}) || why != c.why || (tls != "") != c.tls {
				t.Errorf("%v (%s) tls %q %v, want %s (%s) tls %v", hosts, why, tls, err, c.host, c.why, c.tls)
			}
		})
	}
}

// writeDockerContext writes a Docker context into the client
// configuration directory cfg as `docker context create` does: meta.json
// under the SHA-256 of the name, TLS material (placeholders) beside it.
func writeDockerContext(t *testing.T, cfg, name, host string, tls bool) {
	t.Helper()
	id := fmt.Sprintf("%x", sha256.Sum256([]byte(name)))
	dir := filepath.Join(cfg, "contexts", "meta", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	meta := fmt.Sprintf(`{"Name":%q,"Metadata":{},"Endpoints":{"docker":{"Host":%q,"SkipTLSVerify":false}}}`, name, host)
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	if tls {
		tdir := filepath.Join(cfg, "contexts", "tls", id, "docker")
		if err := os.MkdirAll(tdir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
			if err := os.WriteFile(filepath.Join(tdir, f), []byte("placeholder"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fakeEngine serves the part of the Docker Engine API stereoscope's daemon
// provider calls, on a unix socket: ping, image inspect and image save
// (docker save's tarball) of one image, named by a tag ending in name;
// any other image is not found, and a pull fails the test.
type fakeEngine struct {
	t    *testing.T
	name string // "app:1"
	tar  []byte
	mu   sync.Mutex
	seen []string
}

var apiVersion = regexp.MustCompile(`^/v[0-9.]+/`)

func (f *fakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	path := apiVersion.ReplaceAllString(r.URL.Path, "/")
	notFound := func(what string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"message": "No such image: " + what})
	}
	switch {
	case path == "/_ping":
		w.Header().Set("Api-Version", "1.47")
		w.Header().Set("Ostype", "linux")
		w.Write([]byte("OK"))
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/images/") && strings.HasSuffix(path, "/json"):
		name := strings.TrimSuffix(strings.TrimPrefix(path, "/images/"), "/json")
		if !strings.HasSuffix(name, f.name) {
			notFound(name)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"Id": "sha256:" + strings.Repeat("ab", 32), "RepoTags": []string{name},
			"Os": "linux", "Architecture": "amd64", "Size": len(f.tar)})
	case r.Method == http.MethodGet && path == "/images/get":
		if names := r.URL.Query()["names"]; len(names) != 1 || !strings.HasSuffix(names[0], f.name) {
			notFound(strings.Join(names, ","))
			return
		}
		w.Header().Set("Content-Type", "application/x-tar")
		w.Write(f.tar)
	default:
		f.t.Errorf("fake engine: unexpected %s %s", r.Method, r.URL)
		http.Error(w, "not implemented", http.StatusNotImplemented)
	}
}

// TestScanDaemon reads an image holding Kaspersky's kesl from a fake
// Docker Engine API on a unix socket, as docker:REF and as podman:REF (the
// same API): both fail the gate as images. An image the daemon does not
// hold, or holds for another platform than the one asked for, is an error
// that says pedigree never makes the daemon pull, and nothing is pulled.
// Nothing is left under TMPDIR.
func TestScanDaemon(t *testing.T) {
	t.Setenv("DOCKER_CONTEXT", "")
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	img := registrytest.Image(t, "linux/amd64",
		registrytest.File{Path: "opt/kaspersky/kesl/bin/kesl", Data: elf("kesl", "Copyright (C) 1997-2010 Kaspersky Lab ZAO")},
		registrytest.File{Path: "etc/os-release", Data: []byte("ID=northwind\nVERSION_ID=7.2\n")})
	fake := &fakeEngine{t: t, name: "app:1", tar: registrytest.DockerSave(t, "pedigree-test/app:1", img)}
	sock := filepath.Join(t.TempDir(), "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: fake}
	go srv.Serve(l)
	defer srv.Close()
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	t.Setenv("CONTAINER_HOST", "unix://"+sock)

	targets := []string{"docker:pedigree-test/app:1", "podman:pedigree-test/app:1", "docker:pedigree-test/gone:1"}
	res := scanImages(t, eng, targets)
	wantImageFindings(t, res.Targets[:2], "opt/kaspersky/kesl/bin/kesl")
	tg := res.Targets[2]
	want := "docker:pedigree-test/gone:1: the Docker daemon at unix://" + sock + " holds no image pedigree-test/gone:1, and pedigree never makes it pull: run docker pull pedigree-test/gone:1 first, or scan registry:pedigree-test/gone:1"
	if tg.Verdict != result.Error || len(tg.Errors) != 1 || tg.Errors[0] != want {
		t.Errorf("missing image: verdict %s, errors %q\nwant %s", tg.Verdict, tg.Errors, want)
	}
	// The daemon's image is linux/amd64: asked for linux/arm64, it is
	// not pulled (over the local tag) but an error.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err = Generate(ctx, source.Docker, "pedigree-test/app:1", eng, Options{Platform: "linux/arm64"})
	want = "docker:pedigree-test/app:1: the Docker daemon at unix://" + sock + " holds no image pedigree-test/app:1 for linux/arm64, and pedigree never makes it pull: run docker pull --platform linux/arm64 pedigree-test/app:1 first"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("another platform: %v\nwant %s…", err, want)
	}
	// Without DOCKER_HOST, the daemon of the Docker context in force
	// (rootless Docker and Docker Desktop each install one).
	cfg := t.TempDir()
	t.Setenv("DOCKER_CONFIG", cfg)
	t.Setenv("DOCKER_HOST", "")
	writeDockerContext(t, cfg, "rootless", "unix://"+sock, false)
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"currentContext":"rootless"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res = scanImages(t, eng, targets[:1])
	wantImageFindings(t, res.Targets, "opt/kaspersky/kesl/bin/kesl")
	t.Logf("engine API calls: %v", fake.seen)
	if left := tempEntries(t, tmp); len(left) > 0 {
		t.Errorf("left under TMPDIR: %v", left)
	}
}
