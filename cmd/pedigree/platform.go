package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/generate"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// platformOf checks --platform and returns it normalised ("" for none).
// Given on the command line it goes with images named by reference only:
// any other target is a usage error, since the platform would not apply
// to it. From PEDIGREE_PLATFORM or the config file it is a default for the
// image targets, and the others are read as they are (the generator gives
// the platform to images named by reference alone).
func platformOf(c *cli.Context, targets []string) (string, error) {
	p, err := generate.ParsePlatform(strings.TrimSpace(c.String("platform")))
	if err != nil {
		// Named as the user set it: the flag, PEDIGREE_PLATFORM or the
		// config file's platform:.
		if set := options.Loaded(c); set != nil && set.Setting("platform") != nil && set.Setting("platform").Origin != options.Flag {
			return "", usagef("platform from %s: %v", set.Setting("platform").Origin, err)
		}
		return "", usagef("--%v", err)
	}
	if p == "" {
		return "", nil
	}
	if set := options.Loaded(c); set != nil && set.Setting("platform") != nil && set.Setting("platform").Origin == options.Flag {
		for _, t := range targets {
			if !byReference(t) {
				return "", usagef("--platform %s applies only to images named by reference (registry:REF, docker:REF, podman:REF, or a reference such as ghcr.io/acme/app:1), not to %s", p, t)
			}
		}
	}
	return p, nil
}

// byReference reports whether a target is an image named by reference,
// the targets a platform applies to.
func byReference(target string) bool {
	if s, _, ok := source.Split(target); ok {
		return s.Remote()
	}
	return scan.ImageRef(target)
}
