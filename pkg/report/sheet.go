package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// csvHeader are the columns of -o csv: one row per finding, and one row
// for a target without findings, so every target is in the sheet.
var csvHeader = []string{"target", "source", "product", "version", "supplier", "verdict", "finding", "severity",
	"entity", "whiteLabel", "offeredAs", "component", "componentVersion", "purl", "path", "rules", "evidence",
	"suppressed", "waiverOwner", "waiverExpires", "errors"}

// WriteCSV writes the findings as a spreadsheet for bid review.
func WriteCSV(w io.Writer, r *result.Result) error {
	doc := NewDocument(r)
	cw := &safeCSV{csv.NewWriter(w)}
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, t := range doc.Targets {
		base := []string{t.Target, string(t.Source), t.Product.Name, t.Product.Version, t.Product.Supplier, string(t.Verdict)}
		errs := strings.Join(t.Errors, "; ")
		if len(t.Findings) == 0 {
			row := append(append([]string(nil), base...), make([]string, len(csvHeader)-len(base)-1)...)
			if err := cw.Write(append(row, errs)); err != nil {
				return err
			}
			continue
		}
		for _, f := range t.Findings {
			var ev []string
			for _, e := range f.Evidence {
				ev = append(ev, fmt.Sprintf("%s %s=%q [%s]", e.Kind, e.Field, e.Value, e.Rule))
			}
			owner, expires := "", ""
			if f.Waiver != nil {
				owner, expires = f.Waiver.Owner, f.Waiver.Expires
			}
			row := append(append([]string(nil), base...),
				f.ID, f.Severity, f.Entity, strconv.FormatBool(f.WhiteLabel), f.OfferedAs,
				f.Component.Name, f.Component.Version, f.Component.PURL, pathText(f.Component, " > "),
				strings.Join(f.Rules, " "), strings.Join(ev, "; "), strconv.FormatBool(f.Suppressed), owner, expires, errs)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.w.Flush()
	return cw.w.Error()
}

// safeCSV writes rows whose cells cannot run as spreadsheet formulas: a
// cell from an untrusted SBOM that starts with =, +, -, @, tab or CR gets a
// leading apostrophe (the OWASP advice against CSV injection).
type safeCSV struct{ w *csv.Writer }

func (s *safeCSV) Write(row []string) error {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			c = "'" + c
		}
		out[i] = c
	}
	return s.w.Write(out)
}

// WriteMarkdown writes a summary table of the targets and, per target, a
// table of its findings: a document to paste into a review or a ticket.
func WriteMarkdown(w io.Writer, r *result.Result) error {
	doc := NewDocument(r)
	var b strings.Builder
	s := doc.Summary
	var more string
	if s.Incomplete > 0 {
		more += fmt.Sprintf(", %d incomplete", s.Incomplete)
	}
	if s.Review > 0 {
		more += fmt.Sprintf(", %d to review", s.Review)
	}
	fmt.Fprintf(&b, "# pedigree report\n\n%s: %d failed, %s%s. Findings: %d critical, %d high, %d medium, %d low, %d info (%d waived). Gate: `--fail-on %s`. Signatures %s (%s).\n\n",
		countOf(s.Targets, "target"), s.Failed, countOf(s.Errors, "error"), more, s.Findings.Critical, s.Findings.High, s.Findings.Medium, s.Findings.Low, s.Findings.Info,
		s.Suppressed, s.FailOn, doc.Signatures.Version, doc.Signatures.Digest)
	b.WriteString("| target | product | supplier | verdict | critical | high | medium | low | info | top evidence |\n")
	b.WriteString("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, t := range doc.Targets {
		c := unwaivedCounts(t)
		fmt.Fprintf(&b, "| %s | %s | %s | **%s** | %d | %d | %d | %d | %d | %s |\n", cell(t.Target),
			cell(strings.TrimSpace(t.Product.Name+" "+t.Product.Version)), cell(t.Product.Supplier), strings.ToUpper(string(t.Verdict)),
			c.Critical, c.High, c.Medium, c.Low, c.Info, cell(TopEvidence(t)))
	}
	for _, t := range doc.Targets {
		fmt.Fprintf(&b, "\n## %s\n\n", cell(t.Target))
		for _, e := range t.Errors {
			fmt.Fprintf(&b, "- error: %s\n", cell(e))
		}
		for _, g := range t.Skipped {
			fmt.Fprintf(&b, "- not inspected: `%s`: %s\n", cell(g.Location), cell(g.Reason))
		}
		if more := t.SkippedCount - len(t.Skipped); more > 0 {
			fmt.Fprintf(&b, "- not inspected: %d more parts\n", more)
		}
		if len(t.Skipped) > 0 {
			b.WriteString("\n")
		}
		if len(t.Findings) == 0 {
			if len(t.Errors) == 0 {
				b.WriteString("No findings.\n")
			}
			continue
		}
		b.WriteString("| severity | white label | component | rules | path from the product root | evidence |\n")
		b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
		for _, f := range t.Findings {
			sev := f.Severity
			if f.Suppressed && f.Waiver != nil {
				sev += fmt.Sprintf(" (waived: %s, %s, until %s)", f.Waiver.Reason, f.Waiver.Owner, f.Waiver.Expires)
			}
			wl := ""
			if f.WhiteLabel {
				wl = "yes, offered as " + f.OfferedAs
			}
			var ev []string
			for _, e := range f.Evidence {
				ev = append(ev, fmt.Sprintf("%s `%s` = %q", e.Kind, e.Field, e.Value))
			}
			name := strings.TrimSpace(f.Component.Name + " " + f.Component.Version)
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", cell(sev), cell(wl), cell(name), cell(strings.Join(f.Rules, ", ")),
				cell(pathText(f.Component, " › ")), cell(strings.Join(ev, "<br>")))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell makes text safe inside a Markdown table cell: no pipes, no line
// breaks, control characters removed.
func cell(s string) string {
	s = strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ").Replace(s)
	return clean(s)
}

func (c *SeverityCounts) addName(s string) { c.Add(signature.Severity(s)) }

func countOf(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
