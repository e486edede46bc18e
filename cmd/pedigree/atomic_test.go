package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// dirNames lists a directory's names.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "report.json")
	errBroken := errors.New("broken writer")
	half := func(w io.Writer) error {
		io.WriteString(w, `{"partial": `)
		return errBroken
	}
	whole := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}

	// A write that fails midway leaves nothing: no report, no temporary file.
	if err := writeFileAtomic(name, half); !errors.Is(err, errBroken) {
		t.Fatalf("err = %v, want the writer's", err)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("a failed write left %v", got)
	}

	// A whole write gives the file, with the permissions os.Create gives.
	if err := writeFileAtomic(name, whole("first\n")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(name); string(data) != "first\n" {
		t.Errorf("report = %q", data)
	}
	ref := filepath.Join(t.TempDir(), "created")
	f, err := os.Create(ref)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(name)
	want, _ := os.Stat(ref)
	if st.Mode() != want.Mode() {
		t.Errorf("mode %v, os.Create gives %v", st.Mode(), want.Mode())
	}

	// An earlier report survives a failed write, and keeps its
	// permissions when a whole one replaces it.
	if runtime.GOOS != "windows" {
		if err := os.Chmod(name, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeFileAtomic(name, half); !errors.Is(err, errBroken) {
		t.Fatalf("err = %v", err)
	}
	if data, _ := os.ReadFile(name); string(data) != "first\n" {
		t.Errorf("a failed write changed the earlier report: %q", data)
	}
	if err := writeFileAtomic(name, whole("second\n")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(name); string(data) != "second\n" {
		t.Errorf("report = %q", data)
	}
	if st, _ := os.Stat(name); runtime.GOOS != "windows" && st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the replaced file's 0640", st.Mode())
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Errorf("left in the directory: %v", got)
	}

	// A directory that does not exist: an error, nothing written.
	if err := writeFileAtomic(filepath.Join(dir, "missing", "r.json"), whole("x")); err == nil {
		t.Error("no error for a missing directory")
	}

	if runtime.GOOS == "windows" {
		return
	}
	// A symbolic link is written through, not replaced.
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink("report.json", link); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(link, whole("third\n")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if data, _ := os.ReadFile(name); string(data) != "third\n" {
		t.Errorf("the link's target = %q", data)
	}
	// What is not a regular file is written in place.
	if _, err := os.Stat(os.DevNull); err == nil {
		if err := writeFileAtomic(os.DevNull, whole("discarded")); err != nil {
			t.Errorf("%s: %v", os.DevNull, err)
		}
	}
}

// drivers are the file names of rule KL-DRV-001.
var drivers = []string{"klif.sys", "klam.sys", "klbg.sys", "kldback.sys", "kldlinf.sys", "kldtool.sys", "klboot.sys",
	"klfdefsf.sys", "klrsps.sys", "klsnsr.sys", "klifks.sys", "klifaa.sys", "klifsm.sys", "klcdp.sys", "klshadow.sys",
	"klsysrec.sys", "klvfs.sys", "klfle.sys", "klvirt.sys", "klbackupflt.sys", "klsec.sys"}

// writeChain writes a CycloneDX JSON SBOM of n components in one dependency
// chain, each named like a Kaspersky driver (KL-DRV-001) with a version of
// its own, as bench/chain/main.go does.
func writeChain(t *testing.T, name string, n int) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"metadata":{"component":{"bom-ref":"root","type":"application","name":"chain-product","version":"1.0"}},"components":[`)
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, `{"bom-ref":"c%d","type":"file","name":"%s","version":"1.%d"}`, i, drivers[i%len(drivers)], i)
	}
	fmt.Fprint(w, `],"dependencies":[{"ref":"root","dependsOn":["c0"]}`)
	for i := range n - 1 {
		fmt.Fprintf(w, `,{"ref":"c%d","dependsOn":["c%d"]}`, i, i+1)
	}
	fmt.Fprint(w, "]}\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLongChain: a chain of 10,000 components, each a finding, gives
// reports whose size follows the input (at most a few KB per component),
// not the sum of the paths' lengths (50 million steps: 1.5 GB of JSON,
// and 4+ GB of memory, before paths were shortened).
func TestLongChain(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10,000-component scan")
	}
	const n = 10000
	dir := t.TempDir()
	input := filepath.Join(dir, "chain.cdx.json")
	writeChain(t, input, n)
	out := filepath.Join(dir, "report.json")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"pedigree", "scan", "-o", "json=" + out, "-o", "table", input}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for what, size := range map[string]int{"json": len(data), "table": stdout.Len()} {
		if per := size / n; per > 2000 {
			t.Errorf("%s: %d bytes for %d components, %d per component", what, size, n, per)
		}
	}
	deepest := fmt.Sprintf("chain-product > %s > %s > %s > … 9,993 more … > %s > %s > %s > %s\n",
		drivers[0], drivers[1], drivers[2], drivers[9996%21], drivers[9997%21], drivers[9998%21], drivers[9999%21])
	if !strings.Contains(stdout.String(), deepest) {
		t.Errorf("the table does not show the deepest path shortened: %q", deepest)
	}
	var rep struct {
		Targets []struct {
			Findings []struct {
				Component struct {
					Ref                                  string
					Path                                 []string
					PathLength, PathElided, PathElidedAt int
				}
			}
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	fs := rep.Targets[0].Findings
	if len(fs) != n {
		t.Fatalf("%d findings, want %d", len(fs), n)
	}
	for _, f := range fs {
		if c := f.Component; c.Ref == "c9999" && (len(c.Path) != 8 || c.PathLength != n+1 || c.PathElided != n-7 || c.PathElidedAt != 4) {
			t.Errorf("deepest finding: path %v, pathLength %d, pathElided %d, pathElidedAt %d", c.Path, c.PathLength, c.PathElided, c.PathElidedAt)
		}
	}

	// inspect shows the components' paths shortened too.
	stdout.Reset()
	if code := run([]string{"pedigree", "inspect", input}, &stdout, &stderr); code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr.String())
	}
	if per := stdout.Len() / n; per > 2000 {
		t.Errorf("inspect: %d bytes for %d components", stdout.Len(), n)
	}
}

// TestBOMName: the annotated BOM of a target is named after its file,
// without a scheme pedigree knows or its SBOM suffixes; a colon that is
// not a scheme's is part of the file's name.
func TestBOMName(t *testing.T) {
	for _, c := range []struct{ target, want string }{
		{"bids/bid-03.cdx.json", "bid-03"},
		{"sbom:bids/bid-03.spdx.json", "bid-03"},
		{"dir:product/", "product"},
		{"oci-archive:img.tar", "img.tar"},
		{"-", "stdin"},
		{"bids/v1:final.cdx.json", "v1:final"},
		{"sbom:", "target"},
	} {
		if got := bomName(c.target); got != c.want {
			t.Errorf("bomName(%q) = %q, want %q", c.target, got, c.want)
		}
	}
}
