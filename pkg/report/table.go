package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/result"
)

// maxValue bounds an evidence value in the table; the JSON and SARIF
// reports carry it whole.
const maxValue = 100

// maxSkippedLines bounds the parts not inspected that the table lists; the
// JSON report lists up to 1000.
const maxSkippedLines = 20

// WriteTable writes the terminal report: for each target a header line,
// its errors and warnings, and its findings as aligned rows with the
// finding's title, waiver and evidence underneath; then a summary line.
// It uses no colour, so it reads the same in a terminal, a CI log or a file.
func WriteTable(w io.Writer, r *result.Result) error {
	d := NewDocument(r)
	var b bytes.Buffer
	for i, t := range d.Targets {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeTargetTable(&b, t)
	}
	if len(d.Targets) > 0 {
		b.WriteByte('\n')
	}
	if len(d.Targets) > 1 {
		writeSummaryTable(&b, d.Targets)
		b.WriteByte('\n')
	}
	b.WriteString(summaryLine(d.Summary))
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

func writeTargetTable(b *bytes.Buffer, t Target) {
	// --- Header: what was read, what it describes, the verdict ---
	head := []string{clean(t.Target)}
	if t.Format != "" {
		head = append(head, clean(strings.TrimSpace(t.Format+" "+t.SpecVersion)))
	}
	if p := productLabel(t.Product); p != "" {
		head = append(head, p)
	}
	if t.Verdict != result.Error {
		head = append(head, plural(t.Components, "component"))
	}
	head = append(head, strings.ToUpper(string(t.Verdict)))
	b.WriteString(strings.Join(head, "  "))
	b.WriteByte('\n')

	for _, e := range t.Errors {
		fmt.Fprintf(b, "  error: %s\n", clean(e))
	}
	gaps := map[string]bool{}
	for i, g := range t.Skipped {
		gaps[g.Location+": "+g.Reason] = true
		if i < maxSkippedLines {
			fmt.Fprintf(b, "  not inspected: %s: %s\n", clean(g.Location), clean(g.Reason))
		}
	}
	if more := t.SkippedCount - min(len(t.Skipped), maxSkippedLines); more > 0 {
		fmt.Fprintf(b, "  not inspected: %s more (see -o json)\n", plural(more, "part"))
	}
	if t.Verdict == result.Incomplete {
		b.WriteString("  incomplete: what was not inspected may hide anything; --allow-incomplete accepts it\n")
	}
	for _, e := range t.Warnings {
		if !gaps[e] {
			fmt.Fprintf(b, "  warning: %s\n", clean(e))
		}
	}
	if len(t.Findings) == 0 {
		if t.Verdict != result.Error {
			b.WriteString("  no findings\n")
		}
		return
	}

	// --- Findings: rows aligned by one tabwriter, details by another ---
	// The two are rendered apart and then interleaved line by line, so
	// that the detail lines under a row do not break the alignment of the
	// rows (a tabwriter aligns only runs of adjacent lines).
	var rows, ev bytes.Buffer
	rw := tabwriter.NewWriter(&rows, 0, 0, 2, ' ', 0)
	fmt.Fprintln(rw, "  SEVERITY\tLABEL\tCOMPONENT\tENTITY\tRULES\tPATH")
	ew := tabwriter.NewWriter(&ev, 0, 0, 2, ' ', 0)
	evCount := make([]int, len(t.Findings))
	for i, f := range t.Findings {
		label := "-"
		if f.WhiteLabel {
			label = "white-label"
		}
		comp := f.Component.Name
		if f.Component.Version != "" {
			comp += "@" + f.Component.Version
		}
		fmt.Fprintf(rw, "  %s\t%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(f.Severity), label, clean(comp),
			clean(f.Entity), clean(strings.Join(f.Rules, ",")), clean(pathText(f.Component, " > ")))
		for _, e := range f.Evidence {
			line := fmt.Sprintf("      %s\t%s = %s  [%s]", clean(e.Kind), clean(e.Field), quote(e.Value), clean(e.Rule))
			if e.Location != "" {
				line += " in " + clean(e.Location)
			}
			fmt.Fprintln(ew, line)
		}
		evCount[i] = len(f.Evidence)
	}
	rw.Flush()
	ew.Flush()
	rowLines := lines(rows.String())
	evLines := lines(ev.String())

	b.WriteString(rowLines[0]) // the column heads
	for i, f := range t.Findings {
		b.WriteString(rowLines[i+1])
		title := "    " + clean(f.Title)
		if f.WhiteLabel && f.OfferedAs != "" {
			title += " (offered as " + clean(f.OfferedAs) + ")"
		}
		b.WriteString(title + "\n")
		for _, n := range f.Notes {
			b.WriteString("    note: " + clean(n) + "\n")
		}
		if w := f.Waiver; w != nil {
			if w.Expired {
				fmt.Fprintf(b, "    (waiver expired: %s, %s, last day %s; not applied)\n",
					clean(w.Reason), clean(w.Owner), clean(w.Expires))
			} else {
				fmt.Fprintf(b, "    (waived: %s, %s, until %s)\n", clean(w.Reason), clean(w.Owner), clean(w.Expires))
			}
		}
		for _, wr := range f.WaivedRules {
			fmt.Fprintf(b, "    (rule %s waived: %s, %s, until %s)\n", clean(wr.Rule), clean(wr.Waiver.Reason), clean(wr.Waiver.Owner), clean(wr.Waiver.Expires))
		}
		for _, l := range evLines[:evCount[i]] {
			b.WriteString(l)
		}
		evLines = evLines[evCount[i]:]
	}
}

// writeSummaryTable writes one row per target, for batch reviews: what it
// is, its verdict, its unwaived findings by severity, and the evidence
// that weighs most.
func writeSummaryTable(b *bytes.Buffer, targets []Target) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tPRODUCT\tSUPPLIER\tVERDICT\tCRIT\tHIGH\tMED\tLOW\tINFO\tTOP EVIDENCE")
	for _, t := range targets {
		c := unwaivedCounts(t)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", clean(t.Target),
			orDash(clean(strings.TrimSpace(t.Product.Name+" "+t.Product.Version))), orDash(clean(t.Product.Supplier)),
			strings.ToUpper(string(t.Verdict)), c.Critical, c.High, c.Medium, c.Low, c.Info, orDash(clean(TopEvidence(t))))
	}
	tw.Flush()
}

