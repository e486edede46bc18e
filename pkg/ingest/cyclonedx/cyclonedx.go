// Package cyclonedx decodes CycloneDX BOMs (JSON 1.2–1.7, XML 1.0–1.7) into
// the model, with cyclonedx-go doing the parsing.
//
// The decoder is tolerant: a BOM that breaks the specification in ways that
// do not stop evaluation (a malformed hash value, an unknown component
// type, a dependency on an unknown ref) is still read, and each such problem
// becomes a warning on the document naming the element and what is wrong
// (see validate.go). Only input that cannot be parsed at all is an error.
package cyclonedx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/pedigree-sbom/pedigree/pkg/cdxjson"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// maxSkips bounds how many unreadable fields DecodeJSON drops before it
// gives up on a BOM.
const maxSkips = 8

// DecodeJSON reads a CycloneDX JSON BOM. A field that cyclonedx-go cannot
// read although the specification allows it (the library lags the
// specification in places) is dropped wherever it occurs, the BOM is read
// again, and the document carries a warning naming the field; fields that
// carry identity (names, versions, identifiers, parties, hashes) are never
// dropped: a wrong type there is an error.
//
// A well-formed BOM is read in one pass that decodes only what pedigree
// needs (stream.go); anything else, errors and tolerated defects included,
// is read by the reference decoder, encoding/json into cyclonedx-go's
// structs. Both give the same document.
func DecodeJSON(data []byte) (*model.Document, error) {
	if s, ok := decodeStream(data); ok {
		d := s.document()
		if s.emptyRef {
			d.Warnings = append(d.Warnings, "a bom-ref is empty; a bom-ref must be a non-empty string")
		}
		return d, nil
	}
	return decodeJSONReference(data)
}

// decodeJSONReference is DecodeJSON through encoding/json and cyclonedx-go
// alone: the reference that the fast path must agree with, and the reader
// of every input the fast path gives up on.
func decodeJSONReference(data []byte) (*model.Document, error) {
	var (
		bom     cdxjson.BOM
		skipped []string
	)
	for {
		err := json.Unmarshal(data, &bom)
		if err == nil {
			break
		}
		key, ok := droppable(err)
		if !ok || len(skipped) >= maxSkips {
			return nil, describeJSONError(data, err)
		}
		if data, err = dropKey(data, key); err != nil {
			return nil, describeJSONError(data, err)
		}
		skipped = append(skipped, key)
		bom = cdxjson.BOM{}
	}
	d := convert(&bom.BOM)
	for _, k := range skipped {
		d.Warnings = append(d.Warnings, fmt.Sprintf("field %q could not be read and was skipped (it does not bear on identity)", k))
	}
	if hasEmptyRef(data, "\"bom-ref\"", ':') {
		d.Warnings = append(d.Warnings, "a bom-ref is empty; a bom-ref must be a non-empty string")
	}
	return d, nil
}

// DecodeXML reads a CycloneDX XML BOM.
func DecodeXML(data []byte) (*model.Document, error) {
	var bom cdx.BOM
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&bom); err != nil {
		return nil, fmt.Errorf("xml: %w", err)
	}
	d := convert(&bom)
	if hasEmptyRef(data, "bom-ref", '=') {
		d.Warnings = append(d.Warnings, "a bom-ref is empty; a bom-ref must be a non-empty string")
	}
	return d, nil
}

// hasEmptyRef reports whether data holds key, then sep, then an empty
// quoted string, with white space between: cyclonedx-go cannot tell an
// empty bom-ref from a missing one, so the raw input is asked. It looks
// only where the key occurs (bytes.Index), not at every byte.
func hasEmptyRef(data []byte, key string, sep byte) bool {
	space := func(i int) int {
		for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
			i++
		}
		return i
	}
	for rest := 0; ; {
		k := bytes.Index(data[rest:], []byte(key))
		if k < 0 {
			return false
		}
		i := space(rest + k + len(key))
		rest += k + len(key)
		if i >= len(data) || data[i] != sep {
			continue
		}
		i = space(i + 1)
		if i+1 < len(data) && (data[i] == '"' || sep == '=' && data[i] == '\'') && data[i+1] == data[i] {
			return true
		}
	}
}

