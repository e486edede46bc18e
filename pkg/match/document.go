package match

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// derivedFrom are the relationships through which a component inherits the
// evidence of another: "A VARIANT_OF B" makes B's maker A's maker too.
var derivedFrom = map[model.RelationshipType]bool{
	model.RelVariantOf:     true,
	model.RelDescendantOf:  true,
	model.RelCopyOf:        true,
	model.RelGeneratedFrom: true,
}

// Match returns the findings of a document, sorted: most severe first, then
// by path from the root.
func (e *Engine) Match(doc *model.Document) []Finding {
	d := e.newDocState(doc)
	d.ownEvidence()
	d.looseFiles()
	d.derivedEvidence()
	e.compositeDocument(doc, d.all) // composite.go: install trees listed file by file
	if len(d.all) == 0 {
		return nil
	}
	findings := d.findingsOfAll()
	e.raiseReferences(findings)                // an import of what the document ships rates as what it ships
	findings = e.foldNested(findings, d.byRef) // nest.go: one finding per shipped artifact
	distinctIDs(findings)
	d.rankPaths(findings)
	slices.SortFunc(findings, Compare)
	return findings
}

// docState is the matching of one document: the document and its indexes,
// the evidence gathered on each element, and what judging a finding reads
// beyond the component itself (the components above it, for the maker a
// white-labelled component is offered under).
type docState struct {
	e   *Engine
	doc *model.Document

	// files are the document's SPDX files by ref; contains lists the refs
	// of the files a package contains, and containedFile marks the files
	// some package contains.
	files         map[string]*model.File
	contains      map[string][]string
	containedFile map[string]bool

	// own is each element's own evidence (fields, contained files,
	// pedigree), by ref; all adds the evidence passed on through
	// relationships and composite rules. shares counts the copyright
	// notices of each package's contained files.
	own    map[string][]Evidence
	all    map[string][]Evidence
	shares map[string]fileShare
	// loose are the files no package contains that have evidence, as
	// components of their own.
	loose []*model.Component

	// byRef are the components (and loose files) by ref, and paths the
	// paths from the root: set when findings are made.
	byRef map[string]*model.Component
	paths *model.PathIndex
}

// newDocState indexes a document: its files by ref, and what contains what.
func (e *Engine) newDocState(doc *model.Document) *docState {
	d := &docState{e: e, doc: doc,
		files: make(map[string]*model.File, len(doc.Files)), contains: map[string][]string{}, containedFile: map[string]bool{},
		own: map[string][]Evidence{}, shares: map[string]fileShare{}}
	for _, f := range doc.Files {
		d.files[f.Ref] = f
	}
	for _, r := range doc.Relationships {
		if r.Type == model.RelContains {
			if _, ok := d.files[r.To]; ok {
				d.contains[r.From] = append(d.contains[r.From], r.To)
				d.containedFile[r.To] = true
			}
		}
	}
	return d
}

// ownEvidence gathers each component's own evidence: its fields, the files
// it contains, and its pedigree.
func (d *docState) ownEvidence() {
	e := d.e
	for _, x := range d.doc.Components {
		c := e.newCollector()
		c.component(x, "")
		var share fileShare
		for _, ref := range d.contains[x.Ref] {
			f := d.files[ref]
			before := len(c.ev)
			c.spdxFile(f)
			if hasCopyright(f.Copyright) {
				share.copyrighted++
				for _, v := range c.ev[before:] {
					if v.Kind == KindCopyright {
						share.entity++
						if binaryFile(f) && e.soleHolder(e.rules[e.ruleIndex(v.Rule)].Entity, f.Copyright) {
							share.vendorBinary++
						}
						break
					}
				}
			}
		}
		if share.copyrighted > 0 {
			d.shares[x.Ref] = share
		}
		if p := x.Pedigree; p != nil {
			for i, a := range p.Ancestors {
				c.inherit(a, fmt.Sprintf("pedigree.ancestors[%d]", i))
			}
			for i, v := range p.Variants {
				c.inherit(v, fmt.Sprintf("pedigree.variants[%d]", i))
			}
		}
		if len(c.ev) > 0 {
			d.own[x.Ref] = c.ev
		}
	}
}

