package spdx

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	tgspdx "github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// result is a document parsed by tools-golang, with what is needed to map
// it onto the model.
type result struct {
	doc *tgspdx.Document
	// version is the spdxVersion as the input wrote it ("SPDX-2.2").
	version string
	// unescape is set when the document was decoded from JSON text:
	// tools-golang cuts some values (creators, suppliers, originators,
	// annotators) from the raw JSON string without decoding its escapes.
	unescape bool
	// annotationTargets maps annotationKey to the refs of the elements
	// that carry that annotation, for RDF, whose reader loses them.
	annotationTargets map[string][]string
	// order is the position at which each element ref first appears in an
	// RDF document, and objects the position at which each value (or the
	// last part of each IRI) first appears as an object.
	order, objects map[string]int
	// licenses holds the license expressions of an RDF document (see
	// renderRDFLicenses).
	licenses map[string][]string
	// algorithms holds, by lower-case value, the real algorithm of RDF
	// checksums read with a placeholder algorithm.
	algorithms map[string]string
	// packages, when not nil, holds the downloadLocation, homepage and
	// primaryPackagePurpose of each package of an RDF document, by ref.
	packages map[string]rdfPackage
	// rdfRelationships, when not nil, are the relationships of an RDF
	// document, read from its triples.
	rdfRelationships []rdfRelationship
	// tol holds the defects mended before tools-golang read the input
	// (see tolerate.go); nil when none were looked for.
	tol *tolerance
}

// text returns a value tools-golang cut from raw JSON text, decoded.
func (r *result) text(s string) string {
	if !r.unescape || !strings.Contains(s, `\`) {
		return s
	}
	// The cut strips every leading and trailing quote, including the
	// quote of a final \" escape; put it back.
	q := s
	if n := len(q) - len(strings.TrimRight(q, `\`)); n%2 == 1 {
		q += `"`
	}
	var out string
	if err := json.Unmarshal([]byte(`"`+q+`"`), &out); err != nil {
		return s
	}
	return out
}

// toModel maps a tools-golang document onto the model.
func toModel(r *result) *model.Document {
	d := r.doc
	out := &model.Document{
		ID:      strings.TrimSpace(d.DocumentNamespace),
		Name:    d.DocumentName,
		Comment: d.DocumentComment,
	}
	docID := string(d.SPDXIdentifier)

	if ci := d.CreationInfo; ci != nil {
		out.Created = strings.TrimSpace(ci.Created)
		for _, c := range ci.Creators {
			value := strings.TrimSpace(r.text(c.Creator))
			typ := strings.TrimSpace(c.CreatorType)
			if value == "" {
				continue
			}
			if r.bare("creator", value) {
				typ = ""
			} else if strings.EqualFold(typ, "Tool") {
				out.Tools = append(out.Tools, value)
				continue
			}
			out.Authors = append(out.Authors, parseParty(typ, value))
		}
		if ci.CreatorComment != "" {
			out.Properties = append(out.Properties, model.Property{Name: "creator comment", Value: ci.CreatorComment})
		}
	}

	// Annotations the document lists on its own: on the document, or (in
	// tag-value and RDF) on an element named by ref.
	annotations := make(map[string][]model.Property)
	for _, a := range d.Annotations {
		if a == nil {
			continue
		}
		target := ""
		if ref := a.AnnotationSPDXIdentifier; ref.ElementRefID != "" || ref.DocumentRefID != "" {
			target = elementRef(ref, docID)
		} else if r.annotationTargets != nil {
			// RDF: the reader lost the target; take the next element
			// that carries an annotation with this content.
			k := annotationKey(a.Annotator.AnnotatorType, a.Annotator.Annotator, a.AnnotationDate, a.AnnotationComment)
			if targets := r.annotationTargets[k]; len(targets) > 0 {
				target = refOf(targets[0], docID)
				r.annotationTargets[k] = targets[1:]
			}
		}
		p := annotationProperty(r, a.Annotator, a.AnnotationComment)
		if target == "" || target == model.DocumentRef {
			out.Properties = append(out.Properties, p)
		} else {
			annotations[target] = append(annotations[target], p)
		}
	}

	packages := uniquePackages(d.Packages)
	if r.order != nil {
		sort.SliceStable(packages, func(i, j int) bool {
			return r.position(renderID(packages[i].PackageSPDXIdentifier)) < r.position(renderID(packages[j].PackageSPDXIdentifier))
		})
	}

	var (
		files     []*tgspdx.File
		seenFile  = make(map[*tgspdx.File]bool)
		contained []model.Relationship
	)
	addFile := func(f *tgspdx.File) {
		if f != nil && !seenFile[f] {
			seenFile[f] = true
			files = append(files, f)
		}
	}
	for _, f := range d.Files {
		addFile(f)
	}
	for _, p := range packages {
		c := component(r, p)
		props := append([]model.Property(nil), annotations[c.Ref]...)
		c.Properties = append(props, c.Properties...)
		out.Components = append(out.Components, c)
		for _, f := range p.Files {
			if f == nil {
				continue
			}
			addFile(f)
			if c.Ref != "" && f.FileSPDXIdentifier != "" {
				contained = append(contained, model.NewRelationship(c.Ref, "CONTAINS", renderID(f.FileSPDXIdentifier)))
			}
		}
	}
	if r.order != nil {
		sort.SliceStable(files, func(i, j int) bool {
			return r.position(renderID(files[i].FileSPDXIdentifier)) < r.position(renderID(files[j].FileSPDXIdentifier))
		})
	}
	seenRef := make(map[string]bool)
	for _, f := range files {
		ref := renderID(f.FileSPDXIdentifier)
		if ref != "" && seenRef[ref] {
			continue
		}
		seenRef[ref] = true
		m := file(r, f)
		for _, p := range annotations[m.Ref] {
			m.Comment = joinLines(m.Comment, "Annotation by "+strings.TrimPrefix(p.Name, "annotation:")+": "+p.Value)
		}
		out.Files = append(out.Files, m)
	}

	addRelationship := func(from, typ, to, comment string) {
		typ = strings.TrimSpace(typ)
		if from == "" || to == "" || typ == "" {
			return
		}
		m := model.NewRelationship(from, typ, to)
		m.Comment = comment
		out.Relationships = append(out.Relationships, m)
	}
	if r.rdfRelationships != nil {
		for _, rel := range r.rdfRelationships {
			addRelationship(refOf(rel.from, docID), rel.typ, refOf(rel.to, docID), rel.comment)
		}
	} else {
		for _, rel := range d.Relationships {
			if rel != nil {
				addRelationship(elementRef(rel.RefA, docID), rel.Relationship, elementRef(rel.RefB, docID), rel.RelationshipComment)
			}
		}
	}
	out.Relationships = append(out.Relationships, contained...)
	for _, rel := range out.Relationships {
		if rel.Type == model.RelDescribes && rel.From == model.DocumentRef {
			out.Roots = append(out.Roots, rel.To)
		}
	}
	return out
}

