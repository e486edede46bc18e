package match

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/fold"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// Engine matches documents against a compiled signature set. It is safe for
// concurrent use: matching only reads the indexes.
type Engine struct {
	set   *signature.Set
	rules []*signature.Rule

	names, products, mentions, signers *fold.Phrases
	// wholeProducts are the products patterns written "^NAME$": they match
	// only a field whose folded words are exactly NAME's, keyed by those
	// words joined by spaces.
	wholeProducts map[string][]int
	// wholeFirst holds the first words of the wholeProducts keys, for a
	// cheap test before a field is folded whole.
	wholeFirst map[string]bool
	// entityNames holds each entity's names, to tell whether an offered
	// maker is the entity itself (not white-labelled).
	entityNames map[string]*fold.Phrases

	purls      map[string][]purlRule // by purl type
	cpes       map[string][]cpeRule  // by exact vendor; "" holds wildcard vendors
	hashes     map[hashKey][]int
	filenames  map[string][]int // by lower-case base name
	fileGlobs  []globRule
	paths      map[string][]pathRule // by first segment
	domains    map[string][]int
	javaPrefix map[string][]int
	javaFirst  map[string]bool // first segments of javaPrefix keys
	content    []contentRule

	// For MayMatchPath: the composite rules' file-name and path patterns
	// (compileComposites), whether any rule has services patterns, and
	// the cheap first stage (pathfilter.go).
	compFiles []compFile
	compPaths [][]string
	services  bool
	filter    *pathFilter
}

// hashKey is a hash by canonical algorithm name and lower-case hex value.
type hashKey struct{ alg, value string }

type purlRule struct {
	p    signature.PURLPattern
	rule int
}

type cpeRule struct {
	vendor, product string
	rule            int
}

type globRule struct {
	glob string
	rule int
	// prefix and suffix are the literal ends of the glob, for a cheap
	// test before path.Match.
	prefix, suffix string
}

type pathRule struct {
	segs []string
	rule int
}

type contentRule struct {
	s    string
	rule int
}

