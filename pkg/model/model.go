// Package model is pedigree's format-neutral view of an SBOM.
//
// Every decoder in pkg/ingest produces a Document, and every later stage
// (matching, policy, reports) reads only this model. The model keeps every
// field that can reveal who really made a component: names and identifiers,
// the parties (supplier, manufacturer, publisher, authors, originator),
// copyright text, hashes, external references, properties, CycloneDX
// pedigree and evidence, SPDX files, and the relationships between elements.
//
// Lists are never nil after Normalize, so the JSON form has [] rather than
// null, and the order of every list is the order of the input document.
package model

// Format names an SBOM dialect. The values appear in reports and are part of
// the JSON contract.
type Format string

// The dialects pedigree knows.
const (
	FormatCycloneDXJSON Format = "cyclonedx-json"
	FormatCycloneDXXML  Format = "cyclonedx-xml"
	FormatSPDXJSON      Format = "spdx-json"
	FormatSPDXTagValue  Format = "spdx-tag-value"
	FormatSPDXYAML      Format = "spdx-yaml"
	FormatSPDXRDF       Format = "spdx-rdf"
	FormatSPDXXML       Format = "spdx-xml"
	FormatSPDX3JSONLD   Format = "spdx3-jsonld"
	FormatSyftJSON      Format = "syft-json"
)

// Document is one SBOM, whatever dialect it was written in.
type Document struct {
	// Source is the input as the user named it (a path, or "-" for stdin).
	Source string `json:"source"`
	// Format and SpecVersion say which dialect and version the input was.
	Format      Format `json:"format"`
	SpecVersion string `json:"specVersion"`
	// ID is the document's own identifier: a CycloneDX serialNumber or an
	// SPDX documentNamespace.
	ID string `json:"id,omitempty"`
	// Name is the SPDX document name (CycloneDX documents have none).
	Name string `json:"name,omitempty"`
	// Created is the creation timestamp as written in the input.
	Created string `json:"created,omitempty"`
	// Authors are the people or organisations that wrote the SBOM
	// (CycloneDX metadata.authors, SPDX creators of kind Person/Organization).
	Authors []Party `json:"authors"`
	// Tools are the tools that wrote the SBOM ("name version").
	Tools []string `json:"tools"`
	// Supplier and Manufacturer are CycloneDX metadata.supplier and
	// metadata.manufacturer (or the older metadata.manufacture).
	Supplier     *Party `json:"supplier,omitempty"`
	Manufacturer *Party `json:"manufacturer,omitempty"`
	// Properties are document-level name/value pairs.
	Properties []Property `json:"properties"`
	// Comment is free text about the document.
	Comment string `json:"comment,omitempty"`
	// Roots are the refs of the product(s) the document describes: CycloneDX
	// metadata.component, SPDX documentDescribes and DESCRIBES relationships.
	Roots []string `json:"roots"`
	// Components holds every component, nested ones included, flattened in
	// document order. A nested component names its parent in Parent.
	Components []*Component `json:"components"`
	// Files are SPDX file elements (CycloneDX files are components of type
	// "file").
	Files []*File `json:"files"`
	// Relationships is the graph between elements, normalised to the forward
	// form (see RelationshipType).
	Relationships []Relationship `json:"relationships"`
	// Warnings are problems in the input that did not stop evaluation, such
	// as values that break the specification. Each one names where it is.
	Warnings []string `json:"warnings"`
	// Gaps are the parts of the input whose contents were not inspected (a
	// limit hit, an archive that could not be read): a document with gaps
	// does not show everything the input holds. GapCount counts them all,
	// listed or not.
	Gaps     []Gap `json:"gaps,omitempty"`
	GapCount int   `json:"gapCount,omitempty"`
}

