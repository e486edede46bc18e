// Package syftjson decodes syft's own JSON format (the output of
// "syft -o json", schema versions 1.x to 16.x) into the model.
//
// The package does not import syft: it reads the document with minimal
// structures of its own, so that it tolerates missing and extra fields and
// the differences between schema versions (plain-string licenses before
// schema 8 and cpes before schema 16, pre-v9 "source.target", the 1.x
// "fileMetadata" list, the 7.x location "virtualPath" that later became
// "accessPath", Java manifests as maps before schema 15 and as key/value
// lists after).
//
// What goes where:
//
//   - schema.version becomes SpecVersion; descriptor {name, version} becomes
//     Tools ("syft 1.2.3"); distro becomes the document property "syft:distro"
//     ("<id> <version>", falling back to name and versionID).
//   - source becomes the root component (Ref = source.id or "pedigree:source",
//     Name = source.name or the user input or path it was scanned from,
//     Version = source.version, Type = source.type) and the only entry of
//     Roots. source.supplier becomes the root's Supplier; the source metadata
//     (image labels, tags, repo digests, user input) is kept as "syft:source:"
//     properties and mapped to parties like package metadata (see below).
//   - Every artifact becomes a component: Ref = id, Name, Version, Type = the
//     syft package type, PURL, CPEs, Licenses (the SPDX expression when syft
//     found one, else the value as written), Locations (path, then accessPath
//     or fullPath when they differ) and the properties "syft:package:foundBy",
//     "syft:package:language" and "syft:package:metadataType". The package
//     metadata is handled by metadata.go.
//   - files become Files (Ref = id, Name = fullPath or path, Checksums from
//     digests, Licenses); an executable file gets the type "BINARY" and a
//     comment with its MIME type, format and imported libraries.
//   - artifactRelationships become relationships (see relationship).
//
// Decode fails only when the document is not JSON, is not an object, or a
// top-level section has the wrong shape (artifacts: 5). A field of the wrong
// type inside an artifact, file or relationship is skipped with a warning.
package syftjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// sourceRef is the root's ref when the source has no id (schemas before 4.1).
const sourceRef = "pedigree:source"

// newestMajor is the newest schema major version this decoder was written
// for; newer documents are read with a warning.
const newestMajor = 16

// object is a JSON object whose members are decoded on demand.
type object map[string]json.RawMessage

// decoder carries the document being built and what later sections need
// from earlier ones.
type decoder struct {
	doc       *model.Document
	filePaths map[string]string // file id -> path, for evident-by
	byRef     map[string]*model.Component
	fileSeq   int
}

// Decode reads a syft JSON document. The caller sets Source and Format and
// calls Normalize afterwards.
func Decode(data []byte) (*model.Document, error) {
	top, err := topObject(data)
	if err != nil {
		return nil, err
	}
	d := &decoder{
		doc:       &model.Document{},
		filePaths: make(map[string]string),
		byRef:     make(map[string]*model.Component),
	}
	d.header(top)
	if err := d.source(top["source"]); err != nil {
		return nil, err
	}
	// Files first: evident-by relationships need their paths.
	if err := d.files(top["files"]); err != nil {
		return nil, err
	}
	if err := d.legacyFileMetadata(top["fileMetadata"]); err != nil {
		return nil, err
	}
	if err := d.artifacts(top["artifacts"]); err != nil {
		return nil, err
	}
	if err := d.relationships(top["artifactRelationships"]); err != nil {
		return nil, err
	}
	return d.doc, nil
}

// topObject parses the document and insists on an object at the top.
func topObject(data []byte) (object, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty input")
	}
	if trimmed[0] != '{' {
		if json.Valid(trimmed) {
			return nil, fmt.Errorf("want a JSON object at the top level, got %s", kindOf(trimmed))
		}
	}
	var top object
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, syntaxError(data, err)
	}
	if top == nil {
		return nil, errors.New("want a JSON object at the top level, got null")
	}
	return top, nil
}

