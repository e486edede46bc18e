package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/signatures"
)

func signaturesCommand() *cli.Command {
	extra := &cli.StringSliceFlag{Name: "signatures", EnvVars: []string{"PEDIGREE_SIGNATURES"},
		Usage: "also load this rule file or directory, repeatable"}
	return &cli.Command{
		Name:  "signatures",
		Usage: "list, show and validate signature rules",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the rules in force",
				Flags: []cli.Flag{extra},
				Action: func(c *cli.Context) error {
					if c.NArg() > 0 {
						return usagef("signatures list takes no arguments")
					}
					eng, err := loadEngine(c.StringSlice("signatures"))
					if err != nil {
						return err
					}
					return listRules(c.App.Writer, eng.Set())
				},
			},
			{
				Name:      "show",
				Usage:     "show one rule: its patterns, references and examples",
				ArgsUsage: "ID",
				Flags:     []cli.Flag{extra},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usagef("signatures show takes one rule id")
					}
					eng, err := loadEngine(c.StringSlice("signatures"))
					if err != nil {
						return err
					}
					r := eng.Set().Rule(c.Args().First())
					if r == nil {
						return fmt.Errorf("no rule %q (see pedigree signatures list)", c.Args().First())
					}
					return showRule(c.App.Writer, r)
				},
			},
			{
				Name:      "validate",
				Usage:     "check rule files: format, patterns, ids, and every example",
				ArgsUsage: "PATH...",
				Description: "Loads each rule file or directory strictly on top of the embedded packs,\n" +
					"reports every problem as FILE:LINE: message, and runs every rule's examples.",
				Action: validate,
			},
		},
	}
}

func listRules(w io.Writer, set *signature.Set) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tENTITY\tTITLE")
	for _, r := range set.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Entity, r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d rules from %s, version %s (%s)\n", len(set.Rules), plural(len(set.Packs), "pack"), set.Version(), set.Digest)
	return err
}

func showRule(w io.Writer, r *signature.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", r.ID, r.Title)
	fmt.Fprintf(&b, "  entity:    %s\n  category:  %s\n  severity:  %s\n  source:    %s\n", r.Entity, r.Category, r.Severity, r.Source)
	if r.Description != "" {
		fmt.Fprintf(&b, "  description:\n    %s\n", strings.Join(strings.Fields(r.Description), " "))
	}
	b.WriteString("  match:\n")
	m := r.Match
	for _, k := range []struct {
		name string
		vals []string
	}{
		{"names", m.Names}, {"products", m.Products}, {"mentions", m.Mentions}, {"purls", m.PURLs},
		{"cpes", m.CPEs}, {"hashes", m.Hashes}, {"filenames", m.Filenames}, {"paths", m.Paths},
		{"domains", m.Domains}, {"signers", m.Signers}, {"javaPackages", m.JavaPackages}, {"content", m.Content},
	} {
		for _, v := range k.vals {
			fmt.Fprintf(&b, "    %-13s %s\n", k.name, v)
		}
	}
	b.WriteString("  references:\n")
	for _, ref := range r.References {
		fmt.Fprintf(&b, "    - %s\n", ref)
	}
	fmt.Fprintf(&b, "  examples: %d must match, %d must not\n", len(r.Examples.Match), len(r.Examples.NoMatch))
	_, err := io.WriteString(w, b.String())
	return err
}

// validate loads each path as a layer over the embedded packs and runs the
// examples of its rules. Every problem is printed on its own line.
func validate(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("signatures validate needs at least one rule file or directory")
	}
	base, err := signatures.Layer()
	if err != nil {
		return fmt.Errorf("embedded signatures: %w", err)
	}
	problems := 0
	report := func(err error) {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(c.App.ErrWriter, line)
			problems++
		}
	}
	for _, p := range c.Args().Slice() {
		layer, err := signature.LoadPath(p)
		if err != nil {
			report(err)
			continue
		}
		set, err := signature.NewSet(base, layer)
		if err != nil {
			report(err)
			continue
		}
		eng, err := match.New(set)
		if err != nil {
			report(err)
			continue
		}
		ids := map[string]bool{}
		rules, examples := 0, 0
		for _, pk := range layer {
			for _, r := range pk.Rules {
				ids[r.ID] = true
				rules++
				examples += len(r.Examples.Match) + len(r.Examples.NoMatch)
			}
		}
		failed := false
		for _, err := range eng.CheckExamples() {
			// Only the examples of this path's rules are its problems.
			var ee *match.ExampleError
			if errors.As(err, &ee) && ids[ee.Rule.ID] {
				report(err)
				failed = true
			}
		}
		if !failed {
			fmt.Fprintf(c.App.Writer, "%s: ok, %d rules, %d examples\n", p, rules, examples)
		}
	}
	if problems > 0 {
		return errors.New(plural(problems, "problem") + " in the rule files")
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
