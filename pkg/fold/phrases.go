package fold

// Phrases finds whole-word occurrences of many phrases in folded text in
// one pass. Phrases are indexed by their first word, so the cost of a
// search grows with the length of the text, not with the number of
// phrases.
type Phrases struct {
	byFirst map[string][]phrase
	n       int
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

// MatchString folds s and matches it. Plain ASCII text that contains no
// phrase's first word is turned away without folding or allocating: the
// common case of a field that names nobody of interest.
func (ps *Phrases) MatchString(s string, fn func(id int)) {
	if ps == nil || ps.n == 0 || s == "" {
		return
	}
	if ascii(s) && !ps.mayMatchASCII(s) {
		return
	}
	ps.Match(Tokens(s), fn)
}

// mayMatchASCII reports whether some word of the ASCII text, lower-cased,
// is the first word of a phrase.
func (ps *Phrases) mayMatchASCII(s string) bool {
	var buf [64]byte
	spelled := 0 // one-letter words in a row: Words joins three or more
	return eachASCIIWord(s, func(w string) bool {
		if len(w) == 1 {
			spelled++
			return spelled < minSpelled
		}
		spelled = 0
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
