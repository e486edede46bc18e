//go:build ignore

// Command contentpass runs pedigree's content pass alone, without syft:
// the walk of pkg/walk over every file (archives opened, entries read in
// memory) and pkg/deep's Inspector over each, the facts collected by a
// deep.Assembler, exactly as pkg/generate's inspect does it beside syft's
// cataloging. It is what bench/deep.sh times against ripgrep.
//
//	go run bench/contentpass/main.go [-cpuprofile FILE] [-walk-only] DIR
//
// With -walk-only the files are read and the archives opened (entries
// decompressed) as above, and nothing is inspected: the least any pass
// reading every byte costs, which bench/dir.sh reports beside syft.
//
// It prints the walk's counts, the wall time and throughput, and every
// file in which the Inspector found a vendor string, host, Java package,
// install path or content string ("hit" lines). Then, outside the timed
// part, it matches the assembled components with the engine, as pedigree
// scan does after attaching them to syft's catalog, and prints each
// finding ("finding SEVERITY LOCATION RULES"): a file whose only evidence
// is its location (an install path) shows there, not as a hit.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/deep"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
	"github.com/pedigree-sbom/pedigree/signatures"
)

var (
	cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the pass to this file")
	walkOnly   = flag.Bool("walk-only", false, "only walk: read every file and open every archive, inspect nothing (the floor of any content pass)")
)

func main() {
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/contentpass/main.go [-cpuprofile FILE] [-walk-only] DIR")
		os.Exit(2)
	}
	root := flag.Arg(0)
	base, err := signatures.Layer()
	check(err)
	set, err := signature.NewSet(base)
	check(err)
	eng, err := match.New(set)
	check(err)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	in := deep.New(eng)
	asm := deep.NewAssembler()
	// As pkg/generate does it: one walker per core reads, decompresses
	// and scans.
	c := in.Collect()
	rep, err := walk.WalkParallel(context.Background(), root, walk.Limits{}, runtime.GOMAXPROCS(0), func(f *walk.File) error {
		switch {
		case !*walkOnly:
			c.Add(f)
		case f.Windows != nil: // a large file is read only as its windows are
			_ = f.Windows(func(walk.Window) bool { return true }) // a read error is a gap of the walk
		}
		return nil
	})
	c.Assemble(asm)
	check(err)
	comps := asm.Components()
	elapsed := time.Since(start)

	read := rep.Bytes + rep.ArchiveBytes
	pprof.StopCPUProfile()
	fmt.Printf("content pass %s: %.2fs wall; %d files (%d archives opened, %d skipped), %d bytes from disk + %d from archives = %.0f MB/s read; %d components, %d warnings\n",
		root, elapsed.Seconds(), rep.Files, rep.Archives, rep.Skipped, rep.Bytes, rep.ArchiveBytes,
		float64(read)/elapsed.Seconds()/1e6, len(comps), len(rep.Warnings))
	findings := eng.Match(&model.Document{Source: root, Components: comps})
	for _, f := range findings {
		fmt.Printf("finding %s %s %s\n", f.Severity, f.Component.Name, strings.Join(f.Rules, ","))
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "contentpass:", err)
		os.Exit(1)
	}
}
