package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/pedigree-sbom/pedigree/pkg/cdxjson"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// bomAnnotation is what a scan adds to a BOM: its verdict and its findings,
// so that the result travels with the SBOM to the next tool.
type bomAnnotation struct {
	Tool, ToolVersion string
	// Time is written as the annotations' timestamp (the scan's time, so
	// that the same scan gives the same bytes).
	Time time.Time
	// Verdict is "pass" or "fail"; Signatures names the pack
	// ("2026.11.1 sha256:...").
	Verdict, Signatures string
	Findings            []bomFinding
}

// bomFinding is one finding, on the component whose model ref is Ref.
type bomFinding struct {
	ID, Severity, Rules string
	Ref                 string
	// Text is the annotation's text: the title, the white label, the
	// evidence.
	Text       string
	Suppressed bool
}

// writeAnnotated writes a CycloneDX JSON BOM carrying a's findings:
//
//   - original, when it is the CycloneDX JSON or XML the document was read
//     from, is written back with everything cyclonedx-go reads (and the
//     vulnerabilities, formulation and other sections it does not, as
//     they were); otherwise the BOM is built from doc (an SPDX or syft
//     input, or a generated SBOM): its components, nested as in doc, with
//     their identities, parties, copyright, hashes and properties;
//   - each finding becomes an annotation (CycloneDX 1.5+) whose subject is
//     the component, annotated by the tool, with the text of the finding;
//     and a property "pedigree:finding" = "ID SEVERITY RULES" on the
//     component itself, for tools that do not read annotations;
//   - the metadata gets the properties "pedigree:verdict" and
//     "pedigree:signatures".
//
// A component without a bom-ref gets the ref pedigree gave it when reading
// ("pedigree:component:N"), so that annotations can name it. The BOM is
// written at its own spec version, or 1.5 when it is older (annotations
// came with 1.5).
func writeAnnotated(w io.Writer, doc *model.Document, original []byte, a bomAnnotation) error {
	var (
		bom cdxjson.BOM
		err error
	)
	switch doc.Format {
	case model.FormatCycloneDXJSON:
		err = json.Unmarshal(original, &bom)
	case model.FormatCycloneDXXML:
		err = cdx.NewBOMDecoder(bytes.NewReader(original), cdx.BOMFileFormatXML).Decode(&bom.BOM)
	}
	if original == nil || err != nil || bom.BOMFormat == "" && bom.SpecVersion == 0 {
		bom = cdxjson.BOM{BOM: *fromModel(doc)}
	} else {
		assignRefs(&bom.BOM)
		dropEmptyTools(&bom.BOM)
		fixLicenses(&bom.BOM)
	}
	out, err := encodeAnnotated(bom, a)
	if err != nil && original != nil {
		// cyclonedx-go reads some BOMs it then refuses to write. Rather
		// than give no result, write the BOM as pedigree's model has it,
		// and say so in the metadata.
		rebuilt := cdxjson.BOM{BOM: *fromModel(doc)}
		note := cdx.Property{Name: "pedigree:note", Value: fmt.Sprintf("rebuilt from pedigree's model: the BOM as read could not be written back (%v)", err)}
		rebuilt.Metadata.Properties = &[]cdx.Property{note}
		out, err = encodeAnnotated(rebuilt, a)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// encodeAnnotated adds the findings to bom and encodes it, at its own
// spec version or 1.5, with the raw sections put back.
func encodeAnnotated(bom cdxjson.BOM, a bomAnnotation) ([]byte, error) {
	annotate(&bom.BOM, a)
	version := max(bom.SpecVersion, cdx.SpecVersion1_5)
	bom.SpecVersion = version
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(&bom.BOM, version); err != nil {
		return nil, fmt.Errorf("encode cyclonedx: %w", err)
	}
	return spliceRaw(buf.Bytes(), bom)
}

// dropEmptyTools removes a "tools" object that holds nothing ("tools":
// {}): cyclonedx-go reads it but cannot write it back (found by
// FuzzDecodeJSON).
func dropEmptyTools(bom *cdx.BOM) {
	if m := bom.Metadata; m != nil && m.Tools != nil && m.Tools.Tools == nil && m.Tools.Components == nil && m.Tools.Services == nil {
		m.Tools = nil
	}
}

// fixLicenses makes every licence writable by cyclonedx-go, which reads a
// licence with neither id nor name, or with both, but refuses to write it
// (found by FuzzDecodeJSON): an empty licence is dropped, and of id and
// name the id is kept. ingest's validation has already warned of both.
func fixLicenses(bom *cdx.BOM) {
	fix := func(l *cdx.Licenses) *cdx.Licenses {
		if l == nil {
			return nil
		}
		out := (*l)[:0]
		for _, c := range *l {
			if lic := c.License; lic != nil {
				switch {
				case lic.ID == "" && lic.Name == "":
					if c.Expression == "" {
						continue
					}
					c.License = nil
				case lic.ID != "" && lic.Name != "":
					fixed := *lic
					fixed.Name = ""
					c.License = &fixed
				}
			}
			out = append(out, c)
		}
		return &out
	}
	var components func(list *[]cdx.Component)
	component := func(c *cdx.Component) {
		c.Licenses = fix(c.Licenses)
		components(c.Components)
		if p := c.Pedigree; p != nil {
			components(p.Ancestors)
			components(p.Descendants)
			components(p.Variants)
		}
	}
	components = func(list *[]cdx.Component) {
		if list == nil {
			return
		}
		for i := range *list {
			component(&(*list)[i])
		}
	}
	var services func(list *[]cdx.Service)
	services = func(list *[]cdx.Service) {
		if list == nil {
			return
		}
		for i := range *list {
			(*list)[i].Licenses = fix((*list)[i].Licenses)
			services((*list)[i].Services)
		}
	}
	if m := bom.Metadata; m != nil {
		m.Licenses = fix(m.Licenses)
		if m.Component != nil {
			component(m.Component)
		}
	}
	components(bom.Components)
	services(bom.Services)
}

// spliceRaw puts back the top-level sections cyclonedx-go does not read.
func spliceRaw(encoded []byte, bom cdxjson.BOM) ([]byte, error) {
	raw := bom.Raw()
	if len(raw) == 0 {
		return encoded, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(encoded, &top); err != nil {
		return nil, fmt.Errorf("encode cyclonedx: %w", err)
	}
	for k, v := range raw {
		top[k] = v
	}
	out, err := json.MarshalIndent(top, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode cyclonedx: %w", err)
	}
	return append(out, '\n'), nil
}

// assignRefs gives every component and service without a bom-ref the ref
// convert gives it, in the same order.
func assignRefs(bom *cdx.BOM) {
	next := 0
	var comp func(c *cdx.Component)
	comp = func(c *cdx.Component) {
		if c.BOMRef == "" {
			next++
			c.BOMRef = model.ComponentRef(next)
		}
		if c.Components != nil {
			for i := range *c.Components {
				comp(&(*c.Components)[i])
			}
		}
	}
	var svc func(s *cdx.Service)
	svc = func(s *cdx.Service) {
		if s.BOMRef == "" {
			next++
			s.BOMRef = model.ServiceRef(next)
		}
		if s.Services != nil {
			for i := range *s.Services {
				svc(&(*s.Services)[i])
			}
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		comp(bom.Metadata.Component)
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			comp(&(*bom.Components)[i])
		}
	}
	if bom.Services != nil {
		for i := range *bom.Services {
			svc(&(*bom.Services)[i])
		}
	}
}

// annotate adds the annotations and properties of a to bom.
func annotate(bom *cdx.BOM, a bomAnnotation) {
	byRef := map[string]*cdx.Component{}
	var index func(list *[]cdx.Component)
	index = func(list *[]cdx.Component) {
		if list == nil {
			return
		}
		for i := range *list {
			c := &(*list)[i]
			byRef[c.BOMRef] = c
			index(c.Components)
		}
	}
	if bom.Metadata == nil {
		bom.Metadata = &cdx.Metadata{}
	}
	if c := bom.Metadata.Component; c != nil {
		byRef[c.BOMRef] = c
		index(c.Components)
	}
	index(bom.Components)

	tool := &cdx.Component{Type: cdx.ComponentTypeApplication, Name: a.Tool, Version: a.ToolVersion}
	stamp := a.Time.UTC().Format(time.RFC3339)
	var notes []cdx.Annotation
	if bom.Annotations != nil {
		notes = *bom.Annotations
	}
	for _, f := range a.Findings {
		c := byRef[f.Ref]
		if c == nil {
			continue // a component pedigree made (a file found by deep inspection) that the BOM lacks
		}
		value := f.ID + " " + f.Severity + " " + f.Rules
		if f.Suppressed {
			value += " waived"
		}
		props := []cdx.Property{}
		if c.Properties != nil {
			props = *c.Properties
		}
		props = append(props, cdx.Property{Name: "pedigree:finding", Value: value})
		c.Properties = &props
		notes = append(notes, cdx.Annotation{
			BOMRef:    "pedigree:finding:" + f.ID,
			Subjects:  &[]cdx.BOMReference{cdx.BOMReference(f.Ref)},
			Annotator: &cdx.Annotator{Component: tool},
			Timestamp: stamp,
			Text:      f.Text,
		})
	}
	if len(notes) > 0 {
		bom.Annotations = &notes
	}
	props := []cdx.Property{}
	if bom.Metadata.Properties != nil {
		props = *bom.Metadata.Properties
	}
	props = append(props, cdx.Property{Name: "pedigree:verdict", Value: a.Verdict},
		cdx.Property{Name: "pedigree:signatures", Value: a.Signatures})
	bom.Metadata.Properties = &props
}

// fromModel builds a BOM from a document read from another format or
// generated: components nested as their Parent says, the first root as
// the metadata component, depends-on relationships as dependencies.
func fromModel(doc *model.Document) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.Metadata = &cdx.Metadata{Timestamp: doc.Created}
	if doc.ID != "" && strings.HasPrefix(doc.ID, "urn:uuid:") {
		bom.SerialNumber = doc.ID
	}
	children := map[string][]*model.Component{}
	for _, c := range doc.Components {
		children[c.Parent] = append(children[c.Parent], c)
	}
	var build func(c *model.Component) cdx.Component
	build = func(c *model.Component) cdx.Component {
		out := toCDX(c)
		if kids := children[c.Ref]; len(kids) > 0 {
			list := make([]cdx.Component, 0, len(kids))
			for _, k := range kids {
				list = append(list, build(k))
			}
			out.Components = &list
		}
		return out
	}
	root := ""
	if len(doc.Roots) > 0 {
		root = doc.Roots[0]
	}
	var top []cdx.Component
	for _, c := range children[""] {
		b := build(c)
		if c.Ref == root && bom.Metadata.Component == nil {
			bom.Metadata.Component = &b
			continue
		}
		top = append(top, b)
	}
	if len(top) > 0 {
		bom.Components = &top
	}
	deps := map[string][]string{}
	var order []string
	for _, r := range doc.Relationships {
		if r.Type != model.RelDependsOn {
			continue
		}
		if _, ok := deps[r.From]; !ok {
			order = append(order, r.From)
		}
		deps[r.From] = append(deps[r.From], r.To)
	}
	if len(order) > 0 {
		list := make([]cdx.Dependency, 0, len(order))
		for _, from := range order {
			to := deps[from]
			list = append(list, cdx.Dependency{Ref: from, Dependencies: &to})
		}
		bom.Dependencies = &list
	}
	return bom
}

// toCDX converts one component, without its children.
func toCDX(c *model.Component) cdx.Component {
	out := cdx.Component{
		BOMRef: c.Ref, Type: componentType(c.Type), Name: c.Name, Group: c.Group, Version: c.Version,
		Description: c.Description, PackageURL: c.PURL, Publisher: c.Publisher, Copyright: c.Copyright,
	}
	if out.Name == "" {
		out.Name = c.Ref
	}
	if len(c.CPEs) > 0 {
		out.CPE = c.CPEs[0]
	}
	if p := c.Supplier; !p.IsZero() {
		out.Supplier = &cdx.OrganizationalEntity{Name: partyText(p)}
	}
	if p := c.Manufacturer; !p.IsZero() {
		out.Manufacturer = &cdx.OrganizationalEntity{Name: partyText(p)}
	}
	var authors []cdx.OrganizationalContact
	for i := range c.Authors {
		authors = append(authors, cdx.OrganizationalContact{Name: partyText(&c.Authors[i]), Email: c.Authors[i].Email})
	}
	if p := c.Originator; !p.IsZero() { // SPDX originator: who made it
		authors = append(authors, cdx.OrganizationalContact{Name: partyText(p), Email: p.Email})
	}
	if len(authors) > 0 {
		out.Authors = &authors
	}
	var hashes []cdx.Hash
	for _, h := range c.Hashes {
		if alg, ok := hashAlgorithm(h.Algorithm); ok {
			hashes = append(hashes, cdx.Hash{Algorithm: alg, Value: h.Value})
		}
	}
	if len(hashes) > 0 {
		out.Hashes = &hashes
	}
	var props []cdx.Property
	for _, p := range c.Properties {
		props = append(props, cdx.Property{Name: p.Name, Value: p.Value})
	}
	for _, l := range c.Locations {
		props = append(props, cdx.Property{Name: "pedigree:location", Value: l})
	}
	if len(props) > 0 {
		out.Properties = &props
	}
	return out
}

func partyText(p *model.Party) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Raw
}

func componentType(t string) cdx.ComponentType {
	switch t := cdx.ComponentType(t); t {
	case cdx.ComponentTypeApplication, cdx.ComponentTypeContainer, cdx.ComponentTypeDevice, cdx.ComponentTypeFile,
		cdx.ComponentTypeFirmware, cdx.ComponentTypeFramework, cdx.ComponentTypeLibrary, cdx.ComponentTypeOS,
		cdx.ComponentTypePlatform, cdx.ComponentTypeData, cdx.ComponentTypeMachineLearningModel:
		return t
	}
	return cdx.ComponentTypeLibrary
}

// hashAlgorithm maps the model's algorithm names (SPDX, syft, CycloneDX
// spellings) to CycloneDX's.
func hashAlgorithm(a string) (cdx.HashAlgorithm, bool) {
	n := strings.ToUpper(strings.ReplaceAll(a, "_", "-"))
	switch n {
	case "MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384", "SHA3-512", "BLAKE2B-256", "BLAKE2B-384", "BLAKE2B-512", "BLAKE3":
		return cdx.HashAlgorithm(n), true
	case "SHA1", "SHA256", "SHA384", "SHA512":
		return cdx.HashAlgorithm("SHA-" + n[3:]), true
	}
	return "", false
}
