package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/sigpack"
)

func signaturesCommand() *cli.Command {
	extra := options.Signatures(options.AlsoLoad).Flag
	return &cli.Command{
		Name:  "signatures",
		Usage: "list, show and validate signature rules",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the rules in force",
				Flags: []cli.Flag{extra},
				Action: func(c *cli.Context) error {
					if c.NArg() > 0 {
						return usagef("signatures list takes no arguments")
					}
					eng, err := loadEngine(c.StringSlice("signatures"))
					if err != nil {
						return err
					}
					return listRules(c.App.Writer, eng.Set())
				},
			},
			{
				Name:      "show",
				Usage:     "show one rule: its patterns, references and examples",
				ArgsUsage: "ID",
				Flags:     []cli.Flag{extra},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usagef("signatures show takes one rule id")
					}
					eng, err := loadEngine(c.StringSlice("signatures"))
					if err != nil {
						return err
					}
					r := eng.Set().Rule(c.Args().First())
					if r == nil {
						return fmt.Errorf("no rule %q (see pedigree signatures list)", c.Args().First())
					}
					return showRule(c.App.Writer, r)
				},
			},
			{
				Name:      "validate",
				Usage:     "check rule files: format, patterns, ids, and every example",
				ArgsUsage: "PATH...",
				Description: "Loads each rule file or directory strictly on top of the embedded packs,\n" +
					"reports every problem as FILE:LINE: message, and runs every rule's examples.",
				Action: validate,
			},
			updateCommand(),
			{
				Name:  "remove",
				Usage: "remove the installed signature pack and use the built-in one",
				Action: func(c *cli.Context) error {
					store, err := packStore()
					if err != nil {
						return err
					}
					removed, err := store.Remove()
					if err != nil {
						return err
					}
					if !removed {
						_, err = fmt.Fprintf(c.App.Writer, "no signature pack is installed in %s; the built-in pack is in force\n", store.Dir)
						return err
					}
					_, err = fmt.Fprintf(c.App.Writer, "removed the installed signature pack from %s\n", store.Dir)
					return err
				},
			},
			{
				Name:      "keygen",
				Usage:     "make a key pair to sign signature packs (for maintainers)",
				ArgsUsage: "PREFIX",
				Description: "Writes PREFIX.key (the private key, mode 0600: keep it offline) and PREFIX.pub.\n" +
					"A release that should accept packs signed with it embeds PREFIX.pub as\n" +
					"signatures/keys/ID.pub.",
				Action: keygen,
			},
			{
				Name:      "bundle",
				Usage:     "bundle and sign the rule files of a directory (for maintainers)",
				ArgsUsage: "DIR",
				Description: "Writes the top-level *.yaml files of DIR, which must share one version, as a\n" +
					"reproducible gzip'd tar (--output) and its signature (--output plus .sig),\n" +
					"after checking every rule and its examples.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "key", Required: true, Usage: "private key file (from signatures keygen)"},
					&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Required: true, Usage: "bundle file to write; the signature goes beside it as FILE.sig"},
				},
				Action: bundle,
			},
		},
	}
}

func listRules(w io.Writer, set *signature.Set) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tENTITY\tTITLE")
	for _, r := range set.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Entity, r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d rules from %s, version %s (%s)\n", len(set.Rules), plural(len(set.Packs), "pack"), set.Version(), set.Digest)
	return err
}

func showRule(w io.Writer, r *signature.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", r.ID, r.Title)
	fmt.Fprintf(&b, "  entity:    %s\n  category:  %s\n  severity:  %s\n  source:    %s\n", r.Entity, r.Category, r.Severity, r.Source)
	if r.Description != "" {
		fmt.Fprintf(&b, "  description:\n    %s\n", strings.Join(strings.Fields(r.Description), " "))
	}
	b.WriteString("  match:\n")
	blocks := []signature.Match{r.Match}
	if r.Composite() {
		// A composite rule: every block must match, within its scope.
		scope := r.Scope
		if scope == "" {
			scope = signature.ScopeComponent
		}
		fmt.Fprintf(&b, "    all of these blocks, within one %s (levels %d):\n", scope, r.SubtreeLevels())
		blocks = r.All
	}
	indent := "    "
	for i, m := range blocks {
		if r.Composite() {
			fmt.Fprintf(&b, "    all[%d]:\n", i)
			indent = "      "
		}
		for _, k := range []struct {
			name string
			vals []string
		}{
			{"names", m.Names}, {"products", m.Products}, {"mentions", m.Mentions}, {"purls", m.PURLs},
			{"cpes", m.CPEs}, {"hashes", m.Hashes}, {"filenames", m.Filenames}, {"paths", m.Paths},
			{"domains", m.Domains}, {"signers", m.Signers}, {"javaPackages", m.JavaPackages}, {"content", m.Content},
			{"services", m.Services},
		} {
			for _, v := range k.vals {
				fmt.Fprintf(&b, "%s%-13s %s\n", indent, k.name, v)
			}
		}
	}
	b.WriteString("  references:\n")
	for _, ref := range r.References {
		fmt.Fprintf(&b, "    - %s\n", ref)
	}
	fmt.Fprintf(&b, "  examples: %d must match, %d must not\n", len(r.Examples.Match), len(r.Examples.NoMatch))
	_, err := io.WriteString(w, b.String())
	return err
}

