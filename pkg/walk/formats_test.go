package walk

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// The 7z archives are fixtures in testdata (see its README): no Go
// library writes 7z. The other formats are made here.

// kavMarker is what kav.7z holds as inner/libkavcore.so.
const kavMarker = "ELF\x00Copyright (C) 1997-2010 Kaspersky Lab ZAO\x00"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// kavArchives returns, by name, an archive of each new format holding
// inner/libkavcore.so.
func kavArchives(t testing.TB) map[string][]byte {
	kav := entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}
	tarData := archivetest.Tar(t, kav)
	return map[string][]byte{
		"kav.7z":      fixture(t, "kav.7z"),
		"kav.rar":     archivetest.Rar(t, archivetest.RarOptions{}, entry{Name: "readme.txt", Data: []byte("readme")}, kav),
		"kav.tar.zst": archivetest.Zstd(t, tarData),
		"kav.tar.lz4": archivetest.Lz4(t, tarData),
		"kav.tar.br":  archivetest.Brotli(t, tarData),
	}
}

func TestNewFormats(t *testing.T) {
	for name, data := range kavArchives(t) {
		t.Run(name, func(t *testing.T) {
			for _, outer := range []string{"", "outer.zip"} {
				loc := name
				if outer != "" {
					data = archivetest.Zip(t, entry{Name: name, Data: data})
					loc = outer + Separator + name
				}
				files, rep := walkMem(t, strings.SplitN(loc, Separator, 2)[0], data, Limits{})
				noWarnings(t, rep)
				wantGaps(t, rep)
				f := find(files, loc+Separator+"inner/libkavcore.so")
				if f == nil || f.Data != kavMarker || f.Depth != strings.Count(loc, Separator)+1 {
					t.Errorf("%s: marker not visited: %+v in %q", loc, f, locations(files))
				}
			}
		})
	}
	for _, c := range []struct {
		name string
		data []byte
		want map[string]string
	}{
		{"notes.txt.zst", archivetest.Zstd(t, []byte("notes")), map[string]string{"notes.txt.zst!notes.txt": "notes"}},
		{"notes.lz4", archivetest.Lz4(t, []byte("notes")), map[string]string{"notes.lz4!notes": "notes"}},
		{"notes.txt.br", archivetest.Brotli(t, []byte("notes")), map[string]string{"notes.txt.br!notes.txt": "notes"}},
		{"x.tzst", archivetest.Zstd(t, archivetest.Tar(t, entry{Name: "a", Data: []byte("a")})), map[string]string{"x.tzst!a": "a"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			noWarnings(t, rep)
			if len(files) != len(c.want)+1 {
				t.Errorf("locations %q", locations(files))
			}
			for loc, data := range c.want {
				if f := find(files, loc); f == nil || data != "" && f.Data != data {
					t.Errorf("%s: %+v in %q", loc, f, locations(files))
				}
			}
		})
	}
	// A solid 7z: big.txt, over file-bytes, is not read, but the entry
	// after it in the same block is. (big.txt compresses over 1000:1.)
	files, rep := walkMem(t, "solid.7z", fixture(t, "solid.7z"), Limits{MaxFileBytes: 1 << 20, MaxRatio: 1e6})
	if got := locations(files); !slices.Equal(got, []string{"solid.7z", "solid.7z!a.txt", "solid.7z!big.txt", "solid.7z!inner/libkavcore.so"}) ||
		files[1].Data != "readme\n" || files[2].Skipped != "larger than 1 MiB" || files[3].Data != kavMarker {
		t.Errorf("solid.7z: %+v", files)
	}
	wantGaps(t, rep, "file-bytes")
	_, rep = walkMem(t, "solid.7z", fixture(t, "solid.7z"), Limits{})
	wantGaps(t, rep, "ratio")
	// A 7z that declares more entries than the files limit is not opened:
	// the reader would allocate them all first.
	files, rep = walkMem(t, "solid.7z", fixture(t, "solid.7z"), Limits{MaxFiles: 2})
	if len(files) != 1 {
		t.Errorf("solid.7z, 2 files: %q", locations(files))
	}
	wantGaps(t, rep, "files")
	wantWarning(t, rep, "solid.7z: not a valid 7z: 3 entries declared, over the 2 files allowed (limit files), entries not read")

	// Brotli is told by name only: the same bytes named otherwise are a
	// plain file.
	files, rep = walkMem(t, "notes", archivetest.Brotli(t, []byte("notes")), Limits{})
	if len(files) != 1 || rep.Archives != 0 {
		t.Errorf("brotli not named .br: %q", locations(files))
	}
}

