package scan

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
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
//     sorted order, skipping hidden files and directories (".git") and
//     files that are not SBOMs (see [ExpandNotes]). A directory that
//     cannot be listed, or holds no SBOM file, is kept, and is reported as
//     an error target.
//
// Anything else is kept as it is, in order; a target given twice is
// scanned and reported twice, as it was asked for.
func Expand(targets []string) []string {
	out, _ := ExpandNotes(targets)
	return out
}

// ExpandNotes is [Expand], with a note for every file of a "sboms:DIR"
// left out because it is not an SBOM ("sboms:bids: skipped README.md:
// not an SBOM"), for the user to read. A file is left out only when
// neither its name nor its content looks like an SBOM's: a README, a
// detached signature, an image. One that does (bom.json, x.spdx, any JSON
// or XML, text with an SPDX version line) is kept and read, so a broken
// SBOM is an error target, never skipped; so is a file that cannot be
// read or holds nothing but white space.
func ExpandNotes(targets []string) (out, notes []string) {
	add := func(t string) { out = append(out, t) }
	for _, t := range targets {
		switch {
		case strings.HasPrefix(t, string(source.SBOMDir)+":"):
			dir := strings.TrimPrefix(t, string(source.SBOMDir)+":")
			files, skipped, err := sbomDir(dir)
			for _, f := range skipped {
				notes = append(notes, fmt.Sprintf("%s: skipped %s: not an SBOM", t, relTo(dir, f)))
			}
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
	return out, notes
}

// relTo is file's path below dir, as a note shows it.
func relTo(dir, file string) string {
	if r, err := filepath.Rel(dir, file); err == nil {
		return filepath.ToSlash(r)
	}
	return file
}

// notSBOM reports whether the file at path is certainly no SBOM: neither
// its name nor its first bytes look like one. A file that cannot be read,
// or is blank, is not certainly anything: it is kept, to fail closed.
// The name of a detached signature or checksum (bom.cdx.json.sig,
// bom.spdx.sha256) does not count: its content decides.
func notSBOM(path string) bool {
	if ingest.NamedLikeSBOM(path) && !sidecar(path) {
		return false
	}
	may, err := ingest.MaySBOMFile(path, ingest.Options{})
	return err == nil && !may
}

// sidecarExts end the names of files kept next to an SBOM that are not
// SBOMs: signatures, certificates and checksums.
var sidecarExts = []string{".sig", ".asc", ".p7s", ".pem", ".crt", ".cert", ".sha1", ".sha256", ".sha512", ".md5", ".digest"}

func sidecar(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return slices.Contains(sidecarExts, ext)
}

// OnlySBOMs reports whether dir is a directory whose files (hidden ones
// aside) are all SBOMs by name or content, and there is at least one: a
// folder of bids given as "scan DIR", which generates one SBOM for the
// folder, where "sboms:DIR" may have been meant. It stops at the first
// file that is not an SBOM.
func OnlySBOMs(dir string) bool {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return false
	}
	n := 0
	errStop := errors.New("not an SBOM")
	err := walkVisible(dir, func(p string) error {
		if notSBOM(p) {
			return errStop
		}
		n++
		return nil
	})
	return err == nil && n > 0
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

// sbomDir lists the regular files under dir, sorted, hidden ones skipped:
// the SBOMs, and those skipped because they are not (see notSBOM).
func sbomDir(dir string) (files, skipped []string, err error) {
	err = walkVisible(dir, func(p string) error {
		if notSBOM(p) {
			skipped = append(skipped, p)
		} else {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	slices.Sort(skipped)
	return files, skipped, err
}

// walkVisible calls fn for every regular file under dir, hidden files
// and directories skipped.
func walkVisible(dir string, fn func(path string) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
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
			return fn(p)
		}
		return nil
	})
}

// dirError explains why a "sboms:DIR" target was left unexpanded.
func dirError(dir string) error {
	files, skipped, err := sbomDir(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s:%s: %w", source.SBOMDir, dir, err)
	case len(files) == 0 && len(skipped) > 0:
		return fmt.Errorf("%s:%s: no SBOM files in the directory (%d other files skipped)", source.SBOMDir, dir, len(skipped))
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
	if s, _, ok := source.Split(t); ok && s.Remote() {
		return t // registry:REF names no file
	}
	if _, _, ok := source.Split(t); !ok && refShaped(t) && !pathLike(dir, t) {
		return t // an image reference (imageRef), not a file beside the list
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
