package syftjson

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Document is a syft JSON document held as Go values rather than bytes:
// what a producer that has syft's format model in memory (pkg/generate)
// gives Convert, instead of encoding it and decoding it again. Its fields
// are those of the JSON document Decode reads, with the same meaning;
// the small sections are kept as their JSON, and a package's metadata too
// (it is walked generically, see metadata.go).
//
// Strings must be valid UTF-8, as they are after a trip through JSON
// (encoding/json writes U+FFFD for each invalid byte), and the raw
// sections valid JSON (as json.Marshal writes it).
type Document struct {
	Schema     json.RawMessage // "schema"
	Descriptor json.RawMessage // "descriptor"
	Distro     json.RawMessage // "distro"
	Source     json.RawMessage // "source"

	Files         []File
	Artifacts     []Package
	Relationships []Relationship
}

// File is an entry of "files".
type File struct {
	ID       string
	Path     string // location.path
	FullPath string // location.fullPath
	Digests  []Digest
	Licenses []License
	// HasMetadata says whether the file has a "metadata" object, and
	// MIMEType is its mimeType.
	HasMetadata bool
	MIMEType    string
	Executable  *Executable
}

// Digest is a {"algorithm", "value"} digest.
type Digest struct {
	Algorithm, Value string
}

// License is a license object of schema 8 and later.
type License struct {
	Value, SPDXExpression string
}

// Executable is a file's "executable" object.
type Executable struct {
	Format            string
	ImportedLibraries []string
}

// Package is an entry of "artifacts".
type Package struct {
	ID, Name, Version, Type, PURL   string
	FoundBy, Language, MetadataType string
	CPEs                            []string // the "cpe" of each
	Licenses                        []License
	Locations                       []Location
	Metadata                        json.RawMessage
}

// Location is a package location.
type Location struct {
	Path, AccessPath, FullPath string
}

// Relationship is an entry of "artifactRelationships".
type Relationship struct {
	Parent, Child, Type string
}

// Convert builds the model of a document held as values: the document
// Decode builds from its JSON, warnings included. The caller sets Source
// and Format and calls Normalize afterwards, as with Decode.
func Convert(in *Document) (*model.Document, error) {
	d := &decoder{
		doc:       &model.Document{},
		filePaths: make(map[string]string),
		byRef:     make(map[string]*model.Component),
	}
	top := object{}
	for key, raw := range map[string]json.RawMessage{"schema": in.Schema, "descriptor": in.Descriptor, "distro": in.Distro} {
		if raw != nil {
			top[key] = raw
		}
	}
	d.header(top)
	if err := d.source(in.Source); err != nil {
		return nil, err
	}
	for i := range in.Files {
		d.typedFile(&in.Files[i])
	}
	for i := range in.Artifacts {
		d.typedPackage(i, &in.Artifacts[i])
	}
	for i, r := range in.Relationships {
		d.relationship(fmt.Sprintf("artifactRelationships[%d]", i), r.Parent, r.Child, r.Type)
	}
	return d.doc, nil
}

// typedFile is files for one entry.
func (d *decoder) typedFile(f *File) {
	file := &model.File{Ref: f.ID}
	if file.Ref == "" {
		file.Ref = d.nextFileRef()
	}
	file.Name = firstNonEmpty(f.FullPath, f.Path)
	file.Checksums = typedDigests(f.Digests)
	file.Licenses = typedLicenses(f.Licenses)
	var notes []string
	if f.HasMetadata && f.MIMEType != "" {
		notes = append(notes, "mimeType: "+f.MIMEType)
	}
	if exe := f.Executable; exe != nil {
		file.Types = append(file.Types, "BINARY")
		if exe.Format != "" {
			notes = append(notes, "executable format: "+exe.Format)
		}
		var libs []string
		for _, l := range exe.ImportedLibraries {
			if l != "" {
				libs = append(libs, l)
			}
		}
		if len(libs) > 0 {
			notes = append(notes, "imported libraries: "+strings.Join(libs, ", "))
		}
	}
	if len(notes) > 0 {
		file.Comment = "syft: " + strings.Join(notes, "; ")
	}
	d.addFile(file, f.Path)
}

// typedPackage is artifacts for one entry.
func (d *decoder) typedPackage(i int, p *Package) {
	c := &model.Component{Ref: p.ID, Name: p.Name, Version: p.Version, Type: p.Type, PURL: p.PURL}
	for _, cpe := range p.CPEs {
		if s := strings.TrimSpace(cpe); s != "" {
			c.CPEs = append(c.CPEs, s)
		}
	}
	c.Licenses = typedLicenses(p.Licenses)
	for _, l := range p.Locations {
		c.Locations = addTrimmed(c.Locations, l.Path)
		c.Locations = addTrimmed(c.Locations, l.AccessPath)
		c.Locations = addTrimmed(c.Locations, l.FullPath)
	}
	for _, prop := range []struct{ value, name string }{
		{p.FoundBy, "syft:package:foundBy"},
		{p.Language, "syft:package:language"},
		{p.MetadataType, "syft:package:metadataType"},
	} {
		if prop.value != "" {
			c.Properties = append(c.Properties, model.Property{Name: prop.name, Value: prop.value})
		}
	}
	if !isNull(p.Metadata) {
		where := fmt.Sprintf("artifacts[%d]", i)
		if c.Name != "" {
			where = fmt.Sprintf("%s (%q)", where, c.Name)
		}
		d.metadata(c, p.Metadata, where)
	}
	d.addComponent(c)
}

func typedDigests(in []Digest) []model.Hash {
	var out []model.Hash
	for _, h := range in {
		if val := strings.TrimSpace(h.Value); h.Algorithm != "" && val != "" {
			out = append(out, model.Hash{Algorithm: model.HashAlgorithm(h.Algorithm), Value: val})
		}
	}
	return out
}

func typedLicenses(in []License) []string {
	var out []string
	for _, l := range in {
		out = addTrimmed(out, firstNonEmpty(l.SPDXExpression, l.Value))
	}
	return out
}

// addTrimmed appends s, trimmed, unless it is empty or already there.
func addTrimmed(list []string, s string) []string {
	if s = strings.TrimSpace(s); s != "" && !contains(list, s) {
		list = append(list, s)
	}
	return list
}