// looseFiles matches the files no package contains as components of their
// own.
func (d *docState) looseFiles() {
	for _, f := range d.doc.Files {
		if d.containedFile[f.Ref] {
			continue
		}
		c := d.e.newCollector()
		c.spdxFile(f)
		if len(c.ev) > 0 {
			fc := &model.Component{Ref: f.Ref, Type: "file", Name: f.Name, Hashes: f.Checksums, Copyright: f.Copyright}
			d.loose = append(d.loose, fc)
			d.own[f.Ref] = c.ev
		}
	}
}

// derivedEvidence sets all: the own evidence, and the evidence through
// relationships (A VARIANT_OF B, ...). Chains count too: A GENERATED_FROM
// B, B VARIANT_OF C makes C's maker A's. Each component follows its
// derivation edges breadth first, so cycles end and every source is
// reached by its shortest chain.
func (d *docState) derivedEvidence() {
	doc := d.doc
	d.all = make(map[string][]Evidence, len(d.own))
	for ref, ev := range d.own {
		d.all[ref] = ev
	}
	derived := map[string][]model.Relationship{}
	for _, r := range doc.Relationships {
		if derivedFrom[r.Type] && r.From != r.To {
			derived[r.From] = append(derived[r.From], r)
		}
	}
	var names map[string]string
	if len(derived) > 0 {
		names = make(map[string]string, len(doc.Components))
		for _, x := range doc.Components {
			names[x.Ref] = label(x)
		}
	}
	for _, r := range doc.Relationships {
		if !derivedFrom[r.Type] || r.From == r.To || len(derived[r.From]) == 0 || derived[r.From][0] != r {
			continue // each source component once, at its first edge
		}
		d.all[r.From] = append(d.all[r.From], inherited(r.From, derived, d.own, names)...)
	}
}

// findingsOfAll makes the findings of every component with evidence. Paths
// are walked only for those components.
func (d *docState) findingsOfAll() []Finding {
	d.paths = d.doc.PathIndex()
	d.byRef = make(map[string]*model.Component, len(d.doc.Components))
	for _, x := range d.doc.Components {
		d.byRef[x.Ref] = x
	}
	for _, x := range d.loose {
		d.byRef[x.Ref] = x
	}
	var findings []Finding
	for ref, ev := range d.all {
		x := d.byRef[ref]
		if x == nil {
			continue // a relationship from an element that is not a component
		}
		findings = append(findings, d.findings(x, d.paths.Path(ref), ev, d.shares[ref])...)
	}
	return findings
}

// distinctIDs tells apart two components with the same identity (the same
// library listed twice), which would share a fingerprint, by their refs.
func distinctIDs(findings []Finding) {
	ids := map[string]int{}
	for _, f := range findings {
		ids[f.ID]++
	}
	for i := range findings {
		if f := &findings[i]; ids[f.ID] > 1 {
			f.ID = fingerprint(f.Entity, f.Component, f.Component.Ref)
		}
	}
}

// rankPaths sets the rank of each finding's path, so that Compare orders
// paths in constant time: a comparison of whole paths costs their depth,
// and a long dependency chain made the sort quadratic. Only a path that is
// the index's own gets a rank.
func (d *docState) rankPaths(findings []Finding) {
	for i := range findings {
		f := &findings[i]
		if n := len(f.Path); n > 0 {
			if p := d.paths.Path(f.Path[n-1]); len(p) == n && &p[0] == &f.Path[0] {
				if r, ok := d.paths.Rank(f.Path[n-1]); ok {
					f.pathRank = r + 1
				}
			}
		}
	}
}

// Compare orders findings as Match returns them: most severe first, then
// by path from the root, then by ID.
func Compare(a, b Finding) int {
	if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
		return c
	}
	if a.pathRank > 0 && b.pathRank > 0 {
		if c := cmp.Compare(a.pathRank, b.pathRank); c != 0 {
			return c
		}
	} else if c := slices.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// inherited follows the derivation edges out of ref and returns, for every
