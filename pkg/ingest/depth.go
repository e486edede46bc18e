package ingest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// checkDepth refuses documents nested deeper than max before a parser, whose
// recursion the input would otherwise control, sees them. XML is measured in
// elements; everything else in [ and { brackets outside strings (JSON, and
// YAML flow style; in tag-value text brackets are rare and harmless).
func checkDepth(data []byte, max int) error {
	var depth int
	var err error
	if len(data) > 0 && data[0] == '<' {
		depth, err = xmlDepth(data, max)
	} else {
		depth = bracketDepth(data, max)
	}
	if err != nil {
		return err
	}
	if depth > max {
		return &kindError{KindLimit, fmt.Errorf("nesting is deeper than %d levels (limit sbom-depth)", max)}
	}
	return nil
}

// probed is the top-level keys of a JSON object, read while its depth was
// checked.
type probed struct{ p jsonProbe }

// checkDepthProbe is checkDepth, done for a JSON object by probeDepth when
// it can tell the depth: then the keys it read are returned for detection
// (otherwise nil, and detection reads them itself). The depth and the
// error are those of checkDepth.
func checkDepthProbe(data []byte, max int) (*probed, error) {
	if len(data) > 0 && data[0] == '{' {
		if p, depth, ok := probeDepth(data); ok && depth >= 0 {
			if depth > max {
				return nil, &kindError{KindLimit, fmt.Errorf("nesting is deeper than %d levels (limit sbom-depth)", max)}
			}
			return &probed{p}, nil
		}
	}
	return nil, checkDepth(data, max)
}

// bracketDepth returns the deepest nesting of [ and { outside strings, or
// max+1 as soon as it goes past max. It understands JSON strings and the
// quoted scalars of YAML flow style well enough for a bound.
func bracketDepth(data []byte, max int) int {
	depth, deepest := 0, 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			// Jump to the closing quote: one not escaped by an odd number
			// of backslashes. Most of an SBOM is strings, so this is where
			// the time goes, and IndexByte is fast.
			for {
				j := bytes.IndexByte(data[i+1:], '"')
				if j < 0 {
					return deepest // unterminated: the parser will say so
				}
				i += j + 1
				n := 0
				for k := i - 1; data[k] == '\\'; k-- {
					n++
				}
				if n%2 == 0 {
					break
				}
			}
		case '[', '{':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > max {
					return deepest
				}
			}
		case ']', '}':
			depth--
		}
	}
	return deepest
}

// xmlDepth returns the deepest element nesting, or max+1 as soon as it goes
// past max.
func xmlDepth(data []byte, max int) (int, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, deepest := 0, 0
	for {
		tok, err := dec.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return deepest, nil
			}
			return 0, &kindError{KindMalformed, fmt.Errorf("malformed xml: %w", err)}
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > max {
					return deepest, nil
				}
			}
		case xml.EndElement:
			depth--
		}
	}
}
