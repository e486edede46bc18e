package match

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// referenceMayMatchPath is MayMatchPath as it was before the path filter
// and the allocation-free composite test: fileMayMatch, then the
// composite rules' blocks through signature.PathSegments, matchFilename
// and matchPath. The tests hold the engine to it.
func (e *Engine) referenceMayMatchPath(p string) bool {
	return p != "" && (e.fileMayMatch(p) || e.referenceCompositeMayMatch(p))
}

func (e *Engine) referenceCompositeMayMatch(p string) bool {
	segs := signature.PathSegments(p)
	if len(segs) == 0 {
		return false
	}
	if strings.HasSuffix(segs[len(segs)-1], ".service") && e.hasServices() {
		return true
	}
	for _, i := range e.compositeRules() {
		for _, b := range e.rules[i].All {
			if _, ok := matchFilename(b.Filenames, segs[len(segs)-1]); ok {
				return true
			}
			if _, ok := matchPath(b.Paths, segs); ok {
				return true
			}
		}
	}
	return false
}

// pathEngines are the engines the equivalence tests run: the embedded
// packs, the test pack, and hand-built rules with the shapes the loader
// would refuse (a bare "*", escapes, an empty path, letters that fold
// into ASCII only under Unicode).
func pathEngines(t testing.TB) map[string]*Engine {
	t.Helper()
	set, err := signatures.Set()
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Engine{"embedded": embedded, "test-pack": testEngine(t)}
	odd := map[string][]*signature.Rule{
		"odd-globs": {
			rule("ZX-A-1", signature.Match{Filenames: []string{"Zx*.SYS", "a]b*", "*[.]zq", "x\\*y*", "\u017fvc.dll", "K\u212aL.exe"}}),
			composite("ZX-C-1", signature.Match{Filenames: []string{"ab\\*", "[a-c]?x.zp", "\u212akx", "q*"}}, signature.Match{Paths: []string{"Bin/\u017fases", "ZZ"}}),
		},
		"open": {
			composite("ZX-C-2", signature.Match{Filenames: []string{"*"}}, signature.Match{Paths: []string{"/"}}),
		},
		"services": {
			rule("ZX-S-1", signature.Match{Services: []string{"zxd"}, JavaPackages: []string{"org.zx", "Com.Up"}}),
			composite("ZX-C-3", signature.Match{Filenames: []string{"?", "zx-*"}}, signature.Match{Paths: []string{"a/./b", "opt/zx"}}),
		},
	}
	for name, rules := range odd {
		e, err := New(&signature.Set{Rules: rules})
		if err != nil {
			t.Fatal(err)
		}
		out[name] = e
	}
	return out
}

func rule(id string, m signature.Match) *signature.Rule {
	return &signature.Rule{ID: id, Entity: "Zorbex", Category: signature.Indicator, Severity: signature.Medium, Match: m}
}

func composite(id string, blocks ...signature.Match) *signature.Rule {
	return &signature.Rule{ID: id, Entity: "Zorbex", Category: signature.Indicator, Severity: signature.Medium, All: blocks}
}

// pathLike picks path-looking strings out of fixture text.
var pathLike = regexp.MustCompile(`[^\s"'<>,;=()\[\]{}]*[/\\!][^\s"'<>,;=()\[\]{}]*`)

