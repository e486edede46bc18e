//go:build unix

package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterrupt starts the real binary on an archive that takes seconds to
// scan, waits until it has unpacked something under TMPDIR, and sends it a
// signal: the scan must stop with a non-zero exit (130 after SIGINT, 2
// after SIGTERM: an interrupted scan never passes) and leave TMPDIR empty.
// A script cannot send a signal at the right moment, so the test builds
// the binary itself.
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pedigree and scans an archive of 5,000 files; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "pedigree")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	archive := filepath.Join(t.TempDir(), "bundle.zip")
	writeBigZip(t, archive, 5000)

	tests := []struct {
		name     string
		signal   os.Signal
		wantCode int
	}{
		{"SIGINT", os.Interrupt, exitInterrupted},
		{"SIGTERM", syscall.SIGTERM, exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			var stderr bytes.Buffer
			cmd := exec.Command(bin, "scan", "-q", archive)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()

			// Wait until the scan has unpacked something, then interrupt.
			deadline := time.Now().Add(2 * time.Minute)
			for len(entries(t, tmp)) == 0 {
				select {
				case err := <-done:
					t.Fatalf("the scan ended (%v) before it unpacked anything: nothing to interrupt\n%s", err, stderr.String())
				case <-time.After(5 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("nothing unpacked under TMPDIR after 2 minutes")
				}
			}
			if err := cmd.Process.Signal(tt.signal); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("still running 2 minutes after %s", tt.name)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tt.wantCode {
				t.Errorf("after %s: %v, want exit code %d\n%s", tt.name, err, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted by "+tt.name) {
				t.Errorf("stderr does not say the scan was interrupted:\n%s", stderr.String())
			}
			if left := entries(t, tmp); len(left) > 0 {
				t.Errorf("left under TMPDIR after %s: %s", tt.name, strings.Join(left, ", "))
			}
		})
	}
}

// writeBigZip writes a zip of n small text files in 100 directories.
func writeBigZip(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i := range n {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("d%d/f%d.txt", i%100, i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(bytes.Repeat([]byte(fmt.Sprintf("line %d\n", i)), 50))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// entries lists the names directly in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Name())
	}
	return out
}

// TestNoHomeStartsNoProcess: with HOME and GOPATH unset, syft's defaults
// would look the home directory up with getent and sh; pedigree sets a
// home that does not exist instead, so a scan of a tree with a go.mod and
// a pom.xml still starts no process. PATH holds only recording stubs.
func TestNoHomeStartsNoProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pedigree and runs a scan; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "pedigree")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	stubs, log := t.TempDir(), filepath.Join(t.TempDir(), "exec.log")
	for _, name := range []string{"getent", "sh", "bash", "go", "mvn", "java", "git", "id", "whoami"} {
		script := "#!/bin/sh\necho " + name + " \"$@\" >> " + log + "\n"
		if err := os.WriteFile(filepath.Join(stubs, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":  "module example.com/app\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n",
		"go.sum":  "github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n",
		"main.go": "package main\n\nfunc main() {}\n",
		"pom.xml": "<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>app</artifactId><version>1</version></project>\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "HOME" && k != "GOPATH" && k != "PATH" {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(bin, "scan", "-q", dir)
	cmd.Env = append(env, "PATH="+stubs, "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scan: %v\n%s", err, out)
	}
	if data, err := os.ReadFile(log); err == nil {
		t.Errorf("the scan started processes:\n%s", data)
	}
}