// syntaxError turns a JSON error into one line, with the line and column
// when encoding/json gives an offset.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := se.Offset
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		before := data[:off]
		line := bytes.Count(before, []byte{'\n'}) + 1
		col := int(off) - bytes.LastIndexByte(before, '\n')
		if strings.Contains(se.Error(), "unexpected end of JSON input") {
			return fmt.Errorf("invalid JSON: truncated at line %d, column %d", line, col)
		}
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, se)
	}
	if strings.Contains(err.Error(), "unexpected end of JSON input") {
		return errors.New("invalid JSON: truncated: unexpected end of input")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

func (d *decoder) warn(format string, args ...any) {
	d.doc.Warnings = append(d.doc.Warnings, fmt.Sprintf(format, args...))
}

// metadataGap records that the metadata at where could not be read to its
// end: what it says past the error was not matched, so the document is
// incomplete there, not only warned about.
func (d *decoder) metadataGap(where string, err error) {
	reason := fmt.Sprintf("metadata not read to its end (%v); what follows was not inspected", err)
	d.doc.Gaps = append(d.doc.Gaps, model.Gap{Location: where, Reason: reason})
	d.doc.GapCount++
	d.warn("%s: %s", where, reason)
}

// header reads schema, descriptor and distro. None of them is required, and
// a wrong shape only costs a warning.
func (d *decoder) header(top object) {
	if schema, ok := d.optObject(top["schema"], "schema"); ok {
		v := d.str(schema, "version", "schema")
		d.doc.SpecVersion = v
		if major, err := strconv.Atoi(strings.SplitN(v, ".", 2)[0]); err == nil && major > newestMajor {
			d.warn("schema: version %q is newer than the versions this decoder was written for (1.x to %d.x); fields it does not know are ignored", v, newestMajor)
		}
	}
	if desc, ok := d.optObject(top["descriptor"], "descriptor"); ok {
		name := d.str(desc, "name", "descriptor")
		version := d.str(desc, "version", "descriptor")
		if name == "" && version != "" {
			name = "syft"
		}
		if tool := strings.TrimSpace(name + " " + version); tool != "" {
			d.doc.Tools = append(d.doc.Tools, tool)
		}
	}
	if distro, ok := d.optObject(top["distro"], "distro"); ok {
		id := firstNonEmpty(d.str(distro, "id", "distro"), d.str(distro, "name", "distro"))
		version := firstNonEmpty(d.str(distro, "versionID", "distro"), d.str(distro, "version", "distro"))
		if v := strings.TrimSpace(id + " " + version); v != "" {
			d.doc.Properties = append(d.doc.Properties, model.Property{Name: "syft:distro", Value: v})
		}
		if cpe := d.str(distro, "cpeName", "distro"); cpe != "" {
			d.doc.Properties = append(d.doc.Properties, model.Property{Name: "syft:distro:cpeName", Value: cpe})
		}
	}
}

// source turns the scanned source into the root component.
func (d *decoder) source(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	src, ok := asObject(raw)
	if !ok {
		return fmt.Errorf("source: want an object, got %s", kindOf(raw))
	}
	root := &model.Component{
		Ref:     firstNonEmpty(d.str(src, "id", "source"), sourceRef),
		Name:    d.str(src, "name", "source"),
		Version: d.str(src, "version", "source"),
		Type:    d.str(src, "type", "source"),
	}
	// Schema 9 and later: metadata object. Before: target, a string (the
	// directory or file) or an object (the image).
	meta := src["metadata"]
	if target := src["target"]; !isNull(target) {
		if s, ok := asString(target); ok {
			root.Name = firstNonEmpty(root.Name, s)
			root.Locations = append(root.Locations, s)
		} else if isNull(meta) {
			meta = target
		}
	}
	if m, ok := asObject(meta); ok {
		path := d.str(m, "path", "source: metadata")
		root.Name = firstNonEmpty(root.Name, d.str(m, "userInput", "source: metadata"), path)
		if path != "" && !contains(root.Locations, path) {
			root.Locations = append(root.Locations, path)
		}
		root.Hashes = append(root.Hashes, d.digests(m["digests"], "source: metadata")...)
	}
	if !isNull(meta) {
		hits, err := walkMetadata(meta, sourceKeys)
		if err != nil {
			d.metadataGap("source: metadata", err)
		}
		applyHits(root, hits, "syft:source:")
	}
	if s := d.str(src, "supplier", "source"); s != "" {
		p := parseParty(s)
		root.Supplier = &p
	}
	d.doc.Components = append(d.doc.Components, root)
	d.doc.Roots = append(d.doc.Roots, root.Ref)
	d.byRef[root.Ref] = root
	return nil
}

// files reads the "files" section (schema 2 and later).
func (d *decoder) files(raw json.RawMessage) error {
	items, err := sectionArray(raw, "files")
	if err != nil {
		return err
	}
	for i, item := range items {
		where := fmt.Sprintf("files[%d]", i)
		f, ok := asObject(item)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", where, kindOf(item))
		}
		file := &model.File{Ref: d.str(f, "id", where)}
		if file.Ref == "" {
			file.Ref = d.nextFileRef()
		}
		var path string
		if loc, ok := d.optObject(f["location"], where+": location"); ok {
			path = d.str(loc, "path", where+": location")
			file.Name = firstNonEmpty(d.str(loc, "fullPath", where+": location"), path)
		}
		file.Checksums = d.digests(f["digests"], where)
		file.Licenses = d.licenses(f["licenses"], where)
		var notes []string
		if meta, ok := d.optObject(f["metadata"], where+": metadata"); ok {
			if mt := d.str(meta, "mimeType", where+": metadata"); mt != "" {
				notes = append(notes, "mimeType: "+mt)
			}
		}
		if exe, ok := d.optObject(f["executable"], where+": executable"); ok {
			file.Types = append(file.Types, "BINARY")
			if format := d.str(exe, "format", where+": executable"); format != "" {
				notes = append(notes, "executable format: "+format)
			}
			if libs := d.strings(exe["importedLibraries"], where+": executable: importedLibraries"); len(libs) > 0 {
				notes = append(notes, "imported libraries: "+strings.Join(libs, ", "))
			}
		}
		if len(notes) > 0 {
			file.Comment = "syft: " + strings.Join(notes, "; ")
		}
		d.addFile(file, path)
	}
	return nil
}

