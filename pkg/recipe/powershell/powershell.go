// Package powershell reads Windows deployment scripts — PowerShell
// scripts and modules (.ps1, .psm1) and batch files (.cmd, .bat) — for
// what they install and run:
//
//   - programs run, directly, through the call operator (& "C:\x\setup.exe"),
//     Start-Process (-FilePath and -ArgumentList, or positionally), cmd /c,
//     start and powershell -Command;
//   - package files and kits named as arguments (kes_win.msi, setup_kes.exe,
//     KVRT.exe) and the URLs of package files and kits anywhere in a
//     command (Invoke-WebRequest -Uri, Start-BitsTransfer, curl, wget,
//     WebClient.DownloadFile, Get-ChocolateyWebFile, $url = '...');
//   - packages installed with choco (cinst), winget and scoop, and the
//     Chocolatey package an install helper (Install-ChocolateyPackage,
//     Get-ChocolateyWebFile) names;
//   - the answer properties of unattended vendor installers: msiexec and
//     setup properties that only Kaspersky's installers take declare the
//     product they install, as the KESL answer file declares kesl (see
//     Answers).
//
// The shell reader's tokeniser does not fit these languages: in both a
// backslash is a path separator, not an escape; PowerShell escapes with a
// backtick, calls with &, and writes arrays with commas; batch escapes
// with ^ and writes variables as %NAME%. Commands are tokenised, never
// run: variables are not expanded, and words that hold one are skipped.
package powershell

import (
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// maxWords bounds the words of one command, maxDepth the commands
// nested in other commands (cmd /c "start msiexec ...").
const (
	maxWords = 1024
	maxDepth = 4
)

// word is one word of a command; quoted says a quote was part of it.
type word struct {
	s string
	q bool
}

// Parse reads a PowerShell script or module.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	var l decl.List
	r := reader{l: &l, by: "powershell"}
	block, here := false, ""
	for _, ln := range psLines(data) {
		if len(l.Items) >= decl.MaxItems {
			break
		}
		t := strings.TrimSpace(ln.Text)
		switch {
		case here != "":
			if strings.HasPrefix(t, here) {
				here = ""
			}
			continue
		case block:
			if i := strings.Index(t, "#>"); i >= 0 {
				block = false
				t = strings.TrimSpace(t[i+2:])
				break
			}
			continue
		}
		if i := strings.Index(t, "<#"); i >= 0 && !strings.Contains(t[i:], "#>") {
			block = true
			t = t[:i]
		}
		if strings.HasSuffix(t, `@"`) || strings.HasSuffix(t, `@'`) {
			here = t[len(t)-1:] + "@" // the here-string's text is not commands
		}
		if t == "" || t[0] == '#' {
			continue
		}
		for _, words := range psCommands(t) {
			r.command(words, ln.N, 0)
		}
	}
	return l.Items
}

// ParseBatch reads a batch file.
func ParseBatch(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	var l decl.List
	r := reader{l: &l, by: "batch", batch: true}
	for _, ln := range batchLines(data) {
		if len(l.Items) >= decl.MaxItems {
			break
		}
		t := strings.TrimSpace(ln.Text)
		t = strings.TrimLeft(t, "@")
		low := strings.ToLower(t)
		// A line that starts with # is a comment of a hybrid batch and
		// PowerShell script (batch would fail to run it).
		if t == "" || t[0] == ':' || t[0] == '#' || low == "rem" || strings.HasPrefix(low, "rem ") || strings.HasPrefix(low, "rem\t") {
			continue
		}
		for _, words := range cmdCommands(t) {
			r.command(words, ln.N, 0)
		}
	}
	return l.Items
}

// psLines joins lines that end in a backtick (PowerShell's line
// continuation) with the next.
func psLines(data []byte) []decl.Line {
	return joinLines(data, "`")
}

// batchLines joins lines that end in a caret (batch's continuation).
func batchLines(data []byte) []decl.Line {
	return joinLines(data, "^")
}

