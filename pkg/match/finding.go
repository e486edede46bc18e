// Package match finds the components of a document that a signature set
// attributes to a vendor.
//
// New compiles a signature.Set into indexes: phrase tables keyed by first
// word for names, products, mentions and signers, and maps keyed by the
// exact value for purl types, CPE vendors, hashes, file names, path
// segments, domains and Java package prefixes. Matching a component costs a
// few map look-ups per field, whatever the number of rules, so a document is
// matched in time linear in its size.
//
// For each component the engine gathers evidence from every channel: its
// own maker fields and identifiers, the SPDX files it contains, its
// CycloneDX evidence, its CycloneDX pedigree (ancestors and variants), and
// SPDX VARIANT_OF, DESCENDANT_OF, COPY_OF and GENERATED_FROM relationships
// to components that are themselves matched. Evidence of one entity is
// merged into one Finding per component, with every rule id, the path from
// the product root, and whether the component is white-labelled: offered
// under a maker that is not the entity its evidence points to.
package match

import (
	"slices"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// EvidenceKind is what an observation is, as written in reports: the
// field a maker was found in, or the kind of identifier or channel. It
// marshals as its string.
type EvidenceKind string

// Evidence kinds. The first ones name the field a maker was found in; the
// others name the kind of identifier.
const (
	KindSupplier     EvidenceKind = "supplier"
	KindManufacturer EvidenceKind = "manufacturer"
	KindPublisher    EvidenceKind = "publisher"
	KindAuthor       EvidenceKind = "author"
	KindOriginator   EvidenceKind = "originator"
	KindCopyright    EvidenceKind = "copyright"
	KindPURL         EvidenceKind = "purl"
	KindCPE          EvidenceKind = "cpe"
	KindHash         EvidenceKind = "hash"
	KindFilename     EvidenceKind = "filename"
	KindPath         EvidenceKind = "path"
	KindContent      EvidenceKind = "content"
	KindPEVersion    EvidenceKind = "pe-version"
	KindSigner       EvidenceKind = "signer"
	KindJavaPackage  EvidenceKind = "java-package"
	KindDomain       EvidenceKind = "domain"
	KindPedigree     EvidenceKind = "pedigree"
	KindRelationship EvidenceKind = "relationship"
	// KindName is a product or technology name in the component's name.
	KindName EvidenceKind = "name"
	// KindMention is the entity named in free text: never vendor identity.
	KindMention EvidenceKind = "mention"
	// KindReference is source code that imports the entity's namespace,
	// header or module (deep inspection's pedigree:import properties): a
	// reference to the code, not the code, so it rates at most medium
	// unless the document also declares or ships what it imports.
	KindReference EvidenceKind = "reference"
)

// AllEvidenceKinds returns every evidence kind, in the order of their
// constants.
func AllEvidenceKinds() []EvidenceKind {
	return []EvidenceKind{KindSupplier, KindManufacturer, KindPublisher, KindAuthor, KindOriginator, KindCopyright,
		KindPURL, KindCPE, KindHash, KindFilename, KindPath, KindContent, KindPEVersion, KindSigner, KindJavaPackage,
		KindDomain, KindPedigree, KindRelationship, KindName, KindMention, KindReference, KindService}
}

// Valid reports whether k is one of AllEvidenceKinds.
func (k EvidenceKind) Valid() bool { return slices.Contains(AllEvidenceKinds(), k) }

// String returns the kind as written in reports.
func (k EvidenceKind) String() string { return string(k) }

// ParseEvidenceKind returns the evidence kind written s ("purl",
// "pe-version"), and false when s names none.
func ParseEvidenceKind(s string) (EvidenceKind, bool) { return enum.Parse(s, AllEvidenceKinds()) }

// Confidence says how far the evidence of a finding can be trusted to
// name the maker, as written in reports. It marshals as its string.
type Confidence string

// Confidences, from the strongest.
const (
	// ConfidenceHigh is two or more independent kinds of identity evidence
	// that agree, or one identifier that names the maker precisely (purl,
	// CPE, hash, signer, Java package, a composite rule).
	ConfidenceHigh Confidence = "high"
	// ConfidenceMedium is one kind of identity evidence.
	ConfidenceMedium Confidence = "medium"
	// ConfidenceLow is indicators (a domain, a file name or path, content),
	// mentions or references (imports) alone.
	ConfidenceLow Confidence = "low"
)

// AllConfidences returns every confidence, from the strongest.
func AllConfidences() []Confidence {
	return []Confidence{ConfidenceHigh, ConfidenceMedium, ConfidenceLow}
}

// Valid reports whether c is one of AllConfidences.
func (c Confidence) Valid() bool { return slices.Contains(AllConfidences(), c) }

// String returns the confidence as written in reports.
func (c Confidence) String() string { return string(c) }

// ParseConfidence returns the confidence written s ("high", "medium",
// "low"), and false when s names none.
func ParseConfidence(s string) (Confidence, bool) { return enum.Parse(s, AllConfidences()) }

// Evidence is one observation that ties a component to a rule.
type Evidence struct {
	// Rule is the id of the rule the observation matched.
	Rule string `json:"rule"`
	// Kind is one of the Kind constants.
	Kind EvidenceKind `json:"kind"`
	// Field says where in the input the value was ("supplier.name",
	// "files[SPDXRef-File-3].copyrightText", "pedigree.ancestors[0].supplier.name").
	Field string `json:"field"`
	// Value is the text as it stood in the input.
	Value string `json:"value"`
	// Location is the file path inside the product, if there is one.
	Location string `json:"location"`

	// via is, for pedigree and relationship evidence, the kind of the
	// evidence passed on, so that confidence counts what it really is.
	via EvidenceKind
	// person is true for a maker field that names a person who bears the
	// entity's name (see Engine.personName).
	person bool
}

// Finding is one component attributed to one entity.
type Finding struct {
	// ID is a stable fingerprint of the entity and the component's identity
	// (not of the rules), so a waiver keeps applying when rules change.
	ID       string
	Severity signature.Severity
	Entity   string
	// WhiteLabel is true when the component is offered under a maker that
	// the entity's names do not match. Offered is that maker.
	WhiteLabel bool
	Offered    string
	// Title is one readable line: the strongest rule's title and the
	// component. Rule is that rule's id.
	Title string
	Rule  string
	// Confidence is high when two or more independent kinds of identity
	// evidence agree, medium for one kind of identity evidence, and low
	// for indicators, mentions or references (imports) alone.
	Confidence Confidence
	Component  *model.Component
	// Path is the refs from the product root to the component.
	Path []string
	// Rules are the ids of every rule that matched, sorted.
	Rules    []string
	Evidence []Evidence
	// Notes explain a judgement the engine made beyond the rules, such as
	// a severity lowered for contributed code.
	Notes []string

	// share is what the contributed-code judgement rests on, kept so that
	// Without judges the evidence left as Match would.
	share fileShare
	// shown are the rules this finding imports (reference evidence) that
	// the document declares or ships, which raise it (raiseReferences).
	shown []string
	// pathRank is 1 + the rank of Path among the document's paths
	// (model.PathIndex.Rank), 0 when not known: Compare orders by it.
	pathRank int
}
