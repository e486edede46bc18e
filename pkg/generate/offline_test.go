package generate

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// stubbed are the programs a cataloger might run: package managers and
// build tools, interpreters, git, shells, and getent (the home directory
// lookup of syft's defaults runs it and sh when HOME is unset).
var stubbed = []string{
	"go", "java", "mvn", "gradle", "npm", "node", "yarn", "python", "python3", "pip", "pip3",
	"ruby", "gem", "bundle", "cargo", "dotnet", "vcpkg", "git", "sh", "bash", "getent", "unpigz", "mknod",
}

// TestOffline: generating an SBOM starts no process and opens no network
// connection, for every ecosystem syft catalogs from a manifest, lock file
// or archive. PATH holds only stubs that log their name and arguments;
// every proxy variable (and GOPROXY) points at a local listener that logs
// every connection. Each fixture must be cataloged (its package is in the
// document) and neither log may have a line. Before, a go.mod made syft
// run `go list -deps all` (UsePackagesLib), which downloads modules and
// obeys a toolchain line.
func TestOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	stubs := t.TempDir()
	execLog := filepath.Join(t.TempDir(), "exec.log")
	for _, name := range stubbed {
		// The stub runs under /bin/sh by its absolute path: PATH has no sh.
		script := fmt.Sprintf("#!/bin/sh\necho \"%s $*\" >> '%s'\nexit 1\n", name, execLog)
		if err := os.WriteFile(filepath.Join(stubs, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// net/http reads the proxy variables once per process, on first use:
	// no other test of this package makes an HTTP request before this one.
	proxy := listen(t)
	t.Setenv("PATH", stubs)
	t.Setenv("HOME", t.TempDir())
	for _, v := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"} {
		t.Setenv(v, "http://"+proxy.addr)
	}
	for _, v := range []string{"NO_PROXY", "no_proxy", "GOFLAGS", "GONOPROXY", "GOPRIVATE"} {
		t.Setenv(v, "")
	}
	t.Setenv("GOPROXY", "http://"+proxy.addr)

	tests := []struct {
		name  string
		files map[string]string
		want  string // a package the fixture must give
	}{
		{name: "go module", want: "github.com/pkg/errors", files: map[string]string{
			"go.mod":  "module example.com/northwind/relay\n\ngo 1.22\n\ntoolchain go1.99.1\n\nrequire github.com/pkg/errors v0.9.1\n",
			"go.sum":  "github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\ngithub.com/pkg/errors v0.9.1/go.mod h1:bwawxfHBFNV+L2hUp1rHADufV3IMtnDRdf1r5NINEl0=\n",
			"main.go": "package main\n\nimport \"github.com/pkg/errors\"\n\nfunc main() { _ = errors.New(\"relay\") }\n",
		}},
		{name: "maven pom", want: "commons-lang3", files: map[string]string{"pom.xml": pom}},
		{name: "npm lock", want: "left-pad", files: map[string]string{
			"package.json":      `{"name": "relay-ui", "version": "7.2.0", "dependencies": {"left-pad": "1.3.0"}}`,
			"package-lock.json": packageLock,
		}},
		{name: "python requirements and pyproject", want: "requests", files: map[string]string{
			"requirements.txt": "requests==2.31.0\n",
			"pyproject.toml":   "[project]\nname = \"relay\"\nversion = \"7.2.0\"\ndependencies = [\"urllib3>=2\"]\n",
		}},
		{name: "ruby gemfile lock", want: "rake", files: map[string]string{
			"Gemfile.lock": "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.0.6)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rake\n\nBUNDLED WITH\n   2.4.10\n",
		}},
		{name: "cargo lock", want: "serde", files: map[string]string{
			"Cargo.lock": "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.193\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"25dd9975e68d0cb5aa1120c288333fc98731bd1d8b1fd1e6e8b4fb0c7b8d2f5f\"\n",
		}},
		{name: "jar with a parent pom", want: "relay-core", files: map[string]string{
			"lib/relay-core.jar": string(archivetest.Zip(t,
				archivetest.File{Name: "META-INF/MANIFEST.MF", Data: []byte("Manifest-Version: 1.0\r\nImplementation-Title: relay-core\r\nImplementation-Version: 7.2.0\r\n\r\n")},
				archivetest.File{Name: "META-INF/maven/com.northwind/relay-core/pom.properties", Data: []byte("groupId=com.northwind\nartifactId=relay-core\nversion=7.2.0\n")},
				archivetest.File{Name: "META-INF/maven/com.northwind/relay-core/pom.xml", Data: []byte(pom)},
				archivetest.File{Name: "com/northwind/relay/Main.class", Data: []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34")})),
		}},
		{name: "vcpkg manifest with a git registry", want: "relay", files: map[string]string{
			"vcpkg.json":               `{"name": "relay", "version": "7.2.0", "dependencies": ["zlib"], "builtin-baseline": "c9aba300923c8ec0ab190e2bff23085209925c97"}`,
			"vcpkg-configuration.json": `{"default-registry": {"kind": "git", "repository": "https://github.com/microsoft/vcpkg", "baseline": "c9aba300923c8ec0ab190e2bff23085209925c97"}}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				write(t, filepath.Join(dir, name), []byte(data))
			}
			res, err := Generate(context.Background(), "dir", dir, eng, Options{Limits: walk.DefaultLimits()})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range res.Document.Components {
				names = append(names, c.Name)
			}
			if tt.want != "" && !slices.Contains(names, tt.want) {
				t.Errorf("package %s not cataloged (got %q): the fixture tests nothing", tt.want, names)
			}
			if data, err := os.ReadFile(execLog); err == nil && len(data) > 0 {
				t.Errorf("processes started:\n%s", data)
				os.Remove(execLog)
			}
			if conns := proxy.take(); len(conns) > 0 {
				t.Errorf("network connections: %q", conns)
			}
		})
	}
}

// recorder is a local listener that records every connection made to it
// and its first line (a proxied request: "CONNECT host:443 HTTP/1.1").
type recorder struct {
	addr  string
	mu    sync.Mutex
	conns []string
}

func listen(t *testing.T) *recorder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{addr: l.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close() // the client gets no answer: its request fails
			r.mu.Lock()
			r.conns = append(r.conns, strings.TrimSpace(line))
			r.mu.Unlock()
		}
	}()
	return r
}

// take returns the connections recorded since the last call.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.conns
	r.conns = nil
	return out
}

// pom has a parent and a dependency whose version only the parent gives:
// with network (or the local Maven repository) allowed, syft would fetch
// the parent from Maven Central.
const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.0</version>
  </parent>
  <groupId>com.northwind</groupId>
  <artifactId>relay-core</artifactId>
  <version>7.2.0</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId>commons-lang3</artifactId>
    </dependency>
  </dependencies>
</project>
`

// packageLock names a package without a licence: with remote licences on,
// syft would ask the npm registry for it.
const packageLock = `{
  "name": "relay-ui",
  "version": "7.2.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "relay-ui", "version": "7.2.0", "dependencies": {"left-pad": "1.3.0"}},
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEAxK0vfyuwhzCWkbjTMqLRYNvUXqL3BzSVq+HvjHfaOQjQ=="
    }
  }
}
`