func describeJSONError(data []byte, err error) error {
	var te *json.UnmarshalTypeError
	if ok := asType(err, &te); ok {
		where := strings.TrimPrefix(te.Field, "BOM.")
		if where == "" {
			where = "document"
		}
		return fmt.Errorf("field %s: got JSON %s, want %s (at byte %d)", where, te.Value, te.Type, te.Offset)
	}
	var se *json.SyntaxError
	if ok := asType(err, &se); ok {
		line := bytes.Count(data[:min(int(se.Offset), len(data))], []byte{'\n'}) + 1
		return fmt.Errorf("line %d: %v", line, se)
	}
	return err
}

// identityKeys are the JSON keys whose values pedigree needs; an error in
// one of them is never skipped.
var identityKeys = map[string]bool{
	"bomFormat": true, "specVersion": true, "metadata": true, "component": true, "components": true,
	"services": true, "dependencies": true, "dependsOn": true, "ref": true, "bom-ref": true,
	"name": true, "group": true, "version": true, "type": true, "purl": true, "cpe": true, "swid": true,
	"supplier": true, "manufacturer": true, "manufacture": true, "author": true, "authors": true,
	"publisher": true, "copyright": true, "hashes": true, "pedigree": true, "ancestors": true,
	"descendants": true, "variants": true, "evidence": true, "identity": true, "provider": true,
	"endpoints": true, "externalReferences": true, "url": true, "properties": true,
	"annotations": true, "subjects": true, "annotator": true, "text": true, "licenses": true,
	"license": true, "expression": true, "omniborId": true, "swhid": true, "tools": true, "occurrences": true,
}

// droppable names the outermost key on the path of a type error that
// pedigree does not need, if there is one.
func droppable(err error) (string, bool) {
	var te *json.UnmarshalTypeError
	if !asType(err, &te) || te.Field == "" {
		return "", false
	}
	for _, k := range strings.Split(strings.TrimPrefix(te.Field, "BOM."), ".") {
		if !identityKeys[k] {
			return k, true
		}
	}
	return "", false
}

// dropKey removes every member named key from every object in data.
func dropKey(data []byte, key string) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			delete(t, key)
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return json.Marshal(v)
}

func asType[T error](err error, target *T) bool {
	t, ok := err.(T)
	if ok {
		*target = t
	}
	return ok
}

// converter carries the state of one conversion.
type converter struct {
	doc  *model.Document
	next int // counter for synthetic refs
}

func convert(bom *cdx.BOM) *model.Document {
	c := &converter{doc: &model.Document{}}
	c.root(bom.Metadata)
	if bom.Components != nil {
		for i := range *bom.Components {
			c.component(&(*bom.Components)[i], "")
		}
	}
	return c.finish(bom, nil)
}

// root converts the metadata's component, which comes first among the
// document's components.
func (c *converter) root(md *cdx.Metadata) {
	if md != nil && md.Component != nil {
		root := c.component(md.Component, "")
		c.doc.Roots = append(c.doc.Roots, root)
	}
}

// finish converts the rest of the BOM once the metadata's component and
// the components are converted (bom.Components is nil when the fast path
// converted them as it read them; streamed then holds their validation),
// and validates it.
func (c *converter) finish(bom *cdx.BOM, streamed *validator) *model.Document {
	d := c.doc
	d.ID = bom.SerialNumber
	if bom.SpecVersion != 0 {
		d.SpecVersion = bom.SpecVersion.String()
	}
	if md := bom.Metadata; md != nil {
		d.Created = md.Timestamp
		d.Authors = contacts(md.Authors, "person")
		d.Tools = tools(md.Tools)
		d.Supplier = entity(md.Supplier)
		d.Manufacturer = entity(md.Manufacturer)
		if d.Manufacturer == nil {
			d.Manufacturer = entity(md.Manufacture)
		}
		d.Properties = properties(md.Properties)
	}
	if bom.Services != nil {
		for i := range *bom.Services {
			c.service(&(*bom.Services)[i], "")
		}
	}
	if bom.Properties != nil {
		d.Properties = append(d.Properties, properties(bom.Properties)...)
	}
	if bom.Dependencies != nil {
		n := 0
		for _, dep := range *bom.Dependencies {
			if dep.Dependencies != nil {
				n += len(*dep.Dependencies)
			}
			if dep.Provides != nil {
				n += len(*dep.Provides)
			}
		}
		d.Relationships = slices.Grow(d.Relationships, n)
		for _, dep := range *bom.Dependencies {
			if dep.Dependencies != nil {
				for _, to := range *dep.Dependencies {
					d.Relationships = append(d.Relationships, model.Relationship{From: dep.Ref, Type: model.RelDependsOn, To: to})
				}
			}
			if dep.Provides != nil {
				for _, to := range *dep.Provides {
					d.Relationships = append(d.Relationships, model.Relationship{From: dep.Ref, Type: model.RelProvides, To: to})
				}
			}
		}
	}
	c.annotations(bom.Annotations)
	validate(bom, d, streamed)
	return d
}

