package walk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/ulikunitz/xz/lzma"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// lzmaOf compresses data into an LZMA-alone stream (.lzma) of the
// configuration cfgs[0]: a 1 MiB dictionary, no size and an end marker
// when it is zero or not given.
func lzmaOf(t testing.TB, data []byte, cfgs ...lzma.WriterConfig) []byte {
	t.Helper()
	var cfg lzma.WriterConfig
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	if cfg.DictCap == 0 {
		cfg.DictCap = 1 << 20
	}
	if cfg.Size == 0 {
		cfg.Size, cfg.EOSMarker = -1, true
	}
	var b bytes.Buffer
	lw, err := cfg.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// lzmaWithDict is an lzma stream whose header declares a dictionary of dict
// bytes: not a size isLzma takes when it is neither 2^n nor 3*2^(n-1).
func lzmaWithDict(t testing.TB, data []byte, dict uint32) []byte {
	s := lzmaOf(t, data, lzma.WriterConfig{})
	binary.LittleEndian.PutUint32(s[1:], dict)
	return s
}

// TestLzma: what an LZMA-alone stream holds is read, whether told by its
// name and header or declared lzma by its container (a uImage, a FIT, an
// rpm).
func TestLzma(t *testing.T) {
	kav := entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}
	tarData := archivetest.Tar(t, kav)
	known := lzmaOf(t, tarData, lzma.WriterConfig{Size: int64(len(tarData))})
	props := lzmaOf(t, tarData, lzma.WriterConfig{Properties: &lzma.Properties{LC: 0, LP: 2, PB: 0}, DictCap: 3 << 20})
	odd := lzmaWithDict(t, tarData, 5<<20) // declared: decoded all the same
	for _, c := range []struct {
		name, marker string // marker: where inner/libkavcore.so is found
		data         []byte
	}{
		{"libkavcore.so.lzma", "libkavcore.so.lzma!libkavcore.so", lzmaOf(t, []byte(kavMarker), lzma.WriterConfig{})},
		{"kav.tar.lzma", "kav.tar.lzma!inner/libkavcore.so", lzmaOf(t, tarData, lzma.WriterConfig{})},
		{"kav.tlz", "kav.tlz!inner/libkavcore.so", known},
		{"props.lzma", "props.lzma!inner/libkavcore.so", props},
		{"outer.zip", "outer.zip!kav.tar.lzma!inner/libkavcore.so", archivetest.Zip(t, entry{Name: "kav.tar.lzma", Data: known})},
		{"kav.cpio.lzma", "kav.cpio.lzma!inner/libkavcore.so", lzmaOf(t, makeCpio(kav), lzma.WriterConfig{})},
		{"lzma.uImage", "lzma.uImage!kernel!inner/libkavcore.so", uImage(known, "kernel", 2, 3)},
		{"lzma-single.uImage", "lzma-single.uImage!kernel!kernel", uImage(lzmaOf(t, []byte(kavMarker), lzma.WriterConfig{}), "kernel", 2, 3)},
		// Linux's lzma kernels end with their size, after the stream.
		{"size-appended.uImage", "size-appended.uImage!kernel!kernel", uImage(binary.LittleEndian.AppendUint32(lzmaOf(t, []byte(kavMarker)), uint32(len(kavMarker))), "kernel", 2, 3)},
		{"declared.uImage", "declared.uImage!kernel!inner/libkavcore.so", uImage(odd, "kernel", 2, 3)},
		{"fw.itb", "fw.itb!kernel-1!inner/libkavcore.so", fitBlob(false, false, fitPart{"kernel-1", "lzma", known})},
		{"declared.itb", "declared.itb!kernel-1!inner/libkavcore.so", fitBlob(true, false, fitPart{"kernel-1", "lzma", odd})},
		{"kav.rpm", "kav.rpm!inner/libkavcore.so", makeRpm(lzmaOf(t, makeCpio(kav), lzma.WriterConfig{}))},
		{"declared.rpm", "declared.rpm!inner/libkavcore.so", makeRpm(lzmaWithDict(t, makeCpio(kav), 5<<20))},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			noWarnings(t, rep)
			wantGaps(t, rep)
			f := find(files, c.marker)
			if f == nil || f.Data != kavMarker || f.Depth != strings.Count(c.marker, Separator) {
				t.Errorf("marker not visited: %+v in %q", f, locations(files))
			}
			if files[0].Data != string(c.data) {
				t.Errorf("%s not visited as it is", c.name)
			}
		})
	}
	if odd := lzmaWithDict(t, tarData, 5<<20); isLzma(odd) {
		t.Errorf("a dictionary of 5 MiB taken for lzma's")
	}
}