// legacyFileMetadata reads the "fileMetadata" section of schemas 1.0.4 to
// 1.1.0, whose entries carry the digests inside metadata and have no id.
func (d *decoder) legacyFileMetadata(raw json.RawMessage) error {
	items, err := sectionArray(raw, "fileMetadata")
	if err != nil {
		return err
	}
	for i, item := range items {
		where := fmt.Sprintf("fileMetadata[%d]", i)
		f, ok := asObject(item)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", where, kindOf(item))
		}
		file := &model.File{Ref: d.nextFileRef()}
		var path string
		if loc, ok := d.optObject(f["location"], where+": location"); ok {
			path = d.str(loc, "path", where+": location")
			file.Name = path
		}
		if meta, ok := d.optObject(f["metadata"], where+": metadata"); ok {
			file.Checksums = d.digests(meta["digests"], where+": metadata")
		}
		d.addFile(file, path)
	}
	return nil
}

func (d *decoder) nextFileRef() string {
	d.fileSeq++
	return fmt.Sprintf("pedigree:file:%d", d.fileSeq)
}

func (d *decoder) addFile(f *model.File, path string) {
	d.doc.Files = append(d.doc.Files, f)
	if path == "" {
		path = f.Name
	}
	if path != "" {
		d.filePaths[f.Ref] = path
	}
}

// artifacts reads the packages.
func (d *decoder) artifacts(raw json.RawMessage) error {
	items, err := sectionArray(raw, "artifacts")
	if err != nil {
		return err
	}
	for i, item := range items {
		where := fmt.Sprintf("artifacts[%d]", i)
		a, ok := asObject(item)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", where, kindOf(item))
		}
		c := &model.Component{
			Ref:     d.str(a, "id", where),
			Name:    d.str(a, "name", where),
			Version: d.str(a, "version", where),
			Type:    d.str(a, "type", where),
			PURL:    d.str(a, "purl", where),
		}
		if c.Name != "" {
			where = fmt.Sprintf("%s (%q)", where, c.Name)
		}
		c.CPEs = d.cpes(a["cpes"], where)
		c.Licenses = d.licenses(a["licenses"], where)
		c.Locations = d.locations(a["locations"], where)
		for _, p := range []struct{ key, name string }{
			{"foundBy", "syft:package:foundBy"},
			{"language", "syft:package:language"},
			{"metadataType", "syft:package:metadataType"},
		} {
			if v := d.str(a, p.key, where); v != "" {
				c.Properties = append(c.Properties, model.Property{Name: p.name, Value: v})
			}
		}
		d.metadata(c, a["metadata"], where)
		d.addComponent(c)
	}
	return nil
}

