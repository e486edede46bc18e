package generate

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/anchore/stereoscope/pkg/image"
)

// ParsePlatform checks an image platform given as OS/ARCH[/VARIANT]
// ("linux/arm64", "linux/arm/v7") and returns it normalised as stereoscope
// and the registries spell it ("linux/x86_64" is "linux/amd64", "linux/arm"
// is "linux/arm/v7"). "" is no platform: the default.
func ParsePlatform(s string) (string, error) {
	p, err := parsePlatform(s)
	return p.String(), err
}

func parsePlatform(s string) (*image.Platform, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("platform %q: want OS/ARCH[/VARIANT], such as linux/amd64 or linux/arm/v7", s)
	}
	p, err := image.NewPlatform(s)
	if err != nil || p.Architecture == "" || !sameOS(parts[0], p.OS) {
		return nil, fmt.Errorf("platform %q: want OS/ARCH[/VARIANT] with a known operating system and architecture, such as linux/amd64 or linux/arm/v7", s)
	}
	return p, nil
}

// sameOS reports whether the first part of a platform, as given, is the
// operating system stereoscope parsed (it takes "arm/v7" for an
// architecture and variant, with linux assumed).
func sameOS(given, parsed string) bool {
	given = strings.ToLower(given)
	return given == parsed || given == "macos" && parsed == "darwin"
}

// defaultPlatform is the platform pulled from a multi-platform image when
// none is asked for: linux on the host's architecture.
func defaultPlatform() *image.Platform {
	return &image.Platform{OS: "linux", Architecture: runtime.GOARCH}
}
