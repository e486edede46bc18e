// Package report writes scan results as table, json, sarif, markdown, csv,
// html and cyclonedx-json.
//
// Each format has its own presentation types, built from a result.Result and
// never shared with the packages that produce it, so that refactoring the
// scanner cannot change a published report by accident:
//
//   - table is the default terminal output: one block per target, one aligned
//     row per finding with its evidence underneath, and a summary line.
//   - json is the report contract of docs/DESIGN.md (schemaVersion "1"),
//     described by docs/report.schema.json. Keys are only ever added.
//   - sarif is SARIF 2.1.0 for code-scanning dashboards such as GitHub's.
//   - markdown and csv are for bid reviews: a summary table and a table
//     per target, or one spreadsheet row per finding.
//   - html is one self-contained page to file or attach (see WriteHTML).
//   - cyclonedx-json is a target's own BOM with its findings added as
//     CycloneDX annotations and properties (see WriteCycloneDX).
//
// Every writer is deterministic: the same Result gives the same bytes. Lists
// are written in the order the scanner produced them (targets in the order
// given, findings already sorted), and nothing is ranged over a map.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
)

// Format names a report format.
type Format string

// The formats, the default first.
const (
	Table     Format = "table"
	JSON      Format = "json"
	SARIF     Format = "sarif"
	Markdown  Format = "markdown"
	CSV       Format = "csv"
	HTML      Format = "html"
	CycloneDX Format = "cyclonedx-json"
)

// AllFormats lists the formats Write knows, the default first.
func AllFormats() []Format {
	return []Format{Table, JSON, SARIF, Markdown, CSV, HTML, CycloneDX}
}

// FormatNames joins the names of all formats with sep, for usage texts and
// errors.
func FormatNames(sep string) string { return enum.Join(AllFormats(), sep) }

// ParseFormat returns the format named s, and false when s names none.
func ParseFormat(s string) (Format, bool) { return enum.Parse(s, AllFormats()) }

// NeedsDocuments reports whether the format writes a target's whole
// document, not only what the findings' paths show: a scan whose report
// has such a format must keep whole documents (scan.Config.KeepDocuments).
func (f Format) NeedsDocuments() bool {
	return f == CycloneDX
}

// Write writes r to w in the given format.
func Write(w io.Writer, format Format, r *result.Result) error {
	if r == nil {
		return fmt.Errorf("write %s report: no scan result", format)
	}
	switch format {
	case Table:
		return WriteTable(w, r)
	case JSON:
		return WriteJSON(w, r)
	case SARIF:
		return WriteSARIF(w, r)
	case Markdown:
		return WriteMarkdown(w, r)
	case CSV:
		return WriteCSV(w, r)
	case HTML:
		return WriteHTML(w, r)
	case CycloneDX:
		if len(r.Targets) != 1 {
			return fmt.Errorf("cyclonedx-json writes one BOM per target, and there are %d: give a directory (-o cyclonedx-json=DIR/)", len(r.Targets))
		}
		return WriteCycloneDX(w, r, r.Targets[0])
	}
	return fmt.Errorf("unknown report format %q (known formats: %s)", format, FormatNames(", "))
}

// ToolName is written when the Result does not name the tool.
const ToolName = "pedigree"

func toolName(r *result.Result) string {
	if r.ToolName != "" {
		return r.ToolName
	}
	return ToolName
}

// failOn is the gate as written in reports: the severity, or "none".
func failOn(r *result.Result) string {
	if r.FailOn == "" {
		return "none"
	}
	return string(r.FailOn)
}

// waiverExpired reports whether the finding's waiver has expired: the
// scanner then attaches it without suppressing the finding.
func waiverExpired(f *result.Finding) bool {
	return f.Waiver != nil && f.WaiverExpired
}

// partyName is the name of a party, or the text it was parsed from.
func partyName(p *model.Party) string {
	if p == nil {
		return ""
	}
	if p.Name != "" {
		return p.Name
	}
	return p.Raw
}

// componentSupplier is who supplies a component: its supplier, else its
// manufacturer, else its publisher.
func componentSupplier(c *model.Component) string {
	if c == nil {
		return ""
	}
	if s := partyName(c.Supplier); s != "" {
		return s
	}
	if s := partyName(c.Manufacturer); s != "" {
		return s
	}
	return c.Publisher
}

