// Package shell reads shell commands for what they install and run:
// package managers (apt-get, apt, aptitude, dpkg -i, yum, dnf, microdnf,
// tdnf, zypper, rpm -i, apk, pip, npm, yarn, pnpm), programs run by path
// (a vendor installer such as /opt/kaspersky/kesl/bin/kesl-setup.pl),
// package and archive files named as arguments, and the answer files of
// unattended vendor installers (KESL's kesl-setup.pl --autoinstall,
// Network Agent's KLAUTOANSWERS).
//
// It is used for shell scripts and by the other readers for the commands
// inside Dockerfiles, Ansible, Salt, cloud-init, Chef and Puppet. Commands
// are tokenised, never run: variables are not expanded, and words that
// hold one are skipped.
package shell

import (
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// maxWords bounds the words of one command.
const maxWords = 1024

// Parse reads a shell script.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	var l decl.List
	heredoc := ""
	for _, ln := range decl.Joined(data) {
		if len(l.Items) >= decl.MaxItems {
			break
		}
		t := strings.TrimSpace(ln.Text)
		if heredoc != "" {
			if t == heredoc {
				heredoc = ""
			}
			continue
		}
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		heredoc = heredocEnd(t)
		Read(t, ln.N, "shell", &l)
	}
	Answers(data, &l)
	return l.Items
}

// heredocEnd returns the delimiter of a here-document a line starts
// ("cat > f <<'EOF'" gives "EOF"), or "".
func heredocEnd(t string) string {
	i := strings.Index(t, "<<")
	if i < 0 || strings.HasPrefix(t[i:], "<<<") {
		return ""
	}
	rest := strings.TrimLeft(t[i+2:], "-~ ")
	rest = strings.TrimLeft(rest, `'"`)
	end := strings.IndexFunc(rest, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	if end < 0 {
		end = len(rest)
	}
	return rest[:end]
}

// Read reads the commands on one (logical) line; by says where they are
// ("dockerfile RUN", "ansible shell"), and each item's By is by followed
// by the command that declared it.
func Read(text string, line int, by string, l *decl.List) {
	for _, words := range Commands(text) {
		Command(words, line, by, l)
	}
}

// Commands splits a command line into simple commands (at ;, &, &&, |,
// ||, parentheses and newlines) and each into words, with quotes removed
// and backslash escapes read. Nothing is expanded.
func Commands(text string) [][]string {
	if len(text) > decl.MaxLogical {
		text = text[:decl.MaxLogical]
	}
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	flushWord := func() {
		if inWord && len(words) < maxWords {
			words = append(words, w.String())
		}
		w.Reset()
		inWord = false
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case ' ', '\t':
			flushWord()
		case ';', '&', '|', '\n', '(', ')', '`':
			flushCmd()
		case '\'':
			inWord = true
			j := strings.IndexByte(text[i+1:], '\'')
			if j < 0 {
				w.WriteString(text[i+1:])
				i = len(text)
			} else {
				w.WriteString(text[i+1 : i+1+j])
				i += j + 1
			}
		case '"':
			inWord = true
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' && i+1 < len(text) {
					i++
				}
				w.WriteByte(text[i])
			}
		case '\\':
			inWord = true
			if i+1 < len(text) {
				i++
				w.WriteByte(text[i])
			}
		default:
			inWord = true
			w.WriteByte(c)
		}
	}
	flushCmd()
	return cmds
}

// prefixes are words that run the command after them.
var prefixes = map[string]bool{"sudo": true, "exec": true, "nohup": true, "time": true, "env": true,
	"command": true, "nice": true, "doas": true, "then": true, "do": true, "else": true, "!": true}

// interpreters run the script named after them.
var interpreters = map[string]bool{"sh": true, "bash": true, "dash": true, "ksh": true, "zsh": true,
	"perl": true, "python": true, "python3": true, "source": true, ".": true}

