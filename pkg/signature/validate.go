package signature

import (
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/fold"
)

var (
	idPattern      = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)
	packPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	purlType       = regexp.MustCompile(`^[a-z][a-z0-9.+-]*$`)
	dnsLabel       = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	javaIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
)

// HashLengths gives the hex length of each hash algorithm a rule may name.
var HashLengths = map[string]int{"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}

// minContent is the shortest content string accepted: shorter strings occur
// by chance in any binary.
const minContent = 6

type checker struct {
	file string
	errs []error
}

func (c *checker) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.errs = append(c.errs, fmt.Errorf("%s:%d: %s", c.file, line, fmt.Sprintf(format, args...)))
}

func validatePack(p *Pack, doc *yaml.Node, rules []*yaml.Node) []error {
	c := &checker{file: p.File}
	if !packPattern.MatchString(p.Name) {
		c.errorf(orNode(child(doc, "pack"), doc), "pack name %q must be lower case letters, digits, '.', '_' or '-'", p.Name)
	}
	if strings.TrimSpace(p.Version) == "" {
		c.errorf(orNode(child(doc, "version"), doc), "pack version is missing")
	}
	if len(p.Rules) == 0 {
		c.errorf(orNode(child(doc, "rules"), doc), "pack has no rules")
	}
	ids := map[string]int{}
	for i := range p.Rules {
		var n *yaml.Node
		if i < len(rules) {
			n = rules[i]
		}
		r := &p.Rules[i]
		if first, ok := ids[r.ID]; ok {
			c.errorf(n, "duplicate rule id %s (first defined at line %d)", r.ID, first)
		} else if n != nil {
			ids[r.ID] = n.Line
		}
		c.rule(r, n)
	}
	return c.errs
}

func orNode(n, fallback *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return fallback
}

func (c *checker) rule(r *Rule, n *yaml.Node) {
	at := func(key string) *yaml.Node { return orNode(child(n, key), n) }
	if !idPattern.MatchString(r.ID) {
		c.errorf(at("id"), "rule id %q must look like PREFIX-NAME-001 (upper case letters and digits joined by '-')", r.ID)
	}
	if r.Disabled {
		// An override that only turns a rule off needs nothing else.
		return
	}
	if strings.TrimSpace(r.Title) == "" {
		c.errorf(at("title"), "rule %s: title is missing", r.ID)
	}
	if strings.TrimSpace(r.Entity) == "" {
		c.errorf(at("entity"), "rule %s: entity is missing", r.ID)
	}
	if !slices.Contains(Categories, r.Category) {
		c.errorf(at("category"), "rule %s: category %q is not one of %s", r.ID, r.Category, joinCategories())
	}
	if r.Severity.Rank() == 0 {
		c.errorf(at("severity"), "rule %s: severity %q is not one of info, low, medium, high, critical", r.ID, r.Severity)
	}
	if len(r.References) == 0 {
		c.errorf(at("references"), "rule %s: no references: every rule must say where its facts were seen", r.ID)
	}
	for i, ref := range r.References {
		if strings.TrimSpace(ref) == "" {
			c.errorf(item(at("references"), i), "rule %s: empty reference", r.ID)
		}
	}
	if r.Match.count() == 0 && !r.Composite() {
		c.errorf(at("match"), "rule %s: no patterns under match", r.ID)
	}
	c.composite(r, n)
	m := child(n, "match")
	c.patterns(r, m, "names", r.Match.Names, checkWords)
	c.patterns(r, m, "products", r.Match.Products, checkWords)
	c.patterns(r, m, "mentions", r.Match.Mentions, checkWords)
	c.patterns(r, m, "signers", r.Match.Signers, checkWords)
	c.patterns(r, m, "purls", r.Match.PURLs, checkPURL)
	c.patterns(r, m, "cpes", r.Match.CPEs, checkCPE)
	c.patterns(r, m, "hashes", r.Match.Hashes, checkHash)
	c.patterns(r, m, "filenames", r.Match.Filenames, checkFilename)
	c.patterns(r, m, "paths", r.Match.Paths, checkPath)
	c.patterns(r, m, "domains", r.Match.Domains, checkDomain)
	c.patterns(r, m, "javaPackages", r.Match.JavaPackages, checkJavaPackage)
	c.patterns(r, m, "content", r.Match.Content, checkContent)
	c.patterns(r, m, "services", r.Match.Services, checkService)
	if len(r.Examples.Match) == 0 {
		c.errorf(at("examples"), "rule %s: no examples.match: every rule needs a component it must match", r.ID)
	}
	ex := child(n, "examples")
	for i, e := range r.Examples.Match {
		if e.empty() {
			c.errorf(item(child(ex, "match"), i), "rule %s: empty example", r.ID)
		}
	}
	for i, e := range r.Examples.NoMatch {
		if e.empty() {
			c.errorf(item(child(ex, "noMatch"), i), "rule %s: empty example", r.ID)
		}
	}
}

