package ingest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// cdxWithProps is a CycloneDX JSON BOM whose metadata has the given
// properties, each a name and a value.
func cdxWithProps(props ...string) string {
	var ps []string
	for i := 0; i+1 < len(props); i += 2 {
		ps = append(ps, fmt.Sprintf(`{"name":%q,"value":%q}`, props[i], props[i+1]))
	}
	return `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"properties":[` + strings.Join(ps, ",") + `]}}`
}

// spdxWithAnnotations is an SPDX 2.3 JSON document with the given
// document annotations' comments, by a pedigree tool annotator.
func spdxWithAnnotations(comments ...string) string {
	var as []string
	for _, c := range comments {
		as = append(as, fmt.Sprintf(`{"annotationDate":"2026-01-02T03:04:05Z","annotationType":"OTHER","annotator":"Tool: pedigree-1.0","comment":%q}`, c))
	}
	return `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"p",
"documentNamespace":"https://example.com/p","creationInfo":{"created":"2026-01-02T03:04:05Z","creators":["Tool: pedigree-1.0"]},
"annotations":[` + strings.Join(as, ",") + `]}`
}

const (
	upxGap   = "bin/nwpack: UPX-packed executable: its packed code is not unpacked (no reader for it yet); its headers, resources and other bytes are read"
	depthGap = "a.zip!b.zip: zip archive nested deeper than 2 levels (limit archive-depth), not opened"
)

// TestReadGaps: the gaps an SBOM records of its generation, in every
// dialect that has document properties or annotations, become the
// document's gaps; the count declared is honoured; what cannot be read
// is a gap too; look-alikes are not gaps.
func TestReadGaps(t *testing.T) {
	upx := model.Gap{Location: "bin/nwpack", Reason: "UPX-packed executable: its packed code is not unpacked (no reader for it yet); its headers, resources and other bytes are read"}
	depth := model.Gap{Location: "a.zip!b.zip", Reason: "zip archive nested deeper than 2 levels (limit archive-depth), not opened", Limit: "archive-depth"}
	for _, tc := range []struct {
		name  string
		input string
		gaps  []model.Gap
		count int
	}{
		{name: "cyclonedx-json", input: cdxWithProps("syft:x", "y", model.GapProperty, upxGap, model.GapProperty, depthGap),
			gaps: []model.Gap{upx, depth}, count: 2},
		{name: "cyclonedx-json counted", input: cdxWithProps(model.GapProperty, upxGap, model.GapCountProperty, "1500"),
			gaps: []model.Gap{upx}, count: 1500},
		{name: "count below the gaps listed", input: cdxWithProps(model.GapProperty, upxGap, model.GapProperty, depthGap, model.GapCountProperty, "1"),
			gaps: []model.Gap{upx, depth}, count: 2},
		{name: "count alone", input: cdxWithProps(model.GapCountProperty, " 3 "), count: 3},
		{name: "count of zero", input: cdxWithProps(model.GapCountProperty, "0")},
		{name: "unreadable count", input: cdxWithProps(model.GapCountProperty, "many"),
			gaps: []model.Gap{{Location: "sbom.json", Reason: `pedigree:gap-count property with an unreadable count "many"`}}, count: 1},
		{name: "negative count", input: cdxWithProps(model.GapCountProperty, "-4"),
			gaps: []model.Gap{{Location: "sbom.json", Reason: `pedigree:gap-count property with an unreadable count "-4"`}}, count: 1},
		{name: "empty value", input: cdxWithProps(model.GapProperty, "  "),
			gaps: []model.Gap{{Location: "sbom.json", Reason: "pedigree:gap property with no location"}}, count: 1},
		{name: "no reason", input: cdxWithProps(model.GapProperty, "dist/app.bin:"),
			gaps: []model.Gap{{Location: "dist/app.bin", Reason: "not inspected (the SBOM gives no reason)"}}, count: 1},
		{name: "name spelt otherwise", input: cdxWithProps(" Pedigree:Gap ", upxGap), gaps: []model.Gap{upx}, count: 1},
		{name: "look-alikes", input: cdxWithProps("pedigree:gaps", upxGap, "pedigree:gap-counter", "4", "x", "pedigree:gap "+upxGap)},
		{name: "limit not one of pedigree's", input: cdxWithProps(model.GapProperty, "x: too big (limit elephants)"),
			gaps: []model.Gap{{Location: "x", Reason: "too big (limit elephants)"}}, count: 1},
		{name: "cyclonedx-xml", input: `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><metadata><properties>` +
			`<property name="pedigree:gap">` + depthGap + `</property></properties></metadata></bom>`,
			gaps: []model.Gap{depth}, count: 1},
		{name: "spdx-json", input: spdxWithAnnotations("written by hand", model.GapProperty+" "+upxGap, model.GapProperty+" "+depthGap),
			gaps: []model.Gap{upx, depth}, count: 2},
		{name: "spdx-json counted", input: spdxWithAnnotations(model.GapProperty+" "+upxGap, model.GapCountProperty+" 1001"),
			gaps: []model.Gap{upx}, count: 1001},
		{name: "spdx-json empty", input: spdxWithAnnotations(model.GapProperty),
			gaps: []model.Gap{{Location: "sbom.json", Reason: "pedigree:gap property with no location"}}, count: 1},
		{name: "spdx-json look-alike", input: spdxWithAnnotations("pedigree:gaps are none", "pedigree:gap-counted")},
		{name: "spdx tag-value", input: "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: p\n" +
			"DocumentNamespace: https://example.com/p\nCreator: Tool: pedigree\nCreated: 2026-01-02T03:04:05Z\n\n" +
			"Annotator: Tool: pedigree\nAnnotationDate: 2026-01-02T03:04:05Z\nAnnotationType: OTHER\nSPDXREF: SPDXRef-DOCUMENT\n" +
			"AnnotationComment: <text>" + model.GapProperty + " " + depthGap + "\n</text>\n",
			gaps: []model.Gap{depth}, count: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode("sbom.json", strings.NewReader(tc.input), DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(doc.Gaps, tc.gaps) || doc.GapCount != tc.count {
				t.Errorf("gaps %+v (%d), want %+v (%d)", doc.Gaps, doc.GapCount, tc.gaps, tc.count)
			}
		})
	}
}