func joinLines(data []byte, cont string) []decl.Line {
	var out []decl.Line
	var cur *decl.Line
	for _, l := range decl.Lines(data) {
		t := l.Text
		more := strings.HasSuffix(strings.TrimRight(t, " \t"), cont)
		if more {
			t = strings.TrimRight(t, " \t")
			t = t[:len(t)-len(cont)]
		}
		if cur == nil {
			out = append(out, decl.Line{N: l.N})
			cur = &out[len(out)-1]
		} else {
			t = " " + t
		}
		if len(cur.Text)+len(t) <= decl.MaxLogical {
			cur.Text += t
		}
		if !more {
			cur = nil
		}
	}
	return out
}

// psCommands splits a PowerShell line into commands (at ;, |, &&, ||,
// braces and newlines) and each into words. Quotes are removed: '...'
// is literal (a doubled quote is one), "..." reads backtick escapes. Outside
// quotes a backtick escapes the next character, # at the start of a
// word begins a comment, and parentheses, commas and @( separate words
// (arrays and method calls: DownloadFile('URL', 'x')). A & that starts
// a command is the call operator and is kept as a word.
func psCommands(text string) [][]word {
	if len(text) > decl.MaxLogical {
		text = text[:decl.MaxLogical]
	}
	var t tokens
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case ' ', '\t', '(', ')', ',', '[', ']':
			t.flushWord()
		case ';', '|', '{', '}', '\n':
			t.flushCmd()
		case '&':
			switch {
			case i+1 < len(text) && text[i+1] == '&':
				t.flushCmd()
				i++
			case !t.in && len(t.words) == 0:
				t.w.WriteByte('&')
				t.in = true
				t.flushWord()
			default:
				t.flushCmd()
			}
		case '>', '<':
			t.flushWord()
			for i+1 < len(text) && (text[i+1] == '>' || text[i+1] == '&' || text[i+1] >= '0' && text[i+1] <= '9') {
				i++
			}
			t.skipNext = c == '>' || c == '<'
		case '$':
			// ${name}, ${env:ProgramFiles(x86)}: one variable.
			if i+1 < len(text) && text[i+1] == '{' {
				j := strings.IndexByte(text[i:], '}')
				if j < 0 {
					j = len(text) - i - 1
				}
				t.in = true
				t.w.WriteString(text[i : i+j+1])
				i += j
				continue
			}
			t.add(c)
		case '@':
			if i+1 < len(text) && (text[i+1] == '(' || text[i+1] == '{') && !t.in {
				t.flushWord()
				continue
			}
			t.add(c)
		case '#':
			if !t.in {
				i = len(text)
				continue
			}
			t.add(c)
		case '`':
			if i+1 < len(text) {
				i++
				t.add(text[i])
			}
		case '\'':
			t.in, t.q = true, true
			for i++; i < len(text); i++ {
				if text[i] == '\'' {
					if i+1 < len(text) && text[i+1] == '\'' {
						i++
					} else {
						break
					}
				}
				t.w.WriteByte(text[i])
			}
		case '"':
			t.in, t.q = true, true
			for i++; i < len(text); i++ {
				if text[i] == '`' && i+1 < len(text) {
					i++
				} else if text[i] == '"' {
					if i+1 < len(text) && text[i+1] == '"' {
						i++
					} else {
						break
					}
				}
				t.w.WriteByte(text[i])
			}
		default:
			t.add(c)
		}
	}
	t.flushCmd()
	return t.cmds
}

// cmdCommands splits a batch line, or a Windows command line (an
// -ArgumentList string, the command of cmd /c), into commands (at &, &&,
// |, || and parentheses) and each into words. "..." groups (quotes are
// removed), ^ escapes the next character outside quotes, and the target
// of a redirection is dropped.
func cmdCommands(text string) [][]word {
	if len(text) > decl.MaxLogical {
		text = text[:decl.MaxLogical]
	}
	var t tokens
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case ' ', '\t':
			t.flushWord()
		case '&', '|', '\n', ')':
			t.flushCmd()
		case '(':
			if t.in {
				t.add(c)
			} else {
				t.flushCmd()
			}
		case '>', '<':
			t.flushWord()
			for i+1 < len(text) && (text[i+1] == '>' || text[i+1] == '&' || text[i+1] >= '0' && text[i+1] <= '9') {
				i++
			}
			t.skipNext = true
		case '^':
			if i+1 < len(text) {
				i++
				t.add(text[i])
			}
		case '"':
			t.in, t.q = true, true
			for i++; i < len(text) && text[i] != '"'; i++ {
				t.w.WriteByte(text[i])
			}
		default:
			t.add(c)
		}
	}
	t.flushCmd()
	return t.cmds
}

