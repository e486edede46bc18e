package golden

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeT stands in for the test a Dir checks: it has the name given and
// records what the helper reports instead of failing the real test.
type fakeT struct {
	testing.TB
	name    string
	errors  []string
	fatal   bool
	logs    []string
	skipped bool
}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return f.name }
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
	f.fatal = true
	runtime.Goexit()
}
func (f *fakeT) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Skip(args ...any) {
	f.skipped = true
	runtime.Goexit()
}

// run calls fn with a fakeT named name, on its own goroutine so that a
// Fatalf ends only fn.
func run(t *testing.T, name string, fn func(testing.TB)) *fakeT {
	f := &fakeT{TB: t, name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func setUpdate(t *testing.T, on bool) {
	old := *update
	*update = on
	t.Cleanup(func() { *update = old })
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFile(t *testing.T) {
	for _, c := range []struct {
		d    Dir
		name string
		want string
	}{
		{Dir{Path: "testdata"}, "TestWrite", "testdata/TestWrite.golden"},
		{Dir{Path: "testdata"}, "TestWrite/json/pass", "testdata/TestWrite/json/pass.golden"},
		{Dir{Path: "testdata", Flat: true}, "TestWrite/findings_json", "testdata/TestWrite_findings_json.golden"},
		{Dir{Path: "testdata/shapes", Trim: 1}, "TestShapes/vendor.cdx.json", "testdata/shapes/vendor.cdx.json.golden"},
		{Dir{Path: "testdata/dialects", Trim: 1, Ext: ".golden.json"}, "TestDialects/a.spdx", "testdata/dialects/a.spdx.golden.json"},
		{Dir{Path: "testdata"}, `TestX/..`, "testdata/TestX/__.golden"},
		{Dir{Path: "testdata"}, `TestX/a:b*c?"d<e>f|g\h`, "testdata/TestX/a_b_c__d_e_f_g_h.golden"},
	} {
		var got string
		f := run(t, c.name, func(tb testing.TB) { got = c.d.File(tb) })
		if len(f.errors) > 0 || got != filepath.FromSlash(c.want) {
			t.Errorf("%+v File(%q) = %q %q, want %q", c.d, c.name, got, f.errors, c.want)
		}
	}
	f := run(t, "TestShapes", func(tb testing.TB) { Dir{Path: "testdata", Trim: 1}.File(tb) })
	if !f.fatal {
		t.Errorf("a Trim that leaves no name: no error")
	}
}

func TestCheckMatch(t *testing.T) {
	d := Dir{Path: t.TempDir()}
	write(t, filepath.Join(d.Path, "TestA.golden"), "one\ntwo\n")
	f := run(t, "TestA", func(tb testing.TB) { d.Check(tb, []byte("one\ntwo\n")) })
	if len(f.errors) > 0 {
		t.Errorf("equal output failed: %q", f.errors)
	}
}

func TestCheckMismatchShowsDiff(t *testing.T) {
	d := Dir{Path: t.TempDir(), Flat: true}
	path := filepath.Join(d.Path, "TestA_sub.golden")
	var want, got strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&want, "line %d\n", i)
		if i == 50 {
			fmt.Fprintf(&got, "changed %d\n", i)
		} else {
			fmt.Fprintf(&got, "line %d\n", i)
		}
	}
	write(t, path, want.String())
	f := run(t, "TestA/sub", func(tb testing.TB) { d.Check(tb, []byte(got.String())) })
	if f.fatal || len(f.errors) != 1 {
		t.Fatalf("want one error, got %q (fatal %t)", f.errors, f.fatal)
	}
	msg := f.errors[0]
	for _, s := range []string{path, "   50 - line 50\n", "   50 + changed 50\n", "go test -run '^TestA$' -update"} {
		if !strings.Contains(msg, s) {
			t.Errorf("the error lacks %q:\n%s", s, msg)
		}
	}
	if strings.Contains(msg, "line 49") || strings.Contains(msg, "line 51") {
		t.Errorf("the error shows lines that are the same:\n%s", msg)
	}
	if data, _ := os.ReadFile(path); string(data) != want.String() {
		t.Errorf("a failed check changed the golden file")
	}
}

func TestCheckMissing(t *testing.T) {
	d := Dir{Path: t.TempDir()}
	f := run(t, "TestA", func(tb testing.TB) { d.Check(tb, []byte("x")) })
	if !f.fatal || !strings.Contains(f.errors[0], "does not exist") || !strings.Contains(f.errors[0], "-update") {
		t.Errorf("missing golden file: %q (fatal %t)", f.errors, f.fatal)
	}
}

func TestUpdateWrites(t *testing.T) {
	setUpdate(t, true)
	d := Dir{Path: filepath.Join(t.TempDir(), "testdata")}
	f := run(t, "TestA/new/deep", func(tb testing.TB) { d.Check(tb, []byte("fresh\n")) })
	if len(f.errors) > 0 {
		t.Fatalf("update: %q", f.errors)
	}
	path := filepath.Join(d.Path, "TestA", "new", "deep.golden")
	if data, err := os.ReadFile(path); err != nil || string(data) != "fresh\n" {
		t.Fatalf("update wrote %q, %v", data, err)
	}
	f = run(t, "TestA", func(tb testing.TB) { d.CheckNamed(tb, "named", []byte("n")) })
	if data, err := os.ReadFile(filepath.Join(d.Path, "named.golden")); err != nil || string(data) != "n" || len(f.errors) > 0 {
		t.Fatalf("update of a named file wrote %q, %v, %q", data, err, f.errors)
	}

	// A file already right is left alone.
	f = run(t, "TestA/new/deep", func(tb testing.TB) { d.Check(tb, []byte("fresh\n")) })
	if len(f.logs) > 0 {
		t.Errorf("rewrote an unchanged file: %q", f.logs)
	}
}

func TestOrphans(t *testing.T) {
	root := t.TempDir()
	tree := Dir{Path: filepath.Join(root, "tree")}
	flat := Dir{Path: filepath.Join(root, "flat"), Flat: true, Ext: ".golden.json"}
	for _, p := range []string{
		"tree/TestA/used.golden", "tree/TestA/gone.golden", "tree/README.md",
		"flat/TestB_used.golden.json", "flat/TestB_gone.golden.json", "flat/sub/TestC.golden.json", "flat/other.golden",
	} {
		write(t, filepath.Join(root, p), "x\n")
	}
	run(t, "TestA/used", func(tb testing.TB) { tree.Check(tb, []byte("x\n")) })
	run(t, "TestB/used", func(tb testing.TB) { flat.Check(tb, []byte("x\n")) })

	got, err := Orphans(tree, flat, Dir{Path: filepath.Join(root, "absent")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "flat/TestB_gone.golden.json"), filepath.Join(root, "tree/TestA/gone.golden")}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("orphans:\n got %q\nwant %q", got, want)
	}

	// A file asked for by a check that failed is not an orphan either.
	run(t, "TestA/gone", func(tb testing.TB) { tree.Check(tb, []byte("different\n")) })
	got, _ = Orphans(tree)
	if len(got) != 0 {
		t.Errorf("orphans after every file was asked for: %q", got)
	}
}

