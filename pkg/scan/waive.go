package scan

import (
	"slices"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// applyWaivers applies to the finding the waivers that cover it, in file
// order, skipping expired ones.
//
// A waiver that names a rule and no finding (waiver.WaivesRule) takes that
// rule's evidence off the finding and records it in WaivedRules; the
// engine judges what is left as it would have judged it alone (severity,
// title, rules, white label), and later waivers see the finding so
// reduced. Only when no evidence is left is the finding suppressed, by the
// waiver that took the last of it. Any other waiver suppresses the whole
// finding. A suppressed finding keeps the evidence it was matched with, so
// the report shows what was accepted. The ID never changes.
//
// A finding that is not suppressed gets the first expired waiver that
// covered it, marked expired, so the report can say it no longer applies.
// Used counts, for each waiver, the findings it suppressed or took a
// rule's evidence off (or, when expired, would have).
func applyWaivers(eng *match.Engine, doc *model.Document, f *result.Finding, target string, uses []result.WaiverUse) {
	matched := f.Finding
	var expired *result.WaiverUse
	for i := range uses {
		u := &uses[i]
		s := waiver.Subject{Finding: f.ID, Rules: f.Rules, PURL: f.Component.PURL, Name: f.Component.Name,
			Version: f.Component.Version, Target: target}
		if !u.Waiver.Covers(s) {
			continue
		}
		if u.Expired {
			if expired == nil {
				expired = u
			}
			continue
		}
		u.Used++
		w := u.Waiver
		if w.WaivesRule() {
			f.WaivedRules = append(f.WaivedRules, result.WaivedRule{Rule: w.Rule, Waiver: &w})
			if rest, ok := eng.Without(doc, f.Finding, w.Rule); ok {
				f.Finding = rest
				continue
			}
		}
		f.Finding = matched
		f.Waiver, f.Suppressed = &w, true
		return
	}
	if expired != nil {
		expired.Used++
		w := expired.Waiver
		f.Waiver, f.WaiverExpired = &w, true
	}
}

// sortFindings puts a target's findings back in the engine's order once
// waivers have changed their severities: most severe first.
func sortFindings(fs []*result.Finding) {
	slices.SortStableFunc(fs, func(a, b *result.Finding) int { return match.Compare(a.Finding, b.Finding) })
}
