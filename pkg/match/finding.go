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
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// Evidence kinds, as written in reports. The first ones name the field a
// maker was found in; the others name the kind of identifier.
const (
	KindSupplier     = "supplier"
	KindManufacturer = "manufacturer"
	KindPublisher    = "publisher"
	KindAuthor       = "author"
	KindOriginator   = "originator"
	KindCopyright    = "copyright"
	KindPURL         = "purl"
	KindCPE          = "cpe"
	KindHash         = "hash"
	KindFilename     = "filename"
	KindPath         = "path"
	KindContent      = "content"
	KindPEVersion    = "pe-version"
	KindSigner       = "signer"
	KindJavaPackage  = "java-package"
	KindDomain       = "domain"
	KindPedigree     = "pedigree"
	KindRelationship = "relationship"
	// KindName is a product or technology name in the component's name.
	KindName = "name"
	// KindMention is the entity named in free text: never vendor identity.
	KindMention = "mention"
	// KindReference is source code that imports the entity's namespace,
	// header or module (deep inspection's pedigree:import properties): a
	// reference to the code, not the code, so it rates at most medium
	// unless the document also declares or ships what it imports.
	KindReference = "reference"
)

// Evidence is one observation that ties a component to a rule.
type Evidence struct {
	// Rule is the id of the rule the observation matched.
	Rule string `json:"rule"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Field says where in the input the value was ("supplier.name",
	// "files[SPDXRef-File-3].copyrightText", "pedigree.ancestors[0].supplier.name").
	Field string `json:"field"`
	// Value is the text as it stood in the input.
	Value string `json:"value"`
	// Location is the file path inside the product, if there is one.
	Location string `json:"location"`

	// via is, for pedigree and relationship evidence, the kind of the
	// evidence passed on, so that confidence counts what it really is.
	via string
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
	// Confidence is "high" when two or more independent kinds of identity
	// evidence agree, "medium" for one kind of identity evidence, and "low"
	// for indicators, mentions or references (imports) alone.
	Confidence string
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
