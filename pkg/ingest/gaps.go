package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// maxGaps bounds the gaps listed from one SBOM's gap properties, as
// walk.MaxGaps bounds those of a walk; the rest are only counted, in
// GapCount.
const maxGaps = 1000

// maxGapText bounds the characters kept of one gap's location and of its
// reason; longer text is clipped.
const maxGapText = 4096

// maxGapCount bounds a declared gap count, so that adding it cannot
// overflow.
const maxGapCount = math.MaxInt32

// annotationPrefix starts the name of a document property that was an
// annotation (SPDX, CycloneDX): "annotation:Tool: pedigree".
const annotationPrefix = "annotation:"

// readGaps adds to doc the gaps the SBOM records of its own generation
// (model.GapProperty, model.GapCountProperty), so that a document read
// from an SBOM pedigree generated is as incomplete as the one it was
// written from. It reads the document properties every decoder fills: a
// CycloneDX metadata property, or any annotation of the document (SPDX 2
// and 3, CycloneDX) whose text is the name, then a space and the value.
// Any annotator is believed: a gap can only keep a scan from passing.
//
// At most maxGaps are listed, counting those the decoder found; the rest
// are counted. GapCount is the decoder's count plus the larger of the
// gaps recorded and the count declared. A gap property with no value, or
// a count that is not a number, is a gap itself, at the SBOM's name.
func readGaps(doc *model.Document) {
	c := gapCollector{doc: doc, base: max(doc.GapCount, len(doc.Gaps))}
	for _, p := range doc.Properties {
		name, value, ok := gapProperty(p)
		if !ok {
			continue
		}
		if name == model.GapProperty {
			c.add(func() model.Gap { return parseGap(doc.Source, value) })
			continue
		}
		if n, err := strconv.Atoi(value); err == nil && n >= 0 {
			c.declared = max(c.declared, min(n, maxGapCount))
			continue
		}
		c.add(func() model.Gap {
			return model.Gap{Location: doc.Source, Reason: fmt.Sprintf("%s property with an unreadable count %q", model.GapCountProperty, msgtext.Clip(value, 64))}
		})
	}
	c.finish()
}

// gapCollector adds the recorded gaps of one document, listing at most
// maxGaps and counting all.
type gapCollector struct {
	doc      *model.Document
	base     int // the gaps the decoder counted
	found    int // the gaps recorded, listed or not
	declared int // the largest count declared
}

// add counts a recorded gap and lists it, built only when there is room.
func (c *gapCollector) add(gap func() model.Gap) {
	c.found++
	if len(c.doc.Gaps) < maxGaps {
		c.doc.Gaps = append(c.doc.Gaps, gap())
	}
}

// finish sets the document's count: the decoder's, plus the larger of
// the gaps recorded and the count declared.
func (c *gapCollector) finish() {
	if c.found > 0 || c.declared > 0 {
		c.doc.GapCount = c.base + max(c.found, c.declared)
	}
}

// gapProperty says whether p records a gap or a gap count, and gives
// which (model.GapProperty or model.GapCountProperty) and its value,
// trimmed: a property of that name, or an annotation whose text is the
// name, a space and the value (or the name alone).
func gapProperty(p model.Property) (name, value string, ok bool) {
	switch n := strings.TrimSpace(p.Name); {
	case strings.EqualFold(n, model.GapProperty):
		return model.GapProperty, strings.TrimSpace(p.Value), true
	case strings.EqualFold(n, model.GapCountProperty):
		return model.GapCountProperty, strings.TrimSpace(p.Value), true
	case !strings.HasPrefix(n, annotationPrefix):
		return "", "", false
	}
	text := strings.TrimSpace(p.Value)
	for _, name := range [...]string{model.GapCountProperty, model.GapProperty} {
		if len(text) < len(name) || !strings.EqualFold(text[:len(name)], name) {
			continue
		}
		rest := text[len(name):]
		if rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r' {
			return name, strings.TrimSpace(rest), true
		}
	}
	return "", "", false
}

// parseGap reads one recorded gap, "LOCATION: REASON" (Gap.String):
// the location is what comes before the first ": ", so that the gap
// prints as it was written even when its location holds one. A value
// with no reason is a gap at that location; an empty one a gap at the
// SBOM itself (src).
func parseGap(src, value string) model.Gap {
	if value == "" {
		return model.Gap{Location: src, Reason: model.GapProperty + " property with no location"}
	}
	loc, reason, ok := strings.Cut(value, ": ")
	if !ok || strings.TrimSpace(reason) == "" {
		loc, reason = strings.TrimSuffix(value, ":"), "not inspected (the SBOM gives no reason)"
	}
	g := model.Gap{Location: msgtext.Clip(loc, maxGapText), Reason: msgtext.Clip(reason, maxGapText)}
	g.Limit = limitNamed(g.Reason)
	return g
}

// limitNamed is the limit a gap's reason names, "(limit archive-depth)",
// when it is one of pkg/limits', or "".
func limitNamed(reason string) string {
	_, after, ok := strings.Cut(reason, "(limit ")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(after, ")")
	if !ok {
		return ""
	}
	if _, ok := limits.Lookup(name); !ok {
		return ""
	}
	return name
}
