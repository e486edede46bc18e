package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/generate"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

func sbomCommand() *cli.Command {
	opts := options.WithFileLimits(
		options.LocalOutput("cyclonedx-json", "FORMAT[=FILE]: "+strings.Join(generate.Formats, ", ")),
		options.Signatures("also use this rule file or directory for deep inspection, repeatable"),
		options.Limit(),
		options.Platform(),
		options.Quiet("no progress display"),
	)
	return &cli.Command{
		Name:      "sbom",
		Usage:     "generate the SBOM of a directory, file, archive or image archive",
		ArgsUsage: "TARGET",
		Description: "Catalogs TARGET with syft (no network but to pull a registry: image, no\n" +
			"daemon but for a docker: or podman: image) and reads every file, archives\n" +
			"included, as scan does; writes the SBOM with a component for every file that\n" +
			"revealed its maker (version resources, signer, manifest, copyright strings,\n" +
			"hosts, Java packages) as pedigree:* properties, and every part it could not\n" +
			"inspect as a pedigree:gap, so that a scan of the SBOM is incomplete where a scan\n" +
			"of TARGET is (syft-json cannot carry either: refused when there is any).\n" +
			"TARGET is a path, or dir:, file:, docker-archive:, oci-archive:, oci-dir: and a\n" +
			"path, or registry:REF, docker:REF, podman:REF, or an image reference such as\n" +
			"ghcr.io/acme/app:1, as for scan.",
		Flags:  opts.Flags(),
		Before: opts.Load,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("sbom takes one TARGET, got %d arguments", c.NArg())
			}
			format, file, _ := strings.Cut(c.String("output"), "=")
			if !slices.Contains(generate.Formats, format) {
				return usagef("unknown SBOM format %q (want %s)", format, strings.Join(generate.Formats, ", "))
			}
			kind, target := sourceOf(c.Args().First())
			platform, err := platformOf(c, c.Args().Slice())
			if err != nil {
				return err
			}
			if !kind.Remote() {
				platform = "" // from the environment: for images only
			}
			eng, err := loadEngine(c.StringSlice("signatures"))
			if err != nil {
				return err
			}
			lim, err := limitsOf(c)
			if err != nil {
				return err
			}
			prog := newProgress(c.App.ErrWriter, c.Bool("quiet"))
			res, err := generate.Generate(c.Context, kind, target, eng, generate.Options{Limits: lim.Walk, Platform: platform, Progress: prog.update})
			prog.done()
			if err != nil {
				return err
			}
			if file == "" {
				return res.Write(c.App.Writer, format)
			}
			// All or nothing: an SBOM Write refuses (syft-json with gaps
			// or deep-inspection components) leaves no file behind.
			if err := writeFileAtomic(file, func(w io.Writer) error { return res.Write(w, format) }); err != nil {
				return fmt.Errorf("write sbom %s: %w", file, fserr.Cause(err))
			}
			return nil
		},
	}
}

// sourceOf splits "dir:PATH" into the scheme and the path; a bare path is
// a directory or a file, and a bare image reference (by scan's rule,
// scan.ImageRef) an image to pull from its registry.
func sourceOf(arg string) (source.Scheme, string) {
	if s, path, ok := source.Split(arg); ok && s.Generated() {
		return s, path
	}
	if scan.ImageRef(arg) {
		return source.Registry, arg
	}
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return source.Dir, arg
	}
	return source.File, arg
}
