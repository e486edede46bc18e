package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the worked examples in docs/users from what pedigree prints")

// example is a worked example in a user guide:
//
//	<!-- run: pedigree scan fixtures/... -->
//	```console
//	$ pedigree scan fixtures/...
//	(what it prints)
//	exit status 1
//	```
var example = regexp.MustCompile("(?s)<!-- run: (pedigree [^\n]*?) -->\n```console\n(.*?)```\n")

// TestUserGuides runs every worked example of docs/users/*.md from the
// repository root and checks that the guide shows what pedigree prints
// (standard output, then standard error, then the exit status), so the
// guides cannot drift from the tool. go test -update rewrites them.
func TestUserGuides(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	guides, err := filepath.Glob(filepath.Join(root, "docs", "users", "*.md"))
	if err != nil || len(guides) < 3 {
		t.Fatalf("want the three user guides in docs/users, found %d (%v)", len(guides), err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, guide := range guides {
		data, err := os.ReadFile(guide)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(guide)
		n := 0
		out := example.ReplaceAllFunc(data, func(block []byte) []byte {
			m := example.FindSubmatch(block)
			command, shown := string(m[1]), string(m[2])
			n++
			got := transcript(t, command)
			if got != shown && !*update {
				t.Errorf("%s: the example %q shows (- shown, + printed; go test -update rewrites it):\n%s", name, command, lineDiff(shown, got))
			}
			return []byte(fmt.Sprintf("<!-- run: %s -->\n```console\n%s```\n", command, got))
		})
		if n == 0 {
			t.Errorf("%s has no worked example", name)
		}
		if *update && !bytes.Equal(out, data) {
			if err := os.WriteFile(guide, out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// transcript runs one example command and writes what a terminal shows.
func transcript(t *testing.T, command string) string {
	t.Helper()
	args, err := splitArgs(command)
	if err != nil {
		t.Fatalf("%q: %v", command, err)
	}
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	var b strings.Builder
	fmt.Fprintf(&b, "$ %s\n%s%s", command, stdout.String(), stderr.String())
	if code != 0 {
		fmt.Fprintf(&b, "$ echo $?\n%d\n", code)
	}
	return b.String()
}

// splitArgs splits a command line on spaces, with single quotes.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	in, started := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			in, started = !in, true
		case r == ' ' && !in:
			if started {
				args = append(args, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if in {
		return nil, fmt.Errorf("unclosed quote")
	}
	if started {
		args = append(args, cur.String())
	}
	return args, nil
}

// lineDiff shows the lines of a that b lacks (-) and the reverse (+).
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "%4d - %s\n%4d + %s\n", i+1, x, i+1, y)
		}
	}
	return out.String()
}

// TestReliabilityListsFuzzTargets shows docs/reliability.md has a row for
// every fuzz target in the repository, so a new target cannot go unrun
// and unrecorded.
func TestReliabilityListsFuzzTargets(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reliability.md"))
	if err != nil {
		t.Fatal(err)
	}
	fuzz := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	n := 0
	err = filepath.WalkDir(filepath.Join("..", ".."), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, filepath.Join("..", "..")+string(filepath.Separator))))
		for _, m := range fuzz.FindAllSubmatch(src, -1) {
			n++
			if row := fmt.Sprintf("| `%s` | `%s` |", pkg, m[1]); !bytes.Contains(doc, []byte(row)) {
				t.Errorf("docs/reliability.md has no row %s", row)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("found only %d fuzz targets", n)
	}
}
