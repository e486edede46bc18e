package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/result"
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper": strings.ToUpper,
	"join":  strings.Join,
	"step":  pathStepClass,
	"steps": pathSteps,
	"gap":   pathGap,
	"stylesheet": func() template.CSS {
		return template.CSS(stylesheet) // our own file, not input
	},
}).Parse(htmlSource))

//go:embed style.css
var stylesheet string

// Stylesheet is the CSS of the HTML report: its colours, badges, tables
// and dependency paths. The web UI of pedigree serve builds on it, so
// that a verdict looks the same in both.
func Stylesheet() string { return stylesheet }

// htmlView is what the HTML template renders: the JSON report document and
// what the page adds to it (the overall verdict, the rules the findings
// cite with their references).
type htmlView struct {
	Doc     Document
	Verdict string
	// Time is when the scan ran, in UTC, or "" when unknown.
	Time    string
	Targets []htmlTarget
	Rules   []htmlRule
}

type htmlTarget struct {
	Target
	Anchor string
	Counts SeverityCounts
	Top    string
}

type htmlRule struct {
	ID, Title, Severity, Category, Description, Source string
	References                                         []htmlRef
	Cited                                              int
}

// htmlRef is a reference of a rule: a link when it is an http(s) address,
// else text (a document section, a register citation).
type htmlRef struct {
	Text string
	Link bool
}

// WriteHTML writes the report as one self-contained HTML page: the overall
// verdict, a summary table of the targets, per target a table of its
// findings with their evidence and their path from the product root, and
// the rules the findings cite with their references. The page loads
// nothing (its Content-Security-Policy forbids it), runs no script, and
// has print styles, so it can be filed or attached as it is. Every value
// from an SBOM is escaped by html/template.
func WriteHTML(w io.Writer, r *result.Result) error {
	v := htmlView{Doc: NewDocument(r), Verdict: overallVerdict(r)}
	if !r.Time.IsZero() {
		v.Time = r.Time.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	cited := map[string]int{}
	for i, t := range v.Doc.Targets {
		v.Targets = append(v.Targets, htmlTarget{Target: t, Anchor: fmt.Sprintf("target-%d", i+1),
			Counts: unwaivedCounts(t), Top: TopEvidence(t)})
		for _, f := range t.Findings {
			for _, id := range f.Rules {
				cited[id]++
			}
		}
	}
	ids := make([]string, 0, len(cited))
	for id := range cited {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		hr := htmlRule{ID: id, Cited: cited[id]}
		if r.Signatures != nil {
			if rule := r.Signatures.Rule(id); rule != nil {
				hr.Title, hr.Severity, hr.Category = rule.Title, string(rule.Severity), string(rule.Category)
				hr.Description, hr.Source = rule.Description, rule.Source
				for _, ref := range rule.References {
					hr.References = append(hr.References, htmlRef{Text: ref,
						Link: strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://")})
				}
			}
		}
		v.Rules = append(v.Rules, hr)
	}
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// overallVerdict is the verdict of the whole run, as the exit code gives
// it: error when a target could not be evaluated, else incomplete when
// one was not read whole, else fail when one failed the gate, else review
// when the gate is off and there are findings, else pass.
func overallVerdict(r *result.Result) string {
	return string(r.Verdict())
}

// pathStepClass is the class of step i of a path from the product root:
// "root", "flagged" for the component found, both for a root found, or
// "step".
func pathStepClass(i int, path []string) string {
	var c []string
	if i == 0 {
		c = append(c, "root")
	}
	if i == len(path)-1 {
		c = append(c, "flagged")
	}
	if len(c) == 0 {
		return "step"
	}
	return strings.Join(c, " ")
}
