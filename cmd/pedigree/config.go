package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/yamlerr"
)

// config is the --config file: defaults for scan's flags. A flag given on
// the command line or through its PEDIGREE_* variable wins over the file.
type config struct {
	Output     []string `yaml:"output"`
	FailOn     string   `yaml:"fail-on"`
	Signatures []string `yaml:"signatures"`
	Waivers    string   `yaml:"waivers"`
}

func applyConfig(c *cli.Context) error {
	path := c.String("config")
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, unwrapPath(err))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var cfg config
	if err := dec.Decode(&cfg); err != nil {
		return yamlerr.Wrap("config "+path, err)
	}
	set := func(name string, values ...string) error {
		if c.IsSet(name) || len(values) == 0 || values[0] == "" {
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
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