// unwaivedCounts counts a target's findings that no waiver suppresses.
func unwaivedCounts(t Target) SeverityCounts {
	var c SeverityCounts
	for _, f := range t.Findings {
		if !f.Suppressed {
			c.addName(f.Severity)
		}
	}
	return c
}

// TopEvidence is the one line that best says why a target got its
// verdict: its first error, or the most severe unwaived finding (findings
// come sorted by severity) as "SEVERITY title [rules]", or "".
func TopEvidence(t Target) string {
	if len(t.Errors) > 0 {
		return truncate("error: "+t.Errors[0], maxValue)
	}
	for _, f := range t.Findings {
		if f.Suppressed {
			continue
		}
		s := strings.ToUpper(f.Severity) + " " + f.Title
		if f.WhiteLabel && f.OfferedAs != "" {
			s += " (offered as " + f.OfferedAs + ")"
		}
		return truncate(s, maxValue) + " [" + strings.Join(f.Rules, ",") + "]"
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// truncate shortens s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// productLabel is "name version (supplier)", or "" when nothing is known.
func productLabel(p Product) string {
	s := strings.TrimSpace(p.Name + " " + p.Version)
	if p.Supplier != "" {
		if s == "" {
			s = "product"
		}
		s += " (" + p.Supplier + ")"
	}
	return clean(s)
}

func summaryLine(s Summary) string {
	f := s.Findings
	line := fmt.Sprintf("%s: %d failed, %s; findings: %d critical, %d high, %d medium, %d low, %d info (%d waived)",
		plural(s.Targets, "target"), s.Failed, plural(s.Errors, "error"), f.Critical, f.High, f.Medium, f.Low, f.Info, s.Suppressed)
	if s.Waivers.Expired > 0 || s.Waivers.Unused > 0 {
		line += fmt.Sprintf("; waivers: %d expired, %d unused", s.Waivers.Expired, s.Waivers.Unused)
	}
	if s.Incomplete > 0 {
		line += fmt.Sprintf("; %d incomplete", s.Incomplete)
	}
	if s.Review > 0 {
		line += fmt.Sprintf("; %d to review", s.Review)
	}
	return line + "; gate: --fail-on " + s.FailOn
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// lines splits text after each newline, keeping the newlines.
func lines(s string) []string {
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// clean makes a value safe for one table cell: control characters (tabs,
// newlines, escape sequences an SBOM could smuggle into a terminal) become
// spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// quote quotes an evidence value, shortened to maxValue characters.
// strconv.Quote escapes control characters and keeps printable Unicode
// (a Cyrillic maker name stays readable).
func quote(s string) string {
	if r := []rune(s); len(r) > maxValue {
		s = string(r[:maxValue-3]) + "..."
	}
	return strconv.Quote(s)
}