// Command reads one simple command.
func Command(words []string, line int, by string, l *decl.List) {
	// Leading assignments and prefixes (sudo, env, ...).
	for len(words) > 0 && (assignment(words[0]) || prefixes[words[0]] ||
		(len(words[0]) > 1 && words[0][0] == '-' && len(words) > 1 && (words[0] == "-E" || words[0] == "-u"))) {
		if words[0] == "-u" && len(words) > 1 {
			words = words[1:] // sudo -u USER
		}
		words = words[1:]
	}
	if len(words) == 0 {
		return
	}
	prog := decl.Base(words[0])
	args := words[1:]
	add := func(it decl.Item, cmd string) {
		it.Line = line
		it.By = strings.TrimSpace(by + " " + cmd)
		l.Add(it)
	}
	used := map[int]bool{}
	switch prog {
	case "apt-get", "apt", "aptitude":
		if sub, rest, ok := subcommand(args, "-o", "-t", "-c", "--target-release"); ok && sub == "install" {
			for _, i := range rest {
				used[i] = true
				packageArg(args[i], "deb", prog+" install", add)
			}
		}
	case "yum", "dnf", "microdnf", "tdnf", "zypper":
		if sub, rest, ok := subcommand(args, "--repo", "--enablerepo", "--disablerepo", "-c", "--setopt", "--installroot", "--releasever"); ok &&
			(sub == "install" || sub == "in" || sub == "localinstall" || sub == "reinstall") {
			for _, i := range rest {
				used[i] = true
				packageArg(args[i], "rpm", prog+" install", add)
			}
		}
	case "apk":
		if sub, rest, ok := subcommand(args, "-X", "--repository", "-p", "--root", "-t", "--virtual"); ok && sub == "add" {
			for _, i := range rest {
				used[i] = true
				packageArg(args[i], "apk", "apk add", add)
			}
		}
	case "dpkg":
		if hasFlag(args, "-i", "--install", "-x", "--extract", "--unpack") {
			for i, a := range args {
				if !strings.HasPrefix(a, "-") && strings.HasSuffix(strings.ToLower(a), ".deb") {
					used[i] = true
					packageArg(a, "deb", "dpkg -i", add)
				}
			}
		}
	case "rpm":
		if rpmInstalls(args) {
			for i, a := range args {
				if !strings.HasPrefix(a, "-") && strings.HasSuffix(strings.ToLower(a), ".rpm") {
					used[i] = true
					packageArg(a, "rpm", "rpm -i", add)
				}
			}
		}
	case "pip", "pip3", "pipx":
		pipInstall(args, add, used)
	case "python", "python3":
		if len(args) > 2 && args[0] == "-m" && (args[1] == "pip" || args[1] == "pip3") {
			pipInstall(args[2:], add, nil)
			return
		}
	case "npm", "yarn", "pnpm":
		if sub, rest, ok := subcommand(args, "--prefix", "--registry", "-w", "--workspace"); ok &&
			(sub == "install" || sub == "i" || sub == "add") {
			for _, i := range rest {
				used[i] = true
				npmArg(args[i], prog+" "+sub, add)
			}
		}
	}
	// The program itself, when named by its path, or the script an
	// interpreter runs.
	switch {
	case interpreters[prog]:
		for i, a := range args {
			if a == "-c" || a == "-m" || a == "-e" {
				break
			}
			if strings.HasPrefix(a, "-") || hasVar(a) {
				continue
			}
			used[i] = true
			add(decl.Item{Kind: decl.Binary, Name: decl.Base(a), Path: pathOf(a)}, prog)
			break
		}
	case strings.Contains(words[0], "/") && !hasVar(words[0]):
		add(decl.Item{Kind: decl.Binary, Name: prog, Path: words[0]}, "run")
	}
	// Package files and archives named as arguments (downloaded, copied,
	// unpacked).
	for i, a := range args {
		if used[i] || strings.HasPrefix(decl.Base(a), "$") {
			continue
		}
		if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "-") {
			a = v
		}
		if strings.HasPrefix(a, "-") || !decl.KitExt(a) {
			continue
		}
		add(decl.Item{Kind: decl.Kit, Name: decl.Base(a), Path: a}, prog)
	}
}

