package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/pkg/limits"
)

// configCommand prints the settings scan would use, and where each comes
// from.
func configCommand() *cli.Command {
	opts := scanOptions()
	return &cli.Command{
		Name:  "config",
		Usage: "print the effective scan settings and where each comes from",
		Description: "Settings come from flags, then PEDIGREE_* environment variables, then the config\n" +
			"file (--config, else ./.pedigree.yaml, else pedigree/config.yaml in the user config\n" +
			"directory), then the defaults.",
		Flags:  opts.Flags(),
		Before: opts.Load,
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			if opts.File.Path == "" {
				fmt.Fprintln(w, "# config file: none")
			} else {
				fmt.Fprintf(w, "# config file: %s\n", opts.File.Path)
			}
			for _, st := range opts.Settings {
				name := st.Name()
				if name == "config" || name == "quiet" || name == "verbose" || name == "limit" {
					continue
				}
				var value string
				switch v := c.Value(name).(type) {
				case cli.StringSlice:
					value = "[" + strings.Join(v.Value(), ", ") + "]"
				default:
					value = fmt.Sprint(c.Value(name))
				}
				fmt.Fprintf(w, "%s: %s  # %s\n", name, value, st.Origin)
			}
			lim, origins, err := resolveLimits(c)
			if err != nil {
				return err
			}
			fmt.Fprintln(w, "limits:")
			for _, m := range limits.All {
				fmt.Fprintf(w, "  %s: %s  # %s; %s\n", m.Name, limits.Format(m.Get(&lim), m.Unit), origins[m.Name], m.Doc)
			}
			return nil
		},
	}
}
