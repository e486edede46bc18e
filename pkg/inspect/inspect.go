// Package inspect shows what pedigree understood of an SBOM: the normalised
// document with, for every component, its vendor fields and its path from
// the product root. It backs `pedigree inspect`.
package inspect

import (
	"bufio"
	"bytes"
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
	// A long path is shortened (unless Options.FullPaths): its first and
	// last steps, with PathLength, PathElided and PathElidedAt below.
	Path []string `json:"path"`
	// PathRefs is the same path as refs, which are unique where names are not.
	PathRefs []string `json:"pathRefs"`
	// PathLength is the number of steps of the whole path, and PathElided
	// how many of them Path and PathRefs leave out, between the steps at
	// PathElidedAt-1 and PathElidedAt; present only when shortened.
	PathLength   int `json:"pathLength,omitempty"`
	PathElided   int `json:"pathElided,omitempty"`
	PathElidedAt int `json:"pathElidedAt,omitempty"`
}

// document shadows model.Document's Components with the annotated form.
type document struct {
	*model.Document
	Components []component `json:"components"`
}

// Options change what Write shows.
type Options struct {
	// FullPaths shows every step of each component's path from the
	// product root. By default a path of more than
	// model.PathHead+model.PathTail+1 steps shows its first and last
	// steps and how many were left out, so that the output grows with the
	// number of components and not with the square of a chain's length.
	FullPaths bool
}

// Write renders doc to w as "table" (for people) or "json" (the model with
// paths, for tools), with long paths shortened.
func Write(w io.Writer, doc *model.Document, format string) error {
	return WriteOptions(w, doc, format, Options{})
}

// WriteOptions is Write with options. Components are annotated and written
// one at a time, so the memory it needs beyond the document is about one
// component's worth.
func WriteOptions(w io.Writer, doc *model.Document, format string, opt Options) error {
	switch format {
	case "json":
		return writeJSON(w, newAnnotator(doc, opt))
	case "table", "":
		return writeTable(w, newAnnotator(doc, opt))
	}
	return fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(Formats, " or "))
}

// annotator gives each component its path from the product root.
type annotator struct {
	doc   *model.Document
	idx   *model.PathIndex
	byRef map[string]*model.Component
	full  bool
}

func newAnnotator(doc *model.Document, opt Options) *annotator {
	a := &annotator{doc: doc, idx: doc.PathIndex(), byRef: make(map[string]*model.Component, len(doc.Components)), full: opt.FullPaths}
	for _, c := range doc.Components {
		a.byRef[c.Ref] = c
	}
	return a
}

// annotate gives c its path. The path is walked for c alone (the
// index's Ends), never kept: full paths cost time in proportion to their
// length, and memory for one at a time.
func (a *annotator) annotate(c *model.Component) component {
	var refs []string
	var elided int
	if a.full {
		refs, _ = a.idx.Ends(c.Ref, 0, a.idx.Len(c.Ref))
	} else {
		refs, elided = a.idx.Ends(c.Ref, model.PathHead, model.PathTail)
	}
	names := make([]string, 0, len(refs))
	for _, r := range refs {
		if x := a.byRef[r]; x != nil {
			names = append(names, displayName(x))
		} else {
			names = append(names, r)
		}
	}
	v := component{Component: c, Path: names, PathRefs: refs}
	if elided > 0 {
		v.PathLength, v.PathElided, v.PathElidedAt = a.idx.Len(c.Ref), elided, model.PathHead
	}
	return v
}

// document is the whole annotated document.
func (a *annotator) document() document {
	v := document{Document: a.doc, Components: make([]component, 0, len(a.doc.Components))}
	for _, c := range a.doc.Components {
		v.Components = append(v.Components, a.annotate(c))
	}
	return v
}

// pathText is the component's path on one line: a shortened one names
// the steps left out in their place.
func (c component) pathText() string {
	if c.PathElided <= 0 || c.PathElidedAt > len(c.Path) {
		return strings.Join(c.Path, " > ")
	}
	steps := make([]string, 0, len(c.Path)+1)
	steps = append(steps, c.Path[:c.PathElidedAt]...)
	steps = append(steps, model.Elided(c.PathElided))
	steps = append(steps, c.Path[c.PathElidedAt:]...)
	return strings.Join(steps, " > ")
}

// writeJSON writes the document with its components annotated: the same
// bytes as encoding a document value whole, but the components are
// encoded one at a time (the encoder would otherwise hold the whole
// output in memory).
func writeJSON(w io.Writer, a *annotator) error {
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(document{Document: a.doc, Components: []component{}}); err != nil {
		return err
	}
	// The components come last: encoding/json puts the fields of the
	// embedded document first.
	const tail = "\"components\": []\n}\n"
	if len(a.doc.Components) == 0 || !bytes.HasSuffix(head.Bytes(), []byte(tail)) {
		if len(a.doc.Components) > 0 { // not the layout expected: encode it whole
			head.Reset()
			if err := enc.Encode(a.document()); err != nil {
				return err
			}
		}
		_, err := w.Write(head.Bytes())
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head.Bytes()[:head.Len()-len("]\n}\n")])
	var buf bytes.Buffer
	enc = json.NewEncoder(&buf)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	for i, c := range a.doc.Components {
		buf.Reset()
		if err := enc.Encode(a.annotate(c)); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
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

func writeTable(w io.Writer, a *annotator) error {
	d := a.doc
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
	for _, x := range d.Components {
		c := a.annotate(x)
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
		line(tw, "  path", c.pathText())
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
