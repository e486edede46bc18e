package generate

import (
	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/pkg/cataloger/javascript"
)

// sbomConfig is syft's cataloging configuration for a generation: syft's
// defaults, with every option that makes a cataloger start a process, open
// a network connection or read outside the target turned off, each set
// here even where syft's default is already off, so that a change of
// default upstream changes nothing. A scan starts no process and opens no
// connection (docs/DESIGN.md); TestOffline proves it for every ecosystem
// below, and docs/reliability.md ("No process, no network") lists them.
//
// One process is syft's and not an option: its defaults look up the home
// directory (for ~/go/pkg/mod and ~/.m2), and with HOME unset on Unix
// anchore/go-homedir runs `getent passwd UID`, then `sh -c "cd && pwd"`,
// to find it. Nothing in the target decides that; HOME set avoids it.
func sbomConfig() *syft.CreateSBOMConfig {
	cfg := syft.DefaultCreateSBOMConfig().WithTool("pedigree", "")
	pk := cfg.Packages

	// Go: the go.mod cataloger would otherwise load the module with
	// golang.org/x/tools/go/packages, which runs `go list -deps all` in the
	// target: the go command downloads the modules it lacks, and a
	// toolchain line in the target's go.mod makes it fetch and run another
	// Go toolchain. Licences would be fetched from the module proxy (HTTP)
	// or cloned with git (a "direct" GOPROXY), or read from the local
	// module cache and from ./vendor of the working directory, neither of
	// which is the product.
	pk.Golang = pk.Golang.
		WithUsePackagesLib(false).
		WithSearchRemoteLicenses(false).
		WithSearchLocalModCacheLicenses(false).
		WithSearchLocalVendorLicenses(false)

	// Java: parent POMs and licences from Maven Central (HTTP) or from the
	// local ~/.m2 repository (not the product); transitive dependencies
	// would be resolved through them.
	pk.JavaArchive = pk.JavaArchive.
		WithUseNetwork(false).
		WithUseMavenLocalRepository(false).
		WithResolveTransitiveDependencies(false)

	// JavaScript and Python: licences from the npm registry and PyPI.
	pk.JavaScript = javascript.DefaultCatalogerConfig().WithSearchRemoteLicenses(false)
	pk.Python = pk.Python.WithSearchRemoteLicenses(false)

	// C and C++: vcpkg registries would be cloned with git.
	pk.Cpp = pk.Cpp.WithVcpkgAllowGitClone(false)

	return cfg.WithPackagesConfig(pk)
}
