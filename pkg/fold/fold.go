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
//  4. invisible characters are removed (see below);
//  5. every other character that is not a letter or a digit separates
//     words, so punctuation, quotes and dashes never join or split a name;
//  6. legal-form words (ao, jsc, zao, ooo, ltd, gmbh, inc, llc, ...) are
//     dropped.
//
// Invisible characters are the control characters (Unicode category Cc,
// C0 and C1) other than tab, line feed, vertical tab, form feed and
// carriage return, the format characters (Cf: zero-width space and
// joiners, soft hyphen, bidirectional controls, BOM, tags, ...) and the
// rest of the Default_Ignorable_Code_Point set (Hangul fillers, variation
// selectors, ...). Shown, they are nothing, so they can hide a name two
// ways: put inside it ("Kasper\x00sky") they would split it, and put
// between two words ("AO\x00Kaspersky\x00Lab") removing them would join
// the words. So an invisible character between two letters is removed
// from the words (Words and Tokens return "kaspersky" and
// "aokasperskylab") but remembered as a place where a word may end:
// Phrases matches a phrase whose words end there too (see
// Phrases.MatchString). This adds no match of a partial name: a word of a
// phrase must still end where the text has a separator, an invisible
// character or its end, so "Kasper", "Kasper\x00" and "Casper\x00sky"
// never match "Kaspersky". The price is that "Kaspersky\x00ish" matches,
// as "Kaspersky ish" does; no real name puts a control character there,
// and a format character there (a soft hyphen) marks a place where the
// word may break. Tab, line feed, vertical tab, form feed and
// carriage return are not invisible: they separate words, as a space
// does.
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
var folders = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// Tokens returns the folded words of s, with legal-form words removed.
func Tokens(s string) []string {
	words, _ := dropLegal(fold(s))
	return words
}

// Words returns the folded words of s without removing legal forms.
func Words(s string) []string {
	words, _ := fold(s)
	return words
}

// dropLegal removes the legal-form words, and their places in splits.
func dropLegal(words []string, splits [][]int) ([]string, [][]int) {
	out := words[:0]
	var outSplits [][]int
	if splits != nil {
		outSplits = splits[:0]
	}
	for i, w := range words {
		if !legalForms[w] {
			out = append(out, w)
			if splits != nil {
				outSplits = append(outSplits, splits[i])
			}
		}
	}
	return out, outSplits
}

// fold returns the folded words of s and, when an invisible character
// stood between two letters or digits, the splits: for each word, the
// byte offsets in it where one was removed (nil when none was anywhere).
func fold(s string) (words []string, splits [][]int) {
	if s == "" {
		return nil, nil
	}
	if isASCII, controls := asciiControls(s); isASCII && !controls {
		return joinSpelled(asciiWords(s), nil)
	}
	// Invalid UTF-8 is replaced first: the normaliser leaves the text after
	// a bad byte undecomposed, which would make folding depend on garbage.
	folder := folders.Get().(*cases.Caser)
	s = folder.String(norm.NFKC.String(strings.ToValidUTF8(s, "\uFFFD")))
	folders.Put(folder)
	var (
		b       strings.Builder
		cur     []int // the splits of the word in b
		pending bool  // an invisible character follows the letters in b
	)
	flush := func() {
		if b.Len() > 0 {
			if cur != nil && splits == nil {
				splits = make([][]int, len(words), len(words)+1)
			}
			words = append(words, b.String())
			if splits != nil {
				splits = append(splits, cur)
			}
			b.Reset()
			cur = nil
		}
		pending = false
	}
	// NFD splits accented letters so their marks can be dropped.
	for _, r := range norm.NFD.String(s) {
		switch {
		case Invisible(r):
			pending = b.Len() > 0
		case unicode.Is(unicode.Mn, r):
			// Combining marks.
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if pending {
				cur = append(cur, b.Len())
				pending = false
			}
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
	return joinSpelled(words, splits)
}

// Invisible reports whether r is removed before matching: a control
// character (Cc) other than tab, line feed, vertical tab, form feed and
// carriage return, a format character (Cf), or another default-ignorable
// code point. The C1 controls, next line (U+0085) among them, are
// invisible: few programs show them, as a line break or at all.
func Invisible(r rune) bool {
	if r < 0x80 {
		return asciiControl(byte(r))
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.Is(defaultIgnorable, r)
}

// defaultIgnorable is the Default_Ignorable_Code_Point property of
// Unicode 15.1 (DerivedCoreProperties.txt). Most of it is Cf or Mn; the
// Hangul fillers are letters (Lo), and U+2065, U+FFF0-FFF8 and most of
// the tag block are unassigned, reserved to be ignored.
var defaultIgnorable = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x00AD, Hi: 0x00AD, Stride: 1},
		{Lo: 0x034F, Hi: 0x034F, Stride: 1},
		{Lo: 0x061C, Hi: 0x061C, Stride: 1},
		{Lo: 0x115F, Hi: 0x1160, Stride: 1},
		{Lo: 0x17B4, Hi: 0x17B5, Stride: 1},
		{Lo: 0x180B, Hi: 0x180F, Stride: 1},
		{Lo: 0x200B, Hi: 0x200F, Stride: 1},
		{Lo: 0x202A, Hi: 0x202E, Stride: 1},
		{Lo: 0x2060, Hi: 0x206F, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xFE00, Hi: 0xFE0F, Stride: 1},
		{Lo: 0xFEFF, Hi: 0xFEFF, Stride: 1},
		{Lo: 0xFFA0, Hi: 0xFFA0, Stride: 1},
		{Lo: 0xFFF0, Hi: 0xFFF8, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x1BCA0, Hi: 0x1BCA3, Stride: 1},
		{Lo: 0x1D173, Hi: 0x1D17A, Stride: 1},
		{Lo: 0xE0000, Hi: 0xE0FFF, Stride: 1},
	},
}