// component reached that has identity evidence of its own, that evidence
// as relationship evidence naming the chain.
func inherited(ref string, derived map[string][]model.Relationship, own map[string][]Evidence, names map[string]string) []Evidence {
	type step struct {
		ref   string
		chain []string
	}
	var out []Evidence
	seen := map[string]bool{ref: true}
	queue := []step{{ref: ref}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, r := range derived[cur.ref] {
			if seen[r.To] {
				continue
			}
			seen[r.To] = true
			chain := append(append([]string(nil), cur.chain...), fmt.Sprintf("%s %s %s", r.From, r.Type, r.To))
			queue = append(queue, step{r.To, chain})
			name := cmp.Or(names[r.To], r.To)
			for _, ev := range identity(own[r.To]) {
				out = append(out, Evidence{
					Rule: ev.Rule, Kind: KindRelationship,
					Field: "relationships[" + strings.Join(chain, ", ") + "]",
					Value: fmt.Sprintf("%s %s: %s %s", r.Type, name, ev.Kind, ev.Value), Location: ev.Location,
					via: cmp.Or(ev.via, ev.Kind),
				})
			}
		}
	}
	return out
}

// identity drops mentions: a component that only mentions the entity passes
// nothing on to its variants.
func identity(ev []Evidence) []Evidence {
	var out []Evidence
	for _, e := range ev {
		if e.Kind != KindMention && e.Kind != KindReference {
			out = append(out, e)
		}
	}
	return out
}

// inherit gathers the evidence of a pedigree ancestor or variant and
// records it as pedigree evidence of the component.
func (c *collector) inherit(a *model.Component, field string) {
	c.inheritDepth(a, field, 0)
}

// maxPedigreeDepth bounds how deep ancestors of ancestors are followed.
const maxPedigreeDepth = 8

func (c *collector) inheritDepth(a *model.Component, field string, depth int) {
	sub := c.e.newCollector()
	sub.component(a, field+".")
	if p := a.Pedigree; p != nil && depth < maxPedigreeDepth {
		for i, up := range p.Ancestors {
			sub.inheritDepth(up, fmt.Sprintf("%s.pedigree.ancestors[%d]", field, i), depth+1)
		}
		for i, v := range p.Variants {
			sub.inheritDepth(v, fmt.Sprintf("%s.pedigree.variants[%d]", field, i), depth+1)
		}
	}
	for _, ev := range sub.ev {
		if ev.Kind == KindMention || ev.Kind == KindReference {
			continue
		}
		c.addVia(c.e.ruleIndex(ev.Rule), KindPedigree, fieldAt("", ev.Field), fmt.Sprintf("%s (%s of %s)", ev.Value, ev.Kind, label(a)), ev.Location, cmp.Or(ev.via, ev.Kind))
	}
}

func (e *Engine) ruleIndex(id string) int {
	i, _ := slices.BinarySearchFunc(e.rules, id, func(r *signature.Rule, id string) int { return cmp.Compare(r.ID, id) })
	return i
}

// spdxFile gathers the evidence of an SPDX file element: its name and
// path, checksums, copyright text and contributors.
func (c *collector) spdxFile(f *model.File) {
	field := func(s string) at { return fieldAt("", "files["+f.Ref+"]."+s) }
	c.file(f.Name, field("fileName"))
	for i, h := range f.Checksums {
		c.hash(h, field(fmt.Sprintf("checksums[%d]", i)), f.Name)
	}
	if f.Copyright != "" {
		c.e.names.MatchString(f.Copyright, func(r int) { c.add(r, KindCopyright, field("copyrightText"), f.Copyright, f.Name) })
	}
	for i, s := range f.Contributors {
		c.e.names.MatchString(s, func(r int) { c.add(r, KindAuthor, field(fmt.Sprintf("contributors[%d]", i)), s, f.Name) })
	}
	for _, s := range []string{f.Comment, f.Notice} {
		c.e.mentions.MatchString(s, func(r int) { c.add(r, KindMention, field("comment"), s, f.Name) })
	}
}