// TestLzmaGaps: an lzma stream that cannot be read whole is a gap naming
// why; its bytes are still visited, and what was read before the error.
func TestLzmaGaps(t *testing.T) {
	kav := entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}
	tarData := archivetest.Tar(t, kav, entry{Name: "more.txt", Data: bytes.Repeat([]byte("more text "), 2000)})
	// A small dictionary: the reader returns what it decoded before an
	// error but for the last dictionary's worth.
	good := lzmaOf(t, tarData, lzma.WriterConfig{DictCap: 4 << 10})
	corrupt := bytes.Clone(good)
	for i := len(corrupt) - 24; i < len(corrupt)-8; i++ {
		corrupt[i] ^= 0x5a
	}
	bigDict := bytes.Clone(good)
	binary.LittleEndian.PutUint32(bigDict[1:], 512<<20)
	for _, c := range []struct {
		name     string
		data     []byte
		lim      Limits
		limit    string
		warning  string
		marker   string // where inner/libkavcore.so is still found, if anywhere
		archived int    // files visited
	}{
		{"outer.zip", archivetest.Zip(t, entry{Name: "kav.tar.lzma", Data: good}), Limits{MaxDepth: 1}, "archive-depth",
			"outer.zip!kav.tar.lzma: lzma archive nested deeper than 1 levels (limit archive-depth), not opened", "", 2},
		{"truncated.tar.lzma", good[:len(good)-40], Limits{}, "",
			"truncated.tar.lzma!more.txt: read error: ", "truncated.tar.lzma!inner/libkavcore.so", 3},
		{"corrupt.tar.lzma", corrupt, Limits{}, "",
			"corrupt.tar.lzma!more.txt: read error: ", "corrupt.tar.lzma!inner/libkavcore.so", 3},
		{"header-only.lzma", good[:14], Limits{}, "", "header-only.lzma: not a valid lzma: EOF", "", 1},
		{"short.lzma", lzmaOf(t, []byte(kavMarker), lzma.WriterConfig{})[:30], Limits{}, "", "short.lzma!short: read error: unexpected EOF, contents not read", "", 2},
		{"big-dict.lzma", bigDict, Limits{}, "", "big-dict.lzma: not a valid lzma: dictionary of 512 MiB, over the 256 MiB allowed", "", 1},
		{"big-dict.uImage", uImage(bigDict, "kernel", 2, 3), Limits{}, "", "big-dict.uImage!kernel: not a valid lzma: dictionary of 512 MiB, over the 256 MiB allowed", "", 2},
		{"truncated.rpm", makeRpm(lzmaOf(t, []byte("not a cpio"), lzma.WriterConfig{})[:20]), Limits{}, "", "truncated.rpm!truncated.rpm: read error: unexpected EOF", "", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, c.lim)
			wantGaps(t, rep, c.limit)
			wantWarning(t, rep, c.warning)
			if len(rep.Warnings) != 1 {
				t.Errorf("warnings %q", rep.Warnings)
			}
			if len(files) != c.archived || files[0].Data != string(c.data) {
				t.Errorf("locations %q", locations(files))
			}
			if c.marker != "" {
				if f := find(files, c.marker); f == nil || f.Data != kavMarker {
					t.Errorf("marker not visited: %q", locations(files))
				}
			}
		})
	}
}

