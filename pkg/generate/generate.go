// Package generate builds a document from a directory, a file, an archive
// or a container image archive, and looks inside every file.
//
// It is the only package that imports syft. syft catalogs the packages
// (with file digests on, no network, no Docker daemon; only an image the
// user names as registry:REF is pulled, by pedigree itself, and only one
// named as docker:REF or podman:REF is asked of a local daemon); its SBOM
// is read as pkg/ingest reads syft JSON, without being encoded
// (toDocument), so a generated document and an ingested one are the same
// model. At the same time pkg/walk visits every regular file, archives
// included, and pkg/deep reads what each says about its maker; those files
// become components under the package that owns them (or the product root),
// so findings in them carry the path from the root.
package generate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	stfile "github.com/anchore/stereoscope/pkg/file"
	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/sbom"
	syftsource "github.com/anchore/syft/syft/source"
	// syft reads newer RPM databases through database/sql; this is the
	// pure-Go driver the syft command registers too.
	_ "modernc.org/sqlite"

	"github.com/pedigree-sbom/pedigree/pkg/deep"
	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// Options configure one generation.
type Options struct {
	// Limits bound the walk of files and archives.
	Limits walk.Limits
	// Platform, OS/ARCH[/VARIANT] (ParsePlatform), chooses the image of
	// an image named by reference (registry:, docker:, podman:) from a
	// multi-platform image; "" is linux on the host's architecture. It is
	// an error for any other source.
	Platform string
	// Progress, when set, is called for every file deep inspection reads
	// (from one goroutine at a time).
	Progress func(Progress)
}

// Progress is the state of a generation, for a progress display.
type Progress struct {
	Phase string // "cataloging", "inspecting", "matching"
	Files int
	Bytes int64
	// Current is the file being read.
	Current string
}

// Result is a generated document and what the walk met on the way.
type Result struct {
	Document *model.Document
	// SBOM is the syft SBOM, for writing it out.
	SBOM *sbom.SBOM
	// Walk is the deep inspection's report: files, bytes, warnings.
	Walk walk.Report
	// sourceRef is the root's ref in SBOM, where the document's root has
	// another (unlabelRoot).
	sourceRef string
}

// Generate reads a source. scheme is one of source.GeneratedSchemes;
// target is its path.
//
// Generation starts no process and opens no network connection (see
// sbomConfig), except to pull a registry: image the user named (and the
// credential helper its Docker config names for that registry), or to ask
// the local daemon of a docker: or podman: image for it. What it unpacks
// under TMPDIR is removed before it returns,
// whether it succeeds, fails or ctx is cancelled; a removal that fails is
// a warning of the document.
func Generate(ctx context.Context, scheme source.Scheme, target string, eng *match.Engine, opts Options) (res *Result, err error) {
	if !scheme.Generated() {
		return nil, fmt.Errorf("%s: unknown source %q (want one of %s)", target, scheme, enum.Join(source.GeneratedSchemes(), ", "))
	}
	platform, err := parsePlatform(opts.Platform)
	if err != nil {
		return nil, err
	}
	if platform != nil && !scheme.Remote() {
		return nil, fmt.Errorf("%s: platform %s applies only to an image named by reference (registry:, docker:, podman: or a bare reference), not to a %s source", target, platform, scheme)
	}
	if !scheme.Remote() {
		if _, err := os.Stat(target); err != nil {
			return nil, fmt.Errorf("%s: %w", target, fserr.Cause(err))
		}
	}
	gen := stfile.NewTempDirGenerator(tempPrefix)
	src, err := openSource(ctx, scheme, target, platform, gen)
	defer func() {
		if cerr := closeSource(src, gen); cerr != nil && res != nil {
			res.Document.Warnings = append(res.Document.Warnings, fmt.Sprintf("temporary files not removed: %v", cerr))
		}
	}()
	if err != nil && scheme.Daemon() {
		return nil, fmt.Errorf("%s:%s: %w", scheme, target, err)
	} else if err != nil && scheme.Remote() {
		return nil, fmt.Errorf("%s: %w", target, err)
	} else if err != nil {
		return nil, fmt.Errorf("%s: cannot read as %s: %w", target, scheme, err)
	}

	// --- Catalog packages and inspect files at the same time ---
	var (
		wg      sync.WaitGroup
		s       *sbom.SBOM
		sbomErr error
	)
	cataloged := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(cataloged)
		s, sbomErr = syft.CreateSBOM(ctx, src, sbomConfig())
	}()
	in := deep.New(eng)
	asm := deep.NewAssembler()
	report, walkErr := inspect(ctx, scheme, target, src, in, asm, opts, cataloged)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", target, err)
	}
	if sbomErr != nil {
		return nil, fmt.Errorf("%s: cataloging: %v", target, sbomErr)
	}
	if walkErr != nil {
		return nil, fmt.Errorf("%s: inspecting files: %w", target, walkErr)
	}

	// --- Read the catalog back as a document ---
	doc, err := toDocument(s)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the catalog: %w", target, err)
	}
	doc.Source = target
	sourceRef := unlabelRoot(doc)
	attach(doc, asm.Components())
	for i, w := range report.Warnings {
		if i == maxWarnings {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("%d more warnings from the file walk", len(report.Warnings)-maxWarnings))
			break
		}
		doc.Warnings = append(doc.Warnings, w)
	}
	for _, g := range report.Gaps {
		doc.Gaps = append(doc.Gaps, model.Gap{Location: g.Location, Reason: g.Reason, Limit: g.Limit})
	}
	doc.GapCount = report.GapCount
	return &Result{Document: doc, SBOM: s, Walk: report, sourceRef: sourceRef}, nil
}

