package match

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// Explain returns the evidence the engine finds in one component's own
// fields, with no document around it.
func (e *Engine) Explain(x *model.Component) []Evidence {
	c := e.newCollector()
	c.component(x, "")
	return c.ev
}

// ExampleError is an example its rule gets wrong.
type ExampleError struct {
	Rule *signature.Rule
	msg  string
}

func (e *ExampleError) Error() string { return e.msg }

// CheckExamples runs every rule's examples against the whole set: each
// examples.match component must be matched by its rule, and no
// examples.noMatch component may be. It returns one error per failed
// example, naming the rule's file and line.
func (e *Engine) CheckExamples() []error {
	var errs []error
	for _, r := range e.rules {
		for i, ex := range r.Examples.Match {
			if !matchedBy(e.Explain(ex.Component()), r.ID) {
				errs = append(errs, &ExampleError{r, fmt.Sprintf("%s: rule %s: examples.match[%d] %s is not matched", r.Source, r.ID, i, fields(ex))})
			}
		}
		for i, ex := range r.Examples.NoMatch {
			if ev := e.Explain(ex.Component()); matchedBy(ev, r.ID) {
				errs = append(errs, &ExampleError{r, fmt.Sprintf("%s: rule %s: examples.noMatch[%d] %s is matched (%s)", r.Source, r.ID, i, fields(ex), describe(ev, r.ID))})
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

// fields renders an example as its non-empty fields in YAML flow style.
func fields(ex signature.Example) string {
	out, err := yaml.Marshal(ex)
	if err != nil {
		return fmt.Sprintf("%+v", ex)
	}
	return "{" + strings.Join(strings.Split(strings.TrimSpace(string(out)), "\n"), ", ") + "}"
}
