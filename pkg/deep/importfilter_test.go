package deep

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// parseFiltered is what Inspect reads of a file: nothing when the import
// filter turns it away, else recipe.Parse with vendorImport.
func (in *Inspector) parseFiltered(loc string, data []byte) []recipe.Item {
	if !recipe.MayDeclare(loc, data, in.imports) {
		return nil
	}
	return recipe.Parse(loc, data, in.vendorImport)
}

// sourceFiles returns every source file (recipe.Reader says Source) under
// fixtures/ and every testdata directory of the module, by path, and the
// source files of /usr/lib (up to n bytes in all) when there is one.
func sourceFiles(t testing.TB, n int) map[string][]byte {
	t.Helper()
	keep := func(p string, size int64) bool { return recipe.Reader(p) == recipe.Source && size <= recipe.MaxBytes }
	out := recipetest.Files(recipetest.Root(), true, 1<<40, keep)
	maps.Copy(out, recipetest.Files("/usr/lib", false, n, keep))
	return out
}

// TestImportFilterSameItems checks that the import filter changes nothing:
// on every fixture and testdata source file, the source files of
// /usr/lib, and generated files, Inspect's parse with the filter returns
// exactly the items it returns without.
func TestImportFilterSameItems(t *testing.T) {
	in, _ := inspector(t)
	if in.imports == nil {
		t.Fatal("no import filter for the embedded packs")
	}
	files := sourceFiles(t, 64<<20)
	for loc, data := range generatedSources() {
		files[loc] = data
	}
	kept, parsed := 0, 0
	for loc, data := range files {
		want := recipe.Parse(loc, data, in.vendorImport)
		got := in.parseFiltered(loc, data)
		if !slices.Equal(decl.Strings(got), decl.Strings(want)) {
			t.Errorf("%s: with the filter %q, without %q", loc, decl.Strings(got), decl.Strings(want))
		}
		if len(want) > 0 {
			kept++
		}
		if recipe.MayDeclare(loc, data, in.imports) {
			parsed++
		}
	}
	t.Logf("%d source files, %d with vendor imports, %d parsed", len(files), kept, parsed)
	if kept < 20 {
		t.Errorf("only %d files with vendor imports: the test proves little", kept)
	}
}

// generatedSources are source files in every language with vendor imports
// written every way the folding reads them, and near misses.
func generatedSources() map[string][]byte {
	names := []string{
		"com.kavsdk.KavSdk", "COM.KAVSDK.X", "com.kaspersky.kaspresso.Kaspresso", "com.kms.free.x", "com.kmsx.free",
		"kavsdk/kavsdk.h", "KlAkOAPI.Params", "klakoapi", "@kaspersky/hexa-ui", "Kaspirin.UI", "k.a.s.p.e.r.s.k.y",
		"K-A-S-P-E-R-S-K-Y/x", "x.k.a.v.s.d.k", "Kasper\x00sky", "K\x00a\x00s\x00p\x00e\x00r\x00s\x00k\x00y",
		"\u041a\u0430spersky", "\uff2b\uff41\uff53\uff50\uff45\uff52\uff53\uff4b\uff59", "Kas\u00adpersky", "com.\u212aavsdk.X",
		"kasperskyish", "kasper.sky", "org.example.Thing", "react", "left-pad", "os.path", "stdio.h", "a.b.c.d.e",
		"my_kaspersky_module", "kaspersky_lab", "KasperskyLab.Sdk", "com.kaspersky",
	}
	forms := []struct{ ext, line string }{
		{"java", "import %s;"}, {"kt", "import %s"}, {"java", "import static %s.*;"},
		{"c", "#include <%s>"}, {"h", "#import \"%s\""}, {"cs", "using %s;"}, {"cs", "using K = %s;"},
		{"py", "import %s"}, {"py", "from %s import x"}, {"py", "import os, %s as k, sys"},
		{"ts", "import x from '%s';"}, {"js", "const x = require(\"%s\");"}, {"mjs", "await import('%s')"},
	}
	out := map[string][]byte{}
	for i, n := range names {
		for j, f := range forms {
			line := strings.Replace(f.line, "%s", n, 1)
			loc := "gen/" + strings.Repeat("x", i) + "/f" + string(rune('a'+j)) + "." + f.ext
			out[loc] = []byte("// header\n" + line + "\r\n")
			out[loc+"."+f.ext] = []byte(strings.Repeat(" ", decl.MaxLine-len(line)+3) + line + "\n" + line) // the first cut
		}
	}
	// A name cut at decl.MaxLine: "...kaspersky" + "xyz" beyond the cut.
	pad := strings.Repeat("a", decl.MaxLine-len("import com.kaspersky"))
	out["gen/cut.java"] = []byte("import " + pad + ".com.kaspersky" + "xyz;\n")
	out["gen/cut2.java"] = []byte("import " + strings.Repeat("b.", (decl.MaxLine-len("import k.a.s.p.e.r.s.k.y"))/2) + "k.a.s.p.e.r.s.k.yz\n")
	return out
}

// FuzzImportFilter holds the import filter to what it promises: whenever
// Inspect's parse of a source file (any bytes, in the language a fuzzed
// name says) keeps an import, the filter lets the file through.
func FuzzImportFilter(f *testing.F) {
	for loc, data := range generatedSources() {
		if len(data) < 512 {
			f.Add(data, loc[strings.LastIndexByte(loc, '.')+1:])
		}
	}
	in, _ := inspector(f)
	f.Fuzz(func(t *testing.T, data []byte, ext string) {
		loc := "src/file." + ext
		want := recipe.Parse(loc, data, in.vendorImport)
		if len(want) > 0 && !recipe.MayDeclare(loc, data, in.imports) {
			t.Fatalf("the filter turns away %q, which keeps %q", data, decl.Strings(want))
		}
	})
}

// BenchmarkSourceParse reads the source files of /usr/lib (up to 64 MiB;
// skipped without it) as Inspect does, with and without the import
// filter. ns/op is per file.
func BenchmarkSourceParse(b *testing.B) {
	root, _ := filepath.Abs("../..")
	files := sourceFiles(b, 64<<20)
	var locs []string
	for loc := range files {
		if !strings.HasPrefix(loc, root) {
			locs = append(locs, loc)
		}
	}
	if len(locs) == 0 {
		b.Skip("no source files under /usr/lib")
	}
	slices.Sort(locs)
	in, _ := inspector(b)
	passed := 0
	for _, loc := range locs {
		if recipe.MayDeclare(loc, files[loc], in.imports) {
			passed++
		}
	}
	for _, bc := range []struct {
		name string
		fn   func(string, []byte) []recipe.Item
	}{
		{"filtered", in.parseFiltered},
		{"unfiltered", func(loc string, data []byte) []recipe.Item { return recipe.Parse(loc, data, in.vendorImport) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				loc := locs[i%len(locs)]
				bc.fn(loc, files[loc])
			}
			b.ReportMetric(float64(passed)/float64(len(locs)), "filter-pass/file")
		})
	}
}
