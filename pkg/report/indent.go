package report

import (
	"bufio"
	"io"
)

// indenter is an io.Writer that indents compact JSON as it passes through,
// the way encoding/json's Encoder does with SetIndent("", indent): the
// same bytes, but without a second, indented copy of the whole document
// in memory (Encoder.Encode builds the compact encoding, then an indented
// copy of it, then writes). Its input is what encoding/json writes:
// compact JSON with no space outside strings, then a newline.
type indenter struct {
	w      *bufio.Writer
	indent string
	depth  int
	// open is true just after { or [: the newline and indentation wait
	// for the next byte, so that an empty object or array stays {} or [].
	open     bool
	inString bool
	escaped  bool // the previous byte in a string was a backslash
}

func newIndenter(w io.Writer, indent string) *indenter {
	return &indenter{w: bufio.NewWriterSize(w, 64<<10), indent: indent}
}

func (in *indenter) newline() {
	in.w.WriteByte('\n')
	for range in.depth {
		in.w.WriteString(in.indent)
	}
}

func (in *indenter) Write(p []byte) (int, error) {
	for _, c := range p {
		if in.inString {
			in.w.WriteByte(c)
			switch {
			case in.escaped:
				in.escaped = false
			case c == '\\':
				in.escaped = true
			case c == '"':
				in.inString = false
			}
			continue
		}
		if in.open && c != '}' && c != ']' {
			in.open = false
			in.depth++
			in.newline()
		}
		switch c {
		case '"':
			in.inString = true
			in.w.WriteByte(c)
		case '{', '[':
			in.open = true
			in.w.WriteByte(c)
		case '}', ']':
			if in.open {
				in.open = false
			} else {
				in.depth--
				in.newline()
			}
			in.w.WriteByte(c)
		case ',':
			in.w.WriteByte(c)
			in.newline()
		case ':':
			in.w.WriteString(": ")
		default:
			in.w.WriteByte(c)
		}
	}
	return len(p), nil
}

// Flush writes what is buffered; it returns the first write error.
func (in *indenter) Flush() error { return in.w.Flush() }
