package source

import (
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

func TestFilter(t *testing.T) {
	f := NewFilter([]string{"kaspersky", "KavSdk", "kl", "ключ", "a-b"})
	tests := []struct {
		name, lang, data string
		want             bool
	}{
		{"java word", Java, "package x;\nimport com.kavsdk.KavSdk;\n", true},
		{"java none", Java, "package x;\nimport android.os.Bundle;\n", false},
		{"word outside imports", Java, "// kaspersky\nclass KavSdk {}\n", false},
		{"part of a word", C, "#include <kasperskyish.h>\n", false},
		{"short word", C, "#include <kl/x.h>\n", true},
		{"spelled out", Python, "import k_a_s_p_e_r_s_k_y\n", true},
		{"spelled inside a run", JS, "import x from 'q.k.a.v.s.d.k.z';\n", true},
		{"two letters are not joined", JS, "import x from 'k.l';\n", false},
		{"not plain ASCII", CSharp, "using \u041aaspersky;\n", true},
		{"control character", C, "#include <Kasper\x00sky.h>\n", true},
		{"not plain ASCII elsewhere", Java, "// \u00a9 someone\nimport a.b;\n", false},
		{"unknown language", "", "import kaspersky\n", false},
		{"after the cut", Java, "import " + strings.Repeat("a", decl.MaxLine) + ".kaspersky;\n", false},
		{"JS anywhere in the line", JS, "const k = require('@kaspersky/ui')\n", true},
		{"carriage returns", Python, "from kaspersky import x\r\r\n", true},
	}
	for _, tt := range tests {
		if got := f.MayKeep(tt.lang, []byte(tt.data)); got != tt.want {
			t.Errorf("%s: MayKeep = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !(*Filter)(nil).MayKeep(Java, []byte("x")) {
		t.Error("a nil filter turns a file away")
	}
}
