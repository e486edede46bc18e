package ingest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Detection is what the content of an input says it is.
type Detection struct {
	Format  model.Format
	Version string
	// Unwrapped is set when the SBOM was found inside a wrapper object (the
	// GitHub dependency-graph export {"sbom": {...}}); Body is then the inner
	// document.
	Unwrapped bool
	Body      []byte
	// Warnings are what detection tolerated: a CycloneDX document read
	// without its bomFormat.
	Warnings []string
}

// Detect identifies the dialect and version of an SBOM from its content
// alone; the file name plays no part. data must already have leading
// whitespace and a byte-order mark removed (see Read).
func Detect(data []byte) (Detection, error) { return detect(data, nil) }

// detect is Detect with the top-level keys of a JSON object already read
// (by checkDepthProbe), or nil.
func detect(data []byte, pre *probed) (Detection, error) {
	if len(data) == 0 {
		return Detection{}, errors.New("empty input")
	}
	switch data[0] {
	case '{', '[':
		return detectJSON(data, pre)
	case '<':
		return detectXML(data)
	}
	if v, ok := tagValueVersion(data); ok {
		return Detection{Format: model.FormatSPDXTagValue, Version: v, Body: data}, nil
	}
	if v, ok := yamlVersion(data); ok {
		return Detection{Format: model.FormatSPDXYAML, Version: v, Body: data}, nil
	}
	if !looksLikeText(data) {
		return Detection{}, notSBOM("binary content")
	}
	return Detection{}, notSBOM("no CycloneDX, SPDX or syft marker found")
}

type kindError struct {
	kind Kind
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

func notSBOM(why string) error {
	return &kindError{KindNotSBOM, fmt.Errorf("not an SBOM: %s", why)}
}

func malformed(format model.Format, err error) error {
	return &kindError{KindMalformed, fmt.Errorf("malformed %s: %w", format, err)}
}

func unsupported(format string, version string, supported string) error {
	return &kindError{KindUnsupportedVersion, fmt.Errorf("%s version %q is not supported (supported: %s)", format, version, supported)}
}

// jsonProbe holds the top-level keys that tell the JSON dialects apart.
// RawMessage keeps a wrong type from failing detection.
type jsonProbe struct {
	BOMFormat   json.RawMessage `json:"bomFormat"`
	SpecVersion json.RawMessage `json:"specVersion"`
	SPDXVersion json.RawMessage `json:"spdxVersion"`
	Context     json.RawMessage `json:"@context"`
	Schema      json.RawMessage `json:"schema"`
	Artifacts   json.RawMessage `json:"artifacts"`
	SBOM        json.RawMessage `json:"sbom"`
	// Keys that say a document is meant as an SBOM when its format marker
	// is missing.
	Components        json.RawMessage `json:"components"`
	Metadata          json.RawMessage `json:"metadata"`
	Dependencies      json.RawMessage `json:"dependencies"`
	SerialNumber      json.RawMessage `json:"serialNumber"`
	SPDXID            json.RawMessage `json:"SPDXID"`
	DocumentNamespace json.RawMessage `json:"documentNamespace"`
	Packages          json.RawMessage `json:"packages"`
	CreationInfo      json.RawMessage `json:"creationInfo"`
	Relationships     json.RawMessage `json:"relationships"`
	DataLicense       json.RawMessage `json:"dataLicense"`
}

func detectJSON(data []byte, pre *probed) (Detection, error) {
	if data[0] == '[' {
		if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
			return Detection{}, malformedJSON("json", data, err)
		}
		return Detection{}, notSBOM("JSON top level is an array, want an object")
	}
	var (
		p  jsonProbe
		ok bool
	)
	if pre != nil {
		p, ok = pre.p, true
	} else {
		p, ok = probeObject(data)
	}
	if !ok {
		if err := json.Unmarshal(data, &p); err != nil {
			return Detection{}, malformedJSON("json", data, err)
		}
	}
	switch {
	case p.BOMFormat != nil:
		var f string
		if json.Unmarshal(p.BOMFormat, &f) != nil || f != "CycloneDX" {
			return Detection{}, notSBOM(fmt.Sprintf("bomFormat is %s, want \"CycloneDX\"", msgtext.Clip(string(p.BOMFormat), 40)))
		}
		var v string
		if json.Unmarshal(p.SpecVersion, &v) != nil {
			return Detection{}, &kindError{KindMalformed, fmt.Errorf("malformed cyclonedx-json: specVersion is %s, want a string such as \"1.6\"", clipOrMissing(p.SpecVersion))}
		}
		if !cycloneDXVersions[v] || v == "1.0" || v == "1.1" {
			return Detection{}, unsupported("cyclonedx-json", v, "1.2–1.7")
		}
		return Detection{Format: model.FormatCycloneDXJSON, Version: v, Body: data}, nil
	case p.SPDXVersion != nil:
		var v string
		if json.Unmarshal(p.SPDXVersion, &v) != nil {
			return Detection{}, &kindError{KindMalformed, fmt.Errorf("malformed spdx-json: spdxVersion is %s, want a string such as \"SPDX-2.3\"", msgtext.Clip(string(p.SPDXVersion), 40))}
		}
		return spdxVersion(model.FormatSPDXJSON, v, data)
	case p.Context != nil:
		if bytes.Contains(p.Context, []byte("spdx.org/rdf/3")) {
			v := "3"
			if m := spdx3Version.FindSubmatch(p.Context); m != nil {
				v = string(m[1])
			}
			if v == "3.0" || strings.HasPrefix(v, "3.0.") {
				return Detection{Format: model.FormatSPDX3JSONLD, Version: v, Body: data}, nil
			}
			return Detection{}, unsupported3(v)
		}
		return Detection{}, notSBOM("JSON-LD document without an SPDX 3 context")
	case p.Schema != nil && bytes.Contains(p.Schema, []byte("anchore/syft")):
		var s struct {
			Version string `json:"version"`
		}
		_ = json.Unmarshal(p.Schema, &s)
		return Detection{Format: model.FormatSyftJSON, Version: s.Version, Body: data}, nil
	case p.SBOM != nil:
		inner := bytes.TrimSpace(p.SBOM)
		if len(inner) > 0 && inner[0] == '{' {
			d, err := detectJSON(inner, nil)
			if err == nil {
				d.Unwrapped = true
			}
			return d, err
		}
	}
	return unmarked(p, data)
}

