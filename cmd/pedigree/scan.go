package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/generate"
	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// output is one -o FORMAT[=FILE] request; File "" is standard output.
type output struct {
	Format report.Format
	File   string
}

func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		specs = []string{"table"}
	}
	var outs []output
	stdout := 0
	for _, s := range specs {
		name, file, _ := strings.Cut(s, "=")
		format, ok := report.ParseFormat(name)
		if !ok {
			return nil, usagef("unknown output format %q (want %s)", name, report.FormatNames(", "))
		}
		if file == "" {
			stdout++
		}
		outs = append(outs, output{format, file})
	}
	if stdout > 1 {
		return nil, usagef("only one output may go to standard output; give the others a file (-o json=report.json)")
	}
	return outs, nil
}

func parseFailOn(s string) (signature.Severity, error) {
	if strings.TrimSpace(s) == "" {
		return signature.High, nil // an empty PEDIGREE_FAIL_ON means the default
	}
	if strings.EqualFold(s, "none") {
		return "", nil
	}
	sev, ok := signature.ParseSeverity(s)
	if !ok {
		return "", usagef("--fail-on %q is not one of none, info, low, medium, high, critical", s)
	}
	return sev, nil
}

func scanCommand() *cli.Command {
	opts := scanOptions()
	return &cli.Command{
		Name:      "scan",
		Usage:     "find components made by a prohibited vendor, under any brand",
		ArgsUsage: "TARGET...",
		Description: "Each TARGET is an SBOM file (CycloneDX, SPDX or syft JSON, detected from the\n" +
			"content) or - for standard input; a directory, or a file that is not an SBOM (a\n" +
			"binary, an archive), whose SBOM is generated and whose files are read; or a source\n" +
			"named by a prefix: sbom:, dir:, file:, docker-archive:, oci-archive:, oci-dir:;\n" +
			"or an image in a registry: registry:REF, or a reference such as ghcr.io/acme/app:1\n" +
			"(the only targets that reach the network); or an image a local daemon holds:\n" +
			"docker:REF, podman:REF (--platform chooses from a multi-platform image).\n" +
			"For batch reviews: sboms:DIR reads every file under DIR as an SBOM of its own; a\n" +
			"quoted pattern ('bids/*.json') is expanded by pedigree; --from FILE reads a list.\n" +
			"Every target is reported, also when another cannot be read, and several are\n" +
			"evaluated at once (--jobs); with more than one, the table ends with a summary.\n\n" +
			"Exit codes: 0 the gate passed; 1 a finding at or above --fail-on; 2 an error\n" +
			"(usage, or a target that could not be evaluated).",
		Flags:  opts.Flags(),
		Before: opts.Load,
		Action: runScan,
	}
}

func runScan(c *cli.Context) error {
	targets, err := scanTargets(c)
	if err != nil {
		return err
	}
	if c.Int("jobs") < 1 {
		return usagef("--jobs must be at least 1")
	}
	outs, err := parseOutputs(c.StringSlice("output"))
	if err != nil {
		return err
	}
	failOn, err := parseFailOn(c.String("fail-on"))
	if err != nil {
		return err
	}
	verbose := func(format string, args ...any) {
		if c.Bool("verbose") {
			fmt.Fprintf(c.App.ErrWriter, "pedigree: "+format+"\n", args...)
		}
	}
	eng, err := loadEngine(c.StringSlice("signatures"))
	if err != nil {
		return err
	}
	set := eng.Set()
	verbose("signatures %s (%d rules, %s)", set.Version(), len(set.Rules), set.Digest)
	var waivers []waiver.Waiver
	if p := c.String("waivers"); p != "" {
		if waivers, err = waiver.Load(p); err != nil {
			return err
		}
		verbose("waivers %s: %d", p, len(waivers))
	}
	lim, err := limitsOf(c)
	if err != nil {
		return err
	}
	platform, err := platformOf(c, targets)
	if err != nil {
		return err
	}
	prog := newProgress(c.App.ErrWriter, c.Bool("quiet"))
	res, err := scan.Scan(c.Context, scan.Config{
		Targets: targets, Engine: eng, FailOn: failOn, Waivers: waivers,
		Ingest: ingestOptions(c, lim), Now: time.Now(), Stdin: c.App.Reader,
		Generator: generate.Generator{Engine: eng, Options: generate.Options{Limits: lim.Walk, Platform: platform, Progress: prog.update}},
		ToolName:  "pedigree", ToolVersion: versionString(), Workers: c.Int("jobs"),
		AllowIncomplete: c.Bool("allow-incomplete"),
		KeepDocuments:   slices.ContainsFunc(outs, func(o output) bool { return o.Format.NeedsDocuments() }),
	})
	prog.done()
	if err != nil {
		return err
	}
	for _, t := range res.Targets {
		verbose("%s: %s, %d findings", t.Target, t.Verdict, len(t.Findings))
		if !t.Complete() && t.Verdict != result.Error && c.Bool("allow-incomplete") {
			fmt.Fprintf(c.App.ErrWriter, "pedigree: warning: %s (accepted with --allow-incomplete)\n", t.IncompleteReason())
		}
	}
	for _, u := range res.Waivers {
		if u.Expired && u.Used > 0 {
			fmt.Fprintf(c.App.ErrWriter, "pedigree: warning: waiver %s expired on %s and no longer suppresses %d finding(s)\n",
				u.Waiver.Source, u.Waiver.Expires, u.Used)
		}
		for _, w := range u.Waiver.Warnings(res.Time) {
			fmt.Fprintf(c.App.ErrWriter, "pedigree: warning: waiver %s %s\n", u.Waiver.Source, w)
		}
	}
	res.FullPaths = c.Bool("full-paths")
	for _, o := range outs {
		if err := writeReport(c, o, res); err != nil {
			return err
		}
	}
	if err := res.Err(); err != nil {
		return err
	}
	if res.Failed() {
		return errFindings
	}
	return nil
}

