package main

import (
	"github.com/urfave/cli/v2"
)

// reorderArgs lets flags go anywhere on the command line, as users of syft,
// grype and trivy type them: "pedigree scan sbom.json -o json".
//
// urfave/cli, like Go's flag package, stops reading flags at the first
// positional argument, so it would take "-o" and "json" as two more targets.
// reorderArgs rewrites args (args[0] is the program name) before app.Run,
// for every command alike, from the commands' own cli.Flag lists:
//
//   - It follows the command names in args down the App's command tree to
//     the command that runs (the leaf): "signatures show".
//   - Every flag after the leaf's name, with its value, is moved in front of
//     the leaf's positional arguments. Flags keep their order, and so do
//     positionals. Whether a flag takes a value comes from the leaf's flag
//     of that name or alias (booleans never do); "--flag=value" and
//     "-f=value" are one argument.
//   - Flags typed before the command name apply to the command: "pedigree -v
//     scan x" is "pedigree scan -v x", and "pedigree --version scan x" is a
//     usage error, as scan has no --version. Only a flag that needs no
//     separate value ("-v", "--fail-on=none") can go there.
//   - "--" ends the flags: everything after it stays positional, and "--" is
//     kept in front of the positionals, so "pedigree scan -- -o" scans a file
//     named -o. A lone "-" (standard input) is a positional.
//   - An unknown flag is moved as one argument, and urfave/cli then refuses
//     it as usual ("flag provided but not defined").
//
// A command with subcommands has no flags of its own (TestArgsTree), so a
// flag always belongs to the leaf. Shell completion, which urfave/cli reads
// from the last argument, is left as typed, as is a line whose command is
// not known (the usage error names it).
func reorderArgs(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 || app.SkipFlagParsing {
		return args, nil
	}
	if app.EnableBashCompletion && args[len(args)-1] == "--generate-bash-completion" {
		return args, nil
	}
	out := []string{args[0]}
	flags, subs := app.Flags, app.Commands
	var early []string // flags before the leaf's name
	rest := args[1:]
	for len(rest) > 0 && len(subs) > 0 {
		a := rest[0]
		switch {
		case a == "--":
			return args, nil
		case isFlag(a):
			early = append(early, a)
		default:
			cmd := findCommand(subs, a)
			if cmd == nil {
				return args, nil // an unknown command: report it as typed
			}
			if cmd.SkipFlagParsing {
				return args, nil
			}
			out = append(out, a)
			flags, subs = cmd.Flags, cmd.Subcommands
		}
		rest = rest[1:]
	}

	moved := make([]string, 0, len(args))
	for _, a := range early {
		if name, inline := flagName(a); !inline && takesValue(flags, name) {
			return nil, usagef("flag %s takes a value: give it after the command name, as %s VALUE or %s=VALUE", a, a, a)
		}
		moved = append(moved, a)
	}
	var positional []string
	dashdash := false
args:
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			dashdash = true
			positional = append(positional, rest[i+1:]...)
			break args
		case !isFlag(a):
			positional = append(positional, a)
		default:
			moved = append(moved, a)
			if name, inline := flagName(a); !inline && takesValue(flags, name) {
				if i+1 == len(rest) {
					return nil, usagef("flag needs an argument: %s", a)
				}
				i++
				moved = append(moved, rest[i])
			}
		}
	}
	out = append(out, moved...)
	if dashdash {
		out = append(out, "--")
	}
	return append(out, positional...), nil
}

// isFlag tells whether a is a flag to Go's flag package: it starts with a
// dash and is not "-" (standard input) or "--" (the end of flags).
func isFlag(a string) bool {
	return len(a) > 1 && a[0] == '-' && a != "--"
}

// flagName returns the name in a flag argument, as Go's flag package reads
// it ("-o", "--output", "-o=json", "--output=json"), and whether the value
// is in the same argument. A malformed flag ("---x", "-=x") has no name.
func flagName(a string) (name string, inline bool) {
	name = a[1:]
	if name != "" && name[0] == '-' {
		name = name[1:]
	}
	if name == "" || name[0] == '-' || name[0] == '=' {
		return "", false
	}
	for i := 1; i < len(name); i++ {
		if name[i] == '=' {
			return name[:i], true
		}
	}
	return name, false
}

// takesValue tells whether the flag called name (or an alias) takes a value.
// An unknown flag is read as a boolean: one argument, refused later.
func takesValue(flags []cli.Flag, name string) bool {
	if name == "" {
		return false
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if v, ok := f.(interface{ TakesValue() bool }); ok {
				return v.TakesValue()
			}
			return true // Go's flag package: only booleans take no value
		}
	}
	return false
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// leafHelpOff turns off urfave/cli's help subcommand on every command that
// has no subcommands of its own, so that all its positional arguments are
// its arguments: "pedigree scan help" scans a file named help, where
// urfave/cli would print scan's help and exit 0, a passed gate. Commands
// with subcommands keep it ("pedigree signatures help show"); --help and -h
// work everywhere.
func leafHelpOff(cmds []*cli.Command) []*cli.Command {
	for _, c := range cmds {
		if len(c.Subcommands) == 0 {
			c.HideHelpCommand = true
		} else {
			leafHelpOff(c.Subcommands)
		}
	}
	return cmds
}