// position is where ref first appears in an RDF document.
func (r *result) position(ref string) int {
	if i, ok := r.order[ref]; ok {
		return i
	}
	return math.MaxInt
}

// component maps a package.
func component(r *result, p *tgspdx.Package) *model.Component {
	c := &model.Component{
		Ref:      renderID(p.PackageSPDXIdentifier),
		Type:     strings.ToLower(strings.ReplaceAll(strings.TrimSpace(p.PrimaryPackagePurpose), "_", "-")),
		Name:     p.PackageName,
		Version:  p.PackageVersion,
		FileName: p.PackageFileName,
	}

	description, summary := p.PackageDescription, p.PackageSummary
	if strings.TrimSpace(description) == "" {
		description, summary = summary, ""
	}
	c.Description = description
	comments := []string{p.PackageComment}
	if strings.TrimSpace(summary) != "" && summary != description {
		comments = append(comments, "Summary: "+summary)
	}
	if strings.TrimSpace(p.PackageSourceInfo) != "" {
		comments = append(comments, "Source information: "+p.PackageSourceInfo)
	}
	c.Comment = joinLines(comments...)

	if s := p.PackageSupplier; s != nil && asserted(s.Supplier) {
		party := r.party("supplier", s.SupplierType, s.Supplier)
		c.Supplier = &party
	}
	if o := p.PackageOriginator; o != nil && asserted(o.Originator) {
		party := r.party("originator", o.OriginatorType, o.Originator)
		c.Originator = &party
	}
	if asserted(p.PackageCopyrightText) {
		c.Copyright = strings.TrimSpace(p.PackageCopyrightText)
	}
	all := append([]string{p.PackageLicenseConcluded, p.PackageLicenseDeclared}, p.PackageLicenseInfoFromFiles...)
	if r.licenses != nil {
		all = r.rdfLicenses(c.Ref, "licenseConcluded", "licenseDeclared", "licenseInfoFromFiles")
	}
	c.Licenses = licenses(all)
	c.Hashes = r.hashes(p.PackageChecksums)

	download, homepage := p.PackageDownloadLocation, p.PackageHomePage
	if r.packages != nil {
		l := r.packages[c.Ref]
		download, homepage = l.download, l.homepage
		c.Type = strings.ToLower(l.purpose)
	}
	if asserted(download) {
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: "distribution", URL: strings.TrimSpace(download)})
	}
	if asserted(homepage) {
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: "website", URL: strings.TrimSpace(homepage)})
	}
	for _, e := range p.PackageExternalReferences {
		if e == nil {
			continue
		}
		category := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(e.Category), "_", "-"))
		typ := refType(e.RefType)
		locator := strings.TrimSpace(e.Locator)
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: category + "/" + typ, URL: locator, Comment: e.ExternalRefComment})
		if locator == "" {
			continue
		}
		switch strings.ToLower(typ) {
		case "purl":
			if c.PURL == "" {
				c.PURL = locator
			}
		case "cpe22type", "cpe23type":
			c.CPEs = append(c.CPEs, locator)
		}
	}

	for _, a := range p.Annotations {
		c.Properties = append(c.Properties, annotationProperty(r, a.Annotator, a.AnnotationComment))
	}
	for _, t := range p.PackageAttributionTexts {
		if strings.TrimSpace(t) != "" {
			c.Properties = append(c.Properties, attribution(t))
		}
	}
	return c
}

