package walk

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanName makes an archive entry's name safe to report: slash-separated,
// relative, without "." or ".." elements, control or bidirectional
// formatting characters, and with "!" written "%21" so that it cannot pass
// for an archive separator. problems says what was changed that a sound
// archive would not have needed.
func cleanName(raw string) (name string, problems []string) {
	s := raw
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		problems = append(problems, "invalid UTF-8")
	}
	if strings.ContainsFunc(s, badRune) {
		s = strings.Map(func(r rune) rune {
			if badRune(r) {
				return '_'
			}
			return r
		}, s)
		problems = append(problems, "control characters")
	}
	s = strings.ReplaceAll(s, `\`, "/")
	abs := strings.HasPrefix(s, "/")
	if len(s) >= 2 && s[1] == ':' && ('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		s = s[2:] // a Windows drive: C:/x
		abs = true
	}
	if abs {
		problems = append(problems, "absolute path")
	}
	if c := path.Clean(strings.TrimLeft(s, "/")); c == ".." || strings.HasPrefix(c, "../") {
		problems = append(problems, "path traversal")
	}
	s = strings.TrimPrefix(path.Clean("/"+s), "/")
	if s == "" {
		s = "_"
	}
	if strings.Contains(s, Separator) {
		s = strings.ReplaceAll(s, Separator, "%21")
		problems = append(problems, `"!" in name`)
	}
	return s, problems
}

// badRune reports control characters (NUL included) and bidirectional
// formatting characters, which could make a reported name lie.
func badRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// entryName cleans the name of an entry of the archive at loc, with a
// warning when it had problems.
func (w *walker) entryName(loc, raw string) string {
	name, problems := cleanName(raw)
	if len(problems) > 0 {
		w.warn("%s%s%s: %s in entry name %q, name cleaned", loc, Separator, name, strings.Join(problems, ", "), raw)
	}
	return name
}
