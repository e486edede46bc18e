package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain a rule, or a finding of a scan: why it matched and what to do",
		ArgsUsage: "RULE-ID | FINDING-ID TARGET...",
		Description: "explain KL-SDK-002 prints what the rule means, its patterns, its references and\n" +
			"what to do about a finding of it. explain PDG-... TARGET... scans the targets and\n" +
			"prints that finding: the component, its path from the product root, every piece of\n" +
			"evidence with the rule behind it, why it is or is not white-labelled, its waiver,\n" +
			"and what to do.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "signatures", EnvVars: []string{"PEDIGREE_SIGNATURES"},
				Usage: "also load this rule file or directory, repeatable"},
			&cli.StringFlag{Name: "waivers", EnvVars: []string{"PEDIGREE_WAIVERS"}, Usage: "waiver file"},
			limitFlag(),
		},
		Before: applyConfigLimits,
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("explain needs a rule id or a finding id and the targets it was found in")
			}
			eng, err := loadEngine(c.StringSlice("signatures"))
			if err != nil {
				return err
			}
			id := c.Args().First()
			if !strings.HasPrefix(id, "PDG-") {
				if c.NArg() != 1 {
					return usagef("explain RULE-ID takes no targets")
				}
				r := eng.Set().Rule(id)
				if r == nil {
					return fmt.Errorf("no rule %q (see pedigree signatures list)", id)
				}
				if err := showRule(c.App.Writer, r); err != nil {
					return err
				}
				_, err := fmt.Fprintf(c.App.Writer, "  what to do:\n    %s\n", r.Category.Guidance())
				return err
			}
			if c.NArg() < 2 {
				return usagef("explain %s needs the targets it was found in", id)
			}
			var ws []waiver.Waiver
			if p := c.String("waivers"); p != "" {
				if ws, err = waiver.Load(p); err != nil {
					return err
				}
			}
			lim, err := limitsOf(c)
			if err != nil {
				return err
			}
			res, err := scan.Scan(c.Context, scan.Config{Targets: c.Args().Tail(), Engine: eng, Waivers: ws,
				Ingest: lim.Ingest, Limits: lim.Walk, Now: time.Now(), Stdin: c.App.Reader})
			if err != nil {
				return err
			}
			for _, t := range res.Targets {
				for _, f := range t.Findings {
					if f.ID == id {
						return explainFinding(c.App.Writer, eng.Set(), t, f)
					}
				}
			}
			if err := res.Err(); err != nil {
				return err
			}
			return fmt.Errorf("no finding %s in %s", id, strings.Join(c.Args().Tail(), ", "))
		},
	}
}

func explainFinding(w io.Writer, set *signature.Set, t *scan.Target, f *scan.Finding) error {
	var b strings.Builder
	names := map[string]string{}
	for _, c := range t.Document.Components {
		names[c.Ref] = c.Name
	}
	var path []string
	for _, ref := range f.Path {
		path = append(path, cmpOr(names[ref], ref))
	}
	fmt.Fprintf(&b, "%s  %s\n", f.ID, f.Title)
	fmt.Fprintf(&b, "  target:     %s\n  severity:   %s (confidence %s)\n  entity:     %s\n", t.Target, f.Severity, f.Confidence, f.Entity)
	fmt.Fprintf(&b, "  component:  %s %s\n  path:       %s\n", f.Component.Name, f.Component.Version, strings.Join(path, " > "))
	switch {
	case f.WhiteLabel:
		fmt.Fprintf(&b, "  white label: yes: offered as %q, while the evidence below points to %s\n", f.Offered, f.Entity)
	case f.Offered != "":
		fmt.Fprintf(&b, "  white label: no: offered as %q, which is %s itself\n", f.Offered, f.Entity)
	default:
		fmt.Fprintf(&b, "  white label: no: the component's own name or identifiers show %s, or no other maker is named\n", f.Entity)
	}
	for _, n := range f.Notes {
		fmt.Fprintf(&b, "  note:       %s\n", n)
	}
	if f.Waiver != nil {
		state := "suppresses it"
		if !f.Suppressed {
			state = "has EXPIRED and no longer suppresses it"
		}
		fmt.Fprintf(&b, "  waiver:     %s (%s, until %s, %s) %s\n", f.Waiver.Reason, f.Waiver.Owner, f.Waiver.Expires, f.Waiver.Source, state)
	}
	b.WriteString("  evidence:\n")
	byRule := map[string][]match.Evidence{}
	var order []string
	for _, e := range f.Evidence {
		if _, ok := byRule[e.Rule]; !ok {
			order = append(order, e.Rule)
		}
		byRule[e.Rule] = append(byRule[e.Rule], e)
	}
	for _, id := range order {
		r := set.Rule(id)
		fmt.Fprintf(&b, "    %s  %s (%s, %s)\n", id, r.Title, r.Category, r.Severity)
		for _, e := range byRule[id] {
			loc := ""
			if e.Location != "" {
				loc = " in " + e.Location
			}
			fmt.Fprintf(&b, "      %-12s %s = %q%s\n", e.Kind, e.Field, e.Value, loc)
		}
		for _, ref := range r.References {
			fmt.Fprintf(&b, "      seen in: %s\n", ref)
		}
	}
	if r := set.Rule(f.Rule); r != nil {
		fmt.Fprintf(&b, "  what to do:\n    %s\n", r.Category.Guidance())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
