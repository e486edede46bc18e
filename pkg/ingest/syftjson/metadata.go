package syftjson

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Package metadata differs for every ecosystem and schema version, so it is
// walked generically rather than decoded into per-type structures. Every
// non-empty string whose key reveals who made, built, signed or ships the
// package is kept as a property named "syft:metadata:<path>", where path is
// the JSON path of the value: members joined with ".", array elements as
// "[n]". A syft key/value list entry ({"key": K, "value": V}, used for Java
// manifests since schema 15 and for PE version resources) is addressed by its
// key, so manifest.main[3] = {"key": "Implementation-Vendor", ...} becomes
// "syft:metadata:manifest.main.Implementation-Vendor"; older schemas that
// write the manifest as a map give the same path.
//
// Keys are compared case-insensitively, ignoring "-", "_" and spaces, and a
// dotted key (an image label such as "org.opencontainers.image.vendor") is
// also compared by its last segment.
//
// The same keys then fill the component's first-class fields. For each field
// the first candidate wins, in this order of keys and, for equal keys, in
// document order (so a manifest's main section beats its per-entry sections):
//
//	Supplier      supplier, vendor, companyName/company (PE and .NET version
//	              resources), Implementation-Vendor, Bundle-Vendor,
//	              Specification-Vendor, implementor (JVM release), and last
//	              the distribution's maintainer, maintainers or packager.
//	              Kind is "organization" for vendor to implementor.
//	Authors       author, authors, contributors: every one, in order. A
//	              string is parsed as "Name <mail> (url)"; an object as
//	              {name, email, url|homepage}. authorEmail next to an author
//	              (Python) fills that author's Email.
//	Copyright     legalCopyright, copyright.
//	Publisher     publisher.
//	Manufacturer  manufacturer.
//	Originator    originator.
//	Group         pomProperties.groupId, else pomProject.groupId.
//	Description   a top-level description.
//	ExternalRefs  a top-level homepage, as type "website".
//
// The values under a party-like object (an author, supplier, vendor,
// maintainer, publisher, organization ... given as an object or list of
// objects) are all kept, whatever their keys, and "name" is kept inside
// pomProject and pomProperties.

// vendorKeys are the keys, normalised, whose string values are kept.
var vendorKeys = setOf(
	// people and organisations
	"author", "authors", "authoremail", "authoruri", "authorurl", "contributors",
	"maintainer", "maintainers", "maintaineremail", "packager", "packageremail",
	"vendor", "vendorid", "supplier", "publisher", "company", "companyname",
	"manufacturer", "originator", "organization", "organisation", "organizationname",
	"developer", "developers", "implementor", "email", "issuer",
	// copyright
	"copyright", "legalcopyright", "legaltrademarks",
	// Java manifests and POMs
	"createdby", "builtby", "implementationvendor", "implementationvendorid",
	"implementationtitle", "implementationurl", "specificationvendor", "specificationtitle",
	"bundlevendor", "bundlename", "bundlesymbolicname", "bundledocurl",
	"bundlecontactaddress", "bundledescription", "automaticmodulename", "mainclass",
	"groupid", "artifactid",
	// PE version resources and .NET
	"productname", "originalfilename", "filedescription", "internalname",
	// Apple bundles
	"bundleidentifier",
	// where it comes from
	"homepage", "url", "homeurl", "resolved", "sourcerepo", "buildsourcerepo",
	"vcsurl", "hostedurl", "repository",
	"description",
)

// containerKeys name party-like values: every string below them is kept.
var containerKeys = setOf(
	"author", "authors", "contributors", "maintainer", "maintainers", "developer", "developers",
	"vendor", "supplier", "publisher", "company", "manufacturer", "originator",
	"organization", "organisation",
)

// nameParents are objects inside which "name" is kept.
var nameParents = setOf("pomproject", "pomproperties")

// sourceKeys are kept in the source metadata on top of vendorKeys.
var sourceKeys = setOf("userinput", "imageid", "manifestdigest", "tags", "repodigests", "path")

// supplierOrder is the precedence of keys for Supplier; orgSupplier marks
// those whose party is an organisation.
var (
	supplierOrder = []string{
		"supplier", "vendor", "companyname", "company", "implementationvendor", "bundlevendor",
		"specificationvendor", "implementor", "maintainer", "maintainers", "packager",
	}
	orgSupplier = setOf("vendor", "companyname", "company", "implementationvendor", "bundlevendor",
		"specificationvendor", "implementor")
	authorKeys = setOf("author", "authors", "contributors")
)

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

var keyNormalizer = strings.NewReplacer("-", "", "_", "", " ", "")

func normKey(k string) string {
	return strings.ToLower(keyNormalizer.Replace(k))
}

