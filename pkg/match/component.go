package match

import (
	"path"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// componentEvidence gathers the evidence a component carries in its own
// fields, with field names prefixed by prefix ("" for the component itself,
// "pedigree.ancestors[0]." for an ancestor).
func (c *collector) component(x *model.Component, prefix string) {
	// --- Makers ---
	c.party(x.Supplier, KindSupplier, fieldAt(prefix, "supplier"))
	c.party(x.Manufacturer, KindManufacturer, fieldAt(prefix, "manufacturer"))
	c.phrases(c.e.names, KindPublisher, fieldAt(prefix, "publisher"), x.Publisher, "")
	for i := range x.Authors {
		c.party(&x.Authors[i], KindAuthor, itemAt(prefix, "authors", i))
	}
	c.party(x.Originator, KindOriginator, fieldAt(prefix, "originator"))
	c.maker(KindCopyright, fieldAt(prefix, "copyright"), x.Copyright, "")
	if ev := x.Evidence; ev != nil {
		for i, s := range ev.Copyright {
			c.maker(KindCopyright, itemAt(prefix, "evidence.copyright", i), s, "")
		}
		for i, id := range ev.Identity {
			c.identity(id, itemAt(prefix, "evidence.identity", i))
		}
		for i, o := range ev.Occurrences {
			c.file(o, itemAt(prefix, "evidence.occurrences", i))
		}
	}

	// --- Names and free text ---
	if x.Type != "file" {
		// A file's name is a path: it is matched as a file below.
		c.product(KindName, fieldAt(prefix, "name"), x.Name)
	}
	if x.Group != "" {
		c.product(KindName, fieldAt(prefix, "group"), x.Group)
		c.java(x.Group, fieldAt(prefix, "group"), x.Group, "")
		if x.PURL == "" {
			c.mavenCoordinates(x.Group, x.Name, fieldAt(prefix, "group"))
		}
	}
	if x.SWID != nil {
		c.product(KindName, fieldAt(prefix, "swid.name"), x.SWID.Name)
	}
	c.java(x.Name, fieldAt(prefix, "name"), x.Name, "")
	c.phrases(c.e.mentions, KindMention, fieldAt(prefix, "description"), x.Description, "")
	c.phrases(c.e.mentions, KindMention, fieldAt(prefix, "comment"), x.Comment, "")
	if x.Pedigree != nil {
		c.phrases(c.e.mentions, KindMention, fieldAt(prefix, "pedigree.notes"), x.Pedigree.Notes, "")
	}

	// --- Identifiers ---
	c.purl(x.PURL, fieldAt(prefix, "purl"))
	for i, cpe := range x.CPEs {
		c.cpe(cpe, itemAt(prefix, "cpes", i))
	}
	for i, h := range x.Hashes {
		c.hash(h, itemAt(prefix, "hashes", i), "")
	}
	c.file(x.FileName, fieldAt(prefix, "fileName"))
	if x.Type == "file" && !slices.Contains(x.Locations, x.Name) {
		c.file(x.Name, fieldAt(prefix, "name"))
	}
	for i, l := range x.Locations {
		if x.Evidence != nil && slices.Contains(x.Evidence.Occurrences, l) {
			continue // the CycloneDX decoder lists occurrences as locations too
		}
		c.file(l, itemAt(prefix, "locations", i))
	}
	for i, r := range x.ExternalRefs {
		field := itemAt(prefix, "externalRefs", i)
		// SPDX package-manager and security references repeat the purl and
		// CPEs the decoder has already taken; others are matched here.
		typ := strings.ToLower(r.Type)
		if strings.HasSuffix(typ, "purl") {
			if r.URL != x.PURL {
				c.purl(r.URL, field)
			}
			continue
		}
		if strings.HasSuffix(typ, "cpe23type") || strings.HasSuffix(typ, "cpe22type") {
			if !slices.Contains(x.CPEs, r.URL) {
				c.cpe(r.URL, field)
			}
			continue
		}
		if mentionRefTypes[typ] {
			// A link to the vendor's advisory or analysis says the vendor
			// wrote about the component, not that it made it.
			continue
		}
		c.url(r.URL, field)
	}
	for _, p := range x.Properties {
		c.property(p, keyAt(prefix, "properties", p.Name))
	}
	c.extras(x, prefix) // services.go, composite.go
}

// mentionRefTypes are external reference types whose URL is about the
// component rather than where it comes from (CycloneDX types, and SPDX
// SECURITY references).
var mentionRefTypes = map[string]bool{
	"advisories": true, "vulnerability-assertion": true, "exploitability-statement": true,
	"pentest-report": true, "static-analysis-report": true, "dynamic-analysis-report": true,
	"runtime-analysis-report": true, "threat-model": true, "adversary-model": true,
	"risk-assessment": true, "security-contact": true, "attestation": true,
	"security/advisory": true, "security/url": true, "security/fix": true,
}

// party matches a maker: its name (or the raw text it was parsed from)
// against vendor names and signers, and its e-mail and web addresses
// against domains.
func (c *collector) party(p *model.Party, kind EvidenceKind, field at) {
	if p == nil {
		return
	}
	name := p.Name
	if name == "" {
		name = p.Raw
	}
	c.maker(kind, field.dot(".name"), name, p.Email)
	if kind == KindSigner {
		c.phrases(c.e.signers, kind, field.dot(".name"), name, "")
	}
	if p.Email != "" {
		c.url(p.Email, field.dot(".email"))
	}
	for i, u := range p.URLs {
		c.url(u, itemAt("", field.String()+".urls", i))
	}
	for i := range p.Contacts {
		c.party(&p.Contacts[i], kind, itemAt("", field.String()+".contacts", i))
	}
}

// maker matches a maker's name against the vendor names, marking the
// evidence when the name is a person's who bears the entity's name.
func (c *collector) maker(kind EvidenceKind, field at, name, email string) {
	if name == "" {
		return
	}
	c.e.names.MatchString(name, func(rule int) {
		person := kind != KindSigner && kind != KindPEVersion && c.e.personName(c.e.rules[rule].Entity, name, email)
		c.addEvidence(rule, Evidence{Kind: kind, Field: field.String(), Value: name, person: person})
	})
}

// identity matches the concluded value of CycloneDX identity evidence by
// the field it concludes, and the values its methods name.
func (c *collector) identity(id model.IdentityEvidence, field at) {
	v := id.ConcludedValue
	switch strings.ToLower(id.Field) {
	case "purl":
		c.purl(v, field.dot(".concludedValue"))
	case "cpe":
		c.cpe(v, field.dot(".concludedValue"))
	case "name":
		c.product(KindName, field.dot(".concludedValue"), v)
	case "group":
		c.java(v, field.dot(".concludedValue"), v, "")
	case "hash":
		if alg, val, ok := strings.Cut(v, ":"); ok {
			c.hash(model.Hash{Algorithm: model.HashAlgorithm(alg), Value: strings.ToLower(val)}, field.dot(".concludedValue"), "")
		}
	}
	for i, m := range id.Methods {
		// Methods are "technique: value"; the value is often a file path
		// (filename, manifest-analysis) or a class name (binary-analysis).
		_, val, ok := strings.Cut(m, ": ")
		if !ok {
			continue
		}
		mf := itemAt("", field.String()+".methods", i)
		c.file(val, mf)
		c.java(val, mf, val, "")
	}
}

// purl matches a package URL against purl patterns of its type.
func (c *collector) purl(s string, field at) {
	if s == "" {
		return
	}
	typ, ns, name, ok := splitPURL(s)
	if !ok {
		return
	}
	for _, pr := range c.e.purls[typ] {
		if pr.p.Namespace == "" && ns != "" {
			continue
		}
		if pr.p.Namespace != "" {
			if ok, _ := path.Match(pr.p.Namespace, ns); !ok {
				// "pkg:golang/github.com/kasperskylab/*" also covers the
				// sub-packages of every module below that namespace.
				if pr.p.Name != "*" || !underNamespace(pr.p.Namespace, ns) {
					continue
				}
				c.add(pr.rule, KindPURL, field, s, "")
				continue
			}
		}
		if ok, _ := path.Match(pr.p.Name, name); ok {
			c.add(pr.rule, KindPURL, field, s, "")
		}
	}
	if typ == "maven" && ns != "" {
		// A Maven group is a Java package prefix by convention.
		c.java(ns, field, s, "")
	}
}

// mavenCoordinates matches the Maven coordinates of a component listed
// with a group and a name but no purl (a Gradle version catalogue entry,
// "com.kaspersky.android-components:kaspresso") against the Maven purl
// patterns, as the purl pkg:maven/GROUP/NAME would be. A group that is no
// Maven group (an npm scope, a path) is left alone.
func (c *collector) mavenCoordinates(group, name string, field at) {
	rules := c.e.purls["maven"]
	if len(rules) == 0 || !strings.Contains(group, ".") || strings.ContainsAny(group, "@/: ") {
		return
	}
	ns, n := strings.ToLower(group), strings.ToLower(name)
	value := group + ":" + name
	for _, pr := range rules {
		if ok, _ := path.Match(pr.p.Namespace, ns); !ok {
			continue
		}
		if ok, _ := path.Match(pr.p.Name, n); ok || pr.p.Name == "*" {
			c.add(pr.rule, KindPURL, field, value, "")
		}
	}
}

// underNamespace reports whether ns lies below the namespace pattern: its
// first segments match the pattern's segments.
func underNamespace(pattern, ns string) bool {
	for pattern != "" {
		var p, seg string
		p, pattern, _ = strings.Cut(pattern, "/")
		seg, ns, _ = strings.Cut(ns, "/")
		if ok, _ := path.Match(p, seg); !ok {
			return false
		}
	}
	return ns != "" // something must lie below
}

// splitPURL returns the lower-case type, namespace and name of a package
// URL, percent-decoding "@" in namespaces (npm scopes).
func splitPURL(s string) (typ, ns, name string, ok bool) {
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return "", "", "", false
	}
	rest = strings.TrimLeft(rest, "/")
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, "@"); i > strings.LastIndex(rest, "/") {
		rest = rest[:i]
	}
	typ, p, ok := strings.Cut(rest, "/")
	if !ok {
		return "", "", "", false
	}
	p = strings.ToLower(strings.ReplaceAll(p, "%40", "@"))
	if i := strings.LastIndex(p, "/"); i >= 0 {
		ns, name = p[:i], p[i+1:]
	} else {
		name = p
	}
	return strings.ToLower(typ), ns, name, name != ""
}

