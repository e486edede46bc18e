package options

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/pkg/limits"
)

// Limits is the limits concern: the config file's limits: map, then
// --limit NAME=VALUE (or PEDIGREE_LIMIT), over the defaults.
type Limits struct {
	*Setting
	// file is the config file read by Load.
	file File
}

// UsageError is an error in how a flag was given.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Resolve returns the default limits with the config file's limits, then
// the flag's or the environment's, applied, and the origin of each limit
// by name. A bad --limit is a *UsageError; the file's limits were checked
// when it was read.
func (l *Limits) Resolve(c *cli.Context) (limits.Limits, map[string]Origin, error) {
	lim := limits.Default()
	origins := make(map[string]Origin, len(limits.All))
	for _, m := range limits.All {
		origins[m.Name] = Default
	}
	for _, name := range l.file.limitNames() {
		if err := lim.SetValue(name, l.file.Limits[name]); err != nil {
			return lim, origins, fileError(l.file.Path, "limits", err)
		}
		origins[name] = ConfigFile(l.file.Path)
	}
	from := Flag
	if !onCommandLine(c, l.Flag) {
		from = Environment(EnvLimit)
	}
	for _, s := range c.StringSlice(l.Name()) {
		if strings.TrimSpace(s) == "" { // an empty PEDIGREE_LIMIT sets nothing
			continue
		}
		if err := lim.Set(s); err != nil {
			return lim, origins, &UsageError{fmt.Sprintf("--limit: %v", err)}
		}
		name, _, _ := strings.Cut(s, "=")
		origins[strings.TrimSpace(name)] = from
	}
	return lim, origins, nil
}
