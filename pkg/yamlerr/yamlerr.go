// Package yamlerr rewrites YAML decoding errors so they read like compiler
// errors: one "file:line: problem" line per problem.
package yamlerr

import (
	"errors"
	"fmt"
	"strings"
)

// Wrap turns the YAML library's "yaml: line 3: x" and "yaml: unmarshal
// errors:\n  line 3: x\n  line 5: y" into one "name:3: x" error per
// problem, joined.
func Wrap(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	var errs []error
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(l, "line "); ok {
			errs = append(errs, fmt.Errorf("%s:%s", name, rest))
		} else {
			errs = append(errs, fmt.Errorf("%s: %s", name, l))
		}
	}
	return errors.Join(errs...)
}
