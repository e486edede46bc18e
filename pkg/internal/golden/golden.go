// Package golden compares what a test produces with a file kept under the
// package's testdata directory, the golden file, and rewrites those files
// when the test binary runs with -update.
//
// A Dir says where a package keeps its golden files and how a test's name,
// t.Name(), becomes a file name there. By default a subtest is a path:
// TestWrite/json is testdata/TestWrite/json.golden. Flat joins the parts
// with "_" instead (testdata/TestWrite_json.golden), and Trim leaves out
// the leading parts when the directory already names the test.
//
// The helper remembers every file a test asked for. A package that uses it
// runs Run from its TestMain, which after the tests fails on golden files no
// test asked for (orphans, left behind when a test or a subtest was renamed
// or removed). That check is only meaningful when every test of the package
// ran, so it is left out when -run, -skip or -list select tests, under
// -short, when a test failed, and when a test skipped with Skip.
//
// On a mismatch the test fails with the first differing lines, each with its
// line number in the golden file (-) or in the output (+).
package golden

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// update is registered once, here, for every test binary that links the
// helper: a package using it must not define its own -update flag.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with what the tests produce")

// Update reports whether the test binary runs with -update.
func Update() bool { return *update }

// A Dir is a directory of golden files and the way test names map to file
// names in it.
type Dir struct {
	// Path is the directory, relative to the package directory: "testdata"
	// or a directory below it.
	Path string
	// Ext ends every file name; "" means ".golden".
	Ext string
	// Trim is how many leading parts of the test name the file name leaves
	// out: 1 names the file of TestShapes/vendor.json vendor.json.golden,
	// for a Path that stands for TestShapes.
	Trim int
	// Flat joins the parts of the test name with "_" into one file name,
	// rather than making each enclosing test a subdirectory. A flat Dir's
	// orphan check looks at Path only, not at its subdirectories.
	Flat bool
}

func (d Dir) ext() string {
	if d.Ext == "" {
		return ".golden"
	}
	return d.Ext
}

// File returns the golden file of the running test or subtest t.
func (d Dir) File(t testing.TB) string {
	t.Helper()
	parts := strings.Split(t.Name(), "/")
	if d.Trim >= len(parts) {
		t.Fatalf("golden: %s has no name left once Dir.Trim drops %d parts of it", t.Name(), d.Trim)
	}
	parts = parts[d.Trim:]
	for i, p := range parts {
		parts[i] = sanitise(p)
	}
	if d.Flat {
		return filepath.Join(d.Path, strings.Join(parts, "_")+d.ext())
	}
	return filepath.Join(d.Path, filepath.Join(parts...)+d.ext())
}

// sanitise makes one part of a test name a safe file name on every system:
// no path separators, no characters Windows refuses, never "." or "..".
// The testing package has already replaced spaces and unprintable runes.
func sanitise(part string) string {
	part = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, part)
	if part == "" || part == "." || part == ".." {
		return strings.Repeat("_", max(len(part), 1))
	}
	return part
}

// Check compares got with the golden file of t (see File), or writes got
// to it under -update.
func (d Dir) Check(t testing.TB, got []byte) {
	t.Helper()
	d.list()
	check(t, d.File(t), got)
}

// CheckNamed is Check for a golden file whose name does not come from the
// test's: Path/name followed by Ext.
func (d Dir) CheckNamed(t testing.TB, name string, got []byte) {
	t.Helper()
	d.list()
	check(t, filepath.Join(d.Path, name+d.ext()), got)
}

// list reads the directories of d once, while the tests run: go test then
// counts their listings among the inputs of the package's tests, and does
// not reuse a cached pass once a golden file was added or removed, which
// the orphan check after the tests has to see.
func (d Dir) list() {
	state.Lock()
	defer state.Unlock()
	if state.listed[d.Path] {
		return
	}
	if state.listed == nil {
		state.listed = map[string]bool{}
	}
	state.listed[d.Path] = true
	filepath.WalkDir(d.Path, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.IsDir() && path != d.Path && d.Flat {
			return fs.SkipDir
		}
		return nil
	})
}

var state struct {
	sync.Mutex
	asked   map[string]bool // cleaned paths of the files tests asked for
	listed  map[string]bool // Dir.Path read by list
	skipped []string        // tests that skipped with Skip
}

func check(t testing.TB, path string, got []byte) {
	t.Helper()
	path = filepath.Clean(path)
	state.Lock()
	if state.asked == nil {
		state.asked = map[string]bool{}
	}
	state.asked[path] = true
	state.Unlock()

	rerun := fmt.Sprintf("go test -run '^%s$' -update", strings.SplitN(t.Name(), "/", 2)[0])
	want, err := os.ReadFile(path)
	if *update {
		if err == nil && bytes.Equal(want, got) {
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		t.Logf("golden: rewrote %s", path)
		return
	}
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden: %s does not exist; %s writes it", path, rerun)
	}
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("golden: the output differs from %s (- golden, + output; after checking the change, %s rewrites it):\n%s",
			path, rerun, Diff(string(want), string(got)))
	}
}

