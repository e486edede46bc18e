// Package gradle reads Gradle build scripts (build.gradle, *.gradle.kts,
// settings.gradle) and version catalogs (libs.versions.toml) for the
// dependencies they declare: Maven coordinates ('group:name:version',
// group:/name:/version: maps, mapOf("group" to ...)), flat-directory
// artifacts (name: 'KL_Mobile_SDK_Android_…', ext: 'aar'), and local files
// (files('libs/x.aar'), fileTree(include: [...])). A build script is a
// program; it is read as text and never evaluated, so dependencies that
// only a running build computes are not found.
package gradle

import (
	"regexp"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

var (
	quoted = regexp.MustCompile(`['"]([^'"\s]{1,300})['"]`)
	// coordinate is group:name[:version[:classifier]][@ext].
	coordinate = regexp.MustCompile(`^([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::([^:@\s]+))?(?::([^:@\s]+))?(?:@([A-Za-z0-9]+))?$`)
	mapKey     = regexp.MustCompile(`["']?\b(group|name|version|ext|classifier)["']?\s*(?:[:=]|\bto\b)\s*['"]([^'"]{1,300})['"]`)
	filesCall  = regexp.MustCompile(`\bfiles?\s*\(([^)]*)\)`)
	includeArg = regexp.MustCompile(`\binclude(?:s)?["']?\s*(?:[:=(]|\bto\b)\s*(?:\[|listOf\(|setOf\()?([^\])]*)`)
	firstWord  = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9_]*)\s*[\s(]`)
)

// notConfigurations are leading words of lines whose strings are not
// dependencies.
var notConfigurations = map[string]bool{"id": true, "include": true, "apply": true, "plugin": true,
	"url": true, "uri": true, "maven": true, "println": true, "namespace": true, "applicationId": true}

// Parse reads a Gradle build script.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	var l decl.List
	comment := false
	for _, ln := range decl.Lines(data) {
		if len(l.Items) >= decl.MaxItems {
			break
		}
		t := strings.TrimSpace(ln.Text)
		if comment {
			if i := strings.Index(t, "*/"); i >= 0 {
				comment = false
				t = t[i+2:]
			} else {
				continue
			}
		}
		if strings.HasPrefix(t, "/*") && !strings.Contains(t, "*/") {
			comment = true
			continue
		}
		if t == "" || strings.HasPrefix(t, "//") {
			continue
		}
		line(t, ln.N, &l)
	}
	return l.Items
}

func line(t string, n int, l *decl.List) {
	word := ""
	if m := firstWord.FindStringSubmatch(t); m != nil {
		word = m[1]
	}
	if notConfigurations[word] {
		return
	}
	by := "gradle"
	if word != "" {
		by = "gradle " + word
	}
	// files('libs/x.aar'), fileTree(dir: 'libs', include: ['x.aar'])
	for _, m := range filesCall.FindAllStringSubmatch(t, -1) {
		for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
			kit(q[1], n, by+" files", l)
		}
	}
	if strings.Contains(t, "fileTree") {
		for _, m := range includeArg.FindAllStringSubmatch(t, -1) {
			for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
				kit(q[1], n, by+" fileTree", l)
			}
		}
	}
	// Maps: group: 'g', name: 'a', version: 'v', ext: 'aar'.
	keys := map[string]string{}
	for _, m := range mapKey.FindAllStringSubmatch(t, -1) {
		if keys[m[1]] == "" {
			keys[m[1]] = m[2]
		}
	}
	switch {
	case keys["name"] != "" && keys["group"] != "":
		l.Add(maven(keys["group"], keys["name"], keys["version"], keys["ext"], n, by))
	case keys["name"] != "" && keys["ext"] != "":
		// A flat-directory artifact: the file NAME[-VERSION].EXT.
		file := keys["name"]
		if v := keys["version"]; v != "" {
			file += "-" + v
		}
		kit(file+"."+keys["ext"], n, by+" name/ext", l)
	}
	// 'group:name:version' strings.
	for _, q := range quoted.FindAllStringSubmatch(t, -1) {
		if m := coordinate.FindStringSubmatch(q[1]); m != nil && !strings.Contains(q[1], "//") {
			l.Add(maven(m[1], m[2], m[3], m[5], n, by))
		}
	}
}

func kit(p string, n int, by string, l *decl.List) {
	b := decl.Base(p)
	if strings.HasPrefix(b, "*") || !decl.KitExt(b) {
		return
	}
	l.Add(decl.Item{Kind: decl.Kit, Name: b, Path: p, Line: n, By: by})
}

func maven(group, name, version, ext string, n int, by string) decl.Item {
	if strings.ContainsAny(version, "$") {
		version = ""
	}
	purl := decl.PURL("maven", group, name, version)
	if ext != "" && ext != "jar" {
		purl += "?type=" + ext
	}
	return decl.Item{Kind: decl.Package, Group: group, Name: name, Version: version, PURL: purl, Line: n, By: by}
}

// ParseCatalog reads a Gradle version catalog (libs.versions.toml): the
// [libraries] and [plugins] tables, with version.ref resolved from
// [versions] in the same file.
func ParseCatalog(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	versions := map[string]string{}
	type entry struct {
		keys map[string]string
		n    int
	}
	var libs []entry
	table := ""
	for _, ln := range decl.Lines(data) {
		t := strings.TrimSpace(ln.Text)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasPrefix(t, "[") {
			table = strings.Trim(t, "[] ")
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k, v = strings.Trim(strings.TrimSpace(k), `"`), strings.TrimSpace(v)
		switch table {
		case "versions":
			if q := quoted.FindStringSubmatch(v); q != nil {
				versions[k] = q[1]
			}
		case "libraries":
			e := entry{keys: map[string]string{}, n: ln.N}
			if strings.HasPrefix(v, "{") {
				for _, kv := range tomlPairs.FindAllStringSubmatch(v, -1) {
					e.keys[kv[1]] = kv[2]
				}
			} else if q := quoted.FindStringSubmatch(v); q != nil {
				e.keys["coordinate"] = q[1]
			}
			libs = append(libs, e)
		}
	}
	var l decl.List
	for _, e := range libs {
		group, name, version := e.keys["group"], e.keys["name"], e.keys["version"]
		if c := e.keys["coordinate"]; c != "" {
			if m := coordinate.FindStringSubmatch(c); m != nil {
				group, name, version = m[1], m[2], m[3]
			}
		}
		if mod := e.keys["module"]; mod != "" {
			group, name, _ = strings.Cut(mod, ":")
		}
		if r := e.keys["version.ref"]; r != "" && version == "" {
			version = versions[r]
		}
		if group == "" || name == "" {
			continue
		}
		l.Add(maven(group, name, version, "", e.n, "gradle version catalog"))
	}
	return l.Items
}

var tomlPairs = regexp.MustCompile(`([A-Za-z][A-Za-z0-9_.\-]*)\s*=\s*"([^"]{0,300})"`)