// cpe matches a CPE 2.3 formatted string or a CPE 2.2 URI by vendor and
// product.
func (c *collector) cpe(s string, field at) {
	vendor, product, ok := splitCPE(s)
	if !ok {
		return
	}
	for _, key := range []string{vendor, ""} {
		for _, cr := range c.e.cpes[key] {
			if ok, _ := path.Match(cr.vendor, vendor); !ok {
				continue
			}
			if ok, _ := path.Match(cr.product, product); ok {
				c.add(cr.rule, KindCPE, field, s, "")
			}
		}
	}
}

// cpeUnescape removes the backslash escapes of CPE 2.3 formatted strings.
var cpeUnescape = strings.NewReplacer(`\`, "")

func splitCPE(s string) (vendor, product string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	var parts []string
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		parts = strings.Split(s[len("cpe:2.3:"):], ":")
	case strings.HasPrefix(s, "cpe:/"):
		parts = strings.Split(s[len("cpe:/"):], ":")
	default:
		return "", "", false
	}
	if len(parts) < 3 {
		return "", "", false
	}
	return cpeUnescape.Replace(parts[1]), cpeUnescape.Replace(parts[2]), parts[1] != ""
}

// propertyKinds maps the last word of a property name, normalised (lower
// case without "-", "_" and spaces), to the evidence kind its value is when
// it names a maker. Deep inspection and syft record PE version resources,
// Java manifests and signatures as properties.
var propertyKinds = map[string]EvidenceKind{
	"supplier": KindSupplier, "vendor": KindSupplier, "implementationvendor": KindSupplier,
	"bundlevendor": KindSupplier, "specificationvendor": KindSupplier, "implementor": KindSupplier,
	"manufacturer": KindManufacturer, "publisher": KindPublisher,
	"author": KindAuthor, "authors": KindAuthor, "maintainer": KindAuthor, "developer": KindAuthor,
	"originator": KindOriginator, "copyright": KindCopyright, "legaltrademarks": KindCopyright,
	"companyname": KindPEVersion, "company": KindPEVersion, "legalcopyright": KindPEVersion,
	"signer": KindSigner, "signers": KindSigner, "subject": KindSigner, "signersubject": KindSigner,
	"teamidentifier": KindSigner, "teamid": KindSigner,
}

// productKeys are property keys whose value is a product name.
var productKeys = map[string]bool{"productname": true, "filedescription": true, "internalname": true,
	"implementationtitle": true, "bundlename": true, "specificationtitle": true}

// javaKeys are property keys whose value is a Java package or class name.
var javaKeys = map[string]bool{"mainclass": true, "bundlesymbolicname": true, "automaticmodulename": true,
	"bundleactivator": true, "exportpackage": true, "groupid": true, "javaclass": true, "javapackage": true}

// mentionKeys are property keys whose value is free text: strings found in
// a file (deep inspection), and SPDX attribution text (which also keeps a
// tag-value line whose tag was not known). The entity named there is only
// mentioned.
var mentionKeys = map[string]bool{"string": true, "strings": true, "attribution": true}

// property matches a name/value pair by what its name says it holds.
func (c *collector) property(p model.Property, field at) {
	if loc, ok := strings.CutPrefix(p.Name, "pedigree:import:"); ok {
		c.reference(p.Value, field, loc)
		return
	}
	if strings.HasPrefix(p.Name, "pedigree:content") {
		for _, cr := range c.e.content {
			if strings.Contains(p.Value, cr.s) {
				c.add(cr.rule, KindContent, field, cr.s, contentLocation(p.Name))
			}
		}
		return
	}
	key := propertyKey(p.Name)
	if kind, ok := propertyKinds[key]; ok {
		c.maker(kind, field, p.Value, "")
		if kind == KindSigner {
			c.phrases(c.e.signers, kind, field, p.Value, "")
		}
	}
	if productKeys[key] {
		c.product(KindPEVersion, field, p.Value)
	}
	if mentionKeys[key] {
		c.phrases(c.e.mentions, KindMention, field, p.Value, "")
	}
	if key == "originalfilename" {
		c.file(p.Value, field)
	}
	if javaKeys[key] {
		for _, v := range strings.FieldsFunc(p.Value, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			c.java(v, field, p.Value, "")
		}
	}
	if strings.Contains(p.Value, "://") || strings.HasSuffix(key, "url") || key == "homepage" || key == "email" {
		c.url(p.Value, field)
	}
	if key == "path" || key == "location" || strings.HasSuffix(key, "path") {
		c.file(p.Value, field)
	}
}

// propertyKey is the last word of a property name, normalised: the last
// segment after ":" or "." (so "syft:metadata:manifest.main.Implementation-Vendor"
// gives "implementationvendor").
func propertyKey(name string) string {
	if i := strings.LastIndexAny(name, ":."); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToLower(keySeparators.Replace(name))
}

// keySeparators are dropped from property keys before they are compared.
var keySeparators = strings.NewReplacer("-", "", "_", "", " ", "")

// contentLocation is the file named in a content property
// ("pedigree:content:bin/libkavsdk.so" gives "bin/libkavsdk.so").
func contentLocation(name string) string {
	rest := strings.TrimPrefix(name, "pedigree:content")
	return strings.TrimPrefix(rest, ":")
}

// reference matches an imported namespace, header or module (a
// pedigree:import property, LOCATION:LINE in its name) as reference
// evidence: a dotted name against Java package prefixes, a scoped npm
// module as its purl, anything else by its words against product and
// vendor names.
func (c *collector) reference(v string, field at, loc string) {
	sub := c.e.newCollector()
	sub.java(v, field, v, loc)
	if strings.HasPrefix(v, "@") && strings.Count(v, "/") >= 1 {
		scope, rest, _ := strings.Cut(v, "/")
		name, _, _ := strings.Cut(rest, "/")
		sub.purl("pkg:npm/"+strings.ReplaceAll(scope, "@", "%40")+"/"+name, field)
	}
	if len(sub.ev) == 0 {
		sub.phrases(c.e.products, KindReference, field, v, loc)
		sub.phrases(c.e.names, KindReference, field, v, loc)
	}
	for _, ev := range sub.ev {
		c.add(c.e.ruleIndex(ev.Rule), KindReference, field, v, loc)
	}
}
