package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
)

// The environment variables of submit's settings.
const (
	envServer = "PEDIGREE_SERVER"
	envToken  = "PEDIGREE_TOKEN"
)

// submitCommand is `pedigree submit`: the client of pedigree serve.
func submitCommand() *cli.Command {
	opts := options.WithFileLimits(
		&options.Setting{Flag: &cli.StringFlag{Name: "server", EnvVars: []string{envServer},
			Usage: "the pedigree server's URL, http://HOST:PORT"}},
		&options.Setting{Flag: &cli.StringFlag{Name: "token", EnvVars: []string{envToken},
			Usage: "the API token (a reviewer's or an admin's); better given as " + envToken + ", which no process list shows"}},
		&options.Setting{Flag: &cli.StringFlag{Name: "product", Usage: "the product the SBOM is of; the server records it if it is new"}},
		options.LocalOutput("table", "table, or json: the server's answer, with the findings in the JSON report's schema"),
		options.Quiet("print nothing; only the exit code and errors"),
	)
	return &cli.Command{
		Name:      "submit",
		Usage:     "submit an SBOM (or the product file itself) to a pedigree server, and print its verdict",
		ArgsUsage: "SBOM|FILE",
		Description: "Uploads the SBOM file (or - for standard input) for --product to the server at\n" +
			"--server (pedigree serve), which stores it, evaluates it, and keeps re-evaluating it\n" +
			"when the signatures change. Prints the verdict as scan does. A file that is not an\n" +
			"SBOM (an archive, an installer, an image archive) is stored as it is and inspected\n" +
			"by the server as scan inspects a file, at every evaluation.\n\n" +
			"Exit codes: 0 the gate passed; 1 a finding at or above the server's --fail-on; 2 an\n" +
			"error: usage, the server cannot be reached, refuses the token or the SBOM, or the\n" +
			"verdict is incomplete or error.",
		Flags:  opts.Flags(),
		Before: opts.Load,
		Action: runSubmit,
	}
}

func runSubmit(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("submit takes one SBOM file (or - for standard input)")
	}
	format := c.String("output")
	if format != "table" && format != "json" {
		return usagef("-o %q is not table or json", format)
	}
	server, token, product := c.String("server"), c.String("token"), c.String("product")
	switch {
	case server == "":
		return usagef("submit needs --server URL (or %s)", envServer)
	case token == "":
		return usagef("submit needs a token: --token TOKEN or %s (pedigree serve token create makes one)", envToken)
	case strings.TrimSpace(product) == "":
		return usagef("submit needs --product NAME")
	}
	target := c.Args().First()
	var body io.Reader = c.App.Reader
	size := int64(-1)
	name := "stdin"
	if target != "-" {
		f, err := os.Open(target)
		if err != nil {
			return fmt.Errorf("%s: %w", target, fserr.Cause(err))
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("%s: %w", target, fserr.Cause(err))
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file: submit an SBOM file", target)
		}
		body, size, name = f, st.Size(), filepath.Base(target)
	}
	client := &serve.Client{Server: server, Token: token}
	res, err := client.Submit(c.Context, product, name, body, size)
	if err != nil {
		return fmt.Errorf("submit %s: %w", target, err)
	}
	if !c.Bool("quiet") {
		w := c.App.Writer
		if format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(res); err != nil {
				return err
			}
		} else if err := writeSubmission(w, target, res); err != nil {
			return err
		}
	}
	return submitOutcome(res)
}

// writeSubmission prints a submission's verdict as scan's table does: a
// line for the target and its verdict, one for each finding no waiver
// suppressed, and the summary line.
func writeSubmission(w io.Writer, target string, res *serve.SubmissionResult) error {
	sub := res.Submission
	verdict := "NOT EVALUATED"
	pack := ""
	if e := res.Evaluation; e != nil {
		verdict = strings.ToUpper(e.Verdict)
		pack = "; signatures " + e.PackVersion
	}
	fmt.Fprintf(w, "%s  %s  product %s  submission %d  %s\n", target, sub.Format, sub.Product, sub.ID, verdict)
	var findings []report.Finding
	if err := json.Unmarshal(res.Findings, &findings); err != nil {
		return fmt.Errorf("the server's findings: %w", err)
	}
	for _, f := range findings {
		if f.Suppressed {
			continue
		}
		fmt.Fprintf(w, "  %s  %s  [%s]\n", strings.ToUpper(f.Severity), oneLine(f.Title), strings.Join(f.Rules, ", "))
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", oneLine(warn))
	}
	n := res.Summary.Findings
	_, err := fmt.Fprintf(w, "findings: %d critical, %d high, %d medium, %d low, %d info (%d waived); gate: --fail-on %s%s\n",
		n.Critical, n.High, n.Medium, n.Low, n.Info, res.Summary.Suppressed, res.Summary.FailOn, pack)
	return err
}

// submitOutcome maps a submission's verdict to submit's exit: nil for a
// pass or review, errFindings for a fail, an error otherwise.
func submitOutcome(res *serve.SubmissionResult) error {
	e := res.Evaluation
	if e == nil {
		return fmt.Errorf("submission %d was stored but not evaluated", res.Submission.ID)
	}
	switch result.Verdict(e.Verdict) {
	case result.Pass, result.Review:
		return nil
	case result.Fail:
		return errFindings
	}
	return fmt.Errorf("submission %d of %s: verdict %s", res.Submission.ID, res.Submission.Product, e.Verdict)
}
