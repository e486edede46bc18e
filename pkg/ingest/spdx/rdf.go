package spdx

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	gordf "github.com/spdx/gordf/rdfloader/parser"
	"github.com/spdx/tools-golang/convert"
	tgspdx "github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	v22rdf "github.com/spdx/tools-golang/spdx/v2/v2_2/rdf/reader"
	v23rdf "github.com/spdx/tools-golang/spdx/v2/v2_3/rdf/reader"
)

const (
	nsSPDX       = "http://spdx.org/rdf/terms#"
	nsDOAP       = "http://usefulinc.com/ns/doap#"
	rdfsComment  = "http://www.w3.org/2000/01/rdf-schema#comment"
	predVersion  = nsSPDX + "specVersion"
	predAnnot    = nsSPDX + "annotation"
	predAnnotor  = nsSPDX + "annotator"
	predAnnotDay = nsSPDX + "annotationDate"
	predRelation = nsSPDX + "relationship"
)

// decodeRDF reads an SPDX RDF/XML document.
func decodeRDF(data []byte) (*result, error) {
	triples, err := parseRDFXML(data)
	if err != nil {
		return nil, err
	}
	if len(triples) == 0 {
		return nil, errors.New("no RDF statements")
	}
	version := ""
	for _, t := range triples {
		if t.Predicate.ID == predVersion {
			version = strings.TrimSpace(t.Object.ID)
			break
		}
	}
	if version == "" {
		return nil, errors.New("specVersion is missing")
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	hasDocument := false
	for _, t := range triples {
		if t.Predicate.ID == nsRDF+"type" && t.Object.ID == nsSPDX+"SpdxDocument" && t.Subject.NodeType == gordf.IRI {
			hasDocument = true
			break
		}
	}
	if !hasDocument {
		return nil, errors.New("no spdx:SpdxDocument with an rdf:about IRI")
	}
	known := v22rdf.AllRelationshipTypes()
	if version == version23 {
		known = v23rdf.AllRelationshipTypes()
	}
	fed, adapted := adapt(prune(triples), known)
	fed = attachOrphans(fed)
	p := &gordf.Parser{Triples: fed}
	var doc tgspdx.Document
	err = guard("the SPDX RDF parser", func() error {
		if version == version23 {
			d, err := v23rdf.LoadFromGoRDFParser(p)
			if err != nil {
				return err
			}
			doc = *d
			return nil
		}
		// tools-golang has no RDF reader for 2.1; its 2.2 reader reads the
		// 2.1 vocabulary too.
		d, err := v22rdf.LoadFromGoRDFParser(p)
		if err != nil {
			return err
		}
		return convert.Document(d, &doc)
	})
	if err != nil {
		return nil, err
	}
	r := &result{doc: &doc, version: version, algorithms: adapted.algorithms, packages: adapted.packages}
	rdfExtras(r, triples)
	restoreOrder(r)
	return r, nil
}

// rdfRelationship is a relationship as the RDF triples state it.
type rdfRelationship struct {
	from, typ, to, comment string
}

// rdfExtras recovers from the triples what tools-golang's RDF reader loses
// or gets wrong: which element each annotation is attached to (the reader
// lists every annotation as the document's), the order in which elements
// first appear (the reader collects files in a map), and the relationships
// in document order, with the types the reader does not know and with
// elements of other documents.
func rdfExtras(r *result, triples []*gordf.Triple) {
	bySubject := make(map[string][]*gordf.Triple)
	r.order = make(map[string]int)
	for i, t := range triples {
		bySubject[t.Subject.String()] = append(bySubject[t.Subject.String()], t)
		if t.Subject.NodeType == gordf.IRI {
			if _, frag := splitIRI(t.Subject.ID); frag != "" {
				if _, seen := r.order[frag]; !seen {
					r.order[frag] = i
				}
			}
		}
	}
	r.objects = make(map[string]int)
	for i, t := range triples {
		for _, k := range []string{t.Object.ID, lastPart(t.Object.ID)} {
			if _, seen := r.objects[k]; !seen {
				r.objects[k] = i
			}
		}
	}
	r.licenses = renderRDFLicenses(triples, bySubject)
	r.annotationTargets = make(map[string][]string)
	r.rdfRelationships = []rdfRelationship{}
	for _, t := range triples {
		switch t.Predicate.ID {
		case predAnnot:
			var annotator, date, comment string
			for _, a := range bySubject[t.Object.String()] {
				switch a.Predicate.ID {
				case predAnnotor:
					annotator = a.Object.ID
				case predAnnotDay:
					date = a.Object.ID
				case rdfsComment:
					comment = a.Object.ID
				}
			}
			typ, name, _ := strings.Cut(annotator, ":")
			k := annotationKey(strings.TrimSpace(typ), strings.TrimSpace(name), date, comment)
			r.annotationTargets[k] = append(r.annotationTargets[k], r.rdfRef(t.Subject.ID))
		case nsSPDX + "describesPackage":
			r.rdfRelationships = append(r.rdfRelationships, rdfRelationship{from: r.rdfRef(t.Subject.ID), typ: "DESCRIBES", to: r.rdfRef(t.Object.ID)})
		case predRelation:
			rel := rdfRelationship{from: r.rdfRef(t.Subject.ID)}
			for _, a := range bySubject[t.Object.String()] {
				switch a.Predicate.ID {
				case nsSPDX + "relationshipType":
					_, name, _ := strings.Cut(a.Object.ID, "relationshipType_")
					rel.typ = rdfRelationshipType(name)
				case nsSPDX + "relatedSpdxElement":
					rel.to = r.rdfRef(a.Object.ID)
				case rdfsComment:
					rel.comment = a.Object.ID
				}
			}
			r.rdfRelationships = append(r.rdfRelationships, rel)
		}
	}
}

// splitIRI splits an element IRI into the namespace and the fragment
// ("SPDXRef-x"); without a "#" the fragment is the last path segment.
func splitIRI(iri string) (string, string) {
	if i := strings.LastIndexByte(iri, '#'); i >= 0 {
		return iri[:i], iri[i+1:]
	}
	if i := strings.LastIndexByte(iri, '/'); i >= 0 {
		return iri[:i+1], iri[i+1:]
	}
	return "", iri
}

// rdfRef returns the ref ("SPDXRef-x", "DocumentRef-d:SPDXRef-x") of the
// element an IRI names, or "" for none.
func (r *result) rdfRef(iri string) string {
	ns, frag := splitIRI(strings.TrimSpace(iri))
	if frag == "" {
		return ""
	}
	if ns != "" && ns != r.doc.DocumentNamespace {
		for _, e := range r.doc.ExternalDocumentReferences {
			if strings.TrimSpace(e.URI) == ns && e.DocumentRefID != "" {
				return "DocumentRef-" + strings.TrimPrefix(string(e.DocumentRefID), "DocumentRef-") + ":" + frag
			}
		}
	}
	return frag
}

// rdfRelationshipTypes spells the RDF relationship type names whose upper
// snake case form is not the SPDX name.
var rdfRelationshipTypes = map[string]string{
	"amendment":     "AMENDS",
	"amends":        "AMENDS",
	"testcaseOf":    "TEST_CASE_OF",
	"dataFile":      "DATA_FILE_OF",
	"documentation": "DOCUMENTATION_OF",
}

// rdfRelationshipType turns an RDF relationship type name ("dependsOn")
// into the SPDX name ("DEPENDS_ON"); it serves for other camel case names
// of the RDF vocabulary too ("operatingSystem").
func rdfRelationshipType(name string) string {
	name = strings.TrimSpace(name)
	if t, ok := rdfRelationshipTypes[name]; ok {
		return t
	}
	var b strings.Builder
	for i, c := range name {
		if i > 0 && c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(c)
	}
	return strings.ToUpper(b.String())
}

// annotationKey identifies an annotation by its content.
func annotationKey(annotatorType, annotator, date, comment string) string {
	return strings.Join([]string{annotatorType, annotator, strings.TrimSpace(date), strings.TrimSpace(comment)}, "\x00")
}

// licenseTypes are the classes of license nodes, and licensePredicates the
// properties of them that tools-golang's RDF reader knows. It refuses a
// document with any other property on a license (such as the
// licenseTextHtml and crossRef of the spdx-spec examples), and pedigree
// needs only the license identifiers, so the others are dropped.
var (
	licenseTypes = map[string]bool{
		nsSPDX + "License":                true,
		nsSPDX + "ListedLicense":          true,
		nsSPDX + "ExtractedLicensingInfo": true,
		nsSPDX + "SimpleLicensingInfo":    true,
		nsSPDX + "LicenseException":       true,
		nsSPDX + "ListedLicenseException": true,
	}
	licensePredicates = map[string]bool{
		nsRDF + "type":                           true,
		rdfsComment:                              true,
		nsSPDX + "licenseId":                     true,
		nsSPDX + "name":                          true,
		nsSPDX + "example":                       true,
		nsSPDX + "isOsiApproved":                 true,
		nsSPDX + "licenseText":                   true,
		nsSPDX + "standardLicenseHeader":         true,
		nsSPDX + "standardLicenseTemplate":       true,
		nsSPDX + "standardLicenseHeaderTemplate": true,
		nsSPDX + "isDeprecatedLicenseId":         true,
		nsSPDX + "isFsfLibre":                    true,
		nsSPDX + "extractedText":                 true,
		nsSPDX + "licenseExceptionId":            true,
		nsSPDX + "licenseExceptionText":          true,
	}
)

// prune drops the license properties tools-golang does not know, with the
// anonymous nodes only they lead to, and the statements about anonymous
// nodes that nothing leads to and that have no type (tools-golang expects
// every top-level node to have one).
func prune(triples []*gordf.Triple) []*gordf.Triple {
	isLicense := make(map[string]bool)
	bySubject := make(map[string][]int)
	for i, t := range triples {
		k := t.Subject.String()
		bySubject[k] = append(bySubject[k], i)
		if t.Predicate.ID == nsRDF+"type" && licenseTypes[t.Object.ID] {
			isLicense[k] = true
		}
	}
	drop := make([]bool, len(triples))
	// refs counts the kept statements that lead to each node.
	refs := make(map[string]int)
	typed := make(map[string]bool)
	for i, t := range triples {
		if isLicense[t.Subject.String()] && !licensePredicates[t.Predicate.ID] {
			drop[i] = true
			continue
		}
		refs[t.Object.String()]++
		if t.Predicate.ID == nsRDF+"type" {
			typed[t.Subject.String()] = true
		}
	}
	anonymous := func(n *gordf.Node) bool {
		return n.NodeType != gordf.IRI && n.NodeType != gordf.LITERAL && n.NodeType != gordf.RESOURCELITERAL
	}
	// Orphans are anonymous nodes that no kept statement leads to any more.
	var orphans []string
	seen := make(map[string]bool)
	for i, t := range triples {
		if drop[i] && anonymous(t.Object) && refs[t.Object.String()] == 0 && !seen[t.Object.String()] {
			seen[t.Object.String()] = true
			orphans = append(orphans, t.Object.String())
		}
	}
	for len(orphans) > 0 {
		k := orphans[len(orphans)-1]
		orphans = orphans[:len(orphans)-1]
		for _, i := range bySubject[k] {
			if drop[i] {
				continue
			}
			drop[i] = true
			o := triples[i].Object
			ok := o.String()
			refs[ok]--
			if anonymous(o) && refs[ok] == 0 && !seen[ok] {
				seen[ok] = true
				orphans = append(orphans, ok)
			}
		}
	}
	// Untyped nodes nothing leads to: tools-golang's reader fails on them
	// (and could not read them anyway).
	for i, t := range triples {
		if !drop[i] && refs[t.Subject.String()] == 0 && !typed[t.Subject.String()] {
			drop[i] = true
		}
	}
	out := make([]*gordf.Triple, 0, len(triples))
	for i, t := range triples {
		if !drop[i] {
			out = append(out, t)
		}
	}
	return out
}

// placeholderAlgorithm stands in for the checksum algorithms tools-golang's
// RDF reader refuses (it knows MD2-6 and SHA-1/224/256/384/512 only).
const placeholderAlgorithm = "MD6"

// readerAlgorithms are the checksum algorithms tools-golang's RDF reader
// knows, as the RDF vocabulary writes them.
var readerAlgorithms = map[string]bool{
	"md2": true, "md4": true, "md5": true, "md6": true,
	"sha1": true, "sha224": true, "sha256": true, "sha384": true, "sha512": true,
}

// rdfAdapted is what adapt took out of the triples or changed in them.
type rdfAdapted struct {
	// algorithms holds, by lower-case checksum value, the real algorithm
	// of each checksum given the placeholder.
	algorithms map[string]string
	// packages holds the downloadLocation, homepage and
	// primaryPackagePurpose of each package, by ref.
	packages map[string]rdfPackage
}

type rdfPackage struct{ download, homepage, purpose string }

// adapt makes the triples acceptable to tools-golang's RDF reader, which
// refuses much that is valid or harmless:
//   - a checksum algorithm it does not know (SHA3, BLAKE2b, BLAKE3,
//     ADLER32...) is swapped for a placeholder, the real one kept by value;
//   - a relationship type it does not know (SPDX 2.3's specificationFor...)
//     becomes "other" (pedigree reads relationships from the triples, see
//     rdfExtras);
//   - downloadLocation and homepage, which it refuses unless they parse as
//     URIs (a "git+https://...@v1" locator, a NOASSERTION literal), and
//     primaryPackagePurpose, which it misreads (it expects packagePurpose_x
//     where SPDX 2.3 has purpose_x), are taken out and kept by package;
//   - the license properties of elements are taken out (see
//     licenseProperties);
//   - a supplier or originator of NONE, which it refuses, is dropped.
func adapt(triples []*gordf.Triple, knownRelationships []string) ([]*gordf.Triple, rdfAdapted) {
	const prefix = "checksumAlgorithm_"
	known := make(map[string]bool, len(knownRelationships))
	for _, k := range knownRelationships {
		known[k] = true
	}
	values := make(map[string]string)
	for _, t := range triples {
		if t.Predicate.ID == nsSPDX+"checksumValue" {
			values[t.Subject.String()] = strings.ToLower(strings.TrimSpace(t.Object.ID))
		}
	}
	a := rdfAdapted{algorithms: map[string]string{}, packages: map[string]rdfPackage{}}
	out := make([]*gordf.Triple, 0, len(triples))
	for _, t := range triples {
		switch t.Predicate.ID {
		case nsSPDX + "relationshipType":
			if _, name, _ := strings.Cut(t.Object.ID, "relationshipType_"); !known[strings.TrimSpace(name)] {
				t = &gordf.Triple{Subject: t.Subject, Predicate: t.Predicate,
					Object: &gordf.Node{NodeType: t.Object.NodeType, ID: nsSPDX + "relationshipType_other"}}
			}
		case nsSPDX + "algorithm":
			_, name, ok := strings.Cut(t.Object.ID, prefix)
			if !ok || readerAlgorithms[strings.ToLower(strings.TrimSpace(name))] {
				break
			}
			if v := values[t.Subject.String()]; v != "" {
				a.algorithms[v] = name
			}
			t = &gordf.Triple{Subject: t.Subject, Predicate: t.Predicate,
				Object: &gordf.Node{NodeType: t.Object.NodeType, ID: nsSPDX + prefix + strings.ToLower(placeholderAlgorithm)}}
		case nsSPDX + "downloadLocation", nsDOAP + "homepage", nsSPDX + "primaryPackagePurpose":
			_, ref := splitIRI(t.Subject.ID)
			p := a.packages[ref]
			v := strings.TrimSpace(t.Object.ID)
			ns, frag := splitIRI(v)
			isVocabulary := ns+"#" == nsSPDX
			switch t.Predicate.ID {
			case nsDOAP + "homepage":
				p.homepage = v
			case nsSPDX + "downloadLocation":
				if isVocabulary {
					v = strings.ToUpper(frag) // http://spdx.org/rdf/terms#noassertion
				}
				p.download = v
			default:
				for _, prefix := range []string{"packagePurpose_", "purpose_"} {
					frag = strings.TrimPrefix(frag, prefix)
				}
				p.purpose = strings.ReplaceAll(rdfRelationshipType(frag), "_", "-")
			}
			a.packages[ref] = p
			continue
		case nsSPDX + "licenseConcluded", nsSPDX + "licenseDeclared", nsSPDX + "licenseInfoFromFiles",
			nsSPDX + "licenseInfoInFile", nsSPDX + "licenseInfoInSnippet":
			continue
		case nsSPDX + "supplier", nsSPDX + "originator":
			if strings.EqualFold(strings.TrimSpace(t.Object.ID), "NONE") {
				continue
			}
		}
		out = append(out, t)
	}
	return out, a
}

// attachOrphans makes tools-golang's RDF reader read every package and
// file. The reader reads only the elements it reaches from the document
// node by nesting, so a package written at the top level and only referred
// to with rdf:resource (as in the spdx-spec examples) would be lost. Each
// such element gets a relationship of type OTHER from the document; the
// relationships pedigree reports are read from the original triples.
func attachOrphans(triples []*gordf.Triple) []*gordf.Triple {
	var doc *gordf.Node
	nested := make(map[string]bool)
	var elements []*gordf.Node
	seen := make(map[string]bool)
	for _, t := range triples {
		if t.Object.NodeType == gordf.IRI && t.Predicate.ID != nsRDF+"type" {
			nested[t.Object.ID] = true
		}
		if t.Predicate.ID != nsRDF+"type" || t.Subject.NodeType != gordf.IRI {
			continue
		}
		switch t.Object.ID {
		case nsSPDX + "SpdxDocument":
			if doc == nil {
				doc = t.Subject
			}
		case nsSPDX + "Package", nsSPDX + "File":
			if !seen[t.Subject.ID] {
				seen[t.Subject.ID] = true
				elements = append(elements, t.Subject)
			}
		}
	}
	if doc == nil {
		return triples
	}
	out := triples
	typ := &gordf.Node{NodeType: gordf.IRI, ID: nsRDF + "type"}
	for i, e := range elements {
		if nested[e.ID] {
			continue
		}
		rel := &gordf.Node{NodeType: gordf.BLANK, ID: fmt.Sprintf("pedigree-orphan-%d", i)}
		out = append(out,
			&gordf.Triple{Subject: doc, Predicate: &gordf.Node{NodeType: gordf.IRI, ID: predRelation}, Object: rel},
			&gordf.Triple{Subject: rel, Predicate: typ, Object: &gordf.Node{NodeType: gordf.IRI, ID: nsSPDX + "Relationship"}},
			&gordf.Triple{Subject: rel, Predicate: &gordf.Node{NodeType: gordf.IRI, ID: nsSPDX + "relationshipType"}, Object: &gordf.Node{NodeType: gordf.IRI, ID: nsSPDX + "relationshipType_other"}},
			&gordf.Triple{Subject: rel, Predicate: &gordf.Node{NodeType: gordf.IRI, ID: nsSPDX + "relatedSpdxElement"}, Object: e},
		)
	}
	return out
}

// lastPart is what follows the last "#" or "/" of an IRI.
func lastPart(iri string) string {
	_, frag := splitIRI(iri)
	return frag
}

// rank is the position of the first statement whose object is value (or an
// IRI ending in value), for putting back into document order the lists
// tools-golang's RDF reader shuffles (it collects the statements about each
// node in a map).
func (r *result) rank(values ...string) int {
	for _, v := range values {
		if i, ok := r.objects[v]; ok {
			return i
		}
	}
	return math.MaxInt
}

func sortByRank[T any](r *result, items []T, key func(T) []string) {
	sort.SliceStable(items, func(i, j int) bool {
		return r.rank(key(items[i])...) < r.rank(key(items[j])...)
	})
}

func sortStrings(r *result, items []string, prefix string) {
	sortByRank(r, items, func(s string) []string { return []string{s, prefix + s} })
}

// restoreOrder puts the lists of an RDF document back into document order.
func restoreOrder(r *result) {
	d := r.doc
	checksum := func(c common.Checksum) []string { return []string{c.Value} }
	if ci := d.CreationInfo; ci != nil {
		sortByRank(r, ci.Creators, func(c common.Creator) []string {
			return []string{c.CreatorType + ": " + c.Creator}
		})
	}
	sortByRank(r, d.Annotations, func(a *tgspdx.Annotation) []string {
		if a == nil {
			return nil
		}
		return []string{a.AnnotationComment}
	})
	for _, p := range d.Packages {
		if p == nil {
			continue
		}
		sortByRank(r, p.PackageChecksums, checksum)
		sortByRank(r, p.PackageExternalReferences, func(e *tgspdx.PackageExternalReference) []string {
			if e == nil {
				return nil
			}
			return []string{e.Locator}
		})
		sortStrings(r, p.PackageLicenseInfoFromFiles, "")
		sortStrings(r, p.PackageAttributionTexts, "")
		sortByRank(r, p.Files, func(f *tgspdx.File) []string {
			if f == nil {
				return nil
			}
			return []string{renderID(f.FileSPDXIdentifier)}
		})
	}
	files := append([]*tgspdx.File(nil), d.Files...)
	for _, p := range d.Packages {
		if p != nil {
			files = append(files, p.Files...)
		}
	}
	for _, f := range files {
		if f == nil {
			continue
		}
		sortByRank(r, f.Checksums, checksum)
		sortStrings(r, f.FileTypes, "fileType_")
		sortStrings(r, f.FileContributors, "")
		sortStrings(r, f.LicenseInfoInFiles, "")
		sortStrings(r, f.FileAttributionTexts, "")
	}
}

// renderRDFLicenses renders the license properties of every element (see
// licenseProperties) as license expressions, keyed by licenseKey.
func renderRDFLicenses(triples []*gordf.Triple, bySubject map[string][]*gordf.Triple) map[string][]string {
	byIRI := make(map[string][]*gordf.Triple)
	for _, t := range triples {
		if t.Subject.NodeType == gordf.IRI {
			byIRI[t.Subject.ID] = append(byIRI[t.Subject.ID], t)
		}
	}
	var render func(n *gordf.Node, depth int, nested bool) string
	render = func(n *gordf.Node, depth int, nested bool) string {
		if n.NodeType == gordf.LITERAL {
			return strings.TrimSpace(n.ID)
		}
		about := bySubject[n.String()]
		if len(about) == 0 && n.NodeType != gordf.BLANK && n.NodeType != gordf.NODEIDLITERAL {
			about = byIRI[n.ID]
		}
		var typ, id string
		var members []*gordf.Node
		var exception *gordf.Node
		for _, t := range about {
			switch t.Predicate.ID {
			case nsRDF + "type":
				typ = t.Object.ID
			case nsSPDX + "licenseId":
				id = strings.TrimSpace(t.Object.ID)
			case nsSPDX + "member":
				members = append(members, t.Object)
			case nsSPDX + "licenseException":
				exception = t.Object
			}
		}
		if depth > 50 {
			return ""
		}
		switch typ {
		case nsSPDX + "ConjunctiveLicenseSet", nsSPDX + "DisjunctiveLicenseSet":
			op := " AND "
			if typ == nsSPDX+"DisjunctiveLicenseSet" {
				op = " OR "
			}
			var parts []string
			for _, m := range members {
				if p := render(m, depth+1, true); p != "" {
					parts = append(parts, p)
				}
			}
			e := strings.Join(parts, op)
			if nested && len(parts) > 1 {
				e = "(" + e + ")"
			}
			return e
		case nsSPDX + "WithExceptionOperator":
			if len(members) == 0 {
				return ""
			}
			e := render(members[0], depth+1, true)
			if exception != nil {
				name := lastPart(exception.ID)
				for _, t := range bySubject[exception.String()] {
					if t.Predicate.ID == nsSPDX+"licenseExceptionId" {
						name = strings.TrimSpace(t.Object.ID)
					}
				}
				e += " WITH " + name
			}
			return e
		case nsSPDX + "OrLaterOperator":
			if len(members) == 0 {
				return ""
			}
			return render(members[0], depth+1, true) + "+"
		}
		if id != "" {
			return id
		}
		name := lastPart(n.ID)
		switch strings.ToLower(name) {
		case "noassertion":
			return "NOASSERTION"
		case "none":
			return "NONE"
		}
		return name
	}
	out := make(map[string][]string)
	for _, t := range triples {
		if licenseProperties[t.Predicate.ID] && t.Subject.NodeType == gordf.IRI {
			k := licenseKey(lastPart(t.Subject.ID), strings.TrimPrefix(t.Predicate.ID, nsSPDX))
			out[k] = append(out[k], render(t.Object, 0, false))
		}
	}
	return out
}

// licenseProperties are the license properties of packages, files and
// snippets. pedigree renders them from the triples (see renderRDFLicenses) and
// keeps them from tools-golang's reader, which would render them in random
// order, refuses licenses it cannot resolve, and scans every statement of
// the document for each license it reads.
var licenseProperties = map[string]bool{
	nsSPDX + "licenseConcluded":     true,
	nsSPDX + "licenseDeclared":      true,
	nsSPDX + "licenseInfoFromFiles": true,
	nsSPDX + "licenseInfoInFile":    true,
	nsSPDX + "licenseInfoInSnippet": true,
}

// licenseKey keys renderRDFLicenses: the element ref and the property name.
func licenseKey(ref, property string) string {
	return ref + "\x00" + property
}

// rdfLicenses returns the licenses of the element ref under the given
// properties, in that order.
func (r *result) rdfLicenses(ref string, properties ...string) []string {
	var out []string
	for _, p := range properties {
		out = append(out, r.licenses[licenseKey(ref, p)]...)
	}
	return out
}
