package depgraph

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/pedigree-sbom/pedigree"

// pkg is what go list says of one package.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// goList runs go list -json with args in the module root and decodes its
// packages.
func goList(t *testing.T, args ...string) []pkg {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH (%v): the package graph cannot be listed", err)
	}
	cmd := exec.Command(goBin, append([]string{"list", "-json"}, args...)...)
	cmd.Dir = root(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// root is the module's root directory.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", dir, err)
	}
	return dir
}

// rel is a pedigree import path relative to the module ("pkg/scan"), and
// false for any other path.
func rel(path string) (string, bool) {
	if path == module {
		return ".", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

// table reads the allowed imports of docs/architecture.md: for each
// package, the pedigree packages its non-test files may import.
func table(t *testing.T) map[string][]string {
	t.Helper()
	path := filepath.Join(root(t), "docs", "architecture.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "<!-- depgraph:begin -->")
	body, _, ok2 := strings.Cut(rest, "<!-- depgraph:end -->")
	if !ok || !ok2 {
		t.Fatalf("%s: no depgraph:begin/end markers around the import table", path)
	}
	allowed := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for line := 1; sc.Scan(); line++ {
		cells := strings.Split(strings.Trim(strings.TrimSpace(sc.Text()), "|"), "|")
		if len(cells) != 3 {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[0]), "`")
		if name == "package" || strings.HasPrefix(name, "---") {
			continue
		}
		if _, dup := allowed[name]; dup {
			t.Errorf("%s: %s is in the import table twice", path, name)
		}
		var imports []string
		for _, imp := range strings.Split(cells[2], ",") {
			if imp = strings.Trim(strings.TrimSpace(imp), "`"); imp != "" && imp != "—" {
				imports = append(imports, imp)
			}
		}
		allowed[name] = imports
	}
	if len(allowed) == 0 {
		t.Fatalf("%s: the import table is empty", path)
	}
	return allowed
}

// TestImportsFollowTheTable: every package is in the table of
// docs/architecture.md, imports only what its row allows, and every row
// names a package that exists.
func TestImportsFollowTheTable(t *testing.T) {
	allowed := table(t)
	seen := map[string]bool{}
	for _, p := range goList(t, "./...") {
		name, _ := rel(p.ImportPath)
		seen[name] = true
		may, listed := allowed[name]
		if !listed {
			t.Errorf("%s is not in the import table of docs/architecture.md: add a row saying what it owns and may import", name)
			continue
		}
		for _, imp := range p.Imports {
			if r, ok := rel(imp); ok && !slices.Contains(may, r) {
				t.Errorf("%s imports %s, which docs/architecture.md does not allow", name, r)
			}
		}
	}
	for name := range allowed {
		if !seen[name] {
			t.Errorf("docs/architecture.md lists %s, which is not a package", name)
		}
	}
}

// testOnly reports whether a package is a test helper, for tests alone.
func testOnly(name string) bool {
	base := filepath.Base(name)
	return (strings.HasPrefix(name, "pkg/internal/") || strings.HasPrefix(name, "internal/")) && (strings.HasSuffix(base, "test") || base == "golden" || base == "fuzzseed") ||
		strings.HasSuffix(name, "/petest")
}

// TestHelpersStayInTests: no non-test file imports a test helper.
func TestHelpersStayInTests(t *testing.T) {
	for _, p := range goList(t, "./...") {
		for _, imp := range p.Imports {
			if r, ok := rel(imp); ok && testOnly(r) {
				t.Errorf("%s imports the test helper %s outside its tests", p.ImportPath, r)
			}
		}
	}
}

// TestThirdPartyStaysWhereItBelongs: syft and stereoscope are reached
// only through pkg/generate: the report writers, the engine, the result
// types, scan and the model build without them, tests included. Each
// SBOM library is imported by its reader (and the CycloneDX one by the
// report's annotated-BOM writer and the raw BOM they share), the CLI
// library by the CLI, the database drivers by the store (and the
// PostgreSQL test helper).
func TestThirdPartyStaysWhereItBelongs(t *testing.T) {
	lean := []string{"pkg/report", "pkg/match", "pkg/result", "pkg/scan", "pkg/source", "pkg/model"}
	var args []string
	for _, l := range lean {
		args = append(args, "./"+l)
	}
	var reached []string
	for _, p := range goList(t, append([]string{"-deps", "-test"}, args...)...) {
		if strings.HasPrefix(p.ImportPath, "github.com/anchore/syft") || strings.HasPrefix(p.ImportPath, "github.com/anchore/stereoscope") {
			reached = append(reached, p.ImportPath)
		}
	}
	if len(reached) > 0 {
		t.Errorf("%v (with their tests) depend on %d packages of syft and stereoscope, first %s: syft must stay behind pkg/generate",
			lean, len(reached), strings.Join(reached[:min(3, len(reached))], ", "))
	}
	owners := map[string][]string{
		"github.com/anchore/":             {"pkg/generate"},
		"github.com/CycloneDX/":           {"pkg/cdxjson", "pkg/ingest/cyclonedx", "pkg/report"},
		"github.com/spdx/":                {"pkg/ingest/spdx"},
		"github.com/urfave/cli":           {"cmd/pedigree", "cmd/pedigree/internal/options"},
		"modernc.org/sqlite":              {"pkg/generate", "pkg/store"},
		"github.com/jackc/pgx":            {"pkg/store", "internal/pgtest"},
		"github.com/santhosh-tekuri/json": {},
	}
	for _, p := range goList(t, "./...") {
		name, _ := rel(p.ImportPath)
		for _, imp := range p.Imports {
			for prefix, who := range owners {
				if strings.HasPrefix(imp, prefix) && !slices.Contains(who, name) {
					t.Errorf("%s imports %s; only %v may", name, imp, who)
				}
			}
		}
	}
}
