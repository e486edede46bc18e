package spdx

// SPDX 3.0 JSON-LD.
//
// The @graph is read with encoding/json, not with tools-golang's
// spdx/v3/v3_0 decoder: tried on the SPDX examples and on real SPDX 3 files
// (sbomqs' test corpus), that decoder refused 57 of 105 files that this
// reader must take: every reference to an element of another document
// ("unable to find viable external IRI", which SPDX 3 allows), licensing
// profile values and plain license ids, and the decimals of the AI examples.
// Its errors carry no position either. Only the compact JSON-LD form that
// the SPDX 3.0 context produces is read; the graph is not expanded against
// the context.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// many is a JSON-LD value that may be written as one value or as an array.
type many[T any] []T

func (m *many[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]T)(m))
	}
	if string(b) == "null" {
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = many[T]{v}
	return nil
}

// ref3 is a reference to an element: its id as a string, or the element
// written inline as an object.
type ref3 = json.RawMessage

type element3 struct {
	Type   many[string] `json:"type"`
	AtType many[string] `json:"@type"`
	SpdxID string       `json:"spdxId"`
	AtID   string       `json:"@id"`

	Name         string `json:"name"`
	Comment      string `json:"comment"`
	Description  string `json:"description"`
	Summary      string `json:"summary"`
	CreationInfo ref3   `json:"creationInfo"`

	ExternalIdentifier  many[externalIdentifier3] `json:"externalIdentifier"`
	ExternalIdentifiers many[externalIdentifier3] `json:"externalIdentifiers"` // a common misspelling
	ExternalRef         many[externalRef3]        `json:"externalRef"`
	VerifiedUsing       many[integrity3]          `json:"verifiedUsing"`

	SuppliedBy   ref3       `json:"suppliedBy"`
	OriginatedBy many[ref3] `json:"originatedBy"`

	CopyrightText     string                   `json:"software_copyrightText"`
	AttributionText   many[string]             `json:"software_attributionText"`
	PrimaryPurpose    string                   `json:"software_primaryPurpose"`
	AdditionalPurpose many[string]             `json:"software_additionalPurpose"`
	ContentIdentifier many[contentIdentifier3] `json:"software_contentIdentifier"`
	PackageVersion    string                   `json:"software_packageVersion"`
	DownloadLocation  string                   `json:"software_downloadLocation"`
	HomePage          string                   `json:"software_homePage"`
	PackageURL        string                   `json:"software_packageUrl"`
	SourceInfo        string                   `json:"software_sourceInfo"`
	FileKind          string                   `json:"software_fileKind"`
	SnippetFromFile   ref3                     `json:"software_snippetFromFile"`

	From             ref3       `json:"from"`
	To               many[ref3] `json:"to"`
	RelationshipType string     `json:"relationshipType"`
	Scope            string     `json:"scope"`

	RootElement many[ref3] `json:"rootElement"`
	Import      many[struct {
		ExternalSpdxID string `json:"externalSpdxId"`
	}] `json:"import"`

	Created      string     `json:"created"`
	CreatedBy    many[ref3] `json:"createdBy"`
	CreatedUsing many[ref3] `json:"createdUsing"`

	Subject   ref3   `json:"subject"`
	Statement string `json:"statement"`

	LicenseExpression string `json:"simplelicensing_licenseExpression"`
	LicenseID         string `json:"expandedlicensing_licenseId"` // not in 3.0; some writers use it

	// Where the element is (its index in @graph and byte offset; an
	// element written inline has those of the element it is in), and its
	// type without namespace.
	index  int
	offset int64
	typ    string
}

type externalIdentifier3 struct {
	Type       string `json:"externalIdentifierType"`
	Identifier string `json:"identifier"`
	Comment    string `json:"comment"`
}

type externalRef3 struct {
	Type    string       `json:"externalRefType"`
	Locator many[string] `json:"locator"`
	Comment string       `json:"comment"`
}

type integrity3 struct {
	Type      string `json:"type"`
	Algorithm string `json:"algorithm"`
	HashValue string `json:"hashValue"`
}

type contentIdentifier3 struct {
	Type  string `json:"software_contentIdentifierType"`
	Value string `json:"software_contentIdentifierValue"`
}

// id is the element's identifier, spdxId or @id.
func (e *element3) id() string {
	if e.SpdxID != "" {
		return e.SpdxID
	}
	return e.AtID
}