// tokens collects the words and commands of a line.
type tokens struct {
	cmds     [][]word
	words    []word
	w        strings.Builder
	in, q    bool
	skipNext bool // the next word is the target of a redirection
}

func (t *tokens) add(c byte) {
	t.in = true
	t.w.WriteByte(c)
}

func (t *tokens) flushWord() {
	if t.in {
		if t.skipNext {
			t.skipNext = false
		} else if len(t.words) < maxWords {
			t.words = append(t.words, word{t.w.String(), t.q})
		}
	}
	t.w.Reset()
	t.in, t.q = false, false
}

func (t *tokens) flushCmd() {
	t.flushWord()
	t.skipNext = false
	if len(t.words) > 0 {
		t.cmds = append(t.cmds, t.words)
	}
	t.words = nil
}

// reader reads the commands of one file into l.
type reader struct {
	l     *decl.List
	by    string // "powershell" or "batch"
	batch bool
}

func (r *reader) add(it decl.Item, line int, cmd string) {
	it.Line = line
	it.By = strings.TrimSpace(r.by + " " + cmd)
	r.l.Add(it)
}

// silent are commands whose words are messages or text, not things run:
// what they name is a mention.
var silent = map[string]bool{"echo": true, "write-host": true, "write-output": true, "write-verbose": true,
	"write-warning": true, "write-error": true, "write-information": true, "write-debug": true,
	"write-progress": true, "throw": true, "title": true, "rem": true, "out-file": true, "set-content": true,
	"add-content": true, "pause": true, "goto": true, "return": true, "param": true, "function": true,
	// Commands that delete, stop, look up or write registry values: the
	// files they name are not installed.
	"del": true, "erase": true, "rd": true, "rmdir": true, "remove-item": true, "ri": true, "rm": true,
	"taskkill": true, "taskkill.exe": true, "stop-process": true, "spps": true, "kill": true, "reg": true,
	"reg.exe": true, "test-path": true, "get-process": true, "get-service": true, "stop-service": true,
	"sc": true, "sc.exe": true, "where": true, "where.exe": true, "tasklist": true}

// psKeyword are PowerShell statements whose words up to the brace are a
// condition or a loop (the block after it is read as commands).
var psKeyword = map[string]bool{"if": true, "elseif": true, "foreach": true, "for": true, "while": true,
	"switch": true, "catch": true, "until": true, "trap": true, "filter": true, "workflow": true}

