// Package scan is pedigree's library entry point: it reads every target,
// matches it against the signatures, applies waivers and the --fail-on
// threshold, and returns one Result that the report writers print.
//
// Scan never stops at the first bad target: a procurement review of forty
// bids must see the thirty-nine that could be read. A target that cannot be
// evaluated gets the verdict "error" and makes Result.Err non-nil, so the
// caller exits 2 rather than passing it silently.
package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/generate"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// Verdicts of a target.
const (
	Pass  = "pass"
	Fail  = "fail"
	Error = "error"
)

// Config is one scan.
type Config struct {
	// Targets are as given on the command line: a path, "-" for standard
	// input, or a scheme-prefixed source (sbom:PATH).
	Targets []string
	Engine  *match.Engine
	// FailOn is the lowest severity that fails the gate; "" never fails.
	FailOn  signature.Severity
	Waivers []waiver.Waiver
	Ingest  ingest.Options
	// Now decides which waivers have expired.
	Now time.Time
	// Stdin is read for the target "-".
	Stdin interface{ Read([]byte) (int, error) }
	// Tool is the name and version written into reports.
	ToolName, ToolVersion string
	// Limits bound the walk of files and archives of generated targets.
	Limits walk.Limits
	// Workers is how many targets are read at once (1 when zero). Memory
	// grows with it: each worker holds one document.
	Workers int
	// Progress, when set, is told what generation is doing.
	Progress func(generate.Progress)
	// KeepDocuments keeps every document whole in the Result, for writers
	// that need all of it. Otherwise each is trimmed once matched to what
	// reports show (its metadata, roots, and the components and files on
	// the findings' paths), so that a batch of many large SBOMs holds
	// only as many whole documents as there are workers.
	KeepDocuments bool
}

// Result is a whole scan.
type Result struct {
	ToolName, ToolVersion string
	Signatures            *signature.Set
	FailOn                signature.Severity
	Targets               []*Target
	// Waivers are all waivers given, for the report's accounting.
	Waivers []WaiverUse
	// Time is when the scan ran (Config.Now).
	Time time.Time
}

// WaiverUse says what became of one waiver in this scan.
type WaiverUse struct {
	Waiver  waiver.Waiver
	Expired bool
	// Used counts the findings it suppressed (or, when expired, would have).
	Used int
}

// Target is the outcome for one input.
type Target struct {
	Target string
	// Source is how the target was read: "sbom", "dir", "file",
	// "archive" or "image".
	Source   string
	Document *model.Document
	// Components is the number of components the document had, before it
	// was trimmed.
	Components int
	Verdict    string
	Findings   []*Finding
	Errors     []string
}

// Finding is a match.Finding with its waiver, if one applies.
type Finding struct {
	match.Finding
	// Waiver is the waiver that covers the finding. When it has expired,
	// Suppressed is false and the finding counts as if unwaived.
	Waiver        *waiver.Waiver
	Suppressed    bool
	WaiverExpired bool
	// Gating is true when the finding is unsuppressed and at or above FailOn.
	Gating bool
}

// ErrNotEvaluated means at least one target could not be read; the
// Result still holds every target that could.
var ErrNotEvaluated = errors.New("not every target could be evaluated")

// Err returns ErrNotEvaluated (wrapped with the first error) if a target
// has the verdict "error".
func (r *Result) Err() error {
	for _, t := range r.Targets {
		if t.Verdict == Error {
			return fmt.Errorf("%w: %s", ErrNotEvaluated, t.Errors[0])
		}
	}
	return nil
}

// Failed reports whether any target failed the gate.
func (r *Result) Failed() bool {
	for _, t := range r.Targets {
		if t.Verdict == Fail {
			return true
		}
	}
	return false
}

// Scan evaluates every target. It returns an error only when the scan
// itself cannot run (no engine, no targets, a cancelled context); a target
// that cannot be read is recorded in the Result.
func Scan(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Engine == nil {
		return nil, errors.New("scan: no signature engine")
	}
	if len(cfg.Targets) == 0 {
		return nil, errors.New("no targets to scan")
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	res := &Result{ToolName: cfg.ToolName, ToolVersion: cfg.ToolVersion, Signatures: cfg.Engine.Set(), FailOn: cfg.FailOn, Time: cfg.Now}
	uses := make([]WaiverUse, len(cfg.Waivers))
	for i, w := range cfg.Waivers {
		uses[i] = WaiverUse{Waiver: w, Expired: w.Expired(cfg.Now)}
	}
	// --- Read and match the targets, several at a time ---
	// Each worker holds one document at a time, so memory is bounded by
	// the number of workers; results are kept in argument order, and
	// waivers are applied afterwards in that order, so the report is the
	// same whatever the scheduling.
	type outcome struct {
		doc        *model.Document
		source     string
		err        error
		findings   []match.Finding
		components int
	}
	outcomes := make([]outcome, len(cfg.Targets))
	workers := min(len(cfg.Targets), max(1, cfg.Workers))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := &outcomes[i]
				if o.doc, o.source, o.err = read(ctx, cfg.Targets[i], cfg); o.err == nil {
					o.findings = cfg.Engine.Match(o.doc)
					o.components = len(o.doc.Components)
					if !cfg.KeepDocuments {
						o.doc = trim(o.doc, o.findings)
					}
				}
			}
		}()
	}
	for i := range cfg.Targets {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// --- Verdicts and waivers, in argument order ---
	for i, name := range cfg.Targets {
		o := outcomes[i]
		t := &Target{Target: name, Source: "sbom", Findings: []*Finding{}, Errors: []string{}}
		res.Targets = append(res.Targets, t)
		if o.err != nil {
			t.Verdict = Error
			t.Errors = append(t.Errors, o.err.Error())
			continue
		}
		t.Document = o.doc
		t.Components = o.components
		t.Source = o.source
		t.Verdict = Pass
		for _, mf := range o.findings {
			f := &Finding{Finding: mf}
			applyWaivers(f, name, uses)
			f.Gating = !f.Suppressed && cfg.FailOn != "" && f.Severity.Rank() >= cfg.FailOn.Rank()
			if f.Gating {
				t.Verdict = Fail
			}
			t.Findings = append(t.Findings, f)
		}
	}
	res.Waivers = uses
	return res, nil
}

