package systemd

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// fixture reads the Scan Engine unit of fixtures/recipes.
func fixture(t testing.TB) []byte {
	return recipetest.Fixture(t, "scanengine-docker", "deploy", "scanner.service")
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"scan engine unit", fixture(t), []string{
			"L7 binary kavhttpd path=/opt/kaspersky/ScanEngine/bin/kavhttpd (systemd ExecStart)"}},
		{"prefixes, shells, variables", []byte(`[Service]
Environment=KL_PLUGINS_PATH=/opt/kaspersky/ScanEngine/ppl
ExecStartPre=-/bin/sh -c 'dpkg -i /tmp/kesl_12.0.0-6672_amd64.deb'
ExecStart=@/opt/kaspersky/kesl/libexec/kesl_launcher.sh kesl
ExecStop=$MAINPID
; ExecStart=/commented/out
`), []string{
			"L3 binary sh path=/bin/sh (systemd ExecStartPre)",
			"L3 package kesl@12.0.0-6672 pkg:deb/kesl@12.0.0-6672 path=/tmp/kesl_12.0.0-6672_amd64.deb (systemd ExecStartPre dpkg -i)",
			"L4 binary kesl_launcher.sh path=/opt/kaspersky/kesl/libexec/kesl_launcher.sh (systemd ExecStart)",
		}},
	} {
		got := decl.Strings(Parse(c.data))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(fixture(f))
	f.Add([]byte("ExecStart=/bin/sh -c \"a\\\n b\"\nExecStart=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := decl.Check(Parse(data), data); msg != "" {
			t.Fatal(msg)
		}
	})
}
