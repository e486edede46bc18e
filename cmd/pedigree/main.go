// Command pedigree finds software made by a prohibited vendor inside a
// product, whatever name the product is sold under.
//
// The command is a thin adapter over the library in pkg/: it parses flags,
// calls the library, prints, and maps the outcome to an exit code in one
// place (exitCode).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