// fixturePaths returns the path of every file under fixtures/ and every
// testdata directory of the module (as found, and absolute), and every
// path-like string inside them.
func fixturePaths(t testing.TB) []string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(rel, "fixtures/") && !strings.Contains(rel, "/testdata/") && !strings.HasPrefix(rel, "signatures/") {
			return nil
		}
		add(rel)
		add(p)
		add(strings.ReplaceAll(rel, "/", `\`))
		if info, err := d.Info(); err == nil && info.Size() < 4<<20 {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range pathLike.FindAllString(string(data), -1) {
				add(m)
				add(strings.Trim(m, `./\`))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 1000 {
		t.Fatalf("only %d fixture paths", len(out))
	}
	return out
}

// systemPaths returns up to n file paths under dir, or none when it does
// not exist.
func systemPaths(dir string, n int) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if len(out) >= n {
			return filepath.SkipAll
		}
		out = append(out, p)
		return nil
	})
	return out
}

// generatedPaths builds paths from the engines' own patterns, their near
// misses (cases, one byte more or less, other separators, "." segments,
// letters outside ASCII) and ordinary segments.
func generatedPaths(engines map[string]*Engine) []string {
	words := []string{"", ".", "..", "usr", "lib", "x86_64-linux-gnu", "python3", "site-packages", "__init__.py",
		"bin", "bases", "avbases", "BASES", "opt", "etc", "kaspersky", "Kaspersky Lab", "Program Files",
		"systemd", "system", "kesl.service", "KESL.SERVICE", "a.service", ".service", "service", "com", "kavsdk",
		"KavSdk.class", "x.ppl", "X.PPL", "ppl", "klif.sys", "KLIF.SYS", "klif.sy", "lklif.sys", "kl_x_sdk_android_y.aar",
		"kesl-1.rpm", "kesl-.rpm", "kesl-", ".rpm", "z.avz", "q", "ab", "abc", "\u212alif.sys", "\u017fvc.dll",
		"caf\u00e9", "\xff", strings.Repeat("k", 127), strings.Repeat("k", 128), strings.Repeat("k", 129),
		"kavhttpd", "kavhttpd.xml", "appinfo.kli", "ksn_license.x", "a]b", "a]bc", "x.zq", "x*y", "x*yz",
		"zx-1", "zx", "Zx1.sys", "bin/bases", "a", "b", "up", "zz", "ZZ", "bin", "\u017fases"}
	for _, e := range engines {
		for k := range e.paths {
			words = append(words, k)
		}
		for k := range e.filenames {
			words = append(words, k, strings.ToUpper(k), k[1:], k+"x", "x"+k)
		}
		for _, g := range e.fileGlobs {
			words = append(words, g.prefix+g.suffix, g.prefix+"mid"+g.suffix, strings.ToUpper(g.prefix)+"x"+g.suffix, g.prefix, g.suffix)
		}
		for _, c := range e.compFiles {
			words = append(words, c.pattern, c.prefix+"m"+c.suffix, strings.ToUpper(c.prefix+"m"+c.suffix), c.prefix+c.suffix)
		}
		for _, segs := range e.compPaths {
			words = append(words, strings.Join(segs, "/"), strings.Join(segs, "/./"), strings.ToUpper(strings.Join(segs, `\`)))
		}
		for k := range e.javaFirst {
			words = append(words, k, k+"/x/Y.class")
		}
	}
	seps := []string{"/", `\`, "!", "//", "/./"}
	var out []string
	for i, a := range words {
		for j, b := range words {
			if (i*31+j*17)%7 != 0 && i != j {
				continue
			}
			sep := seps[(i+j)%len(seps)]
			out = append(out, a, a+sep+b, "/"+a+sep+b+sep, "x!"+b, b+sep+a+"/"+words[(i*j)%len(words)])
		}
	}
	return out
}

// TestMayMatchPathReference holds MayMatchPath to the reference logic on
// every fixture and testdata path, the paths of /usr/lib when there is
// one, and paths generated from the patterns: the two must be equal
// (MayMatchPath may say yes too often by contract, but the filter in
// front of the exact test is conservative, so they never differ).
func TestMayMatchPathReference(t *testing.T) {
	engines := pathEngines(t)
	cases := []struct {
		name  string
		paths []string
	}{
		{"fixtures", fixturePaths(t)},
		{"generated", generatedPaths(engines)},
		{"system", systemPaths("/usr/lib", 20000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for name, e := range engines {
				yes := 0
				for _, p := range c.paths {
					got, want := e.MayMatchPath(p), e.referenceMayMatchPath(p)
					if got != want {
						t.Errorf("%s: MayMatchPath(%q) = %v, the reference says %v", name, p, got, want)
					}
					if want {
						yes++
					}
				}
				t.Logf("%s: %d paths, %d may match", name, len(c.paths), yes)
			}
		})
	}
}

// TestPathFilter checks the first stage alone on paths the exact stage
// says yes to, and that it turns away ordinary paths.
func TestPathFilter(t *testing.T) {
	e := pathEngines(t)["embedded"]
	tests := []struct {
		path string
		want bool
	}{
		{"/usr/lib/x86_64-linux-gnu/libc.so.6", false},
		{"/usr/lib/python3/dist-packages/yaml/__init__.py", false},
		{"C:/Windows/System32/drivers/KLIF.SYS", true},
		{`C:\Program Files\Kaspersky Lab\avp.exe`, true},
		{"/opt/acme/ppl/scan.ppl", true},
		{"/srv/x/bin/bases/daily.avc", true},
		{"/lib/systemd/system/ssh.service", true},
		{"app.jar!com/kavsdk/KavSdk.class", true},
		{"/usr/lib/caf\u00e9/x", true},
		{"/tmp/" + strings.Repeat("a", 129), true},
	}
	for _, tt := range tests {
		if got := e.filter.mayMatch(tt.path); got != tt.want {
			t.Errorf("filter(%q) = %v, want %v", tt.path, got, tt.want)
		}
		if ref := e.referenceMayMatchPath(tt.path); ref && !e.filter.mayMatch(tt.path) {
			t.Errorf("filter turns away %q, which the reference may match", tt.path)
		}
	}
}

// TestMayMatchPathAllocs checks that MayMatchPath allocates nothing on
// ASCII paths, whatever it answers.
func TestMayMatchPathAllocs(t *testing.T) {
	e := pathEngines(t)["embedded"]
	paths := []string{"/usr/lib/x86_64-linux-gnu/libc.so.6", "C:/Windows/System32/drivers/klif.sys",
		"/opt/acme/av/bin/bases/daily.avc", "/opt/acme/ppl/scan.ppl", "/lib/systemd/system/ssh.service",
		"/usr/lib/kesl/lib.so", "app.jar!com/kavsdk/KavSdk.class", "/x/Kaspersky_ScanEngine-Linux-1.tar"}
	if n := testing.AllocsPerRun(100, func() {
		for _, p := range paths {
			e.MayMatchPath(p)
		}
	}); n != 0 {
		t.Errorf("MayMatchPath allocates %v times per run", n)
	}
}

// FuzzMayMatchPath holds MayMatchPath to the reference logic on any path,
// with the embedded packs and with an engine built from a fuzzed pattern
// used as a file name, a path and a Java package, and in a composite
// rule's blocks: whenever the reference says yes, MayMatchPath must too
// (and they are expected equal).
func FuzzMayMatchPath(f *testing.F) {
	for _, s := range [][2]string{
		{"klif.sys", "C:/Windows/System32/drivers/KLIF.SYS"},
		{"*.ppl", "/opt/acme/ppl/scan.ppl"},
		{"bin/bases", "/srv/x/bin/./bases/daily.avc"},
		{"ab\\*", "ab*"},
		{"[a-c]?x.zp", `x\Bqx.ZP`},
		{"\u017fvc", "svc"},
		{"a]b*", "/x/A]B"},
		{"*", "/"},
		{"", "x"},
		{"com.kavsdk", "app.jar!com/kavsdk/KavSdk.class"},
		{"x[", "x["},
	} {
		f.Add(s[0], s[1])
	}
	set, err := signatures.Set()
	if err != nil {
		f.Fatal(err)
	}
	embedded, err := New(set)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pattern, p string) {
		check := func(name string, e *Engine) {
			got, want := e.MayMatchPath(p), e.referenceMayMatchPath(p)
			if want && !got {
				t.Fatalf("%s (pattern %q): MayMatchPath(%q) = false, the reference says true", name, pattern, p)
			}
			if got != want {
				t.Fatalf("%s (pattern %q): MayMatchPath(%q) = %v, the reference says %v", name, pattern, p, got, want)
			}
		}
		check("embedded", embedded)
		m := signature.Match{Filenames: []string{pattern}}
		if len(signature.PathSegments(pattern)) > 0 {
			m.Paths = []string{pattern}
			m.JavaPackages = []string{pattern}
		}
		rules := []*signature.Rule{
			rule("ZX-A-1", m),
			composite("ZX-C-1", signature.Match{Filenames: []string{pattern}}, signature.Match{Paths: []string{pattern}}),
		}
		if len(pattern)%2 == 0 {
			rules = append(rules, rule("ZX-S-1", signature.Match{Services: []string{"x"}}))
		}
		e, err := New(&signature.Set{Rules: rules})
		if err != nil {
			return
		}
		check("fuzzed", e)
	})
}

// BenchmarkMayMatchPath runs MayMatchPath, and the reference logic it
// replaced, over the file paths of /usr/lib (up to 60,000; skipped
// without it) with the embedded packs. ns/op is per path.
func BenchmarkMayMatchPath(b *testing.B) {
	paths := systemPaths("/usr/lib", 60000)
	if len(paths) == 0 {
		b.Skip("no /usr/lib")
	}
	e := pathEngines(b)["embedded"]
	for _, bc := range []struct {
		name string
		fn   func(string) bool
	}{{"filtered", e.MayMatchPath}, {"reference", e.referenceMayMatchPath}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			yes := 0
			for i := 0; i < b.N; i++ {
				if bc.fn(paths[i%len(paths)]) {
					yes++
				}
			}
			passed := 0
			for _, p := range paths {
				if e.filter.mayMatch(p) {
					passed++
				}
			}
			b.ReportMetric(float64(passed)/float64(len(paths)), "filter-pass/path")
		})
	}
}
