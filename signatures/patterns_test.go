package signatures_test

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// pattern is one pattern of one rule: its kind (the YAML key under match)
// and its text.
type pattern struct{ kind, value string }

func (p pattern) String() string { return p.kind + " " + fmt.Sprintf("%q", p.value) }

// patternsOf lists a rule's patterns in file order.
func patternsOf(m signature.Match) []pattern {
	var out []pattern
	add := func(kind string, vs []string) {
		for _, v := range vs {
			out = append(out, pattern{kind, v})
		}
	}
	add("names", m.Names)
	add("products", m.Products)
	add("mentions", m.Mentions)
	add("signers", m.Signers)
	add("purls", m.PURLs)
	add("cpes", m.CPEs)
	add("hashes", m.Hashes)
	add("filenames", m.Filenames)
	add("paths", m.Paths)
	add("domains", m.Domains)
	add("javaPackages", m.JavaPackages)
	add("content", m.Content)
	add("services", m.Services)
	return out
}

// only is the rule reduced to the one pattern p.
func only(r *signature.Rule, p pattern) *signature.Rule {
	c := *r
	c.Match = signature.Match{}
	v := []string{p.value}
	switch p.kind {
	case "names":
		c.Match.Names = v
	case "products":
		c.Match.Products = v
	case "mentions":
		c.Match.Mentions = v
	case "signers":
		c.Match.Signers = v
	case "purls":
		c.Match.PURLs = v
	case "cpes":
		c.Match.CPEs = v
	case "hashes":
		c.Match.Hashes = v
	case "filenames":
		c.Match.Filenames = v
	case "paths":
		c.Match.Paths = v
	case "domains":
		c.Match.Domains = v
	case "javaPackages":
		c.Match.JavaPackages = v
	case "content":
		c.Match.Content = v
	case "services":
		c.Match.Services = v
	default:
		panic("unknown pattern kind " + p.kind)
	}
	return &c
}

// untestedPatterns is the ratchet for the rule files this test did not
// yet hold to the rule "every pattern has its own positive example":
// kaspersky-identity.yaml, kaspersky-products.yaml,
// kaspersky-developer-libraries.yaml and kaspersky-mentions.yaml (see
// ratchetFiles). Each entry is "RULE-ID kind \"pattern\"". It is empty:
// every pattern of those files now has an example of its own, and the list
// only shrinks. The test fails when an entry here gains an example (remove
// it) and when any pattern not listed here has none (add an example, never
// an entry). No entry may name a rule of any other file.
var untestedPatterns = map[string]bool{}

// TestEveryPatternHasItsOwnExample is the gitleaks-style self-test of the
// embedded packs: for every rule and every one of its patterns, at least
// one examples.match component must be matched by the rule reduced to that
// pattern alone, so that each pattern is proved to fire (a typo in a
// pattern, or a pattern the engine never compares, fails here); and no
// examples.noMatch component may be matched by any single pattern of its
// rule.
func TestEveryPatternHasItsOwnExample(t *testing.T) {
	set := embeddedSet(t)
	total, missing := 0, 0
	var stale []string
	for _, r := range set.Rules {
		if r.Composite() {
			n, miss := checkComposite(t, r)
			total += n
			missing += miss
			continue
		}
		for _, p := range patternsOf(r.Match) {
			total++
			eng, err := match.New(&signature.Set{Rules: []*signature.Rule{only(r, p)}})
			if err != nil {
				t.Fatalf("%s: rule %s: %s: %v", r.Source, r.ID, p, err)
			}
			key := r.ID + " " + p.String()
			hit := slices.ContainsFunc(r.Examples.Match, func(ex signature.Example) bool {
				return matched(eng, ex, r.ID)
			})
			switch {
			case !hit && !untestedPatterns[key]:
				missing++
				t.Errorf("%s: rule %s: no examples.match component is matched by the %s pattern alone", r.Source, r.ID, p)
			case !hit:
				missing++
			case untestedPatterns[key]:
				stale = append(stale, key)
			}
			for i, ex := range r.Examples.NoMatch {
				if matched(eng, ex, r.ID) {
					t.Errorf("%s: rule %s: examples.noMatch[%d] is matched by the %s pattern", r.Source, r.ID, i, p)
				}
			}
		}
	}
	sort.Strings(stale)
	for _, k := range stale {
		t.Errorf("untestedPatterns: %s now has an example: remove its entry", k)
	}
	for k := range untestedPatterns {
		id, _, _ := strings.Cut(k, " ")
		r := set.Rule(id)
		if r == nil {
			t.Errorf("untestedPatterns: %s: no such rule", k)
			continue
		}
		if !slices.ContainsFunc(patternsOf(r.Match), func(p pattern) bool { return id+" "+p.String() == k }) {
			t.Errorf("untestedPatterns: %s: the rule has no such pattern: remove the entry", k)
		}
		if !slices.ContainsFunc(ratchetFiles, func(f string) bool { return strings.HasPrefix(path.Base(r.Source), f+":") }) {
			t.Errorf("untestedPatterns: %s: rule is in %s; only %v may be listed", k, r.Source, ratchetFiles)
		}
	}
	t.Logf("%d patterns, %d without an example of their own (%d allowlisted)", total, missing, len(untestedPatterns))
}