// unmarked judges a JSON object without any format marker. A CycloneDX
// document that lost its bomFormat but has a specVersion and components is
// read as CycloneDX, with a warning; one that carries other SBOM keys is
// an SBOM that cannot be read, never a plain file; an empty object is
// nothing to evaluate. Anything else is not an SBOM.
func unmarked(p jsonProbe, data []byte) (Detection, error) {
	cdxBody := p.Components != nil || p.Metadata != nil || p.Dependencies != nil || p.SerialNumber != nil
	if p.SpecVersion != nil && cdxBody {
		var v string
		if json.Unmarshal(p.SpecVersion, &v) == nil && cycloneDXVersions[v] && v != "1.0" && v != "1.1" {
			return Detection{Format: model.FormatCycloneDXJSON, Version: v, Body: data,
				Warnings: []string{fmt.Sprintf("no bomFormat: read as CycloneDX %s from its specVersion and %s", v, cdxKeys(p))}}, nil
		}
		return Detection{}, looksLike("CycloneDX", "bomFormat", fmt.Sprintf("specVersion %s, %s", msgtext.Clip(string(p.SpecVersion), 40), cdxKeys(p)))
	}
	spdxKeys := keys(map[string]bool{"SPDXID": p.SPDXID != nil, "documentNamespace": p.DocumentNamespace != nil,
		"packages": p.Packages != nil, "creationInfo": p.CreationInfo != nil, "relationships": p.Relationships != nil, "dataLicense": p.DataLicense != nil})
	if p.SPDXID != nil || p.DocumentNamespace != nil || (p.Packages != nil && (p.CreationInfo != nil || p.Relationships != nil || p.DataLicense != nil)) {
		return Detection{}, looksLike("SPDX", "spdxVersion", spdxKeys)
	}
	if p.SpecVersion != nil || (p.Components != nil && (p.Metadata != nil || p.SerialNumber != nil || p.Dependencies != nil)) {
		what := cdxKeys(p)
		if p.SpecVersion != nil {
			what = "specVersion " + msgtext.Clip(string(p.SpecVersion), 40)
			if cdxBody {
				what += ", " + cdxKeys(p)
			}
		}
		return Detection{}, looksLike("CycloneDX", "bomFormat", what)
	}
	if t := bytes.TrimSpace(data); len(t) >= 2 && len(bytes.TrimSpace(t[1:len(t)-1])) == 0 {
		return Detection{}, &kindError{KindMalformed, errors.New("an empty JSON object: no SBOM and nothing to evaluate")}
	}
	return Detection{}, notSBOM("JSON object without bomFormat, spdxVersion, @context or a syft schema")
}

// looksLike is the error for a document with the keys of an SBOM format but
// without its marker: it is an SBOM that cannot be read, not a plain file.
func looksLike(format, marker, what string) error {
	return &kindError{KindMalformed, fmt.Errorf("looks like %s (%s) but has no %s", format, what, marker)}
}

func cdxKeys(p jsonProbe) string {
	return keys(map[string]bool{"components": p.Components != nil, "metadata": p.Metadata != nil,
		"dependencies": p.Dependencies != nil, "serialNumber": p.SerialNumber != nil})
}