// trim keeps of a matched document what reports show: its metadata and
// roots, and the components and files on the findings' paths.
func trim(doc *model.Document, findings []match.Finding) *model.Document {
	keep := map[string]bool{}
	for _, r := range doc.Roots {
		keep[r] = true
	}
	for _, f := range findings {
		for _, ref := range f.Path {
			keep[ref] = true
		}
		if f.Component != nil {
			keep[f.Component.Ref] = true
		}
	}
	t := *doc
	t.Components, t.Files, t.Relationships = nil, nil, nil
	for _, c := range doc.Components {
		if keep[c.Ref] {
			t.Components = append(t.Components, c)
		}
	}
	for _, f := range doc.Files {
		if keep[f.Ref] {
			t.Files = append(t.Files, f)
		}
	}
	return &t
}

// applyWaivers gives the finding the first waiver (in file order) that
// covers it, preferring one that has not expired.
func applyWaivers(f *Finding, target string, uses []WaiverUse) {
	s := waiver.Subject{Finding: f.ID, Rules: f.Rules, PURL: f.Component.PURL, Name: f.Component.Name,
		Version: f.Component.Version, Target: target}
	var expired *WaiverUse
	for i := range uses {
		u := &uses[i]
		if !u.Waiver.Covers(s) {
			continue
		}
		if u.Expired {
			if expired == nil {
				expired = u
			}
			continue
		}
		u.Used++
		w := u.Waiver
		f.Waiver, f.Suppressed = &w, true
		return
	}
	if expired != nil {
		expired.Used++
		w := expired.Waiver
		f.Waiver, f.WaiverExpired = &w, true
	}
}

// read reads one target: an SBOM is ingested; a directory, a file that
// is not an SBOM, an archive or an image archive is generated. It returns
// the document and the source kind for the report.
func read(ctx context.Context, name string, cfg Config) (*model.Document, string, error) {
	scheme, rest, hasScheme := strings.Cut(name, ":")
	if hasScheme && len(scheme) > 1 {
		switch scheme {
		case SBOMDirScheme:
			return nil, "", dirError(rest)
		case "sbom":
			doc, err := ingest.File(rest, cfg.Ingest)
			return doc, "sbom", err
		case "dir", "file", "docker-archive", "oci-archive", "oci-dir":
			return generated(ctx, scheme, rest, cfg)
		default:
			// Not a scheme we know: take the whole argument as a path
			// (Windows drive letters have one-letter schemes and never
			// get here).
			if _, err := os.Stat(name); err != nil {
				return nil, "", fmt.Errorf("%s: unknown source scheme %q (want sbom, dir, file, docker-archive, oci-archive or oci-dir)", name, scheme)
			}
		}
	}
	if name == "-" {
		if cfg.Stdin == nil {
			return nil, "", errors.New("stdin: no standard input")
		}
		doc, err := ingest.Decode("stdin", cfg.Stdin, cfg.Ingest)
		return doc, "sbom", err
	}
	st, err := os.Stat(name)
	if err == nil && st.IsDir() {
		return generated(ctx, "dir", name, cfg)
	}
	if err != nil && isPattern(name) {
		return nil, "", fmt.Errorf("%s: no file matches the pattern", name)
	}
	doc, err := ingest.File(name, cfg.Ingest)
	if err != nil && ingest.KindOf(err) == ingest.KindNotSBOM {
		// Not an SBOM: a product file or archive to look into.
		return generated(ctx, "file", name, cfg)
	}
	return doc, "sbom", err
}

// generated builds the document of a non-SBOM target.
func generated(ctx context.Context, kind, path string, cfg Config) (*model.Document, string, error) {
	lim := cfg.Limits
	if lim == (walk.Limits{}) {
		lim = walk.DefaultLimits()
	}
	res, err := generate.Generate(ctx, kind, path, cfg.Engine, generate.Options{Limits: lim, Progress: cfg.Progress})
	if err != nil {
		return nil, "", err
	}
	source := kind
	switch {
	case strings.HasSuffix(kind, "-archive") || kind == "oci-dir":
		source = "image"
	case kind == "file" && res.Walk.Archives > 0:
		source = "archive"
	}
	return res.Document, source, nil
}