// Compile builds the engine of layers, in order (a later layer adds rules
// or overrides earlier ones by id: signature.NewSet), and checks every
// rule's examples against it: how the CLI and the server load their
// signatures.
func Compile(layers ...signature.Layer) (*Engine, error) {
	set, err := signature.NewSet(layers...)
	if err != nil {
		return nil, err
	}
	eng, err := New(set)
	if err != nil {
		return nil, err
	}
	if errs := eng.CheckExamples(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return eng, nil
}

// New compiles the set. It fails only on patterns the loader should have
// refused, which means a set built by hand.
func New(set *signature.Set) (*Engine, error) {
	e := &Engine{
		set:           set,
		rules:         set.Rules,
		names:         fold.NewPhrases(),
		products:      fold.NewPhrases(),
		mentions:      fold.NewPhrases(),
		signers:       fold.NewPhrases(),
		entityNames:   map[string]*fold.Phrases{},
		wholeProducts: map[string][]int{},
		purls:         map[string][]purlRule{},
		cpes:          map[string][]cpeRule{},
		hashes:        map[hashKey][]int{},
		filenames:     map[string][]int{},
		paths:         map[string][]pathRule{},
		domains:       map[string][]int{},
		javaPrefix:    map[string][]int{},
		javaFirst:     map[string]bool{},
	}
	for i, r := range set.Rules {
		m := r.Match
		ent := e.entityNames[r.Entity]
		if ent == nil {
			ent = fold.NewPhrases()
			e.entityNames[r.Entity] = ent
		}
		for _, s := range m.Names {
			e.names.Add(s, i)
			ent.Add(s, i)
		}
		for _, s := range m.Products {
			if inner, ok := wholePattern(s); ok {
				key := fold.String(inner)
				e.wholeProducts[key] = append(e.wholeProducts[key], i)
				if e.wholeFirst == nil {
					e.wholeFirst = map[string]bool{}
				}
				first, _, _ := strings.Cut(key, " ")
				e.wholeFirst[first] = true
				continue
			}
			e.products.Add(s, i)
		}
		for _, s := range m.Mentions {
			e.mentions.Add(s, i)
		}
		for _, s := range m.Signers {
			e.signers.Add(s, i)
		}
		for _, s := range m.PURLs {
			p, err := signature.ParsePURLPattern(s)
			if err != nil {
				return nil, fmt.Errorf("rule %s: purl %q: %w", r.ID, s, err)
			}
			p.Namespace, p.Name = strings.ToLower(p.Namespace), strings.ToLower(p.Name)
			e.purls[p.Type] = append(e.purls[p.Type], purlRule{p, i})
		}
		for _, s := range m.CPEs {
			v, p, _ := strings.Cut(strings.ToLower(s), ":")
			key := v
			if strings.ContainsAny(v, "*?[") {
				key = ""
			}
			e.cpes[key] = append(e.cpes[key], cpeRule{v, p, i})
		}
		for _, s := range m.Hashes {
			alg, val, _ := strings.Cut(s, ":")
			k := hashKey{model.HashAlgorithm(alg), strings.ToLower(val)}
			e.hashes[k] = append(e.hashes[k], i)
		}
		for _, s := range m.Filenames {
			s = strings.ToLower(s)
			if strings.ContainsAny(s, "*?[") {
				pre := s[:strings.IndexAny(s, "*?[")]
				suf := s[strings.LastIndexAny(s, "*?]")+1:]
				e.fileGlobs = append(e.fileGlobs, globRule{s, i, pre, suf})
			} else {
				e.filenames[s] = append(e.filenames[s], i)
			}
		}
		for _, s := range m.Paths {
			segs := signature.PathSegments(s)
			e.paths[segs[0]] = append(e.paths[segs[0]], pathRule{segs, i})
		}
		for _, s := range m.Domains {
			e.domains[s] = append(e.domains[s], i)
		}
		for _, s := range m.JavaPackages {
			e.javaPrefix[s] = append(e.javaPrefix[s], i)
			first, _, _ := strings.Cut(strings.ToLower(s), ".")
			e.javaFirst[first] = true
		}
		for _, s := range m.Content {
			e.content = append(e.content, contentRule{s, i})
		}
	}
	e.compileComposites()
	e.filter = newPathFilter(e)
	return e, nil
}

// MayMatchPath reports whether a file path could match a file-name, path
// or Java-package pattern, or take part in a composite rule. It may say
// yes too often, never too rarely: deep inspection uses it to skip the
// files that cannot matter. A Bloom filter of what the patterns need of a
// segment turns away almost every path first (pathfilter.go); the paths it
// lets through get the exact pre-checks. It allocates nothing, unless a
// base name with upper-case letters fits a composite glob's literal ends
// (it is lower-cased for path.Match).
func (e *Engine) MayMatchPath(p string) bool {
	return p != "" && e.filter.mayMatch(p) && (e.fileMayMatch(p) || e.compositeMayMatch(p))
}

// MatchesJavaPackage reports whether a dotted Java name lies under one of
// the signatures' package prefixes.
func (e *Engine) MatchesJavaPackage(name string) bool {
	c := e.newCollector()
	c.java(name, fieldAt("", "x"), name, "")
	return len(c.ev) > 0
}

// HashAlgorithms returns the canonical names of the hash algorithms the
// signatures use ("SHA-256"), so that files are hashed only when a hash
// could match.
func (e *Engine) HashAlgorithms() []string {
	seen := map[string]bool{}
	var out []string
	for k := range e.hashes {
		if !seen[k.alg] {
			seen[k.alg] = true
			out = append(out, k.alg)
		}
	}
	slices.Sort(out)
	return out
}

// Set returns the signature set the engine was built from.
func (e *Engine) Set() *signature.Set { return e.set }

// collector accumulates evidence for one component, deduplicated.
type collector struct {
	e    *Engine
	seen map[Evidence]bool
	ev   []Evidence
}

func (e *Engine) newCollector() *collector { return &collector{e: e} }

func (c *collector) add(rule int, kind EvidenceKind, field at, value, location string) {
	c.addVia(rule, kind, field, value, location, "")
}

func (c *collector) addVia(rule int, kind EvidenceKind, field at, value, location string, via EvidenceKind) {
	c.addEvidence(rule, Evidence{Kind: kind, Field: field.String(), Value: value, Location: location, via: via})
}

// addEvidence adds ev as evidence of the rule, once.
func (c *collector) addEvidence(rule int, ev Evidence) {
	ev.Rule = c.e.rules[rule].ID
	if c.seen == nil {
		// Most components match nothing; the map is made on the first hit.
		c.seen = map[Evidence]bool{}
	}
	if !c.seen[ev] {
		c.seen[ev] = true
		c.ev = append(c.ev, ev)
	}
}

// wholePattern reports whether a products pattern is anchored, "^NAME$",
// and returns NAME.
func wholePattern(s string) (string, bool) {
	if len(s) > 2 && s[0] == '^' && s[len(s)-1] == '$' {
		return s[1 : len(s)-1], true
	}
	return "", false
}

// product matches a product name: against the products phrases word by
// word, and against the anchored ("^NAME$") patterns as a whole.
func (c *collector) product(kind EvidenceKind, field at, value string) {
	if value == "" {
		return
	}
	c.phrases(c.e.products, kind, field, value, "")
	if len(c.e.wholeProducts) > 0 && c.e.mayBeWhole(value) {
		for _, r := range c.e.wholeProducts[fold.String(value)] {
			c.add(r, kind, field, value, "")
		}
	}
}

// mayBeWhole is an allocation-free pre-check for the anchored products
// patterns: it reports false only when s is plain ASCII and its first word
// is neither the first word of an anchored pattern, nor a legal form, nor
// a single letter (which may start a name spelled out letter by letter).
// Anything else is folded in full.
func (e *Engine) mayBeWhole(s string) bool {
	i := 0
	for i < len(s) && !asciiAlnum(s[i]) {
		if s[i] >= 0x80 || fold.Invisible(rune(s[i])) {
			return true
		}
		i++
	}
	j := i
	for j < len(s) && asciiAlnum(s[j]) {
		j++
	}
	if j < len(s) && (s[j] >= 0x80 || fold.Invisible(rune(s[j]))) {
		return true
	}
	w := s[i:j]
	if len(w) <= 1 {
		return true
	}
	var buf [32]byte
	if len(w) > len(buf) {
		return false
	}
	b := buf[:len(w)]
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[k] = c
	}
	return e.wholeFirst[string(b)] || fold.IsLegalForm(string(b))
}

func asciiAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// phrases matches folded text against a phrase table, once per rule.
func (c *collector) phrases(ps *fold.Phrases, kind EvidenceKind, field at, value, location string) {
	if value == "" {
		return
	}
	ps.MatchString(value, func(rule int) { c.add(rule, kind, field, value, location) })
}

func (c *collector) hash(h model.Hash, field at, location string) {
	for _, r := range c.e.hashes[hashKey{h.Algorithm, h.Value}] {
		c.add(r, KindHash, field, h.Algorithm+":"+h.Value, location)
	}
}

// file matches a path or file name: its base name against file names and
// its segments against paths.
func (c *collector) file(p string, field at) {
	if p == "" || !c.e.fileMayMatch(p) {
		return
	}
	c.fileFull(p, field)
}

func (c *collector) fileFull(p string, field at) {
	segs := signature.PathSegments(p)
	if len(segs) == 0 {
		return
	}
	base := segs[len(segs)-1]
	for _, r := range c.e.filenames[base] {
		c.add(r, KindFilename, field, p, p)
	}
	for _, g := range c.e.fileGlobs {
		if ok, _ := path.Match(g.glob, base); ok {
			c.add(g.rule, KindFilename, field, p, p)
		}
	}
	for i, s := range segs {
		for _, pr := range c.e.paths[s] {
			if hasSegments(segs[i:], pr.segs) {
				c.add(pr.rule, KindPath, field, p, p)
			}
		}
	}
	c.javaFromPath(segs, field, p)
}

// fileMayMatch is an allocation-free pre-check of a path: it reports
// false only when no segment can start a path pattern, the base name is no
// file name and fits no glob, and no directory can start a Java package.
func (e *Engine) fileMayMatch(p string) bool {
	var buf [128]byte
	start := 0
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' && p[i] != '\\' && p[i] != '!' {
			continue
		}
		seg := p[start:i]
		start = i + 1
		if seg == "" {
			continue
		}
		if len(seg) > len(buf) {
			return true
		}
		b := buf[:len(seg)]
		for j := 0; j < len(seg); j++ {
			c := seg[j]
			if c >= 0x80 {
				return true // the full path handles non-ASCII
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[j] = c
		}
		if _, ok := e.paths[string(b)]; ok {
			return true
		}
		if e.javaFirst[string(b)] {
			return true
		}
		// Any segment may be the base name ("dir/klif.sys/" names klif.sys),
		// so all are tried: a pre-check may say yes too often, never too
		// rarely.
		if _, ok := e.filenames[string(b)]; ok {
			return true
		}
		for _, g := range e.fileGlobs {
			if len(b) >= len(g.prefix)+len(g.suffix) && string(b[:len(g.prefix)]) == g.prefix &&
				string(b[len(b)-len(g.suffix):]) == g.suffix {
				return true
			}
		}
	}
	return false
}

