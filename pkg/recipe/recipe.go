// Package recipe reads the files that say what a product is built from or
// deployed with — build scripts, container and deployment recipes,
// configuration management, service units — and the imports of source
// files. What they declare becomes components that pkg/match reads like
// any other: `apt-get install kesl` in a Dockerfile is a package named
// kesl, declared at Dockerfile:LINE, matched by the rules for KESL.
//
// Each kind of file has a small reader of its own (docker, gradle, shell,
// cm, k8s, systemd, powershell, kud, source); this package picks the
// reader by the file's name. Readers are parsers of untrusted text: files larger than MaxBytes
// are not read as recipes, lines are cut at decl.MaxLine, a file declares
// at most decl.MaxItems things, and nothing is ever run, fetched or
// expanded.
package recipe

import (
	"bytes"
	"path"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/cm"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/docker"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/gradle"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/k8s"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/kud"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/powershell"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/shell"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/source"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/systemd"
)

// Item is one thing a recipe declares.
type Item = decl.Item

// MaxBytes is the largest file read as a recipe.
const MaxBytes = decl.MaxBytes

// Readers, as Reader returns them.
const (
	Docker  = "dockerfile"
	Gradle  = "gradle"
	Catalog = "gradle-catalog"
	Shell   = "shell"
	Answers = "answers"
	YAML    = "yaml"
	Chef    = "chef"
	Puppet  = "puppet"
	Systemd = "systemd"
	Source  = "source"
	// PowerShell reads .ps1 and .psm1, Batch .cmd and .bat
	// (pkg/recipe/powershell).
	PowerShell = "powershell"
	Batch      = "batch"
	// KSCPackage reads Kaspersky Security Center installation package
	// descriptors, .kud and .kpd (pkg/recipe/kud).
	KSCPackage = "ksc-package"
)

// Reader returns the reader for a file, by its location (a path, or a
// path inside archives), or "" when the file is not a recipe.
func Reader(location string) string {
	loc := location
	if i := strings.LastIndexByte(loc, '!'); i >= 0 {
		loc = loc[i+1:]
	}
	base := strings.ToLower(path.Base(loc))
	if (strings.HasSuffix(base, ".kud") || strings.HasSuffix(base, ".kpd")) && len(base) > 4 {
		return KSCPackage // a descriptor (INI), though KitExt counts it as a package
	}
	if decl.KitExt(base) {
		return "" // an archive or a package, whatever its name says
	}
	switch {
	case base == "dockerfile" || base == "containerfile" ||
		strings.HasPrefix(base, "dockerfile.") || strings.HasPrefix(base, "containerfile.") ||
		strings.HasSuffix(base, ".dockerfile") || strings.HasSuffix(base, ".containerfile"):
		return Docker
	case strings.HasSuffix(base, ".gradle") || strings.HasSuffix(base, ".gradle.kts"):
		return Gradle
	case strings.HasSuffix(base, ".versions.toml"):
		return Catalog
	case strings.HasSuffix(base, ".sh") || strings.HasSuffix(base, ".bash"):
		return Shell
	case strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".sls") ||
		base == "user-data":
		return YAML
	case strings.HasSuffix(base, ".rb") && (strings.Contains(loc, "recipes/") || strings.Contains(loc, "cookbooks/")):
		return Chef
	case strings.HasSuffix(base, ".pp"):
		return Puppet
	case strings.HasSuffix(base, ".service"):
		return Systemd
	case strings.HasSuffix(base, ".ps1") || strings.HasSuffix(base, ".psm1"):
		return PowerShell
	case strings.HasSuffix(base, ".cmd") || strings.HasSuffix(base, ".bat"):
		return Batch
	case strings.HasSuffix(base, ".ini") || strings.HasSuffix(base, ".conf") || strings.HasSuffix(base, ".cfg") ||
		strings.HasSuffix(base, ".txt") || strings.Contains(base, "answer") || strings.Contains(base, "autoinstall"):
		return Answers
	case source.Language(base) != "":
		return Source
	}
	return ""
}

// ImportFilter tells, before a source file is parsed, whether Parse could
// keep any of its imports (see source.Filter for the keep functions it
// serves and why it never says no too often).
type ImportFilter = source.Filter

// NewImportFilter returns the ImportFilter of the words a kept import
// must hold (source.NewFilter).
func NewImportFilter(words []string) *ImportFilter { return source.NewFilter(words) }

// MayDeclare reports false when Parse(location, data, keep) is sure to
// return nothing: the file is larger than MaxBytes, or it is source code
// none of whose imports keep could keep, keep being of the kind the
// filter serves. It says yes for every other file, and for a nil filter.
func MayDeclare(location string, data []byte, imports *ImportFilter) bool {
	if len(data) > MaxBytes {
		return false // Parse reads nothing
	}
	if imports == nil || Reader(location) != Source {
		return true
	}
	i := strings.LastIndexByte(location, '.')
	return imports.MayKeep(source.Language(location[i:]), data)
}

// Parse reads a file with the reader Reader picks for its location. keep,
// when not nil, says which imports of a source file to return (the
// others are dropped as they are read). A file larger than MaxBytes is
// not read.
func Parse(location string, data []byte, keep func(string) bool) []Item {
	if len(data) > MaxBytes {
		return nil
	}
	switch Reader(location) {
	case Docker:
		return docker.Parse(data)
	case Gradle:
		return gradle.Parse(data)
	case Catalog:
		return gradle.ParseCatalog(data)
	case Shell:
		return shell.Parse(data)
	case YAML:
		// Decoded once for both readers.
		docs := decl.YAMLDocuments(data)
		return append(cm.ParseDocuments(data, docs), k8s.ParseDocuments(docs)...)
	case Chef:
		return cm.ParseChef(data)
	case Puppet:
		return cm.ParsePuppet(data)
	case Systemd:
		return systemd.Parse(data)
	case PowerShell:
		return powershell.Parse(data)
	case Batch:
		return powershell.ParseBatch(data)
	case KSCPackage:
		return kud.Parse(data)
	case Answers:
		if !bytes.Contains(data, []byte("USE_KSN")) && !bytes.Contains(data, []byte("KLNAGENT_")) {
			return nil
		}
		var l decl.List
		shell.Answers(data, &l)
		return l.Items
	case Source:
		i := strings.LastIndexByte(location, '.')
		return source.Parse(source.Language(location[i:]), data, keep)
	}
	return nil
}
