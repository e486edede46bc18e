package source

import (
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// fixture reads fixtures/recipes/PARTS...
var fixture = recipetest.Fixture

func TestParse(t *testing.T) {
	for _, c := range []struct {
		file string
		data []byte
		want []string
	}{
		{"MainActivity.java", fixture(t, "android-app", "app", "src", "main", "java", "com", "example", "scanner", "MainActivity.java"), []string{
			"L3 import android.app.Activity (java import)",
			"L4 import android.os.Bundle (java import)",
			"L6 import com.kavsdk.KavSdk (java import)",
			"L7 import com.kavsdk.antivirus.easyscanner.EasyScanner (java import)",
		}},
		{"ScanBridge.kt", fixture(t, "imports-only", "src", "ScanBridge.kt"), []string{
			"L3 import android.content.Context (java import)",
			"L4 import com.kavsdk.KavSdk (java import)",
			"L5 import com.kavsdk.antivirus.easyscanner.EasyScanner (java import)",
		}},
		{"scan.c", fixture(t, "imports-only", "src", "scan.c"), []string{
			"L1 import stdio.h (c #include)",
			"L2 import kavsdk/kavsdk.h (c #include)",
		}},
		{"KscClient.cs", fixture(t, "imports-only", "src", "KscClient.cs"), []string{
			"L1 import System (c# using)",
			"L2 import Kaspirin.UI.Framework.UiKit (c# using)",
		}},
		{"ksc_report.py", fixture(t, "imports-only", "src", "ksc_report.py"), []string{
			"L1 import sys (python import)",
			"L1 import json (python import)",
			"L2 import KlAkOAPI.AdmServer (python from-import)",
			"L3 import KlAkOAPI.Params (python import)",
		}},
		{"ui.ts", fixture(t, "imports-only", "src", "ui.ts"), []string{
			"L1 import react (js import)",
			"L2 import @kaspersky/hexa-ui (js import)",
			"L3 import left-pad (js import)",
		}},
		{"Static.java", []byte("import static com.kavsdk.KavSdk.*;\nimport com.kavsdk.license.*;\n// import com.commented.Out;\n"), []string{
			"L1 import com.kavsdk.KavSdk (java import)",
			"L2 import com.kavsdk.license (java import)",
		}},
		{"using.cs", []byte("using (var x = new Y()) { }\nusing K = Kaspirin.UI;\n"), []string{
			"L2 import Kaspirin.UI (c# using)",
		}},
	} {
		got := decl.Strings(Parse(Language(c.file), c.data, nil))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %q\n want %q", c.file, got, c.want)
		}
	}
}

func TestKeep(t *testing.T) {
	data := fixture(t, "android-app", "app", "src", "main", "java", "com", "example", "scanner", "MainActivity.java")
	got := decl.Strings(Parse(Java, data, func(s string) bool { return strings.HasPrefix(s, "com.kavsdk") }))
	if len(got) != 2 {
		t.Errorf("keep: %q", got)
	}
}

func TestStopsAfterCode(t *testing.T) {
	data := []byte(strings.Repeat("x = 1;\n", MaxImportLines+5) + "import com.kavsdk.KavSdk;\n")
	if got := Parse(Java, data, nil); len(got) != 0 {
		t.Errorf("read past %d lines of code: %v", MaxImportLines, got)
	}
}

func TestLanguage(t *testing.T) {
	for name, want := range map[string]string{"A.java": Java, "b.KT": Java, "c.hpp": C, "d.cs": CSharp, "e.py": Python,
		"f.mjs": JS, "g.tsx": JS, "Makefile": "", "h.go": "", "noext.": ""} {
		if got := Language(name); got != want {
			t.Errorf("Language(%q) = %q, want %q", name, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range [][]string{
		{"android-app", "app", "src", "main", "java", "com", "example", "scanner", "MainActivity.java"},
		{"imports-only", "src", "ScanBridge.kt"}, {"imports-only", "src", "scan.c"}, {"imports-only", "src", "KscClient.cs"},
		{"imports-only", "src", "ksc_report.py"}, {"imports-only", "src", "ui.ts"},
	} {
		f.Add(fixture(f, p...), p[len(p)-1])
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if msg := decl.Check(Parse(Language(name), data, nil), data); msg != "" {
			t.Fatal(msg)
		}
	})
}