// graph3 is a decoded @graph with the index of its elements by id.
type graph3 struct {
	data     []byte
	elements []*element3
	byID     map[string]*element3
	imported map[string]bool
	warnings []string
	inline   int
}

// Decode3 reads an SPDX 3.0 JSON-LD document. data must have its leading
// white space removed. The caller finishes the document with Normalize.
func Decode3(data []byte) (*model.Document, error) {
	g, err := readGraph3(data)
	if err != nil {
		return nil, err
	}
	return g.toModel()
}

// at is " (at line L, column C)" for a byte offset in the input.
func (g *graph3) at(off int64) string {
	if off < 0 || off > int64(len(g.data)) {
		return ""
	}
	before := g.data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf(" (at line %d, column %d)", line, col)
}

// where names an element in messages: "@graph[3] (software_Package "x")".
func (g *graph3) where(e *element3) string {
	s := fmt.Sprintf("@graph[%d]", e.index)
	switch {
	case e.typ != "" && e.id() != "":
		s += fmt.Sprintf(" (%s %q)", e.typ, msgtext.Clip(e.id(), 80))
	case e.typ != "":
		s += " (" + e.typ + ")"
	}
	return s
}

// skipSpace moves off past white space and a separating comma.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && (data[off] == ' ' || data[off] == '\t' || data[off] == '\n' || data[off] == '\r' || data[off] == ',' || data[off] == ':') {
		off++
	}
	return off
}

// jsonKind names the JSON type of a raw value.
func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON array"
	case '"':
		return "a JSON string"
	case 't', 'f':
		return "a JSON boolean"
	case 'n':
		return "JSON null"
	}
	return "a JSON number"
}

// readGraph3 decodes the top-level object and every element of its @graph,
// remembering where each element starts.
func readGraph3(data []byte) (*graph3, error) {
	g := &graph3{data: data, byID: map[string]*element3{}, imported: map[string]bool{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("the document is not a JSON object")
	}
	sawGraph := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		if key != "@graph" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		sawGraph = true
		off := skipSpace(data, dec.InputOffset())
		var raw json.RawMessage
		if off < int64(len(data)) && data[off] != '[' {
			if err := dec.Decode(&raw); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("@graph is %s, want an array of elements%s", jsonKind(raw), g.at(off))
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		for i := 0; dec.More(); i++ {
			start := skipSpace(data, dec.InputOffset())
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, err
			}
			e, err := g.element(raw, i, start)
			if err != nil {
				return nil, err
			}
			g.elements = append(g.elements, e)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		if len(g.elements) == 0 {
			return nil, fmt.Errorf("@graph has no elements: nothing to evaluate%s", g.at(off))
		}
	}
	if !sawGraph {
		// A document of one element may be written without @graph.
		e, err := g.element(data, 0, 0)
		if err != nil {
			return nil, errors.New("no @graph and no element at the top level: nothing to read")
		}
		g.elements = append(g.elements, e)
	}
	for _, e := range g.elements {
		if err := g.register(e); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// element decodes one element of the graph.
func (g *graph3) element(raw []byte, index int, off int64) (*element3, error) {
	e := &element3{index: index, offset: off}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("@graph[%d] is %s, want an element object%s", index, jsonKind(raw), g.at(off))
	}
	if err := json.Unmarshal(raw, e); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("@graph[%d]: field %s: got JSON %s, want %s%s", index, te.Field, te.Value, te.Type, g.at(off+te.Offset-1))
		}
		return nil, fmt.Errorf("@graph[%d]: %v%s", index, err, g.at(off))
	}
	types := append(e.Type, e.AtType...)
	if len(types) == 0 || strings.TrimSpace(types[0]) == "" {
		s := fmt.Sprintf("@graph[%d]", index)
		if e.id() != "" {
			s += fmt.Sprintf(" (%q)", msgtext.Clip(e.id(), 80))
		}
		return nil, fmt.Errorf("%s has no type%s", s, g.at(off))
	}
	e.typ = shortType(types[0])
	return e, nil
}

