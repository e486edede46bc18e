package match

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// One finding per shipped artifact: deep inspection lists an .aar, the
// classes.jar inside it and the classes inside that as components nested
// in one another (Parent refs, locations joined with "!"). They are one
// thing that ships, so a finding on a part is folded into the finding on
// the nearest flagged ancestor that is the same artifact, keeping every
// piece of evidence (with the part's location) and the highest severity.
// A part that is itself a separate package (a .jar in a .war, an .aar in
// a .zip, a library listed inside an application without locations) keeps
// its own finding.

// maxNest bounds the walk up Parent refs.
const maxNest = 64

// foldNested folds the findings of parts into the findings of the
// artifacts they belong to, and returns the findings left.
func (e *Engine) foldNested(findings []Finding, byRef map[string]*model.Component) []Finding {
	if len(findings) < 2 {
		return findings
	}
	type key struct{ entity, ref string }
	at := make(map[key]int, len(findings))
	for i, f := range findings {
		at[key{f.Entity, f.Component.Ref}] = i
	}
	// into[i] is the finding that finding i folds into, or -1.
	into := make([]int, len(findings))
	folded := false
	for i, f := range findings {
		into[i] = -1
		cur := f.Component
		for n := 0; n < maxNest && cur.Parent != "" && cur.Parent != cur.Ref; n++ {
			up := byRef[cur.Parent]
			if up == nil || !partOf(cur, up) {
				break
			}
			if j, ok := at[key{f.Entity, up.Ref}]; ok {
				into[i], folded = j, true
				break
			}
			cur = up
		}
	}
	if !folded {
		return findings
	}
	// Each folded finding goes to the end of its chain of targets.
	final := func(i int) int {
		for n := 0; into[i] >= 0 && n < len(findings); n++ {
			i = into[i]
		}
		return i
	}
	var parts = map[int][]int{}
	for i := range findings {
		if into[i] >= 0 {
			t := final(i)
			parts[t] = append(parts[t], i)
		}
	}
	var out []Finding
	for i, f := range findings {
		if into[i] >= 0 {
			continue
		}
		if ps := parts[i]; len(ps) > 0 {
			f = e.absorb(f, findings, ps)
		}
		out = append(out, f)
	}
	return out
}

// absorb adds the evidence, rules and notes of the part findings to f, and
// takes the highest severity among them.
func (e *Engine) absorb(f Finding, findings []Finding, parts []int) Finding {
	// Findings come in no particular order (Match gathers them from a
	// map): the parts are taken by location, then ref, so that the
	// evidence, notes and title are the same on every run.
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(a, b int) int {
		x, y := findings[a].Component, findings[b].Component
		return cmp.Or(cmp.Compare(firstLocation(x), firstLocation(y)), cmp.Compare(x.Ref, y.Ref))
	})
	ev := slices.Clone(f.Evidence)
	rules := slices.Clone(f.Rules)
	notes := slices.Clone(f.Notes)
	for _, i := range parts {
		p := findings[i]
		loc := ""
		if len(p.Component.Locations) > 0 {
			loc = p.Component.Locations[0]
		}
		name := cmp.Or(loc, label(p.Component))
		for _, v := range p.Evidence {
			v.Field = "nested[" + name + "]." + v.Field
			if v.Location == "" {
				v.Location = loc
			}
			ev = append(ev, v)
		}
		rules = append(rules, p.Rules...)
		for _, id := range p.shown {
			if !slices.Contains(f.shown, id) {
				f.shown = append(slices.Clip(f.shown), id)
			}
		}
		for _, n := range p.Notes {
			notes = append(notes, name+": "+n)
		}
		if p.Severity.Rank() > f.Severity.Rank() {
			f.Severity = p.Severity
			if r := e.set.Rule(p.Rule); r != nil {
				f.Title, f.Rule = r.Title+": "+label(f.Component), p.Rule
			}
		}
		if !f.WhiteLabel && p.WhiteLabel {
			f.WhiteLabel, f.Offered = true, p.Offered
		}
	}
	slices.Sort(rules)
	f.Rules = slices.Compact(rules)
	f.Evidence = ev
	f.Notes = notes
	f.Confidence = confidence(ev)
	return f
}

// partOf reports whether a component is a part of the artifact up it is
// nested in: one of its locations lies directly inside one of up's
// ("app.aar!classes.jar" in "app.aar"), and it is no package of its own:
// a class, resource or other member file, or the classes.jar or a libs/
// jar of an Android archive.
func partOf(x, up *model.Component) bool {
	for _, l := range x.Locations {
		for _, u := range up.Locations {
			rel, ok := strings.CutPrefix(l, u+"!")
			if !ok || rel == "" {
				continue
			}
			rel = strings.TrimPrefix(strings.ReplaceAll(rel, `\`, "/"), "/")
			if strings.Contains(rel, "!") {
				continue // deeper than a direct member
			}
			if !archiveName(rel) {
				return true
			}
			lower := strings.ToLower(rel)
			if strings.HasSuffix(strings.ToLower(u), ".aar") &&
				(lower == "classes.jar" || strings.HasPrefix(lower, "libs/") && strings.HasSuffix(lower, ".jar")) {
				return true
			}
		}
	}
	return false
}

// archiveName reports whether a member name is a package of its own.
func archiveName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".jar", ".aar", ".apk", ".war", ".ear", ".zip", ".whl", ".egg", ".nupkg", ".gem", ".tgz", ".gz",
		".tar", ".xz", ".bz2", ".zst", ".7z", ".rar", ".deb", ".rpm", ".msi", ".cab", ".dmg", ".iso", ".img",
		".ipa", ".xpi", ".crx", ".vsix", ".kar", ".sar", ".par", ".hpi", ".jpi":
		return true
	}
	return false
}

func firstLocation(x *model.Component) string {
	if len(x.Locations) > 0 {
		return x.Locations[0]
	}
	return ""
}
