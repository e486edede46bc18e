package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
)

// probeObject reads the top-level keys of a JSON object without decoding
// or validating the values: each value is skipped by finding where it
// ends. Detection needs only a few keys, and the decoder that follows
// checks the whole input anyway, so checking it here too would parse a
// large SBOM twice. Keys are matched as encoding/json matches struct
// fields (without case; the last duplicate wins). ok is false when the
// top level is not a well-formed object of simple keys; the caller then
// falls back to encoding/json, which says what is wrong.
func probeObject(data []byte) (p jsonProbe, ok bool) {
	p, _, ok = probeDepth(data)
	return p, ok
}

// probeDepth is probeObject that also returns how deep the object nests,
// counted as bracketDepth counts it (brackets outside strings), or -1 when
// it cannot tell: a value that is neither a string, an object nor an array
// holds a quote or an opening bracket. Skipping the values passes every
// bracket once, so the nesting check costs no second walk of the input.
func probeDepth(data []byte) (p jsonProbe, depth int, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return p, -1, false
	}
	depth = 1
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return p, depth, skipSpace(data, i+1) == len(data)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return p, -1, false
		}
		end := stringEnd(data, i)
		if end < 0 {
			return p, -1, false
		}
		key := data[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return p, -1, false // an escaped key: let encoding/json unescape it
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return p, -1, false
		}
		start := skipSpace(data, i+1)
		vend, vdepth := valueEnd(data, start)
		if vend < 0 {
			return p, -1, false
		}
		switch {
		case vdepth < 0 || depth < 0:
			depth = -1
		case 1+vdepth > depth:
			depth = 1 + vdepth
		}
		if dst := p.field(string(key)); dst != nil {
			*dst = json.RawMessage(data[start:vend])
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return p, -1, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return p, depth, skipSpace(data, i+1) == len(data)
		default:
			return p, -1, false
		}
	}
}

func (p *jsonProbe) field(key string) *json.RawMessage {
	for _, f := range []struct {
		name string
		dst  *json.RawMessage
	}{
		{"bomFormat", &p.BOMFormat}, {"specVersion", &p.SpecVersion}, {"spdxVersion", &p.SPDXVersion},
		{"@context", &p.Context}, {"schema", &p.Schema}, {"artifacts", &p.Artifacts}, {"sbom", &p.SBOM},
		{"components", &p.Components}, {"metadata", &p.Metadata}, {"dependencies", &p.Dependencies},
		{"serialNumber", &p.SerialNumber}, {"SPDXID", &p.SPDXID}, {"documentNamespace", &p.DocumentNamespace},
		{"packages", &p.Packages}, {"creationInfo", &p.CreationInfo}, {"relationships", &p.Relationships},
		{"dataLicense", &p.DataLicense},
	} {
		if strings.EqualFold(key, f.name) {
			return f.dst
		}
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the string that
// starts at data[i], or -1.
func stringEnd(data []byte, i int) int {
	for {
		j := bytes.IndexByte(data[i+1:], '"')
		if j < 0 {
			return -1
		}
		i += j + 1
		n := 0
		for k := i - 1; data[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return i + 1
		}
	}
}

// valueEnd returns the index after the JSON value that starts at data[i],
// or -1, and how deep the value nests (0 for a string, -1 when it cannot
// tell: see probeDepth). Objects and arrays are skipped by counting
// brackets outside strings; nothing inside is checked.
func valueEnd(data []byte, i int) (end, deepest int) {
	if i >= len(data) {
		return -1, -1
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i), 0
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				e := stringEnd(data, i)
				if e < 0 {
					return -1, -1
				}
				i = e - 1
			case '\n':
				// Indentation, eight spaces at a time.
				for i+9 <= len(data) && binary.LittleEndian.Uint64(data[i+1:]) == 0x2020202020202020 {
					i += 8
				}
			case '{', '[':
				depth++
				deepest = max(deepest, depth)
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, deepest
				}
			}
		}
		return -1, -1
	default: // a number, true, false or null
		j := i
		for j < len(data) && !strings.ContainsRune(",}] \t\r\n", rune(data[j])) {
			if data[j] == '"' || data[j] == '{' || data[j] == '[' {
				deepest = -1 // bracketDepth would see a string or a bracket here
			}
			j++
		}
		if j == i {
			return -1, -1
		}
		return j, deepest
	}
}
