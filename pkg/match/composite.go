package match

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// Composite rules (signature.Rule.All) match only when several signals are
// found together: every block of the rule must match, either in one
// component's own fields and locations (scope component) or in the files
// under one directory (scope subtree, rooted Levels directories above a
// file that matches the first block). A signal that means little alone
// (a *.ppl module, a bin/bases directory) then counts as part of a layout
// that means much (the Kaspersky Scan Engine), and the rule rates the
// layout, not the signals.
//
// Evidence of a composite rule is recorded on the component that matches
// the first block (the anchor): one piece of evidence per block, each
// naming the block ("all[1] locations[0]") and the file it was found on.

// extras runs the matchers kept outside the main collector: service names
// and composite rules over the component's own fields.
func (c *collector) extras(x *model.Component, prefix string) {
	c.services(x, prefix)
	c.composites(x, prefix)
}

// signal is one block pattern found on a component.
type signal struct {
	kind                   EvidenceKind
	field, value, location string
	segs                   []string // the location's path segments
}

// compositeRules returns the indexes of the composite rules.
func (e *Engine) compositeRules() []int {
	var out []int
	for i, r := range e.rules {
		if r.Composite() {
			out = append(out, i)
		}
	}
	return out
}

// blockSignals returns what block b finds in a component's own fields.
func blockSignals(b signature.Match, x *model.Component, prefix string) []signal {
	var out []signal
	locs := []struct {
		value string
		field at
	}{{x.FileName, fieldAt(prefix, "fileName")}}
	if x.Type == "file" {
		locs = append(locs, struct {
			value string
			field at
		}{x.Name, fieldAt(prefix, "name")})
	}
	for i, l := range x.Locations {
		locs = append(locs, struct {
			value string
			field at
		}{l, itemAt(prefix, "locations", i)})
	}
	if x.Evidence != nil {
		for i, l := range x.Evidence.Occurrences {
			locs = append(locs, struct {
				value string
				field at
			}{l, itemAt(prefix, "evidence.occurrences", i)})
		}
	}
	for _, l := range locs {
		segs := signature.PathSegments(l.value)
		if len(segs) == 0 {
			continue
		}
		if _, ok := matchFilename(b.Filenames, segs[len(segs)-1]); ok {
			base := l.value[strings.LastIndexAny(l.value, `/\!`)+1:]
			out = append(out, signal{KindFilename, l.field.String(), base, l.value, segs})
		}
		if p, ok := matchPath(b.Paths, segs); ok {
			out = append(out, signal{KindPath, l.field.String(), p, l.value, segs})
		}
	}
	if len(b.Services) > 0 {
		names := serviceNames(x, prefix)
		for _, n := range names {
			if _, ok := matchService(b.Services, n.value); ok {
				out = append(out, signal{KindService, n.field.String(), n.value, n.location, signature.PathSegments(n.location)})
			}
		}
	}
	// The same location can be listed twice (fileName and locations).
	return slices.CompactFunc(out, func(a, b signal) bool { return a.kind == b.kind && a.location == b.location && a.value == b.value })
}

func matchFilename(patterns []string, base string) (string, bool) {
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), base); ok {
			return p, true
		}
	}
	return "", false
}

func matchPath(patterns []string, segs []string) (string, bool) {
	for _, p := range patterns {
		ps := signature.PathSegments(p)
		for i := 0; i+len(ps) <= len(segs); i++ {
			if slices.Equal(segs[i:i+len(ps)], ps) {
				return p, true
			}
		}
	}
	return "", false
}

func matchService(patterns []string, name string) (string, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), name); ok && name != "" {
			return p, true
		}
	}
	return "", false
}

type serviceName struct {
	value, location string
	field           at
}

// serviceNames lists the service names a component declares, as services
// reads them.
func serviceNames(x *model.Component, prefix string) []serviceName {
	var out []serviceName
	if x.Type == "service" {
		out = append(out, serviceName{x.Name, "", fieldAt(prefix, "name")})
	}
	for _, p := range x.Properties {
		if serviceKeys[propertyKey(p.Name)] {
			out = append(out, serviceName{p.Value, "", keyAt(prefix, "properties", p.Name)})
		}
	}
	for i, l := range append([]string{x.FileName}, x.Locations...) {
		segs := signature.PathSegments(l)
		if len(segs) == 0 {
			continue
		}
		// The unit's name as written ("KAVFS.service" is KAVFS): the
		// segments are folded to lower case.
		base := l[strings.LastIndexAny(l, `/\!`)+1:]
		if unit, ok := strings.CutSuffix(segs[len(segs)-1], ".service"); ok && unit != "" {
			if len(base) == len(unit)+len(".service") {
				unit = base[:len(unit)]
			}
			field := fieldAt(prefix, "fileName")
			if i > 0 {
				field = itemAt(prefix, "locations", i-1)
			}
			out = append(out, serviceName{unit, l, field})
		}
	}
	return out
}