// TestLzmaBombs: an lzma stream of zeros passes the ratio, file-bytes and
// total-bytes limits as the other streams do, in bounded memory, whether a
// file of its own or a uImage's or an rpm's payload.
func TestLzmaBombs(t *testing.T) {
	noRatio := int64(math.MaxInt64)
	zeros := make([]byte, bombSize)
	bomb := lzmaOf(t, zeros, lzma.WriterConfig{})
	small := Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio}
	for _, c := range []struct {
		name    string
		data    []byte
		lim     Limits
		entry   string // visited, Skipped
		gaps    []string
		warning string
	}{
		{"bomb.lzma", bomb, Limits{}, "bomb.lzma!bomb", []string{"ratio"}, "bomb.lzma: decompression ratio over 1000:1 (limit ratio), rest of the stream skipped"},
		{"bomb.lzma", bomb, small, "bomb.lzma!bomb", []string{"file-bytes"}, "bomb.lzma!bomb: larger than 8 MiB (limit file-bytes), contents not read"},
		{"bomb.lzma", bomb, Limits{MaxFileBytes: 8 << 20, MaxRatio: noRatio, MaxTotalBytes: 4 << 20}, "", []string{"total-bytes"}, "bomb.lzma: walk truncated after 4 MiB read out of archives (limit total-bytes)"},
		{"bomb.uImage", uImage(bomb, "kernel", 2, 3), Limits{}, "bomb.uImage!kernel!kernel", []string{"ratio"}, "bomb.uImage!kernel: decompression ratio over 1000:1 (limit ratio), rest of the stream skipped"},
		{"bomb.rpm", makeRpm(bomb), Limits{}, "bomb.rpm!bomb.rpm", []string{"ratio"}, "bomb.rpm: decompression ratio over 1000:1 (limit ratio), rest of the stream skipped"},
	} {
		t.Run(fmt.Sprintf("%s %s", c.name, c.gaps), func(t *testing.T) {
			var files []seen
			var rep Report
			n := allocated(func() { files, rep = walkMem(t, c.name, c.data, c.lim) })
			if n > memBound {
				t.Errorf("allocated %d MiB", n>>20)
			}
			t.Logf("%d KiB compressed, allocated %d MiB, read %d MiB out of archives", len(c.data)>>10, n>>20, rep.ArchiveBytes>>20)
			if c.entry != "" {
				if f := find(files, c.entry); f == nil || !f.Nil || f.Skipped == "" {
					t.Errorf("%s: %+v in %q", c.entry, f, locations(files))
				}
			}
			wantGaps(t, rep, c.gaps...)
			wantWarning(t, rep, c.warning)
		})
	}
}

// dmgOf is a disk image: data, then a UDIF trailer ("koly", version 4).
func dmgOf(data []byte, version uint32) []byte {
	k := make([]byte, 512)
	copy(k, "koly")
	binary.BigEndian.PutUint32(k[4:], version)
	binary.BigEndian.PutUint32(k[8:], 512)
	binary.BigEndian.PutUint64(k[0xd8:], uint64(len(data))) // the XML plist's offset
	return append(bytes.Clone(data), k...)
}

// TestNoReader: the formats pedigree has no reader for (dmg, lzop,
// compress, ...) are gaps naming them; their bytes still go through the
// content pass, as a plain file's.
func TestNoReader(t *testing.T) {
	body := []byte("some data " + kavMarker + " more data")
	for _, c := range []struct {
		name, warning string
		data          []byte
	}{
		{"kav.dmg", "kav.dmg: dmg disk image not opened (no reader for it yet), its files not read", dmgOf(body, 4)},
		// The trailer wins over the magic numbers at the start: a dmg's
		// data fork may begin with a bzip2 chunk, or anything.
		{"bzip2.dmg", "bzip2.dmg: dmg disk image not opened (no reader for it yet), its files not read", dmgOf(append([]byte("BZh91AY&SY"), body...), 4)},
		{"zip.dmg", "zip.dmg: dmg disk image not opened (no reader for it yet), its files not read", dmgOf(archivetest.Zip(t, entry{Name: "a", Data: body}), 4)},
		{"kav.lzo", "kav.lzo: lzop stream not opened (no reader for it yet), its contents not read", append([]byte("\x89LZO\x00\r\n\x1a\n\x10\x40"), body...)},
		{"kav.Z", "kav.Z: compress (.Z) stream not opened (no reader for it yet), its contents not read", append([]byte{0x1f, 0x9d, 0x90}, body...)},
		{"inner.zip", "inner.zip!kav.dmg: dmg disk image not opened (no reader for it yet), its files not read", archivetest.Zip(t, entry{Name: "kav.dmg", Data: dmgOf(body, 4)})},
		{"setup.ex_", "setup.ex_: MS-DOS compress.exe (SZDD, KWAJ) file not opened (no reader for it yet), its contents not read", append([]byte("SZDD\x88\xf0\x27\x33A"), body...)},
		{"kav.dl_", "kav.dl_: MS-DOS compress.exe (SZDD, KWAJ) file not opened (no reader for it yet), its contents not read", append([]byte("KWAJ\x88\xf0\x27\xd1"), body...)},
		{"install.wim", "install.wim: WIM image not opened (no reader for it yet), its files not read", append([]byte("MSWIM\x00\x00\x00\xd0\x00\x00\x00"), body...)},
		{"data1.cab", "data1.cab: InstallShield cabinet not opened (no reader for it yet), its files not read", append([]byte("ISc(\x0c\x60\x00\x01\x00\x00\x00\x00\x00\x02\x00\x00\x1c\x01\x00\x00"), body...)},
		{"help.chm", "help.chm: not a valid CHM help file: truncated header, its files not read", append([]byte("ITSF\x03\x00\x00\x00\x60\x00\x00\x00"), body...)},
		{"kav.ace", "kav.ace: ACE archive not opened (no reader for it yet), its files not read", append([]byte("\x00\x00\x00\x00\x00\x00\x00**ACE**"), body...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			wantGapWarnings(t, rep, []string{c.warning})
			loc := strings.SplitN(c.warning, ": ", 2)[0]
			f := find(files, loc)
			if f == nil || f.Nil || !strings.Contains(f.Data, "koly") && !strings.Contains(f.Data, kavMarker) {
				t.Errorf("%s not visited as a plain file: %q", loc, locations(files))
			}
		})
	}
	// Look-alikes are plain files, and no gaps.
	for name, data := range map[string][]byte{
		"koly-v3":  dmgOf(body, 3),
		"koly-mid": append(dmgOf(body, 4), 0),
		"lzip-v2":  append([]byte("LZIP\x02\x0c"), body...),
		"xar-v2":   append([]byte("xar!\x00\x1c\x00\x02"), make([]byte, 40)...),
		"Z-flags":  append([]byte{0x1f, 0x9d, 0x70}, body...),
	} {
		files, rep := walkMem(t, name, data, Limits{})
		if len(files) != 1 || len(rep.Warnings) != 0 {
			t.Errorf("%s: %q %q", name, locations(files), rep.Warnings)
		}
	}
}