// maxWarnings bounds the walk warnings copied into the document.
const maxWarnings = 100

// Generator generates documents for scan (it is a scan.Generator): the
// engine is the scan's, for deep inspection, and Options bound the walk.
type Generator struct {
	Engine  *match.Engine
	Options Options
}

// Generate builds the document of a target, and says what kind of source
// it turned out to be: a file that was, or held, an archive is an
// "archive". Options.Platform is for the images named by reference among
// a scan's targets; the others are read as they are.
func (g Generator) Generate(ctx context.Context, scheme source.Scheme, path string) (*model.Document, source.Kind, error) {
	opts := g.Options
	if !scheme.Remote() {
		opts.Platform = ""
	}
	res, err := Generate(ctx, scheme, path, g.Engine, opts)
	if err != nil {
		return nil, "", err
	}
	return res.Document, source.KindOf(scheme, res.Walk.Archives > 0), nil
}

// inspect walks the files: on disk for directories and files, through
// syft's view of the image for image archives. One of the walk's workers
// waits until syft has cataloged (cataloged is closed; walk.HoldBack):
// where the walk ends well before syft (an image), it then fills the
// cores syft leaves idle rather than slowing syft, which the generation
// waits for too (docs/performance.md).
func inspect(ctx context.Context, scheme source.Scheme, target string, src syftsource.Source, in *deep.Inspector, asm *deep.Assembler, opts Options, cataloged <-chan struct{}) (walk.Report, error) {
	var mu sync.Mutex
	var files int
	var bytesRead int64
	// The walk reads, decompresses and scans on one goroutine per core;
	// syft runs beside it.
	c := in.Collect()
	defer c.Assemble(asm)
	fn := func(f *walk.File) error {
		if opts.Progress != nil {
			mu.Lock()
			files++
			if f.Windows != nil { // read in windows by c.Add below
				bytesRead += f.Size
			} else {
				bytesRead += int64(len(f.Data))
			}
			opts.Progress(Progress{Phase: "inspecting", Files: files, Bytes: bytesRead, Current: f.Location})
			mu.Unlock()
		}
		c.Add(f)
		return nil
	}
	hold := walk.HoldBack(1, cataloged)
	if scheme == source.Dir || scheme == source.File {
		return walk.WalkParallel(ctx, target, opts.Limits, runtime.GOMAXPROCS(0), fn, hold)
	}
	return walkImage(ctx, src, opts.Limits, fn, hold)
}

