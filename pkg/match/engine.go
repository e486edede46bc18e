package match

import (
	"fmt"
	"path"
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
	// entityNames holds each entity's names, to tell whether an offered
	// maker is the entity itself (not white-labelled).
	entityNames map[string]*fold.Phrases

	purls       map[string][]purlRule // by purl type
	cpes        map[string][]cpeRule  // by exact vendor; "" holds wildcard vendors
	hashes      map[string][]int      // by "SHA-256:hex"
	filenames   map[string][]int      // by lower-case base name
	fileGlobs   []globRule
	paths       map[string][]pathRule // by first segment
	domains     map[string][]int
	javaPrefix  map[string][]int
	content     []contentRule
	ruleByIndex []*signature.Rule
}

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
}

type pathRule struct {
	segs []string
	rule int
}

type contentRule struct {
	s    string
	rule int
}

// New compiles the set. It fails only on patterns the loader should have
// refused, which means a set built by hand.
func New(set *signature.Set) (*Engine, error) {
	e := &Engine{
		set:         set,
		rules:       set.Rules,
		names:       fold.NewPhrases(),
		products:    fold.NewPhrases(),
		mentions:    fold.NewPhrases(),
		signers:     fold.NewPhrases(),
		entityNames: map[string]*fold.Phrases{},
		purls:       map[string][]purlRule{},
		cpes:        map[string][]cpeRule{},
		hashes:      map[string][]int{},
		filenames:   map[string][]int{},
		paths:       map[string][]pathRule{},
		domains:     map[string][]int{},
		javaPrefix:  map[string][]int{},
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
			k := model.HashAlgorithm(alg) + ":" + strings.ToLower(val)
			e.hashes[k] = append(e.hashes[k], i)
		}
		for _, s := range m.Filenames {
			s = strings.ToLower(s)
			if strings.ContainsAny(s, "*?[") {
				e.fileGlobs = append(e.fileGlobs, globRule{s, i})
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
		}
		for _, s := range m.Content {
			e.content = append(e.content, contentRule{s, i})
		}
	}
	return e, nil
}

// Set returns the signature set the engine was built from.
func (e *Engine) Set() *signature.Set { return e.set }

// collector accumulates evidence for one component, deduplicated.
type collector struct {
	e    *Engine
	seen map[Evidence]bool
	ev   []Evidence
}

func (e *Engine) newCollector() *collector { return &collector{e: e, seen: map[Evidence]bool{}} }

func (c *collector) add(rule int, kind, field, value, location string) {
	c.addVia(rule, kind, field, value, location, "")
}

func (c *collector) addVia(rule int, kind, field, value, location, via string) {
	ev := Evidence{Rule: c.e.rules[rule].ID, Kind: kind, Field: field, Value: value, Location: location, via: via}
	if !c.seen[ev] {
		c.seen[ev] = true
		c.ev = append(c.ev, ev)
	}
}

// phrases matches folded text against a phrase table, once per rule.
func (c *collector) phrases(ps *fold.Phrases, kind, field, value, location string) {
	if value == "" {
		return
	}
	ps.MatchString(value, func(rule int) { c.add(rule, kind, field, value, location) })
}

func (c *collector) hash(h model.Hash, field, location string) {
	for _, r := range c.e.hashes[h.Algorithm+":"+h.Value] {
		c.add(r, KindHash, field, h.Algorithm+":"+h.Value, location)
	}
}

// file matches a path or file name: its base name against file names and
// its segments against paths.
func (c *collector) file(p, field string) {
	if p == "" {
		return
	}
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
func (c *collector) javaFromPath(segs []string, field, p string) {
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
// segments.
func (c *collector) java(name, field, value, location string) {
	if name == "" || !strings.Contains(name, ".") {
		return
	}
	segs := strings.Split(name, ".")
	for n := 2; n <= len(segs); n++ {
		prefix := strings.Join(segs[:n], ".")
		for _, r := range c.e.javaPrefix[prefix] {
			c.add(r, KindJavaPackage, field, value, location)
		}
		if lp := strings.ToLower(prefix); lp != prefix {
			for _, r := range c.e.javaPrefix[lp] {
				c.add(r, KindJavaPackage, field, value, location)
			}
		}
	}
}

// url matches the host of a URL, an e-mail address or a bare host name
// against domains.
func (c *collector) url(s, field string) {
	host := hostOf(s)
	if host == "" {
		return
	}
	// The most specific domain wins: s00.upd.kaspersky.com is an update
	// host, and the rule for kaspersky.com as a whole adds nothing to it.
	labels := strings.Split(host, ".")
	for i := 0; i+1 < len(labels); i++ {
		rules := c.e.domains[strings.Join(labels[i:], ".")]
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
