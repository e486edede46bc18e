package report

import (
	"encoding/json"
	"io"

	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// SchemaVersion is the version of the JSON report contract. Keys may be
// added without changing it; renaming or removing one needs a new version.
const SchemaVersion = "1"

// Document is the JSON report (docs/DESIGN.md, docs/report.schema.json).
// Its types are the contract: they are built from a result.Result and are
// not used anywhere else.
type Document struct {
	SchemaVersion string     `json:"schemaVersion"`
	Tool          Tool       `json:"tool"`
	Signatures    Signatures `json:"signatures"`
	Targets       []Target   `json:"targets"`
	Summary       Summary    `json:"summary"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Signatures says exactly which rules produced the report.
type Signatures struct {
	// Version is the packs' names and versions ("kaspersky@2026.11.1").
	Version string `json:"version"`
	// Digest is "sha256:" and the hash of every pack file.
	Digest string `json:"digest"`
	// Rules is the number of rules in force.
	Rules int `json:"rules"`
}

// Target is the outcome for one input.
type Target struct {
	// Target is the input as given on the command line.
	Target string `json:"target"`
	// Source is how it was read: sbom, dir, file, archive or image.
	Source source.Kind `json:"source"`
	// Format and SpecVersion are the SBOM dialect and its version; empty
	// when the target could not be read.
	Format      string  `json:"format"`
	SpecVersion string  `json:"specVersion"`
	Product     Product `json:"product"`
	// Components is the number of components in the document.
	Components int `json:"components"`
	// Verdict is "pass", "fail", "review" (findings, the gate off),
	// "incomplete" (a part not inspected) or "error" (not evaluated); the
	// CLI exits 2 on the last two.
	Verdict  result.Verdict `json:"verdict"`
	Findings []Finding      `json:"findings"`
	Errors   []string       `json:"errors"`

	// Additions to the contract.

	// Warnings are problems in the input that did not stop evaluation.
	Warnings []string `json:"warnings"`
	// Suppressed counts the findings a waiver suppressed.
	Suppressed int `json:"suppressed"`
	// Complete is true when every part of the target was read and judged.
	// Skipped lists the parts that were not (at most 1000), SkippedCount
	// counts them all.
	Complete     bool      `json:"complete"`
	Skipped      []Skipped `json:"skipped"`
	SkippedCount int       `json:"skippedCount"`
}

// Skipped is a part of a target whose contents were not inspected.
type Skipped struct {
	Location string `json:"location"`
	Reason   string `json:"reason"`
	// Limit is the limit that was hit, if one was.
	Limit string `json:"limit,omitempty"`
}

// Product is what the SBOM describes.
type Product struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Supplier string `json:"supplier"`
}

// Finding is one component attributed to one entity.
type Finding struct {
	// ID is a stable fingerprint of the entity and the component.
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Entity   string `json:"entity"`
	// WhiteLabel is true when the component is offered under another
	// name or maker than the entity its evidence points to.
	WhiteLabel bool       `json:"whiteLabel"`
	Title      string     `json:"title"`
	Component  Component  `json:"component"`
	Evidence   []Evidence `json:"evidence"`

	// Additions to the contract.

	// Rules are the ids of every rule that matched, sorted; Rule is the one
	// that names the finding.
	Rules []string `json:"rules"`
	Rule  string   `json:"rule,omitempty"`
	// Notes explain judgements beyond the rules (a severity lowered for
	// contributed code).
	Notes []string `json:"notes"`
	// Confidence is high, medium or low.
	Confidence string `json:"confidence,omitempty"`
	// OfferedAs is the maker the component is offered under, when the
	// finding rests on identity evidence.
	OfferedAs string `json:"offeredAs,omitempty"`
	// Suppressed is true when a waiver that has not expired covers it.
	Suppressed bool `json:"suppressed"`
	// Gating is true when the finding fails the --fail-on gate.
	Gating bool    `json:"gating"`
	Waiver *Waiver `json:"waiver,omitempty"`
	// WaivedRules are the rules whose evidence waivers took off the
	// finding (its evidence, rules and severity are what is left);
	// present only when there are some.
	WaivedRules []WaivedRule `json:"waivedRules,omitempty"`
}

// WaivedRule is a rule whose evidence a waiver took off a finding.
type WaivedRule struct {
	Rule   string `json:"rule"`
	Waiver Waiver `json:"waiver"`
}

// Component is the component a finding is about.
type Component struct {
	Ref     string `json:"ref"`
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
	// Supplier is the component's supplier, else its manufacturer, else
	// its publisher.
	Supplier string `json:"supplier"`
	// Locations are paths where the component was found in the product.
	Locations []string `json:"locations"`
	// Path names the components from the product root to this one. A
	// long path is shortened (unless full paths are asked for): its first
	// and last steps, with the three keys below.
	Path []string `json:"path"`

	// Additions to the contract, present only when Path is shortened.

	// PathLength is the number of steps of the whole path.
	PathLength int `json:"pathLength,omitempty"`
	// PathElided counts the steps left out of Path; they lie between
	// Path[PathElidedAt-1] and Path[PathElidedAt].
	PathElided   int `json:"pathElided,omitempty"`
	PathElidedAt int `json:"pathElidedAt,omitempty"`
}

// Evidence is one observation that ties a component to a rule.
type Evidence struct {
	Rule     string `json:"rule"`
	Kind     string `json:"kind"`
	Field    string `json:"field"`
	Value    string `json:"value"`
	Location string `json:"location"`
}

// Waiver is the waiver that covers a finding.
type Waiver struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
	// Source is "file:line" of the waiver.
	Source string `json:"source"`
	// Expired is true when the waiver's last day has passed; the finding
	// then counts as if it were not waived.
	Expired bool `json:"expired"`
}

// Summary adds up every target.
type Summary struct {
	Targets int `json:"targets"`
	// Failed counts the targets with the verdict "fail".
	Failed int `json:"failed"`
	// Findings counts the findings no waiver suppressed, by severity.
	Findings SeverityCounts `json:"findings"`

	// Additions to the contract.

	// Errors counts the targets with the verdict "error".
	Errors int `json:"errors"`
	// Incomplete and Review count the targets with those verdicts.
	Incomplete int `json:"incomplete"`
	Review     int `json:"review"`
	// Suppressed counts the findings waivers suppressed.
	Suppressed int          `json:"suppressed"`
	Waivers    WaiverCounts `json:"waivers"`
	// FailOn is the lowest severity that fails the gate, or "none".
	FailOn string `json:"failOn"`
}

// SeverityCounts counts findings by severity; every key is always present.
type SeverityCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// Add counts one finding of severity s.
func (c *SeverityCounts) Add(s signature.Severity) {
	switch s {
	case signature.Critical:
		c.Critical++
	case signature.High:
		c.High++
	case signature.Medium:
		c.Medium++
	case signature.Low:
		c.Low++
	case signature.Info:
		c.Info++
	}
}

// WaiverCounts says what became of the waivers given.
type WaiverCounts struct {
	// Applied waivers suppressed at least one finding.
	Applied int `json:"applied"`
	// Expired waivers are past their last day.
	Expired int `json:"expired"`
	// Unused waivers have not expired and covered nothing.
	Unused int `json:"unused"`
}

// NewDocument builds the JSON report of a scan.
func NewDocument(r *result.Result) Document {
	d := Document{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: toolName(r), Version: r.ToolVersion},
		Targets:       make([]Target, 0, len(r.Targets)),
	}
	if set := r.Signatures; set != nil {
		d.Signatures = Signatures{Version: set.Version(), Digest: set.Digest, Rules: len(set.Rules)}
	}
	s := &d.Summary
	for _, t := range r.Targets {
		jt := newTarget(t, r.FullPaths)
		d.Targets = append(d.Targets, jt)
		s.Targets++
		switch t.Verdict {
		case result.Fail:
			s.Failed++
		case result.Error:
			s.Errors++
		case result.Incomplete:
			s.Incomplete++
		case result.Review:
			s.Review++
		}
		s.Suppressed += jt.Suppressed
		for _, f := range t.Findings {
			if !f.Suppressed {
				s.Findings.Add(f.Severity)
			}
		}
	}
	for _, u := range r.Waivers {
		switch {
		case u.Expired:
			s.Waivers.Expired++
		case u.Used > 0:
			s.Waivers.Applied++
		default:
			s.Waivers.Unused++
		}
	}
	s.FailOn = failOn(r)
	return d
}

func newTarget(t *result.Target, fullPaths bool) Target {
	jt := Target{
		Target:       t.Target,
		Source:       t.Source,
		Verdict:      t.Verdict,
		Findings:     make([]Finding, 0, len(t.Findings)),
		Errors:       orEmpty(t.Errors),
		Warnings:     []string{},
		Complete:     t.Complete(),
		Skipped:      make([]Skipped, 0, len(t.Gaps)),
		SkippedCount: t.GapCount,
	}
	for _, g := range t.Gaps {
		jt.Skipped = append(jt.Skipped, Skipped{Location: g.Location, Reason: g.Reason, Limit: g.Limit})
	}
	doc := t.Document
	if doc != nil {
		jt.Format, jt.SpecVersion = string(doc.Format), doc.SpecVersion
		jt.Components = t.Components
		if jt.Components == 0 { // a Target built by hand, not by scan.Scan
			jt.Components = len(doc.Components)
		}
		jt.Warnings = orEmpty(doc.Warnings)
	}
	jt.Product = productOf(doc)
	names := newNamer(doc, fullPaths)
	for _, f := range t.Findings {
		jt.Findings = append(jt.Findings, newFinding(f, names))
		if f.Suppressed {
			jt.Suppressed++
		}
	}
	return jt
}

func newFinding(f *result.Finding, names namer) Finding {
	jf := Finding{
		ID:         f.ID,
		Severity:   string(f.Severity),
		Entity:     f.Entity,
		WhiteLabel: f.WhiteLabel,
		Title:      f.Title,
		Evidence:   evidenceOf(f.Evidence),
		Rules:      orEmpty(f.Rules),
		Rule:       f.Rule,
		Notes:      orEmpty(f.Notes),
		Confidence: string(f.Confidence),
		OfferedAs:  f.Offered,
		Suppressed: f.Suppressed,
		Gating:     f.Gating,
	}
	jf.Component = Component{Locations: []string{}}
	names.path(&jf.Component, f)
	if c := f.Component; c != nil {
		jf.Component.Ref, jf.Component.Name, jf.Component.Version, jf.Component.PURL = c.Ref, c.Name, c.Version, c.PURL
		jf.Component.Supplier = componentSupplier(c)
		jf.Component.Locations = orEmpty(c.Locations)
	}
	if w := f.Waiver; w != nil {
		jf.Waiver = &Waiver{Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Source: w.Source, Expired: waiverExpired(f)}
	}
	for _, wr := range f.WaivedRules {
		w := wr.Waiver
		jf.WaivedRules = append(jf.WaivedRules, WaivedRule{Rule: wr.Rule, Waiver: Waiver{Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Source: w.Source}})
	}
	return jf
}

// WriteJSON writes the JSON report: two-space indent, a final newline.
func WriteJSON(w io.Writer, r *result.Result) error {
	return writeIndentedJSON(w, NewDocument(r))
}

// writeIndentedJSON encodes v with two-space indentation and without
// HTML escaping, so that "<", ">" and "&" in SBOM values stay readable.
func writeIndentedJSON(w io.Writer, v any) error {
	// The indenter indents as the encoder writes: the bytes SetIndent("",
	// "  ") gives, without an indented copy of the whole report in memory.
	in := newIndenter(w, "  ")
	enc := json.NewEncoder(in)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return in.Flush()
}
