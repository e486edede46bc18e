//go:build ignore

// Command chain writes a CycloneDX 1.5 JSON SBOM whose components form one
// dependency chain, for the long-chain memory benchmark (bench/chain.sh,
// docs/performance.md, "Long dependency chains"): the product root depends
// on c0, c0 on c1, ..., c(N-2) on c(N-1). Every component is a file named
// like a Kaspersky driver (the minifilter names of rule KL-DRV-001 in turn,
// each with a version of its own), so every one of them is a finding whose
// path from the root is as long as its position in the chain. It uses the standard library only; the same flags give the
// same bytes.
//
//	go run bench/chain/main.go -n 10000 -out chain-10k.json
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	n := flag.Int("n", 10000, "number of components in the chain")
	out := flag.String("out", "", "file to write (default: standard output)")
	flag.Parse()
	var w io.Writer = os.Stdout
	var f *os.File
	if *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		w = f
	}
	b := bufio.NewWriterSize(w, 1<<16)
	write(b, *n)
	err := b.Flush()
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// drivers are the file names of rule KL-DRV-001 (signatures/kaspersky-drivers.yaml).
var drivers = []string{"klif.sys", "klam.sys", "klbg.sys", "kldback.sys", "kldlinf.sys", "kldtool.sys", "klboot.sys",
	"klfdefsf.sys", "klrsps.sys", "klsnsr.sys", "klifks.sys", "klifaa.sys", "klifsm.sys", "klcdp.sys", "klshadow.sys",
	"klsysrec.sys", "klvfs.sys", "klfle.sys", "klvirt.sys", "klbackupflt.sys", "klsec.sys"}

func write(w io.Writer, n int) {
	fmt.Fprint(w, `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,`+"\n")
	fmt.Fprint(w, `"metadata":{"component":{"bom-ref":"root","type":"application","name":"chain-product","version":"1.0"}},`+"\n")
	fmt.Fprint(w, `"components":[`+"\n")
	for i := 0; i < n; i++ {
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(w, `{"bom-ref":"c%d","type":"file","name":"%s","version":"1.%d"}%s`+"\n", i, drivers[i%len(drivers)], i, sep)
	}
	fmt.Fprint(w, "],\n"+`"dependencies":[`+"\n")
	if n > 0 {
		fmt.Fprint(w, `{"ref":"root","dependsOn":["c0"]}`)
	} else {
		fmt.Fprint(w, `{"ref":"root"}`)
	}
	for i := 0; i < n; i++ {
		if i < n-1 {
			fmt.Fprintf(w, ",\n"+`{"ref":"c%d","dependsOn":["c%d"]}`, i, i+1)
		} else {
			fmt.Fprintf(w, ",\n"+`{"ref":"c%d"}`, i)
		}
	}
	fmt.Fprint(w, "\n]}\n")
}