func item(seq *yaml.Node, i int) *yaml.Node {
	if seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) {
		return seq.Content[i]
	}
	return seq
}

func (c *checker) patterns(r *Rule, m *yaml.Node, kind string, values []string, check func(string) error) {
	seen := map[string]bool{}
	for i, v := range values {
		n := item(orNode(child(m, kind), m), i)
		if err := check(v); err != nil {
			c.errorf(n, "rule %s: %s pattern %q: %v", r.ID, kind, v, err)
			continue
		}
		if seen[v] {
			c.errorf(n, "rule %s: %s pattern %q is listed twice", r.ID, kind, v)
		}
		seen[v] = true
	}
}

func (m Match) count() int {
	return len(m.Names) + len(m.Products) + len(m.Mentions) + len(m.PURLs) + len(m.CPEs) + len(m.Hashes) +
		len(m.Filenames) + len(m.Paths) + len(m.Domains) + len(m.Signers) + len(m.JavaPackages) + len(m.Content) +
		len(m.Services)
}

func (e Example) empty() bool { return reflect.DeepEqual(e, Example{}) }

// compositeKinds are the pattern kinds a block of a composite rule may
// use: the ones that describe where a file lies or what it runs, which
// deep inspection records for every file a pattern could match.
var compositeKinds = []string{"filenames", "paths", "services"}

func (c *checker) composite(r *Rule, n *yaml.Node) {
	at := func(key string) *yaml.Node { return orNode(child(n, key), n) }
	switch r.Scope {
	case "", ScopeComponent, ScopeSubtree:
	default:
		c.errorf(at("scope"), "rule %s: scope %q is not component or subtree", r.ID, r.Scope)
	}
	if !r.Composite() {
		if r.Scope != "" {
			c.errorf(at("scope"), "rule %s: scope is only for composite rules (all:)", r.ID)
		}
		if r.Levels != 0 {
			c.errorf(at("levels"), "rule %s: levels is only for composite rules with scope subtree", r.ID)
		}
		return
	}
	if r.Levels < 0 || (r.Levels != 0 && r.Scope != ScopeSubtree) {
		c.errorf(at("levels"), "rule %s: levels must be 1 or more, and only with scope subtree", r.ID)
	}
	if r.Match.count() > 0 {
		c.errorf(at("match"), "rule %s: a composite rule (all:) has no patterns under match: put them in a block", r.ID)
	}
	if len(r.All) < 2 {
		c.errorf(at("all"), "rule %s: all needs at least two blocks (one block is an ordinary match)", r.ID)
	}
	seq := child(n, "all")
	for i, b := range r.All {
		bn := item(seq, i)
		if b.count() == 0 {
			c.errorf(bn, "rule %s: all[%d] has no patterns", r.ID, i)
		}
		other := b
		other.Filenames, other.Paths, other.Services = nil, nil, nil
		if other.count() > 0 {
			c.errorf(bn, "rule %s: all[%d]: a composite block may only use %s", r.ID, i, strings.Join(compositeKinds, ", "))
		}
		c.patterns(r, bn, "filenames", b.Filenames, checkFilename)
		c.patterns(r, bn, "paths", b.Paths, checkPath)
		c.patterns(r, bn, "services", b.Services, checkService)
	}
}