// TestDMGOnDisk: a dmg larger than file-bytes, on disk, is told by its
// trailer, read at random: a gap for its size and one naming it.
func TestDMGOnDisk(t *testing.T) {
	dir := t.TempDir()
	data := dmgOf(bytes.Repeat([]byte(kavMarker), 2000), 4)
	if err := os.WriteFile(filepath.Join(dir, "big.dmg"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	files, rep := walkDisk(t, dir, Limits{MaxFileBytes: 4 << 10})
	if len(files) != 1 || !files[0].Nil {
		t.Errorf("locations %q", locations(files))
	}
	wantGaps(t, rep, "file-bytes", "")
	wantWarning(t, rep, "big.dmg: dmg disk image not opened (no reader for it yet), its files not read")
}

// TestSnappy: Snappy's and S2's framed streams are opened.
func TestSnappy(t *testing.T) {
	tarData := archivetest.Tar(t, entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)})
	for name, opts := range map[string][]s2.WriterOption{
		"kav.tar.sz": {s2.WriterSnappyCompat()},
		"kav.tar.s2": nil,
	} {
		var b bytes.Buffer
		sw := s2.NewWriter(&b, opts...)
		if _, err := sw.Write(tarData); err != nil {
			t.Fatal(err)
		}
		if err := sw.Close(); err != nil {
			t.Fatal(err)
		}
		files, rep := walkMem(t, name, b.Bytes(), Limits{})
		noWarnings(t, rep)
		if f := find(files, name+"!inner/libkavcore.so"); f == nil || f.Data != kavMarker {
			t.Errorf("%s: marker not visited: %q", name, locations(files))
		}
		_, rep = walkMem(t, name, b.Bytes()[:b.Len()-10], Limits{})
		wantGaps(t, rep, "")
	}
}

// TestLzmaLookAlikes: a header that passes isLzma is not enough without
// the name: Kotlin's .kotlin_metadata files in jars begin with bytes that
// pass it (seen on 355 entries of a real jar, cloud-pubsub-emulator's, in
// the Google Cloud SDK), and were gaps when lzma was told by its header.
// An unnamed lzma stream is a plain file, as any unknown data.
func TestLzmaLookAlikes(t *testing.T) {
	kotlin := append([]byte{0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0x0a, 0x32, 0x0a, 0x06}, "kotlin\n\x05Error"...)
	if !isLzma(kotlin) {
		t.Fatal("the look-alike no longer passes isLzma: the test proves nothing")
	}
	jar := archivetest.Zip(t, entry{Name: "kotlin/Error.kotlin_metadata", Data: kotlin})
	for name, data := range map[string][]byte{
		"app.jar": jar,
		"stream":  lzmaOf(t, []byte(kavMarker), lzma.WriterConfig{}),
	} {
		files, rep := walkMem(t, name, data, Limits{})
		if len(rep.Warnings) != 0 || rep.GapCount != 0 {
			t.Errorf("%s: %q", name, rep.Warnings)
		}
		for _, f := range files {
			if strings.Count(f.Location, Separator) > strings.Count(name, Separator)+1 || f.Nil {
				t.Errorf("%s: %q", name, locations(files))
			}
		}
	}
}