// composites matches the composite rules against one component: scope
// component needs every block in the component's fields; scope subtree
// needs every block among the component's own locations (a package that
// lists its files). Matches across components are Engine.compositeDocument's.
func (c *collector) composites(x *model.Component, prefix string) {
	for _, i := range c.e.compositeRules() {
		r := c.e.rules[i]
		hits := make([][]signal, len(r.All))
		for b, block := range r.All {
			hits[b] = blockSignals(block, x, prefix)
			if len(hits[b]) == 0 {
				break
			}
		}
		if len(hits[len(hits)-1]) == 0 {
			continue
		}
		var chosen []signal
		if r.Scope == signature.ScopeSubtree {
			chosen = subtree(hits, r.SubtreeLevels())
		} else {
			for _, h := range hits {
				chosen = append(chosen, h[0])
			}
		}
		for b, s := range chosen {
			c.addComposite(i, b, s)
		}
	}
}

func (c *collector) addComposite(rule, block int, s signal) {
	c.addEvidence(rule, Evidence{Kind: s.kind, Field: fmt.Sprintf("all[%d] %s", block, s.field), Value: s.value, Location: s.location})
}

// subtree looks for a directory that holds a signal of every block,
// rooted levels directories above a signal of the first block. It returns
// one signal per block (the first block's first), or nil.
func subtree(hits [][]signal, levels int) []signal {
	for _, anchor := range hits[0] {
		if len(anchor.segs) == 0 {
			continue // a service name lies in no directory
		}
		n := len(anchor.segs) - levels
		if n < 0 {
			n = 0
		}
		root := anchor.segs[:n]
		chosen := []signal{anchor}
		for _, block := range hits[1:] {
			i := slices.IndexFunc(block, func(s signal) bool { return under(s.segs, root) })
			if i < 0 {
				chosen = nil
				break
			}
			chosen = append(chosen, block[i])
		}
		if chosen != nil {
			return chosen
		}
	}
	return nil
}

// under reports whether a location lies in the directory root (at any
// depth; a location with no path, such as a service name, lies nowhere).
func under(segs, root []string) bool {
	return len(segs) > len(root) && slices.Equal(segs[:len(root)], root)
}

// compositeDocument matches the subtree composite rules across the
// document's components, where an install tree is listed file by file,
// and adds the evidence to the anchor component's. Components that match
// a rule on their own already carry its evidence.
func (e *Engine) compositeDocument(doc *model.Document, all map[string][]Evidence) {
	rules := slices.DeleteFunc(e.compositeRules(), func(i int) bool { return e.rules[i].Scope != signature.ScopeSubtree })
	for _, i := range rules {
		r := e.rules[i]
		hits := make([][]signal, len(r.All))
		anchors := map[string][]signal{}
		var order []*model.Component
		for _, x := range doc.Components {
			for b, block := range r.All {
				for _, s := range blockSignals(block, x, "") {
					if len(s.segs) == 0 {
						continue
					}
					hits[b] = append(hits[b], s)
					if b == 0 {
						if len(anchors[x.Ref]) == 0 {
							order = append(order, x)
						}
						anchors[x.Ref] = append(anchors[x.Ref], s)
					}
				}
			}
		}
		if slices.ContainsFunc(hits, func(h []signal) bool { return len(h) == 0 }) {
			continue
		}
		for _, x := range order {
			if slices.ContainsFunc(all[x.Ref], func(v Evidence) bool { return v.Rule == r.ID }) {
				continue
			}
			chosen := subtree(append([][]signal{anchors[x.Ref]}, hits[1:]...), r.SubtreeLevels())
			if chosen == nil {
				continue
			}
			for b, s := range chosen {
				field := fmt.Sprintf("all[%d] %s", b, s.field)
				if b > 0 {
					field = fmt.Sprintf("all[%d]", b)
				}
				all[x.Ref] = append(all[x.Ref], Evidence{Rule: r.ID, Kind: s.kind, Field: field, Value: s.value, Location: s.location})
			}
		}
	}
}