// ratchetFiles are the rule files untestedPatterns may name.
var ratchetFiles = []string{
	"kaspersky-identity.yaml",
	"kaspersky-products.yaml",
	"kaspersky-developer-libraries.yaml",
	"kaspersky-mentions.yaml",
}

func matched(eng *match.Engine, ex signature.Example, id string) bool {
	return slices.ContainsFunc(eng.Explain(ex.Component()), func(v match.Evidence) bool { return v.Rule == id })
}

// privateReferences is the ratchet for references of the other owner's
// rule files (see ratchetFiles) that do not yet point to a public source:
// "RULE-ID reference-index". Their owner removes entries as the references
// are fixed; the test fails when a listed reference has become public
// (remove the entry) and when any other reference is not public.
var privateReferences = map[string]bool{}

// TestReferencesArePublic: every reference of an embedded rule points to a
// source a reader can open (a URL, or an owner/repo path), never to notes
// outside the repository such as the research catalogue.
func TestReferencesArePublic(t *testing.T) {
	set := embeddedSet(t)
	for _, r := range set.Rules {
		for i, ref := range r.References {
			key := fmt.Sprintf("%s %d", r.ID, i)
			err := signature.CheckPublicReference(ref)
			switch {
			case err != nil && !privateReferences[key]:
				t.Errorf("%s: rule %s: references[%d] %q %v", r.Source, r.ID, i, ref, err)
			case err == nil && privateReferences[key]:
				t.Errorf("privateReferences: %s is public now: remove the entry", key)
			case err != nil && !slices.ContainsFunc(ratchetFiles, func(f string) bool { return strings.HasPrefix(path.Base(r.Source), f+":") }):
				t.Errorf("privateReferences: %s: rule is in %s; only %v may be listed", key, r.Source, ratchetFiles)
			}
		}
	}
}

// checkComposite is the self-test of a composite rule: for every pattern
// of every block, some examples.match component must be matched by the
// rule with that block reduced to the one pattern (the other blocks
// whole); and no examples.noMatch component may be matched by the rule.
func checkComposite(t *testing.T, r *signature.Rule) (total, missing int) {
	t.Helper()
	for b, block := range r.All {
		for _, p := range patternsOf(block) {
			total++
			c := *r
			c.All = slices.Clone(r.All)
			c.All[b] = only(&signature.Rule{Match: block}, p).Match
			eng, err := match.New(&signature.Set{Rules: []*signature.Rule{&c}})
			if err != nil {
				t.Fatalf("%s: rule %s: %v", r.Source, r.ID, err)
			}
			if !slices.ContainsFunc(r.Examples.Match, func(ex signature.Example) bool { return matched(eng, ex, r.ID) }) {
				missing++
				t.Errorf("%s: rule %s: no examples.match component is matched with all[%d] reduced to the %s pattern", r.Source, r.ID, b, p)
			}
		}
	}
	eng, err := match.New(&signature.Set{Rules: []*signature.Rule{r}})
	if err != nil {
		t.Fatalf("%s: rule %s: %v", r.Source, r.ID, err)
	}
	for i, ex := range r.Examples.NoMatch {
		if matched(eng, ex, r.ID) {
			t.Errorf("%s: rule %s: examples.noMatch[%d] is matched", r.Source, r.ID, i)
		}
	}
	return total, missing
}
