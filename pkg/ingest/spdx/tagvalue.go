package spdx

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
	"github.com/spdx/tools-golang/convert"
	tgspdx "github.com/spdx/tools-golang/spdx"
	v21reader "github.com/spdx/tools-golang/spdx/v2/v2_1/tagvalue/reader"
	v22reader "github.com/spdx/tools-golang/spdx/v2/v2_2/tagvalue/reader"
	v23reader "github.com/spdx/tools-golang/spdx/v2/v2_3/tagvalue/reader"
	"github.com/spdx/tools-golang/tagvalue/reader"
)

// decodeTagValue reads an SPDX tag-value document, mending the defects
// tolerance lists (see tolerate.go) before tools-golang sees the pairs.
func decodeTagValue(data []byte, t *tolerance) (*result, error) {
	data, err := t.mendLineEnds(data)
	if err != nil {
		return nil, err
	}
	read, err := readTagValues(data)
	if err != nil {
		return nil, err
	}
	version := ""
	for _, p := range read {
		if p.tag == "SPDXVersion" {
			version = strings.TrimSpace(p.value)
			break
		}
	}
	if version == "" {
		return nil, errors.New("SPDXVersion tag is missing")
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	read, err = t.mendPairs(read)
	if err != nil {
		return nil, err
	}
	pairs := make([]reader.TagValuePair, 0, len(read))
	for _, p := range read {
		switch {
		case (p.tag == "PackageSupplier" || p.tag == "PackageOriginator") && strings.EqualFold(strings.TrimSpace(p.value), "NONE"):
			// The parsers accept only NOASSERTION or a typed party; NONE
			// says the same as leaving the tag out.
			continue
		case strings.HasPrefix(p.tag, "Snippet") || p.tag == "LicenseInfoInSnippet":
			// Snippets are not needed, and the parsers refuse them after a
			// package (where the spdx-spec examples have them) rather than
			// after a file.
			continue
		}
		pairs = append(pairs, reader.TagValuePair{Tag: p.tag, Value: p.value})
	}

	var doc tgspdx.Document
	err = guard("the SPDX tag-value parser", func() error {
		switch version {
		case version21:
			d, err := v21reader.ParseTagValues(pairs)
			if err != nil {
				return err
			}
			return convert.Document(d, &doc)
		case version22:
			d, err := v22reader.ParseTagValues(pairs)
			if err != nil {
				return err
			}
			return convert.Document(d, &doc)
		default:
			d, err := v23reader.ParseTagValues(pairs)
			if err != nil {
				return err
			}
			doc = *d
			return nil
		}
	})
	if err != nil {
		return nil, err
	}
	return &result{doc: &doc, version: version, tol: t}, nil
}

// readTagValues splits a tag-value document into its tag/value pairs the
// way tools-golang's reader does, but without a limit on the length of a
// line, and with line numbers in its errors and in the pairs.
func readTagValues(data []byte) ([]tagPair, error) {
	var (
		pairs    []tagPair
		inText   bool
		textLine int
		tag      string
		value    strings.Builder
	)
	lines := bytes.Split(data, []byte{'\n'})
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, b := range lines {
		line := string(bytes.TrimSuffix(b, []byte{'\r'}))
		if inText {
			before, _, found := strings.Cut(line, "</text>")
			if !found {
				value.WriteString(line)
				value.WriteByte('\n')
				continue
			}
			value.WriteString(before)
			pairs = append(pairs, tagPair{tag: tag, value: value.String(), line: textLine})
			inText = false
			continue
		}
		trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		t, rest, found := strings.Cut(trimmed, ":")
		if !found {
			return nil, fmt.Errorf("line %d: no colon found in %q", i+1, msgtext.Clip(line, 60))
		}
		tag = strings.TrimSpace(t)
		_, text, isText := strings.Cut(rest, "<text>")
		if !isText {
			pairs = append(pairs, tagPair{tag: tag, value: strings.TrimSpace(rest), line: i + 1})
			continue
		}
		if inner, _, closed := strings.Cut(text, "</text>"); closed {
			pairs = append(pairs, tagPair{tag: tag, value: inner, line: i + 1})
			continue
		}
		value.Reset()
		value.WriteString(text)
		value.WriteByte('\n')
		inText = true
		textLine = i + 1
	}
	if inText {
		return nil, fmt.Errorf("line %d: <text> of %s is never closed by </text>", textLine, tag)
	}
	if len(pairs) == 0 {
		return nil, errors.New("no tag-value pairs found")
	}
	return pairs, nil
}
