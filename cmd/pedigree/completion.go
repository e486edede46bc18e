package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// bashCompletion asks pedigree itself for the words that can follow, with
// urfave/cli's --generate-bash-completion flag; a word being typed that
// starts with a dash is passed too, so that flags complete. zsh reads it
// through bashcompinit.
const bashCompletion = `# pedigree completion for bash and zsh:
#   source <(pedigree completion bash)      # or: pedigree completion zsh
_pedigree_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  if [[ "${cur}" == -* ]]; then
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "${cur}" --generate-bash-completion 2>/dev/null)
  else
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "${words}" -- "${cur}"))
  return 0
}
complete -o bashdefault -o default -F _pedigree_complete pedigree
`

// shells are the shells completionCommand writes a script for.
var shells = []string{"bash", "zsh", "fish"}

func completionCommand() *cli.Command {
	return &cli.Command{
		Name: "completion",
		BashComplete: func(c *cli.Context) {
			if c.NArg() == 0 {
				completeWords(c.App.Writer, c.Command, os.Args, shells)
			}
		},
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "SHELL",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion takes one shell: bash, zsh or fish")
			}
			w := c.App.Writer
			switch shell := c.Args().First(); shell {
			case "bash":
				_, err := io.WriteString(w, bashCompletion)
				return err
			case "zsh":
				_, err := io.WriteString(w, "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"+bashCompletion)
				return err
			case "fish":
				script, err := c.App.ToFishCompletion()
				if err != nil {
					return fmt.Errorf("fish completion: %w", err)
				}
				if !strings.HasSuffix(script, "\n") {
					script += "\n"
				}
				_, err = io.WriteString(w, script)
				return err
			default:
				return usagef("unknown shell %q (want bash, zsh or fish)", shell)
			}
		},
	}
}

// withCompletion gives every command without a completion of its own
// (and its subcommands) completeCommand: the values of --fail-on and of
// the report's -o, and the command's flags.
func withCompletion(cmds []*cli.Command) []*cli.Command {
	for _, c := range cmds {
		if c.BashComplete == nil {
			cmd := c
			c.BashComplete = func(ctx *cli.Context) {
				var subs []string
				for _, s := range cmd.Subcommands {
					if !s.Hidden {
						subs = append(subs, s.Name)
					}
				}
				completeWords(ctx.App.Writer, cmd, os.Args, subs)
			}
		}
		withCompletion(c.Subcommands)
	}
	return cmds
}

// completeWords prints, one a line, the words that may follow args (the
// command line up to --generate-bash-completion, os.Args as urfave/cli
// reads it): after a flag that takes a value, its values if they are a
// known few (none for a file name: the shell completes it); after a word
// that starts with a dash, the command's flags that begin with it; else
// words (subcommands, shells), and nothing for a file argument.
func completeWords(w io.Writer, cmd *cli.Command, args []string, words []string) {
	if n := len(args); n > 0 && args[n-1] == "--generate-bash-completion" {
		args = args[:n-1]
	}
	last := ""
	if len(args) > 1 {
		last = args[len(args)-1]
	}
	if isFlag(last) || last == "-" { // "-": a flag begun
		name, inline := "", false
		if last != "-" {
			name, inline = flagName(last)
		}
		if !inline && takesValue(cmd.Flags, name) {
			for _, v := range flagValues(cmd.Flags, name) {
				fmt.Fprintln(w, v)
			}
			return
		}
		if !inline {
			for _, f := range flagWords(cmd.Flags) {
				if strings.HasPrefix(f, last) {
					fmt.Fprintln(w, f)
				}
			}
			return
		}
	}
	for _, word := range words {
		fmt.Fprintln(w, word)
	}
}

// flagValues are the values a flag takes, when they are a known few.
func flagValues(flags []cli.Flag, name string) []string {
	for _, f := range flags {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		switch {
		case f.Names()[0] == "fail-on":
			vals := []string{"none"}
			for _, s := range signature.Severities {
				vals = append(vals, string(s))
			}
			return vals
		case isReportOutput(f):
			var vals []string
			for _, format := range report.AllFormats() {
				vals = append(vals, string(format))
			}
			return vals
		}
	}
	return nil
}

// isReportOutput tells the report's -o/--output (scan's, read from
// PEDIGREE_OUTPUT) from another command's -o, which names a file.
func isReportOutput(f cli.Flag) bool {
	sf, ok := f.(*cli.StringSliceFlag)
	return ok && sf.Name == "output" && slices.Contains(sf.EnvVars, options.EnvOutput)
}

// flagWords are the flags as typed: --name for a long name, -n for a
// one-letter alias; help flags included.
func flagWords(flags []cli.Flag) []string {
	var out []string
	for _, f := range flags {
		if bf, ok := f.(*cli.BoolFlag); ok && bf.Hidden {
			continue
		}
		for _, n := range f.Names() {
			if len(n) == 1 {
				out = append(out, "-"+n)
			} else {
				out = append(out, "--"+n)
			}
		}
	}
	return out
}
