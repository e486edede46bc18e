package spdx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// decodeXML reads the SPDX XML dialect (the spdx-spec SPDXXMLExample files):
// a <Document> (or <SpdxDocument>) root whose elements are named like the
// JSON keys, with an array written as repeated elements. It is converted to
// the equivalent JSON tree and decoded as JSON.
func decodeXML(data []byte, t *tolerance) (*result, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	if root.name.Local != "Document" && root.name.Local != "SpdxDocument" {
		return nil, fmt.Errorf("root element is <%s>, want <Document>", root.name.Local)
	}
	return decodeTree(root.object(), t)
}

// maxXMLDepth bounds the nesting of XML elements, and so the recursion of
// the code that walks them, whatever the caller checked before.
const maxXMLDepth = 10000

// xmlElement is an element of an XML document. Both XML dialects read
// their document into a tree of these: SPDX XML by local names (object),
// RDF/XML by namespaces, attributes and xml:base (tripleBuilder).
type xmlElement struct {
	name     xml.Name
	attrs    []xml.Attr // without the namespace declarations
	base     string     // xml:base in scope
	text     strings.Builder
	children []*xmlElement
}

// attr returns the value of the element's attribute space:local.
func (e *xmlElement) attr(space, local string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// parseXML reads the element tree of an XML document: one root element,
// nested at most maxXMLDepth levels, every element closed.
func parseXML(data []byte) (*xmlElement, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		root  *xmlElement
		stack []*xmlElement
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if len(stack) > 0 {
					return nil, fmt.Errorf("truncated: element <%s> is not closed", stack[len(stack)-1].name.Local)
				}
				if root == nil {
					return nil, errors.New("no root element")
				}
				return root, nil
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &xmlElement{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				e.attrs = append(e.attrs, a)
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				e.base = parent.base
				parent.children = append(parent.children, e)
			} else {
				if root != nil {
					return nil, fmt.Errorf("second root element <%s>", t.Name.Local)
				}
				root = e
			}
			if v, ok := e.attr(nsXML, "base"); ok {
				e.base = v
			}
			stack = append(stack, e)
			if len(stack) > maxXMLDepth {
				return nil, fmt.Errorf("elements are nested deeper than %d levels", maxXMLDepth)
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
}

// object converts the children of e into a JSON object. Repeated elements,
// and every element whose JSON counterpart is an array, become arrays.
func (e *xmlElement) object() map[string]any {
	out := make(map[string]any, len(e.children))
	for _, c := range e.children {
		v := c.value()
		prev, exists := out[c.name.Local]
		switch {
		case arrayKeys[c.name.Local]:
			list, _ := prev.([]any)
			out[c.name.Local] = append(list, v)
		case exists:
			// Not an array in the schema: keep every value so that the
			// decoder reports the repetition as a type error.
			if list, ok := prev.([]any); ok {
				out[c.name.Local] = append(list, v)
			} else {
				out[c.name.Local] = []any{prev, v}
			}
		default:
			out[c.name.Local] = v
		}
	}
	return out
}

// value is the JSON value of an element: an object when it has child
// elements, otherwise its text.
func (e *xmlElement) value() any {
	if len(e.children) > 0 {
		return e.object()
	}
	text := strings.TrimSpace(e.text.String())
	if text == "" && objectKeys[e.name.Local] {
		return map[string]any{}
	}
	return scalar(e.name.Local, text)
}
