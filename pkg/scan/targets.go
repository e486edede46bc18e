package scan

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// Expand turns targets as given on a command line into the targets to
// scan, for batch reviews:
//
//   - a glob pattern (with *, ? or [) that is not itself an existing path
//     becomes the paths it matches, sorted, without hidden files unless
//     the pattern names them (".*.json"), as shells do; shells on Windows do not
//     expand patterns, and quoting one keeps a long list off the command
//     line. A pattern that matches nothing is kept, and is reported as an
//     error target.
//   - "sboms:DIR" becomes "sbom:FILE" for every regular file under DIR, in
//     sorted order, skipping hidden files and directories (".git"). A
//     directory that cannot be listed, or holds no file, is kept, and is
//     reported as an error target.
//
// Anything else is kept as it is, in order; a target given twice is
// scanned and reported twice, as it was asked for.
func Expand(targets []string) []string {
	var out []string
	add := func(t string) { out = append(out, t) }
	for _, t := range targets {
		switch {
		case strings.HasPrefix(t, string(source.SBOMDir)+":"):
			files, err := sbomDir(strings.TrimPrefix(t, string(source.SBOMDir)+":"))
			if err != nil || len(files) == 0 {
				add(t)
				continue
			}
			for _, f := range files {
				add(string(source.SBOM) + ":" + f)
			}
		case isPattern(t):
			matches, err := filepath.Glob(t)
			if err != nil || len(matches) == 0 {
				add(t)
				continue
			}
			slices.Sort(matches)
			hidden := strings.HasPrefix(filepath.Base(t), ".")
			for _, m := range matches {
				if hidden || !strings.HasPrefix(filepath.Base(m), ".") { // as shells do
					add(m)
				}
			}
		default:
			add(t)
		}
	}
	return out
}

// isPattern reports whether t is a glob pattern rather than a path or a
// scheme-prefixed source.
func isPattern(t string) bool {
	if !strings.ContainsAny(t, "*?[") || t == "-" {
		return false
	}
	if _, err := os.Lstat(t); err == nil {
		return false // a file whose name has a '*' in it
	}
	if scheme, _, ok := strings.Cut(t, ":"); ok && len(scheme) > 1 && !strings.ContainsAny(scheme, `*?[/\`) {
		return false // sbom:*.json and the like name one source
	}
	return true
}

// sbomDir lists the regular files under dir, sorted, hidden ones skipped.
func sbomDir(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// dirError explains why a "sboms:DIR" target was left unexpanded.
func dirError(dir string) error {
	files, err := sbomDir(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s:%s: %w", source.SBOMDir, dir, err)
	case len(files) == 0:
		return fmt.Errorf("%s:%s: no SBOM files in the directory", source.SBOMDir, dir)
	}
	return fmt.Errorf("%s:%s: a directory of SBOMs must be expanded before it is read (scan.Expand)", source.SBOMDir, dir)
}

// ReadList reads a list of targets, one per line, as given to --from:
// blank lines and lines starting with # are skipped, and a relative path
// is taken from the list file's directory (dir), so that a list kept with
// the bids it names works from anywhere. Scheme-prefixed sources keep
// their scheme. name is the list's name, for errors.
func ReadList(name, dir string, r io.Reader) ([]string, error) {
	var targets []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line == "-" {
			return nil, fmt.Errorf("%s:%d: standard input cannot be named in a list", name, n)
		}
		targets = append(targets, resolve(line, dir))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return targets, nil
}

// resolve makes a relative path in a list relative to the list's
// directory, keeping a source scheme in front of it.
func resolve(t, dir string) string {
	if dir == "" {
		return t
	}
	prefix, p := "", t
	if scheme, rest, ok := strings.Cut(t, ":"); ok && len(scheme) > 1 && !strings.ContainsAny(scheme, `/\`) {
		prefix, p = scheme+":", rest
	}
	if filepath.IsAbs(p) {
		return t
	}
	return prefix + filepath.Join(dir, p)
}
