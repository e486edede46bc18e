// Package scan is pedigree's library entry point: it reads every target,
// matches it against the signatures, applies waivers and the --fail-on
// threshold, and returns one Result that the report writers print.
//
// Scan never stops at the first bad target: a procurement review of forty
// bids must see the thirty-nine that could be read. A target that cannot be
// evaluated gets the verdict "error", and one a part of which was not
// inspected the verdict "incomplete"; either makes Result.Err non-nil, so
// the caller exits 2 rather than passing it silently.
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

// Verdicts of a target. Only Pass exits 0 without findings; Review exits 0
// with findings when the gate is off; Fail exits 1; Incomplete and Error
// exit 2 (see Result.Err). When several could apply, the first of Error,
// Fail, Incomplete, Review, Pass is the verdict: a finding that fails the
// gate is certain whatever was not read, and a part not read outweighs
// findings that do not gate.
const (
	Pass = "pass"
	Fail = "fail"
	// Review: the gate is off (--fail-on none) and there are findings to
	// look at. Never shown as a pass.
	Review = "review"
	// Incomplete: a part of the target was not inspected (a limit, an
	// unreadable or unsupported nested part), so no pass can be given.
	Incomplete = "incomplete"
	Error      = "error"
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
	// AllowIncomplete lets a target some part of which was not inspected
	// have the verdict it would have had otherwise; its gaps are still
	// listed. Without it such a target is Incomplete.
	AllowIncomplete bool
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
	// FullPaths asks reports for every step of each finding's path from
	// the product root; by default a long path is shown shortened (see
	// model.ShortPath). Scan leaves it false; the caller sets it.
	FullPaths bool
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
	// Gaps are the parts of the target whose contents were not inspected;
	// GapCount counts them all, listed or not (see Complete).
	Gaps     []model.Gap
	GapCount int
}

// Complete reports whether every byte of the target was read and judged:
// it was evaluated, and nothing of it was left uninspected.
func (t *Target) Complete() bool {
	return t.Verdict != Error && t.GapCount == 0 && len(t.Gaps) == 0
}

// Finding is a match.Finding with its waiver, if one applies.
type Finding struct {
	match.Finding
	// Waiver is the waiver that covers the finding. When it has expired,
	// Suppressed is false and the finding counts as if unwaived.
	Waiver        *waiver.Waiver
	Suppressed    bool
	WaiverExpired bool
	// WaivedRules are the rules whose evidence waivers took off the
	// finding, in the order applied (see applyWaivers).
	WaivedRules []WaivedRule
	// Gating is true when the finding is unsuppressed and at or above FailOn.
	Gating bool
}

// ErrNotEvaluated means at least one target could not be read, or not
// whole; the Result still holds every target that could.
var ErrNotEvaluated = errors.New("not every target could be evaluated")

// Err returns ErrNotEvaluated (wrapped with the first reason) if a target
// has the verdict "error" or "incomplete".
func (r *Result) Err() error {
	for _, t := range r.Targets {
		switch t.Verdict {
		case Error:
			return fmt.Errorf("%w: %s", ErrNotEvaluated, t.Errors[0])
		case Incomplete:
			return fmt.Errorf("%w: %s", ErrNotEvaluated, t.IncompleteReason())
		}
	}
	return nil
}

// IncompleteReason says on one line what of the target was not inspected:
// "fw.zip: 2 parts not inspected, first fw.zip!a.zip: zip archive nested
// deeper than 6 levels (limit archive-depth), not opened". It is "" for a
// complete target.
func (t *Target) IncompleteReason() string {
	if t.GapCount == 0 {
		return ""
	}
	parts := "1 part"
	if t.GapCount > 1 {
		parts = fmt.Sprintf("%d parts", t.GapCount)
	}
	first := "not listed"
	if len(t.Gaps) > 0 {
		first = t.Gaps[0].String()
	}
	return fmt.Sprintf("%s: %s not inspected, first %s", t.Target, parts, first)
}

// Verdict is the verdict of the whole scan, as the exit code gives it:
// error when a target could not be evaluated, else incomplete when one was
// not read whole, else fail when one failed the gate, else review when one
// has findings to review with the gate off, else pass.
func (r *Result) Verdict() string {
	has := map[string]bool{}
	for _, t := range r.Targets {
		has[t.Verdict] = true
	}
	for _, v := range []string{Error, Incomplete, Fail, Review} {
		if has[v] {
			return v
		}
	}
	return Pass
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
		t.Gaps, t.GapCount = o.doc.Gaps, max(o.doc.GapCount, len(o.doc.Gaps))
		if t.Gaps == nil {
			t.Gaps = []model.Gap{}
		}
		t.Verdict = Pass
		for _, mf := range o.findings {
			f := &Finding{Finding: mf}
			applyWaivers(cfg.Engine, o.doc, f, name, uses)
			f.Gating = !f.Suppressed && cfg.FailOn != "" && f.Severity.Rank() >= cfg.FailOn.Rank()
			if f.Gating {
				t.Verdict = Fail
			}
			t.Findings = append(t.Findings, f)
		}
		sortFindings(t.Findings)
		t.Verdict = verdict(t, cfg)
	}
	res.Waivers = uses
	return res, nil
}