// findings turns a component's evidence into one finding per entity.
func (d *docState) findings(x *model.Component, path []string, ev []Evidence, share fileShare) []Finding {
	byEntity := map[string][]Evidence{}
	for _, v := range ev {
		r := d.e.set.Rule(v.Rule)
		byEntity[r.Entity] = append(byEntity[r.Entity], v)
	}
	var out []Finding
	for entity, ev := range byEntity {
		slices.SortFunc(ev, func(a, b Evidence) int {
			return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Field, b.Field),
				cmp.Compare(a.Value, b.Value), cmp.Compare(a.Location, b.Location))
		})
		f := d.finding(entity, x, path, slices.Compact(ev), share)
		f.ID = fingerprint(entity, x)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Finding) int { return cmp.Compare(a.Entity, b.Entity) })
	return out
}

// finding judges one entity's evidence on a component, sorted and without
// duplicates: severity, title, rules, confidence, white label and notes.
// It leaves the ID to the caller.
func (d *docState) finding(entity string, x *model.Component, path []string, ev []Evidence, share fileShare) Finding {
	e := d.e
	f := Finding{Entity: entity, Component: x, Path: path, Evidence: ev, share: share}
	var top *signature.Rule
	f.Severity, top = e.severity(ev)
	for _, v := range ev {
		f.Rules = append(f.Rules, v.Rule)
	}
	f.Rules = slices.Compact(f.Rules)
	f.Title, f.Rule = top.Title+": "+label(x), top.ID
	f.Confidence = confidence(ev)
	if len(identity(ev)) > 0 {
		f.Offered, f.WhiteLabel = d.whiteLabel(entity, x, path, ev)
	}
	if m := maker(x); m != "" && !e.isEntity(entity, m) && onlyFileCopyright(ev) && share.vendorBinary == 0 &&
		share.entity*2 <= share.copyrighted && f.Severity.Rank() > signature.Low.Rank() {
		// Kaspersky-authored source merged into another maker's project
		// (NRPE's acl.c, "Copyright (c) 2011 Kaspersky Lab ZAO") is
		// contributed code, not a Kaspersky product.
		f.Severity, f.WhiteLabel = signature.Low, false
		f.Notes = append(f.Notes, fmt.Sprintf("only %d of %d files with a copyright notice names %s, in a package made by %s: contributed code, not %s software; severity lowered to low",
			share.entity, share.copyrighted, entity, m, entity))
	}
	e.lowerPersons(&f, ev)
	e.lowerIntegrations(&f, x, ev)
	return f
}

// Without returns the finding as the engine would have made it without the
// evidence of the given rules: severity, title, rules, confidence, white
// label and notes are judged again from the evidence left, as Match judges
// them. The ID, component and path stay. ok is false when no evidence is
// left. doc is the document the finding was matched in; one trimmed to the
// components on the findings' paths will do. This is how a waiver of one
// rule takes that rule's evidence away and leaves the rest standing.
func (e *Engine) Without(doc *model.Document, f Finding, rules ...string) (Finding, bool) {
	var ev []Evidence
	for _, v := range f.Evidence {
		if !slices.Contains(rules, v.Rule) {
			ev = append(ev, v)
		}
	}
	if len(ev) == 0 {
		return Finding{}, false
	}
	if len(ev) == len(f.Evidence) {
		return f, true
	}
	for _, v := range ev {
		if e.set.Rule(v.Rule) == nil {
			// A finding of another rule set: the evidence goes, the
			// judgement stays.
			f.Evidence, f.Rules = ev, slices.DeleteFunc(slices.Clone(f.Rules), func(r string) bool { return slices.Contains(rules, r) })
			return f, true
		}
	}
	if doc == nil {
		doc = &model.Document{}
	}
	d := &docState{e: e, doc: doc, byRef: make(map[string]*model.Component, len(doc.Components))}
	for _, x := range doc.Components {
		d.byRef[x.Ref] = x
	}
	g := d.finding(f.Entity, f.Component, f.Path, ev, f.share)
	g.ID, g.shown = f.ID, f.shown
	e.raise(&g)
	return g, true
}

