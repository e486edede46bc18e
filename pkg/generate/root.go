package generate

import (
	"slices"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// rootPrefix starts the ref of a root whose label is already the ref of
// another element.
const rootPrefix = "pedigree:root:"

// userPathProperties are the properties syft derives from the path the
// user gave (its source metadata "path" and "userInput").
var userPathProperties = []string{"syft:source:path", "syft:source:userInput"}

// unlabelRoot keeps the user's path out of the evidence. syft names the
// root component after the path it was given (a directory as written, a
// file or image archive by its path) and records that path as the root's
// location and as properties; matched, a directory called kavsdk-rn, or
// anything under /opt/kaspersky, would be a finding however harmless its
// contents. Where a product sits and what the user called it say nothing
// about who made what is inside: only what is inside is evidence, and
// every file inside keeps its own name and its path from the root.
//
// A single file target loses nothing by this: syft lists the file itself
// (as "/NAME") and deep inspection reads it under its name, so a file
// named like a Kaspersky driver is still found through them. Its directory
// on disk is not evidence either.
//
// The root keeps the label for display: it has no name (which would be
// matched), its ref becomes the label (reports name a nameless component
// by its ref), and the document's name is the label too (the product name
// of reports). It returns the root's old ref, "" if there was no single
// root.
func unlabelRoot(doc *model.Document) (oldRef string) {
	if len(doc.Roots) != 1 {
		return ""
	}
	oldRef = doc.Roots[0]
	root := doc.Component(oldRef)
	if root == nil {
		return ""
	}
	label := root.Name
	root.Name = ""
	root.Locations = nil
	root.Properties = slices.DeleteFunc(root.Properties, func(p model.Property) bool {
		return slices.Contains(userPathProperties, p.Name)
	})
	doc.Name = label

	newRef := label
	if newRef == "" || refTaken(doc, newRef) {
		newRef = rootPrefix + label
	}
	if refTaken(doc, newRef) {
		return oldRef // keep the ref syft gave: the label stays the document's name
	}
	root.Ref = newRef
	doc.Roots[0] = newRef
	for _, c := range doc.Components {
		if c.Parent == oldRef {
			c.Parent = newRef
		}
	}
	for i := range doc.Relationships {
		r := &doc.Relationships[i]
		if r.From == oldRef {
			r.From = newRef
		}
		if r.To == oldRef {
			r.To = newRef
		}
	}
	return oldRef
}

// refTaken reports whether an element of doc already has ref.
func refTaken(doc *model.Document, ref string) bool {
	for _, c := range doc.Components {
		if c.Ref == ref {
			return true
		}
	}
	for _, f := range doc.Files {
		if f.Ref == ref {
			return true
		}
	}
	return false
}
