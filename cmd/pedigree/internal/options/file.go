package options

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/yamlerr"
)

// File is the config file: defaults for scan's flags, and limits for
// every command that reads input. Its keys are those of the settings (see
// the constructors); any other key is an error naming the file and line.
type File struct {
	// Path is where it was read from, "" when there is none.
	Path string `yaml:"-"`

	Output     []string `yaml:"output"`
	FailOn     string   `yaml:"fail-on"`
	Signatures []string `yaml:"signatures"`
	Waivers    string   `yaml:"waivers"`
	// AllowIncomplete accepts targets some part of which was not inspected.
	AllowIncomplete bool `yaml:"allow-incomplete"`
	// Strict refuses SBOMs with tolerated defects (--strict).
	Strict bool `yaml:"strict"`
	// Platform is the platform of images named by reference (--platform).
	Platform string `yaml:"platform"`
	// Limits are NAME: VALUE, as --limit NAME=VALUE.
	Limits map[string]string `yaml:"limits"`
}

// ConfigName is the flag and EnvConfig the environment variable that name
// the config file.
const (
	ConfigName = "config"
	EnvConfig  = "PEDIGREE_CONFIG"
)

// Path finds the config file: --config (or PEDIGREE_CONFIG) when the
// command has that flag, else ./.pedigree.yaml, else pedigree/config.yaml
// in the user's config directory. It returns "" when there is none.
func Path(c *cli.Context) string {
	if p := c.String(ConfigName); p != "" {
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

// ReadFile reads the config file at path ("" reads nothing): unknown keys
// and bad limits are errors that name the file.
func ReadFile(path string) (File, error) {
	f := File{Path: path}
	if path == "" {
		return f, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("config %s: %w", path, fserr.Cause(err))
	}
	return f, f.decode(data)
}

func (f *File) decode(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil && !errors.Is(err, io.EOF) {
		return yamlerr.Wrap("config "+f.Path, err)
	}
	check := limits.Default()
	for _, name := range f.limitNames() {
		if err := check.SetValue(name, f.Limits[name]); err != nil {
			return fileError(f.Path, "limits", err)
		}
	}
	return nil
}

// limitNames are the names of the file's limits, sorted.
func (f *File) limitNames() []string {
	names := make([]string, 0, len(f.Limits))
	for name := range f.Limits {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// fileError is an error in the value of key in the config file at path.
func fileError(path, key string, err error) error {
	return fmt.Errorf("config %s: %s: %w", path, key, err)
}
