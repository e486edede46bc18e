// Package kud reads Kaspersky Security Center installation package
// descriptors (*.kud, and the older *.kpd): the INI files, shipped in a
// Kaspersky product's distribution kit, from which Security Center
// builds the package that installs the product on managed devices. A
// descriptor names the product it packages and the installer it runs:
//
//	[Setup]
//	Executable=setup_kes.exe
//	Params=/s /pEULA=1 /pPRIVACYPOLICY=1 /pKSN=0
//	[Product]
//	Name=KES
//	LocalizedName=Kaspersky Endpoint Security for Windows (12.7.0)
//	[Version]
//	DisplayVersion=12.7.0.533
//
// so a project that carries one deploys that product. The product is
// declared by its LocalizedName (the name the product rules know; the
// version in parentheses, or [Version] DisplayVersion, as its version),
// or by Name, its short name, when there is no LocalizedName; the
// installer is declared as a kit. The format is Kaspersky's own: the
// file name alone is matched by the file-name rules, and what the
// product's name says is matched by the product rules.
package kud

import (
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// Parse reads a descriptor. A file without a [Setup] or [Product]
// section is not one and declares nothing.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	type value struct {
		v string
		n int
	}
	vals := map[string]value{} // "section.key", lower case
	section := ""
	descriptor := false
	for _, ln := range decl.Lines(data) {
		t := strings.TrimSpace(strings.TrimPrefix(ln.Text, "\ufeff"))
		if t == "" || t[0] == ';' || t[0] == '#' {
			continue
		}
		if t[0] == '[' {
			if i := strings.IndexByte(t, ']'); i > 0 {
				section = strings.ToLower(strings.TrimSpace(t[1:i]))
				descriptor = descriptor || section == "setup" || section == "product"
			}
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		key := section + "." + strings.ToLower(strings.TrimSpace(k))
		if _, seen := vals[key]; !seen {
			vals[key] = value{strings.TrimSpace(v), ln.N}
		}
	}
	if !descriptor {
		return nil
	}
	var l decl.List
	short := vals["product.name"]
	name, at := vals["product.localizedname"], "LocalizedName"
	if name.v == "" {
		name, at = short, "Name"
	}
	if name.v != "" {
		n, version := name.v, ""
		// "Kaspersky Endpoint Security for Windows (12.7.0)"
		if strings.HasSuffix(n, ")") {
			if i := strings.LastIndexByte(n, '('); i > 0 && versionLike(n[i+1:len(n)-1]) {
				n, version = strings.TrimSpace(n[:i]), n[i+1:len(n)-1]
			}
		}
		if v := vals["version.displayversion"].v; versionLike(v) {
			version = v
		}
		by := "Security Center installation package descriptor [Product] " + at
		if at == "LocalizedName" && short.v != "" && len(short.v) <= 64 {
			by += " (Name=" + short.v + ")"
		}
		l.Add(decl.Item{Kind: decl.Package, Name: n, Version: version, Line: name.n, By: by})
	}
	if exe := vals["setup.executable"]; exe.v != "" && decl.KitExt(exe.v) {
		l.Add(decl.Item{Kind: decl.Kit, Name: decl.Base(exe.v), Path: exe.v, Line: exe.n,
			By: "Security Center installation package descriptor [Setup] Executable"})
	}
	return l.Items
}

// versionLike accepts 12.7.0 and 12.7.0.533: digits and dots, starting
// with a digit.
func versionLike(s string) bool {
	if s == "" || len(s) > 32 || s[0] < '0' || s[0] > '9' {
		return false
	}
	for _, c := range s {
		if !(c == '.' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