// TestReadGapsAddsToTheDecoders: gaps the decoder found stay first, and
// the recorded ones are counted on top of them.
func TestReadGapsAddsToTheDecoders(t *testing.T) {
	own := model.Gap{Location: "metadata", Reason: "not read to its end"}
	doc := &model.Document{Source: "s.json", Gaps: []model.Gap{own}, GapCount: 1,
		Properties: []model.Property{{Name: model.GapProperty, Value: "x: y"}, {Name: model.GapCountProperty, Value: "10"}}}
	readGaps(doc)
	if want := []model.Gap{own, {Location: "x", Reason: "y"}}; !slices.Equal(doc.Gaps, want) || doc.GapCount != 11 {
		t.Errorf("gaps %+v (%d), want %+v (11)", doc.Gaps, doc.GapCount, want)
	}
}

// TestReadGapsBounded: a million gap properties list maxGaps and count
// the rest; a huge declared count does not overflow; a long value is
// clipped.
func TestReadGapsBounded(t *testing.T) {
	const n = 1_000_000
	props := make([]model.Property, n, n+1)
	for i := range props {
		props[i] = model.Property{Name: model.GapProperty, Value: "x: y"}
	}
	doc := &model.Document{Source: "s.json", Properties: props}
	allocs := testing.AllocsPerRun(1, func() {
		doc.Gaps, doc.GapCount = nil, 0
		readGaps(doc)
	})
	if len(doc.Gaps) != maxGaps || doc.GapCount != n {
		t.Errorf("%d listed, %d counted; want %d, %d", len(doc.Gaps), doc.GapCount, maxGaps, n)
	}
	if allocs > 100 {
		t.Errorf("%v allocations for a million gap properties", allocs)
	}

	doc = &model.Document{Properties: []model.Property{{Name: model.GapCountProperty, Value: "9223372036854775807"}}, GapCount: 5}
	readGaps(doc)
	if doc.GapCount != 5+maxGapCount {
		t.Errorf("declared the largest int: counted %d", doc.GapCount)
	}

	long := strings.Repeat("é", 3*maxGapText)
	doc = &model.Document{Properties: []model.Property{{Name: model.GapProperty, Value: long + ": " + long}}}
	readGaps(doc)
	if g := doc.Gaps[0]; len([]rune(g.Location)) != maxGapText+1 || len([]rune(g.Reason)) != maxGapText+1 {
		t.Errorf("a long gap kept %d and %d characters", len([]rune(g.Location)), len([]rune(g.Reason)))
	}
}
