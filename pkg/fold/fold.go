// Package fold turns text into the comparable form pedigree matches on.
//
// Vendor names reach an SBOM in many spellings: upper case, with a legal
// form ("AO Kaspersky Lab", "KASPERSKY LAB, JSC", "Kaspersky Labs GmbH"),
// in Cyrillic («Лаборатория Касперского»), with typographic quotes and
// dashes, with full-width letters, or with a Cyrillic letter standing in for
// a Latin one. Tokens folds all of them to the same word list:
//
//  1. Unicode NFKC, so compatibility forms (full-width, ligatures) become
//     their plain letters;
//  2. full case folding;
//  3. a confusable skeleton: letters of other scripts that look like Latin
//     letters (Cyrillic а, е, о, р, с, у, х, к; Greek ο, α, ...) become
//     those Latin letters, and combining marks are dropped;
//  4. every character that is not a letter or a digit separates words, so
//     punctuation, quotes and dashes never join or split a name;
//  5. legal-form words (ao, jsc, zao, ooo, ltd, gmbh, inc, llc, ...) are
//     dropped.
//
// Patterns go through the same steps as the text, so a pattern written in
// Cyrillic matches Cyrillic text even though both are partly mapped to
// Latin letters. Matching is then done on whole words (see Phrases), which
// is what keeps "Kasper", "Casper", "Kaspa" and "CasperJS" from matching
// "Kaspersky".
package fold

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// folders holds case folders: a cases.Caser keeps state and must not be
// shared between goroutines.
var folders = sync.Pool{New: func() any { return cases.Fold() }}

// Tokens returns the folded words of s, with legal-form words removed.
func Tokens(s string) []string {
	words := Words(s)
	out := words[:0]
	for _, w := range words {
		if !legalForms[w] {
			out = append(out, w)
		}
	}
	return out
}

// Words returns the folded words of s without removing legal forms.
func Words(s string) []string {
	if s == "" {
		return nil
	}
	if ascii(s) {
		return joinSpelled(asciiWords(s))
	}
	// Invalid UTF-8 is replaced first: the normaliser leaves the text after
	// a bad byte undecomposed, which would make folding depend on garbage.
	folder := folders.Get().(cases.Caser)
	s = folder.String(norm.NFKC.String(strings.ToValidUTF8(s, "\uFFFD")))
	folders.Put(folder)
	var (
		words []string
		b     strings.Builder
	)
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	// NFD splits accented letters so their marks can be dropped.
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cf, r):
			// Combining marks, and invisible format characters (zero-width
			// space and joiners, soft hyphen, word joiner, BOM) that would
			// otherwise split a word without showing.
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = cherokee(r)
			if l, ok := confusables[r]; ok {
				r = l
			}
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return joinSpelled(words)
}

// joinSpelled joins a run of three or more one-character words into one
// word: a name spelled out letter by letter ("K a s p e r s k y",
// "K.A.S.P.E.R.S.K.Y") is the name.
func joinSpelled(words []string) []string {
	out := words[:0]
	for i := 0; i < len(words); {
		j := i
		for j < len(words) && utf8.RuneCountInString(words[j]) == 1 {
			j++
		}
		if j-i >= minSpelled {
			out = append(out, strings.Join(words[i:j], ""))
			i = j
			continue
		}
		if j == i {
			j++
		}
		out = append(out, words[i:j]...)
		i = j
	}
	return out
}

// minSpelled is the shortest run of one-character words joinSpelled joins.
const minSpelled = 3

// String returns the folded words of s joined by single spaces.
func String(s string) string { return strings.Join(Tokens(s), " ") }

// legalForms are words that name a company's legal form in the languages
// vendor names appear in. They carry no identity and are ignored on both
// sides of a match. The list is folded already.
var legalForms = map[string]bool{
	// Russian forms, in Latin and in Cyrillic (after the skeleton: "ао" ->
	// "ao", "ооо" -> "ooo", "зао" -> "зao", "пао" -> "пao").
	"ao": true, "zao": true, "oao": true, "ooo": true, "pao": true, "jsc": true, "cjsc": true, "ojsc": true,
	"зao": true, "пao": true,
	// English and international forms.
	"inc": true, "incorporated": true, "ltd": true, "limited": true, "llc": true, "llp": true,
	"plc": true, "corp": true, "corporation": true, "co": true, "company": true,
	// German, French, Dutch, Nordic, ...
	"gmbh": true, "ag": true, "kg": true, "sa": true, "sarl": true, "sas": true, "bv": true,
	"nv": true, "ab": true, "as": true, "oy": true, "srl": true, "spa": true, "kk": true, "pte": true, "pty": true,
}

// confusables maps letters that look like Latin letters to those letters.
// Only lower-case forms are needed: case folding has run before. The
// mapping follows the Unicode confusables data for the Cyrillic and Greek
// letters that are visually identical to a Latin one in common fonts.
var confusables = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c',
	'т': 't', 'у': 'y', 'х': 'x', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'ӏ': 'l', 'ԛ': 'q',
	'ԝ': 'w', 'ɡ': 'g', 'һ': 'h', 'ү': 'y', 'ԍ': 'g', 'г': 'r',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
	'υ': 'u', 'χ': 'x', 'γ': 'y', 'ω': 'w', 'ς': 'c', 'σ': 'o',
	// Cherokee capitals (folding keeps Cherokee in capitals)
	'Ꭺ': 'a', 'Ᏼ': 'b', 'Ꮯ': 'c', 'Ꭰ': 'd', 'Ꭼ': 'e', 'Ꮐ': 'g', 'Ꮋ': 'h', 'Ꭵ': 'i', 'Ꭻ': 'j', 'Ꮶ': 'k',
	'Ꮮ': 'l', 'Ꮇ': 'm', 'Ꮲ': 'p', 'Ꭱ': 'r', 'Ꮪ': 's', 'Ꭲ': 't', 'Ꮩ': 'v', 'Ꮃ': 'w', 'Ꮍ': 'y', 'Ꮓ': 'z',
	// Latin look-alikes outside ASCII
	'ı': 'i', 'ȷ': 'j', 'ℓ': 'l', 'ſ': 's',
}

// cherokee maps Cherokee small letters to the capitals Unicode case folding
// maps them to. golang.org/x/text's Fold maps the capitals back to small
// letters, so without this folding would not be idempotent.
func cherokee(r rune) rune {
	switch {
	case r >= 0xAB70 && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case r >= 0x13F8 && r <= 0x13FD:
		return r - 8
	}
	return r
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiWords is Words for plain ASCII text, where normalisation, case
// folding and the confusable skeleton reduce to lower-casing letters: the
// common case, done without allocating more than the words.
func asciiWords(s string) []string {
	var words []string
	eachASCIIWord(s, func(w string) bool {
		if hasUpper(w) {
			w = strings.ToLower(w)
		}
		words = append(words, w)
		return true
	})
	return words
}

// eachASCIIWord calls fn with each run of ASCII letters and digits in s,
// in order, until fn returns false. It reports whether fn stopped it.
func eachASCIIWord(s string, fn func(w string) bool) bool {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				if start < 0 {
					start = i
				}
				continue
			}
		}
		if start >= 0 {
			if !fn(s[start:i]) {
				return true
			}
			start = -1
		}
	}
	return false
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