// match returns the normalised form of key that is in set: the whole key,
// else its last dot-separated segment; "" when neither is.
func match(set map[string]bool, key string) string {
	if n := normKey(key); set[n] {
		return n
	}
	if i := strings.LastIndexByte(key, '.'); i >= 0 && i < len(key)-1 {
		if n := normKey(key[i+1:]); set[n] {
			return n
		}
	}
	return ""
}

// hit is one kept string.
type hit struct {
	path   string // JSON path of the value
	parent string // path of the object holding it
	key    string // its key as written (for a key/value entry, the entry's key)
	value  string
	// container is the path of the party-like value the string sits in (or
	// is), and containerKey that value's normalised key; both "" outside one.
	container    string
	containerKey string
}

type walkContext struct {
	container, containerKey string
	parentKey               string // key of the enclosing object
}

type walker struct {
	dec   tokens
	extra map[string]bool
	hits  []hit
}

// walkMetadata returns the kept strings of a metadata value in document
// order. The value is valid JSON, having been through json.Unmarshal (or
// json.Marshal, for Convert), so its nesting is bounded by encoding/json's
// limit; it is read with scanner.
func walkMetadata(raw json.RawMessage, extra map[string]bool) ([]hit, error) {
	return walkTokens(&scanner{data: raw}, extra)
}

// walkTokens is walkMetadata reading the value from dec.
func walkTokens(dec tokens, extra map[string]bool) ([]hit, error) {
	w := &walker{dec: dec, extra: extra}
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	if err := w.value(tok, "", "", "", walkContext{}); err != nil {
		return w.hits, err
	}
	return w.hits, nil
}

// value walks the value that starts with tok, found under key at path.
func (w *walker) value(tok json.Token, path, parent, key string, c walkContext) error {
	switch t := tok.(type) {
	case string:
		w.str(path, parent, key, t, c)
	case json.Delim:
		switch t {
		case '{':
			return w.object(path, key, c)
		case '[':
			for i := 0; w.dec.More(); i++ {
				next, err := w.dec.Token()
				if err != nil {
					return err
				}
				if err := w.value(next, fmt.Sprintf("%s[%d]", path, i), parent, key, c); err != nil {
					return err
				}
			}
			_, err := w.dec.Token() // ]
			return err
		}
	}
	return nil
}

func (w *walker) object(path, key string, c walkContext) error {
	start := len(w.hits)
	inner := c
	inner.parentKey = key
	if c.container == "" {
		if ck := match(containerKeys, key); ck != "" {
			inner.container, inner.containerKey = path, ck
		}
	}
	var kvKey, kvValue string
	var hasKey, hasValue bool
	members := 0
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string)
		members++
		next, err := w.dec.Token()
		if err != nil {
			return err
		}
		if s, ok := next.(string); ok {
			switch k {
			case "key":
				kvKey, hasKey = s, true
			case "value":
				kvValue, hasValue = s, true
			}
		}
		if err := w.value(next, joinPath(path, k), path, k, inner); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil { // }
		return err
	}
	if members == 2 && hasKey && hasValue && kvKey != "" {
		// A key/value list entry: address it by its key within the list.
		w.hits = w.hits[:start]
		list := trimIndex(path)
		w.str(joinPath(list, kvKey), list, kvKey, kvValue, c)
	}
	return nil
}