// file maps a file.
func file(r *result, f *tgspdx.File) *model.File {
	m := &model.File{
		Ref:     renderID(f.FileSPDXIdentifier),
		Name:    f.FileName,
		Notice:  f.FileNotice,
		Comment: f.FileComment,
	}
	for _, t := range f.FileTypes {
		if t = strings.ToUpper(strings.TrimSpace(t)); t != "" {
			m.Types = append(m.Types, t)
		}
	}
	m.Checksums = r.hashes(f.Checksums)
	if asserted(f.FileCopyrightText) {
		m.Copyright = strings.TrimSpace(f.FileCopyrightText)
	}
	for _, c := range f.FileContributors {
		if c = strings.TrimSpace(c); c != "" {
			m.Contributors = append(m.Contributors, c)
		}
	}
	// The model has no place of its own for these; they can name a vendor,
	// so they go into the comment.
	for _, t := range f.FileAttributionTexts {
		if strings.TrimSpace(t) != "" {
			m.Comment = joinLines(m.Comment, "Attribution: "+t)
		}
	}
	for _, a := range f.Annotations {
		p := annotationProperty(r, a.Annotator, a.AnnotationComment)
		m.Comment = joinLines(m.Comment, "Annotation by "+strings.TrimPrefix(p.Name, "annotation:")+": "+p.Value)
	}
	for _, a := range f.ArtifactOfProjects {
		if a != nil {
			m.Comment = joinLines(m.Comment, "Artifact of: "+strings.Join(nonEmpty(a.Name, a.HomePage, a.URI), " "))
		}
	}
	all := append([]string{f.LicenseConcluded}, f.LicenseInfoInFiles...)
	if r.licenses != nil {
		all = r.rdfLicenses(m.Ref, "licenseConcluded", "licenseInfoInFile")
	}
	m.Licenses = licenses(all)
	return m
}

// pedigreeFact starts the name of a fact pedigree's deep inspection
// recorded ("pedigree:copyright").
const pedigreeFact = "pedigree:"

// attribution is an attribution text as a property: "attribution", the
// text, or for a fact `pedigree sbom` wrote as "pedigree:NAME=VALUE"
// (SPDX having no properties), the property pedigree:NAME with the
// value, as a CycloneDX SBOM carries it; so that the matcher reads it as
// the evidence it is (a copyright, a signer, a host) rather than as a
// mention.
func attribution(t string) model.Property {
	name, value, ok := strings.Cut(strings.TrimLeft(t, " \t\r\n"), "=")
	if ok && len(name) > len(pedigreeFact) && strings.HasPrefix(name, pedigreeFact) && !strings.ContainsAny(name, " \t\r\n") {
		return model.Property{Name: name, Value: value}
	}
	return model.Property{Name: "attribution", Value: t}
}

// annotationProperty is an annotation as a property named after its
// annotator, "annotation:Organization: X (mail)".
func annotationProperty(r *result, a common.Annotator, comment string) model.Property {
	annotator := strings.TrimSpace(r.text(a.Annotator))
	if typ := strings.TrimSpace(a.AnnotatorType); typ != "" {
		annotator = typ + ": " + annotator
	}
	return model.Property{Name: "annotation:" + annotator, Value: comment}
}