// component converts a component and its nested components, appending them
// to the document, and returns the component's ref.
func (c *converter) component(src *cdx.Component, parent string) string {
	m := c.convertComponent(src)
	if m.Ref == "" {
		c.next++
		m.Ref = model.ComponentRef(c.next)
	}
	m.Parent = parent
	c.doc.Components = append(c.doc.Components, m)
	if src.Components != nil {
		for i := range *src.Components {
			child := c.component(&(*src.Components)[i], m.Ref)
			c.doc.Relationships = append(c.doc.Relationships, model.Relationship{From: m.Ref, Type: model.RelContains, To: child})
		}
	}
	return m.Ref
}

// convertComponent converts one component without its nested components.
// Pedigree ancestors, descendants and variants are converted recursively
// into the Pedigree field; they are lineage, not parts of the product.
func (c *converter) convertComponent(src *cdx.Component) *model.Component {
	m := &model.Component{
		Ref:          src.BOMRef,
		Type:         string(src.Type),
		Name:         src.Name,
		Group:        src.Group,
		Version:      src.Version,
		Description:  src.Description,
		Scope:        string(src.Scope),
		PURL:         src.PackageURL,
		Supplier:     entity(src.Supplier),
		Manufacturer: entity(src.Manufacturer),
		Publisher:    src.Publisher,
		Copyright:    src.Copyright,
		Licenses:     licenses(src.Licenses),
		Hashes:       hashes(src.Hashes),
		ExternalRefs: externalRefs(src.ExternalReferences),
		Properties:   properties(src.Properties),
	}
	if src.CPE != "" {
		m.CPEs = []string{src.CPE}
	}
	if src.OmniborID != nil {
		m.OmniborIDs = append(m.OmniborIDs, *src.OmniborID...)
	}
	if src.SWHID != nil {
		m.SWHIDs = append(m.SWHIDs, *src.SWHID...)
	}
	if s := src.SWID; s != nil {
		m.SWID = &model.SWID{TagID: s.TagID, Name: s.Name, Version: s.Version, URL: s.URL}
	}
	if src.Author != "" {
		m.Authors = append(m.Authors, model.Party{Name: src.Author, Raw: src.Author})
	}
	m.Authors = append(m.Authors, contacts(src.Authors, "person")...)
	if src.Tags != nil {
		m.Tags = append(m.Tags, *src.Tags...)
	}
	m.Properties = append(m.Properties, licensors(src.Licenses)...)
	if src.MIMEType != "" {
		m.Properties = append(m.Properties, model.Property{Name: "cdx:mime-type", Value: src.MIMEType})
	}
	if p := src.Pedigree; p != nil {
		m.Pedigree = &model.Pedigree{
			Ancestors:   c.lineage(p.Ancestors),
			Descendants: c.lineage(p.Descendants),
			Variants:    c.lineage(p.Variants),
			Notes:       p.Notes,
		}
		if p.Commits != nil {
			for _, cm := range *p.Commits {
				m.Pedigree.Commits = append(m.Pedigree.Commits, model.Commit{
					UID: cm.UID, URL: cm.URL, Author: action(cm.Author), Committer: action(cm.Committer), Message: cm.Message,
				})
			}
		}
	}
	if e := src.Evidence; e != nil {
		m.Evidence = evidence(e)
		m.Locations = append(m.Locations, m.Evidence.Occurrences...)
	}
	return m
}

func (c *converter) lineage(list *[]cdx.Component) []*model.Component {
	if list == nil {
		return nil
	}
	out := make([]*model.Component, 0, len(*list))
	for i := range *list {
		out = append(out, c.convertComponent(&(*list)[i]))
	}
	return out
}

