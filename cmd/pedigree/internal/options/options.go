// Package options declares pedigree's command-line settings once each —
// the flag, its PEDIGREE_* environment variable and its config file key —
// and resolves them, for one run of a command, to a value and the exact
// place that value came from.
//
// A value comes from the first of: the flag on the command line, its
// environment variable (an empty variable counts as not set), the config
// file (--config or PEDIGREE_CONFIG, else ./.pedigree.yaml, else
// pedigree/config.yaml in the user config directory), the default.
//
// The commands build their flag lists from the constructors here (Output,
// FailOn, Signatures, Limit, ...) and, when they read the config file,
// resolve them with a Set as their Before. Values from the config file are
// given to the command's cli.Context, so c.String and friends see them.
package options

import (
	"context"
	"os"

	"github.com/urfave/cli/v2"
)

// Origin says where a resolved value came from: "flag", "environment
// (PEDIGREE_X)", "config file PATH" or "default".
type Origin string

const (
	// Flag: the value was given on the command line.
	Flag Origin = "flag"
	// Default: nothing set the value.
	Default Origin = "default"
)

// Environment is the origin of a value set by the environment variable
// name.
func Environment(name string) Origin { return Origin("environment (" + name + ")") }

// ConfigFile is the origin of a value set by the config file at path.
func ConfigFile(path string) Origin { return Origin("config file " + path) }

// Setting is one setting of a command: its flag (whose EnvVars hold its
// environment variable) and its config file key. After Set.Load, Origin
// says where its value came from.
type Setting struct {
	Flag cli.Flag
	// Key is its key in the config file, "" when the file cannot set it.
	Key string
	// file returns the config file's values for Key: none when absent.
	file func(*File) []string
	// limits is the --limit setting's concern.
	limits *Limits
	// reading is set for a setting about how input is read (--strict):
	// the config file sets it on every command that has it, as it sets
	// the limits, not only on those that take all of the file's values.
	reading bool

	Origin Origin
}

// Name is the flag's name, which pedigree config prints.
func (s *Setting) Name() string { return s.Flag.Names()[0] }

// Env is the setting's environment variable, "" for none.
func (s *Setting) Env() string {
	if f, ok := s.Flag.(interface{ GetEnvVars() []string }); ok && len(f.GetEnvVars()) > 0 {
		return f.GetEnvVars()[0]
	}
	return ""
}

// given returns where the setting's value came from when the command line
// or the environment set it, and "" when neither did. A flag typed with
// an empty text or list value, and an empty environment variable, set
// nothing: urfave/cli counts an empty variable as set, which would hide
// the config file.
func (s *Setting) given(c *cli.Context) Origin {
	name := s.Name()
	if !c.IsSet(name) {
		return ""
	}
	switch v := c.Value(name).(type) {
	case string:
		if v == "" {
			return ""
		}
	case cli.StringSlice:
		if len(v.Value()) == 0 {
			return ""
		}
	}
	if onCommandLine(c, s.Flag) {
		return Flag
	}
	if env := s.Env(); env != "" && os.Getenv(env) != "" {
		return Environment(env)
	}
	return ""
}

// onCommandLine reports whether f was given on the command line.
// c.IsSet also counts a flag set from its environment variable, which
// urfave/cli records in the flag's HasBeenSet (and nowhere else); with
// that cleared for the question, IsSet sees only the command line.
func onCommandLine(c *cli.Context, f cli.Flag) bool {
	var hasBeenSet *bool
	switch f := f.(type) {
	case *cli.StringFlag:
		hasBeenSet = &f.HasBeenSet
	case *cli.StringSliceFlag:
		hasBeenSet = &f.HasBeenSet
	case *cli.BoolFlag:
		hasBeenSet = &f.HasBeenSet
	case *cli.IntFlag:
		hasBeenSet = &f.HasBeenSet
	}
	if hasBeenSet != nil {
		saved := *hasBeenSet
		*hasBeenSet = false
		defer func() { *hasBeenSet = saved }()
	}
	for _, name := range f.Names() {
		if c.IsSet(name) {
			return true
		}
	}
	return false
}

// Set is the settings of one command, in the order of its flags. A
// command's Set is made afresh for each cli.Command: urfave/cli keeps
// state in its flags.
type Set struct {
	Settings []*Setting
	// Limits is the --limit setting, nil when the command has none.
	Limits *Limits
	// File is the config file that was read; its Path is "" for none.
	File File

	// values: whether the config file's values apply, or only its limits.
	values bool
}

// WithFileLimits is the settings of a command that takes the config file's
// limits and reading settings (strict) but none of its other values
// (sbom, inspect, explain).
func WithFileLimits(settings ...*Setting) *Set {
	return newSet(settings, false)
}

// WithFile is the settings of a command that takes every value of the
// config file for the flags not given (scan, config).
func WithFile(settings ...*Setting) *Set {
	return newSet(settings, true)
}

func newSet(settings []*Setting, values bool) *Set {
	s := &Set{Settings: settings, values: values}
	for _, st := range settings {
		if st.limits != nil {
			s.Limits = st.limits
		}
	}
	return s
}

// Flags are the command's flags, in order.
func (s *Set) Flags() []cli.Flag {
	flags := make([]cli.Flag, len(s.Settings))
	for i, st := range s.Settings {
		flags[i] = st.Flag
	}
	return flags
}

// Setting returns the setting called name, nil for none.
func (s *Set) Setting(name string) *Setting {
	for _, st := range s.Settings {
		if st.Name() == name {
			return st
		}
	}
	return nil
}

type setKey struct{}

// Load is the command's Before: it reads the config file, resolves every
// setting's origin, gives the config file's values to c for the flags not
// given (WithFile), and keeps the Set in c.Context for Loaded. The --limit values are checked later, by Limits.Resolve, in the
// order of the command's own checks.
func (s *Set) Load(c *cli.Context) error {
	if c.Context == nil {
		c.Context = context.Background()
	}
	c.Context = context.WithValue(c.Context, setKey{}, s)
	f, err := ReadFile(Path(c))
	if err != nil {
		return err
	}
	s.File = f
	for _, st := range s.Settings {
		if err := s.resolve(c, st); err != nil {
			return err
		}
	}
	if s.Limits != nil {
		s.Limits.file = s.File
	}
	return nil
}

func (s *Set) resolve(c *cli.Context, st *Setting) error {
	if o := st.given(c); o != "" {
		st.Origin = o
		return nil
	}
	st.Origin = Default
	if (!s.values && !st.reading) || s.File.Path == "" || st.file == nil {
		return nil
	}
	values := st.file(&s.File)
	if len(values) == 0 || values[0] == "" {
		return nil
	}
	for _, v := range values {
		if err := c.Set(st.Name(), v); err != nil {
			return fileError(s.File.Path, st.Key, err)
		}
	}
	st.Origin = ConfigFile(s.File.Path)
	return nil
}

// Loaded returns the Set that Load resolved for c's command, nil when
// Load did not run.
func Loaded(c *cli.Context) *Set {
	if c.Context == nil {
		return nil
	}
	s, _ := c.Context.Value(setKey{}).(*Set)
	return s
}
