package main

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestArgsReorder(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		// Nothing to move.
		{"", ""},
		{"scan x.json", "scan x.json"},
		{"scan -o json x.json", "scan -o json x.json"},
		{"completion bash", "completion bash"},

		// Value flags after targets take their value with them.
		{"scan x.json -o json", "scan -o json x.json"},
		{"scan x.json --fail-on none", "scan --fail-on none x.json"},
		{"scan x.json --output json", "scan --output json x.json"},
		{"scan x.json -j 2", "scan -j 2 x.json"},
		// A value in the same argument.
		{"scan x.json --fail-on=none", "scan --fail-on=none x.json"},
		{"scan x.json -o=json", "scan -o=json x.json"},
		{"scan x.json --output=json=r.json", "scan --output=json=r.json x.json"},
		// Repeated flags, and flags on both sides, keep their order, and so
		// do targets.
		{"scan a -o json=a.json b -o sarif=b.sarif c", "scan -o json=a.json -o sarif=b.sarif a b c"},
		{"scan --fail-on low a b -o json -q", "scan --fail-on low -o json -q a b"},
		// Booleans take no value: the next argument stays a target.
		{"scan x.json -q y.json", "scan -q x.json y.json"},
		{"scan x.json --quiet -v", "scan --quiet -v x.json"},
		{"scan x.json -q=false y.json", "scan -q=false x.json y.json"},
		{"scan x.json -h", "scan -h x.json"},
		// A value flag takes the next argument, whatever it looks like, as
		// Go's flag package does.
		{"scan x.json -o --fail-on", "scan -o --fail-on x.json"},
		{"scan x.json --fail-on -", "scan --fail-on - x.json"},
		// - is standard input: a target.
		{"scan - -o json", "scan -o json -"},
		{"inspect - -o json", "inspect -o json -"},
		// -- ends the flags: what follows stays a target, and -- is kept.
		{"scan -- -o", "scan -- -o"},
		{"scan x.json -- -o json", "scan -- x.json -o json"},
		{"scan x.json -q -- --fail-on none", "scan -q -- x.json --fail-on none"},
		{"scan -o json x.json --", "scan -o json -- x.json"},
		// Unknown flags are moved as one argument, to be refused.
		{"scan x.json --bogus", "scan --bogus x.json"},
		{"scan x.json --bogus value", "scan --bogus x.json value"},
		{"scan x.json ---o json", "scan ---o x.json json"},
		// Every command, by its own flags.
		{"sbom dir -o spdx-json -q", "sbom -o spdx-json -q dir"},
		{"inspect bom.json -o json", "inspect -o json bom.json"},
		{"explain PDG-1 a.json --waivers w.yaml b.json", "explain --waivers w.yaml PDG-1 a.json b.json"},
		{"explain KL-VENDOR-001 --signatures dir", "explain --signatures dir KL-VENDOR-001"},
		{"config --fail-on low -o json", "config --fail-on low -o json"},
		{"version --signatures dir", "version --signatures dir"},
		{"version extra --signatures dir", "version --signatures dir extra"},
		// Subcommands.
		{"signatures show KL-VENDOR-001 --signatures dir", "signatures show --signatures dir KL-VENDOR-001"},
		{"signatures list --signatures=dir", "signatures list --signatures=dir"},
		{"signatures validate a.yaml -h b.yaml", "signatures validate -h a.yaml b.yaml"},
		{"signatures bundle dir -o pack.tgz --key k.key", "signatures bundle -o pack.tgz --key k.key dir"},
		{"signatures update --from pack.tgz --signature pack.sig", "signatures update --from pack.tgz --signature pack.sig"},
		{"signatures update extra --from pack.tgz", "signatures update --from pack.tgz extra"},
		// Flags before the command name apply to the command.
		{"-v scan x.json", "scan -v x.json"},
		{"-v scan x.json -o json", "scan -v -o json x.json"},
		{"--fail-on=none scan x.json", "scan --fail-on=none x.json"},
		{"--version scan x.json", "scan --version x.json"},
		{"-h scan", "scan -h"},
		{"signatures --signatures=dir show ID", "signatures show --signatures=dir ID"},
		{"signatures show -q ID", "signatures show -q ID"},
		// No command: the program's own flags.
		{"--version", "--version"},
		{"-v", "-v"},
		{"--help", "--help"},
		// An unknown command, -- before the command and shell completion
		// are left as typed.
		{"frobnicate -v", "frobnicate -v"},
		{"-v frobnicate x -o json", "-v frobnicate x -o json"},
		{"-- scan x -o json", "-- scan x -o json"},
		{"scan x.json -o --generate-bash-completion", "scan x.json -o --generate-bash-completion"},
		{"scan x.json --generate-bash-completion", "scan x.json --generate-bash-completion"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := reorderArgs(newApp(io.Discard, io.Discard), words(tc.in))
			if err != nil {
				t.Fatalf("reorderArgs: %v", err)
			}
			if want := words(tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestArgsReorderErrors(t *testing.T) {
	for _, tc := range []struct {
		in, err string
	}{
		// A value flag with no value left: it must not take a target.
		{"scan x.json -o", "flag needs an argument: -o"},
		{"scan x.json --fail-on", "flag needs an argument: --fail-on"},
		{"signatures show ID --signatures", "flag needs an argument: --signatures"},
		// Before the command name, a value flag would take the command
		// name or nothing.
		{"-o scan x.json", "flag -o takes a value: give it after the command name, as -o VALUE or -o=VALUE"},
		{"--fail-on scan x.json", "flag --fail-on takes a value"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := reorderArgs(newApp(io.Discard, io.Discard), words(tc.in))
			if err == nil {
				t.Fatalf("got %q, want an error", got)
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %q, want %q", err, tc.err)
			}
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Errorf("error %q is not a usage error", err)
			}
		})
	}
}

// TestArgsTree checks what reorderArgs assumes of the command tree: a
// command with subcommands has no flags of its own, so every flag belongs
// to the command that runs.
func TestArgsTree(t *testing.T) {
	var walk func(path string, cmds []*cli.Command)
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := path + " " + c.Name
			if len(c.Subcommands) > 0 && len(c.Flags) > 0 {
				t.Errorf("%s has subcommands and flags of its own: reorderArgs would give its flags to the subcommand", p)
			}
			if c.SkipFlagParsing {
				t.Errorf("%s skips flag parsing: reorderArgs leaves it alone; say so in its help", p)
			}
			walk(p, c.Subcommands)
		}
	}
	walk("pedigree", newApp(io.Discard, io.Discard).Commands)
}

// TestArgsVersion: -v is verbose, never the version, and the version flag
// has no short form.
func TestArgsVersion(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	for _, f := range app.Flags {
		for _, n := range f.Names() {
			if n == "v" {
				t.Errorf("the program has a -v flag (%q): -v is the commands' --verbose", f.Names())
			}
		}
	}
	var stdout, stderr strings.Builder
	if code := run([]string{"pedigree", "--version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "pedigree version ") {
		t.Errorf("pedigree --version: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"pedigree", "--version", "scan", "x.json"}, &stdout, &stderr); code != exitError || strings.Contains(stdout.String(), "pedigree version") {
		t.Errorf("pedigree --version scan x.json: exit %d, stdout %q, stderr %q; want a usage error", code, stdout.String(), stderr.String())
	}
}

func words(s string) []string {
	return append([]string{"pedigree"}, strings.Fields(s)...)
}