func TestPartial(t *testing.T) {
	// This test binary may itself run with -run or -short; only the part
	// that does not depend on them is checked.
	if testing.Short() {
		if why := partial(); !strings.Contains(why, "-short") && !strings.Contains(why, "selects tests") {
			t.Errorf("under -short: %q", why)
		}
		return
	}
	state.Lock()
	saved := state.skipped
	state.skipped = nil
	state.Unlock()
	defer func() { state.Lock(); state.skipped = saved; state.Unlock() }()
	before := partial()
	f := run(t, "TestSkipping", func(tb testing.TB) { Skip(tb, "no corpus") })
	if !f.skipped {
		t.Errorf("golden.Skip did not skip")
	}
	if after := partial(); before == "" && !strings.Contains(after, "TestSkipping skipped") {
		t.Errorf("after golden.Skip: %q", after)
	}
}

func TestDiff(t *testing.T) {
	for _, c := range []struct{ want, got, diff string }{
		{"a\nb\n", "a\nb\n", ""},
		{"a\nb\nc\n", "a\nc\n", "    2 - b\n"},
		{"a\nc\n", "a\nb\nc\n", "    2 + b\n"},
		{"a\nb \n", "a\nb\n", "    2 - \"b \"\n    2 + b\n"},
		{"a\n", "a", "    2 - \n      (the two differ in the newline at the end)\n"},
		{"x\r\n", "x\n", "    1 - \"x\\r\"\n    1 + x\n"},
	} {
		if d := Diff(c.want, c.got); d != c.diff {
			t.Errorf("Diff(%q, %q) =\n%s\nwant\n%s", c.want, c.got, d, c.diff)
		}
	}
	// Many differences: only the first are shown.
	var a, b strings.Builder
	for i := range 100 {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	d := Diff(a.String(), b.String())
	if n := strings.Count(d, "\n"); n != maxDiffLines+1 || !strings.Contains(d, "and 180 more differing lines") {
		t.Errorf("a long diff has %d lines:\n%s", n, d)
	}
}

// childDir, in the environment, makes this test binary the package under
// test of TestRun: its TestMain runs Run over that directory, where
// TestChild asks for TestChild.golden.
const childDir = "GOLDEN_TEST_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDir); dir != "" {
		os.Exit(Run(m, Dir{Path: dir}))
	}
	os.Exit(m.Run())
}

func TestChild(t *testing.T) {
	dir := os.Getenv(childDir)
	if dir == "" {
		t.Skip("runs only in TestRun's child process")
	}
	Dir{Path: dir}.Check(t, []byte("child\n"))
}

// TestRun runs this test binary again as a package whose TestMain calls
// Run: an orphan fails the run, naming the file, unless not every test ran.
func TestRun(t *testing.T) {
	if os.Getenv(childDir) != "" {
		return
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "TestChild.golden"), "child\n")
	child := func(args ...string) (string, error) {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), childDir+"="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := child(); err != nil {
		t.Fatalf("no orphan: %v\n%s", err, out)
	}
	write(t, filepath.Join(dir, "sub", "gone.golden"), "gone\n")
	out, err := child()
	if err == nil || !strings.Contains(out, filepath.Join(dir, "sub", "gone.golden")+": no test asked for this golden file") {
		t.Errorf("an orphan: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"-test.run=^TestChild$"}, {"-test.skip=TestDiff"}, {"-test.short"}} {
		if out, err := child(args...); err != nil {
			t.Errorf("%s: not every test ran, so no orphan check, but: %v\n%s", args, err, out)
		}
	}
}