// pathOf is p when it names a directory, else "".
func pathOf(p string) string {
	if strings.ContainsAny(p, `/\`) {
		return p
	}
	return ""
}

func assignment(w string) bool {
	k, _, ok := strings.Cut(w, "=")
	if !ok || k == "" {
		return false
	}
	for i, c := range k {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func hasVar(w string) bool { return strings.ContainsAny(w, "$*?{}<>") }

// subcommand returns a package manager's first word that is not an
// option, and the indexes of the words after it that are not options.
// withArg lists the options that take the next word as their value.
func subcommand(args []string, withArg ...string) (string, []int, bool) {
	sub := ""
	var rest []int
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			for _, o := range withArg {
				if a == o {
					i++
					break
				}
			}
			continue
		}
		if sub == "" {
			sub = a
			continue
		}
		rest = append(rest, i)
	}
	return sub, rest, sub != ""
}

func hasFlag(args []string, flags ...string) bool {
	for _, a := range args {
		for _, f := range flags {
			if a == f {
				return true
			}
		}
	}
	return false
}

// rpmInstalls reports whether rpm's options install: -i, -U, -F (alone or
// combined, -ivh) or their long forms.
func rpmInstalls(args []string) bool {
	for _, a := range args {
		switch {
		case a == "--install" || a == "--upgrade" || a == "--freshen":
			return true
		case len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.ContainsAny(a[1:2], "iUF"):
			return true
		}
	}
	return false
}

// Package reads one package a configuration-management tool installs: a
// package file (.deb, .rpm) or NAME[=VERSION], of the ecosystem typ
// ("deb", "rpm", "apk", "pypi", "npm"; "" when the tool does not say).
func Package(a, typ string, line int, by string, l *decl.List) {
	add := func(it decl.Item, _ string) {
		it.Line, it.By = line, by
		if typ == "" && !strings.HasSuffix(strings.ToLower(it.Path), ".deb") && !strings.HasSuffix(strings.ToLower(it.Path), ".rpm") {
			it.PURL = ""
		}
		l.Add(it)
	}
	switch typ {
	case "pypi":
		pipInstall([]string{"install", a}, add, nil)
	case "npm":
		npmArg(a, "", add)
	default:
		packageArg(a, typ, "", add)
	}
}

// packageArg reads a package manager's argument: a package file, or a
// name with an optional version (name=version).
func packageArg(a, typ, cmd string, add func(decl.Item, string)) {
	low := strings.ToLower(a)
	switch {
	case strings.HasSuffix(low, ".deb"):
		if n, v, ok := decl.DebFile(a); ok && packageName(n) {
			if hasVar(v) {
				v = ""
			}
			add(decl.Item{Kind: decl.Package, Name: n, Version: v, PURL: decl.PURL("deb", "", n, v), Path: a}, cmd)
		}
		return
	case strings.HasSuffix(low, ".rpm"):
		if n, v, ok := decl.RPMFile(a); ok && packageName(n) {
			if hasVar(v) {
				v = ""
			}
			add(decl.Item{Kind: decl.Package, Name: n, Version: v, PURL: decl.PURL("rpm", "", n, v), Path: a}, cmd)
		}
		return
	case strings.ContainsAny(a, "/\\") || strings.Contains(a, "://"):
		return // a repository path or URL that is not a package file
	}
	name, version, _ := strings.Cut(a, "=")
	if typ == "deb" {
		name, _, _ = strings.Cut(name, ":") // name:arch
	}
	if !packageName(name) {
		return
	}
	add(decl.Item{Kind: decl.Package, Name: name, Version: version, PURL: decl.PURL(typ, "", name, version)}, cmd)
}

// packageName accepts the characters of Debian, RPM and Alpine package
// names.
func packageName(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("+-._~", c)) {
			return false
		}
	}
	return true
}

func pipInstall(args []string, add func(decl.Item, string), used map[int]bool) {
	if len(args) == 0 || args[0] != "install" {
		return
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			switch a {
			case "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
				"--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root":
				i++
			}
			continue
		}
		if hasVar(a) || strings.ContainsAny(a, "/\\") {
			continue
		}
		if used != nil {
			used[i] = true
		}
		name, version := a, ""
		if j := strings.IndexAny(a, "=<>!~;["); j >= 0 {
			name = a[:j]
			if v, ok := strings.CutPrefix(a[j:], "=="); ok {
				version = v
			}
		}
		if !packageName(name) {
			continue
		}
		add(decl.Item{Kind: decl.Package, Name: name, Version: version,
			PURL: decl.PURL("pypi", "", strings.ToLower(strings.ReplaceAll(name, "_", "-")), version)}, "pip install")
	}
}

func npmArg(a, cmd string, add func(decl.Item, string)) {
	if strings.Contains(a, "://") || strings.HasPrefix(a, ".") || strings.HasPrefix(a, "/") {
		return
	}
	ns, rest := "", a
	if strings.HasPrefix(a, "@") {
		var ok bool
		ns, rest, ok = strings.Cut(a, "/")
		if !ok {
			return
		}
	}
	name, version, _ := strings.Cut(rest, "@")
	if !packageName(name) {
		return
	}
	full := name
	if ns != "" {
		full = ns + "/" + name
	}
	add(decl.Item{Kind: decl.Package, Name: full, Version: version, PURL: decl.PURL("npm", ns, name, version)}, cmd)
}

// Answers finds the answer files of unattended vendor installers in a
// file (on their own or as here-documents of a script): KESL's
// kesl-setup.pl --autoinstall file (EULA_AGREED, PRIVACY_POLICY_AGREED
// and USE_KSN together) and Network Agent's KLAUTOANSWERS
// (KLNAGENT_SERVER with another KLNAGENT_ setting). Each declares the
// product it configures.
func Answers(data []byte, l *decl.List) {
	keys := map[string]int{}
	klnagent := 0
	for _, ln := range decl.Lines(data) {
		t := strings.TrimSpace(ln.Text)
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(strings.TrimPrefix(k, "export "))
		switch k {
		case "EULA_AGREED", "PRIVACY_POLICY_AGREED", "USE_KSN", "KLNAGENT_SERVER":
			if keys[k] == 0 {
				keys[k] = ln.N
			}
		}
		if strings.HasPrefix(k, "KLNAGENT_") {
			klnagent++
		}
	}
	if keys["EULA_AGREED"] > 0 && keys["PRIVACY_POLICY_AGREED"] > 0 && keys["USE_KSN"] > 0 {
		l.Add(decl.Item{Kind: decl.Package, Name: "kesl", Line: keys["PRIVACY_POLICY_AGREED"],
			By: "KESL autoinstall answer file (EULA_AGREED, PRIVACY_POLICY_AGREED, USE_KSN)"})
	}
	if keys["KLNAGENT_SERVER"] > 0 && klnagent >= 2 {
		l.Add(decl.Item{Kind: decl.Package, Name: "klnagent", Line: keys["KLNAGENT_SERVER"],
			By: "Network Agent autoinstall answers (KLNAGENT_SERVER)"})
	}
}
