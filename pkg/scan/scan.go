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
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	refname "github.com/google/go-containerregistry/pkg/name"

	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// Generator builds the document of a target that is not an SBOM: a
// directory, a product file or archive, a container image archive. It
// returns the kind of source the target turned out to be. pkg/generate
// provides the one pedigree uses (generate.Generator, which runs syft);
// scan itself never catalogs anything, so a program that reads SBOMs only
// does not need one.
type Generator interface {
	Generate(ctx context.Context, scheme source.Scheme, path string) (*model.Document, source.Kind, error)
}

// ErrNoGenerator is the error of a target that needs generation in a scan
// given no Generator.
var ErrNoGenerator = errors.New("not an SBOM, and this scan generates no SBOMs")

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
	Stdin io.Reader
	// Tool is the name and version written into reports.
	ToolName, ToolVersion string
	// Generator builds the documents of targets that are not SBOMs; nil
	// makes each such target an error (ErrNoGenerator), never a pass.
	Generator Generator
	// Workers is how many targets are read at once (1 when zero). Memory
	// grows with it: each worker holds one document.
	Workers int
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

// Scan evaluates every target. It returns an error only when the scan
// itself cannot run (no engine, no targets, a cancelled context); a target
// that cannot be read is recorded in the Result.
func Scan(ctx context.Context, cfg Config) (*result.Result, error) {
	if cfg.Engine == nil {
		return nil, errors.New("scan: no signature engine")
	}
	if len(cfg.Targets) == 0 {
		return nil, errors.New("no targets to scan")
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	res := &result.Result{ToolName: cfg.ToolName, ToolVersion: cfg.ToolVersion, Signatures: cfg.Engine.Set(), FailOn: cfg.FailOn, Time: cfg.Now}
	uses := make([]result.WaiverUse, len(cfg.Waivers))
	for i, w := range cfg.Waivers {
		uses[i] = result.WaiverUse{Waiver: w, Expired: w.Expired(cfg.Now)}
	}
	// --- Read and match the targets, several at a time ---
	// Each worker holds one document at a time, so memory is bounded by
	// the number of workers; results are kept in argument order, and
	// waivers are applied afterwards in that order, so the report is the
	// same whatever the scheduling.
	type outcome struct {
		doc        *model.Document
		source     source.Kind
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
		t := &result.Target{Target: name, Source: source.KindSBOM, Findings: []*result.Finding{}, Errors: []string{}}
		res.Targets = append(res.Targets, t)
		if o.err != nil {
			t.Verdict = result.Error
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
		t.Verdict = result.Pass
		for _, mf := range o.findings {
			f := &result.Finding{Finding: mf}
			applyWaivers(cfg.Engine, o.doc, f, name, uses)
			f.Gating = !f.Suppressed && cfg.FailOn != "" && f.Severity.Rank() >= cfg.FailOn.Rank()
			if f.Gating {
				t.Verdict = result.Fail
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
func verdict(t *result.Target, cfg Config) result.Verdict {
	review := false
	for _, f := range t.Findings {
		if f.Gating {
			return result.Fail
		}
		review = review || !f.Suppressed
	}
	switch {
	case !t.Complete() && !cfg.AllowIncomplete:
		return result.Incomplete
	case review && cfg.FailOn == "":
		return result.Review
	}
	return result.Pass
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
// is not an SBOM, an archive, an image archive or an image named by
// reference (registry:REF, docker:REF, podman:REF, or a bare reference:
// imageRef) is generated. It returns
// the document and the kind of source for the report.
//
// Only the first bytes of a file decide whether it is read as an SBOM
// (ingest.MaySBOM): a binary file goes to generation without being read
// into memory. A file that looks like an SBOM, by its name or its keys,
// and cannot be read as one is an error, never a plain file that passes;
// file:PATH forces plain-file treatment. An empty file, and anything that
// is not a regular file or a directory (a FIFO, a device), is an error.
func read(ctx context.Context, name string, cfg Config) (*model.Document, source.Kind, error) {
	prefix, _, hasPrefix := strings.Cut(name, ":")
	if scheme, path, ok := source.Split(name); ok {
		if path == "" {
			return nil, "", fmt.Errorf("%s: no path after the scheme", name)
		}
		switch scheme {
		case source.SBOMDir:
			return nil, "", dirError(path)
		case source.SBOM:
			if _, err := regular(path); err != nil {
				return nil, "", err
			}
			doc, err := ingest.File(path, cfg.Ingest)
			return doc, source.KindSBOM, err
		case source.Registry, source.Docker, source.Podman:
			if _, err := refname.ParseReference(path); err != nil {
				return nil, "", fmt.Errorf("%s: not an image reference: %w", name, err)
			}
			return generated(ctx, scheme, path, cfg)
		case source.Dir, source.OCIDir:
			st, err := os.Stat(path)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w", path, fserr.Cause(err))
			}
			if !st.IsDir() {
				return nil, "", fmt.Errorf("%s: not a directory (%s)", path, fileType(st.Mode()))
			}
			return generated(ctx, scheme, path, cfg)
		default: // file and the image archives
			if _, err := regular(path); err != nil {
				return nil, "", err
			}
			return generated(ctx, scheme, path, cfg)
		}
	}
	if imageRef(name) {
		return generated(ctx, source.Registry, name, cfg)
	}
	if hasPrefix && len(prefix) > 1 {
		// Not a scheme we know: take the whole argument as a path
		// (Windows drive letters have one-letter schemes and never get
		// here).
		if _, err := os.Stat(name); err != nil {
			return nil, "", fmt.Errorf("%s: unknown source scheme %q (want %s)", name, prefix, source.Names(readSchemes()))
		}
	}
	if name == "-" {
		if cfg.Stdin == nil {
			return nil, "", errors.New("stdin: no standard input")
		}
		doc, err := ingest.Decode("stdin", cfg.Stdin, cfg.Ingest)
		return doc, source.KindSBOM, err
	}
	st, err := os.Stat(name)
	if err == nil && st.IsDir() {
		return generated(ctx, source.Dir, name, cfg)
	}
	if err != nil && isPattern(name) {
		return nil, "", fmt.Errorf("%s: no file matches the pattern", name)
	}
	if err != nil {
		doc, err := ingest.File(name, cfg.Ingest) // says why it cannot be opened
		return doc, source.KindSBOM, err
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
		return generated(ctx, source.File, name, cfg)
	}
	doc, err := ingest.File(name, cfg.Ingest)
	if err != nil && ingest.KindOf(err) == ingest.KindNotSBOM {
		if named {
			return nil, "", fmt.Errorf("%w (the file is named like an SBOM; scan file:%s to read it as a plain file)", err, name)
		}
		// Not an SBOM: a product file or archive to look into.
		return generated(ctx, source.File, name, cfg)
	}
	return doc, source.KindSBOM, err
}

// imageRef reports whether a target without a scheme is an image reference
// to pull from a registry (alpine:latest, localhost:5000/app:1,
// ghcr.io/x/y@sha256:...) rather than a path: it is not an existing path,
// the directory it would be in does not exist either, and it parses as a
// reference that names a registry host (its first element has a '.', a
// ':' port, or is localhost) or a tag or digest, and does not end in a
// file name extension (fileNamed). So "bom.json", "bids/a.json",
// "bid:v2.json", "reports.2024/bid.json" or "product" that do not exist
// are still files that cannot be opened, never a network attempt.
func imageRef(target string) bool {
	return refShaped(target) && !pathLike("", target)
}

// ImageRef reports whether a target without a scheme is read as an image
// reference to pull from a registry (registry:REF) rather than as a path,
// by the rule scan applies (imageRef): for a command that reads one target
// as scan does.
func ImageRef(target string) bool {
	if _, _, ok := source.Split(target); ok {
		return false
	}
	return imageRef(target)
}

// pathLike reports whether target, taken from base, is an existing path,
// or names a file in a directory that exists.
func pathLike(base, target string) bool {
	if _, err := os.Lstat(filepath.Join(base, target)); err == nil {
		return true
	}
	if dir := filepath.Dir(target); dir != "." {
		if _, err := os.Lstat(filepath.Join(base, dir)); err == nil {
			return true // a file missing from a directory that exists
		}
	}
	return false
}

// refShaped reports whether target parses as an image reference that
// names a registry host or a tag or digest (imageRef).
func refShaped(target string) bool {
	if target == "-" || strings.ContainsAny(target, `*?[\`) || fileNamed(target) {
		return false
	}
	ref, err := refname.ParseReference(target)
	if err != nil {
		return false
	}
	if first, _, found := strings.Cut(target, "/"); found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return true
	}
	switch r := ref.(type) {
	case refname.Digest:
		return true
	case refname.Tag:
		return strings.HasSuffix(target, ":"+r.TagStr())
	}
	return false
}

// fileExts end the names of the files scan reads: a target that ends in
// one ("bid:v2.json", "reports.2024/bid.spdx") is a file that is missing,
// never an image to pull from a registry named after a typing mistake.
var fileExts = []string{".json", ".xml", ".spdx", ".yaml", ".yml", ".rdf", ".jsonld", ".cdx", ".txt",
	".zip", ".jar", ".war", ".apk", ".aar", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".lz4", ".br", ".7z", ".rar",
	".exe", ".dll", ".sys", ".so", ".msi", ".cab", ".deb", ".rpm", ".iso", ".img", ".bin"}

// fileNamed reports whether target ends in a file name extension scan
// reads (fileExts), in any letter case.
func fileNamed(target string) bool {
	lower := strings.ToLower(target)
	for _, ext := range fileExts {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// readSchemes are the schemes a scan target may carry, as an unknown
// scheme's error lists them: every scheme but sboms:, which Expand
// resolves before the scan.
func readSchemes() []source.Scheme {
	var out []source.Scheme
	for _, s := range source.AllSchemes() {
		if s != source.SBOMDir {
			out = append(out, s)
		}
	}
	return out
}

// regular returns the file's information, or an error if path is not a
// regular file (a FIFO would block the scan, a device would never end).
func regular(path string) (os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, fserr.WithOp(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileType(st.Mode()))
	}
	return st, nil
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

// generated builds the document of a non-SBOM target with the scan's
// Generator.
func generated(ctx context.Context, scheme source.Scheme, path string, cfg Config) (*model.Document, source.Kind, error) {
	if cfg.Generator == nil {
		return nil, "", fmt.Errorf("%s: %w", path, ErrNoGenerator)
	}
	return cfg.Generator.Generate(ctx, scheme, path)
}
