//go:build ignore

// Command patterns prints, one per line, the literal patterns that
// pedigree's content pass (pkg/deep) searches every file for, in their
// plain (narrow) form, built from the embedded signatures the way
// deep.New builds them: vendor names and signers (with lower- and
// upper-case forms of non-ASCII names), domains, content strings, Java
// package paths ("com.kaspersky" -> "com/kaspersky/") and install paths
// (segments joined with "/" and with "\"), patterns shorter than 4 bytes
// dropped. pkg/deep also searches the UTF-16LE form of each, which this
// list leaves out: it is for `rg -F -i -f`, which reads text.
//
// It mirrors deep.New by reading the same signature fields; keep the two
// in step. Usage (from the repository root):
//
//	go run bench/patterns/main.go > patterns.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/signatures"
)

func main() {
	base, err := signatures.Layer()
	check(err)
	set, err := signature.NewSet(base)
	check(err)
	eng, err := match.New(set)
	check(err)

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	seen := map[string]bool{}
	counts := map[string]int{}
	add := func(kind, s string) {
		if len(s) < 4 || seen[s] { // deep.New drops patterns under 4 bytes
			return
		}
		seen[s] = true
		counts[kind]++
		fmt.Fprintln(out, s)
	}
	for _, r := range eng.Set().Rules {
		m := r.Match
		for _, n := range append(append([]string(nil), m.Names...), m.Signers...) {
			for _, form := range caseForms(n) {
				add("names", form)
			}
		}
		for _, d := range m.Domains {
			add("domains", d)
		}
		for _, c := range m.Content {
			add("content", c)
		}
		for _, j := range m.JavaPackages {
			add("java", strings.ReplaceAll(j, ".", "/")+"/")
		}
		for _, p := range m.Paths {
			segs := signature.PathSegments(p)
			add("paths", strings.Join(segs, "/"))
			if len(segs) > 1 {
				add("paths", strings.Join(segs, `\`))
			}
		}
	}
	out.Flush()
	fmt.Fprintf(os.Stderr, "patterns: %d plain (%d names, %d domains, %d content, %d java, %d paths); pkg/deep searches each also as UTF-16LE\n",
		len(seen), counts["names"], counts["domains"], counts["content"], counts["java"], counts["paths"])
}

// caseForms is deep.caseForms: the name, and for non-ASCII names its lower
// and upper case (the finder folds ASCII only).
func caseForms(s string) []string {
	forms := []string{s}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(forms, strings.ToLower(s), strings.ToUpper(s))
		}
	}
	return forms
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "patterns:", err)
		os.Exit(1)
	}
}
