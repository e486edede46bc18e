package ingest

import (
	"fmt"
	"strconv"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// checkBounds refuses a decoded document with more components than
// opts.MaxComponents (counting those nested in pedigree ancestors,
// descendants and variants) or a text value longer than
// opts.MaxStringBytes. Memory is already bounded by MaxBytes; these bound
// the work matching does per document and per value.
func checkBounds(doc *model.Document, opts Options) error {
	b := bounds{maxString: opts.MaxStringBytes, maxComponents: opts.MaxComponents}
	b.str("name", doc.Name)
	b.str("comment", doc.Comment)
	b.parties("authors", doc.Authors)
	b.party("supplier", doc.Supplier)
	b.party("manufacturer", doc.Manufacturer)
	b.props("properties", doc.Properties)
	b.strs("tools", doc.Tools)
	b.components("components", doc.Components)
	for i, f := range doc.Files {
		if b.err != nil {
			break
		}
		p := "files[" + strconv.Itoa(i) + "]"
		b.str(p+".name", f.Name)
		b.str(p+".copyright", f.Copyright)
		b.str(p+".notice", f.Notice)
		b.str(p+".comment", f.Comment)
		b.strs(p+".contributors", f.Contributors)
		b.strs(p+".licenses", f.Licenses)
		b.hashes(p+".checksums", f.Checksums)
	}
	return b.err
}

type bounds struct {
	maxString     int
	maxComponents int
	seen          int
	err           error
}

func (b *bounds) str(field, s string) {
	if b.err == nil && b.maxString > 0 && len(s) > b.maxString {
		b.err = &kindError{KindLimit, fmt.Errorf("%s: a value of %d bytes is longer than %d bytes (limit string-bytes)", field, len(s), b.maxString)}
	}
}

// long reports whether any of the values is over the string limit: the
// common case, no, is answered without building field names.
func (b *bounds) long(values ...string) bool {
	for _, v := range values {
		if len(v) > b.maxString {
			return true
		}
	}
	return false
}

func (b *bounds) longList(lists ...[]string) bool {
	for _, l := range lists {
		if b.long(l...) {
			return true
		}
	}
	return false
}

func (b *bounds) strs(field string, list []string) {
	for i, s := range list {
		if len(s) > b.maxString && b.maxString > 0 {
			b.str(field+"["+strconv.Itoa(i)+"]", s)
			return
		}
	}
}

func (b *bounds) party(field string, p *model.Party) {
	if p == nil || b.err != nil {
		return
	}
	b.str(field+".name", p.Name)
	b.str(field+".email", p.Email)
	b.str(field+".phone", p.Phone)
	b.str(field+".address", p.Address)
	b.str(field+".raw", p.Raw)
	b.strs(field+".urls", p.URLs)
	b.parties(field+".contacts", p.Contacts)
}

func (b *bounds) parties(field string, list []model.Party) {
	for i := range list {
		b.party(field+"["+strconv.Itoa(i)+"]", &list[i])
	}
}

func (b *bounds) props(field string, list []model.Property) {
	for i, p := range list {
		if len(p.Name) > b.maxString || len(p.Value) > b.maxString {
			f := field + "[" + strconv.Itoa(i) + "]"
			b.str(f+".name", p.Name)
			b.str(f+".value", p.Value)
		}
	}
}

func (b *bounds) hashes(field string, list []model.Hash) {
	for i, h := range list {
		b.str(field+"["+strconv.Itoa(i)+"].value", h.Value)
	}
}

func (b *bounds) components(field string, list []*model.Component) {
	for i, c := range list {
		if b.err != nil {
			return
		}
		b.seen++
		if b.maxComponents > 0 && b.seen > b.maxComponents {
			b.err = &kindError{KindLimit, fmt.Errorf("more than %d components (limit components)", b.maxComponents)}
			return
		}
		if b.maxString > 0 && b.componentLong(c) {
			b.component(field+"["+strconv.Itoa(i)+"]", c)
		}
		if pd := c.Pedigree; pd != nil {
			p := field + "[" + strconv.Itoa(i) + "]"
			b.str(p+".pedigree.notes", pd.Notes)
			for j, cm := range pd.Commits {
				b.str(p+".pedigree.commits["+strconv.Itoa(j)+"].message", cm.Message)
			}
			b.components(p+".pedigree.ancestors", pd.Ancestors)
			b.components(p+".pedigree.descendants", pd.Descendants)
			b.components(p+".pedigree.variants", pd.Variants)
		}
	}
}

// componentLong reports whether any text value of c, parties and lists
// included, is over the string limit.
func (b *bounds) componentLong(c *model.Component) bool {
	if b.long(c.Ref, c.Type, c.Name, c.Group, c.Version, c.Description, c.FileName, c.Scope, c.PURL,
		c.Publisher, c.Copyright, c.Parent, c.Comment) ||
		b.longList(c.CPEs, c.OmniborIDs, c.SWHIDs, c.Licenses, c.Tags, c.Locations) {
		return true
	}
	if s := c.SWID; s != nil && b.long(s.TagID, s.Name, s.Version, s.URL) {
		return true
	}
	for _, p := range []*model.Party{c.Supplier, c.Manufacturer, c.Originator} {
		if b.partyLong(p) {
			return true
		}
	}
	for i := range c.Authors {
		if b.partyLong(&c.Authors[i]) {
			return true
		}
	}
	for _, h := range c.Hashes {
		if b.long(h.Value) {
			return true
		}
	}
	for _, p := range c.Properties {
		if b.long(p.Name, p.Value) {
			return true
		}
	}
	for _, r := range c.ExternalRefs {
		if b.long(r.URL, r.Comment) {
			return true
		}
	}
	if e := c.Evidence; e != nil && b.longList(e.Occurrences, e.Copyright, e.Licenses) {
		return true
	}
	return false
}

func (b *bounds) partyLong(p *model.Party) bool {
	if p == nil {
		return false
	}
	if b.long(p.Name, p.Email, p.Phone, p.Address, p.Raw) || b.long(p.URLs...) {
		return true
	}
	for i := range p.Contacts {
		if b.partyLong(&p.Contacts[i]) {
			return true
		}
	}
	return false
}

// component names the field of c that is over the string limit.
func (b *bounds) component(p string, c *model.Component) {
	for _, f := range [...]struct{ name, value string }{
		{"ref", c.Ref}, {"type", c.Type}, {"name", c.Name}, {"group", c.Group}, {"version", c.Version},
		{"description", c.Description}, {"fileName", c.FileName}, {"scope", c.Scope}, {"purl", c.PURL},
		{"publisher", c.Publisher}, {"copyright", c.Copyright}, {"parent", c.Parent}, {"comment", c.Comment},
	} {
		b.str(p+"."+f.name, f.value)
	}
	b.strs(p+".cpes", c.CPEs)
	b.strs(p+".omniborIds", c.OmniborIDs)
	b.strs(p+".swhids", c.SWHIDs)
	b.strs(p+".licenses", c.Licenses)
	b.strs(p+".tags", c.Tags)
	b.strs(p+".locations", c.Locations)
	if s := c.SWID; s != nil {
		b.str(p+".swid.tagId", s.TagID)
		b.str(p+".swid.name", s.Name)
		b.str(p+".swid.version", s.Version)
		b.str(p+".swid.url", s.URL)
	}
	b.party(p+".supplier", c.Supplier)
	b.party(p+".manufacturer", c.Manufacturer)
	b.party(p+".originator", c.Originator)
	b.parties(p+".authors", c.Authors)
	b.hashes(p+".hashes", c.Hashes)
	b.props(p+".properties", c.Properties)
	for j, r := range c.ExternalRefs {
		b.str(p+".externalRefs["+strconv.Itoa(j)+"].url", r.URL)
		b.str(p+".externalRefs["+strconv.Itoa(j)+"].comment", r.Comment)
	}
	if e := c.Evidence; e != nil {
		b.strs(p+".evidence.occurrences", e.Occurrences)
		b.strs(p+".evidence.copyright", e.Copyright)
		b.strs(p+".evidence.licenses", e.Licenses)
	}
}
