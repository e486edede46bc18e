package walk

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
)

// upxPacked renames the sections of a PE file built by petest (.text,
// .rdata) as UPX names those of a file it packs. No UPX packer was at hand
// (Debian's upx-ucl could not be installed here); the section names and
// the ELF loader's "UPX!" mark are what UPX 3 and 4 write.
func upxPacked(pe []byte) []byte {
	pe = bytes.Replace(pe, []byte(".text\x00\x00\x00"), []byte("UPX0\x00\x00\x00\x00"), 1)
	return bytes.Replace(pe, []byte(".rdata\x00\x00"), []byte("UPX1\x00\x00\x00\x00"), 1)
}

// TestUPX: an executable packed by UPX is a gap (its code is compressed,
// and no unpacker reads it), and still a file whose bytes are visited:
// its version resources and what else is not packed are read.
func TestUPX(t *testing.T) {
	pe := petest.Build(map[string]string{"CompanyName": "Northwind Security Ltd"}, []byte(kavMarker))
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 200)...)
	copy(elf[0xb0:], "UPX!") // after the ELF header and two program headers
	elf = append(elf, kavMarker...)
	for _, c := range []struct {
		name, loc string
		data      []byte
	}{
		{"kav.exe", "kav.exe", upxPacked(pe)},
		{"kav.elf", "kav.elf", elf},
		{"app.zip", "app.zip!bin/kav.exe", archivetest.Zip(t, entry{Name: "bin/kav.exe", Data: upxPacked(pe)})},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			wantGapWarnings(t, rep, []string{c.loc + ": UPX-packed executable: its packed code is not unpacked (no reader for it yet); its headers, resources and other bytes are read"})
			if f := find(files, c.loc); f == nil || f.Nil || !strings.Contains(f.Data, kavMarker) {
				t.Errorf("%s not visited as a plain file: %q", c.loc, locations(files))
			}
		})
	}
	// On disk and over file-bytes, the section table is read at random.
	dir := t.TempDir()
	big := append(upxPacked(pe), make([]byte, 64<<10)...)
	if err := os.WriteFile(filepath.Join(dir, "big.exe"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	var seenBig bool
	rep, err := Walk(t.Context(), dir, Limits{MaxFileBytes: 1 << 10}, func(f *File) error {
		seenBig = seenBig || f.Location == "big.exe"
		return nil
	})
	if err != nil || !seenBig || !hasWarning(rep, "big.exe: UPX-packed executable") {
		t.Errorf("big.exe: %v, %q", err, rep.Warnings)
	}
	// Look-alikes: an unpacked PE, one UPX name alone, the mark in a text.
	for name, data := range map[string][]byte{
		"plain.exe": pe,
		"one.exe":   bytes.Replace(pe, []byte(".text\x00\x00\x00"), []byte("UPX0\x00\x00\x00\x00"), 1),
		"notes.txt": []byte("packed with UPX!, sections UPX0\x00\x00\x00\x00 and UPX1\x00\x00\x00\x00"),
	} {
		files, rep := walkMem(t, name, data, Limits{})
		if len(files) != 1 || len(rep.Warnings) != 0 {
			t.Errorf("%s: %q %q", name, locations(files), rep.Warnings)
		}
	}
}