func updateCommand() *cli.Command {
	return &cli.Command{
		Name:      "update",
		Usage:     "install a newer signature pack, if its signature verifies",
		ArgsUsage: " ",
		Description: "Reads a pack bundle and its signature (the same name plus .sig) from a file or an\n" +
			"http(s) URL, and installs it only if the signature verifies against a key compiled\n" +
			"into this pedigree, every rule and example checks, and its version is newer than\n" +
			"the pack in force. The installed pack is verified again every time it is loaded.\n" +
			"It goes to PEDIGREE_SIGNATURES_DIR, else pedigree/signatures in the user config\n" +
			"directory.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Required: true, Usage: "pack bundle: a file or an http(s) URL"},
			&cli.StringFlag{Name: "signature", Usage: "signature file, when it is not FROM.sig"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("signatures update takes no arguments (give the pack with --from)")
			}
			src := c.String("from")
			bundle, sig, err := sigpack.Fetch(c.Context, src)
			if err != nil {
				return err
			}
			if p := c.String("signature"); p != "" {
				if sig, err = os.ReadFile(p); err != nil {
					return fmt.Errorf("read signature %s: %w", p, fserr.Cause(err))
				}
			}
			keys, err := trustedKeys()
			if err != nil {
				return err
			}
			in, err := sigpack.Check(bundle, sig, keys)
			if err != nil {
				return fmt.Errorf("signature pack %s refused: %w", src, err)
			}
			eng, err := compile(in.Layer, nil)
			if err != nil {
				return fmt.Errorf("signature pack %s refused: %w", src, err)
			}
			current, err := loadBase()
			if err != nil {
				// The installed pack no longer verifies: a good pack replaces it.
				fmt.Fprintf(c.App.ErrWriter, "pedigree: warning: %v\n", err)
				current, _ = embeddedBase()
			}
			switch cmp := sigpack.CompareVersions(in.Version, current.Version); {
			case cmp == 0 && current.Installed != nil && current.Installed.SHA256 == in.SHA256:
				_, err := fmt.Fprintf(c.App.Writer, "signature pack %s is already installed\n", in.Version)
				return err
			case cmp <= 0:
				return fmt.Errorf("signature pack %s refused: version %s is not newer than the pack in force (%s)", src, in.Version, current.Version)
			}
			store, err := packStore()
			if err != nil {
				return err
			}
			if err := store.Install(bundle, sig); err != nil {
				return err
			}
			set := eng.Set()
			_, err = fmt.Fprintf(c.App.Writer, "installed signature pack %s (%d rules, %s), signed by %s, in %s\n",
				in.Version, len(set.Rules), set.Digest, in.KeyID, store.Dir)
			return err
		},
	}
}

func keygen(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("signatures keygen takes one PREFIX")
	}
	prefix := c.Args().First()
	pub, priv, err := sigpack.GenerateKey()
	if err != nil {
		return err
	}
	if err := os.WriteFile(prefix+".key", priv, 0o600); err != nil {
		return fmt.Errorf("write private key: %w", err)
	}
	if err := os.WriteFile(prefix+".pub", pub, 0o644); err != nil {
		return fmt.Errorf("write public key: %w", err)
	}
	k, _ := sigpack.ParsePublic(pub)
	_, err = fmt.Fprintf(c.App.Writer, "key %s: private %s.key, public %s.pub\n", k.ID, prefix, prefix)
	return err
}

func bundle(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("signatures bundle takes one DIR")
	}
	dir := c.Args().First()
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("signatures bundle %s: not a directory of rule files", dir)
	}
	keyText, err := os.ReadFile(c.String("key"))
	if err != nil {
		return fmt.Errorf("read key %s: %w", c.String("key"), fserr.Cause(err))
	}
	priv, err := sigpack.ParsePrivate(keyText)
	if err != nil {
		return fmt.Errorf("key %s: %w", c.String("key"), err)
	}
	data, err := sigpack.Bundle(os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	layer, version, err := sigpack.Open(data, dir)
	if err != nil {
		return err
	}
	eng, err := compile(layer, nil)
	if err != nil {
		return err
	}
	out := c.String("output")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := os.WriteFile(out+".sig", sigpack.Sign(data, priv), 0o644); err != nil {
		return fmt.Errorf("write signature: %w", err)
	}
	_, err = fmt.Fprintf(c.App.Writer, "%s: pack %s, %d rules, signed by %s; signature %s.sig\n",
		out, version, len(eng.Set().Rules), sigpack.KeyID(priv.Public().(ed25519.PublicKey)), out)
	return err
}

// validate loads each path as a layer over the embedded packs and runs the
// examples of its rules. Every problem is printed on its own line.
func validate(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("signatures validate needs at least one rule file or directory")
	}
	bp, err := loadBase()
	if err != nil {
		return err
	}
	base := bp.Layer
	problems := 0
	report := func(err error) {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(c.App.ErrWriter, line)
			problems++
		}
	}
	for _, p := range c.Args().Slice() {
		layer, err := signature.LoadPath(p)
		if err != nil {
			report(err)
			continue
		}
		set, err := signature.NewSet(base, layer)
		if err != nil {
			report(err)
			continue
		}
		eng, err := match.New(set)
		if err != nil {
			report(err)
			continue
		}
		ids := map[string]bool{}
		rules, examples := 0, 0
		for _, pk := range layer {
			for _, r := range pk.Rules {
				ids[r.ID] = true
				rules++
				examples += len(r.Examples.Match) + len(r.Examples.NoMatch)
			}
		}
		failed := false
		for _, err := range eng.CheckExamples() {
			// Only the examples of this path's rules are its problems.
			var ee *match.ExampleError
			if errors.As(err, &ee) && ids[ee.Rule.ID] {
				report(err)
				failed = true
			}
		}
		if !failed {
			fmt.Fprintf(c.App.Writer, "%s: ok, %d rules, %d examples\n", p, rules, examples)
		}
	}
	if problems > 0 {
		return errors.New(plural(problems, "problem") + " in the rule files")
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