// metadata reads a package's metadata (see metadata.go).
func (d *decoder) metadata(c *model.Component, meta json.RawMessage, where string) {
	if isNull(meta) {
		return
	}
	hits, err := walkMetadata(meta, nil)
	if err != nil {
		d.metadataGap(where+": metadata", err)
	}
	applyHits(c, hits, "syft:metadata:")
	// The member is looked for only where it may be written at all (as
	// itself, or with an escape in its key).
	if !bytes.Contains(meta, []byte(`virtualPath`)) && !bytes.Contains(meta, []byte(`\u`)) {
		return
	}
	// Java archives nested in archives: "/app.jar:BOOT-INF/lib/x.jar".
	if vp, ok := memberString(meta, "virtualPath"); ok && vp != "" && !contains(c.Locations, vp) {
		c.Locations = append(c.Locations, vp)
	}
}

// addComponent adds a package's component; the first of a ref is the one
// relationships find.
func (d *decoder) addComponent(c *model.Component) {
	d.doc.Components = append(d.doc.Components, c)
	if c.Ref != "" {
		if _, dup := d.byRef[c.Ref]; !dup {
			d.byRef[c.Ref] = c
		}
	}
}

// relationships reads artifactRelationships. Syft writes {parent, child,
// type}; the types (syft/artifact/relationship.go) map as follows:
//
//	contains                   parent CONTAINS child
//	dependency-of              child DEPENDS_ON parent (the parent is a
//	                           dependency of the child)
//	described-by               child DESCRIBES parent
//	evident-by                 parent EVIDENT_BY child; the child file's
//	                           path is added to the parent's Locations
//	ownership-by-file-overlap  parent CONTAINS child, with the comment
//	                           "syft: ownership-by-file-overlap" (the parent
//	                           package owns the files the child was found in)
//
// Any other type is kept upper-cased with dashes turned into underscores.
func (d *decoder) relationships(raw json.RawMessage) error {
	items, err := sectionArray(raw, "artifactRelationships")
	if err != nil {
		return err
	}
	for i, item := range items {
		where := fmt.Sprintf("artifactRelationships[%d]", i)
		r, ok := asObject(item)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", where, kindOf(item))
		}
		d.relationship(where, d.str(r, "parent", where), d.str(r, "child", where), d.str(r, "type", where))
	}
	return nil
}

// relationship adds one relationship (see relationships).
func (d *decoder) relationship(where, parent, child, typ string) {
	if parent == "" || child == "" || typ == "" {
		d.warn("%s: parent, child and type are all required; relationship ignored", where)
		return
	}
	switch strings.ToLower(typ) {
	case "contains":
		d.addRel(model.NewRelationship(parent, "CONTAINS", child))
	case "dependency-of":
		d.addRel(model.NewRelationship(parent, "DEPENDENCY_OF", child))
	case "described-by":
		d.addRel(model.NewRelationship(parent, "DESCRIBED_BY", child))
	case "evident-by":
		d.addRel(model.NewRelationship(parent, "EVIDENT_BY", child))
		if c := d.byRef[parent]; c != nil {
			if p := d.filePaths[child]; p != "" && !contains(c.Locations, p) {
				c.Locations = append(c.Locations, p)
			}
		}
	case "ownership-by-file-overlap":
		d.addRel(model.Relationship{From: parent, Type: model.RelContains, To: child, Comment: "syft: ownership-by-file-overlap"})
	default:
		d.addRel(model.NewRelationship(parent, typ, child))
	}
}

func (d *decoder) addRel(r model.Relationship) {
	d.doc.Relationships = append(d.doc.Relationships, r)
}

