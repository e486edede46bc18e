package main

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
)

// Set by the release build (see .goreleaser.yaml).
var (
	version = ""
	commit  = ""
)

// Exit codes: the CLI contract in docs/DESIGN.md.
const (
	// exitOK: the gate passed.
	exitOK = 0
	// exitFindings: at least one finding at or above --fail-on.
	exitFindings = 1
	// exitError: usage error, unreadable or invalid input, nothing evaluated.
	exitError = 2
)

// usageError marks an error in how pedigree was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// run is the whole program; main only exits with its result. Tests call it
// in-process.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	args, err := reorderArgs(app, args)
	if err == nil {
		err = app.RunContext(appContext, args)
	}
	code := exitCode(err)
	if err != nil && code == exitError {
		fmt.Fprintf(stderr, "pedigree: error: %s\n", oneLine(err.Error()))
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "pedigree: hint: run 'pedigree --help' for usage")
		}
	}
	return code
}

// exitCode maps an outcome to the contract's exit codes. Anything that is
// not a pass or a gate failure is an error: an input that cannot be
// evaluated never passes silently.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	}
	return exitError
}

// errFindings is returned by scan when the gate fails; the report has been
// written already.
var errFindings = errors.New("findings at or above the --fail-on severity")

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "pedigree",
		Usage: "find software made by a prohibited vendor inside a product, under any brand",
		Description: "pedigree reads a product's SBOM (CycloneDX, SPDX or syft JSON), or generates one\n" +
			"from a directory, file, archive or image archive and reads every file in it, and flags\n" +
			"every component made by Kaspersky, under any brand, with its evidence, the rules that\n" +
			"matched, and the path from the product root.",
		Version: versionString(),
		// urfave/cli's own --version has the alias -v, which pedigree's
		// commands use for --verbose: "pedigree -v scan x" must scan, not
		// print the version and pass. So --version is pedigree's own flag,
		// with no short form, read only when no command follows; before a
		// command, reorderArgs hands it to the command, which refuses it.
		HideVersion: true,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "version", Usage: "print the version", DisableDefaultText: true},
		},
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed once, by run, and mapped to exit codes there:
		// urfave/cli must neither print them nor exit the process.
		ExitErrHandler:       func(*cli.Context, error) {},
		HideHelpCommand:      true,
		EnableBashCompletion: true,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &usageError{err.Error()}
		},
		Commands: withCompletion(leafHelpOff([]*cli.Command{
			scanCommand(),
			sbomCommand(),
			inspectCommand(),
			signaturesCommand(),
			explainCommand(),
			configCommand(),
			completionCommand(),
			versionCommand(),
			serveCommand(),
			submitCommand(),
		})),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("unknown command %q", c.Args().First())
			}
			if c.Bool("version") {
				cli.ShowVersion(c)
				return nil
			}
			return cli.ShowAppHelp(c)
		},
	}
}

func versionString() string {
	v, c := version, commit
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	if c != "" {
		return v + " (" + c + ")"
	}
	return v
}

// limitsOf returns the limits of c's command (options.Limits.Resolve):
// the defaults, then the config file's, then --limit or PEDIGREE_LIMIT. A
// bad --limit is a usage error.
func limitsOf(c *cli.Context) (limits.Limits, error) {
	l, _, err := resolveLimits(c)
	return l, err
}

// ingestOptions are how c's command reads SBOMs: the SBOM limits of lim
// and --strict (false on a command without it).
func ingestOptions(c *cli.Context, lim limits.Limits) ingest.Options {
	return ingest.Options{Ingest: lim.Ingest, Strict: c.Bool("strict")}
}

// resolveLimits is limitsOf with the origin of each limit, by name.
func resolveLimits(c *cli.Context) (limits.Limits, map[string]options.Origin, error) {
	set := options.Loaded(c)
	if set == nil || set.Limits == nil {
		return limits.Default(), nil, fmt.Errorf("internal error: command %q has no --limit", c.Command.Name)
	}
	l, origins, err := set.Limits.Resolve(c)
	var ue *options.UsageError
	if errors.As(err, &ue) {
		return l, origins, usagef("%s", ue.Msg)
	}
	return l, origins, err
}