// service converts a CycloneDX service into a component of type "service":
// its provider is its supplier and its endpoints are external references,
// since both can name the vendor behind it.
func (c *converter) service(src *cdx.Service, parent string) string {
	m := &model.Component{
		Ref:          src.BOMRef,
		Type:         "service",
		Name:         src.Name,
		Group:        src.Group,
		Version:      src.Version,
		Description:  src.Description,
		Supplier:     entity(src.Provider),
		Licenses:     licenses(src.Licenses),
		ExternalRefs: externalRefs(src.ExternalReferences),
		Properties:   properties(src.Properties),
		Parent:       parent,
	}
	if m.Ref == "" {
		c.next++
		m.Ref = model.ServiceRef(c.next)
	}
	if src.Endpoints != nil {
		for _, e := range *src.Endpoints {
			m.ExternalRefs = append(m.ExternalRefs, model.ExternalRef{Type: "endpoint", URL: e})
		}
	}
	if src.Tags != nil {
		m.Tags = append(m.Tags, *src.Tags...)
	}
	c.doc.Components = append(c.doc.Components, m)
	if src.Services != nil {
		for i := range *src.Services {
			child := c.service(&(*src.Services)[i], m.Ref)
			c.doc.Relationships = append(c.doc.Relationships, model.Relationship{From: m.Ref, Type: model.RelContains, To: child})
		}
	}
	return m.Ref
}

// annotations attaches each annotation to its subjects as a property named
// after the annotator, because an annotator can be the vendor speaking.
func (c *converter) annotations(list *[]cdx.Annotation) {
	if list == nil {
		return
	}
	byRef := make(map[string]*model.Component, len(c.doc.Components))
	for _, m := range c.doc.Components {
		byRef[m.Ref] = m
	}
	for _, a := range *list {
		who := annotator(a.Annotator)
		p := model.Property{Name: "annotation:" + who, Value: a.Text}
		if a.Subjects == nil {
			continue
		}
		for _, s := range *a.Subjects {
			if m := byRef[string(s)]; m != nil {
				m.Properties = append(m.Properties, p)
			} else {
				c.doc.Properties = append(c.doc.Properties, model.Property{Name: "annotation:" + who + ":" + string(s), Value: a.Text})
			}
		}
	}
}

func annotator(a *cdx.Annotator) string {
	switch {
	case a == nil:
		return ""
	case a.Organization != nil:
		return a.Organization.Name
	case a.Individual != nil:
		return a.Individual.Name
	case a.Component != nil:
		return a.Component.Name
	case a.Service != nil:
		return a.Service.Name
	}
	return ""
}

func entity(e *cdx.OrganizationalEntity) *model.Party {
	if e == nil {
		return nil
	}
	p := &model.Party{Kind: "organization", Name: e.Name}
	if e.URL != nil {
		p.URLs = append(p.URLs, *e.URL...)
	}
	p.Contacts = contacts(e.Contact, "person")
	if a := e.Address; a != nil {
		parts := []string{a.StreetAddress, a.PostOfficeBoxNumber, a.PostalCode, a.Locality, a.Region, a.Country}
		var kept []string
		for _, s := range parts {
			if s = strings.TrimSpace(s); s != "" {
				kept = append(kept, s)
			}
		}
		p.Address = strings.Join(kept, ", ")
	}
	if p.IsZero() {
		return nil
	}
	return p
}

func contacts(list *[]cdx.OrganizationalContact, kind string) []model.Party {
	if list == nil {
		return nil
	}
	out := make([]model.Party, 0, len(*list))
	for _, c := range *list {
		out = append(out, model.Party{Kind: kind, Name: c.Name, Email: c.Email, Phone: c.Phone})
	}
	return out
}

func action(a *cdx.IdentifiableAction) string {
	if a == nil {
		return ""
	}
	if a.Email != "" {
		return strings.TrimSpace(a.Name + " <" + a.Email + ">")
	}
	return a.Name
}

