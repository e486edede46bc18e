package source

import (
	"bytes"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// Filter tells, before a source file is parsed, whether Parse could keep
// any of its imports, for a keep function that keeps only names that
//
//   - are not plain ASCII: they hold a byte outside ASCII or an ASCII
//     control character other than tab, line feed, vertical tab, form
//     feed and carriage return (which folding may turn into anything); or
//   - have among their words (runs of ASCII letters and digits) one of
//     the filter's words, compared without case; or
//   - have a run of three or more one-character words in a row whose
//     letters, together and compared without case, hold one of the
//     filter's words of three or more letters (a name spelled out, which
//     folding joins into one word).
//
// pkg/deep's keep (the signatures' Java package prefixes and vendor and
// product words) is such a function, with the filter's words the first
// words of those phrases and a word of each prefix.
//
// The filter reads the file as Parse does: lines split at "\n", each cut
// at decl.MaxLine, without its trailing "\r", the file cut at
// decl.MaxBytes; and it reads only the lines Parse could read an import
// from: those that hold a keyword of the language's expressions
// (keywords), found by searching the file for it, and that maybeImport
// lets through. Every name Parse returns is a substring of such a line
// that begins and ends beside a byte that is not a letter or a digit
// (each expression ends a name at a quote, a bracket, a space, a ";" or
// the line's end), so its words are whole words of the line, and a run
// of one-character words in it part of such a run in the line. The
// filter reads every such line, where Parse stops after MaxImportLines
// lines that are not imports: it can say yes too often, never too
// rarely.
type Filter struct {
	words   map[string]bool // lower case
	spelled [][]byte        // the words of three or more letters
	maxWord int
}

// NewFilter returns a filter for the words (letters and digits; others
// are left out, as no name's word can be one).
func NewFilter(words []string) *Filter {
	f := &Filter{words: map[string]bool{}}
	for _, w := range words {
		w = strings.ToLower(w)
		if w == "" || strings.IndexFunc(w, func(r rune) bool { return !asciiAlnum(r) }) >= 0 || f.words[w] {
			continue
		}
		f.words[w] = true
		f.maxWord = max(f.maxWord, len(w))
		if len(w) >= 3 {
			f.spelled = append(f.spelled, []byte(w))
		}
	}
	return f
}

func asciiAlnum[T rune | byte](c T) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// keywords are, by language, words one of which every line Parse reads an
// import from holds: each of the language's expressions has one of them.
var keywords = map[string][][]byte{
	Java:   {[]byte("import")},
	C:      {[]byte("include"), []byte("import")},
	CSharp: {[]byte("using")},
	Python: {[]byte("import")}, // "from x import y" too
	JS:     {[]byte("import"), []byte("require"), []byte("from")},
}

// MayKeep reports whether Parse(lang, data, keep) could return an item
// for a keep function of the kind Filter describes. A nil Filter says yes.
func (f *Filter) MayKeep(lang string, data []byte) bool {
	if f == nil {
		return true
	}
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	for _, kw := range keywords[lang] {
		for at := 0; at < len(data); {
			i := bytes.Index(data[at:], kw)
			if i < 0 {
				break
			}
			i += at
			start := bytes.LastIndexByte(data[:i], '\n') + 1
			end := len(data)
			if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
				end = i + j
			}
			if f.mayKeep(lang, data[start:end]) {
				return true
			}
			at = end + 1
		}
	}
	return false
}

// mayKeep reads one line of the file as Parse does: cut at decl.MaxLine,
// without its trailing "\r" (which is no letter, so mayKeepLine reads the
// same words either way), and tested by Parse's own maybeImport after the
// cheap tests in bytes.
func (f *Filter) mayKeep(lang string, line []byte) bool {
	if len(line) > decl.MaxLine {
		line = line[:decl.MaxLine]
	}
	return mayBeImport(lang, line) && f.mayKeepLine(line) && maybeImport(lang, strings.TrimRight(string(line), "\r"))
}

// mayBeImport is maybeImport in bytes, so that a line is made a string
// only when it may hold a kept import.
func mayBeImport(lang string, line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	has := func(p string) bool { return bytes.HasPrefix(t, []byte(p)) }
	switch lang {
	case Java:
		return has("import")
	case C:
		return has("#")
	case CSharp:
		return has("using") || has("global")
	case Python:
		return has("import") || has("from")
	case JS:
		return bytes.Contains(t, []byte("import")) || bytes.Contains(t, []byte("require")) || bytes.Contains(t, []byte("from"))
	}
	return false
}

// mayKeepLine reads one import line's words.
func (f *Filter) mayKeepLine(line []byte) bool {
	var buf [64]byte
	run := buf[:0] // the letters of the one-character words in a row
	endRun := func() bool {
		found := false
		if len(run) >= 3 {
			for _, w := range f.spelled {
				if bytes.Contains(run, w) {
					found = true
					break
				}
			}
		}
		run = run[:0]
		return found
	}
	start := -1
	for i := 0; i <= len(line); i++ {
		if i < len(line) {
			c := line[i]
			if c >= 0x80 || c < 0x20 && (c < '\t' || c > '\r') || c == 0x7f {
				return true // not plain ASCII: folding decides
			}
			if asciiAlnum(c) {
				if start < 0 {
					start = i
				}
				continue
			}
		}
		if start < 0 {
			continue
		}
		w := line[start:i]
		start = -1
		if len(w) == 1 {
			if len(run) == cap(run) {
				return true // a longer run than the buffer: let Parse decide
			}
			run = append(run, lower(w[0]))
		} else if endRun() {
			return true
		}
		if len(w) <= f.maxWord {
			var lw [64]byte
			if len(w) > len(lw) {
				return true
			}
			for j := 0; j < len(w); j++ {
				lw[j] = lower(w[j])
			}
			if f.words[string(lw[:len(w)])] {
				return true
			}
		}
	}
	return endRun()
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
