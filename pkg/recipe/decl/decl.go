// Package decl holds what the recipe readers (pkg/recipe/...) share: the
// Item a recipe declares, the bounds every reader keeps, line splitting,
// and package URLs for the ecosystems recipes install from.
//
// Recipes are untrusted text. Readers only read them: nothing is run,
// fetched, expanded or resolved, and every reader is bounded by MaxBytes,
// MaxLine and MaxItems.
package decl

import (
	"bytes"
	"net/url"
	"path"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kinds of Item.
const (
	// Package is a package a recipe installs or depends on (apt-get
	// install kesl, implementation 'g:a:v').
	Package = "package"
	// Kit is a file a recipe adds or unpacks (ADD Kaspersky_ScanEngine-*.tar.gz,
	// files('libs/x.aar')).
	Kit = "kit"
	// Image is a container image a recipe builds from or deploys.
	Image = "image"
	// Binary is a program a recipe runs (CMD, ExecStart, a vendor installer).
	Binary = "binary"
	// Import is a namespace, header or module a source file imports.
	Import = "import"
)

// Item is one thing a recipe declares.
type Item struct {
	Kind string
	// Group is a Maven group, when there is one.
	Group   string
	Name    string
	Version string
	// PURL is set when the ecosystem is known.
	PURL string
	// Path is a file path as the recipe writes it (a kit, a package file,
	// a program), or "".
	Path string
	// Line is the 1-based line of the declaration.
	Line int
	// By says how it was declared: "dockerfile RUN apt-get install".
	By string
}

// Bounds every reader keeps.
const (
	// MaxBytes is the largest file read as a recipe; larger files are
	// left to the content pass.
	MaxBytes = 1 << 20
	// MaxLine is the longest line read; the rest of a longer line is
	// ignored.
	MaxLine = 8 << 10
	// MaxLogical bounds a line joined from continuation lines.
	MaxLogical = 64 << 10
	// MaxItems bounds what one file declares.
	MaxItems = 512
)

// List collects items up to MaxItems.
type List struct{ Items []Item }

// Add appends an item with a name, unless the list is full or holds it
// already.
func (l *List) Add(it Item) {
	it.Name = strings.TrimSpace(it.Name)
	if it.Name == "" || len(it.Name) > 512 || len(l.Items) >= MaxItems {
		return
	}
	for _, x := range l.Items {
		if x == it {
			return
		}
	}
	l.Items = append(l.Items, it)
}

// Line is one line of a file, or several joined by continuations.
type Line struct {
	N    int // 1-based number of its first line
	Text string
}

// Lines splits data into lines, each cut at MaxLine, with "\r" removed.
func Lines(data []byte) []Line {
	var out []Line
	n := 0
	for len(data) > 0 {
		n++
		i := indexByte(data, '\n')
		var l []byte
		if i < 0 {
			l, data = data, nil
		} else {
			l, data = data[:i], data[i+1:]
		}
		if len(l) > MaxLine {
			l = l[:MaxLine]
		}
		out = append(out, Line{N: n, Text: strings.TrimRight(string(l), "\r")})
	}
	return out
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// Joined splits data into logical lines: a line ending in a backslash
// continues on the next. A logical line is cut at MaxLogical.
func Joined(data []byte) []Line {
	var out []Line
	var cur *Line
	for _, l := range Lines(data) {
		t := l.Text
		cont := strings.HasSuffix(t, `\`)
		if cont {
			t = t[:len(t)-1]
		}
		if cur == nil {
			out = append(out, Line{N: l.N})
			cur = &out[len(out)-1]
		} else {
			t = " " + t
		}
		if len(cur.Text)+len(t) <= MaxLogical {
			cur.Text += t
		}
		if !cont {
			cur = nil
		}
	}
	return out
}

// Base is the last element of a path or URL ("https://x/y/kesl.deb?a" gives
// "kesl.deb").
func Base(p string) string {
	if u, err := url.Parse(p); err == nil && u.Scheme != "" && u.Host != "" {
		p = u.Path
	}
	p = strings.TrimRight(strings.ReplaceAll(p, `\`, "/"), "/")
	return path.Base(p)
}

// KitExt reports whether a file name ends like a package or an archive
// that a recipe installs from or unpacks.
func KitExt(name string) bool {
	l := strings.ToLower(name)
	for _, e := range []string{".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip", ".deb", ".rpm", ".apk", ".aar", ".jar", ".whl", ".msi", ".exe", ".run", ".bin", ".kud", ".kpd"} {
		if strings.HasSuffix(l, e) && len(l) > len(e) {
			return true
		}
	}
	return false
}

// PURL builds a package URL: pkg:TYPE/[NAMESPACE/]NAME[@VERSION]. Names
// are escaped as the purl specification asks ("@" in an npm scope is %40).
func PURL(typ, namespace, name, version string) string {
	if name == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(typ)
	b.WriteByte('/')
	if namespace != "" {
		for _, seg := range strings.Split(namespace, "/") {
			b.WriteString(esc(seg))
			b.WriteByte('/')
		}
	}
	b.WriteString(esc(name))
	if version != "" {
		b.WriteByte('@')
		b.WriteString(esc(version))
	}
	return b.String()
}

func esc(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "@", "%40")
}

// DebFile reads a Debian package file name, NAME_VERSION_ARCH.deb.
func DebFile(file string) (name, version string, ok bool) {
	b := Base(file)
	if !strings.HasSuffix(strings.ToLower(b), ".deb") {
		return "", "", false
	}
	parts := strings.Split(b[:len(b)-4], "_")
	if parts[0] == "" {
		return "", "", false
	}
	if len(parts) >= 2 {
		version = parts[1]
	}
	return parts[0], version, true
}

// RPMFile reads an RPM file name, NAME-VERSION-RELEASE.ARCH.rpm (the
// version is VERSION-RELEASE).
func RPMFile(file string) (name, version string, ok bool) {
	b := Base(file)
	if !strings.HasSuffix(strings.ToLower(b), ".rpm") {
		return "", "", false
	}
	s := b[:len(b)-4]
	if i := strings.LastIndexByte(s, '.'); i > 0 && !strings.ContainsAny(s[i+1:], "-") && !isDigits(s[i+1:]) {
		s = s[:i] // the architecture
	}
	parts := strings.Split(s, "-")
	// The name ends before the first part that starts with a digit.
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" && (parts[i][0] >= '0' && parts[i][0] <= '9' || parts[i][0] == '$' || parts[i][0] == '*') {
			return strings.Join(parts[:i], "-"), strings.Join(parts[i:], "-"), true
		}
	}
	return s, "", s != ""
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// String is the item on one line, for tests and debugging:
// "L5 package kesl@10.1 pkg:deb/kesl@10.1 path=/tmp/kesl.deb (dpkg -i)".
func (it Item) String() string {
	var b strings.Builder
	b.WriteString("L")
	b.WriteString(strconv.Itoa(it.Line))
	b.WriteString(" ")
	b.WriteString(it.Kind)
	b.WriteString(" ")
	if it.Group != "" {
		b.WriteString(it.Group + ":")
	}
	b.WriteString(it.Name)
	if it.Version != "" {
		b.WriteString("@" + it.Version)
	}
	if it.PURL != "" {
		b.WriteString(" " + it.PURL)
	}
	if it.Path != "" {
		b.WriteString(" path=" + it.Path)
	}
	b.WriteString(" (" + it.By + ")")
	return b.String()
}

// Strings is each item's String.
func Strings(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.String()
	}
	return out
}

// Check reports what is wrong with items a reader returned for data: more
// than MaxItems, an empty name, a line outside the file. Fuzz targets use
// it.
func Check(items []Item, data []byte) string {
	if len(items) > MaxItems {
		return "more than MaxItems items"
	}
	lines := 1
	for _, c := range data {
		if c == '\n' {
			lines++
		}
	}
	for _, it := range items {
		switch {
		case strings.TrimSpace(it.Name) == "":
			return "an item without a name: " + it.String()
		case it.Line < 1 || it.Line > lines:
			return "an item outside the file: " + it.String()
		case it.Kind == "":
			return "an item without a kind: " + it.String()
		}
	}
	return ""
}

// MaxDocuments bounds the YAML documents read from one file.
const MaxDocuments = 1000

// YAMLDocuments decodes the documents of a YAML file, up to MaxDocuments,
// until the end or the first error (YAML a reader cannot read, such as a
// template): what the YAML readers (pkg/recipe/cm, pkg/recipe/k8s) walk.
// Decoded once, the documents serve every reader, which only read them.
func YAMLDocuments(data []byte) []*yaml.Node {
	var out []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; i < MaxDocuments; i++ {
		n := new(yaml.Node)
		if err := dec.Decode(n); err != nil {
			break
		}
		out = append(out, n)
	}
	return out
}