// shortType drops the namespace of a full type IRI: the 3.0 context writes
// "software_Package" for https://spdx.org/rdf/3.0.1/terms/Software/Package.
func shortType(t string) string {
	t = strings.TrimSpace(t)
	const terms = "/terms/"
	if i := strings.Index(t, terms); i >= 0 && strings.Contains(t, "spdx.org/rdf/3") {
		rest := t[i+len(terms):]
		if ns, name, ok := strings.Cut(rest, "/"); ok {
			if ns == "Core" {
				return name
			}
			return strings.ToLower(ns) + "_" + name
		}
	}
	return t
}

// register indexes an element by id; a second element with the same id is
// an error.
func (g *graph3) register(e *element3) error {
	id := e.id()
	if id == "" {
		return nil
	}
	if prev, ok := g.byID[id]; ok && prev != e {
		// The element is still read; references go to the first one.
		g.warnings = append(g.warnings, fmt.Sprintf("%s: spdxId %q is also the id of %s; references name the first", g.where(e), msgtext.Clip(id, 80), g.where(prev)))
		return nil
	}
	g.byID[id] = e
	if e.typ == "SpdxDocument" {
		for _, im := range e.Import {
			g.imported[im.ExternalSpdxID] = true
		}
	}
	return nil
}

// resolve returns the id a reference names and, when the element is in the
// document (or written inline), the element. A reference to an id that is
// in no element is an error, unless it is an IRI: SPDX 3 elements may refer
// to elements of other documents, which are kept by their IRI (with a
// warning unless the document imports them).
func (g *graph3) resolve(from *element3, field string, r ref3) (string, *element3, error) {
	r = bytes.TrimSpace(r)
	if len(r) == 0 || string(r) == "null" {
		return "", nil, nil
	}
	if r[0] == '{' {
		e, err := g.element(r, from.index, from.offset)
		if err != nil {
			return "", nil, fmt.Errorf("%s: field %s: %v", g.where(from), field, err)
		}
		if e.id() == "" {
			g.inline++
			e.AtID = fmt.Sprintf("_:pedigree-inline-%d", g.inline)
		} else if prev, ok := g.byID[e.id()]; ok {
			return prev.id(), prev, nil
		}
		g.byID[e.id()] = e
		return e.id(), e, nil
	}
	var id string
	if err := json.Unmarshal(r, &id); err != nil {
		return "", nil, fmt.Errorf("%s: field %s is %s, want an element id%s", g.where(from), field, jsonKind(r), g.at(from.offset))
	}
	id = strings.TrimSpace(id)
	if e, ok := g.byID[id]; ok {
		return id, e, nil
	}
	if isSpecial3(id) || isListedLicense(id) {
		return id, nil, nil
	}
	if g.imported[id] {
		return id, nil, nil
	}
	if isIRI(id) {
		g.warnings = append(g.warnings, fmt.Sprintf("%s: %s names %q, which is not in this document and not imported", g.where(from), field, msgtext.Clip(id, 120)))
		return id, nil, nil
	}
	return "", nil, fmt.Errorf("%s: %s names %q, which is no element of the document%s", g.where(from), field, msgtext.Clip(id, 120), g.at(from.offset))
}

// isSpecial3 reports the individuals SPDX 3 defines: NoneElement,
// NoAssertionElement, the NoAssertion and None licences.
func isSpecial3(id string) bool {
	switch shortType(id) {
	case "NoneElement", "NoAssertionElement", "expandedlicensing_NoAssertionLicense", "expandedlicensing_NoneLicense":
		return true
	}
	return false
}

// isListedLicense reports an SPDX License List IRI, which SPDX 3
// documents name without defining or importing it.
func isListedLicense(id string) bool {
	return strings.HasPrefix(id, "https://spdx.org/licenses/") || strings.HasPrefix(id, "http://spdx.org/licenses/")
}

