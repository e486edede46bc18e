package generate

import (
	"context"
	"errors"
	"fmt"

	stfile "github.com/anchore/stereoscope/pkg/file"
	"github.com/anchore/stereoscope/pkg/image"
	"github.com/anchore/stereoscope/pkg/image/docker"
	"github.com/anchore/stereoscope/pkg/image/oci"
	"github.com/anchore/stereoscope/pkg/image/sif"
	syftsource "github.com/anchore/syft/syft/source"
	"github.com/anchore/syft/syft/source/directorysource"
	"github.com/anchore/syft/syft/source/filesource"
	"github.com/anchore/syft/syft/source/sourceproviders"
	"github.com/anchore/syft/syft/source/stereoscopesource"

	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// tempPrefix names the temporary directory an image reader unpacks into
// ("pedigree-image-*" under TMPDIR); the directory lives as long as one
// generation.
const tempPrefix = "pedigree-image"

// openSource opens target as a syft source of the given kind. It tries the
// readers syft.GetSource tries for that source name, in its order
// (sourceproviders.All): for "file", the image archive readers (docker
// archive, OCI archive, OCI layout, Singularity), then the plain file, so
// that a `docker save` tarball is cataloged as the image it holds; for
// "dir", the OCI layout reader, then the plain directory; an image kind
// names its one reader.
//
// Unlike syft.GetSource, the image readers get a temporary directory
// generator of this call's own, which the caller must Cleanup once the
// source is closed, whether or not a source was opened. GetSource's readers
// share stereoscope's process-wide generator, which keeps what every reader
// unpacked, a reader that failed included (the OCI archive reader unpacks
// any tar before it looks for an index), until stereoscope.Cleanup, which
// would also remove the directories of generations still running beside
// this one.
func openSource(ctx context.Context, scheme source.Scheme, target string, gen *stfile.TempDirGenerator) (syftsource.Source, error) {
	var errs []error
	for _, p := range providers(scheme, target, gen) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src, err := p.Provide(ctx)
		if err == nil && src != nil {
			return src, nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Name(), err))
		}
		// What a reader that failed unpacked is of no use to the next:
		// remove it now rather than at the end (the generator stays usable).
		if err := gen.Cleanup(); err != nil {
			errs = append(errs, fmt.Errorf("removing temporary files: %w", err))
		}
	}
	if len(errs) == 0 {
		return nil, errors.New("no reader for this source")
	}
	return nil, errors.Join(errs...)
}

// providers are the readers openSource tries, in order.
func providers(scheme source.Scheme, target string, gen *stfile.TempDirGenerator) []syftsource.Provider {
	cfg := sourceproviders.DefaultConfig()
	img := func(p image.Provider) syftsource.Provider { return imageProvider{p: p, ref: target} }
	dockerArchive := img(docker.NewArchiveProvider(gen, target))
	ociArchive := img(oci.NewArchiveProvider(gen, target))
	ociDir := img(oci.NewDirectoryProvider(gen, target))
	switch scheme {
	case source.DockerArchive:
		return []syftsource.Provider{dockerArchive}
	case source.OCIArchive:
		return []syftsource.Provider{ociArchive}
	case source.OCIDir:
		return []syftsource.Provider{ociDir}
	case source.Dir:
		return []syftsource.Provider{ociDir, directorysource.NewSourceProvider(target, cfg.Exclude, cfg.Alias, cfg.BasePath)}
	case source.File:
		return []syftsource.Provider{dockerArchive, ociArchive, ociDir, img(sif.NewArchiveProvider(gen, target)),
			filesource.NewSourceProvider(target, cfg.Exclude, cfg.DigestAlgorithms, cfg.Alias)}
	}
	return nil
}

// imageProvider makes a source of an image, as syft's own image source
// provider does (stereoscopesource.Providers), from a reader given the
// generation's temporary directory generator.
type imageProvider struct {
	p   image.Provider
	ref string
}

func (i imageProvider) Name() string { return i.p.Name() }

func (i imageProvider) Provide(ctx context.Context) (syftsource.Source, error) {
	// Lower layers are squashed only if something reads them: a squashed
	// scan never does (syft's default).
	img, err := i.p.Provide(image.WithLazyLayerSquashes(ctx))
	if err != nil {
		return nil, err
	}
	return stereoscopesource.New(img, stereoscopesource.ImageConfig{Reference: i.ref}), nil
}

// closeSource closes src, if any, and removes what the generation's image
// readers unpacked.
func closeSource(src syftsource.Source, gen *stfile.TempDirGenerator) error {
	var errs []error
	if src != nil {
		errs = append(errs, src.Close())
	}
	errs = append(errs, gen.Cleanup())
	return errors.Join(errs...)
}
