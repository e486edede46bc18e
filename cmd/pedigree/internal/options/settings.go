package options

import (
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/pkg/limits"
)

// The environment variables, one per setting that has one.
const (
	EnvOutput          = "PEDIGREE_OUTPUT"
	EnvFailOn          = "PEDIGREE_FAIL_ON"
	EnvAllowIncomplete = "PEDIGREE_ALLOW_INCOMPLETE"
	EnvSignatures      = "PEDIGREE_SIGNATURES"
	EnvWaivers         = "PEDIGREE_WAIVERS"
	EnvLimit           = "PEDIGREE_LIMIT"
	EnvFrom            = "PEDIGREE_FROM"
	EnvJobs            = "PEDIGREE_JOBS"
	EnvFullPaths       = "PEDIGREE_FULL_PATHS"
	EnvStrict          = "PEDIGREE_STRICT"
	EnvPlatform        = "PEDIGREE_PLATFORM"
)

// Usage text that several commands share.
const (
	// AlsoLoad is the usage of --signatures on the commands that only
	// read rules (explain, version, signatures list and show).
	AlsoLoad = "also load this rule file or directory, repeatable"
)

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func boolString(b bool) []string {
	if b {
		return []string{"true"}
	}
	return nil
}

// Output is the report concern's -o/--output (PEDIGREE_OUTPUT, output: in
// the config file): FORMAT[=FILE], repeatable. usage names the formats.
func Output(usage string) *Setting {
	return &Setting{
		Flag: &cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, EnvVars: []string{EnvOutput}, Usage: usage},
		Key:  "output", file: func(f *File) []string { return f.Output },
	}
}

// LocalOutput is the -o/--output of a command with one output of its own
// (sbom, inspect): no environment variable, no config key.
func LocalOutput(value, usage string) *Setting {
	return &Setting{Flag: &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: value, Usage: usage}}
}

// Quiet is -q/--quiet, with the command's own usage.
func Quiet(usage string) *Setting {
	return &Setting{Flag: &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: usage}}
}

// Verbose is -v/--verbose.
func Verbose() *Setting {
	return &Setting{Flag: &cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say on standard error what is being read and loaded"}}
}

// FullPaths is scan's --full-paths (PEDIGREE_FULL_PATHS).
func FullPaths() *Setting {
	return &Setting{Flag: &cli.BoolFlag{Name: "full-paths", EnvVars: []string{EnvFullPaths},
		Usage: "show every step of each finding's path from the product root; by default a path of more than 9 steps shows its first 4 and last 4 and how many were left out"}}
}

// LocalFullPaths is the --full-paths of a command that takes no
// environment variable for it (inspect), with its own usage.
func LocalFullPaths(usage string) *Setting {
	return &Setting{Flag: &cli.BoolFlag{Name: "full-paths", Usage: usage}}
}

// FailOn is the gate's --fail-on (PEDIGREE_FAIL_ON, fail-on:).
func FailOn() *Setting {
	return &Setting{
		Flag: &cli.StringFlag{Name: "fail-on", Value: "high", EnvVars: []string{EnvFailOn},
			Usage: "fail (exit 1) on a finding of this severity or above: none, info, low, medium, high, critical"},
		Key: "fail-on", file: func(f *File) []string { return one(f.FailOn) },
	}
}

// AllowIncomplete is the gate's --allow-incomplete
// (PEDIGREE_ALLOW_INCOMPLETE, allow-incomplete:).
func AllowIncomplete() *Setting {
	return &Setting{
		Flag: &cli.BoolFlag{Name: "allow-incomplete", EnvVars: []string{EnvAllowIncomplete},
			Usage: "accept a target some part of which could not be inspected (a limit, an unreadable nested archive): its gaps become warnings instead of the verdict incomplete (exit 2)"},
		Key: "allow-incomplete", file: func(f *File) []string { return boolString(f.AllowIncomplete) },
	}
}

// Strict is --strict (PEDIGREE_STRICT, strict:), on every command that
// reads SBOMs: an SPDX 2 defect that is otherwise read through with a
// warning (docs/ingest.md, "Tolerated defects") is an error. Like the
// limits, the config file's value applies to every such command.
func Strict() *Setting {
	return &Setting{
		Flag: &cli.BoolFlag{Name: "strict", EnvVars: []string{EnvStrict},
			Usage: "refuse an SBOM with a defect that is otherwise read through with a warning (an SPDX element id without SPDXRef-, a supplier without Organization: or Person:, bare-CR line ends, an unknown tag-value tag): exit 2 naming the defect"},
		Key: "strict", file: func(f *File) []string { return boolString(f.Strict) }, reading: true,
	}
}

// Signatures is --signatures (PEDIGREE_SIGNATURES, signatures:): rule
// files or directories on top of the embedded packs, with the command's
// own usage.
func Signatures(usage string) *Setting {
	return &Setting{
		Flag: &cli.StringSliceFlag{Name: "signatures", EnvVars: []string{EnvSignatures}, Usage: usage},
		Key:  "signatures", file: func(f *File) []string { return f.Signatures },
	}
}

// Waivers is --waivers (PEDIGREE_WAIVERS, waivers:), with the command's
// own usage.
func Waivers(usage string) *Setting {
	return &Setting{
		Flag: &cli.StringFlag{Name: "waivers", EnvVars: []string{EnvWaivers}, Usage: usage},
		Key:  "waivers", file: func(f *File) []string { return one(f.Waivers) },
	}
}

// Platform is --platform OS/ARCH[/VARIANT] (PEDIGREE_PLATFORM, platform:):
// the image to read from a multi-platform image named by reference.
func Platform() *Setting {
	return &Setting{
		Flag: &cli.StringFlag{Name: "platform", EnvVars: []string{EnvPlatform},
			Usage: "read this platform's image, OS/ARCH[/VARIANT] (linux/arm64, linux/arm/v7), from an image named by reference (registry:, docker:, podman: or a bare reference); default linux on this machine's architecture"},
		Key: "platform", file: func(f *File) []string { return one(f.Platform) },
	}
}

// From is scan's --from (PEDIGREE_FROM): lists of targets.
func From() *Setting {
	return &Setting{Flag: &cli.StringSliceFlag{Name: "from", EnvVars: []string{EnvFrom},
		Usage: "read more targets from this list file (one per line, # comments; - for standard input), repeatable"}}
}

// Config is --config (PEDIGREE_CONFIG): the config file.
func Config() *Setting {
	return &Setting{Flag: &cli.StringFlag{Name: ConfigName, EnvVars: []string{EnvConfig},
		Usage: "YAML file with defaults for these flags (output, fail-on, signatures, waivers)"}}
}

// Jobs is scan's -j/--jobs (PEDIGREE_JOBS).
func Jobs() *Setting {
	return &Setting{Flag: &cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: min(4, runtime.GOMAXPROCS(0)), EnvVars: []string{EnvJobs},
		Usage: "targets read at once; each holds one document in memory"}}
}

// Limit is --limit NAME=VALUE (PEDIGREE_LIMIT, limits: in the config
// file), on every command that reads input.
func Limit() *Setting {
	s := &Setting{
		Flag: &cli.StringSliceFlag{Name: "limit", EnvVars: []string{EnvLimit},
			Usage: "set a bound on the input, NAME=VALUE, repeatable: " + strings.Join(limits.Names(), ", ") + " (see pedigree config)"},
		Key: "limits",
	}
	s.limits = &Limits{Setting: s}
	return s
}
