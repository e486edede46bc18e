package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// WriteCycloneDX writes the BOM of one target with its findings, so that
// downstream tools keep the result with the SBOM (writeAnnotated):
// a CycloneDX input is written back as it was read, with every finding as
// an annotation on its component and a "pedigree:finding" property; an
// SPDX or syft input, or a generated SBOM, is first turned into CycloneDX.
// The metadata carries "pedigree:verdict" and "pedigree:signatures". The
// scan should keep whole documents (scan.Config.KeepDocuments).
func WriteCycloneDX(w io.Writer, r *result.Result, t *result.Target) error {
	if t.Verdict == result.Error || t.Document == nil {
		return fmt.Errorf("%s: not evaluated, no BOM to write", t.Target)
	}
	jt := newTarget(t, r.FullPaths)
	a := bomAnnotation{Tool: toolName(r), ToolVersion: r.ToolVersion, Time: r.Time, Verdict: string(t.Verdict)}
	if set := r.Signatures; set != nil {
		a.Signatures = set.Version() + " " + set.Digest
	}
	for i, f := range t.Findings {
		text := fmt.Sprintf("%s: %s finding %s (%s)", toolName(r), strings.ToUpper(string(f.Severity)), f.ID, strings.Join(f.Rules, ", "))
		text += ": " + jt.Findings[i].Title
		if f.WhiteLabel && jt.Findings[i].OfferedAs != "" {
			text += "; white label, offered as " + jt.Findings[i].OfferedAs
		}
		for _, e := range jt.Findings[i].Evidence {
			text += fmt.Sprintf("; %s %s = %q [%s]", e.Kind, e.Field, e.Value, e.Rule)
		}
		if f.Suppressed && f.Waiver != nil {
			text += fmt.Sprintf("; waived: %s (%s, until %s)", f.Waiver.Reason, f.Waiver.Owner, f.Waiver.Expires)
		}
		a.Findings = append(a.Findings, bomFinding{ID: f.ID, Severity: string(f.Severity), Rules: strings.Join(f.Rules, ","),
			Ref: f.Component.Ref, Text: text, Suppressed: f.Suppressed})
	}
	return writeAnnotated(w, t.Document, originalBOM(t), a)
}

// originalBOM reads again the CycloneDX file a target was read from, or
// returns nil (standard input, other formats, generated SBOMs).
func originalBOM(t *result.Target) []byte {
	doc := t.Document
	if t.Source != source.KindSBOM || doc == nil || (doc.Format != model.FormatCycloneDXJSON && doc.Format != model.FormatCycloneDXXML) {
		return nil
	}
	name := t.Target
	if s, path, ok := source.Split(name); ok && s == source.SBOM {
		name = path
	}
	if name == "-" {
		return nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	return data
}
