package match

import (
	"fmt"
	"slices"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Explain returns the evidence the engine finds in one component's own
// fields, with no document around it.
func (e *Engine) Explain(x *model.Component) []Evidence {
	c := e.newCollector()
	c.component(x, "")
	return c.ev
}

// CheckExamples runs every rule's examples against the whole set: each
// examples.match component must be matched by its rule, and no
// examples.noMatch component may be. It returns one error per failed
// example, naming the rule's file and line.
func (e *Engine) CheckExamples() []error {
	var errs []error
	for _, r := range e.rules {
		for i, ex := range r.Examples.Match {
			if !matchedBy(e.Explain(ex.Component()), r.ID) {
				errs = append(errs, fmt.Errorf("%s: rule %s: examples.match[%d] %+v is not matched", r.Source, r.ID, i, ex))
			}
		}
		for i, ex := range r.Examples.NoMatch {
			if ev := e.Explain(ex.Component()); matchedBy(ev, r.ID) {
				errs = append(errs, fmt.Errorf("%s: rule %s: examples.noMatch[%d] %+v is matched (%s)", r.Source, r.ID, i, ex, describe(ev, r.ID)))
			}
		}
	}
	return errs
}

func matchedBy(ev []Evidence, id string) bool {
	return slices.ContainsFunc(ev, func(v Evidence) bool { return v.Rule == id })
}

func describe(ev []Evidence, id string) string {
	for _, v := range ev {
		if v.Rule == id {
			return fmt.Sprintf("%s %s %q", v.Kind, v.Field, v.Value)
		}
	}
	return ""
}
