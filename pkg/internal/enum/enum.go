// Package enum holds what pedigree's typed names share: a verdict, a
// report format, a source scheme or an evidence kind is a string type with
// constants and an All… list, and is parsed and listed against that list
// here, so that every such type answers in the same way.
package enum

import "strings"

// Parse returns the member of all whose name is s, and false when none
// is. Names match exactly: "PASS" is not "pass".
func Parse[T ~string](s string, all []T) (T, bool) {
	for _, v := range all {
		if string(v) == s {
			return v, true
		}
	}
	return "", false
}

// Join joins the names of all with sep, for usage texts and messages.
func Join[T ~string](all []T, sep string) string {
	names := make([]string, len(all))
	for i, v := range all {
		names[i] = string(v)
	}
	return strings.Join(names, sep)
}