// command reads one command.
func (r *reader) command(words []word, line, depth int) {
	if depth > maxDepth || len(words) == 0 {
		return
	}
	// Prefixes: the call operator, batch's call, a leading @.
	called := false // after the call operator, the first word is a program
	for len(words) > 0 {
		w := strings.ToLower(words[0].s)
		if w == "&" && !r.batch {
			called = true
			words = words[1:]
			continue
		}
		if w == "call" || (w == "." && len(words) > 1) || w == "else" || w == "do" || w == "try" || w == "finally" {
			words = words[1:]
			continue
		}
		if strings.HasPrefix(w, "@") && r.batch {
			words[0].s = words[0].s[1:]
			if words[0].s == "" {
				words = words[1:]
			}
			continue
		}
		break
	}
	if len(words) == 0 {
		return
	}
	head := strings.ToLower(words[0].s)
	if silent[head] || silent[strings.ToLower(decl.Base(words[0].s))] {
		return
	}
	// A quoted string that starts a PowerShell command is a value, not
	// a program ('text' | Out-File x): only its URLs count.
	if words[0].q && !r.batch && !called && words[0].s != "" && !strings.Contains(words[0].s, "://") {
		if !(len(words) > 1 && strings.ContainsAny(words[0].s, `\/`)) {
			r.urls(words, line, "")
			return
		}
	}
	// An assignment of what a command returns ($p = Start-Process ...
	// -PassThru, $out = & setup.exe ...) runs the command.
	if strings.HasPrefix(head, "$") && !r.batch && !called {
		rest := words[1:]
		switch _, v, ok := strings.Cut(words[0].s, "="); {
		case ok && v != "": // $x=value
			rest = append([]word{{s: v}}, rest...)
		case ok: // $x= value
		case len(rest) > 0 && (rest[0].s == "=" || rest[0].s == "+="):
			rest = rest[1:]
		default:
			rest = nil
		}
		if len(rest) > 0 && !rest[0].q && commandLike(rest[0].s) {
			r.command(rest, line, depth+1)
			return
		}
	}
	// Assignments ($url = '...', set URL=...) and the heads of
	// PowerShell's statements: only their URLs count.
	if strings.HasPrefix(head, "$") && !called || head == "set" || head == "setx" || head == "set-variable" || !r.batch && psKeyword[head] {
		r.urls(words, line, "")
		return
	}
	prog := strings.TrimSuffix(strings.ToLower(decl.Base(words[0].s)), ".exe")
	args := words[1:]
	switch {
	case r.batch && prog == "if":
		r.command(ifBody(args), line, depth+1)
		return
	case r.batch && prog == "for":
		for i, a := range args {
			if strings.EqualFold(a.s, "do") {
				r.command(args[i+1:], line, depth+1)
				break
			}
		}
		return
	case prog == "start-process" || prog == "saps" || prog == "start" && !r.batch:
		r.command(startProcess(args), line, depth+1)
		return
	case prog == "start" && r.batch:
		r.command(startBatch(args), line, depth+1)
		return
	case prog == "cmd":
		for i, a := range args {
			if l := strings.ToLower(a.s); l == "/c" || l == "/k" || l == "/s/c" || l == "/q/c" {
				rest := args[i+1:]
				if len(rest) == 1 {
					for _, c := range cmdCommands(rest[0].s) {
						r.command(c, line, depth+1)
					}
				} else {
					r.command(rest, line, depth+1)
				}
				break
			}
		}
		return
	case prog == "powershell" || prog == "pwsh":
		for i, a := range args {
			l := strings.ToLower(a.s)
			if l == "-command" || l == "-c" {
				var text []string
				for _, w := range args[i+1:] {
					text = append(text, w.s)
				}
				for _, c := range psCommands(strings.Join(text, " ")) {
					r.command(c, line, depth+1)
				}
				break
			}
			if (l == "-file" || l == "-f") && i+1 < len(args) && !hasVar(args[i+1].s) {
				r.add(decl.Item{Kind: decl.Binary, Name: decl.Base(args[i+1].s), Path: pathOf(args[i+1].s)}, line, prog)
				break
			}
		}
		return
	}
	r.run(words, line)
}

// commandLike reports whether the first word of an assigned value is a
// command: the call operator, a cmdlet (Verb-Noun), or a program.
func commandLike(w string) bool {
	l := strings.ToLower(w)
	if l == "&" || programExt(l) || strings.ContainsAny(l, `\/`) && !hasVar(l) {
		return true
	}
	switch strings.TrimSuffix(l, ".exe") {
	case "msiexec", "choco", "cinst", "winget", "scoop", "cmd", "saps", "start", "powershell", "pwsh", "curl", "wget":
		return true
	}
	v, n, ok := strings.Cut(l, "-")
	return ok && v != "" && n != "" && !strings.HasPrefix(l, "$") && packageName(l)
}

// ifBody returns the command of a batch if: the words after its
// condition (if [/i] [not] A==B, exist X, defined X, errorlevel N, A EQU B).
func ifBody(args []word) []word {
	for len(args) > 0 {
		l := strings.ToLower(args[0].s)
		if l == "/i" || l == "not" {
			args = args[1:]
			continue
		}
		break
	}
	if len(args) == 0 {
		return nil
	}
	switch l := strings.ToLower(args[0].s); {
	case l == "exist" || l == "defined" || l == "errorlevel" || l == "cmdextversion":
		if len(args) < 2 {
			return nil
		}
		return args[2:]
	case strings.Contains(l, "=="):
		return args[1:]
	case len(args) >= 3:
		switch strings.ToLower(args[1].s) {
		case "equ", "neq", "lss", "leq", "gtr", "geq", "==":
			return args[3:]
		}
	}
	return nil
}