// joinLines joins the non-blank texts with newlines.
func joinLines(texts ...string) string {
	var out []string
	for _, t := range texts {
		if strings.TrimSpace(t) != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n")
}

// nonEmpty returns the values that are not blank.
func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// party maps a supplier or originator. One written without its type is
// kept as written: its whole text is the name, of no stated kind.
func (r *result) party(field, typ, value string) model.Party {
	value = strings.TrimSpace(r.text(value))
	if r.bare(field, value) {
		return model.Party{Name: value, Raw: value}
	}
	return parseParty(strings.TrimSpace(typ), value)
}

// emailRE splits "Name (email)" at its last parenthesised part.
var emailRE = regexp.MustCompile(`^(.*?)\s*\(([^()]*)\)\s*$`)

// parseParty parses the value of an SPDX "Organization: Name (email)" or
// "Person: Name (email)" field. The parenthesised part is taken as the
// e-mail address only when it is empty or looks like one; otherwise it
// stays part of the name.
func parseParty(typ, value string) model.Party {
	p := model.Party{Name: value, Raw: value}
	if typ != "" {
		p.Raw = typ + ": " + value
	}
	switch strings.ToLower(typ) {
	case "organization", "organisation":
		p.Kind = "organization"
	case "person":
		p.Kind = "person"
	case "tool":
		p.Kind = "tool"
	}
	if m := emailRE.FindStringSubmatch(value); m != nil {
		email := strings.TrimSpace(m[2])
		if email == "" || strings.Contains(email, "@") {
			p.Name = strings.TrimSpace(m[1])
			p.Email = email
		}
	}
	return p
}

// asserted reports whether an SPDX value says something: not empty, not
// NOASSERTION, not NONE.
func asserted(s string) bool {
	s = strings.TrimPrefix(strings.TrimSpace(s), nsSPDX) // RDF: http://spdx.org/rdf/terms#noassertion
	return s != "" && !strings.EqualFold(s, "NOASSERTION") && !strings.EqualFold(s, "NONE")
}

// licenses returns the asserted license expressions, without duplicates,
// in order.
func licenses(values []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, v := range values {
		v = strings.TrimSpace(v)
		if asserted(v) && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func (r *result) hashes(sums []common.Checksum) []model.Hash {
	var out []model.Hash
	for _, s := range sums {
		v := strings.TrimSpace(s.Value)
		if v == "" {
			continue
		}
		alg := string(s.Algorithm)
		if real, ok := r.algorithms[strings.ToLower(v)]; ok && alg == placeholderAlgorithm {
			alg = real
		}
		out = append(out, model.Hash{Algorithm: model.HashAlgorithm(alg), Value: v})
	}
	return out
}

// refType returns an external reference type without the URI prefix the
// RDF dialect gives the SPDX-defined types.
func refType(t string) string {
	t = strings.TrimSpace(t)
	for _, prefix := range []string{"http://spdx.org/rdf/references/", "https://spdx.org/rdf/references/"} {
		if strings.HasPrefix(t, prefix) {
			return strings.TrimPrefix(t, prefix)
		}
	}
	return t
}

// renderID returns "SPDXRef-x" for the element id x, or "" for none.
func renderID(id common.ElementID) string {
	if id == "" {
		return ""
	}
	return common.RenderElementID(id)
}

// elementRef returns the model ref of an element named in a relationship
// or annotation: model.DocumentRef for the document itself, the full text
// for an element of another document, and "" for NONE and NOASSERTION.
func elementRef(id common.DocElementID, docID string) string {
	if id.SpecialID != "" {
		return ""
	}
	e := string(id.ElementRefID)
	if id.DocumentRefID != "" {
		if e == "" {
			return "DocumentRef-" + string(id.DocumentRefID)
		}
		return common.RenderDocElementID(id)
	}
	switch {
	case e == "", strings.EqualFold(e, "NONE"), strings.EqualFold(e, "NOASSERTION"):
		return ""
	case e == docID, e == "DOCUMENT":
		return model.DocumentRef
	}
	return common.RenderElementID(id.ElementRefID)
}

// refOf returns the model ref of an element written as "SPDXRef-x" or
// "DocumentRef-d:SPDXRef-x" (see elementRef).
func refOf(s, docID string) string {
	if s == "" {
		return ""
	}
	return elementRef(parseRef(s), docID)
}

// parseRef parses "SPDXRef-x" or "DocumentRef-d:SPDXRef-x".
func parseRef(s string) common.DocElementID {
	var id common.DocElementID
	if strings.HasPrefix(s, "DocumentRef-") {
		d, e, _ := strings.Cut(s, ":")
		id.DocumentRefID = common.DocumentID(strings.TrimPrefix(d, "DocumentRef-"))
		s = e
	}
	id.ElementRefID = common.ElementID(strings.TrimPrefix(s, "SPDXRef-"))
	return id
}

// uniquePackages returns the packages without nils and without a package
// listed twice (tools-golang's RDF reader can list one twice).
func uniquePackages(ps []*tgspdx.Package) []*tgspdx.Package {
	out := make([]*tgspdx.Package, 0, len(ps))
	seen := make(map[*tgspdx.Package]bool, len(ps))
	for _, p := range ps {
		if p != nil && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
