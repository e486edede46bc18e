package fold

import "slices"

// Phrases finds whole-word occurrences of many phrases in folded text in
// one pass. Phrases are indexed by their first word, so the cost of a
// search grows with the length of the text, not with the number of
// phrases.
type Phrases struct {
	byFirst map[string][]phrase
	n       int
	// maxFirst is the length in bytes of the longest first word.
	maxFirst int
}

type phrase struct {
	words []string
	id    int
}

// NewPhrases returns an empty phrase set.
func NewPhrases() *Phrases { return &Phrases{byFirst: map[string][]phrase{}} }

// Add folds p and adds it with the caller's id. It reports false when p
// folds to no words (it would match nothing).
func (ps *Phrases) Add(p string, id int) bool {
	words := Tokens(p)
	if len(words) == 0 {
		return false
	}
	ps.byFirst[words[0]] = append(ps.byFirst[words[0]], phrase{words: words, id: id})
	ps.maxFirst = max(ps.maxFirst, len(words[0]))
	ps.n++
	return true
}

// Len is the number of phrases added.
func (ps *Phrases) Len() int { return ps.n }

// Match calls fn with the id of every phrase that occurs in the words, in
// order of position. A phrase occurs when its words appear consecutively.
func (ps *Phrases) Match(words []string, fn func(id int)) {
	if ps == nil || ps.n == 0 {
		return
	}
	for i, w := range words {
		for _, p := range ps.byFirst[w] {
			if hasPrefix(words[i:], p.words) {
				fn(p.id)
			}
		}
	}
}

// MatchString folds s and matches it. Where an invisible character stood
// between two letters (see the package comment), a word of a phrase may
// end, or begin, as well as not: "Kasper\x00sky" matches "Kaspersky",
// and "AO\x00Kaspersky\x00Lab" matches "Kaspersky Lab", as does
// "Kas\x00per\x00sky\x00Lab". A legal form set off by invisible
// characters between two words of a phrase is skipped, as Tokens drops
// one set off by spaces. Plain ASCII text without control characters
// that contains no phrase's first word is turned away without folding or
// allocating: the common case of a field that names nobody of interest.
func (ps *Phrases) MatchString(s string, fn func(id int)) {
	if ps == nil || ps.n == 0 || s == "" {
		return
	}
	if isASCII, controls := asciiControls(s); isASCII && !controls && !ps.mayMatchASCII(s) {
		return
	}
	words, splits := dropLegal(fold(s))
	if splits == nil {
		ps.Match(words, fn)
		return
	}
	ps.matchSplit(words, splits, fn)
}

// matchSplit is Match for words with splits: a phrase's first word is
// looked up from every start of a word or split, to every split or end
// after it no further than the longest first word, and the rest of the
// phrase follows from there.
func (ps *Phrases) matchSplit(words []string, splits [][]int, fn func(id int)) {
	m := splitMatch{words: words, splits: splits}
	for i, w := range words {
		for si := -1; si < len(splits[i]); si++ {
			start := 0
			if si >= 0 {
				start = splits[i][si]
			}
			for ei := si + 1; ei <= len(splits[i]); ei++ {
				end := len(w)
				if ei < len(splits[i]) {
					end = splits[i][ei]
				}
				if end-start > ps.maxFirst {
					break
				}
				for _, p := range ps.byFirst[w[start:end]] {
					if m.followed(i, end, p.words[1:]) {
						fn(p.id)
					}
				}
			}
		}
	}
}

// splitMatch matches the rest of phrases in words with splits.
type splitMatch struct {
	words  []string
	splits [][]int
	// failed remembers where the last words of a phrase did not follow,
	// so that legal forms skipped in different ways are tried once.
	failed map[[3]int]bool
}

// followed reports whether the words of rest occur in order from byte at
// of words[i], each ending at a split or at the end of a word. Legal
// forms between invisible characters before the next word
// ("Kaspersky\x00AO\x00Lab") are skipped; one that is a whole word was
// dropped already. Recursion is as deep as the phrase is long; the skips
// are a loop over the places they reach, each tried once.
func (m *splitMatch) followed(i, at int, rest []string) bool {
	if len(rest) == 0 {
		return true
	}
	if at == len(m.words[i]) {
		i, at = i+1, 0
		if i == len(m.words) {
			return false
		}
	}
	w, sp := m.words[i], m.splits[i]
	var buf [8]int
	queue := append(buf[:0], at)
	for len(queue) > 0 {
		at := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		key := [3]int{i, at, len(rest)}
		if m.failed[key] {
			continue
		}
		if end := at + len(rest[0]); end <= len(w) && w[at:end] == rest[0] && endsAt(w, sp, end) &&
			m.followed(i, end, rest[1:]) {
			return true
		}
		k, _ := slices.BinarySearch(sp, at+1)
		for ; k <= len(sp); k++ {
			end := len(w)
			if k < len(sp) {
				end = sp[k]
			}
			if end-at > maxLegal || at == 0 && end == len(w) {
				break
			}
			if !legalForms[w[at:end]] {
				continue
			}
			if end == len(w) {
				// The next word of the phrase begins the next word.
				if m.followed(i, end, rest) {
					return true
				}
				continue
			}
			queue = append(queue, end)
		}
		if len(sp) > 0 {
			if m.failed == nil {
				m.failed = map[[3]int]bool{}
			}
			m.failed[key] = true
		}
	}
	return false
}

// endsAt reports whether a word may end at byte end of w.
func endsAt(w string, splits []int, end int) bool {
	if end == len(w) {
		return true
	}
	_, ok := slices.BinarySearch(splits, end)
	return ok
}

// mayMatchASCII reports whether some word of the ASCII text, lower-cased,
// is the first word of a phrase.
func (ps *Phrases) mayMatchASCII(s string) bool {
	var buf [64]byte
	spelled := 0 // one-letter words in a row: Words joins three or more
	return eachASCIIWord(s, func(w string) bool {
		if len(w) == 1 {
			spelled++
			if spelled >= minSpelled {
				return false
			}
		} else {
			spelled = 0
		}
		if len(w) > len(buf) {
			return false // too long for the buffer: let the full path decide
		}
		b := buf[:len(w)]
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		_, ok := ps.byFirst[string(b)] // a map index with a converted key does not allocate
		return !ok
	})
}

func hasPrefix(words, prefix []string) bool {
	if len(prefix) > len(words) {
		return false
	}
	for i, w := range prefix {
		if words[i] != w {
			return false
		}
	}
	return true
}
