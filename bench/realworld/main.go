// Command realworld reads every file under the given directories as
// pedigree would read an SBOM target and tallies what it could read: the
// share of real-world SBOMs pedigree reads, before and after a change to
// ingest (docs/ingest.md records the numbers; SOURCES.md says where the
// files come from and how to fetch them).
//
//	go run ./bench/realworld [-v] [-strict] DIR...
//
// Each DIR's first level below it is a set ("in-the-wild", "sbomqs", ...):
// the summary has a row per set. A file that is no SBOM at all (a
// configuration file beside the SBOMs) is counted apart and left out of
// the share. -v prints one line per file: outcome, dialect, components,
// warnings, and the error.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
)

// tally counts the outcomes of one set.
type tally struct {
	files, read, warned, notSBOM int
	byKind                       map[string]int
	byFormat                     map[string][2]int // format: read, failed
}

func main() {
	verbose := flag.Bool("v", false, "print one line per file")
	strict := flag.Bool("strict", false, "refuse the defects ingest otherwise reads with a warning (as --strict)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: realworld [-v] [-strict] DIR...")
		os.Exit(2)
	}
	opts := ingest.DefaultOptions()
	opts.Strict = *strict
	sets := map[string]*tally{}
	var order []string
	for _, root := range flag.Args() {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), ".md") {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			set, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
			t := sets[set]
			if t == nil {
				t = &tally{byKind: map[string]int{}, byFormat: map[string][2]int{}}
				sets[set] = t
				order = append(order, set)
			}
			doc, err := ingest.File(path, opts)
			kind := ingest.KindOf(err)
			if kind == ingest.KindNotSBOM {
				t.notSBOM++
				if *verbose {
					fmt.Printf("not-sbom\t%s\n", path)
				}
				return nil
			}
			t.files++
			if err != nil {
				t.byKind[kind.String()]++
				f := t.byFormat[formatOf(path)]
				f[1]++
				t.byFormat[formatOf(path)] = f
				if *verbose {
					fmt.Printf("error\t%s\t%s\t%s\n", path, kind, oneLine(err.Error()))
				}
				return nil
			}
			t.read++
			f := t.byFormat[string(doc.Format)]
			f[0]++
			t.byFormat[string(doc.Format)] = f
			if len(doc.Warnings) > 0 {
				t.warned++
			}
			if *verbose {
				fmt.Printf("read\t%s\t%s %s\t%d components\t%d warnings\n", path, doc.Format, doc.SpecVersion, len(doc.Components), len(doc.Warnings))
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(os.Stderr, "realworld: %v\n", err)
			os.Exit(2)
		}
	}
	slices.Sort(order)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "set\tSBOMs\tread\tshare\twith warnings\tnot read, by kind\tnot SBOMs")
	var total tally
	for _, name := range order {
		t := sets[name]
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%d\t%s\t%d\n", name, t.files, t.read, share(t.read, t.files), t.warned, kinds(t.byKind), t.notSBOM)
		total.files += t.files
		total.read += t.read
		total.warned += t.warned
		total.notSBOM += t.notSBOM
	}
	fmt.Fprintf(w, "all\t%d\t%d\t%s\t%d\t\t%d\n", total.files, total.read, share(total.read, total.files), total.warned, total.notSBOM)
	w.Flush()
}

// formatOf guesses a failed file's dialect from its name, for the tally.
func formatOf(path string) string {
	name := strings.ToLower(filepath.Base(path))
	switch {
	case strings.Contains(name, "spdx3") || strings.Contains(name, "spdx-3"):
		return "spdx-3?"
	case strings.Contains(name, "spdx"):
		return "spdx?"
	case strings.Contains(name, "cdx") || strings.Contains(name, "cyclonedx") || strings.Contains(name, "bom"):
		return "cyclonedx?"
	}
	return "?"
}

func share(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func kinds(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