func tools(t *cdx.ToolsChoice) []string {
	if t == nil {
		return nil
	}
	var out []string
	join := func(parts ...string) string {
		var kept []string
		for _, p := range parts {
			if p != "" {
				kept = append(kept, p)
			}
		}
		return strings.Join(kept, " ")
	}
	if t.Tools != nil {
		for _, x := range *t.Tools {
			out = append(out, join(x.Vendor, x.Name, x.Version))
		}
	}
	if t.Components != nil {
		for _, x := range *t.Components {
			vendor := x.Group
			if x.Supplier != nil && vendor == "" {
				vendor = x.Supplier.Name
			}
			out = append(out, join(vendor, x.Name, x.Version))
		}
	}
	if t.Services != nil {
		for _, x := range *t.Services {
			vendor := x.Group
			if x.Provider != nil && vendor == "" {
				vendor = x.Provider.Name
			}
			out = append(out, join(vendor, x.Name, x.Version))
		}
	}
	return out
}

func licenses(l *cdx.Licenses) []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, c := range *l {
		switch {
		case c.Expression != "":
			out = append(out, c.Expression)
		case c.License != nil && c.License.ID != "":
			out = append(out, c.License.ID)
		case c.License != nil && c.License.Name != "":
			out = append(out, c.License.Name)
		}
	}
	return out
}

func hashes(h *[]cdx.Hash) []model.Hash {
	if h == nil {
		return nil
	}
	out := make([]model.Hash, 0, len(*h))
	for _, x := range *h {
		out = append(out, model.Hash{Algorithm: model.HashAlgorithm(string(x.Algorithm)), Value: strings.TrimSpace(x.Value)})
	}
	return out
}

func externalRefs(r *[]cdx.ExternalReference) []model.ExternalRef {
	if r == nil {
		return nil
	}
	out := make([]model.ExternalRef, 0, len(*r))
	for _, x := range *r {
		out = append(out, model.ExternalRef{Type: string(x.Type), URL: x.URL, Comment: x.Comment})
	}
	return out
}

func properties(p *[]cdx.Property) []model.Property {
	if p == nil {
		return nil
	}
	out := make([]model.Property, 0, len(*p))
	for _, x := range *p {
		out = append(out, model.Property{Name: x.Name, Value: x.Value})
	}
	return out
}

func evidence(e *cdx.Evidence) *model.Evidence {
	out := &model.Evidence{}
	if id := e.Identity; id != nil {
		var list []cdx.EvidenceIdentity
		if id.Identity != nil {
			list = append(list, *id.Identity)
		}
		if id.Identities != nil {
			list = append(list, *id.Identities...)
		}
		for _, x := range list {
			ie := model.IdentityEvidence{Field: string(x.Field), ConcludedValue: x.ConcludedValue}
			if x.Confidence != nil {
				v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(*x.Confidence), 'f', -1, 32), 64)
				ie.Confidence = &v
			}
			if x.Methods != nil {
				for _, m := range *x.Methods {
					ie.Methods = append(ie.Methods, strings.TrimSpace(string(m.Technique)+": "+m.Value))
				}
			}
			out.Identity = append(out.Identity, ie)
		}
	}
	if e.Occurrences != nil {
		for _, o := range *e.Occurrences {
			if o.Location != "" {
				out.Occurrences = append(out.Occurrences, o.Location)
			}
		}
	}
	if e.Copyright != nil {
		for _, c := range *e.Copyright {
			out.Copyright = append(out.Copyright, c.Text)
		}
	}
	out.Licenses = licenses(e.Licenses)
	return out
}

// licensors returns the licensor named in commercial licensing terms as a
// property: the party that licenses a component is usually its maker.
func licensors(l *cdx.Licenses) []model.Property {
	if l == nil {
		return nil
	}
	var out []model.Property
	for _, c := range *l {
		for _, lic := range []*cdx.Licensing{c.Licensing, licensingOf(c.License)} {
			if lic == nil || lic.Licensor == nil {
				continue
			}
			name := ""
			if o := lic.Licensor.Organization; o != nil {
				name = o.Name
			} else if i := lic.Licensor.Individual; i != nil {
				name = i.Name
			}
			if name != "" {
				out = append(out, model.Property{Name: "cdx:licensing:licensor", Value: name})
			}
		}
	}
	return out
}

func licensingOf(l *cdx.License) *cdx.Licensing {
	if l == nil {
		return nil
	}
	return l.Licensing
}
