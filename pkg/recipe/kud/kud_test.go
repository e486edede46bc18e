package kud

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// kesKud is written for this test after the layout of the descriptor in
// JJ-VP/winutil-derventio-old data/kes_win.kud (a KES for Windows
// package descriptor); only the section and key names are the format's.
const kesKud = "\n[Setup]\nExecutable=setup_kes.exe\nParams=/s /pEULA=1 /pPRIVACYPOLICY=1 /pKSN=0\nConfigFile=installer.ini\n\n" +
	"[Product]\nName=KES\nLocalizedName=Kaspersky Endpoint Security for Windows (12.7.0)\nRegKey=KES\n\n" +
	"[SetupProcessResult_ErrorCodes]\n1603=Fatal error during installation.\n\n[Version]\nVerMajor=11\nDisplayVersion=12.7.0.533\n"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, data string
		want       []string
	}{
		{"KES for Windows", kesKud, []string{
			"L9 package Kaspersky Endpoint Security for Windows@12.7.0.533 (Security Center installation package descriptor [Product] LocalizedName (Name=KES))",
			"L3 kit setup_kes.exe path=setup_kes.exe (Security Center installation package descriptor [Setup] Executable)",
		}},
		{"short name only, CRLF, BOM", "\ufeff[Product]\r\nName=Kaspersky Endpoint Agent\r\n[Setup]\r\nExecutable=exec\\endpointagent.msi\r\n", []string{
			"L2 package Kaspersky Endpoint Agent (Security Center installation package descriptor [Product] Name)",
			"L4 kit endpointagent.msi path=exec\\endpointagent.msi (Security Center installation package descriptor [Setup] Executable)",
		}},
		{"version in parentheses", "[Product]\nLocalizedName=Kaspersky Security Center Network Agent (14.2.0)\n", []string{
			"L2 package Kaspersky Security Center Network Agent@14.2.0 (Security Center installation package descriptor [Product] LocalizedName)",
		}},
		// A third-party application packaged by Security Center: its
		// name is declared and matches no Kaspersky rule.
		{"third-party package", "[Product]\nLocalizedName=7-Zip (x64)\n[Setup]\nExecutable=7z2301-x64.exe\n", []string{
			"L2 package 7-Zip (x64) (Security Center installation package descriptor [Product] LocalizedName)",
			"L4 kit 7z2301-x64.exe path=7z2301-x64.exe (Security Center installation package descriptor [Setup] Executable)",
		}},
		{"not a descriptor", "[Other]\nName=Kaspersky Endpoint Security\n", nil},
		{"no name", "[Setup]\nExecutable=\nParams=/s\n", nil},
	} {
		got := decl.Strings(Parse([]byte(c.data)))
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(kesKud))
	f.Add([]byte("[Product\nName=x (1.0\n[Product]\nLocalizedName= (1)\n[Setup]\nExecutable=a\\.msi\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := decl.Check(Parse(data), data); msg != "" {
			t.Fatal(msg)
		}
	})
}
