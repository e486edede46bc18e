// Package source reads source files for the namespaces, headers and
// modules they import: Java, Kotlin, Scala and Groovy imports, C, C++ and
// Objective-C #include and #import, C# using directives, Python import
// and from ... import, and JavaScript and TypeScript import and require.
// Only the import lines are read, and only up to the first MaxImportLines
// lines that are not imports, so a long file costs little.
package source

import (
	"regexp"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// Languages, by what Language returns.
const (
	Java   = "java"
	C      = "c"
	CSharp = "csharp"
	Python = "python"
	JS     = "js"
)

// Language returns the language of a file by its extension, or "".
func Language(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	switch strings.ToLower(name[i+1:]) {
	case "java", "kt", "scala", "groovy":
		return Java
	case "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "m", "mm":
		return C
	case "cs":
		return CSharp
	case "py":
		return Python
	case "js", "mjs", "cjs", "jsx", "ts", "tsx":
		return JS
	}
	return ""
}

var (
	javaImport = regexp.MustCompile(`^\s*import\s+(?:static\s+)?([A-Za-z_][\w.]*[\w*])\s*(?:;|\s+as\s+\w+|$)`)
	cInclude   = regexp.MustCompile(`^\s*#\s*(?:include|import)\s*[<"]([^>"]{1,300})[>"]`)
	csUsing    = regexp.MustCompile(`^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([A-Za-z_][\w.]*)\s*;`)
	pyImport   = regexp.MustCompile(`^\s*import\s+([\w.]+(?:\s*(?:as\s+\w+)?\s*,\s*[\w.]+)*)`)
	pyFrom     = regexp.MustCompile(`^\s*from\s+([\w.]+)\s+import\b`)
	jsImport   = regexp.MustCompile(`(?:\bfrom\s+|^\s*import\s+|\brequire\s*\(\s*|\bimport\s*\(\s*)['"]([^'"]{1,300})['"]`)
	pyAlias    = regexp.MustCompile(`\s+as\s+\w+`)
)

// MaxImportLines is how many lines that are not imports a file may have
// before the reader stops: imports come first in every language read here
// (JavaScript's require may come later, and is looked for up to there).
const MaxImportLines = 2000

// Parse reads the imports of a source file in lang. keep, when not nil,
// says which imported names to return.
func Parse(lang string, data []byte, keep func(string) bool) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	var l decl.List
	add := func(name string, n int, by string) {
		name = strings.TrimSuffix(strings.TrimSpace(name), ".*")
		if name == "" || keep != nil && !keep(name) {
			return
		}
		l.Add(decl.Item{Kind: decl.Import, Name: name, Line: n, By: by})
	}
	other := 0
	for _, ln := range decl.Lines(data) {
		t := ln.Text
		found := false
		if !maybeImport(lang, t) {
			if other++; other > MaxImportLines {
				break
			}
			continue
		}
		switch lang {
		case Java:
			if m := javaImport.FindStringSubmatch(t); m != nil {
				add(m[1], ln.N, "java import")
				found = true
			}
		case C:
			if m := cInclude.FindStringSubmatch(t); m != nil {
				add(m[1], ln.N, "c #include")
				found = true
			}
		case CSharp:
			if m := csUsing.FindStringSubmatch(t); m != nil {
				add(m[1], ln.N, "c# using")
				found = true
			}
		case Python:
			if m := pyFrom.FindStringSubmatch(t); m != nil {
				add(m[1], ln.N, "python from-import")
				found = true
			} else if m := pyImport.FindStringSubmatch(t); m != nil {
				for _, p := range strings.Split(pyAlias.ReplaceAllString(m[1], ""), ",") {
					add(p, ln.N, "python import")
				}
				found = true
			}
		case JS:
			if strings.Contains(t, "import") || strings.Contains(t, "require") || strings.Contains(t, "from") {
				for _, m := range jsImport.FindAllStringSubmatch(t, 8) {
					add(m[1], ln.N, "js import")
					found = true
				}
			}
		}
		if !found {
			if other++; other > MaxImportLines {
				break
			}
		}
	}
	return l.Items
}

// maybeImport is a cheap test before the expressions: whether a line
// could be an import in lang.
func maybeImport(lang, t string) bool {
	t = strings.TrimLeft(t, " \t")
	switch lang {
	case Java:
		return strings.HasPrefix(t, "import")
	case C:
		return strings.HasPrefix(t, "#")
	case CSharp:
		return strings.HasPrefix(t, "using") || strings.HasPrefix(t, "global")
	case Python:
		return strings.HasPrefix(t, "import") || strings.HasPrefix(t, "from")
	case JS:
		return strings.Contains(t, "import") || strings.Contains(t, "require") || strings.Contains(t, "from")
	}
	return false
}
