// Package waiver reads waiver files and decides which findings they
// suppress.
//
// A waiver is an accepted risk with an owner and an end date: it names the
// findings it covers (by finding id, rule id, component and target; every
// selector given must match), why they are accepted, who accepted them, and
// when the acceptance expires. An expired waiver suppresses nothing and is
// reported, so an acceptance never outlives its review date silently.
//
// A waiver that names a rule and no finding accepts that rule's evidence,
// not the findings it is part of: the other rules' evidence on the same
// component still stands (see WaivesRule). A waiver that covers any
// component, or lasts more than a year, is warned about on every run (see
// Warnings).
package waiver

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/yamlerr"
)

// Waiver is one accepted finding or group of findings.
type Waiver struct {
	// Finding is a finding id (PDG-...).
	Finding string `yaml:"finding,omitempty" json:"finding,omitempty"`
	// Rule is a rule id; the waiver covers findings that rule matched.
	Rule string `yaml:"rule,omitempty" json:"rule,omitempty"`
	// Component is a glob matched against the component's purl, its name,
	// and "name@version".
	Component string `yaml:"component,omitempty" json:"component,omitempty"`
	// Target is a glob matched against the target as given on the command line.
	Target string `yaml:"target,omitempty" json:"target,omitempty"`
	Reason string `yaml:"reason" json:"reason"`
	Owner  string `yaml:"owner" json:"owner"`
	// Expires is the last day (YYYY-MM-DD, UTC) the waiver applies.
	Expires string `yaml:"expires" json:"expires"`

	// Source is "file:line" of the waiver.
	Source  string    `yaml:"-" json:"source"`
	expires time.Time `yaml:"-"`
}

// File is a waiver file.
type File struct {
	Waivers []Waiver `yaml:"waivers"`
}

var findingID = regexp.MustCompile(`^PDG-[0-9A-F]{16}$`)

// Load reads and checks a waiver file.
func Load(name string) ([]Waiver, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("waivers %s: %w", name, err)
	}
	return Parse(name, data)
}

// Parse decodes and checks waivers; errors name the file and line.
func Parse(name string, data []byte) ([]Waiver, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlerr.Wrap(name, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: empty waiver file", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, yamlerr.Wrap(name, err)
	}
	var nodes []*yaml.Node
	if m := root.Content[0]; m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "waivers" && m.Content[i+1].Kind == yaml.SequenceNode {
				nodes = m.Content[i+1].Content
			}
		}
	}
	var errs []error
	for i := range f.Waivers {
		w := &f.Waivers[i]
		line := 0
		if i < len(nodes) {
			line = nodes[i].Line
		}
		w.Source = fmt.Sprintf("%s:%d", name, line)
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", w.Source, fmt.Sprintf(format, args...)))
		}
		if w.Finding == "" && w.Rule == "" && w.Component == "" {
			fail("waiver names no finding, rule or component, so it would waive everything")
		}
		if w.Finding != "" && !findingID.MatchString(w.Finding) {
			fail("finding %q is not a finding id (PDG- and 16 hex digits)", w.Finding)
		}
		for _, g := range []string{w.Component, w.Target} {
			if _, err := path.Match(g, ""); err != nil {
				fail("bad pattern %q", g)
			}
		}
		if strings.TrimSpace(w.Reason) == "" {
			fail("reason is missing")
		}
		if strings.TrimSpace(w.Owner) == "" {
			fail("owner is missing")
		}
		t, err := time.Parse("2006-01-02", w.Expires)
		if err != nil {
			fail("expires %q is not a date (YYYY-MM-DD)", w.Expires)
		}
		w.expires = t
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if f.Waivers == nil {
		f.Waivers = []Waiver{}
	}
	return f.Waivers, nil
}

// Expired reports whether the waiver's last day is before now's day (UTC).
func (w *Waiver) Expired(now time.Time) bool {
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return w.expires.Before(today)
}

// WaivesRule reports whether the waiver accepts one rule's evidence rather
// than whole findings: it names a rule and no finding. Such a waiver takes
// the rule's evidence off each finding it covers, and suppresses a finding
// only when no evidence is left; a waiver that names a finding, or no rule,
// suppresses the findings it covers.
func (w *Waiver) WaivesRule() bool { return w.Rule != "" && w.Finding == "" }

// Warnings are the reasons to tell the user about the waiver on every run
// it is loaded, as of now: it covers any component (no finding and no
// component named, or a component pattern that names no letter or digit,
// such as "*"), or its last day is more than a year after now's day.
func (w *Waiver) Warnings(now time.Time) []string {
	var out []string
	if w.Finding == "" {
		switch {
		case w.Component == "":
			out = append(out, "covers any component (it names no component or finding)")
		case MatchesAny(w.Component):
			out = append(out, fmt.Sprintf("covers any component (component %q)", w.Component))
		}
	}
	y, m, d := now.UTC().Date()
	if w.expires.After(time.Date(y+1, m, d, 0, 0, 0, 0, time.UTC)) {
		out = append(out, fmt.Sprintf("expires on %s, more than a year away", w.Expires))
	}
	return out
}

// MatchesAny reports whether a component pattern names no component: after
// an optional leading "pkg:" (every purl has it), it has no letter or digit
// outside a character class, as "*", "*@*", "*/*", "?*", "[a-z]*" or
// "pkg:*/*". Such a pattern matches a name whatever it is.
func MatchesAny(pattern string) bool {
	p := strings.TrimPrefix(pattern, "pkg:")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			i++
			if i < len(p) && isAlnum(p[i]) {
				return false
			}
		case c == '[':
			// A class stands for one character, whatever its members.
			j := i + 1
			if j < len(p) && (p[j] == '^' || p[j] == '!') {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				if p[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case isAlnum(c) || c >= 0x80:
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Subject is what a waiver is matched against.
type Subject struct {
	Finding string
	Rules   []string
	PURL    string
	Name    string
	Version string
	Target  string
}

// Covers reports whether every selector of the waiver matches the subject.
func (w *Waiver) Covers(s Subject) bool {
	if w.Finding != "" && w.Finding != s.Finding {
		return false
	}
	if w.Rule != "" && !contains(s.Rules, w.Rule) {
		return false
	}
	if w.Component != "" && !glob(w.Component, s.PURL) && !glob(w.Component, s.Name) &&
		!glob(w.Component, s.Name+"@"+s.Version) {
		return false
	}
	if w.Target != "" && !glob(w.Target, s.Target) {
		return false
	}
	return true
}

func glob(pattern, s string) bool {
	if s == "" {
		return false
	}
	ok, _ := path.Match(pattern, s)
	return ok || pattern == s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
