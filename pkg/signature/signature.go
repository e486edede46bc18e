// Package signature reads pedigree's rule files and checks them.
//
// A rule file is YAML with a pack header and a list of rules (the format is
// documented in signatures/README.md). Load decodes every *.yaml file of a
// file system strictly: unknown fields, missing or unknown values, patterns
// that cannot match anything, and duplicate rule ids are errors that name
// the file and line. The result is a Set, which pkg/match compiles into its
// indexes; this package does no matching itself.
package signature

// Severity is how much a finding matters, from info to critical.
type Severity string

// The severities, weakest first.
const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Severities lists every severity, weakest first.
var Severities = []Severity{Info, Low, Medium, High, Critical}

// Rank orders severities: info 1 ... critical 5, and 0 for anything else.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i + 1
		}
	}
	return 0
}

// ParseSeverity accepts a severity name in any case.
func ParseSeverity(s string) (Severity, bool) {
	for _, v := range Severities {
		if string(v) == lower(s) {
			return v, true
		}
	}
	return "", false
}

// Category says what kind of thing a rule identifies. The category, not
// only the severity, decides how findings combine (see Classifies).
type Category string

// The categories. Security products, engines, SDKs, drivers and updaters
// are the software the prohibition is about; vendor identity is software
// made by the entity of an unknown kind; indicators are indirect evidence;
// developer libraries are the entity's open-source tooling that is not
// security software; exempt products are explicitly outside the
// prohibition (for Kaspersky: threat-intelligence services); mentions are
// the entity's name in free text.
const (
	SecurityProduct  Category = "security-product"
	Engine           Category = "engine"
	SDK              Category = "sdk"
	Driver           Category = "driver"
	Updater          Category = "updater"
	VendorIdentity   Category = "vendor-identity"
	Indicator        Category = "indicator"
	DeveloperLibrary Category = "developer-library"
	Exempt           Category = "exempt"
	Mention          Category = "mention"
)

// Categories lists every category.
var Categories = []Category{SecurityProduct, Engine, SDK, Driver, Updater, VendorIdentity, Indicator, DeveloperLibrary, Exempt, Mention}

// Classifies reports whether a rule of this category says precisely what a
// component is, so that its severity replaces the generic vendor-identity
// severity of the same component: a Kaspersky-authored test library is
// supplied by "AO Kaspersky Lab" but is not security software.
func (c Category) Classifies() bool {
	return c == DeveloperLibrary || c == Exempt
}

// Rule is one signature.
type Rule struct {
	ID          string   `yaml:"id"`
	Title       string   `yaml:"title"`
	Entity      string   `yaml:"entity"`
	Category    Category `yaml:"category"`
	Severity    Severity `yaml:"severity"`
	Description string   `yaml:"description,omitempty"`
	// Disabled turns off a rule of the same id loaded earlier (used in
	// override files given with --signatures).
	Disabled bool  `yaml:"disabled,omitempty"`
	Match    Match `yaml:"match"`
	// All makes the rule composite: it matches only when every block
	// matches (each block is a set of patterns, any one of which is
	// enough), within one component or within one directory subtree (see
	// Scope). A composite rule has no patterns under Match; its blocks may
	// use filenames, paths and services.
	All []Match `yaml:"all,omitempty"`
	// Scope is where the blocks of All must match together: "component"
	// (the default: one component's own fields and locations) or
	// "subtree" (files under one directory; see Levels).
	Scope string `yaml:"scope,omitempty"`
	// Levels, for scope subtree, places the subtree's root this many
	// directories above a file that matches the first block: 1 (the
	// default) is the file's own directory, 2 its parent.
	Levels     int      `yaml:"levels,omitempty"`
	References []string `yaml:"references"`
	Examples   Examples `yaml:"examples"`

	// Source is "file:line" of the rule, set by Load.
	Source string `yaml:"-"`
}