// isIRI reports whether id is an absolute IRI (scheme:rest), not a local
// id or a blank node.
func isIRI(id string) bool {
	scheme, rest, ok := strings.Cut(id, ":")
	if !ok || scheme == "" || scheme == "_" || rest == "" {
		return false
	}
	for i, r := range scheme {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// Element classes, by short type.
func isPackage3(t string) bool {
	return t == "software_Package" || t == "ai_AIPackage" || t == "dataset_DatasetPackage"
}

func isCollection3(t string) bool {
	return t == "software_Sbom" || t == "Bom" || t == "Bundle" || t == "SpdxDocument"
}

func isRelationship3(t string) bool {
	return t == "Relationship" || t == "LifecycleScopedRelationship" || strings.HasPrefix(t, "security_") && strings.HasSuffix(t, "Relationship")
}

// toModel maps the graph onto the model.
func (g *graph3) toModel() (*model.Document, error) {
	out := &model.Document{}
	var doc *element3
	for _, e := range g.elements {
		if e.typ == "SpdxDocument" {
			doc = e
			break
		}
	}
	// docIDs are the ids that stand for the document itself: the
	// SpdxDocument and the collection(s) its roots are.
	docIDs := map[string]bool{}
	var roots []string
	addRoots := func(c *element3, field string) error {
		for _, r := range c.RootElement {
			id, e, err := g.resolve(c, field, r)
			if err != nil {
				return err
			}
			if e != nil && isCollection3(e.typ) && e != c {
				docIDs[id] = true
				for _, rr := range e.RootElement {
					id, _, err := g.resolve(e, "rootElement", rr)
					if err != nil {
						return err
					}
					if id != "" {
						roots = append(roots, id)
					}
				}
				continue
			}
			if id != "" {
				roots = append(roots, id)
			}
		}
		return nil
	}
	if doc != nil {
		docIDs[doc.id()] = true
		out.ID = strings.TrimSpace(doc.id())
		out.Name = doc.Name
		out.Comment = doc.Comment
		if err := addRoots(doc, "rootElement"); err != nil {
			return nil, err
		}
		if err := g.creation(doc, out); err != nil {
			return nil, err
		}
	} else {
		for _, e := range g.elements {
			if isCollection3(e.typ) {
				docIDs[e.id()] = true
				if err := addRoots(e, "rootElement"); err != nil {
					return nil, err
				}
				if out.Created == "" {
					if err := g.creation(e, out); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	refOf := func(id string) string {
		if docIDs[id] {
			return model.DocumentRef
		}
		return id
	}

	// Relationships first: licences and distribution artifacts go onto
	// the elements they name.
	type rel struct {
		from, typ, to string
		e             *element3
	}
	var rels []rel
	licensesOf := map[string][]string{}
	// artifactOf is the file each package names as its distribution
	// artifact (the first); mentions counts the relationships of each id.
	artifactOf := map[string]*element3{}
	mentions := map[string]int{}
	for _, e := range g.elements {
		if !isRelationship3(e.typ) {
			continue
		}
		if strings.TrimSpace(e.RelationshipType) == "" {
			return nil, fmt.Errorf("%s has no relationshipType%s", g.where(e), g.at(e.offset))
		}
		from, fe, err := g.resolve(e, "from", e.From)
		if err != nil {
			return nil, err
		}
		if from == "" {
			return nil, fmt.Errorf("%s has no from%s", g.where(e), g.at(e.offset))
		}
		for _, t := range e.To {
			to, te, err := g.resolve(e, "to", t)
			if err != nil {
				return nil, err
			}
			if to == "" {
				continue
			}
			mentions[from]++
			mentions[to]++
			switch e.RelationshipType {
			case "hasConcludedLicense", "hasDeclaredLicense":
				if l := licenseText(te, to); l != "" {
					licensesOf[from] = append(licensesOf[from], l)
				}
				continue
			case "hasDistributionArtifact":
				if te != nil && te.typ == "software_File" && fe != nil && isPackage3(fe.typ) {
					if _, ok := artifactOf[from]; !ok {
						artifactOf[from] = te
					}
				}
			}
			rels = append(rels, rel{from, e.RelationshipType, to, e})
		}
	}

	annotations := map[string][]model.Property{}
	for _, e := range g.elements {
		if e.typ != "Annotation" {
			continue
		}
		subject, _, err := g.resolve(e, "subject", e.Subject)
		if err != nil {
			return nil, err
		}
		if subject == "" || strings.TrimSpace(e.Statement) == "" {
			continue
		}
		annotator := ""
		if ci, err := g.creationInfo(e); err == nil && ci != nil {
			for _, r := range ci.CreatedBy {
				if _, a, err := g.resolve(ci, "createdBy", r); err == nil && a != nil {
					p := g.party(a)
					annotator = partyText(p)
					break
				}
			}
		}
		p := model.Property{Name: "annotation:" + annotator, Value: e.Statement}
		if docIDs[subject] {
			out.Properties = append(out.Properties, p)
		} else {
			annotations[subject] = append(annotations[subject], p)
		}
	}

	// A distribution artifact that says nothing but its name, and is in
	// no other relationship, is the package's file name (SPDX 2
	// packageFileName): it is not listed again as a file.
	folded := map[string]bool{}
	for _, f := range artifactOf {
		if mentions[f.id()] == 1 && len(f.VerifiedUsing) == 0 && !asserted(f.CopyrightText) && len(f.OriginatedBy) == 0 &&
			strings.TrimSpace(f.Comment) == "" && len(f.AttributionText) == 0 && len(annotations[f.id()]) == 0 {
			folded[f.id()] = true
		}
	}
	for _, e := range g.elements {
		switch {
		case isPackage3(e.typ):
			c, err := g.component(e)
			if err != nil {
				return nil, err
			}
			if f := artifactOf[c.Ref]; f != nil {
				c.FileName = f.Name
			}
			c.Licenses = licenses(licensesOf[c.Ref])
			c.Properties = append(append([]model.Property(nil), annotations[c.Ref]...), c.Properties...)
			out.Components = append(out.Components, c)
		case (e.typ == "software_File" || e.typ == "software_Snippet") && !folded[e.id()]:
			f, err := g.file(e)
			if err != nil {
				return nil, err
			}
			f.Licenses = licenses(licensesOf[f.Ref])
			for _, p := range annotations[f.Ref] {
				f.Comment = joinLines(f.Comment, "Annotation by "+strings.TrimPrefix(p.Name, "annotation:")+": "+p.Value)
			}
			out.Files = append(out.Files, f)
		}
	}

	described := map[string]bool{}
	for _, root := range roots {
		if !described[refOf(root)] {
			described[refOf(root)] = true
			out.Relationships = append(out.Relationships, model.Relationship{From: model.DocumentRef, Type: model.RelDescribes, To: refOf(root)})
		}
	}
	for _, r := range rels {
		if r.typ == "hasDistributionArtifact" && folded[r.to] {
			continue
		}
		m, typed := relationship3(refOf(r.from), r.typ, refOf(r.to), r.e.Scope)
		m.Comment = r.e.Comment
		if !typed {
			m.Comment = joinLines(m.Comment, scopeText(r.e.Scope))
		}
		if m.Type == model.RelDescribes && m.From == model.DocumentRef {
			if described[m.To] {
				continue
			}
			described[m.To] = true
		}
		out.Relationships = append(out.Relationships, m)
	}
	for _, r := range out.Relationships {
		if r.Type == model.RelDescribes && r.From == model.DocumentRef {
			out.Roots = append(out.Roots, r.To)
		}
	}
	out.Warnings = append(out.Warnings, g.warnings...)
	return out, nil
}

func scopeText(scope string) string {
	if strings.TrimSpace(scope) == "" {
		return ""
	}
	return "lifecycle scope: " + strings.TrimSpace(scope)
}

// creationInfo returns the CreationInfo of an element, nil when none.
func (g *graph3) creationInfo(e *element3) (*element3, error) {
	_, ci, err := g.resolve(e, "creationInfo", e.CreationInfo)
	return ci, err
}

// creation fills the document's creation time, authors and tools from the
// CreationInfo of e.
func (g *graph3) creation(e *element3, out *model.Document) error {
	ci, err := g.creationInfo(e)
	if err != nil || ci == nil {
		return err
	}
	out.Created = strings.TrimSpace(ci.Created)
	for _, r := range ci.CreatedBy {
		_, a, err := g.resolve(ci, "createdBy", r)
		if err != nil {
			return err
		}
		if a != nil {
			if p := g.party(a); !p.IsZero() {
				out.Authors = append(out.Authors, p)
			}
		}
	}
	for _, r := range ci.CreatedUsing {
		_, t, err := g.resolve(ci, "createdUsing", r)
		if err != nil {
			return err
		}
		if t != nil && strings.TrimSpace(t.Name) != "" {
			out.Tools = append(out.Tools, strings.TrimSpace(t.Name))
		}
	}
	if strings.TrimSpace(ci.Comment) != "" {
		out.Properties = append(out.Properties, model.Property{Name: "creator comment", Value: ci.Comment})
	}
	return nil
}

// party maps an Agent (Person, Organization, SoftwareAgent) or a Tool.
func (g *graph3) party(a *element3) model.Party {
	p := model.Party{Name: strings.TrimSpace(a.Name)}
	switch a.typ {
	case "Organization":
		p.Kind = "organization"
	case "Person":
		p.Kind = "person"
	case "SoftwareAgent", "Tool":
		p.Kind = "tool"
	}
	for _, x := range append(append([]externalIdentifier3(nil), a.ExternalIdentifier...), a.ExternalIdentifiers...) {
		switch strings.ToLower(x.Type) {
		case "email":
			if p.Email == "" {
				p.Email = strings.TrimSpace(x.Identifier)
			}
		case "urlscheme", "other":
			if v := strings.TrimSpace(x.Identifier); strings.HasPrefix(v, "http") {
				p.URLs = append(p.URLs, v)
			}
		}
	}
	return p
}

// partyText is "Organization: Name (email)", as SPDX 2 writes a party.
func partyText(p model.Party) string {
	s := p.Name
	if p.Email != "" {
		s += " (" + p.Email + ")"
	}
	switch p.Kind {
	case "organization":
		return "Organization: " + s
	case "person":
		return "Person: " + s
	case "tool":
		return "Tool: " + s
	}
	return s
}

// agent resolves a reference to an agent; nil when it names none (or
// NoAssertion/None).
func (g *graph3) agent(e *element3, field string, r ref3) (*model.Party, error) {
	_, a, err := g.resolve(e, field, r)
	if err != nil || a == nil {
		return nil, err
	}
	p := g.party(a)
	if p.IsZero() {
		return nil, nil
	}
	return &p, nil
}

// purpose turns a camelCase purpose ("operatingSystem") into the model's
// lower-case dashed form ("operating-system").
func purpose(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// component maps a software_Package (or an AI or dataset package).
func (g *graph3) component(e *element3) (*model.Component, error) {
	c := &model.Component{
		Ref:         e.id(),
		Type:        purpose(e.PrimaryPurpose),
		Name:        e.Name,
		Version:     e.PackageVersion,
		Description: e.Description,
	}
	summary := e.Summary
	if strings.TrimSpace(c.Description) == "" {
		c.Description, summary = summary, ""
	}
	comments := []string{e.Comment}
	if strings.TrimSpace(summary) != "" && summary != c.Description {
		comments = append(comments, "Summary: "+summary)
	}
	if strings.TrimSpace(e.SourceInfo) != "" {
		comments = append(comments, "Source information: "+e.SourceInfo)
	}
	c.Comment = joinLines(comments...)

	var err error
	if c.Supplier, err = g.agent(e, "suppliedBy", e.SuppliedBy); err != nil {
		return nil, err
	}
	for _, r := range e.OriginatedBy {
		p, err := g.agent(e, "originatedBy", r)
		if err != nil {
			return nil, err
		}
		switch {
		case p == nil:
		case c.Originator == nil:
			c.Originator = p
		default:
			// The model has one originator; the others are makers too.
			c.Authors = append(c.Authors, *p)
		}
	}
	if asserted(e.CopyrightText) {
		c.Copyright = strings.TrimSpace(e.CopyrightText)
	}
	c.Hashes = hashes3(e.VerifiedUsing)

	if asserted(e.DownloadLocation) {
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: "distribution", URL: strings.TrimSpace(e.DownloadLocation)})
	}
	if asserted(e.HomePage) {
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: "website", URL: strings.TrimSpace(e.HomePage)})
	}
	if purl := strings.TrimSpace(e.PackageURL); purl != "" {
		c.PURL = purl
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: "PACKAGE-MANAGER/purl", URL: purl})
	}
	identifiers(c, e)
	for _, t := range e.AttributionText {
		if strings.TrimSpace(t) != "" {
			c.Properties = append(c.Properties, attribution(t))
		}
	}
	return c, nil
}

// identifiers maps externalIdentifier, externalRef and contentIdentifier.
// Each identifier is also kept as an external reference named as SPDX 2
// names it ("SECURITY/cpe23Type"), so a document reads the same in both.
func identifiers(c *model.Component, e *element3) {
	for _, x := range append(append([]externalIdentifier3(nil), e.ExternalIdentifier...), e.ExternalIdentifiers...) {
		v := strings.TrimSpace(x.Identifier)
		if v == "" {
			continue
		}
		typ := "PERSISTENT-ID/" + x.Type
		switch strings.ToLower(x.Type) {
		case "cpe22":
			typ = "SECURITY/cpe22Type"
			c.CPEs = append(c.CPEs, v)
		case "cpe23":
			typ = "SECURITY/cpe23Type"
			c.CPEs = append(c.CPEs, v)
		case "packageurl":
			typ = "PACKAGE-MANAGER/purl"
			if c.PURL == v {
				continue
			}
			if c.PURL == "" {
				c.PURL = v
			}
		case "swid":
			typ = "SECURITY/swid"
			if c.SWID == nil {
				c.SWID = &model.SWID{TagID: v, Name: c.Name, Version: c.Version}
			}
		case "gitoid":
			typ = "PERSISTENT-ID/gitoid"
			c.OmniborIDs = append(c.OmniborIDs, v)
		case "swhid":
			typ = "PERSISTENT-ID/swh"
			c.SWHIDs = append(c.SWHIDs, v)
		case "email", "urlscheme", "securityother", "other":
			typ = "OTHER/" + x.Type
		}
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: typ, URL: v, Comment: x.Comment})
	}
	for _, x := range e.ContentIdentifier {
		v := strings.TrimSpace(x.Value)
		switch strings.ToLower(x.Type) {
		case "gitoid":
			c.OmniborIDs = append(c.OmniborIDs, v)
		case "swhid":
			c.SWHIDs = append(c.SWHIDs, v)
		}
	}
	for _, x := range e.ExternalRef {
		for _, l := range x.Locator {
			if l = strings.TrimSpace(l); l != "" {
				c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: x.Type, URL: l, Comment: x.Comment})
			}
		}
	}
}

