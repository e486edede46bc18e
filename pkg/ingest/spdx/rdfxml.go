package spdx

import (
	"encoding/xml"
	"fmt"
	"strings"

	gordf "github.com/spdx/gordf/rdfloader/parser"
)

// This file reads RDF/XML into the triples tools-golang's RDF reader works
// on. gordf, the RDF/XML reader tools-golang uses, cannot be used on
// untrusted input: it reads byte by byte (so UTF-8 text comes out as
// mojibake), decodes no XML entities ("AT&amp;T" stays so), rejects valid
// documents such as the spdx-spec examples, and parses in goroutines whose
// panics no recover can catch and whose triple order changes from run to
// run. encoding/xml has none of these problems; the triples built here
// follow gordf's conventions for node types and blank node names, which is
// what tools-golang expects.

const (
	nsRDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML = "http://www.w3.org/XML/1998/namespace"
)

// parseRDFXML reads the triples of an RDF/XML document, in document order.
func parseRDFXML(data []byte) ([]*gordf.Triple, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	b := &tripleBuilder{seen: map[string]bool{}, nodes: map[string]*gordf.Node{}}
	if root.name.Space == nsRDF && root.name.Local == "RDF" {
		for _, c := range root.children {
			if _, err := b.nodeElement(c); err != nil {
				return nil, err
			}
		}
	} else if _, err := b.nodeElement(root); err != nil {
		return nil, err
	}
	return b.triples, nil
}

// tripleBuilder turns RDF/XML elements into triples.
type tripleBuilder struct {
	triples []*gordf.Triple
	seen    map[string]bool
	nodes   map[string]*gordf.Node
	blank   int
}

func (b *tripleBuilder) node(typ gordf.NODETYPE, id string) *gordf.Node {
	n := &gordf.Node{NodeType: typ, ID: id}
	if m, ok := b.nodes[n.String()]; ok {
		return m
	}
	b.nodes[n.String()] = n
	return n
}

func (b *tripleBuilder) newBlank() *gordf.Node {
	id := fmt.Sprintf("N%d", b.blank)
	b.blank++
	return b.node(gordf.BLANK, id)
}

func (b *tripleBuilder) add(s, p, o *gordf.Node) {
	t := &gordf.Triple{Subject: s, Predicate: p, Object: o}
	if h := t.Hash(); !b.seen[h] {
		b.seen[h] = true
		b.triples = append(b.triples, t)
	}
}

func resolve(base, ref string) string {
	if strings.HasPrefix(ref, "#") && base != "" {
		return strings.TrimSuffix(base, "#") + ref
	}
	return ref
}

// isSyntax reports whether an attribute is RDF or XML syntax rather than a
// property.
func isSyntax(a xml.Attr) bool {
	switch a.Name.Space {
	case nsXML, "xml":
		return true
	case nsRDF:
		switch a.Name.Local {
		case "type":
			return false
		}
		return true
	}
	return false
}

// nodeElement reads an element that stands for a resource and returns its
// node.
func (b *tripleBuilder) nodeElement(e *xmlElement) (*gordf.Node, error) {
	var subject *gordf.Node
	if v, ok := e.attr(nsRDF, "about"); ok {
		subject = b.node(gordf.IRI, resolve(e.base, v))
	} else if v, ok := e.attr(nsRDF, "ID"); ok {
		subject = b.node(gordf.IRI, resolve(e.base, "#"+v))
	} else if v, ok := e.attr(nsRDF, "nodeID"); ok {
		subject = b.node(gordf.NODEIDLITERAL, "N"+v)
	} else {
		subject = b.newBlank()
	}
	if !(e.name.Space == nsRDF && e.name.Local == "Description") {
		b.add(subject, b.node(gordf.IRI, nsRDF+"type"), b.node(gordf.IRI, e.name.Space+e.name.Local))
	}
	b.propertyAttrs(subject, e)
	for _, c := range e.children {
		if err := b.propertyElement(subject, c); err != nil {
			return nil, err
		}
	}
	return subject, nil
}

// propertyAttrs adds the properties written as attributes of e.
func (b *tripleBuilder) propertyAttrs(subject *gordf.Node, e *xmlElement) {
	for _, a := range e.attrs {
		if isSyntax(a) {
			continue
		}
		pred := b.node(gordf.IRI, a.Name.Space+a.Name.Local)
		if a.Name.Space == nsRDF && a.Name.Local == "type" {
			b.add(subject, pred, b.node(gordf.IRI, a.Value))
			continue
		}
		b.add(subject, pred, b.node(gordf.LITERAL, a.Value))
	}
}

// propertyElement reads an element that stands for a property of subject.
func (b *tripleBuilder) propertyElement(subject *gordf.Node, e *xmlElement) error {
	pred := b.node(gordf.IRI, e.name.Space+e.name.Local)
	parseType, _ := e.attr(nsRDF, "parseType")
	hasPropertyAttrs := false
	for _, a := range e.attrs {
		if !isSyntax(a) {
			hasPropertyAttrs = true
		}
	}
	switch {
	case parseType == "Resource":
		obj := b.newBlank()
		b.add(subject, pred, obj)
		for _, c := range e.children {
			if err := b.propertyElement(obj, c); err != nil {
				return err
			}
		}
	case parseType == "Literal":
		b.add(subject, pred, b.node(gordf.LITERAL, e.text.String()))
	case len(e.children) > 0:
		for _, c := range e.children {
			obj, err := b.nodeElement(c)
			if err != nil {
				return err
			}
			b.add(subject, pred, obj)
		}
	default:
		var obj *gordf.Node
		if v, ok := e.attr(nsRDF, "resource"); ok {
			obj = b.node(gordf.RESOURCELITERAL, resolve(e.base, v))
		} else if v, ok := e.attr(nsRDF, "nodeID"); ok {
			obj = b.node(gordf.NODEIDLITERAL, "N"+v)
		} else if hasPropertyAttrs {
			obj = b.newBlank()
		} else {
			obj = b.node(gordf.LITERAL, e.text.String())
		}
		b.add(subject, pred, obj)
		if hasPropertyAttrs {
			b.propertyAttrs(obj, e)
		}
	}
	return nil
}