// Skip skips the test like t.Skip, and records that a golden test skipped:
// the files it would have asked for are not orphans, so Run leaves out the
// orphan check. A test that uses golden files skips with it, not with t.Skip.
func Skip(t testing.TB, args ...any) {
	t.Helper()
	state.Lock()
	state.skipped = append(state.skipped, t.Name())
	state.Unlock()
	t.Skip(args...)
}

// Run runs the tests of m and returns the exit code for os.Exit. When every
// test ran and passed, it also fails, naming each, on the golden files in
// dirs that no test asked for. A package's TestMain is then:
//
//	func TestMain(m *testing.M) { os.Exit(golden.Run(m, dirs...)) }
func Run(m *testing.M, dirs ...Dir) int {
	code := m.Run()
	if code != 0 {
		return code
	}
	if why := partial(); why != "" {
		if testing.Verbose() {
			fmt.Printf("golden: no orphan check: %s\n", why)
		}
		return code
	}
	orphans, err := Orphans(dirs...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "golden: orphan check: %v\n", err)
		return 1
	}
	for _, f := range orphans {
		fmt.Fprintf(os.Stderr, "golden: %s: no test asked for this golden file: delete it (a golden test that skips must skip with golden.Skip)\n", f)
	}
	if len(orphans) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL: orphaned golden files")
		return 1
	}
	return code
}

// partial says why this run's tests are not all of the package's, or "".
func partial() string {
	for _, name := range []string{"test.run", "test.skip", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return "-" + strings.TrimPrefix(name, "test.") + " selects tests"
		}
	}
	if testing.Short() {
		return "-short may skip golden tests"
	}
	state.Lock()
	defer state.Unlock()
	if len(state.skipped) > 0 {
		return strings.Join(state.skipped, ", ") + " skipped"
	}
	return ""
}

// Orphans lists, sorted, the golden files in dirs that no test of this run
// asked for: files ending in the Dir's Ext, in Path and, unless the Dir is
// flat, below it. A missing directory has no files.
func Orphans(dirs ...Dir) ([]string, error) {
	state.Lock()
	defer state.Unlock()
	var out []string
	for _, d := range dirs {
		err := filepath.WalkDir(d.Path, func(path string, e fs.DirEntry, err error) error {
			switch {
			case errors.Is(err, fs.ErrNotExist) && path == d.Path:
				return nil
			case err != nil:
				return err
			case e.IsDir():
				if path != d.Path && d.Flat {
					return fs.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(e.Name(), d.ext()) && !state.asked[filepath.Clean(path)] {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// maxDiffLines bounds the differing lines Diff shows.
const maxDiffLines = 20

// Diff is a line diff of want and got: the lines only in want (-) and only
// in got (+), each after its line number in its own text, in order, at most
// 20 of them; "" when they are equal. A line with trailing white space or a
// control character is quoted, so that the difference shows.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// The common head and tail need no table.
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	var lines []string
	emit := func(sign byte, n int, line string) {
		lines = append(lines, fmt.Sprintf("%5d %c %s", n, sign, show(line)))
	}
	ma, mb := a[head:len(a)-tail], b[head:len(b)-tail]
	if len(ma)*len(mb) > 4_000_000 {
		// Too large for a table: line by line.
		for i := 0; i < len(ma) || i < len(mb); i++ {
			if i < len(ma) && i < len(mb) && ma[i] == mb[i] {
				continue
			}
			if i < len(ma) {
				emit('-', head+i+1, ma[i])
			}
			if i < len(mb) {
				emit('+', head+i+1, mb[i])
			}
		}
	} else {
		// lcs[i][j] is the length of the longest common subsequence of
		// ma[i:] and mb[j:].
		lcs := make([][]int32, len(ma)+1)
		for i := range lcs {
			lcs[i] = make([]int32, len(mb)+1)
		}
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				i, j = i+1, j+1
			case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
				emit('-', head+i+1, ma[i])
				i++
			default:
				emit('+', head+j+1, mb[j])
				j++
			}
		}
	}
	var s strings.Builder
	for _, l := range lines[:min(len(lines), maxDiffLines)] {
		s.WriteString(l + "\n")
	}
	if len(lines) > maxDiffLines {
		fmt.Fprintf(&s, "      ... and %d more differing lines\n", len(lines)-maxDiffLines)
	}
	if strings.HasSuffix(want, "\n") != strings.HasSuffix(got, "\n") {
		s.WriteString("      (the two differ in the newline at the end)\n")
	}
	return s.String()
}

// show quotes a diff line when its difference could be invisible.
func show(line string) string {
	if strings.TrimRight(line, " \t") != line || strings.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
		return fmt.Sprintf("%q", line)
	}
	return line
}
