package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/generate"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

func explainCommand() *cli.Command {
	opts := options.WithFileLimits(
		options.Signatures(options.AlsoLoad),
		options.Waivers("waiver file"),
		options.Limit(),
		options.Strict(),
	)
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain a rule, or a finding of a scan: why it matched and what to do",
		ArgsUsage: "RULE-ID | FINDING-ID TARGET...",
		Description: "explain KL-SDK-002 prints what the rule means, its patterns, its references and\n" +
			"what to do about a finding of it. explain PDG-... TARGET... scans the targets and\n" +
			"prints that finding: the component, its path from the product root, every piece of\n" +
			"evidence with the rule behind it, why it is or is not white-labelled, its waiver,\n" +
			"and what to do.",
		Flags:  opts.Flags(),
		Before: opts.Load,
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
				_, err := fmt.Fprintf(c.App.Writer, "%s  what to do:\n    %s\n", howFound(r), r.Category.Guidance())
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
				Ingest: ingestOptions(c, lim), Now: time.Now(), Stdin: c.App.Reader,
				Generator: generate.Generator{Engine: eng, Options: generate.Options{Limits: lim.Walk}}})
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

func explainFinding(w io.Writer, set *signature.Set, t *result.Target, f *result.Finding) error {
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
	kinds := map[string]bool{}
	for _, id := range order {
		r := set.Rule(id)
		if r == nil {
			// A rule of a pack not loaded now (a finding read back).
			r = &signature.Rule{ID: id, Title: "(rule not loaded)"}
		}
		fmt.Fprintf(&b, "    %s  %s (%s, %s)\n", id, r.Title, r.Category, r.Severity)
		ev := byRule[id]
		if r.Composite() {
			fmt.Fprintf(&b, "      all %d blocks of the rule found together, within one %s:\n", len(r.All), cmpOr(r.Scope, signature.ScopeComponent))
			// By block, then as the engine sorted them.
			slices.SortStableFunc(ev, func(a, b match.Evidence) int { return cmp.Compare(block(a.Field), block(b.Field)) })
		}
		for _, e := range ev {
			fmt.Fprintf(&b, "      %s\n", evidenceLine(e, kinds))
		}
		for _, ref := range r.References {
			fmt.Fprintf(&b, "      seen in: %s\n", ref)
		}
	}
	if len(kinds) > 0 {
		b.WriteString("  evidence kinds:\n")
		for _, k := range kindOrder {
			if kinds[k] {
				fmt.Fprintf(&b, "    %-12s %s\n", k, kindHelp[k])
			}
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

// evidenceLine renders one piece of evidence: its kind, where it was
// found and the value, with the file it was found in when that is not
// the value itself. The fields that the engine composes are read back:
// "nested[LOCATION].FIELD" (evidence of a part folded into the artifact
// it ships in), "all[N] FIELD" (block N of a composite rule), and the
// properties of deep inspection's imports, whose name holds the file and
// line. kinds collects what the legend below the evidence explains.
func evidenceLine(e match.Evidence, kinds map[string]bool) string {
	field := e.Field
	var prefix []string
	if rest, ok := strings.CutPrefix(field, "nested["); ok {
		if i := strings.Index(rest, "]."); i >= 0 {
			part := rest[:i]
			field = rest[i+2:]
			kinds["nested"] = true
			if e.Value == part {
				// The part's own location is the evidence.
				return fmt.Sprintf("%-12s nested part %q, its %s", e.Kind, part, field)
			}
			prefix = append(prefix, fmt.Sprintf("nested part %q:", part))
		}
	}
	if n := block(field); n >= 0 {
		prefix = append(prefix, fmt.Sprintf("all[%d]", n))
		field = strings.TrimSpace(field[strings.IndexByte(field, ']')+1:])
		kinds["all[N]"] = true
	}
	kinds[string(e.Kind)] = true
	loc := ""
	if e.Location != "" && e.Location != e.Value {
		loc = " in " + e.Location
	}
	var what string
	switch {
	case e.Kind == match.KindReference:
		what = fmt.Sprintf("imports %q%s", e.Value, loc)
	case field == "":
		what = fmt.Sprintf("%q%s", e.Value, loc)
	default:
		what = fmt.Sprintf("%s = %q%s", field, e.Value, loc)
	}
	return fmt.Sprintf("%-12s %s", e.Kind, strings.Join(append(prefix, what), " "))
}

// block is the block number of a composite rule's evidence ("all[2] name"
// gives 2), or -1.
func block(field string) int {
	rest, ok := strings.CutPrefix(field, "all[")
	if !ok {
		return -1
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return -1
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil {
		return -1
	}
	return n
}

// kindOrder and kindHelp are the legend of explain: the evidence kinds
// whose meaning is not plain from their name.
var kindOrder = []string{string(match.KindName), string(match.KindService), string(match.KindReference), string(match.KindMention),
	string(match.KindPedigree), string(match.KindRelationship), "all[N]", "nested"}

var kindHelp = map[string]string{
	string(match.KindName):         "a product or vendor name in the component's own name",
	string(match.KindService):      "a service name the component declares (Windows service, systemd unit)",
	string(match.KindReference):    "source code that imports the vendor's namespace, header or module: at most medium alone, the rule's severity when the document also declares or ships what is imported",
	string(match.KindMention):      "the vendor named in free text: never vendor identity",
	string(match.KindPedigree):     "evidence of a CycloneDX pedigree ancestor or variant, passed on",
	string(match.KindRelationship): "evidence of a component this one derives from (VARIANT_OF, DESCENDANT_OF, COPY_OF, GENERATED_FROM)",
	"all[N]":                       "block N of a composite rule: every block must be found, and the rule rates them together",
	"nested":                       "a part of the artifact (a class in a jar in an .aar), reported with it once",
}

// howFound says, under a rule's patterns, how they turn into evidence
// where that is not plain: composite blocks, service names, and imports.
func howFound(r *signature.Rule) string {
	var lines []string
	if r.Composite() {
		scope := "in one component's own fields and locations"
		if r.Scope == signature.ScopeSubtree {
			scope = fmt.Sprintf("in the files under one directory, %d levels above a file of all[0]", r.SubtreeLevels())
		}
		lines = append(lines, fmt.Sprintf("a finding needs all %d blocks %s; it is made on the component of all[0] and lists one piece of evidence per block (field all[N])", len(r.All), scope))
	}
	m := r.Match
	if len(m.Services) > 0 {
		lines = append(lines, "services are matched, without case, against the service names a component declares (a component of type service, service or systemd-unit properties, a *.service file): evidence kind service")
	}
	if len(m.Products) > 0 {
		lines = append(lines, "products are matched on whole words of a component's name, group or product-name properties (evidence kind name); a pattern written ^NAME$ only as the whole name")
	}
	if len(m.JavaPackages)+len(m.Products)+len(m.Names) > 0 || slices.ContainsFunc(m.PURLs, func(p string) bool { return strings.HasPrefix(p, "pkg:npm/") }) {
		lines = append(lines, "an import of these in source code (evidence kind reference) rates at most medium, unless the same rule matched something else on the component or the document declares or ships what is imported")
	}
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("  how it is found:\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	return b.String()
}
