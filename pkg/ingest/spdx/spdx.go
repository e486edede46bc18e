// Package spdx decodes SPDX documents into the model: SPDX 2.x, and SPDX
// 3.0 JSON-LD (spdx3.go, read with encoding/json, see there).
//
// Every dialect of SPDX 2.1, 2.2 and 2.3 is read: JSON, YAML, tag-value,
// RDF/XML and the XML of the spdx-spec "SPDXXMLExample" files. Defects
// that real files carry and that do not bear on who made a component are
// mended before parsing, each with a warning (tolerate.go; Options.Strict
// refuses them instead). The parsing
// itself is done by github.com/spdx/tools-golang, which converts every
// version to its SPDX 2.3 model; this package feeds it and maps the result
// onto pedigree's model, keeping every field that can reveal who made a
// component.
//
// JSON, YAML and XML are first turned into one generic JSON tree (YAML and
// XML scalars stay the exact text of the input), cleaned of nulls, and only
// then decoded with tools-golang's SPDX JSON structs, so that the three
// dialects go through the same code. Tag-value uses tools-golang's parsers
// behind a line reader of its own. RDF/XML is read into triples here (the
// RDF/XML reader tools-golang uses is not safe on untrusted input, see
// rdfxml.go), adapted to what tools-golang's RDF reader accepts, and what
// that reader loses or shuffles is recovered from the triples (see rdf.go).
//
// Panics in tools-golang are turned into errors; every dialect of one
// document gives the same model.
package spdx

import (
	"fmt"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// UnsupportedVersionError says the document is SPDX, in a version this
// package does not read.
type UnsupportedVersionError struct{ Version string }

func (e *UnsupportedVersionError) Error() string {
	return fmt.Sprintf("SPDX version %q is not supported", e.Version)
}

// The spdxVersion values this package reads.
const (
	version21 = "SPDX-2.1"
	version22 = "SPDX-2.2"
	version23 = "SPDX-2.3"
)

// checkVersion returns an *UnsupportedVersionError unless v is an SPDX 2.1,
// 2.2 or 2.3 version string.
func checkVersion(v string) error {
	switch v {
	case version21, version22, version23:
		return nil
	}
	return &UnsupportedVersionError{Version: v}
}

// Options control how forgiving the reading is.
type Options struct {
	// Strict refuses a document with any of the defects otherwise read
	// through with a warning (element ids without "SPDXRef-", parties
	// without a type, bare-CR line ends, unknown tag-value tags): the
	// error is a *StrictError naming the defect.
	Strict bool
}

// Decode reads an SPDX document in the given dialect, tolerating the
// defects listed at Options.Strict. data must have its leading white
// space removed. The caller finishes the document with Normalize.
func Decode(format model.Format, data []byte) (*model.Document, error) {
	return DecodeWith(format, data, Options{})
}

// DecodeWith is Decode with options.
func DecodeWith(format model.Format, data []byte, opts Options) (*model.Document, error) {
	var (
		r   *result
		err error
		t   = newTolerance(opts.Strict)
	)
	switch format {
	case model.FormatSPDXJSON:
		r, err = decodeJSON(data, t)
	case model.FormatSPDXYAML:
		r, err = decodeYAML(data, t)
	case model.FormatSPDXXML:
		r, err = decodeXML(data, t)
	case model.FormatSPDXTagValue:
		r, err = decodeTagValue(data, t)
	case model.FormatSPDXRDF:
		r, err = decodeRDF(data)
	default:
		return nil, fmt.Errorf("format %q is not an SPDX 2 dialect", format)
	}
	if err != nil {
		return nil, err
	}
	doc := toModel(r)
	doc.Warnings = append(doc.Warnings, t.warnings...)
	doc.Format = format
	doc.SpecVersion = strings.TrimPrefix(r.version, "SPDX-")
	return doc, nil
}

// guard runs a third-party parser and turns a panic in it into an error, so
// that no input can crash the caller.
func guard(what string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s failed on this input: %v", what, p)
		}
	}()
	return f()
}