// TestNewFormatsDepth nests each new format one level beyond archive-depth.
func TestNewFormatsDepth(t *testing.T) {
	for name, data := range kavArchives(t) {
		k := strings.TrimPrefix(name[strings.LastIndex(name, "."):], ".")
		k = map[string]string{"zst": "zstd", "br": "brotli"}[k] + map[bool]string{true: k}[k != "zst" && k != "br"]
		files, rep := walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: name, Data: data}), Limits{MaxDepth: 1})
		if len(files) != 2 {
			t.Errorf("%s: %q", name, locations(files))
		}
		wantGaps(t, rep, "archive-depth")
		wantWarning(t, rep, fmt.Sprintf("outer.zip!%s: %s archive nested deeper than 1 levels (limit archive-depth), not opened", name, k))
	}
}

func TestNewFormatsBombs(t *testing.T) {
	noRatio := int64(math.MaxInt64)
	bomb7z := fixture(t, "bomb.7z")
	zeros := make([]byte, bombSize)
	zst := archivetest.Zstd(t, zeros)
	lz4 := archivetest.Lz4(t, zeros)
	br := archivetest.Brotli(t, zeros[:32<<20])
	kav := entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}
	rar := archivetest.Rar(t, archivetest.RarOptions{}, entry{Name: "blank.img", Data: zeros[:24<<20]}, kav)
	small := Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio}
	for _, c := range []struct {
		name    string
		data    []byte
		lim     Limits
		entry   string // visited, Skipped with skipped
		skipped string
		marker  bool // inner/libkavcore.so visited after the bomb
		gaps    []string
		warning string
	}{
		{"bomb.7z", bomb7z, Limits{}, "bomb.7z!blank.img", "decompression ratio over 1000:1", false, []string{"ratio"}, "bomb.7z: decompression ratio over 1000:1 (limit ratio), rest of the archive skipped"},
		{"bomb.7z", bomb7z, small, "bomb.7z!blank.img", "larger than 8 MiB", true, []string{"file-bytes"}, "bomb.7z!blank.img: larger than 8 MiB (limit file-bytes), contents not read"},
		{"bomb.7z", bomb7z, Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio, MaxTotalBytes: 50 << 20}, "bomb.7z!blank.img", "larger than 8 MiB", false, []string{"file-bytes", "total-bytes"}, "bomb.7z: walk truncated after 50 MiB read out of archives (limit total-bytes)"},
		{"bomb.zst", zst, Limits{}, "bomb.zst!bomb", "decompression ratio over 1000:1", false, []string{"ratio"}, "bomb.zst: decompression ratio over 1000:1 (limit ratio), rest of the stream skipped"},
		{"bomb.zst", zst, small, "bomb.zst!bomb", "larger than 8 MiB", false, []string{"file-bytes"}, "bomb.zst!bomb: larger than 8 MiB (limit file-bytes), contents not read"},
		// lz4 cannot pass about 250:1.
		{"bomb.lz4", lz4, Limits{MaxRatio: 100}, "bomb.lz4!bomb", "decompression ratio over 100:1", false, []string{"ratio"}, "bomb.lz4: decompression ratio over 100:1 (limit ratio), rest of the stream skipped"},
		{"bomb.lz4", lz4, small, "bomb.lz4!bomb", "larger than 8 MiB", false, []string{"file-bytes"}, "bomb.lz4!bomb: larger than 8 MiB (limit file-bytes), contents not read"},
		{"bomb.br", br, Limits{}, "bomb.br!bomb", "decompression ratio over 1000:1", false, []string{"ratio"}, "bomb.br: decompression ratio over 1000:1 (limit ratio), rest of the stream skipped"},
		{"bomb.br", br, small, "bomb.br!bomb", "larger than 8 MiB", false, []string{"file-bytes"}, "bomb.br!bomb: larger than 8 MiB (limit file-bytes), contents not read"},
		// Stored: no ratio to pass, but the entry is over file-bytes, and
		// the next is still read.
		{"bomb.rar", rar, small, "bomb.rar!blank.img", "larger than 8 MiB", true, []string{"file-bytes"}, "bomb.rar!blank.img: larger than 8 MiB (limit file-bytes), contents not read"},
		{"bomb.rar", rar, Limits{MaxFileBytes: 8 << 20, MaxTotalBytes: 16 << 20}, "bomb.rar!blank.img", "larger than 8 MiB", false, []string{"file-bytes", "total-bytes"}, "bomb.rar: walk truncated after 16 MiB read out of archives (limit total-bytes)"},
	} {
		t.Run(fmt.Sprintf("%s %s", c.name, c.gaps), func(t *testing.T) {
			var files []seen
			var rep Report
			n := allocated(func() { files, rep = walkMem(t, c.name, c.data, c.lim) })
			// A 7z's LZMA dictionary (64 MiB for 7z -mx9) is allocated
			// whole, as declared, for its header and again for its data:
			// on top of what the walk allocates.
			bound := uint64(memBound)
			if strings.HasSuffix(c.name, ".7z") {
				bound += 2 * 64 << 20
			}
			if n > bound {
				t.Errorf("allocated %d MiB", n>>20)
			}
			t.Logf("%d KiB compressed, allocated %d MiB, read %d MiB out of archives", len(c.data)>>10, n>>20, rep.ArchiveBytes>>20)
			f := find(files, c.entry)
			if f == nil || !f.Nil || f.Skipped != c.skipped || f.Depth != 1 {
				t.Errorf("%s: %+v in %q", c.entry, f, locations(files))
			}
			m := find(files, c.name+Separator+"inner/libkavcore.so")
			if c.marker != (m != nil && m.Data == kavMarker) {
				t.Errorf("marker visited %v, want %v: %q", m, c.marker, locations(files))
			}
			wantWarning(t, rep, c.warning)
			wantGaps(t, rep, c.gaps...)
		})
	}
}

