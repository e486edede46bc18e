package generate

import (
	"fmt"
	"strconv"
	"time"

	"github.com/anchore/syft/syft/sbom"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// gapCount is the number of gaps of the generation, listed or not.
func (r *Result) gapCount() int {
	return max(r.Document.GapCount, len(r.Document.Gaps))
}

// syftJSONCarries refuses syft-json when there are deep-inspection
// components or gaps to carry. syft's JSON has no document-level
// properties or annotations, and its artifacts are the packages syft
// catalogued: the gaps could only go into the descriptor's configuration
// (syft's settings) and the files deep inspection read only in as
// invented packages with a metadata type syft does not know, which syft's
// decoder reads with a warning and grype would take for installed
// packages. An SBOM that silently lost them would scan as PASS where the
// input is INCOMPLETE or FAIL, so the caller is told to choose a format
// that carries them.
func syftJSONCarries(files, gaps int) error {
	if files == 0 && gaps == 0 {
		return nil
	}
	return fmt.Errorf("syft-json cannot carry the %d files deep inspection learned about and %d gaps; write cyclonedx-json or spdx-json", files, gaps)
}

// gapValues are the texts that record the gaps of d: one Gap.String()
// ("LOCATION: REASON") per gap listed, and the total when more were
// counted than listed (count is "" then not).
func gapValues(d *model.Document) (listed []string, count string) {
	for _, g := range d.Gaps {
		listed = append(listed, g.String())
	}
	if d.GapCount > len(d.Gaps) {
		count = strconv.Itoa(d.GapCount)
	}
	return listed, count
}

// addCycloneDXGaps records the gaps of d as metadata.properties of the
// BOM: a model.GapProperty per gap listed, and a model.GapCountProperty
// with the total when more were counted than listed. pkg/ingest reads
// them back into the document's gaps.
func addCycloneDXGaps(doc map[string]any, d *model.Document) {
	listed, count := gapValues(d)
	if len(listed) == 0 && count == "" {
		return
	}
	meta, _ := doc["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		doc["metadata"] = meta
	}
	props, _ := meta["properties"].([]any)
	for _, v := range listed {
		props = append(props, map[string]any{"name": model.GapProperty, "value": v})
	}
	if count != "" {
		props = append(props, map[string]any{"name": model.GapCountProperty, "value": count})
	}
	meta["properties"] = props
}

// addSPDXGaps records the gaps of d as annotations of the SPDX document,
// one per gap listed ("pedigree:gap LOCATION: REASON") and one with the
// total ("pedigree:gap-count N") when more were counted than listed, by
// the tool annotator, dated when the document was created.
//
// SPDX 2.3 gives a tool two places for a note about the whole document:
// the creationInfo comment and the document's annotations. Annotations
// are the ones chosen: each gap is an element of its own that names who
// made it, rather than a line in one free-text comment that another tool
// may rewrite; every SPDX 2 serialisation (JSON, YAML, tag-value, RDF)
// has them, so a conversion keeps them; and pedigree's SPDX reader reads
// a document annotation as a document property named after its annotator
// ("annotation:Tool: pedigree"), whose comment pkg/ingest then reads as
// a gap.
func addSPDXGaps(doc map[string]any, d *model.Document, annotator string) {
	listed, count := gapValues(d)
	if len(listed) == 0 && count == "" {
		return
	}
	date := time.Now().UTC().Format(time.RFC3339)
	if ci, ok := doc["creationInfo"].(map[string]any); ok {
		if created, ok := ci["created"].(string); ok && created != "" {
			date = created
		}
	}
	annotation := func(comment string) map[string]any {
		return map[string]any{"annotationDate": date, "annotationType": "OTHER", "annotator": annotator, "comment": comment}
	}
	anns, _ := doc["annotations"].([]any)
	for _, v := range listed {
		anns = append(anns, annotation(model.GapProperty+" "+v))
	}
	if count != "" {
		anns = append(anns, annotation(model.GapCountProperty+" "+count))
	}
	doc["annotations"] = anns
}

// annotator is the SPDX annotator of the tool that generated the SBOM,
// "Tool: pedigree" or "Tool: pedigree-1.2.3" when it has a version.
func annotator(d sbom.Descriptor) string {
	name := d.Name
	if name == "" {
		name = "pedigree"
	}
	if d.Version != "" {
		return "Tool: " + name + "-" + d.Version
	}
	return "Tool: " + name
}
