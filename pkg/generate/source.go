package generate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

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
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

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
func openSource(ctx context.Context, scheme source.Scheme, target string, platform *image.Platform, gen *stfile.TempDirGenerator) (syftsource.Source, error) {
	var errs []error
	for _, p := range providers(scheme, target, platform, gen) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src, err := p.Provide(ctx)
		if err == nil && src != nil {
			return src, nil
		}
		if err != nil && scheme.Remote() {
			errs = append(errs, err) // one reader, which says what it tried
		} else if err != nil {
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

// providers are the readers openSource tries, in order. platform, if
// any, is the one of an image named by reference (source.Scheme.Remote).
func providers(scheme source.Scheme, target string, platform *image.Platform, gen *stfile.TempDirGenerator) []syftsource.Provider {
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
	case source.Registry:
		return []syftsource.Provider{img(registryProvider{gen: gen, ref: target, platform: platform})}
	case source.Docker, source.Podman:
		return []syftsource.Provider{img(daemonProvider{scheme: scheme, gen: gen, ref: target, platform: platform})}
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

// registryProvider pulls an image by reference through the registry API
// (the OCI distribution protocol), as stereoscope's registry provider does
// and with the same credentials: the default keychain of
// go-containerregistry, that is the Docker config file ($DOCKER_CONFIG or
// ~/.docker/config.json, its credential helpers included) and Podman's
// auth.json. Unlike stereoscope's, it speaks plain HTTP only to a registry
// on localhost or a loopback address (go-containerregistry would also fall
// back to HTTP for private and .local addresses). From a multi-platform
// index it pulls the image of the platform asked for, by default linux on
// the host's architecture (stereoscope's default); an image that is not of
// the platform asked for is an error.
type registryProvider struct {
	gen      *stfile.TempDirGenerator
	ref      string
	platform *image.Platform // nil: defaultPlatform
}

func (registryProvider) Name() string { return "registry" }

func (r registryProvider) Provide(ctx context.Context) (*image.Image, error) {
	ref, err := name.ParseReference(r.ref)
	if err != nil {
		return nil, fmt.Errorf("not an image reference: %w", err)
	}
	host := ref.Context().RegistryStr()
	want := r.platform
	if want == nil {
		want = defaultPlatform()
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	desc, err := remote.Get(ref,
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithTransport(loopbackHTTPOnly{tr}),
		remote.WithUserAgent("pedigree"),
		remote.WithPlatform(v1.Platform{OS: want.OS, Architecture: want.Architecture, Variant: want.Variant}))
	if err != nil {
		return nil, fmt.Errorf("cannot pull from registry %s: %w", host, err)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("cannot pull from registry %s: %w", host, err)
	}
	if r.platform != nil {
		// A single image is taken whatever its platform; one asked for
		// explicitly must be that one.
		cfg, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("cannot pull from registry %s: reading the image configuration: %w", host, err)
		}
		if got := (&image.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}); got.OS != want.OS || got.Architecture != want.Architecture || want.Variant != "" && got.Variant != want.Variant {
			return nil, fmt.Errorf("registry %s: the image is for %s, not %s", host, got, want)
		}
	}
	dir, err := r.gen.NewDirectory("oci-registry-image")
	if err != nil {
		return nil, err
	}
	meta := []image.AdditionalMetadata{image.WithRepoDigests(ref.Context().Name() + "@" + desc.Digest.String())}
	if m, err := img.RawManifest(); err == nil {
		meta = append(meta, image.WithManifest(m))
	}
	out := image.New(img, r.gen, dir, meta...)
	if err := out.Read(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("reading the image from registry %s: %w", host, err), out.Cleanup())
	}
	return out, nil
}

// loopbackHTTPOnly refuses plain HTTP to any host but localhost and
// loopback addresses: a registry elsewhere is read over TLS or not at all.
type loopbackHTTPOnly struct{ base http.RoundTripper }

func (l loopbackHTTPOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !loopback(req.URL.Hostname()) {
		return nil, fmt.Errorf("plain HTTP to %s refused: only a registry on localhost or a loopback address is read without TLS", req.URL.Host)
	}
	return l.base.RoundTrip(req)
}

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
