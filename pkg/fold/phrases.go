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

// MatchString folds s and matches it.
func (ps *Phrases) MatchString(s string, fn func(id int)) { ps.Match(Tokens(s), fn) }

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