// fileShare counts a package's contained files that carry a copyright
// notice, how many of those name the entity, and how many of those are
// binaries (shared libraries, drivers, executables) whose notice names the
// entity alone: a vendor's binary shipped in the package, not code
// contributed to it.
type fileShare struct{ copyrighted, entity, vendorBinary int }

func hasCopyright(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && s != "NOASSERTION" && s != "NONE"
}

// onlyFileCopyright reports whether every identity evidence is a copyright
// or contributor line of a contained file.
func onlyFileCopyright(ev []Evidence) bool {
	n := 0
	for _, v := range identity(ev) {
		if !strings.HasPrefix(v.Field, "files[") || (v.Kind != KindCopyright && v.Kind != KindAuthor) {
			return false
		}
		n++
	}
	return n > 0
}

// severity combines the rules behind the evidence. A rule that classifies
// the component precisely (a developer library, an exempt product) sets the
// severity unless a security product, engine, SDK, driver or updater rule
// also matched; otherwise the most severe rule wins. It returns the rule
// whose title names the finding.
func (e *Engine) severity(ev []Evidence) (signature.Severity, *signature.Rule) {
	var best, bestClass *signature.Rule
	security := false
	for _, v := range ev {
		r := e.set.Rule(v.Rule)
		if v.Kind == KindReference && r.Severity.Rank() > signature.Medium.Rank() && !e.ruleOtherwise(ev, v.Rule) {
			// Only imported: the rule counts at medium here (raise may
			// raise it again). It keeps its category, so that an import
			// of an SDK is not classified away by a developer library
			// imported beside it.
			capped := *r
			capped.Severity = signature.Medium
			r = &capped
		}
		switch r.Category {
		case signature.SecurityProduct, signature.Engine, signature.SDK, signature.Driver, signature.Updater:
			security = true
		}
		if r.Category.Classifies() && (bestClass == nil || r.Severity.Rank() > bestClass.Severity.Rank()) {
			bestClass = r
		}
		if best == nil || r.Severity.Rank() > best.Severity.Rank() ||
			(r.Severity == best.Severity && specificity(r.Category) > specificity(best.Category)) {
			best = r
		}
	}
	if bestClass != nil && !security {
		return bestClass.Severity, bestClass
	}
	return best.Severity, best
}

// specificity breaks ties between rules of one severity for the title: the
// rule that says most precisely what the component is names it.
func specificity(c signature.Category) int {
	switch c {
	case signature.Engine, signature.SDK:
		return 6
	case signature.Driver, signature.Updater:
		return 5
	case signature.SecurityProduct:
		return 4
	case signature.DeveloperLibrary, signature.Exempt:
		return 3
	case signature.VendorIdentity:
		return 2
	case signature.Indicator:
		return 1
	}
	return 0
}

// Kinds that confidence counts beside the evidence kinds: every block of a
// composite rule together, and one file path (its name, its directories,
// the Java package its directories spell).
const (
	kindComposite EvidenceKind = "composite"
	kindFile      EvidenceKind = "file"
)

// strongKinds are identifiers that on their own name the maker precisely.
var strongKinds = map[EvidenceKind]bool{KindPURL: true, KindCPE: true, KindHash: true, KindSigner: true, KindJavaPackage: true, kindComposite: true}