// scanTargets are the arguments and the targets of --from lists, with
// patterns and sboms:DIR expanded (scan.Expand).
func scanTargets(c *cli.Context) ([]string, error) {
	targets := c.Args().Slice()
	listStdin := false
	for _, name := range c.StringSlice("from") {
		var r io.Reader
		dir := filepath.Dir(name)
		if name == "-" {
			r, dir, listStdin = c.App.Reader, "", true
		} else {
			f, err := os.Open(name)
			if err != nil {
				return nil, fmt.Errorf("--from %s: %w", name, err)
			}
			defer f.Close()
			r = f
		}
		list, err := scan.ReadList(name, dir, r)
		if err != nil {
			return nil, fmt.Errorf("--from %w", err)
		}
		targets = append(targets, list...)
	}
	if len(targets) == 0 {
		if len(c.StringSlice("from")) > 0 {
			return nil, usagef("the --from lists name no target: %s", strings.Join(c.StringSlice("from"), ", "))
		}
		return nil, usagef("scan needs at least one TARGET (an SBOM file, a directory, a file, or - for standard input)")
	}
	targets, notes := scan.ExpandNotes(targets)
	for _, n := range notes {
		fmt.Fprintf(c.App.ErrWriter, "pedigree: %s\n", n)
	}
	sbomsHint(c.App.ErrWriter, targets)
	stdin := 0
	for _, a := range targets {
		if a == "-" {
			stdin++
		}
	}
	if stdin > 1 || (stdin > 0 && listStdin) {
		return nil, usagef("standard input (-) can be read only once")
	}
	return targets, nil
}

// sbomsHint says, for a directory given without a scheme that holds
// nothing but SBOMs, that it is scanned as one product (an SBOM is
// generated for the folder) and how to evaluate each SBOM on its own.
func sbomsHint(w io.Writer, targets []string) {
	for _, t := range targets {
		if _, _, ok := source.Split(t); ok || t == "-" || !scan.OnlySBOMs(t) {
			continue
		}
		fmt.Fprintf(w, "pedigree: hint: %s holds only SBOM files; it is scanned as one directory (an SBOM is generated for it); to evaluate each file as its own SBOM, scan %s:%s\n",
			t, source.SBOMDir, t)
	}
}

func writeReport(c *cli.Context, o output, res *result.Result) error {
	if o.Format == report.CycloneDX && isDirSpec(o.File) {
		return writeBOMs(o.File, res)
	}
	if o.File == "" {
		if c.Bool("quiet") {
			return report.Write(io.Discard, o.Format, res)
		}
		return report.Write(c.App.Writer, o.Format, res)
	}
	err := writeFileAtomic(o.File, func(w io.Writer) error { return report.Write(w, o.Format, res) })
	if err != nil {
		return fmt.Errorf("write %s report %s: %w", o.Format, o.File, fserr.Cause(err))
	}
	return nil
}

// isDirSpec reports whether an output file names a directory: it ends
// with a separator or is one.
func isDirSpec(name string) bool {
	if name == "" {
		return false
	}
	if strings.HasSuffix(name, "/") || strings.HasSuffix(name, string(filepath.Separator)) {
		return true
	}
	st, err := os.Stat(name)
	return err == nil && st.IsDir()
}

// writeBOMs writes each evaluated target's annotated BOM into dir, named
// after the target: bids/bid-03.cdx.json gives DIR/bid-03.pedigree.cdx.json.
func writeBOMs(dir string, res *result.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write cyclonedx-json reports: %w", err)
	}
	used := map[string]bool{}
	for _, t := range res.Targets {
		if t.Verdict == result.Error {
			continue
		}
		name := bomName(t.Target)
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d", bomName(t.Target), i)
		}
		used[name] = true
		path := filepath.Join(dir, name+".pedigree.cdx.json")
		err := writeFileAtomic(path, func(w io.Writer) error { return report.WriteCycloneDX(w, res, t) })
		if err != nil {
			return fmt.Errorf("write cyclonedx-json report %s: %w", path, fserr.Cause(err))
		}
	}
	return nil
}

// bomName is a target's base name without its scheme and SBOM suffixes.
func bomName(target string) string {
	_, target, _ = source.Split(target)
	name := filepath.Base(filepath.Clean(target))
	if target == "-" {
		name = "stdin"
	}
	for _, suffix := range []string{".json", ".xml", ".yaml", ".yml", ".spdx", ".rdf", ".cdx", ".bom", ".sbom", ".syft"} {
		name = strings.TrimSuffix(name, suffix)
	}
	if name == "" || name == "." || name == "/" {
		name = "target"
	}
	return name
}

// scanOptions are scan's settings; config shows their effective values.
func scanOptions() *options.Set {
	return options.WithFile(
		options.Output("report FORMAT[=FILE], repeatable; formats: "+report.FormatNames(", ")+" (default table)"),
		options.FailOn(),
		options.Signatures("rule file or directory that adds rules or overrides embedded ones by id, repeatable"),
		options.Waivers("waiver file: accepted findings with reason, owner and expiry"),
		options.From(),
		options.Config(),
		options.Jobs(),
		options.Limit(),
		options.AllowIncomplete(),
		options.Strict(),
		options.FullPaths(),
		options.Platform(),
		options.Quiet("write no report to standard output; only the exit code and errors"),
		options.Verbose(),
	)
}
