// Package docker reads Dockerfiles and Containerfiles for what the image
// they build contains: the base images (FROM), what RUN installs and runs
// (read by pkg/recipe/shell: apt-get, dpkg -i, rpm -i, yum, pip, npm, a
// vendor installer run by path), the package files and vendor kits ADD
// and COPY bring in (Kaspersky_ScanEngine-Linux-x86_64-*.tar.gz), and the
// program CMD and ENTRYPOINT start. Variables are never expanded; ENV
// values are left to deep inspection's content pass, which already reads
// every byte of the file.
package docker

import (
	"encoding/json"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/shell"
)

// Parse reads a Dockerfile.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	var l decl.List
	stages := map[string]bool{}
	lines := decl.Joined(data)
	for i := 0; i < len(lines); i++ {
		if len(l.Items) >= decl.MaxItems {
			break
		}
		ln := lines[i]
		t := strings.TrimSpace(ln.Text)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		instr, rest, _ := strings.Cut(t, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			from(rest, ln.N, stages, &l)
		case "RUN":
			rest = skipFlags(rest)
			if end := heredoc(rest); end != "" {
				// RUN <<EOF ... EOF: the lines between are the script.
				for i++; i < len(lines); i++ {
					if strings.TrimSpace(lines[i].Text) == end {
						break
					}
					shell.Read(lines[i].Text, lines[i].N, "dockerfile RUN", &l)
				}
				continue
			}
			if words, ok := execForm(rest); ok {
				shell.Command(words, ln.N, "dockerfile RUN", &l)
				continue
			}
			shell.Read(rest, ln.N, "dockerfile RUN", &l)
		case "ADD", "COPY":
			add(strings.ToUpper(instr), rest, ln.N, &l)
		case "CMD", "ENTRYPOINT":
			by := "dockerfile " + strings.ToUpper(instr)
			if words, ok := execForm(rest); ok {
				run(words, ln.N, by, &l)
				continue
			}
			// The shell form: the shell reader records programs run by
			// path; a program named without one is recorded here.
			shell.Read(rest, ln.N, by, &l)
			if cmds := shell.Commands(rest); len(cmds) > 0 && !strings.Contains(cmds[0][0], "/") {
				run(cmds[0], ln.N, by, &l)
			}
		}
	}
	return l.Items
}

// from reads FROM [--platform=P] IMAGE [AS NAME].
func from(rest string, line int, stages map[string]bool, l *decl.List) {
	f := strings.Fields(skipFlags(rest))
	if len(f) == 0 {
		return
	}
	ref := f[0]
	if len(f) >= 3 && strings.EqualFold(f[1], "as") {
		defer func() { stages[strings.ToLower(f[2])] = true }()
	}
	if ref == "scratch" || stages[strings.ToLower(ref)] || strings.Contains(ref, "$") {
		return
	}
	it := Image(ref)
	it.Line, it.By = line, "dockerfile FROM"
	l.Add(it)
}

// Image reads an image reference, [REGISTRY/]PATH[:TAG][@DIGEST], as an
// item with a pkg:docker purl.
func Image(ref string) decl.Item {
	name, digest, _ := strings.Cut(ref, "@")
	tag := ""
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		name, tag = name[:i], name[i+1:]
	}
	registry, repo := "", name
	if i := strings.IndexByte(name, '/'); i > 0 && (strings.ContainsAny(name[:i], ".:") || name[:i] == "localhost") {
		registry, repo = name[:i], name[i+1:]
	}
	version := tag
	if digest != "" {
		version = digest
	}
	ns, base := "", repo
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		ns, base = repo[:i], repo[i+1:]
	}
	purl := decl.PURL("docker", ns, base, version)
	if registry != "" && purl != "" {
		purl += "?repository_url=" + registry
	}
	return decl.Item{Kind: decl.Image, Name: name, Version: tag, PURL: purl}
}

// add reads ADD/COPY [--flags] SRC... DEST: every source that is a
// package file or an archive is a kit. Sources copied from another stage
// or image (--from) are left out: that stage's FROM is read.
func add(instr, rest string, line int, l *decl.List) {
	if strings.Contains(rest, "--from=") {
		return
	}
	rest = skipFlags(rest)
	words, ok := execForm(rest)
	if !ok {
		words = strings.Fields(rest)
	}
	if len(words) < 2 {
		return
	}
	for _, src := range words[:len(words)-1] {
		if !decl.KitExt(src) {
			continue
		}
		it := decl.Item{Kind: decl.Kit, Name: decl.Base(src), Path: src, Line: line, By: "dockerfile " + instr}
		if n, v, ok := decl.DebFile(src); ok {
			it = decl.Item{Kind: decl.Package, Name: n, Version: v, PURL: decl.PURL("deb", "", n, v), Path: src, Line: line, By: it.By}
		} else if n, v, ok := decl.RPMFile(src); ok {
			it = decl.Item{Kind: decl.Package, Name: n, Version: v, PURL: decl.PURL("rpm", "", n, v), Path: src, Line: line, By: it.By}
		}
		if strings.ContainsAny(it.Version, "${}*") {
			it.Version = ""
			if it.PURL != "" {
				it.PURL = decl.PURL(strings.TrimPrefix(it.PURL[:strings.IndexByte(it.PURL, '/')], "pkg:"), "", it.Name, "")
			}
		}
		l.Add(it)
	}
}

// run records the program CMD or ENTRYPOINT starts, with its path when it
// has one, and the script a shell or interpreter runs.
func run(words []string, line int, by string, l *decl.List) {
	for len(words) > 0 && (strings.Contains(words[0], "=") || words[0] == "exec" || words[0] == "sudo") {
		words = words[1:]
	}
	if len(words) == 0 || strings.HasPrefix(decl.Base(words[0]), "$") {
		return
	}
	p := ""
	if strings.Contains(words[0], "/") {
		p = words[0]
	}
	l.Add(decl.Item{Kind: decl.Binary, Name: decl.Base(words[0]), Path: p, Line: line, By: by})
	switch decl.Base(words[0]) {
	case "sh", "bash", "dash":
		if len(words) >= 3 && words[1] == "-c" {
			shell.Read(words[2], line, by, l)
		}
	}
}

// execForm reads the JSON array form of RUN, CMD, ENTRYPOINT, ADD and COPY.
func execForm(s string) ([]string, bool) {
	if !strings.HasPrefix(s, "[") {
		return nil, false
	}
	var words []string
	if json.Unmarshal([]byte(s), &words) != nil {
		return nil, false
	}
	return words, true
}

// skipFlags drops leading --name[=value] options (--platform, --chown,
// --mount, --network, ...).
func skipFlags(s string) string {
	for strings.HasPrefix(s, "--") {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return ""
		}
		s = strings.TrimSpace(s[i:])
	}
	return s
}

// heredoc returns the delimiter of RUN <<EOF, or "".
func heredoc(s string) string {
	if !strings.HasPrefix(s, "<<") {
		return ""
	}
	f := strings.Fields(strings.TrimLeft(s[2:], "-"))
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], `'"`)
}