// verdict is the verdict of an evaluated target whose findings have their
// waivers and gating set.
func verdict(t *Target, cfg Config) string {
	review := false
	for _, f := range t.Findings {
		if f.Gating {
			return Fail
		}
		review = review || !f.Suppressed
	}
	switch {
	case !t.Complete() && !cfg.AllowIncomplete:
		return Incomplete
	case review && cfg.FailOn == "":
		return Review
	}
	return Pass
}

// trim keeps of a matched document what reports show: its metadata and
// roots, and the components and files on the findings' paths.
func trim(doc *model.Document, findings []match.Finding) *model.Document {
	keep := map[string]bool{}
	for _, r := range doc.Roots {
		keep[r] = true
	}
	// A path from the index is its next-to-last step's path and one step
	// more, so the walk back from its end stops at the first ref already
	// kept: every step before it is kept too. Roots and path steps only
	// are kept while walking, so that this holds; the components after.
	for _, f := range findings {
		for i := len(f.Path) - 1; i >= 0 && !keep[f.Path[i]]; i-- {
			keep[f.Path[i]] = true
		}
	}
	for _, f := range findings {
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

// read reads one target: an SBOM is ingested; a directory, a file that
// is not an SBOM, an archive or an image archive is generated. It returns
// the document and the source kind for the report.
//
// Only the first bytes of a file decide whether it is read as an SBOM
// (ingest.MaySBOM): a binary file goes to generation without being read
// into memory. A file that looks like an SBOM, by its name or its keys,
// and cannot be read as one is an error, never a plain file that passes;
// file:PATH forces plain-file treatment. An empty file, and anything that
// is not a regular file or a directory (a FIFO, a device), is an error.
func read(ctx context.Context, name string, cfg Config) (*model.Document, string, error) {
	scheme, rest, hasScheme := strings.Cut(name, ":")
	if hasScheme && len(scheme) > 1 && rest == "" && isScheme(scheme) {
		return nil, "", fmt.Errorf("%s: no path after the scheme", name)
	}
	if hasScheme && len(scheme) > 1 {
		switch scheme {
		case SBOMDirScheme:
			return nil, "", dirError(rest)
		case "sbom":
			if _, err := regular(rest); err != nil {
				return nil, "", err
			}
			doc, err := ingest.File(rest, cfg.Ingest)
			return doc, "sbom", err
		case "file", "docker-archive", "oci-archive":
			if _, err := regular(rest); err != nil {
				return nil, "", err
			}
			return generated(ctx, scheme, rest, cfg)
		case "dir", "oci-dir":
			if st, err := os.Stat(rest); err == nil && !st.IsDir() {
				return nil, "", fmt.Errorf("%s: not a directory (%s)", rest, fileType(st.Mode()))
			}
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
	if err != nil {
		doc, err := ingest.File(name, cfg.Ingest) // says why it cannot be opened
		return doc, "sbom", err
	}
	if _, err := regular(name); err != nil {
		return nil, "", err
	}
	if st.Size() == 0 {
		return nil, "", fmt.Errorf("%s: empty file (0 bytes): nothing to evaluate", name)
	}
	named := ingest.NamedLikeSBOM(name)
	may, err := ingest.MaySBOMFile(name, cfg.Ingest)
	if err != nil {
		return nil, "", err
	}
	if !may && !named {
		// Binary, or text without an SBOM marker: a product file or
		// archive to look into.
		return generated(ctx, "file", name, cfg)
	}
	doc, err := ingest.File(name, cfg.Ingest)
	if err != nil && ingest.KindOf(err) == ingest.KindNotSBOM {
		if named {
			return nil, "", fmt.Errorf("%w (the file is named like an SBOM; scan file:%s to read it as a plain file)", err, name)
		}
		// Not an SBOM: a product file or archive to look into.
		return generated(ctx, "file", name, cfg)
	}
	return doc, "sbom", err
}

// regular returns the file's information, or an error if path is not a
// regular file (a FIFO would block the scan, a device would never end).
func regular(path string) (os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileType(st.Mode()))
	}
	return st, nil
}

// isScheme reports whether s is a source scheme scan reads.
func isScheme(s string) bool {
	switch s {
	case SBOMDirScheme, "sbom", "file", "dir", "docker-archive", "oci-archive", "oci-dir":
		return true
	}
	return false
}

// fileType names the type of a file that is not a directory, or that is
// not regular.
func fileType(m os.FileMode) string {
	switch {
	case m.Type() == 0:
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	}
	return "type " + m.Type().String()
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot %s: %w", pe.Op, pe.Err)
	}
	return err
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