// walkImage visits the files of an image's squashed file system, in path
// order. Each file goes through the walker (its archives are opened too)
// as the files of a directory do: read by one goroutine per core into
// reused buffers, at random where stereoscope gives a file as a section of
// its unpacked layer on disk, so that a file larger than the file-bytes
// limit is never read whole; the limits hold for the image as a whole. A
// link to a regular file is visited as that file, under its own path.
func walkImage(ctx context.Context, src syftsource.Source, lim walk.Limits, fn func(*walk.File) error, opts ...walk.Option) (walk.Report, error) {
	res, err := src.FileResolver(syftsource.SquashedScope)
	if err != nil {
		return walk.Report{}, fmt.Errorf("image files: %w", err)
	}
	var paths []string
	seen := map[string]bool{}
	for loc := range res.AllLocations(ctx) {
		if p := loc.RealPath; !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	files := func(yield func(walk.Opener) bool) {
		for _, p := range paths {
			name := strings.TrimPrefix(p, "/")
			locs, err := res.FilesByPath(p)
			if err != nil {
				if !yield(walk.Opener{Location: name, Err: err}) {
					return
				}
				continue
			}
			if len(locs) == 0 {
				continue
			}
			loc := locs[0]
			meta, err := res.FileMetadataByLocation(loc)
			if err != nil {
				if !yield(walk.Opener{Location: name, Err: err}) {
					return
				}
				continue
			}
			if meta.Type != stfile.TypeRegular {
				continue
			}
			open := func() (io.ReadCloser, error) { return res.FileContentsByLocation(loc) }
			if !yield(walk.Opener{Location: name, Size: meta.Size(), Mode: meta.Mode(), Open: open}) {
				return
			}
		}
	}
	return walk.WalkFiles(ctx, files, lim, runtime.GOMAXPROCS(0), fn, opts...)
}

// attach adds deep inspection's components to the document. A file that
// syft catalogued as a package of its own (a binary, a jar) gives that
// package its facts instead of becoming a second component; a file inside
// it, or inside a package's directory, goes under that package; any other
// goes under the product root.
func attach(doc *model.Document, comps []*model.Component) {
	owner := map[string]*model.Component{}
	for _, c := range doc.Components {
		if isRoot(doc, c.Ref) {
			continue
		}
		for _, l := range c.Locations {
			if k := cleanLocation(l); k != "" && owner[k] == nil {
				owner[k] = c
			}
		}
	}
	root := ""
	if len(doc.Roots) == 1 {
		root = doc.Roots[0]
	}
	merged := map[string]string{} // deep ref -> package ref it was merged into
	for _, c := range comps {
		if c.Parent != "" {
			if into, ok := merged[c.Parent]; ok {
				c.Parent = into
			}
		} else if pkg := owner[cleanLocation(deep.DiskPath(c.Name))]; pkg != nil {
			if c.Name == deep.DiskPath(c.Name) && len(pkg.Locations) == 1 {
				// The package is this very file: its facts are the package's.
				pkg.Properties = append(pkg.Properties, c.Properties...)
				pkg.Hashes = append(pkg.Hashes, c.Hashes...)
				merged[c.Ref] = pkg.Ref
				continue
			}
			c.Parent = pkg.Ref
		} else {
			c.Parent = root
		}
		doc.Components = append(doc.Components, c)
	}
	// A catalogued file that deep inspection also made a component of is
	// that component now: it takes the file's digests.
	byLoc := map[string]*model.Component{}
	for _, c := range comps {
		// Only the components of files: what a recipe declares is named
		// by itself, not by a location (pkg/recipe).
		if _, gone := merged[c.Ref]; !gone && len(c.Locations) == 1 && c.Locations[0] == c.Name {
			byLoc[cleanLocation(c.Name)] = c
		}
	}
	files := doc.Files[:0]
	for _, f := range doc.Files {
		if c := byLoc[cleanLocation(f.Name)]; c != nil {
			c.Hashes = append(c.Hashes, f.Checksums...)
			continue
		}
		files = append(files, f)
	}
	doc.Files = files
	doc.Normalize()
}

func isRoot(doc *model.Document, ref string) bool {
	for _, r := range doc.Roots {
		if r == ref {
			return true
		}
	}
	return false
}

// cleanLocation makes syft's locations ("/lib/x.jar") and the walk's
// ("lib/x.jar") comparable.
func cleanLocation(l string) string {
	l = strings.TrimPrefix(path.Clean("/"+filepath.ToSlash(l)), "/")
	if l == "." {
		return ""
	}
	return l
}
