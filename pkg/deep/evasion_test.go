package deep

import (
	"bytes"
	"compress/flate"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// contentEvasions are ways a file can carry the vendor's marks past the
// content pass. Each file is inspected, assembled into a component of a
// product and matched; "caught" means the file gets a finding. Known
// limits are asserted as such, and listed in docs/reliability.md.
func contentEvasions(t *testing.T) []struct {
	name, file string
	data       []byte
	status     string
} {
	elf := func(s string) []byte {
		return append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00"), append([]byte(s), 0)...)
	}
	deflated := func(b []byte) []byte {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestCompression)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	xor := func(b []byte) []byte {
		out := bytes.Clone(b)
		for i := range out {
			out[i] ^= 0x5a
		}
		return out
	}
	be := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	copyright := "Copyright (c) 2024 AO Kaspersky Lab"
	return []struct {
		name, file string
		data       []byte
		status     string
	}{
		{"ASCII string in a binary", "lib/libnw.so", elf(copyright), "caught"},
		{"renamed file, same bytes", "lib/libnwscan-helper.so", elf(copyright), "caught"},
		{"UTF-16LE string in a PE", "bin/nw.dll", append([]byte("MZ\x90\x00"), wide(copyright+"\x00")...), "caught"},
		{"PE version resource under another file name", "bin/nwshield.exe", petest.Build(map[string]string{"CompanyName": "AO Kaspersky Lab", "ProductName": "Northwind Shield"}, nil), "caught"},
		{"update host in upper case", "etc/nw/update.conf", []byte("server=HTTPS://DNL-01.GEO.KASPERSKY.COM/updates\n"), "caught"},
		{"Java package path in a renamed class", "lib/nw.jar!com/kaspersky/components/Scan.class", []byte("\xca\xfe\xba\xbe"), "caught"},
		// Big-endian UTF-16 of ASCII text is the little-endian form one byte
		// on, so the UTF-16LE search finds it.
		{"UTF-16BE string", "bin/nw.bin", be(copyright), "caught"},
		{"string split by the compiler", "lib/libnw2.so", elf("Copyright (c) 2024 AO Kasper\x00\x00\x00\x00sky Lab"), "limit"},
		{"control character inside the name", "etc/nw/about.txt", []byte("Copyright (c) 2024 AO Kasper\x1fsky Lab\n"), "limit"},
		{"invisible format character inside the name", "etc/nw/about.html", []byte("<p>&copy; 2024 AO Kas\u00adper\u200bsky Lab</p>\n"), "limit"},
		{"homoglyphs inside a binary", "lib/libnw3.so", elf("Copyright (c) 2024 AO Kаspеrsky Lab"), "limit"},
		{"XOR-obfuscated string", "lib/libnw4.so", elf(string(xor([]byte(copyright)))), "limit"},
		{"packed or self-compressed binary", "bin/nw-packed.exe", append([]byte("MZ\x90\x00UPX!"), deflated([]byte(copyright))...), "limit"},
	}
}

func TestContentEvasions(t *testing.T) {
	in, eng := inspector(t)
	for _, ev := range contentEvasions(t) {
		t.Run(ev.name, func(t *testing.T) {
			asm := NewAssembler()
			asm.Add(in.Inspect(&walk.File{Location: ev.file, Name: ev.file[bytes.LastIndexByte([]byte(ev.file), '/')+1:], Data: ev.data}))
			comps := asm.Components()
			doc := &model.Document{Roots: []string{"root"}, Components: []*model.Component{{Ref: "root", Name: "product"}}}
			for _, c := range comps {
				c.Parent = "root"
				doc.Components = append(doc.Components, c)
			}
			doc.Normalize()
			got := "limit"
			for _, f := range eng.Match(doc) {
				if f.Component != nil && f.Component.Ref != "root" {
					got = "caught"
				}
			}
			if got != ev.status {
				t.Errorf("%s: %s, want %s (update docs/reliability.md if this changed)", ev.file, got, ev.status)
			}
		})
	}
}

// TestEvasionsDocumented shows docs/reliability.md lists every content
// evasion with its status.
func TestEvasionsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reliability.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range contentEvasions(t) {
		if row := "| " + ev.name + " | file | " + ev.status; !strings.Contains(string(doc), row) {
			t.Errorf("docs/reliability.md has no row %q", row)
		}
	}
}