func joinCategories() string {
	var s []string
	for _, c := range Categories {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

func checkWords(s string) error {
	words := fold.Tokens(s)
	if len(words) == 0 {
		return fmt.Errorf("has no words once punctuation and legal forms are removed, so it would match nothing")
	}
	return nil
}

func checkGlob(s string) error {
	if s == "" {
		return fmt.Errorf("is empty")
	}
	if _, err := path.Match(s, ""); err != nil {
		return fmt.Errorf("bad wildcard pattern")
	}
	return nil
}

// PURLPattern is a parsed purl pattern.
type PURLPattern struct {
	Type, Namespace, Name string
}

// ParsePURLPattern splits "pkg:type/namespace/name" (namespace optional,
// any number of segments). Namespace and name may contain wildcards.
func ParsePURLPattern(s string) (PURLPattern, error) {
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		//lint:ignore ST1005 the colon is part of the literal prefix "pkg:", and the text is checked by tests
		return PURLPattern{}, errors.New("must start with pkg:")
	}
	if strings.ContainsAny(rest, "?#") || strings.Contains(rest[strings.LastIndex(rest, "/")+1:], "@") {
		return PURLPattern{}, fmt.Errorf("must not name a version, qualifiers or subpath")
	}
	typ, path, ok := strings.Cut(rest, "/")
	if !ok || path == "" {
		return PURLPattern{}, fmt.Errorf("must have a type and a name (pkg:TYPE/NAME)")
	}
	typ = strings.ToLower(typ)
	if !purlType.MatchString(typ) {
		return PURLPattern{}, fmt.Errorf("type %q is not a purl type", typ)
	}
	p := PURLPattern{Type: typ}
	if i := strings.LastIndex(path, "/"); i >= 0 {
		p.Namespace, p.Name = path[:i], path[i+1:]
	} else {
		p.Name = path
	}
	p.Namespace = strings.ReplaceAll(p.Namespace, "%40", "@")
	if err := checkGlob(p.Name); err != nil {
		return PURLPattern{}, fmt.Errorf("name: %v", err)
	}
	if p.Namespace != "" {
		if err := checkGlob(p.Namespace); err != nil {
			return PURLPattern{}, fmt.Errorf("namespace: %v", err)
		}
	}
	return p, nil
}

func checkPURL(s string) error { _, err := ParsePURLPattern(s); return err }

func checkCPE(s string) error {
	vendor, product, ok := strings.Cut(s, ":")
	if !ok || strings.Contains(product, ":") {
		return fmt.Errorf("must be VENDOR:PRODUCT")
	}
	if vendor == "*" || vendor == "" {
		return fmt.Errorf("vendor must be named")
	}
	if err := checkGlob(vendor); err != nil {
		return fmt.Errorf("vendor: %v", err)
	}
	return checkGlob(product)
}

func checkHash(s string) error {
	alg, val, ok := strings.Cut(strings.ToLower(s), ":")
	if !ok {
		return fmt.Errorf("must be ALGORITHM:HEX")
	}
	n, ok := HashLengths[alg]
	if !ok {
		return fmt.Errorf("algorithm %q is not md5, sha1, sha256, sha384 or sha512", alg)
	}
	if _, err := hex.DecodeString(val); err != nil || len(val) != n {
		return fmt.Errorf("%s value must be %d hex digits", alg, n)
	}
	return nil
}

func checkFilename(s string) error {
	if strings.ContainsAny(s, `/\`) {
		return fmt.Errorf("is a path; put it under paths")
	}
	if strings.Trim(s, "*?") == "" {
		return fmt.Errorf("matches every file")
	}
	return checkGlob(strings.ToLower(s))
}

// PathSegments splits a path pattern or a location into lower-case
// segments; "\" and "/" both separate, and so does "!", which joins an
// archive to the path of an entry inside it ("app.jar!com/x/A.class").
func PathSegments(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexAny(s, `/\!`)
		seg := s
		if i >= 0 {
			seg, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if seg != "" && seg != "." {
			out = append(out, strings.ToLower(seg))
		}
	}
	return out
}

func checkPath(s string) error {
	segs := PathSegments(s)
	if len(segs) == 0 {
		return fmt.Errorf("has no path segments")
	}
	for _, seg := range segs {
		if seg == ".." {
			//lint:ignore ST1005 ".." is the literal path segment refused, not punctuation
			return errors.New("must not contain ..")
		}
	}
	return nil
}

func checkDomain(s string) error {
	if s != strings.ToLower(s) {
		return fmt.Errorf("must be lower case")
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return fmt.Errorf("must have at least two labels")
	}
	for _, l := range labels {
		if !dnsLabel.MatchString(l) {
			return fmt.Errorf("label %q is not a DNS label", l)
		}
	}
	return nil
}

func checkJavaPackage(s string) error {
	segs := strings.Split(s, ".")
	if len(segs) < 2 {
		return fmt.Errorf("must have at least two segments")
	}
	for _, seg := range segs {
		if !javaIdentifier.MatchString(seg) {
			return fmt.Errorf("segment %q is not a Java identifier", seg)
		}
	}
	return nil
}

func checkContent(s string) error {
	if len(s) < minContent {
		return fmt.Errorf("is shorter than %d bytes and would match by chance", minContent)
	}
	return nil
}

// minServiceLiteral is the fewest non-wildcard characters a service
// pattern needs: "KL*" would match unrelated services.
const minServiceLiteral = 4

func checkService(s string) error {
	if strings.ContainsAny(s, `/\ `) {
		return fmt.Errorf("must be a service name without '/', '\\' or spaces")
	}
	if err := checkGlob(strings.ToLower(s)); err != nil {
		return err
	}
	literal := 0
	inClass := false
	for _, r := range s {
		switch {
		case r == '[':
			inClass = true
		case r == ']':
			inClass = false
		case !inClass && r != '*' && r != '?':
			literal++
		}
	}
	if literal < minServiceLiteral {
		return fmt.Errorf("needs at least %d characters besides wildcards", minServiceLiteral)
	}
	return nil
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