func hasSegments(segs, prefix []string) bool {
	if len(prefix) > len(segs) {
		return false
	}
	for i := range prefix {
		if segs[i] != prefix[i] {
			return false
		}
	}
	return true
}

// javaFromPath turns a class or source file path (com/kavsdk/KavSdk.class)
// into a package name and matches it.
func (c *collector) javaFromPath(segs []string, field at, p string) {
	if len(segs) < 3 {
		return
	}
	base := segs[len(segs)-1]
	if !strings.HasSuffix(base, ".class") && !strings.HasSuffix(base, ".java") && !strings.HasSuffix(base, ".kt") && !strings.HasSuffix(base, ".smali") {
		return
	}
	// The package starts somewhere below the archive or class-path root
	// ("classes/com/kavsdk/X.class", "BOOT-INF/classes/..."), so every
	// starting segment is tried. Path segments are lower case; Java package
	// names are lower case by convention, and prefixes are compared without
	// case below.
	dirs := segs[:len(segs)-1]
	for i := 0; i+1 < len(dirs); i++ {
		c.java(strings.Join(dirs[i:], "."), field, p, p)
	}
}

// java matches a dotted name against Java package prefixes on whole
// segments. Prefixes are substrings of the name, so nothing is allocated
// unless a prefix is known.
func (c *collector) java(name string, field at, value, location string) {
	if name == "" || !strings.Contains(name, ".") {
		return
	}
	lower := ""
	for i := strings.IndexByte(name, '.') + 1; i > 0 && i <= len(name); {
		end := strings.IndexByte(name[i:], '.')
		if end < 0 {
			end = len(name)
		} else {
			end += i
		}
		prefix := name[:end]
		for _, r := range c.e.javaPrefix[prefix] {
			c.add(r, KindJavaPackage, field, value, location)
		}
		if hasUpper(prefix) {
			if lower == "" {
				lower = strings.ToLower(name)
			}
			for _, r := range c.e.javaPrefix[lower[:end]] {
				c.add(r, KindJavaPackage, field, value, location)
			}
		}
		i = end + 1
	}
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// url matches the host of a URL, an e-mail address or a bare host name
// against domains.
func (c *collector) url(s string, field at) {
	host := hostOf(s)
	if host == "" {
		return
	}
	// The most specific domain wins: s00.upd.kaspersky.com is an update
	// host, and the rule for kaspersky.com as a whole adds nothing to it.
	for suffix := host; strings.Contains(suffix, "."); suffix = suffix[strings.IndexByte(suffix, '.')+1:] {
		rules := c.e.domains[suffix]
		for _, r := range rules {
			c.add(r, KindDomain, field, s, "")
		}
		if len(rules) > 0 {
			return
		}
	}
}

// hostOf extracts a lower-case host name from a URL ("https://x/y"), a
// scheme-less locator ("git+ssh://git@x:y", "x/y"), or an e-mail address.
func hostOf(s string) string {
	s = strings.TrimSpace(s)
	// "Name <user@host>" and "(user@host)": the address inside.
	if i := strings.IndexAny(s, "<("); i >= 0 && strings.Contains(s[i:], "@") {
		s = strings.TrimLeft(s[i:], "<(")
		if j := strings.IndexAny(s, ">)"); j >= 0 {
			s = s[:j]
		}
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else if strings.HasPrefix(strings.ToLower(s), "mailto:") {
		s = s[len("mailto:"):]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndex(s, ":"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if !strings.Contains(s, ".") || strings.ContainsAny(s, " \t<>\"'") {
		return ""
	}
	return s
}

// at names a place in the input, such as "authors[1].name". It is rendered
// only when evidence is found there, so matching a component that names
// nobody of interest formats no field names.
type at struct {
	prefix, name string
	index        int    // a list index, or -1
	key          string // a map key ("properties[KEY]"), used instead of index
	tail         string
}

func fieldAt(prefix, name string) at       { return at{prefix: prefix, name: name, index: -1} }
func itemAt(prefix, name string, i int) at { return at{prefix: prefix, name: name, index: i} }
func keyAt(prefix, name, key string) at    { return at{prefix: prefix, name: name, index: -1, key: key} }
func (a at) dot(tail string) at            { a.tail += tail; return a }

func (a at) String() string {
	s := a.prefix + a.name
	switch {
	case a.key != "":
		s += "[" + a.key + "]"
	case a.index >= 0:
		s += "[" + strconv.Itoa(a.index) + "]"
	}
	return s + a.tail
}