// keys lists the names set in m, in sorted order.
func keys(m map[string]bool) string {
	var names []string
	for k, ok := range m {
		if ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

var spdx3Version = regexp.MustCompile(`spdx\.org/rdf/(3[0-9.]*)/`)

func unsupported3(v string) error {
	return &kindError{KindUnsupportedVersion, fmt.Errorf("SPDX %s (JSON-LD) is not supported (supported: SPDX 3.0, SPDX 2.1–2.3)", v)}
}

// cycloneDXVersions are the CycloneDX specification versions pedigree reads.
var cycloneDXVersions = map[string]bool{"1.0": true, "1.1": true, "1.2": true, "1.3": true, "1.4": true, "1.5": true, "1.6": true, "1.7": true}

func spdxVersion(format model.Format, v string, data []byte) (Detection, error) {
	switch v {
	case "SPDX-2.1", "SPDX-2.2", "SPDX-2.3":
		return Detection{Format: format, Version: strings.TrimPrefix(v, "SPDX-"), Body: data}, nil
	}
	if strings.HasPrefix(v, "SPDX-3") {
		return Detection{}, unsupported(string(format), v, "SPDX-2.1, SPDX-2.2, SPDX-2.3; SPDX 3 is read as JSON-LD with an @context")
	}
	return Detection{}, unsupported(string(format), v, "SPDX-2.1, SPDX-2.2, SPDX-2.3")
}

func detectXML(data []byte) (Detection, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	for {
		tok, err := dec.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Detection{}, notSBOM("XML without a root element")
			}
			return Detection{}, &kindError{KindMalformed, fmt.Errorf("malformed xml: %w", err)}
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		// RawToken leaves the namespace as the prefix; resolve the default one.
		ns := ""
		for _, a := range se.Attr {
			if a.Name.Space == "" && a.Name.Local == "xmlns" {
				ns = a.Value
			}
		}
		switch {
		case se.Name.Local == "bom" && se.Name.Space == "":
			const prefix = "http://cyclonedx.org/schema/bom/"
			if !strings.HasPrefix(ns, prefix) {
				if ns == "" {
					return Detection{}, looksLike("CycloneDX", "CycloneDX namespace", "a <bom> root element")
				}
				return Detection{}, &kindError{KindUnsupportedVersion, fmt.Errorf("cyclonedx-xml namespace %q is not a CycloneDX namespace (want %s1.0 to 1.7)", ns, prefix)}
			}
			v := strings.TrimPrefix(ns, prefix)
			if !cycloneDXVersions[v] {
				return Detection{}, unsupported("cyclonedx-xml", v, "1.0–1.7")
			}
			return Detection{Format: model.FormatCycloneDXXML, Version: v, Body: data}, nil
		case se.Name.Local == "RDF":
			if !bytes.Contains(data, []byte("http://spdx.org/rdf/terms")) {
				return Detection{}, notSBOM("RDF/XML without the SPDX vocabulary")
			}
			return Detection{Format: model.FormatSPDXRDF, Body: data}, nil
		case se.Name.Local == "Document" || se.Name.Local == "SpdxDocument":
			v, _ := xmlSPDXVersion(data)
			if v == "" {
				return Detection{}, looksLike("SPDX", "spdxVersion", "a <"+se.Name.Local+"> root element")
			}
			return spdxVersion(model.FormatSPDXXML, v, data)
		}
		return Detection{}, notSBOM(fmt.Sprintf("XML root element <%s> is neither a CycloneDX <bom>, SPDX RDF nor SPDX XML", se.Name.Local))
	}
}

var xmlSPDXVersionRE = regexp.MustCompile(`<spdxVersion>\s*([^<\s]+)\s*</spdxVersion>`)

func xmlSPDXVersion(data []byte) (string, bool) {
	m := xmlSPDXVersionRE.FindSubmatch(data)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

var tagValueRE = regexp.MustCompile(`(?m)^\s*SPDXVersion:\s*(\S+)`)

func tagValueVersion(data []byte) (string, bool) {
	m := tagValueRE.FindSubmatch(data)
	if m == nil {
		return "", false
	}
	v := string(m[1])
	return strings.TrimPrefix(v, "SPDX-"), true
}

var yamlVersionRE = regexp.MustCompile(`(?m)^spdxVersion:\s*["']?([^"'\s]+)`)

func yamlVersion(data []byte) (string, bool) {
	m := yamlVersionRE.FindSubmatch(data)
	if m == nil {
		return "", false
	}
	return strings.TrimPrefix(string(m[1]), "SPDX-"), true
}

func looksLikeText(data []byte) bool {
	n := min(len(data), 4096)
	for _, b := range data[:n] {
		if b == 0 || (b < 0x09) || (b > 0x0d && b < 0x20 && b != 0x1b) {
			return false
		}
	}
	return true
}

func clipOrMissing(raw json.RawMessage) string {
	if raw == nil {
		return "missing"
	}
	return msgtext.Clip(string(raw), 40)
}

// malformedJSON turns a JSON error into one line with a line and column.
func malformedJSON(what string, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the offending one included.
		if strings.Contains(se.Error(), "unexpected end of JSON input") {
			return &kindError{KindMalformed, fmt.Errorf("malformed %s: truncated: the input ends after %d bytes, inside an unfinished value", what, len(data))}
		}
		line, col := position(data, se.Offset-1)
		return &kindError{KindMalformed, fmt.Errorf("malformed %s at line %d, column %d: %v", what, line, col, se)}
	}
	return &kindError{KindMalformed, fmt.Errorf("malformed %s: %v", what, err)}
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