// confidence judges how far the evidence names the maker (see
// Finding.Confidence).
func confidence(ev []Evidence) Confidence {
	// Evidence read from one file path (its name, its directories, the
	// Java package its directories spell) is one observation, not three.
	kinds := map[EvidenceKind]bool{}
	for _, v := range ev {
		if strings.HasPrefix(v.Field, "all[") {
			// The blocks of a composite rule are independent signals
			// found together: agreement in itself.
			kinds[kindComposite] = true
			continue
		}
		switch v.Kind {
		case KindMention, KindReference:
			// An import names the entity's code without being it.
			continue
		case KindPedigree, KindRelationship:
			// Evidence passed on from an ancestor counts by what it is.
			kinds[cmp.Or(v.via, v.Kind)] = true
		case KindFilename, KindPath:
			kinds[kindFile] = true
		case KindJavaPackage:
			if v.Location != "" {
				kinds[kindFile] = true
			} else {
				kinds[v.Kind] = true
			}
		default:
			kinds[v.Kind] = true
		}
	}
	switch {
	case len(kinds) >= 2:
		return ConfidenceHigh
	case len(kinds) == 1:
		for k := range kinds {
			if strongKinds[k] {
				return ConfidenceHigh
			}
			if k == KindDomain || k == kindFile || k == KindContent {
				return ConfidenceLow
			}
		}
		return ConfidenceMedium
	}
	return ConfidenceLow
}

// isEntity reports whether a maker name is one of the entity's names.
func (e *Engine) isEntity(entity, name string) bool {
	found := false
	if ps := e.entityNames[entity]; ps != nil {
		ps.MatchString(name, func(int) { found = true })
	}
	return found
}

// whiteLabel decides whether a component is offered under another maker
// than the entity its evidence shows, and names that maker. A component
// that names its own maker is white-labelled when that maker is not the
// entity. A component that names none is offered under the maker of the
// product around it, but only when nothing in its own name or package
// identifiers already shows the entity: a Kaspersky-authored library
// listed as pkg:maven/com.kaspersky... in someone's product is a
// dependency, not a rebranded product.
func (d *docState) whiteLabel(entity string, x *model.Component, path []string, ev []Evidence) (string, bool) {
	e := d.e
	if m := maker(x); m != "" {
		return m, !e.isEntity(entity, m)
	}
	// A binary that declares another maker in its version resources or
	// manifest is offered under it. One that declares the entity itself is
	// not thereby in plain sight: a renamed Kaspersky DLL shipped in
	// someone's product is offered under that product, and its version
	// resources are the evidence.
	if m := declaredMaker(x); m != "" && !e.isEntity(entity, m) {
		return m, true
	}
	for _, v := range ev {
		if nameVisible(v, x.Type == "file") {
			return "", false
		}
	}
	m := d.offered(x, path)
	return m, m != "" && !e.isEntity(entity, m)
}

// nameVisible reports whether the evidence is in the name or package
// identifiers a component is listed under. A file is listed under its path,
// so a Kaspersky file name or directory in it is in plain sight.
func nameVisible(v Evidence, file bool) bool {
	switch v.Kind {
	case KindName, KindPURL:
		return true
	case KindJavaPackage:
		return v.Field == "group" || v.Field == "name" || v.Field == "purl"
	case KindFilename, KindPath:
		return file && (v.Field == "name" || strings.HasSuffix(v.Field, ".fileName"))
	}
	return false
}

// offered is the maker a component is offered under: its own supplier,
// manufacturer, publisher, first author or originator, or else that of the
// nearest component above it on its path from the root, or else the
// document's supplier or manufacturer.
func (d *docState) offered(x *model.Component, path []string) string {
	if m := maker(x); m != "" {
		return m
	}
	for i := len(path) - 2; i >= 0; i-- {
		if up := d.byRef[path[i]]; up != nil {
			if m := maker(up); m != "" {
				return m
			}
		}
	}
	for _, p := range []*model.Party{d.doc.Supplier, d.doc.Manufacturer} {
		if p != nil && p.Name != "" {
			return p.Name
		}
	}
	return ""
}

func maker(x *model.Component) string {
	for _, p := range []*model.Party{x.Supplier, x.Manufacturer} {
		if p != nil && cmp.Or(p.Name, p.Raw) != "" {
			return cmp.Or(p.Name, p.Raw)
		}
	}
	if x.Publisher != "" {
		return x.Publisher
	}
	if len(x.Authors) > 0 && cmp.Or(x.Authors[0].Name, x.Authors[0].Raw) != "" {
		return cmp.Or(x.Authors[0].Name, x.Authors[0].Raw)
	}
	if x.Originator != nil && cmp.Or(x.Originator.Name, x.Originator.Raw) != "" {
		return cmp.Or(x.Originator.Name, x.Originator.Raw)
	}
	return ""
}