// asciiControl reports whether an ASCII byte is an invisible control
// character: C0 or DEL, but not tab, line feed, vertical tab, form feed or
// carriage return, which are white space.
func asciiControl(c byte) bool {
	return c < 0x20 && (c < '\t' || c > '\r') || c == 0x7f
}

// joinSpelled joins a run of three or more one-character words into one
// word: a name spelled out letter by letter ("K a s p e r s k y",
// "K.A.S.P.E.R.S.K.Y") is the name. A word whose letters are all split
// by invisible characters ("K\x00a") counts as that many spelled letters.
// splits, when not nil, are the words' splits, joined along with them.
func joinSpelled(words []string, splits [][]int) ([]string, [][]int) {
	spelled := func(i int) int { // letters, if word i is spelled out
		n := utf8.RuneCountInString(words[i])
		switch {
		case n == 1:
			return 1
		case splits != nil && len(splits[i]) == n-1:
			return n
		}
		return 0
	}
	out := words[:0]
	var outSplits [][]int
	if splits != nil {
		outSplits = splits[:0]
	}
	for i := 0; i < len(words); {
		j, letters := i, 0
		for j < len(words) {
			n := spelled(j)
			if n == 0 {
				break
			}
			letters += n
			j++
		}
		if j-i >= 2 && letters >= minSpelled {
			// out and outSplits share words' and splits' arrays: read the
			// run before writing over it.
			if splits != nil {
				var joined []int
				at := 0
				for k := i; k < j; k++ {
					for _, o := range splits[k] {
						joined = append(joined, at+o)
					}
					at += len(words[k])
				}
				outSplits = append(outSplits, joined)
			}
			out = append(out, strings.Join(words[i:j], ""))
			i = j
			continue
		}
		if j == i {
			j++
		}
		out = append(out, words[i:j]...)
		if splits != nil {
			outSplits = append(outSplits, splits[i:j]...)
		}
		i = j
	}
	return out, outSplits
}

// minSpelled is the shortest run of one-character words joinSpelled joins.
const minSpelled = 3

// String returns the folded words of s joined by single spaces.
func String(s string) string { return strings.Join(Tokens(s), " ") }

// maxLegal is the length in bytes of the longest legal form.
var maxLegal = func() int {
	n := 0
	for w := range legalForms {
		n = max(n, len(w))
	}
	return n
}()

// IsLegalForm reports whether a folded word is a legal form ("ltd",
// "gmbh", "ooo"), which Tokens drops.
func IsLegalForm(w string) bool { return legalForms[w] }

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

// asciiControls reports whether s is ASCII, and if so whether it holds an
// invisible control character.
func asciiControls(s string) (isASCII, controls bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return false, false
		}
		if asciiControl(c) {
			controls = true
		}
	}
	return true, controls
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