// Gap is a part of the input whose contents were not inspected.
type Gap struct {
	// Location is where, from the input's root: "dist/app.zip!lib/x.zip".
	Location string `json:"location"`
	// Reason says what was not read and why.
	Reason string `json:"reason"`
	// Limit names the limit that was hit (see pkg/limits), or is empty.
	Limit string `json:"limit,omitempty"`
}

// String is the gap on one line: "LOCATION: REASON".
func (g Gap) String() string { return g.Location + ": " + g.Reason }

// Party is an organisation, a person or a tool named in an SBOM.
type Party struct {
	// Kind is "organization", "person", "tool" or "" when the input does not say.
	Kind  string `json:"kind,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// URLs are web sites of an organisation.
	URLs []string `json:"urls,omitempty"`
	// Address is a postal address flattened to one line.
	Address string `json:"address,omitempty"`
	// Contacts are the people named for an organisation.
	Contacts []Party `json:"contacts,omitempty"`
	// Raw is the text as it stood in the input when it was parsed from one
	// string (an SPDX "Organization: X (mail)" value, a CycloneDX 1.x author).
	Raw string `json:"raw,omitempty"`
}

// IsZero reports whether the party carries no information.
func (p *Party) IsZero() bool {
	return p == nil || (p.Name == "" && p.Email == "" && p.Phone == "" && len(p.URLs) == 0 &&
		p.Address == "" && len(p.Contacts) == 0 && p.Raw == "")
}

// Component is a package, library, application, firmware, container,
// service or any other unit of software a document lists.
type Component struct {
	// Ref is the element's identifier in the document (bom-ref, SPDXID,
	// syft id). Components without one get a synthetic ref that starts with
	// "pedigree:".
	Ref string `json:"ref"`
	// Type is the component type as the input gives it (CycloneDX type,
	// SPDX primaryPackagePurpose in lower case, syft package type, "service").
	Type        string `json:"type,omitempty"`
	Name        string `json:"name"`
	Group       string `json:"group,omitempty"`
	Version     string `json:"version,omitempty"`
	Description string `json:"description,omitempty"`
	// FileName is the SPDX packageFileName.
	FileName string `json:"fileName,omitempty"`
	// Scope is the CycloneDX scope (required, optional, excluded).
	Scope string `json:"scope,omitempty"`

	// Identifiers.
	PURL       string   `json:"purl,omitempty"`
	CPEs       []string `json:"cpes"`
	SWID       *SWID    `json:"swid,omitempty"`
	OmniborIDs []string `json:"omniborIds"`
	SWHIDs     []string `json:"swhids"`

	// Parties. Authors holds CycloneDX author/authors and SPDX contributors.
	Supplier     *Party  `json:"supplier,omitempty"`
	Manufacturer *Party  `json:"manufacturer,omitempty"`
	Publisher    string  `json:"publisher,omitempty"`
	Authors      []Party `json:"authors"`
	Originator   *Party  `json:"originator,omitempty"`
	// Copyright is the copyright text of the component itself.
	Copyright string `json:"copyright,omitempty"`

	Licenses     []string      `json:"licenses"`
	Hashes       []Hash        `json:"hashes"`
	ExternalRefs []ExternalRef `json:"externalRefs"`
	Properties   []Property    `json:"properties"`
	// Tags are CycloneDX tags and similar keywords.
	Tags []string `json:"tags"`
	// Locations are paths where the component was found in the product
	// (syft locations, CycloneDX evidence occurrences).
	Locations []string `json:"locations"`

	Pedigree *Pedigree `json:"pedigree,omitempty"`
	Evidence *Evidence `json:"evidence,omitempty"`

	// Parent is the ref of the component this one is nested in (CycloneDX
	// nested components), or "".
	Parent string `json:"parent,omitempty"`
	// Comment is free text about the component (SPDX comments, notes).
	Comment string `json:"comment,omitempty"`
}

// SWID is a software identification tag reference.
type SWID struct {
	TagID   string `json:"tagId"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Hash is a checksum. Algorithm is upper case with a dash as CycloneDX writes
// it ("SHA-256", "SHA-1", "MD5", "SHA3-256", "BLAKE2b-256"); Value is lower-case hex.
type Hash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// ExternalRef is a URL or locator attached to a component (CycloneDX
// externalReferences, SPDX downloadLocation, homepage and externalRefs).
type ExternalRef struct {
	// Type is the CycloneDX reference type or, for SPDX externalRefs,
	// "CATEGORY/type" (for example "SECURITY/cpe23Type").
	Type    string `json:"type"`
	URL     string `json:"url"`
	Comment string `json:"comment,omitempty"`
}

// Property is a name/value pair (CycloneDX properties, SPDX annotations,
// syft metadata worth keeping).
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Pedigree is the CycloneDX pedigree of a component: the components it was
// derived from and the changes made on the way.
type Pedigree struct {
	Ancestors   []*Component `json:"ancestors"`
	Descendants []*Component `json:"descendants"`
	Variants    []*Component `json:"variants"`
	// Commits are "uid url author committer message" summaries.
	Commits []Commit `json:"commits"`
	Notes   string   `json:"notes,omitempty"`
}

// Commit is a source-control commit named in a pedigree.
type Commit struct {
	UID       string `json:"uid,omitempty"`
	URL       string `json:"url,omitempty"`
	Author    string `json:"author,omitempty"`
	Committer string `json:"committer,omitempty"`
	Message   string `json:"message,omitempty"`
}

// Evidence is what a tool observed about a component (CycloneDX evidence).
type Evidence struct {
	Identity    []IdentityEvidence `json:"identity"`
	Occurrences []string           `json:"occurrences"`
	Copyright   []string           `json:"copyright"`
	Licenses    []string           `json:"licenses"`
}

// IdentityEvidence says which identity field was concluded, how sure the
// tool was, and the methods it used (each as "technique: value").
type IdentityEvidence struct {
	Field          string   `json:"field"`
	Confidence     *float64 `json:"confidence,omitempty"`
	ConcludedValue string   `json:"concludedValue,omitempty"`
	Methods        []string `json:"methods"`
}

// File is an SPDX file element.
type File struct {
	Ref          string   `json:"ref"`
	Name         string   `json:"name"`
	Types        []string `json:"types"`
	Checksums    []Hash   `json:"checksums"`
	Copyright    string   `json:"copyright,omitempty"`
	Contributors []string `json:"contributors"`
	Licenses     []string `json:"licenses"`
	Notice       string   `json:"notice,omitempty"`
	Comment      string   `json:"comment,omitempty"`
}

// Relationship is a directed edge From -Type-> To between two elements of
// the document (components, files, or the document itself as "DOCUMENT").
type Relationship struct {
	From string           `json:"from"`
	Type RelationshipType `json:"type"`
	To   string           `json:"to"`
	// Comment is free text the input attached to the relationship.
	Comment string `json:"comment,omitempty"`
}

// RelationshipType is an SPDX 2 relationship type name. Inverse forms in the
// input are turned around on ingest (A CONTAINED_BY B becomes B CONTAINS A),
// so consumers only see the forward forms listed here and any other SPDX
// type as written.
type RelationshipType string

// The relationship types consumers rely on.
const (
	RelDescribes     RelationshipType = "DESCRIBES"
	RelContains      RelationshipType = "CONTAINS"
	RelDependsOn     RelationshipType = "DEPENDS_ON"
	RelVariantOf     RelationshipType = "VARIANT_OF"
	RelDescendantOf  RelationshipType = "DESCENDANT_OF"
	RelCopyOf        RelationshipType = "COPY_OF"
	RelGeneratedFrom RelationshipType = "GENERATED_FROM"
	RelProvides      RelationshipType = "PROVIDES"
)

// DocumentRef is the ref used for the document itself in relationships.
const DocumentRef = "DOCUMENT"