// file maps a software_File or a software_Snippet onto an SPDX file of the
// model. A snippet gets the type SNIPPET and names its file in the comment.
func (g *graph3) file(e *element3) (*model.File, error) {
	f := &model.File{Ref: e.id(), Name: e.Name, Comment: e.Comment}
	if e.typ == "software_Snippet" {
		f.Types = append(f.Types, "SNIPPET")
		id, from, err := g.resolve(e, "software_snippetFromFile", e.SnippetFromFile)
		if err != nil {
			return nil, err
		}
		if id != "" {
			name := id
			if from != nil && from.Name != "" {
				name = from.Name
			}
			f.Comment = joinLines(f.Comment, "Snippet from: "+name)
		}
	}
	if strings.EqualFold(e.FileKind, "directory") {
		f.Types = append(f.Types, "DIRECTORY")
	}
	for _, p := range append([]string{e.PrimaryPurpose}, e.AdditionalPurpose...) {
		if p = strings.TrimSpace(p); p != "" {
			f.Types = append(f.Types, strings.ToUpper(strings.ReplaceAll(purpose(p), "-", "_")))
		}
	}
	f.Checksums = hashes3(e.VerifiedUsing)
	if asserted(e.CopyrightText) {
		f.Copyright = strings.TrimSpace(e.CopyrightText)
	}
	for _, r := range e.OriginatedBy {
		p, err := g.agent(e, "originatedBy", r)
		if err != nil {
			return nil, err
		}
		if p != nil && p.Name != "" {
			f.Contributors = append(f.Contributors, p.Name)
		}
	}
	for _, t := range e.AttributionText {
		if strings.TrimSpace(t) != "" {
			f.Comment = joinLines(f.Comment, "Attribution: "+t)
		}
	}
	return f, nil
}

