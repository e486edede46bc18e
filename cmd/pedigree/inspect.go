package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/inspect"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// readSBOM ingests one SBOM named on the command line ("-" is stdin).
func readSBOM(c *cli.Context, path string) (*model.Document, error) {
	lim, err := limitsOf(c)
	if err != nil {
		return nil, err
	}
	if path == "-" {
		return ingest.Decode("stdin", c.App.Reader, ingestOptions(c, lim))
	}
	return ingest.File(path, ingestOptions(c, lim))
}

func inspectCommand() *cli.Command {
	opts := options.WithFileLimits(
		options.LocalOutput("table", "output format: "+strings.Join(inspect.Formats, ", ")),
		options.LocalFullPaths("show every step of each component's path from the product root; by default a path of more than 9 steps shows its first 4 and last 4 and how many were left out"),
		options.Limit(),
		options.Strict(),
	)
	return &cli.Command{
		Name:      "inspect",
		Usage:     "show what pedigree understood of an SBOM",
		ArgsUsage: "SBOM",
		Description: "Prints the normalised model of one SBOM: every component with its identifiers,\n" +
			"the fields that name its makers (supplier, manufacturer, publisher, authors,\n" +
			"originator, copyright), its hashes and references, and its path from the product root.\n" +
			"The format is detected from the content. Use - to read standard input.",
		Flags:  opts.Flags(),
		Before: opts.Load,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("inspect takes exactly one SBOM, got %d arguments", c.NArg())
			}
			format := c.String("output")
			if !slices.Contains(inspect.Formats, format) {
				return usagef("unknown output format %q for inspect (want %s)", format, strings.Join(inspect.Formats, ", "))
			}
			path := c.Args().First()
			doc, err := readSBOM(c, path)
			if err != nil {
				return err
			}
			return inspect.WriteOptions(c.App.Writer, doc, format, inspect.Options{FullPaths: c.Bool("full-paths")})
		},
	}
}