func (w *walker) str(path, parent, key, value string, c walkContext) {
	if strings.TrimSpace(value) == "" {
		return
	}
	h := hit{path: path, parent: parent, key: key, value: value, container: c.container, containerKey: c.containerKey}
	if h.container == "" {
		if ck := match(containerKeys, key); ck != "" {
			h.container, h.containerKey = path, ck
		}
	}
	keep := h.container != "" || match(vendorKeys, key) != "" || match(w.extra, key) != "" ||
		(normKey(key) == "name" && nameParents[normKey(c.parentKey)])
	if keep {
		w.hits = append(w.hits, h)
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// trimIndex removes a trailing "[n]" from a path.
func trimIndex(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	return path
}

// candidate is a party found in the metadata, with the key that names its
// role.
type candidate struct {
	role   string
	parent string // path of the object holding the party's key
	party  model.Party
}

// applyHits records the hits as properties named prefix+path and fills the
// component's first-class fields from them (see the table above).
func applyHits(c *model.Component, hits []hit, prefix string) {
	var cands []*candidate
	byContainer := make(map[string]*candidate)
	var copyright, group, groupFallback, description, homepage string
	for _, h := range hits {
		c.Properties = append(c.Properties, model.Property{Name: prefix + h.path, Value: h.value})
		n := normKey(h.key)
		switch {
		case h.container != "" && h.container == h.path:
			// A party written as one string.
			p := parseParty(h.value)
			cands = append(cands, &candidate{role: h.containerKey, parent: h.parent, party: p})
			continue
		case h.container != "":
			// A member of a party object (or of a list of them).
			cand := byContainer[h.container]
			if cand == nil {
				cand = &candidate{role: h.containerKey, parent: trimIndex(h.container)}
				if i := strings.LastIndexByte(cand.parent, '.'); i >= 0 {
					cand.parent = cand.parent[:i]
				} else {
					cand.parent = ""
				}
				byContainer[h.container] = cand
				cands = append(cands, cand)
			}
			v := strings.TrimSpace(h.value)
			switch n {
			case "name":
				if cand.party.Name == "" {
					cand.party.Name = v
				}
			case "email", "mail":
				if cand.party.Email == "" {
					cand.party.Email = v
				}
			case "url", "homepage", "uri":
				cand.party.URLs = append(cand.party.URLs, v)
			}
			continue
		}
		role := match(vendorKeys, h.key)
		switch role {
		case "companyname", "implementationvendor", "bundlevendor", "specificationvendor", "implementor", "packager", "authoremail":
			cands = append(cands, &candidate{role: role, parent: h.parent, party: parseParty(h.value)})
		case "copyright", "legalcopyright":
			if copyright == "" {
				copyright = strings.TrimSpace(h.value)
			}
		case "groupid":
			switch normKey(h.parent) {
			case "pomproperties":
				if group == "" {
					group = strings.TrimSpace(h.value)
				}
			case "pomproject":
				if groupFallback == "" {
					groupFallback = strings.TrimSpace(h.value)
				}
			}
		case "description":
			if h.parent == "" && description == "" {
				description = strings.TrimSpace(h.value)
			}
		case "homepage":
			if h.parent == "" && homepage == "" {
				homepage = strings.TrimSpace(h.value)
			}
		}
	}

	// Authors, with Python's authorEmail folded into the author beside it.
	authorAt := make(map[string]int)
	var emails []*candidate
	for _, cand := range cands {
		switch {
		case authorKeys[cand.role] && !cand.party.IsZero():
			if _, seen := authorAt[cand.parent]; !seen {
				authorAt[cand.parent] = len(c.Authors)
			}
			c.Authors = append(c.Authors, cand.party)
		case cand.role == "authoremail":
			emails = append(emails, cand)
		}
	}
	for _, e := range emails {
		if i, ok := authorAt[e.parent]; ok && c.Authors[i].Email == "" {
			c.Authors[i].Email = firstNonEmpty(e.party.Email, e.party.Raw)
			continue
		}
		c.Authors = append(c.Authors, model.Party{Email: firstNonEmpty(e.party.Email, e.party.Raw), Raw: e.party.Raw})
	}

	if c.Supplier.IsZero() {
	supplier:
		for _, role := range supplierOrder {
			for _, cand := range cands {
				if cand.role == role && !cand.party.IsZero() {
					p := cand.party
					if orgSupplier[role] {
						p.Kind = "organization"
					}
					c.Supplier = &p
					break supplier
				}
			}
		}
	}
	for _, cand := range cands {
		if cand.party.IsZero() {
			continue
		}
		switch cand.role {
		case "publisher":
			if c.Publisher == "" {
				c.Publisher = firstNonEmpty(cand.party.Raw, cand.party.Name, cand.party.Email)
			}
		case "manufacturer":
			if c.Manufacturer == nil {
				p := cand.party
				c.Manufacturer = &p
			}
		case "originator":
			if c.Originator == nil {
				p := cand.party
				c.Originator = &p
			}
		}
	}
	if c.Copyright == "" {
		c.Copyright = copyright
	}
	if c.Group == "" {
		c.Group = firstNonEmpty(group, groupFallback)
	}
	if c.Description == "" {
		c.Description = description
	}
	if homepage != "" {
		c.ExternalRefs = append(c.ExternalRefs, model.ExternalRef{Type: "website", URL: homepage})
	}
}

var (
	angleEmail = regexp.MustCompile(`<([^<>]*)>`)
	parenURL   = regexp.MustCompile(`\(([^()]*://[^()]*)\)`)
)

// parseParty reads a party written as one string: "Name", "Name <mail>",
// npm's "Name <mail> (url)", or a bare e-mail address. Raw keeps the string.
func parseParty(s string) model.Party {
	s = strings.TrimSpace(s)
	p := model.Party{Raw: s}
	rest := s
	if m := angleEmail.FindStringSubmatchIndex(rest); m != nil {
		p.Email = strings.TrimSpace(rest[m[2]:m[3]])
		rest = rest[:m[0]] + rest[m[1]:]
	}
	if m := parenURL.FindStringSubmatchIndex(rest); m != nil {
		p.URLs = append(p.URLs, strings.TrimSpace(rest[m[2]:m[3]]))
		rest = rest[:m[0]] + rest[m[1]:]
	}
	rest = strings.Trim(strings.TrimSpace(rest), ",;")
	rest = strings.TrimSpace(rest)
	if p.Email == "" && strings.Contains(rest, "@") && !strings.ContainsAny(rest, " \t") {
		p.Email = rest
		rest = ""
	}
	p.Name = rest
	return p
}
