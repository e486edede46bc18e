package model

import (
	"fmt"
	"strconv"
	"strings"
)

// ComponentRef is the ref pedigree gives the nth component (from 1) of a
// document that has none, "pedigree:component:N"; readers and the
// CycloneDX writer that names components in annotations use the same.
func ComponentRef(n int) string { return "pedigree:component:" + strconv.Itoa(n) }

// ServiceRef is the ref pedigree gives the nth service without one,
// "pedigree:service:N" (numbered with the components of its document).
func ServiceRef(n int) string { return "pedigree:service:" + strconv.Itoa(n) }

// Normalize finishes a document after a decoder has filled it: it gives
// components without a ref a synthetic one, warns about duplicate refs,
// drops duplicate relationships, lower-cases hash values, and replaces nil
// lists with empty ones so that the JSON form has [] rather than null.
// Decoders call it last; it is safe to call more than once.
func (d *Document) Normalize() {
	seenRef := make(map[string]bool, len(d.Components))
	for i, c := range d.Components {
		if c.Ref == "" {
			c.Ref = ComponentRef(i + 1)
		}
		if seenRef[c.Ref] {
			d.Warnings = append(d.Warnings, fmt.Sprintf("component %q: ref %q is used by more than one component", c.Name, c.Ref))
		}
		seenRef[c.Ref] = true
		c.normalize()
	}
	for _, f := range d.Files {
		f.normalize()
	}
	seenRel := make(map[Relationship]bool, len(d.Relationships))
	rels := d.Relationships[:0]
	for _, r := range d.Relationships {
		if !seenRel[r] {
			seenRel[r] = true
			rels = append(rels, r)
		}
	}
	d.Relationships = rels
	d.Roots = dedupe(d.Roots)

	d.Authors = nonNilParties(d.Authors)
	d.Tools = nonNil(d.Tools)
	d.Properties = nonNilProps(d.Properties)
	d.Roots = nonNil(d.Roots)
	if d.Components == nil {
		d.Components = []*Component{}
	}
	if d.Files == nil {
		d.Files = []*File{}
	}
	if d.Relationships == nil {
		d.Relationships = []Relationship{}
	}
	d.Warnings = nonNil(d.Warnings)
}

func (c *Component) normalize() {
	c.CPEs = nonNil(c.CPEs)
	c.OmniborIDs = nonNil(c.OmniborIDs)
	c.SWHIDs = nonNil(c.SWHIDs)
	c.Authors = nonNilParties(c.Authors)
	c.Licenses = nonNil(c.Licenses)
	c.Hashes = normalizeHashes(c.Hashes)
	if c.ExternalRefs == nil {
		c.ExternalRefs = []ExternalRef{}
	}
	c.Properties = nonNilProps(c.Properties)
	c.Tags = nonNil(c.Tags)
	c.Locations = nonNil(c.Locations)
	if p := c.Pedigree; p != nil {
		for _, list := range [][]*Component{p.Ancestors, p.Descendants, p.Variants} {
			for _, a := range list {
				a.normalize()
			}
		}
		if p.Ancestors == nil {
			p.Ancestors = []*Component{}
		}
		if p.Descendants == nil {
			p.Descendants = []*Component{}
		}
		if p.Variants == nil {
			p.Variants = []*Component{}
		}
		if p.Commits == nil {
			p.Commits = []Commit{}
		}
	}
	if e := c.Evidence; e != nil {
		if e.Identity == nil {
			e.Identity = []IdentityEvidence{}
		}
		for i := range e.Identity {
			e.Identity[i].Methods = nonNil(e.Identity[i].Methods)
		}
		e.Occurrences = nonNil(e.Occurrences)
		e.Copyright = nonNil(e.Copyright)
		e.Licenses = nonNil(e.Licenses)
	}
}

func (f *File) normalize() {
	f.Types = nonNil(f.Types)
	f.Checksums = normalizeHashes(f.Checksums)
	f.Contributors = nonNil(f.Contributors)
	f.Licenses = nonNil(f.Licenses)
}

func normalizeHashes(hs []Hash) []Hash {
	if hs == nil {
		return []Hash{}
	}
	for i := range hs {
		hs[i].Value = strings.ToLower(strings.TrimSpace(hs[i].Value))
	}
	return hs
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilParties(p []Party) []Party {
	if p == nil {
		return []Party{}
	}
	return p
}

func nonNilProps(p []Property) []Property {
	if p == nil {
		return []Property{}
	}
	return p
}
