// Package msgtext holds small helpers for the text of error and warning
// messages.
package msgtext

// Clip shortens s to at most limit characters (runes) for an error or
// warning message, ending a shortened text with "…". It never splits a
// multi-byte UTF-8 character; bytes that are not valid UTF-8 count as one
// character each and are kept as they are. A limit of 0 or less keeps
// nothing but the "…" of a non-empty s.
func Clip(s string, limit int) string {
	n := 0
	for i := range s {
		if n >= limit {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