// startProcess returns the command Start-Process runs: -FilePath (or
// the first positional argument) and the words of -ArgumentList (or the
// second). An argument list of one string is a command line, read as
// one.
func startProcess(args []word) []word {
	var file []word
	var list []word
	inList := false
	positional := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		l := strings.ToLower(a.s)
		if !a.q && strings.HasPrefix(l, "-") && len(l) > 1 {
			inList = false
			switch {
			case l == "-filepath" || l == "-file" || l == "-fi" || l == "-fil" || l == "-filep" || l == "-pspath" || l == "-path":
				if i+1 < len(args) {
					file = []word{args[i+1]}
					i++
				}
			case strings.HasPrefix("-argumentlist", l) && len(l) >= 3 || l == "-args":
				inList = true
			case l == "-verb" || l == "-workingdirectory" || l == "-windowstyle" || l == "-credential" ||
				strings.HasPrefix(l, "-redirectstandard"):
				i++
			}
			continue
		}
		switch {
		case inList:
			list = append(list, a)
		case positional == 0 && file == nil:
			file = []word{a}
			positional++
		case positional == 1 || file != nil && positional == 0:
			list = append(list, a)
			inList = true
			positional = 2
		}
	}
	if len(file) == 0 {
		return nil
	}
	out := []word{{s: file[0].s}} // a program, however it was quoted
	for _, a := range list {
		if strings.ContainsAny(a.s, " \t") && (len(list) == 1 || strings.Contains(a.s, "=") || strings.HasPrefix(a.s, "/") || strings.HasPrefix(a.s, "-")) {
			for _, c := range cmdCommands(a.s) {
				out = append(out, c...)
				break
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// startBatch returns the command batch's start runs: its options and a
// quoted title come first.
func startBatch(args []word) []word {
	for len(args) > 0 && strings.HasPrefix(args[0].s, "/") {
		if strings.EqualFold(args[0].s, "/d") && len(args) > 1 {
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) > 1 && args[0].q {
		args = args[1:] // the window title
		for len(args) > 0 && strings.HasPrefix(args[0].s, "/") {
			args = args[1:]
		}
	}
	return args
}

// run reads a program run with its arguments.
func (r *reader) run(words []word, line int) {
	p := words[0].s
	prog := strings.ToLower(decl.Base(p))
	name := strings.TrimSuffix(prog, ".exe")
	args := words[1:]
	used := map[int]bool{}
	r.urls(words, line, decl.Base(p))
	switch name {
	case "msiexec":
		if !r.msiexec(args, line, used) {
			return
		}
	case "choco", "cinst", "chocolatey":
		sub, rest := "install", args
		if name != "cinst" && len(args) > 0 {
			sub, rest = strings.ToLower(args[0].s), args[1:]
		}
		if sub == "install" || sub == "upgrade" || sub == "update" {
			r.choco(rest, line, name+" "+sub)
		}
		return
	case "winget":
		if len(args) > 0 && (strings.EqualFold(args[0].s, "install") || strings.EqualFold(args[0].s, "add") || strings.EqualFold(args[0].s, "upgrade")) {
			r.winget(args[1:], line, "winget "+strings.ToLower(args[0].s))
		}
		return
	case "scoop":
		if len(args) > 0 && (strings.EqualFold(args[0].s, "install") || strings.EqualFold(args[0].s, "update")) {
			for _, a := range args[1:] {
				if strings.HasPrefix(a.s, "-") || hasVar(a.s) || strings.Contains(a.s, "://") {
					continue
				}
				n, v, _ := strings.Cut(a.s, "@")
				if i := strings.LastIndexByte(n, '/'); i >= 0 {
					n = n[i+1:]
				}
				if packageName(n) {
					r.add(decl.Item{Kind: decl.Package, Name: n, Version: v}, line, "scoop install")
				}
			}
		}
		return
	case "install-chocolateypackage", "get-chocolateywebfile", "install-chocolateyzippackage",
		"install-chocolateyinstallpackage", "install-chocolateypowershellcommand":
		r.chocoHelper(args, line, decl.Base(p))
	}
	// The program itself, when named by its path or as a file (its
	// directory may be a variable: "$env:TEMP\setup_kes.exe").
	exe := fileName(p)
	if exe != "" && !hasVar(exe) && (strings.ContainsAny(p, `\/`) || programExt(strings.ToLower(exe))) && !strings.Contains(p, "://") {
		r.add(decl.Item{Kind: decl.Binary, Name: exe, Path: pathOf(p)}, line, "run")
	}
	// Package files and kits named as arguments.
	for i, a := range args {
		if used[i] || strings.Contains(a.s, "://") {
			continue
		}
		v := a.s
		if k, val, ok := strings.Cut(v, "="); ok && (strings.HasPrefix(k, "-") || strings.HasPrefix(k, "/")) {
			v = val
		} else if k, val, ok := strings.Cut(v, ":"); ok && strings.HasPrefix(k, "-") {
			v = val
		}
		if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "/") && !strings.Contains(v[1:], "/") || !kit(v) {
			continue
		}
		r.add(decl.Item{Kind: decl.Kit, Name: fileName(v), Path: v}, line, decl.Base(p))
	}
	r.answers(args, line, exe)
}

// msiexec reads msiexec's package: the word after /i, /a, /package or
// /j (not /x: an uninstall installs nothing, and declares nothing).
// It reports false for an uninstall.
func (r *reader) msiexec(args []word, line int, used map[int]bool) bool {
	for _, a := range args {
		if l := strings.ToLower(a.s); l == "/x" || l == "/uninstall" || l == "-x" || strings.HasPrefix(l, "/x{") {
			return false
		}
	}
	for i, a := range args {
		l := strings.ToLower(a.s)
		switch {
		case l == "/i" || l == "/a" || l == "/package" || l == "-i" || l == "-package" || strings.HasPrefix(l, "/j"):
			if i+1 < len(args) && kit(args[i+1].s) {
				used[i+1] = true
				r.add(decl.Item{Kind: decl.Kit, Name: fileName(args[i+1].s), Path: args[i+1].s}, line, "msiexec "+l)
			}
		case strings.HasPrefix(l, "/i") && kit(a.s[2:]) && !strings.HasPrefix(l, "/i:"):
			used[i] = true
			r.add(decl.Item{Kind: decl.Kit, Name: fileName(a.s[2:]), Path: a.s[2:]}, line, "msiexec /i")
		}
	}
	return true
}

// choco reads the packages of choco install: NAME, NAME.install; the
// version --version gives.
func (r *reader) choco(args []word, line int, by string) {
	version := ""
	var names []string
	for i := 0; i < len(args); i++ {
		a := args[i].s
		l := strings.ToLower(a)
		if strings.HasPrefix(l, "-") {
			if k, v, ok := strings.Cut(l, "="); ok {
				if k == "--version" || k == "-v" {
					version = v
				}
				continue
			}
			switch l {
			case "--version", "-v":
				if i+1 < len(args) {
					version = args[i+1].s
				}
				i++
			case "-s", "--source", "--params", "--package-parameters", "--install-arguments", "-ia", "--ia",
				"-u", "--user", "-p", "--password", "--cache-location", "--execution-timeout", "--checksum",
				"--checksum64", "--download-checksum", "--install-arguments-sensitive", "--package-parameters-sensitive":
				i++
			}
			continue
		}
		if hasVar(a) || strings.HasSuffix(l, ".config") || strings.HasSuffix(l, ".nupkg") || strings.ContainsAny(a, `\/`) {
			continue
		}
		names = append(names, a)
	}
	if hasVar(version) {
		version = ""
	}
	for _, n := range names {
		if packageName(n) {
			r.add(decl.Item{Kind: decl.Package, Name: n, Version: version}, line, by)
		}
	}
}

// chocoHelper reads the package a Chocolatey install helper names:
// -PackageName, or its first positional argument.
func (r *reader) chocoHelper(args []word, line int, by string) {
	for i := 0; i < len(args); i++ {
		l := strings.ToLower(args[i].s)
		if strings.HasPrefix(l, "-") && !args[i].q {
			if l == "-packagename" && i+1 < len(args) && packageName(args[i+1].s) && !hasVar(args[i+1].s) {
				r.add(decl.Item{Kind: decl.Package, Name: args[i+1].s}, line, by)
				return
			}
			i++ // every other parameter of these helpers takes a value
			continue
		}
		if packageName(args[i].s) && !hasVar(args[i].s) {
			r.add(decl.Item{Kind: decl.Package, Name: args[i].s}, line, by)
		}
		return
	}
}

// winget reads the package of winget install: its id (--id, or the
// query) or --name.
func (r *reader) winget(args []word, line int, by string) {
	id, name, version := "", "", ""
	for i := 0; i < len(args); i++ {
		a := args[i].s
		l := strings.ToLower(a)
		if strings.HasPrefix(l, "-") {
			k, v, ok := strings.Cut(a, "=")
			if !ok && i+1 < len(args) {
				switch strings.ToLower(k) {
				case "--id", "--name", "-n", "--moniker", "-m", "--version", "-v", "-q", "--query", "-s", "--source",
					"--scope", "-a", "--architecture", "-l", "--location", "--override", "--custom", "-o", "--log",
					"--locale", "--header", "--installer-type", "--manifest":
					v = args[i+1].s
					i++
				}
			}
			switch strings.ToLower(k) {
			case "--id":
				id = v
			case "--name", "-n", "--moniker", "-m", "-q", "--query":
				if name == "" {
					name = v
				}
			case "--version", "-v":
				version = v
			}
			continue
		}
		if name == "" {
			name = a
		}
	}
	if id == "" && strings.Contains(name, ".") && !strings.ContainsAny(name, " \t") {
		id, name = name, ""
	}
	if hasVar(version) {
		version = ""
	}
	switch {
	case id != "" && !hasVar(id) && wingetID(id):
		r.add(decl.Item{Kind: decl.Package, Name: id, Version: version, PURL: decl.PURL("winget", "", id, version)}, line, by)
	case name != "" && !hasVar(name) && len(name) <= 200:
		r.add(decl.Item{Kind: decl.Package, Name: name, Version: version}, line, by)
	}
}

// urls reads the URLs of package files and kits in a command's words
// (a word may be a string with several: "get it at https://x/y.msi").
func (r *reader) urls(words []word, line int, cmd string) {
	for _, w := range words {
		if !strings.Contains(w.s, "://") {
			continue
		}
		for _, f := range strings.Fields(w.s) {
			i := strings.Index(f, "://")
			if i < 0 {
				continue
			}
			// The scheme: the letters before ://.
			j := i
			for j > 0 && (f[j-1] >= 'a' && f[j-1] <= 'z' || f[j-1] >= 'A' && f[j-1] <= 'Z') {
				j--
			}
			u := strings.TrimRight(f[j:], `'",;)`)
			if j == i || !kit(u) {
				continue
			}
			b := decl.Base(u)
			if hasVar(b) {
				continue
			}
			by := "url"
			if cmd != "" {
				by = cmd
			}
			r.add(decl.Item{Kind: decl.Kit, Name: b, Path: u}, line, by)
		}
	}
}

// kit reports whether a word names a package file or kit whose name is
// written out: it ends like one, its file name holds no variable, and a
// word with spaces is a path.
func kit(w string) bool {
	if w == "" || !decl.KitExt(w) {
		return false
	}
	b := fileName(w)
	if hasVar(b) || b == "" || b == "." {
		return false
	}
	return !strings.ContainsAny(w, " \t") || strings.ContainsAny(w, `\/`)
}

// fileName is the file name of a path, without a batch variable that
// only says its directory ("%~dp0kes_win.msi" gives "kes_win.msi").
func fileName(w string) string {
	b := decl.Base(w)
	for strings.HasPrefix(b, "%") {
		if len(b) > 2 && b[1] == '~' { // %~dp0, %~dpnx1
			j := 2
			for j < len(b) && b[j] >= 'a' && b[j] <= 'z' {
				j++
			}
			if j < len(b) && b[j] >= '0' && b[j] <= '9' {
				b = b[j+1:]
				continue
			}
			return b
		}
		j := strings.IndexByte(b[1:], '%')
		if j < 0 {
			return b
		}
		b = b[j+2:]
	}
	return b
}

// programExt reports whether a program is written as a file (setup.exe,
// install.cmd).
func programExt(p string) bool {
	for _, e := range []string{".exe", ".cmd", ".bat", ".ps1", ".com", ".msi"} {
		if strings.HasSuffix(p, e) && len(p) > len(e) {
			return true
		}
	}
	return false
}

// pathOf is p when it names a directory, else "".
func pathOf(p string) string {
	if strings.ContainsAny(p, `/\`) {
		return p
	}
	return ""
}

// hasVar reports whether a word holds a variable or a wildcard that is
// not expanded: $x, $(...), %X%, %~dp0, !X!, *.
func hasVar(w string) bool { return strings.ContainsAny(w, "$%*?{}<>!") }

// packageName accepts the characters of Chocolatey, winget and Scoop
// package names.
func packageName(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("+-._", c)) {
			return false
		}
	}
	return true
}

// wingetID accepts Publisher.Package ids.
func wingetID(s string) bool {
	return packageName(s) && strings.Contains(s, ".") && !strings.HasPrefix(s, ".") && !strings.HasSuffix(s, ".")
}

// Product names declared by the answer properties of Kaspersky's
// Windows installers (the names the product rules know).
const (
	KES          = "Kaspersky Endpoint Security for Windows"
	NetworkAgent = "Kaspersky Security Center Network Agent"
)

// answers reads the properties an installer is run with (msiexec's
// NAME=VALUE, a setup program's /pNAME=VALUE) for the unattended
// install of a Kaspersky product, which declares the product:
//
//   - Kaspersky Endpoint Security for Windows: EULA=1 and PRIVACYPOLICY=1
//     (both required by its installer), with KSN= (Kaspersky Security
//     Network consent, a property of Kaspersky's installers only) or an
//     installer named as KES's (kes_win*.msi, setup_kes.exe);
//   - Network Agent: SERVERADDRESS= with an installer named as Network
//     Agent's (Kaspersky Network Agent.msi, klnagent*.msi).
//
// Another vendor's msi run with EULA=1 declares nothing.
func (r *reader) answers(args []word, line int, cmd string) {
	props := map[string]string{}
	var written []string
	names := []string{strings.ToLower(cmd)}
	for _, a := range args {
		s := a.s
		if strings.HasSuffix(strings.ToLower(s), ".msi") {
			names = append(names, strings.ToLower(fileName(s)))
		}
		if len(s) > 2 && (s[0] == '/' || s[0] == '-') && (s[1] == 'p' || s[1] == 'P') && strings.Contains(s, "=") {
			s = s[2:]
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok || !propName(k) {
			continue
		}
		k = strings.ToUpper(k)
		if _, dup := props[k]; !dup {
			props[k] = strings.TrimSpace(v)
			switch k {
			case "EULA", "PRIVACYPOLICY", "KSN", "SERVERADDRESS":
				written = append(written, a.s)
			}
		}
	}
	if len(props) == 0 {
		return
	}
	if cmd == "" {
		cmd = "installer"
	}
	_, ksn := props["KSN"]
	if props["EULA"] == "1" && props["PRIVACYPOLICY"] == "1" && (ksn || anyName(names, kesInstaller)) {
		r.add(decl.Item{Kind: decl.Package, Name: KES},
			line, cmd+" answer properties of Kaspersky Endpoint Security ("+strings.Join(written, " ")+")")
	}
	if _, ok := props["SERVERADDRESS"]; ok && anyName(names, agentInstaller) {
		r.add(decl.Item{Kind: decl.Package, Name: NetworkAgent},
			line, cmd+" answer properties of Network Agent ("+strings.Join(written, " ")+")")
	}
}

func anyName(names []string, f func(string) bool) bool {
	for _, n := range names {
		if f(n) {
			return true
		}
	}
	return false
}

// kesInstaller reports whether a (lower-case) file name is a KES for
// Windows installer: setup_kes.exe, kes_win.msi (also versioned).
func kesInstaller(n string) bool {
	return n == "setup_kes.exe" || strings.HasPrefix(n, "kes_win") && strings.HasSuffix(n, ".msi") ||
		strings.Contains(n, "kaspersky endpoint security") && (strings.HasSuffix(n, ".msi") || strings.HasSuffix(n, ".exe"))
}

// agentInstaller reports whether a (lower-case) file name is the
// Network Agent msi: "Kaspersky Network Agent.msi", klnagent*.msi.
func agentInstaller(n string) bool {
	return strings.HasSuffix(n, ".msi") && (strings.HasPrefix(n, "klnagent") ||
		strings.Contains(n, "kaspersky") && strings.Contains(n, "network agent"))
}

// propName accepts an MSI public property name: upper-case letters,
// digits and underscores (written in any case on the command line).
func propName(k string) bool {
	if k == "" || len(k) > 72 || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