func hashes3(in []integrity3) []model.Hash {
	var out []model.Hash
	for _, h := range in {
		v := strings.TrimSpace(h.HashValue)
		if v == "" || (h.Type != "" && shortType(h.Type) != "Hash") {
			continue
		}
		out = append(out, model.Hash{Algorithm: model.HashAlgorithm(h.Algorithm), Value: v})
	}
	return out
}

// licenseText is the licence an element stands for: an expression, a
// licence id, or the last part of its IRI.
func licenseText(e *element3, id string) string {
	if e == nil {
		if isSpecial3(id) {
			return ""
		}
		if i := strings.LastIndexAny(id, "/#"); i >= 0 {
			return id[i+1:]
		}
		return id
	}
	for _, s := range []string{e.LicenseExpression, e.LicenseID, e.Name} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return licenseText(nil, id)
}

// relationships3 maps an SPDX 3 relationship type onto the SPDX 2 type the
// model uses, as tools-golang converts SPDX 2.3 to 3.0 (spdx/v3/v3_0/
// convert.go), read backwards: "A hasVariant B" is "B VARIANT_OF A", so the
// pedigree relationships reach the same model types as in SPDX 2. inverse
// marks the types written the other way round in SPDX 2.
var relationships3 = map[string]struct {
	typ     string
	inverse bool
}{
	"describes":               {"DESCRIBES", false},
	"contains":                {"CONTAINS", false},
	"dependsOn":               {"DEPENDS_ON", false},
	"ancestorOf":              {"ANCESTOR_OF", false}, // model: turned into DESCENDANT_OF
	"descendantOf":            {"DESCENDANT_OF", false},
	"hasVariant":              {"VARIANT_OF", true},
	"copiedTo":                {"COPY_OF", true},
	"generates":               {"GENERATES", false}, // model: turned into GENERATED_FROM
	"hasDistributionArtifact": {"DISTRIBUTION_ARTIFACT", false},
	"hasStaticLink":           {"STATIC_LINK", false},
	"hasDynamicLink":          {"DYNAMIC_LINK", false},
	"hasPrerequisite":         {"HAS_PREREQUISITE", false},
	"hasOptionalComponent":    {"OPTIONAL_COMPONENT_OF", true},
	"hasOptionalDependency":   {"OPTIONAL_DEPENDENCY_OF", true},
	"hasProvidedDependency":   {"PROVIDED_DEPENDENCY_OF", true},
	"packagedBy":              {"PACKAGE_OF", true},
	"hasDataFile":             {"DATA_FILE_OF", true},
	"hasDocumentation":        {"DOCUMENTATION_OF", true},
	"expandsTo":               {"EXPANDED_FROM_ARCHIVE", true},
	"hasAddedFile":            {"FILE_ADDED", true},
	"hasDeletedFile":          {"FILE_DELETED", true},
	"modifiedBy":              {"FILE_MODIFIED", false},
	"hasMetadata":             {"METAFILE_OF", true},
	"patchedBy":               {"PATCH_FOR", true},
	"amendedBy":               {"AMENDS", true},
	"hasTestCase":             {"TEST_CASE_OF", true},
	"hasTest":                 {"TEST_OF", true},
	"hasExample":              {"EXAMPLE_OF", true},
	"hasDependencyManifest":   {"DEPENDENCY_MANIFEST_OF", true},
	"hasRequirement":          {"REQUIREMENT_DESCRIPTION_FOR", true},
	"hasSpecification":        {"SPECIFICATION_FOR", true},
	"other":                   {"OTHER", false},
}