// Match holds a rule's patterns by kind. A rule matches a component when
// any one pattern of any kind matches; each hit becomes evidence.
type Match struct {
	// Names are vendor names and aliases, matched word by word after
	// folding against the fields that name a maker: supplier,
	// manufacturer, publisher, authors, originator, copyright text, file
	// copyright and contributors, code-signing signer and PE/manifest
	// company fields.
	Names []string `yaml:"names,omitempty"`
	// Products are product or technology names matched the same way
	// against component names.
	Products []string `yaml:"products,omitempty"`
	// Mentions are names matched in free text (descriptions, comments). A
	// mention is never vendor identity.
	Mentions []string `yaml:"mentions,omitempty"`
	// PURLs are package URL patterns: pkg:TYPE/NAMESPACE/NAME where the
	// namespace and name may be glob patterns ("pkg:maven/com.kaspersky.*/*").
	PURLs []string `yaml:"purls,omitempty"`
	// CPEs are VENDOR:PRODUCT patterns, each part a glob ("kaspersky:*").
	CPEs []string `yaml:"cpes,omitempty"`
	// Hashes are ALGORITHM:HEX values ("sha256:ab12...").
	Hashes []string `yaml:"hashes,omitempty"`
	// Filenames are file base names, compared without case; "*" and "?"
	// are wildcards.
	Filenames []string `yaml:"filenames,omitempty"`
	// Paths are directory paths ("/opt/kaspersky", "Kaspersky Lab/"),
	// matched as a run of whole path segments anywhere in a location,
	// without case; "\" and "/" are the same.
	Paths []string `yaml:"paths,omitempty"`
	// Domains are DNS names; a host matches its own name and every
	// sub-domain ("kaspersky-labs.com" matches "dc1.ksn.kaspersky-labs.com").
	Domains []string `yaml:"domains,omitempty"`
	// Signers are code-signing subjects or team ids, matched like Names
	// but only against signer fields.
	Signers []string `yaml:"signers,omitempty"`
	// JavaPackages are Java/Android package prefixes, matched on whole
	// segments ("com.kavsdk" matches "com.kavsdk.antivirus", not
	// "com.kavsdkx").
	JavaPackages []string `yaml:"javaPackages,omitempty"`
	// Content are literal strings found inside files (recorded by deep
	// inspection as pedigree:content properties), compared exactly.
	Content []string `yaml:"content,omitempty"`
	// Services are service names (Windows services, systemd units), each
	// a glob compared without case ("KAVFS", "AVP[0-9]*"), against the
	// name of a component of type service, properties that name a service
	// or unit, and the base name of a *.service unit file without its
	// suffix.
	Services []string `yaml:"services,omitempty"`
}

// Examples are component stubs a rule must and must not match. They are run
// by the tests of every pack and by `pedigree signatures validate`.
type Examples struct {
	Match   []Example `yaml:"match"`
	NoMatch []Example `yaml:"noMatch"`
}

// Example is a component stub: each field fills the component field of the
// same name.
type Example struct {
	Name         string `yaml:"name,omitempty"`
	Group        string `yaml:"group,omitempty"`
	Version      string `yaml:"version,omitempty"`
	Description  string `yaml:"description,omitempty"`
	PURL         string `yaml:"purl,omitempty"`
	CPE          string `yaml:"cpe,omitempty"`
	Supplier     string `yaml:"supplier,omitempty"`
	Manufacturer string `yaml:"manufacturer,omitempty"`
	Publisher    string `yaml:"publisher,omitempty"`
	Author       string `yaml:"author,omitempty"`
	Originator   string `yaml:"originator,omitempty"`
	Copyright    string `yaml:"copyright,omitempty"`
	// Hash is ALGORITHM:HEX.
	Hash string `yaml:"hash,omitempty"`
	// File is a path or file name where the component was found.
	File string `yaml:"file,omitempty"`
	// URL is an external reference (website, distribution, update URL).
	URL string `yaml:"url,omitempty"`
	// Signer is a code-signing subject.
	Signer string `yaml:"signer,omitempty"`
	// Content is a string found inside the component's files.
	Content string `yaml:"content,omitempty"`
	// Property is NAME=VALUE.
	Property string `yaml:"property,omitempty"`
	// Service is the name of a service the component installs or runs
	// (a Windows service name, a systemd unit).
	Service string `yaml:"service,omitempty"`
	// Files are further locations of the component: the files of one
	// install tree, for composite rules with scope subtree.
	Files []string `yaml:"files,omitempty"`
}

// Scopes of composite rules.
const (
	ScopeComponent = "component"
	ScopeSubtree   = "subtree"
)

// Composite reports whether the rule is composite (has All blocks).
func (r *Rule) Composite() bool { return len(r.All) > 0 }

// SubtreeLevels is Levels with its default.
func (r *Rule) SubtreeLevels() int {
	if r.Levels < 1 {
		return 1
	}
	return r.Levels
}

// Pack is one rule file.
type Pack struct {
	// Name and Version identify the pack in reports.
	Name    string `yaml:"pack"`
	Version string `yaml:"version"`
	// Description says what the pack covers and where its facts come from.
	Description string `yaml:"description,omitempty"`
	Rules       []Rule `yaml:"rules"`

	// File is the name the pack was loaded from.
	File string `yaml:"-"`
	raw  []byte
}