// cpes reads plain strings (schemas before 16) or {"cpe", "source"}
// objects (16 and later), or a mix.
func (d *decoder) cpes(raw json.RawMessage, where string) []string {
	items, ok := d.optArray(raw, where+": cpes")
	var out []string
	for i, item := range items {
		if s, ok := asString(item); ok {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
			continue
		}
		if o, ok := asObject(item); ok {
			if s := strings.TrimSpace(d.str(o, "cpe", fmt.Sprintf("%s: cpes[%d]", where, i))); s != "" {
				out = append(out, s)
			}
			continue
		}
		d.warn("%s: cpes[%d]: want a string or an object, got %s; ignored", where, i, kindOf(item))
	}
	if !ok {
		if s, isStr := asString(raw); isStr && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// licenses reads plain strings (schemas before 8) or objects with value
// and spdxExpression (8 and later), preferring the expression. License URLs
// are not kept.
func (d *decoder) licenses(raw json.RawMessage, where string) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	if s, ok := asString(raw); ok {
		add(s)
		return out
	}
	items, _ := d.optArray(raw, where+": licenses")
	for i, item := range items {
		if s, ok := asString(item); ok {
			add(s)
			continue
		}
		if o, ok := asObject(item); ok {
			w := fmt.Sprintf("%s: licenses[%d]", where, i)
			add(firstNonEmpty(d.str(o, "spdxExpression", w), d.str(o, "value", w)))
			continue
		}
		d.warn("%s: licenses[%d]: want a string or an object, got %s; ignored", where, i, kindOf(item))
	}
	return out
}

// locations reads a package's locations: each one's path, then its
// accessPath (virtualPath in schema 7) and fullPath when they differ. The
// layer ID of an image location is not kept.
func (d *decoder) locations(raw json.RawMessage, where string) []string {
	items, _ := d.optArray(raw, where+": locations")
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	for i, item := range items {
		if s, ok := asString(item); ok {
			add(s)
			continue
		}
		o, ok := asObject(item)
		if !ok {
			d.warn("%s: locations[%d]: want an object, got %s; ignored", where, i, kindOf(item))
			continue
		}
		w := fmt.Sprintf("%s: locations[%d]", where, i)
		add(d.str(o, "path", w))
		add(d.str(o, "accessPath", w))
		add(d.str(o, "virtualPath", w))
		add(d.str(o, "fullPath", w))
	}
	return out
}

// digests reads [{"algorithm", "value"}].
func (d *decoder) digests(raw json.RawMessage, where string) []model.Hash {
	items, _ := d.optArray(raw, where+": digests")
	var out []model.Hash
	for i, item := range items {
		w := fmt.Sprintf("%s: digests[%d]", where, i)
		o, ok := asObject(item)
		if !ok {
			d.warn("%s: want an object, got %s; ignored", w, kindOf(item))
			continue
		}
		alg, val := d.str(o, "algorithm", w), strings.TrimSpace(d.str(o, "value", w))
		if alg == "" || val == "" {
			continue
		}
		out = append(out, model.Hash{Algorithm: model.HashAlgorithm(alg), Value: val})
	}
	return out
}

// strings reads an array of strings, skipping anything else.
func (d *decoder) strings(raw json.RawMessage, where string) []string {
	items, _ := d.optArray(raw, where)
	var out []string
	for _, item := range items {
		if s, ok := asString(item); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// str returns the string member key of o, or "". A number or boolean is
// taken as written; any other type is ignored with a warning.
func (d *decoder) str(o object, key, where string) string {
	raw, present := o[key]
	if !present || isNull(raw) {
		return ""
	}
	if s, ok := asString(raw); ok {
		return s
	}
	switch k := kindOf(raw); k {
	case "number", "boolean":
		return string(bytes.TrimSpace(raw))
	default:
		d.warn("%s: %s: want a string, got %s; ignored", where, key, k)
		return ""
	}
}

// optObject returns raw as an object; null and absent give false quietly,
// any other type with a warning.
func (d *decoder) optObject(raw json.RawMessage, where string) (object, bool) {
	if isNull(raw) {
		return nil, false
	}
	o, ok := asObject(raw)
	if !ok {
		d.warn("%s: want an object, got %s; ignored", where, kindOf(raw))
	}
	return o, ok
}

// optArray returns raw as an array; null and absent give false quietly, a
// string too (callers that accept a lone string handle it), any other type
// with a warning.
func (d *decoder) optArray(raw json.RawMessage, where string) ([]json.RawMessage, bool) {
	if isNull(raw) {
		return nil, false
	}
	a, ok := asArray(raw)
	if !ok && kindOf(raw) != "string" {
		d.warn("%s: want an array, got %s; ignored", where, kindOf(raw))
	}
	return a, ok
}

// sectionArray reads a top-level list: absent or null is empty, any other
// non-array is an error.
func sectionArray(raw json.RawMessage, name string) ([]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	a, ok := asArray(raw)
	if !ok {
		return nil, fmt.Errorf("%s: want an array, got %s", name, kindOf(raw))
	}
	return a, nil
}

func asObject(raw json.RawMessage) (object, bool) {
	if kindOf(raw) != "object" {
		return nil, false
	}
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, false
	}
	return o, true
}

func asArray(raw json.RawMessage) ([]json.RawMessage, bool) {
	if kindOf(raw) != "array" {
		return nil, false
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, false
	}
	return a, true
}

func asString(raw json.RawMessage) (string, bool) {
	if kindOf(raw) != "string" {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	k := kindOf(raw)
	return k == "null" || k == "nothing"
}

// kindOf names the JSON type of raw, for messages and dispatch.
func kindOf(raw []byte) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
