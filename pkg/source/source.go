// Package source names where a target's contents come from: the schemes a
// target may carry as a prefix ("sbom:bom.json", "dir:product/") and the
// kinds of source a report shows for a target once it was read. It is the
// one list of schemes that scan, generate, the report writers and the CLI
// share.
package source

import (
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
)

// Scheme is a target prefix before the first ':' that says how to read the
// path after it.
type Scheme string

// The schemes, in the order the documentation lists them.
const (
	// SBOM reads the path as an SBOM, never as a plain file.
	SBOM Scheme = "sbom"
	// SBOMDir is a directory of SBOMs, each read as a target of its own
	// ("sboms:bids/"); scan.Expand turns it into sbom: targets.
	SBOMDir Scheme = "sboms"
	// Dir generates the SBOM of a directory.
	Dir Scheme = "dir"
	// File generates the SBOM of one file or archive, never read as an
	// SBOM.
	File Scheme = "file"
	// DockerArchive, OCIArchive and OCIDir generate the SBOM of a container
	// image saved to disk (docker save, an OCI layout tar or directory).
	DockerArchive Scheme = "docker-archive"
	OCIArchive    Scheme = "oci-archive"
	OCIDir        Scheme = "oci-dir"
	// Registry generates the SBOM of a container image pulled from a
	// registry by its reference ("registry:alpine:latest"); the only
	// scheme that opens a network connection.
	Registry Scheme = "registry"
	// Docker and Podman generate the SBOM of an image a local Docker or
	// Podman daemon holds, named by its reference ("docker:alpine:3"); the
	// daemon is asked for it through its socket and never made to pull.
	Docker Scheme = "docker"
	Podman Scheme = "podman"
)

// AllSchemes lists every scheme, in documentation order.
func AllSchemes() []Scheme {
	return []Scheme{SBOM, SBOMDir, Dir, File, DockerArchive, OCIArchive, OCIDir, Registry, Docker, Podman}
}

// GeneratedSchemes lists the schemes whose targets are generated (their
// SBOM is built from the files), in documentation order.
func GeneratedSchemes() []Scheme {
	return []Scheme{Dir, File, DockerArchive, OCIArchive, OCIDir, Registry, Docker, Podman}
}

// ParseScheme returns the scheme named s, and false when s names none.
func ParseScheme(s string) (Scheme, bool) { return enum.Parse(s, AllSchemes()) }

// Generated reports whether targets of the scheme are generated.
func (s Scheme) Generated() bool {
	switch s {
	case Dir, File, DockerArchive, OCIArchive, OCIDir, Registry, Docker, Podman:
		return true
	}
	return false
}

// Image reports whether the scheme names a container image.
func (s Scheme) Image() bool {
	return s == DockerArchive || s == OCIArchive || s == OCIDir || s.Remote()
}

// Remote reports whether the scheme's path is not a local path but an
// image reference (registry:, docker:, podman:), so that it is not looked
// up on disk. Only these images have a platform to choose (--platform).
func (s Scheme) Remote() bool { return s == Registry || s == Docker || s == Podman }

// Daemon reports whether the scheme reads an image from a local container
// daemon (docker:, podman:).
func (s Scheme) Daemon() bool { return s == Docker || s == Podman }

// Split splits a target into its scheme and the path after it. ok is false
// when the target has no prefix of a known scheme; a one-letter prefix (a
// Windows drive letter) is never a scheme.
func Split(target string) (s Scheme, path string, ok bool) {
	prefix, rest, found := strings.Cut(target, ":")
	if !found {
		return "", target, false
	}
	s, ok = ParseScheme(prefix)
	if !ok {
		return "", target, false
	}
	return s, rest, true
}

// Names joins scheme names for a message: "sbom, dir or file".
func Names(schemes []Scheme) string {
	var b strings.Builder
	for i, s := range schemes {
		switch {
		case i == 0:
		case i == len(schemes)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(s))
	}
	return b.String()
}

// Kind is how a target was read, as reports show it.
type Kind string

// The kinds of source.
const (
	// KindSBOM: the target was an SBOM and was read as one.
	KindSBOM Kind = "sbom"
	// KindDir: a directory whose SBOM was generated.
	KindDir Kind = "dir"
	// KindFile: one file whose SBOM was generated and that held no archive.
	KindFile Kind = "file"
	// KindArchive: one file that was, or held, an archive that was opened.
	KindArchive Kind = "archive"
	// KindImage: a container image, saved to disk, pulled from a registry
	// or read from a daemon.
	KindImage Kind = "image"
)

// AllKinds lists every kind.
func AllKinds() []Kind {
	return []Kind{KindSBOM, KindDir, KindFile, KindArchive, KindImage}
}

// KindOf is the kind of a generated target of the scheme; archives tells
// whether reading it opened an archive.
func KindOf(s Scheme, archives bool) Kind {
	switch {
	case s.Image():
		return KindImage
	case s == Dir:
		return KindDir
	case s == File && archives:
		return KindArchive
	case s == File:
		return KindFile
	}
	return KindSBOM
}