// productOf describes the product a document is about: its first root
// component, with the document's own supplier or manufacturer when the
// component names none, and the document name when there is no root.
func productOf(doc *model.Document) Product {
	var p Product
	if doc == nil {
		return p
	}
	var root *model.Component
	if len(doc.Roots) > 0 {
		root = doc.Component(doc.Roots[0])
	}
	if root != nil {
		p.Name, p.Version, p.Supplier = root.Name, root.Version, partyName(root.Supplier)
	}
	if p.Name == "" {
		p.Name = doc.Name
	}
	if p.Supplier == "" {
		p.Supplier = partyName(doc.Supplier)
	}
	if p.Supplier == "" {
		p.Supplier = partyName(doc.Manufacturer)
	}
	return p
}

// namer turns the refs of a document into names a person can read.
type namer struct {
	names map[string]string
	// full keeps every step of a path; otherwise a long one is shortened.
	full bool
}

func newNamer(doc *model.Document, full bool) namer {
	n := namer{names: map[string]string{}, full: full}
	if doc == nil {
		return n
	}
	// Files first, so that a component with the same ref wins.
	for _, f := range doc.Files {
		if f.Name != "" {
			n.names[f.Ref] = f.Name
		}
	}
	for _, c := range doc.Components {
		if c.Name != "" {
			n.names[c.Ref] = c.Name
		}
	}
	return n
}

// path sets c.Path to the names of the refs from the product root to the
// finding's component, falling back to the ref where the document gives no
// name. A path of more than model.PathHead+model.PathTail+1 steps is
// shortened, unless full paths were asked for: c.Path then holds its first
// and last steps, and PathLength, PathElided and PathElidedAt say what was
// left out and where. Shortening keeps the report's size in proportion to
// the number of findings, whatever the depth of the graph.
func (n namer) path(c *Component, f *result.Finding) {
	refs, elided := f.Path, 0
	if !n.full {
		refs, elided = model.ShortPath(f.Path, model.PathHead, model.PathTail)
	}
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		name := n.names[ref]
		if name == "" && f.Component != nil && f.Component.Ref == ref {
			name = f.Component.Name
		}
		if name == "" {
			name = ref
		}
		out = append(out, name)
	}
	c.Path = out
	if elided > 0 {
		c.PathLength, c.PathElided, c.PathElidedAt = len(f.Path), elided, model.PathHead
	}
}

// pathSteps is a component's path as shown step by step: a shortened path
// gets one step in place of those left out, "… 9,992 more …".
func pathSteps(c Component) []string {
	if !elided(c) {
		return c.Path
	}
	out := make([]string, 0, len(c.Path)+1)
	out = append(out, c.Path[:c.PathElidedAt]...)
	out = append(out, model.Elided(c.PathElided))
	return append(out, c.Path[c.PathElidedAt:]...)
}

// pathText is a component's path on one line, its steps joined by sep.
func pathText(c Component, sep string) string {
	return strings.Join(pathSteps(c), sep)
}

// pathGap reports whether step i of pathSteps(c) stands for the steps a
// shortened path leaves out.
func pathGap(c Component, i int) bool {
	return elided(c) && i == c.PathElidedAt
}

// elided reports whether c's path is shortened (and says where sensibly).
func elided(c Component) bool {
	return c.PathElided > 0 && c.PathElidedAt >= 0 && c.PathElidedAt <= len(c.Path)
}

// titleRule is the rule that names the finding, or the first of its rules
// when a hand-built finding does not say.
func titleRule(f *result.Finding) string {
	if f.Rule != "" {
		return f.Rule
	}
	if len(f.Rules) > 0 {
		return f.Rules[0]
	}
	return ""
}

// evidenceOf copies match evidence into report evidence.
func evidenceOf(ev []match.Evidence) []Evidence {
	out := make([]Evidence, 0, len(ev))
	for _, e := range ev {
		out = append(out, Evidence{Rule: e.Rule, Kind: string(e.Kind), Field: e.Field, Value: e.Value, Location: e.Location})
	}
	return out
}

// orEmpty returns a copy of s that is never nil, so JSON shows [].
func orEmpty(s []string) []string {
	return append([]string{}, s...)
}
