package main

import (
	"fmt"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, commit, Go version and the signature packs in force",
		Flags: []cli.Flag{options.Signatures(options.AlsoLoad).Flag},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("version takes no arguments")
			}
			base, err := loadBase()
			if err != nil {
				return err
			}
			eng, err := compile(base.Layer, c.StringSlice("signatures"))
			if err != nil {
				return err
			}
			set := eng.Set()
			v, cm := version, commit
			if v == "" {
				v = versionString()
			}
			if cm == "" {
				cm = "unknown"
			}
			w := c.App.Writer
			fmt.Fprintf(w, "pedigree %s\n", v)
			fmt.Fprintf(w, "commit:     %s\n", cm)
			fmt.Fprintf(w, "go:         %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(w, "signatures: %s, %s, %d rules\n", set.Version(), plural(len(set.Packs), "pack"), len(set.Rules))
			fmt.Fprintf(w, "digest:     %s\n", set.Digest)
			if in := base.Installed; in != nil {
				_, err = fmt.Fprintf(w, "installed:  pack %s signed by %s (sha256:%s) in %s\n", in.Version, in.KeyID, in.SHA256, base.Dir)
			} else if old := base.Superseded; old != nil {
				_, err = fmt.Fprintf(w, "installed:  pack %s in %s is older than the built-in pack %s, which is in force\n", old.Version, base.Dir, base.Version)
			} else {
				_, err = fmt.Fprintf(w, "installed:  none; the built-in pack %s is in force\n", base.Version)
			}
			return err
		},
	}
}