// scoped3 are the SPDX 2 types that carry a lifecycle scope: a
// LifecycleScopedRelationship dependsOn or usesTool with one of these
// scopes becomes that type, turned round as SPDX 2 writes it ("A dependsOn
// B, scope test" is "B TEST_DEPENDENCY_OF A"), as tools-golang converts.
var scoped3 = map[[2]string]string{
	{"dependsOn", "build"}:       "BUILD_DEPENDENCY_OF",
	{"dependsOn", "development"}: "DEV_DEPENDENCY_OF",
	{"dependsOn", "test"}:        "TEST_DEPENDENCY_OF",
	{"dependsOn", "runtime"}:     "RUNTIME_DEPENDENCY_OF",
	{"usesTool", "build"}:        "BUILD_TOOL_OF",
	{"usesTool", "development"}:  "DEV_TOOL_OF",
	{"usesTool", "test"}:         "TEST_TOOL_OF",
}

// relationship3 maps one edge, and says whether its scope is carried by
// the type. Types not in the tables are kept in upper snake case
// ("hasInput" → "HAS_INPUT").
func relationship3(from, typ, to, scope string) (model.Relationship, bool) {
	typ = strings.TrimSpace(typ)
	if t, ok := scoped3[[2]string{typ, strings.TrimSpace(scope)}]; ok {
		return model.NewRelationship(to, t, from), true
	}
	if m, ok := relationships3[typ]; ok {
		if m.inverse {
			return model.NewRelationship(to, m.typ, from), false
		}
		return model.NewRelationship(from, m.typ, to), false
	}
	return model.NewRelationship(from, snake(typ), to), false
}

// snake turns "hasInput" into "HAS_INPUT".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}