// declaredMaker is the maker a file declares in its PE version resources
// or its Java manifest.
func declaredMaker(x *model.Component) string {
	for _, p := range x.Properties {
		switch propertyKey(p.Name) {
		case "companyname", "implementationvendor", "bundlevendor":
			if p.Value != "" {
				return p.Value
			}
		}
	}
	return ""
}

func label(x *model.Component) string {
	return strings.TrimSpace(x.Name + " " + x.Version)
}

// fingerprint identifies a finding by entity and component identity, not
// by ref (syft refs change between runs) and not by rules (so waivers
// survive signature updates).
func fingerprint(entity string, x *model.Component, extra ...string) string {
	loc := ""
	if len(x.Locations) > 0 {
		loc = x.Locations[0]
	}
	parts := append([]string{entity, x.Group, x.Name, x.Version, x.PURL, loc}, extra...)
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "PDG-" + strings.ToUpper(hex.EncodeToString(h[:8]))
}

// ruleOtherwise reports whether a rule matched by other evidence than
// references.
func (e *Engine) ruleOtherwise(ev []Evidence, rule string) bool {
	for _, v := range ev {
		if v.Rule == rule && v.Kind != KindReference {
			return true
		}
	}
	return false
}

// raiseReferences gives a finding that rates a rule at medium because the
// component only imports what the rule is about (KindReference) the rule's
// own severity when the same rule matched other evidence (a declaration,
// a binary, an identifier; not a mention, not another import) on a finding
// of the document that the rule rates at its own severity: the SDK the
// source imports is declared or shipped too. A declaration judged to be
// something less (an integration, a person's name) raises nothing. The
// rules that raised a finding are kept, so that Without judges the same.
func (e *Engine) raiseReferences(findings []Finding) {
	var shown map[string]bool
	for _, f := range findings {
		for _, v := range f.Evidence {
			if v.Kind == KindReference || v.Kind == KindMention {
				continue
			}
			if r := e.set.Rule(v.Rule); r != nil && f.Severity.Rank() >= r.Severity.Rank() {
				if shown == nil {
					shown = map[string]bool{}
				}
				shown[v.Rule] = true
			}
		}
	}
	if shown == nil {
		return
	}
	for i := range findings {
		f := &findings[i]
		for _, v := range f.Evidence {
			if v.Kind == KindReference && shown[v.Rule] && !slices.Contains(f.shown, v.Rule) {
				f.shown = append(f.shown, v.Rule)
			}
		}
		e.raise(f)
	}
}

// raise gives f the severity of the most severe rule in f.shown that its
// reference evidence names, if that is more than f has, with a note. An
// import that a developer-library rule also claims (a Kaspresso package,
// which the vendor-namespace rule matches too) raises nothing: it imports
// the library, not whatever else of the vendor's the document ships.
func (e *Engine) raise(f *Finding) {
	devLib := map[string]bool{}
	for _, v := range f.Evidence {
		if r := e.set.Rule(v.Rule); v.Kind == KindReference && r != nil && r.Category == signature.DeveloperLibrary {
			devLib[v.Value] = true
		}
	}
	var top *signature.Rule
	for _, id := range f.shown {
		if !slices.ContainsFunc(f.Evidence, func(v Evidence) bool { return v.Kind == KindReference && v.Rule == id && !devLib[v.Value] }) {
			continue
		}
		if r := e.set.Rule(id); r != nil && (top == nil || r.Severity.Rank() > top.Severity.Rank()) {
			top = r
		}
	}
	if top == nil || top.Severity.Rank() <= f.Severity.Rank() {
		return
	}
	f.Notes = append(f.Notes, fmt.Sprintf("imports what rule %s is about, which this document also declares or ships: severity raised from %s to %s", top.ID, f.Severity, top.Severity))
	f.Severity = top.Severity
	f.Title, f.Rule = top.Title+": "+label(f.Component), top.ID
}