func TestNewFormatsCorrupt(t *testing.T) {
	kav := entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}
	kav7z := fixture(t, "kav.7z")
	flipped := bytes.Clone(kav7z)
	flipped[40] ^= 0xff // in the compressed data
	// kav.7z's one folder: one coder, LZMA2 (0x21), one byte of
	// properties: the dictionary size, here set to 4 GiB.
	hugeDict := bytes.Clone(kav7z)
	i := bytes.Index(hugeDict, []byte("\x0b\x01\x00\x01\x21\x21\x01"))
	if i < 0 {
		t.Fatal("kav.7z: no LZMA2 coder in its header")
	}
	hugeDict[i+7] = 40
	rar := archivetest.Rar(t, archivetest.RarOptions{}, kav)
	badRar := bytes.Clone(rar)
	badRar[len(badRar)-10] ^= 0xff // in the data: its CRC fails
	zst := archivetest.Zstd(t, archivetest.Tar(t, kav))
	lz4 := archivetest.Lz4(t, archivetest.Tar(t, kav))
	for _, c := range []struct {
		name     string
		data     []byte
		warnings []string
	}{
		{"truncated.7z", kav7z[:len(kav7z)-20], []string{"truncated.7z: not a valid 7z: "}},
		{"flipped.7z", flipped, []string{"flipped.7z!inner/libkavcore.so: read error: "}},
		{"aes.7z", fixture(t, "aes.7z"), []string{"aes.7z!inner/libkavcore.so: read error: encrypted (7z AES), no password"}},
		{"aes-headers.7z", fixture(t, "aes-headers.7z"), []string{"aes-headers.7z: not a valid 7z: encrypted (7z AES), no password"}},
		{"huge-dict.7z", hugeDict, []string{"huge-dict.7z: not a valid 7z: LZMA dictionary of 4095 MiB, over the 256 MiB allowed, entries not read"}},
		{"ppmd.7z", fixture(t, "ppmd.7z"), []string{"ppmd.7z!inner/libkavcore.so: unsupported compression method"}},
		{"truncated.rar", rar[:len(rar)-20], []string{"truncated.rar!inner/libkavcore.so: read error: "}},
		{"crc.rar", badRar, []string{"crc.rar!inner/libkavcore.so: read error: "}},
		{"encrypted.rar", archivetest.Rar(t, archivetest.RarOptions{FileFlags: archivetest.RarFileEncrypted}, kav), []string{"encrypted.rar!inner/libkavcore.so: encrypted (rar), no password, contents not read"}},
		{"volume.rar", archivetest.Rar(t, archivetest.RarOptions{ArchiveFlags: archivetest.RarArchiveVolume, FileFlags: archivetest.RarFileSplitAfter}, kav), []string{"volume.rar: multi-volume rar: what follows is in other volumes, not read"}},
		{"junk.rar", []byte("Rar!\x1a\x07\x00 junk and more junk"), []string{"junk.rar: not a valid rar: "}},
		{"truncated.tar.zst", zst[:len(zst)-10], []string{"truncated.tar.zst"}},
		{"junk.zst", []byte("\x28\xb5\x2f\xfd junk and more junk"), []string{"junk.zst"}},
		{"truncated.tar.lz4", lz4[:len(lz4)-10], []string{"truncated.tar.lz4"}},
		{"junk.br", []byte("not brotli at all, but named so"), []string{"junk.br!junk: read error: "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			if files[0].Location != c.name || files[0].Data != string(c.data) {
				t.Errorf("locations %q", locations(files))
			}
			wantGapWarnings(t, rep, c.warnings)
			// (The entry of volume.rar is whole in this volume.)
			if m := find(files, c.name+Separator+"inner/libkavcore.so"); m != nil && m.Data == kavMarker && c.name != "volume.rar" {
				t.Errorf("corrupt archive read whole: %q", locations(files))
			}
		})
	}
}
