package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/yamlerr"
)

// config is the --config file: defaults for scan's flags. A flag given on
// the command line or through its PEDIGREE_* variable wins over the file.
type config struct {
	Output     []string `yaml:"output"`
	FailOn     string   `yaml:"fail-on"`
	Signatures []string `yaml:"signatures"`
	Waivers    string   `yaml:"waivers"`
	// AllowIncomplete accepts targets some part of which was not inspected.
	AllowIncomplete bool `yaml:"allow-incomplete"`
	// Limits are NAME: VALUE, as --limit NAME=VALUE.
	Limits map[string]string `yaml:"limits"`
}

// configLimitsKey keeps the config file's limits, as NAME=VALUE, in the
// app's metadata for limitsOf: they apply before any --limit flag.
const configLimitsKey = "config-limits"

// configPath finds the config file: --config (or PEDIGREE_CONFIG), else
// ./.pedigree.yaml, else pedigree/config.yaml in the user's config
// directory. It returns "" when there is none.
func configPath(c *cli.Context) string {
	if p := c.String("config"); p != "" {
		return p
	}
	candidates := []string{".pedigree.yaml"}
	if dir, err := os.UserConfigDir(); err == nil {
		candidates = append(candidates, filepath.Join(dir, "pedigree", "config.yaml"))
	}
	for _, p := range candidates {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// readConfig reads the config file, if there is one, and keeps its
// limits (checked) for limitsOf. It returns the file's path, "" for none.
func readConfig(c *cli.Context) (config, string, error) {
	var cfg config
	path := configPath(c)
	if path == "" {
		return cfg, "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, path, fmt.Errorf("config %s: %w", path, unwrapPath(err))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, path, yamlerr.Wrap("config "+path, err)
	}
	names := make([]string, 0, len(cfg.Limits))
	for name := range cfg.Limits {
		names = append(names, name)
	}
	slices.Sort(names)
	var settings []string
	check := limits.Default()
	for _, name := range names {
		if err := check.SetValue(name, cfg.Limits[name]); err != nil {
			return cfg, path, fmt.Errorf("config %s: limits: %w", path, err)
		}
		settings = append(settings, name+"="+cfg.Limits[name])
	}
	c.App.Metadata[configLimitsKey] = settings
	return cfg, path, nil
}

// applyConfigLimits is the Before of the commands that take --limit but
// not scan's other settings (sbom, inspect, explain): only the config
// file's limits apply to them.
func applyConfigLimits(c *cli.Context) error {
	_, _, err := readConfig(c)
	return err
}

// applyConfig is scan's Before: the config file's limits, and its values
// for the flags not given.
func applyConfig(c *cli.Context) error {
	cfg, path, err := readConfig(c)
	if err != nil || path == "" {
		return err
	}
	set := func(name string, values ...string) error {
		if given(c, name) || len(values) == 0 || values[0] == "" {
			return nil
		}
		for _, v := range values {
			if err := c.Set(name, v); err != nil {
				return fmt.Errorf("config %s: %s: %w", path, name, err)
			}
		}
		return nil
	}
	for _, err := range []error{
		set("output", cfg.Output...), set("fail-on", cfg.FailOn),
		set("signatures", cfg.Signatures...), set("waivers", cfg.Waivers),
		set("allow-incomplete", boolString(cfg.AllowIncomplete)),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// boolString is "true" for true and "" (not set) for false.
func boolString(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// configCommand prints the settings scan would use, and where each comes
// from.
func configCommand() *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "print the effective scan settings and where each comes from",
		Description: "Settings come from flags, then PEDIGREE_* environment variables, then the config\n" +
			"file (--config, else ./.pedigree.yaml, else pedigree/config.yaml in the user config\n" +
			"directory), then the defaults.",
		Flags:  scanFlags(),
		Before: applyConfig,
		Action: func(c *cli.Context) error {
			path := configPath(c)
			w := c.App.Writer
			if path == "" {
				fmt.Fprintln(w, "# config file: none")
			} else {
				fmt.Fprintf(w, "# config file: %s\n", path)
			}
			for _, f := range scanFlags() {
				name := f.Names()[0]
				if name == "config" || name == "quiet" || name == "verbose" || name == "limit" {
					continue
				}
				origin := "default"
				if given(c, name) {
					origin = "flag, environment or config file"
				}
				var value string
				switch v := c.Value(name).(type) {
				case cli.StringSlice:
					value = "[" + strings.Join(v.Value(), ", ") + "]"
				default:
					value = fmt.Sprint(c.Value(name))
				}
				fmt.Fprintf(w, "%s: %s  # %s\n", name, value, origin)
			}
			lim, err := limitsOf(c)
			if err != nil {
				return err
			}
			fmt.Fprintln(w, "limits:")
			def := limits.Default()
			for _, m := range limits.All {
				origin := "default"
				if m.Get(&lim) != m.Get(&def) {
					origin = "set"
				}
				fmt.Fprintf(w, "  %s: %s  # %s; %s\n", m.Name, limits.Format(m.Get(&lim), m.Unit), origin, m.Doc)
			}
			return nil
		},
	}
}

// given reports whether a flag has a value from the command line or a
// non-empty environment variable (urfave/cli counts an empty variable as
// set, which would hide the config file).
func given(c *cli.Context, name string) bool {
	if !c.IsSet(name) {
		return false
	}
	switch v := c.Value(name).(type) {
	case string:
		return v != ""
	case cli.StringSlice:
		return len(v.Value()) > 0
	}
	return true
}
