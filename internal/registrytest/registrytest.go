// Package registrytest builds small container images for tests and serves
// them from an in-process registry on 127.0.0.1 (plain HTTP, no network),
// or writes them as a `docker save` tarball.
package registrytest

import (
	"archive/tar"
	"bytes"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// T is what the helpers need of a test: a *testing.T, or a
// *testscript.TestScript for a script's command.
type T interface {
	Fatalf(format string, args ...any)
}

// File is a regular file of an image: its path in the image, without a
// leading slash ("opt/kaspersky/kesl/bin/kesl"), and its contents.
type File struct {
	Path string
	Data []byte
}

// Image is a one-layer image of the platform ("linux/amd64",
// "linux/arm/v7") holding the files, with their parent directories.
func Image(t T, platform string, files ...File) v1.Image {
	p, err := v1.ParsePlatform(platform)
	if err != nil {
		t.Fatalf("%v", err)
	}
	layerTar := layer(t, files)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layerTar)), nil })
	if err != nil {
		t.Fatalf("%v", err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatalf("%v", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("%v", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatalf("%v", err)
	}
	return img
}

// DirImage is Image of the files under dir, at their paths relative to it.
func DirImage(t T, platform, dir string) v1.Image {
	var files []File
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, File{Path: filepath.ToSlash(rel), Data: data})
		return err
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	return Image(t, platform, files...)
}

// layer is the tar of the files and their parent directories.
func layer(t T, files []File) []byte {
	dirs := map[string]bool{}
	for _, f := range files {
		for d := path.Dir(f.Path); d != "." && d != "/"; d = path.Dir(d) {
			dirs[d+"/"] = true
		}
	}
	var names []string
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names) // a parent sorts before its children
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range names {
		if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			t.Fatalf("%v", err)
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(f.Path, "/"), Size: int64(len(f.Data)), Mode: 0o755, Typeflag: tar.TypeReg}); err != nil {
			t.Fatalf("%v", err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			t.Fatalf("%v", err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("%v", err)
	}
	return buf.Bytes()
}

// Serve starts a registry on 127.0.0.1 and returns its host:port and the
// function that stops it.
func Serve() (host string, stop func()) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	return strings.TrimPrefix(srv.URL, "http://"), srv.Close
}

// Push writes img to the registry as ref ("127.0.0.1:PORT/app:1").
func Push(t T, ref string, img v1.Image) {
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatalf("%v", err)
	}
}

// PushIndex writes a multi-platform image: an index of the images, each
// under the platform of its configuration.
func PushIndex(t T, ref string, imgs ...v1.Image) {
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("%v", err)
	}
	var adds []mutate.IndexAddendum
	for _, img := range imgs {
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatalf("%v", err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatalf("%v", err)
	}
}

// DockerSave is img as `docker save` writes it, tagged ref.
func DockerSave(t T, ref string, img v1.Image) []byte {
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatalf("%v", err)
	}
	var buf bytes.Buffer
	if err := tarball.Write(tag, img, &buf); err != nil {
		t.Fatalf("%v", err)
	}
	return buf.Bytes()
}

// ELF is the start of an ELF file followed by the strings, each ending in
// a NUL, as a binary's read-only data holds them.
func ELF(strs ...string) []byte {
	b := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00")
	b = append(b, make([]byte, 200)...)
	for _, s := range strs {
		b = append(b, s...)
		b = append(b, 0)
	}
	return append(b, make([]byte, 64)...)
}
