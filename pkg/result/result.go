// Package result holds what a scan found: the verdict of each target, its
// findings with their waivers, and what of it was not inspected. Scan
// produces these types and the report writers print them; neither side
// needs to know how the other works, and none of this package depends on
// how a target was read or generated.
package result

import (
	"errors"
	"fmt"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// Verdict is the outcome for a target, and for a whole scan.
type Verdict string

// Verdicts of a target. Only Pass exits 0 without findings; Review exits 0
// with findings when the gate is off; Fail exits 1; Incomplete and Error
// exit 2 (see Result.Err). When several could apply, the first of Error,
// Fail, Incomplete, Review, Pass is the verdict: a finding that fails the
// gate is certain whatever was not read, and a part not read outweighs
// findings that do not gate.
const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	// Review: the gate is off (--fail-on none) and there are findings to
	// look at. Never shown as a pass.
	Review Verdict = "review"
	// Incomplete: a part of the target was not inspected (a limit, an
	// unreadable or unsupported nested part), so no pass can be given.
	Incomplete Verdict = "incomplete"
	Error      Verdict = "error"
)

// AllVerdicts lists every verdict, in the order that decides a target's
// verdict when several could apply (see the constants).
func AllVerdicts() []Verdict {
	return []Verdict{Error, Fail, Incomplete, Review, Pass}
}

// ParseVerdict returns the verdict named s, and false when s names none.
func ParseVerdict(s string) (Verdict, bool) { return enum.Parse(s, AllVerdicts()) }

// Result is a whole scan.
type Result struct {
	ToolName, ToolVersion string
	Signatures            *signature.Set
	FailOn                signature.Severity
	Targets               []*Target
	// Waivers are all waivers given, for the report's accounting.
	Waivers []WaiverUse
	// Time is when the scan ran (scan.Config.Now).
	Time time.Time
	// FullPaths asks reports for every step of each finding's path from
	// the product root; by default a long path is shown shortened (see
	// model.ShortPath). Scan leaves it false; the caller sets it.
	FullPaths bool
}

// WaiverUse says what became of one waiver in this scan.
type WaiverUse struct {
	Waiver  waiver.Waiver
	Expired bool
	// Used counts the findings it suppressed (or, when expired, would have).
	Used int
}

// Target is the outcome for one input.
type Target struct {
	Target string
	// Source is how the target was read: "sbom", "dir", "file",
	// "archive" or "image".
	Source   source.Kind
	Document *model.Document
	// Components is the number of components the document had, before it
	// was trimmed.
	Components int
	Verdict    Verdict
	Findings   []*Finding
	Errors     []string
	// Gaps are the parts of the target whose contents were not inspected;
	// GapCount counts them all, listed or not (see Complete).
	Gaps     []model.Gap
	GapCount int
}

// Complete reports whether every byte of the target was read and judged:
// it was evaluated, and nothing of it was left uninspected.
func (t *Target) Complete() bool {
	return t.Verdict != Error && t.GapCount == 0 && len(t.Gaps) == 0
}

// Finding is a match.Finding with its waiver, if one applies.
type Finding struct {
	match.Finding
	// Waiver is the waiver that covers the finding. When it has expired,
	// Suppressed is false and the finding counts as if unwaived.
	Waiver        *waiver.Waiver
	Suppressed    bool
	WaiverExpired bool
	// WaivedRules are the rules whose evidence waivers took off the
	// finding, in the order applied (see applyWaivers).
	WaivedRules []WaivedRule
	// Gating is true when the finding is unsuppressed and at or above FailOn.
	Gating bool
}

// ErrNotEvaluated means at least one target could not be read, or not
// whole; the Result still holds every target that could.
var ErrNotEvaluated = errors.New("not every target could be evaluated")

// Err returns ErrNotEvaluated (wrapped with the first reason) if a target
// has the verdict "error" or "incomplete".
func (r *Result) Err() error {
	for _, t := range r.Targets {
		switch t.Verdict {
		case Error:
			return fmt.Errorf("%w: %s", ErrNotEvaluated, t.Errors[0])
		case Incomplete:
			return fmt.Errorf("%w: %s", ErrNotEvaluated, t.IncompleteReason())
		}
	}
	return nil
}

// IncompleteReason says on one line what of the target was not inspected:
// "fw.zip: 2 parts not inspected, first fw.zip!a.zip: zip archive nested
// deeper than 6 levels (limit archive-depth), not opened". It is "" for a
// complete target.
func (t *Target) IncompleteReason() string {
	if t.GapCount == 0 {
		return ""
	}
	parts := "1 part"
	if t.GapCount > 1 {
		parts = fmt.Sprintf("%d parts", t.GapCount)
	}
	first := "not listed"
	if len(t.Gaps) > 0 {
		first = t.Gaps[0].String()
	}
	return fmt.Sprintf("%s: %s not inspected, first %s", t.Target, parts, first)
}

// Verdict is the verdict of the whole scan, as the exit code gives it:
// error when a target could not be evaluated, else incomplete when one was
// not read whole, else fail when one failed the gate, else review when one
// has findings to review with the gate off, else pass.
func (r *Result) Verdict() Verdict {
	has := map[Verdict]bool{}
	for _, t := range r.Targets {
		has[t.Verdict] = true
	}
	for _, v := range []Verdict{Error, Incomplete, Fail, Review} {
		if has[v] {
			return v
		}
	}
	return Pass
}

// Failed reports whether any target failed the gate.
func (r *Result) Failed() bool {
	for _, t := range r.Targets {
		if t.Verdict == Fail {
			return true
		}
	}
	return false
}

// WaivedRule is a rule whose evidence a waiver took off a finding.
type WaivedRule struct {
	Rule   string
	Waiver *waiver.Waiver
}
