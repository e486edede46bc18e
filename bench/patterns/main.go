//go:build ignore

// Command patterns prints, one per line, the literal patterns that
// pedigree's content pass (pkg/deep) searches every file for, in their
// plain (narrow) form, as deep.Inspector.Literals lists them: vendor names
// and signers (with lower- and upper-case forms of non-ASCII names),
// domains, content strings, Java package paths ("com.kaspersky" ->
// "com/kaspersky/") and install paths. pkg/deep also searches the UTF-16LE
// form of each, which this list leaves out: it is for `rg -F -i -f`, which
// reads text.
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

	"github.com/pedigree-sbom/pedigree/pkg/deep"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/signatures"
)

func main() {
	set, err := signatures.Set()
	check(err)
	eng, err := match.New(set)
	check(err)
	out := bufio.NewWriter(os.Stdout)
	counts := map[string]int{}
	lits := deep.New(eng).Literals()
	for _, l := range lits {
		counts[l.Kind]++
		fmt.Fprintln(out, l.Text)
	}
	check(out.Flush())
	fmt.Fprintf(os.Stderr, "patterns: %d plain (%d names, %d domains, %d content, %d java, %d paths); pkg/deep searches each also as UTF-16LE\n",
		len(lits), counts["name"], counts["domain"], counts["content"], counts["java"], counts["path"])
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "patterns:", err)
		os.Exit(1)
	}
}
