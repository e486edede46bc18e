// Package inspect shows what pedigree understood of an SBOM: the normalised
// document with, for every component, its vendor fields and its path from
// the product root. It backs `pedigree inspect`.
package inspect

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Formats are the output formats Write accepts.
var Formats = []string{"table", "json"}

// component is a model.Component with its path from the product root.
type component struct {
	*model.Component
	// Path is the display names from the product root to this component.
	Path []string `json:"path"`
	// PathRefs is the same path as refs, which are unique where names are not.
	PathRefs []string `json:"pathRefs"`
}

// document shadows model.Document's Components with the annotated form.
type document struct {
	*model.Document
	Components []component `json:"components"`
}

// Write renders doc to w as "table" (for people) or "json" (the model with
// paths, for tools).
func Write(w io.Writer, doc *model.Document, format string) error {
	v := annotate(doc)
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	case "table", "":
		return writeTable(w, v)
	}
	return fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(Formats, " or "))
}

func annotate(doc *model.Document) document {
	paths := doc.Paths()
	byRef := make(map[string]*model.Component, len(doc.Components))
	for _, c := range doc.Components {
		byRef[c.Ref] = c
	}
	v := document{Document: doc, Components: make([]component, 0, len(doc.Components))}
	for _, c := range doc.Components {
		refs := paths[c.Ref]
		names := make([]string, 0, len(refs))
		for _, r := range refs {
			if x := byRef[r]; x != nil {
				names = append(names, displayName(x))
			} else {
				names = append(names, r)
			}
		}
		v.Components = append(v.Components, component{Component: c, Path: names, PathRefs: refs})
	}
	return v
}

func displayName(c *model.Component) string {
	name := c.Name
	if c.Group != "" {
		name = c.Group + "/" + name
	}
	if name == "" {
		name = c.Ref
	}
	return name
}

func writeTable(w io.Writer, v document) error {
	d := v.Document
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s: %s %s, %d components, %d files, %d relationships\n",
		d.Source, d.Format, d.SpecVersion, len(d.Components), len(d.Files), len(d.Relationships))
	line(tw, "document", d.ID)
	line(tw, "name", d.Name)
	line(tw, "created", d.Created)
	for _, p := range d.Authors {
		line(tw, "sbom author", party(&p))
	}
	line(tw, "tools", strings.Join(d.Tools, ", "))
	line(tw, "supplier", party(d.Supplier))
	line(tw, "manufacturer", party(d.Manufacturer))
	for _, p := range d.Properties {
		line(tw, "property", p.Name+"="+p.Value)
	}
	var roots []string
	for _, r := range d.Roots {
		if c := d.Component(r); c != nil {
			roots = append(roots, displayName(c)+" "+c.Version)
		} else {
			roots = append(roots, r)
		}
	}
	line(tw, "product", strings.TrimSpace(strings.Join(roots, ", ")))
	for _, wmsg := range d.Warnings {
		line(tw, "warning", wmsg)
	}
	for _, c := range v.Components {
		fmt.Fprintln(tw)
		head := displayName(c.Component)
		if c.Version != "" {
			head += " " + c.Version
		}
		if c.Type != "" {
			head += " (" + c.Type + ")"
		}
		fmt.Fprintf(tw, "%s\n", head)
		line(tw, "  ref", c.Ref)
		line(tw, "  path", strings.Join(c.Path, " > "))
		line(tw, "  purl", c.PURL)
		for _, cpe := range c.CPEs {
			line(tw, "  cpe", cpe)
		}
		if c.SWID != nil {
			line(tw, "  swid", c.SWID.TagID+" "+c.SWID.Name)
		}
		line(tw, "  supplier", party(c.Supplier))
		line(tw, "  manufacturer", party(c.Manufacturer))
		line(tw, "  publisher", c.Publisher)
		for _, a := range c.Authors {
			line(tw, "  author", party(&a))
		}
		line(tw, "  originator", party(c.Originator))
		line(tw, "  copyright", c.Copyright)
		line(tw, "  licenses", strings.Join(c.Licenses, ", "))
		for _, h := range c.Hashes {
			line(tw, "  hash", h.Algorithm+":"+h.Value)
		}
		for _, l := range c.Locations {
			line(tw, "  location", l)
		}
		for _, e := range c.ExternalRefs {
			line(tw, "  ref "+e.Type, e.URL)
		}
		for _, p := range c.Properties {
			line(tw, "  property", p.Name+"="+p.Value)
		}
		if p := c.Pedigree; p != nil {
			for _, a := range p.Ancestors {
				line(tw, "  ancestor", lineage(a))
			}
			for _, a := range p.Descendants {
				line(tw, "  descendant", lineage(a))
			}
			for _, a := range p.Variants {
				line(tw, "  variant", lineage(a))
			}
		}
		if e := c.Evidence; e != nil {
			for _, id := range e.Identity {
				line(tw, "  evidence "+id.Field, strings.Join(append([]string{id.ConcludedValue}, id.Methods...), "; "))
			}
			for _, cp := range e.Copyright {
				line(tw, "  evidence copyright", cp)
			}
		}
	}
	if len(d.Files) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "files")
		for _, f := range d.Files {
			var parts []string
			for _, h := range f.Checksums {
				parts = append(parts, h.Algorithm+":"+h.Value)
			}
			if f.Copyright != "" {
				parts = append(parts, "copyright "+f.Copyright)
			}
			if len(f.Contributors) > 0 {
				parts = append(parts, "contributors "+strings.Join(f.Contributors, ", "))
			}
			line(tw, "  "+f.Name, strings.Join(parts, "; "))
		}
	}
	return tw.Flush()
}

func lineage(c *model.Component) string {
	s := strings.TrimSpace(displayName(c) + " " + c.Version)
	var who []string
	for _, p := range []*model.Party{c.Supplier, c.Manufacturer} {
		if s := party(p); s != "" {
			who = append(who, s)
		}
	}
	if c.Publisher != "" {
		who = append(who, c.Publisher)
	}
	if c.PURL != "" {
		who = append(who, c.PURL)
	}
	if len(who) > 0 {
		s += " [" + strings.Join(who, "; ") + "]"
	}
	return s
}

// line writes "key<TAB>value" when value is not empty. Control characters
// in the value are escaped, so a hostile SBOM cannot rewrite the terminal.
func line(w io.Writer, key, value string) {
	if value == "" {
		return
	}
	fmt.Fprintf(w, "%s:\t%s\n", key, safe(value))
}

func party(p *model.Party) string {
	if p.IsZero() {
		return ""
	}
	s := p.Name
	if s == "" {
		s = p.Raw
	}
	if p.Email != "" && !strings.Contains(s, p.Email) {
		s += " <" + p.Email + ">"
	}
	if len(p.URLs) > 0 {
		s += " " + strings.Join(p.URLs, " ")
	}
	for _, c := range p.Contacts {
		s += " (contact " + party(&c) + ")"
	}
	return strings.TrimSpace(s)
}

func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '\uFFFD'
		}
		return r
	}, s)
}
