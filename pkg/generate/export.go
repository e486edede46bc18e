package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/anchore/syft/syft/format/cyclonedxjson"
	"github.com/anchore/syft/syft/format/spdxjson"
	"github.com/anchore/syft/syft/format/syftjson"
	"github.com/anchore/syft/syft/sbom"

	"github.com/pedigree-sbom/pedigree/pkg/deep"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Formats are the SBOM formats Write can produce.
var Formats = []string{"cyclonedx-json", "spdx-json", "syft-json"}

// Write writes the generated SBOM: syft's catalog in the chosen format,
// plus a component for every file deep inspection learned something about
// (its version resources, signer, manifest, copyright strings, hosts and
// Java packages, as pedigree:* properties), so the true maker travels with
// the SBOM, and every gap of the generation (a part of the input that was
// not inspected), so that a scan of the SBOM is as incomplete as a scan of
// the input: CycloneDX metadata properties, SPDX document annotations (see
// addCycloneDXGaps and addSPDXGaps). syft-json has room for neither, so
// Write refuses it, before writing anything, when there is either to
// carry (see syftJSONCarries).
func (r *Result) Write(w io.Writer, format string) error {
	var (
		enc sbom.FormatEncoder
		err error
	)
	switch format {
	case "cyclonedx-json":
		enc, err = cyclonedxjson.NewFormatEncoderWithConfig(cyclonedxjson.DefaultEncoderConfig())
	case "spdx-json":
		enc, err = spdxjson.NewFormatEncoderWithConfig(spdxjson.DefaultEncoderConfig())
	case "syft-json":
		enc, err = syftjson.NewFormatEncoderWithConfig(syftjson.DefaultEncoderConfig())
	default:
		return fmt.Errorf("unknown SBOM format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s encoder: %w", format, err)
	}
	files := r.deepComponents()
	gaps := r.gapCount()
	if format == "syft-json" {
		if err := syftJSONCarries(len(files), gaps); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := enc.Encode(&buf, *r.SBOM); err != nil {
		return fmt.Errorf("encode %s: %w", format, err)
	}
	if (len(files) == 0 && gaps == 0) || format == "syft-json" {
		_, err := w.Write(buf.Bytes())
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return fmt.Errorf("re-read %s: %w", format, err)
	}
	switch format {
	case "cyclonedx-json":
		if len(files) > 0 {
			addCycloneDX(doc, files)
		}
		addCycloneDXGaps(doc, r.Document)
	case "spdx-json":
		if len(files) > 0 {
			addSPDX(doc, files)
		}
		addSPDXGaps(doc, r.Document, annotator(r.SBOM.Descriptor))
	}
	out := json.NewEncoder(w)
	out.SetIndent("", " ")
	out.SetEscapeHTML(false)
	return out.Encode(doc)
}

// deepComponents are the components deep inspection added, a file under
// the product root naming as its parent the root's ref in the SBOM.
func (r *Result) deepComponents() []*model.Component {
	root := ""
	if len(r.Document.Roots) == 1 {
		root = r.Document.Roots[0]
	}
	var out []*model.Component
	for _, c := range r.Document.Components {
		if strings.HasPrefix(c.Ref, deep.RefPrefix) {
			if r.sourceRef != "" && c.Parent == root {
				cc := *c
				cc.Parent = r.sourceRef
				c = &cc
			}
			out = append(out, c)
		}
	}
	return out
}

func properties(c *model.Component) []any {
	var ps []any
	for _, p := range c.Properties {
		ps = append(ps, map[string]any{"name": p.Name, "value": p.Value})
	}
	if c.Parent != "" {
		ps = append(ps, map[string]any{"name": "pedigree:parent", "value": c.Parent})
	}
	return ps
}

// addCycloneDX appends file components with their facts as properties and
// their location as evidence.
func addCycloneDX(doc map[string]any, files []*model.Component) {
	comps, _ := doc["components"].([]any)
	for _, c := range files {
		comp := map[string]any{
			"bom-ref": c.Ref, "type": "file", "name": c.Name,
			"evidence": map[string]any{"occurrences": []any{map[string]any{"location": c.Name}}},
		}
		if c.Type != "file" && c.Type != "" {
			// Declared by a recipe (pkg/recipe): a package, image or
			// program, found where the recipe declares it.
			comp["type"] = c.Type
			var occ []any
			for _, l := range c.Locations {
				occ = append(occ, map[string]any{"location": l})
			}
			comp["evidence"] = map[string]any{"occurrences": occ}
			if c.Group != "" {
				comp["group"] = c.Group
			}
			if c.PURL != "" {
				comp["purl"] = c.PURL
			}
		}
		if c.Version != "" {
			comp["version"] = c.Version
		}
		if ps := properties(c); len(ps) > 0 {
			comp["properties"] = ps
		}
		var hashes []any
		for _, h := range c.Hashes {
			hashes = append(hashes, map[string]any{"alg": h.Algorithm, "content": h.Value})
		}
		if len(hashes) > 0 {
			comp["hashes"] = hashes
		}
		comps = append(comps, comp)
	}
	doc["components"] = comps
}

// addSPDX appends a package per file (SPDX files need a SHA-1 this pass
// does not compute), with its facts as annotations-free attribution text
// ("pedigree:copyright=…", which pkg/ingest/spdx reads back as the
// property), the hashes a rule asked for as checksums, and a comment.
func addSPDX(doc map[string]any, files []*model.Component) {
	pkgs, _ := doc["packages"].([]any)
	for i, c := range files {
		var facts []string
		for _, p := range c.Properties {
			facts = append(facts, p.Name+"="+p.Value)
		}
		pkg := map[string]any{
			"name": c.Name, "SPDXID": fmt.Sprintf("SPDXRef-pedigree-file-%d", i+1),
			"downloadLocation": "NOASSERTION", "filesAnalyzed": false,
			"primaryPackagePurpose": "FILE",
			"comment":               "found by pedigree deep inspection at " + c.Name,
		}
		if c.Type != "file" && c.Type != "" {
			pkg["primaryPackagePurpose"] = spdxPurpose(c.Type)
			pkg["comment"] = "declared at " + strings.Join(c.Locations, ", ") + " (pedigree recipe reading)"
			if c.PURL != "" {
				pkg["externalRefs"] = []any{map[string]any{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.PURL}}
			}
		}
		if len(facts) > 0 {
			pkg["attributionTexts"] = facts
		}
		if c.Version != "" {
			pkg["versionInfo"] = c.Version
		}
		if sums := spdxChecksums(c.Hashes); len(sums) > 0 {
			pkg["checksums"] = sums
		}
		pkgs = append(pkgs, pkg)
	}
	doc["packages"] = pkgs
}

// spdxChecksums are hashes as SPDX package checksums, the algorithm
// spelled as SPDX spells it: "SHA256" for CycloneDX's "SHA-256".
func spdxChecksums(hashes []model.Hash) []any {
	var out []any
	for _, h := range hashes {
		alg := h.Algorithm
		if rest, ok := strings.CutPrefix(alg, "SHA-"); ok {
			alg = "SHA" + rest
		}
		out = append(out, map[string]any{"algorithm": alg, "checksumValue": h.Value})
	}
	return out
}

// spdxPurpose is the SPDX primaryPackagePurpose of a declared component's
// type.
func spdxPurpose(typ string) string {
	switch typ {
	case "library":
		return "LIBRARY"
	case "container":
		return "CONTAINER"
	}
	return "APPLICATION"
}
