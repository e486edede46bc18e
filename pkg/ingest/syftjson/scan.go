package syftjson

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// tokens is what the metadata walker reads a value with: json.Decoder's
// Token and More, or scanner's.
type tokens interface {
	Token() (json.Token, error)
	More() bool
}

// scanner reads the tokens of a JSON value that is known to be valid (it
// has been through json.Unmarshal or json.Marshal) as json.Decoder's Token
// reads them, several times faster: strings are unquoted as json.Unmarshal
// does, delimiters are json.Delim, and any other literal is a json.Number
// holding its text (the walker only looks at strings and delimiters).
// Commas and colons are skipped. Malformed input gives an error or tokens
// the walker ignores, never a panic.
type scanner struct {
	data []byte
	pos  int
}

var errTruncated = errors.New("unexpected end of JSON input")

func (s *scanner) skip() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r', ',', ':':
			s.pos++
		default:
			return
		}
	}
}

// More reports whether the current array or object has another element.
func (s *scanner) More() bool {
	s.skip()
	return s.pos < len(s.data) && s.data[s.pos] != ']' && s.data[s.pos] != '}'
}

// Token returns the next token.
func (s *scanner) Token() (json.Token, error) {
	s.skip()
	if s.pos >= len(s.data) {
		return nil, errTruncated
	}
	switch c := s.data[s.pos]; c {
	case '{', '}', '[', ']':
		s.pos++
		return json.Delim(c), nil
	case '"':
		escaped := false
		i := s.pos + 1
		for ; i < len(s.data); i++ {
			if b := s.data[i]; b == '\\' {
				escaped = true
				i++
			} else if b == '"' {
				break
			}
		}
		if i >= len(s.data) {
			return nil, errTruncated
		}
		raw := s.data[s.pos : i+1]
		s.pos = i + 1
		if body := raw[1 : len(raw)-1]; !escaped && utf8.Valid(body) {
			return string(body), nil
		}
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return nil, err
		}
		return str, nil
	}
	start := s.pos
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r', ',', ':', '{', '}', '[', ']', '"':
			return json.Number(s.data[start:s.pos]), nil
		}
		s.pos++
	}
	return json.Number(s.data[start:s.pos]), nil
}

// memberString returns the string member key of the object raw (the last
// one, as json.Unmarshal into a map keeps it), as asObject and asString
// would find it; false when raw is no object or that member no string.
func memberString(raw []byte, key string) (string, bool) {
	s := &scanner{data: raw}
	if tok, err := s.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	var val string
	var found bool
	for s.More() {
		k, err := s.Token()
		if err != nil {
			return "", false
		}
		v, err := s.Token()
		if err != nil {
			return "", false
		}
		str, isStr := v.(string)
		if k == key {
			val, found = str, isStr
		}
		if d, ok := v.(json.Delim); ok && (d == '{' || d == '[') {
			// Skip the nested value.
			for depth := 1; depth > 0; {
				t, err := s.Token()
				if err != nil {
					return "", false
				}
				switch t {
				case json.Delim('{'), json.Delim('['):
					depth++
				case json.Delim('}'), json.Delim(']'):
					depth--
				}
			}
		}
	}
	return val, found
}
