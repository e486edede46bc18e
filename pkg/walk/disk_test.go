package walk

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// The ext and FAT images are fixtures in testdata (see its README); the
// MBR and GPT disks around them are made here.

// sectors pads data to whole sectors of ss bytes.
func sectors(data []byte, ss int) []byte {
	if r := len(data) % ss; r != 0 {
		data = append(bytes.Clone(data), make([]byte, ss-r)...)
	}
	return data
}

// mbrEntry writes a partition entry: type typ, from sector start, count
// sectors.
func mbrEntry(e []byte, typ byte, start, count int) {
	e[4] = typ
	binary.LittleEndian.PutUint32(e[8:], uint32(start))
	binary.LittleEndian.PutUint32(e[12:], uint32(count))
}

// mbrLogical is a disk image whose MBR has a primary partition (p1) and
// an extended one holding each of logical (p5, p6, ...), each after its
// boot record.
func mbrLogical(primary []byte, logical ...[]byte) []byte {
	primary = sectors(primary, 512)
	d := make([]byte, 512)
	d[510], d[511] = 0x55, 0xaa
	mbrEntry(d[446:], 0x83, 1, len(primary)/512)
	d = append(d, primary...)
	base := len(d) / 512
	for i, l := range logical {
		l = sectors(l, 512)
		ebr := make([]byte, 512)
		ebr[510], ebr[511] = 0x55, 0xaa
		cur := len(d)/512 - base
		mbrEntry(ebr[446:], 0x83, 1, len(l)/512)
		if i < len(logical)-1 {
			mbrEntry(ebr[462:], 0x05, cur+1+len(l)/512, 1+len(sectors(logical[i+1], 512))/512)
		}
		d = append(append(d, ebr...), l...)
	}
	mbrEntry(d[462:], 0x0f, base, len(d)/512-base)
	return d
}

// gptPart is a partition of gptDisk.
type gptPart struct {
	name string
	data []byte
}

// gptDisk is a disk image with a protective MBR and a GPT of sectors of
// ss bytes (128 entries) holding parts one after the other; edit, when
// not nil, changes the header before its checksum.
func gptDisk(ss int, edit func(h []byte), parts ...gptPart) []byte {
	arrSecs := 128 * 128 / ss
	first := 2 + arrSecs
	total := first * ss
	for _, p := range parts {
		total += len(sectors(p.data, ss))
	}
	d := make([]byte, first*ss, total) // arr stays in d
	d[510], d[511] = 0x55, 0xaa
	arr := d[2*ss : 2*ss+128*128]
	lba := first
	for i, p := range parts {
		data := sectors(p.data, ss)
		e := arr[128*i:]
		copy(e, "\xaf\x3d\xc6\x0f\x83\x84\x72\x47\x8e\x79\x3d\x69\xd8\x47\x7d\xe4") // Linux filesystem
		e[16] = byte(i + 1)
		binary.LittleEndian.PutUint64(e[32:], uint64(lba))
		binary.LittleEndian.PutUint64(e[40:], uint64(lba+len(data)/ss-1))
		for j, c := range utf16.Encode([]rune(p.name)) {
			binary.LittleEndian.PutUint16(e[56+2*j:], c)
		}
		d = append(d, data...)
		lba += len(data) / ss
	}
	mbrEntry(d[446:], 0xee, 1, len(d)/ss-1)
	h := d[ss : ss+92]
	copy(h, "EFI PART")
	binary.LittleEndian.PutUint32(h[8:], 0x10000)
	binary.LittleEndian.PutUint32(h[12:], 92)
	binary.LittleEndian.PutUint64(h[24:], 1)
	binary.LittleEndian.PutUint64(h[40:], uint64(first))
	binary.LittleEndian.PutUint64(h[48:], uint64(len(d)/ss-1))
	binary.LittleEndian.PutUint64(h[72:], 2)
	binary.LittleEndian.PutUint32(h[80:], 128)
	binary.LittleEndian.PutUint32(h[84:], 128)
	binary.LittleEndian.PutUint32(h[88:], crc32.ChecksumIEEE(arr))
	if edit != nil {
		edit(h)
	}
	binary.LittleEndian.PutUint32(h[16:], crc32.ChecksumIEEE(h))
	return d
}

// diskImages returns, by name, the disk and filesystem images read,
// with the locations of the markers in each.
func diskImages(t testing.TB) map[string][]string {
	const m, deep = "inner/libkavcore.so", "deep/a/b/c/d/libkavcore.so"
	return map[string][]string{
		"kav.ext4":          {m},
		"kav.fat":           {m},
		"kav-blockmap.ext2": {m, deep},
		"kav-deep.ext4":     {m, deep},
		"kav-inline.ext4":   {m},
		"kav.fat32":         {m, deep},
		"disk.img":          {"p1!" + m},
		"ext.img":           {"p1!" + m, "p5!" + m, "p6!" + m},
		"gpt.img":           {"p1!" + m, "p2!" + m},
		"gpt4k.img":         {"p1!" + m},
	}
}

func diskData(t testing.TB, name string) []byte {
	switch name {
	case "disk.img":
		return mbrDisk(gunzipFixture(t, "kav.fat.gz"))
	case "ext.img":
		ext := gunzipFixture(t, "kav.ext4.gz")
		return mbrLogical(ext, gunzipFixture(t, "kav.fat.gz"), ext)
	case "gpt.img":
		return gptDisk(512, nil, gptPart{"boot", gunzipFixture(t, "kav.fat.gz")}, gptPart{"rootfs", gunzipFixture(t, "kav.ext4.gz")})
	case "gpt4k.img":
		return gptDisk(4096, nil, gptPart{"rootfs", gunzipFixture(t, "kav.ext4.gz")})
	}
	return gunzipFixture(t, name+".gz")
}

func TestDiskImages(t *testing.T) {
	for name, markers := range diskImages(t) {
		t.Run(name, func(t *testing.T) {
			data := diskData(t, name)
			for _, outer := range []string{"", "outer.zip"} {
				loc := name
				if outer != "" {
					data = archivetest.Zip(t, entry{Name: name, Data: data})
					loc = outer + Separator + name
				}
				files, rep := walkMem(t, strings.SplitN(loc, Separator, 2)[0], data, Limits{})
				noWarnings(t, rep)
				wantGaps(t, rep)
				for _, m := range markers {
					want := loc + Separator + m
					f := find(files, want)
					if f == nil || f.Data != kavMarker || f.Depth != strings.Count(want, Separator) {
						t.Errorf("%s: marker not visited: %+v in %q", want, f, locations(files))
					}
				}
			}
		})
	}
}

// TestDiskImagesContents checks files the markers do not: many blocks,
// inline data, long names, symbolic links.
func TestDiskImagesContents(t *testing.T) {
	big := strings.Repeat("the same line of a large text file, over and over\n", 3000000/50+1)[:3000000]
	for _, c := range []struct {
		image string
		files map[string]string
		links int
	}{
		{"kav.ext4", map[string]string{"etc/a.txt": "readme\n"}, 1},
		{"kav-blockmap.ext2", map[string]string{"etc/a.txt": "readme\n", "deep/big.txt": big, "deep/tiny.txt": "tiny\n"}, 1},
		{"kav-deep.ext4", map[string]string{"deep/big.txt": big, "deep/tiny.txt": "tiny\n"}, 1},
		{"kav-inline.ext4", map[string]string{"d/mid.txt": strings.Repeat("y", 50), "d/mid80.txt": strings.Repeat("z", 80), "d/f1": "f1\n"}, 0},
		{"kav.fat32", map[string]string{"deep/big.txt": big, "deep/A Long File Name.txt": "readme\n", "deep/tiny.txt": "tiny\n"}, 0},
	} {
		files, rep := walkMem(t, c.image, diskData(t, c.image), Limits{})
		wantGaps(t, rep)
		for name, want := range c.files {
			if f := find(files, c.image+Separator+name); f == nil || f.Data != want {
				t.Errorf("%s!%s: not read or wrong (%d files: %q)", c.image, name, len(files), locations(files))
			}
		}
		if rep.Links != c.links || find(files, c.image+Separator+"etc/link.so") != nil {
			t.Errorf("%s: %d links, want %d", c.image, rep.Links, c.links)
		}
	}
}

// TestDiskImagesDepth nests each image one level beyond archive-depth,
// and a filesystem in a disk image at archive-depth.
func TestDiskImagesDepth(t *testing.T) {
	for name := range diskImages(t) {
		k := "MBR disk image" // the GPT disks with 4 KiB sectors too: told by their protective MBR
		switch {
		case strings.Contains(name, ".ext"):
			k = "ext2/3/4 filesystem"
		case strings.Contains(name, ".fat"):
			k = "FAT filesystem"
		case name == "gpt.img":
			k = "GPT disk image"
		}
		files, rep := walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: name, Data: diskData(t, name)}), Limits{MaxDepth: 1})
		if len(files) != 2 {
			t.Errorf("%s: %q", name, locations(files))
		}
		wantGaps(t, rep, "archive-depth")
		wantWarning(t, rep, fmt.Sprintf("outer.zip!%s: %s archive nested deeper than 1 levels (limit archive-depth), not opened", name, k))
	}
	files, rep := walkMem(t, "disk.img", diskData(t, "disk.img"), Limits{MaxDepth: 1})
	if len(files) != 2 || files[1].Location != "disk.img!p1" {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "archive-depth")
}

// flip returns a copy of data with the bytes at off replaced by b.
func flip(data []byte, off int, b ...byte) []byte {
	d := bytes.Clone(data)
	copy(d[off:], b)
	return d
}

// direntOf is the offset of the inode number of the ext directory entry
// named name, of type typ (1 a file, 2 a directory: the filetype feature).
func direntOf(t *testing.T, img []byte, name string, typ byte) int {
	t.Helper()
	i := bytes.Index(img, append([]byte{byte(len(name)), typ}, name...))
	if i < 6 {
		t.Fatalf("no directory entry %q", name)
	}
	return i - 6
}

// fatEntry12 sets FAT12 entry c of the first FAT of img (one reserved
// sector) to v.
func fatEntry12(img []byte, c int, v uint16) []byte {
	d := bytes.Clone(img)
	bps := int(binary.LittleEndian.Uint16(d[11:]))
	fat := d[bps*int(binary.LittleEndian.Uint16(d[14:])):]
	o := c + c/2
	old := binary.LittleEndian.Uint16(fat[o:])
	if c&1 == 1 {
		binary.LittleEndian.PutUint16(fat[o:], old&0x000f|v<<4)
	} else {
		binary.LittleEndian.PutUint16(fat[o:], old&0xf000|v&0xfff)
	}
	return d
}

func TestDiskImagesCorrupt(t *testing.T) {
	ext := gunzipFixture(t, "kav.ext4.gz")
	fat := gunzipFixture(t, "kav.fat.gz")
	inner := direntOf(t, ext, "inner", 2)
	deep := diskData(t, "kav-deep.ext4")
	// The FAT directory entry of inner: its first cluster.
	fi := bytes.Index(fat, []byte("INNER      \x10"))
	if fi < 0 {
		t.Fatal("no INNER in kav.fat")
	}
	innerCl := int(binary.LittleEndian.Uint16(fat[fi+26:]))
	ebrLoop := mbrLogical(fat, fat, fat)
	// The second boot record links back to the first.
	second := 512 + len(sectors(fat, 512)) + 512 + len(sectors(fat, 512))
	mbrEntry(ebrLoop[second+462:], 0x05, 1+len(sectors(fat, 512))/512, 1)
	overlap := mbrDisk(fat)
	mbrEntry(overlap[462:], 0x0c, 2, 10)
	beyond := mbrDisk(fat)
	mbrEntry(beyond[462:], 0x0c, 1000, 1000)
	gpt := diskData(t, "gpt.img")
	for _, c := range []struct {
		name    string
		data    []byte
		warning string
	}{
		{"truncated.ext4", ext[:4096], "truncated.ext4!.: bad ext directory: inode 2 beyond the image's end"},
		{"metabg.ext4", flip(ext, 1024+96, byte(ext[1024+96]|0x10)), "metabg.ext4: ext2/3/4 filesystem not opened: unsupported feature meta_bg"},
		{"recover.ext4", flip(ext, 1024+96, ext[1024+96]|0x4), "recover.ext4: ext3/4 journal needs recovery: changes in it not read"},
		{"gptrange.img", gptDisk(512, nil, gptPart{"x", make([]byte, 512)}, gptPart{"y", nil}), "gptrange.img!p2: partition runs beyond the image's end"},
		{"unknown.ext4", flip(ext, 1024+99, 0x40), "unknown.ext4: ext2/3/4 filesystem not opened: unsupported feature 0x40000000"},
		{"loop.ext4", flip(ext, inner, 2, 0, 0, 0), "loop.ext4!inner/: ext directory loop"},
		{"inode.ext4", flip(ext, inner, 0xff, 0xff, 0, 0), "inode.ext4!inner: bad ext inode: inode 65535 out of range"},
		{"cut.ext4", deep[:1<<20], "cut.ext4!deep/big.txt: read error: blocks "},
		{"truncated.fat", fat[:4096], "truncated.fat!.: bad FAT directory: 16384 bytes at 1536, beyond the image's end"},
		{"loop.fat", fatEntry12(fat, innerCl, uint16(innerCl)), "loop.fat!inner: bad FAT directory: cluster"},
		{"range.fat", fatEntry12(fat, innerCl, 0xff0), "range.fat!inner: bad FAT directory: cluster 4080 out of range"},
		{"ebrloop.img", ebrLoop, "ebrloop.img: extended partition p2: loop in its boot records"},
		{"overlap.img", overlap, "overlap.img!p2: partition overlaps p1, not read"},
		{"beyond.img", beyond, "beyond.img!p2: partition runs beyond the image's end"},
		{"crc.img", flip(gpt, 512+40, 9), "crc.img: not a valid GPT disk image: GPT header checksum mismatch"},
		{"array.img", flip(gpt, 1024+200, 9), "array.img: not a valid GPT disk image: GPT partition array checksum mismatch"},
		{"count.img", gptDisk(512, func(h []byte) { binary.LittleEndian.PutUint32(h[80:], 1<<30) }), "count.img: not a valid GPT disk image: GPT partition array of 1073741824 entries"},
		{"gptbeyond.img", gptDisk(512, func(h []byte) { binary.LittleEndian.PutUint64(h[72:], 1<<40) }), "gptbeyond.img: not a valid GPT disk image: "},
		{"protective.img", flip(gpt, 512, 'X'), "protective.img: not a valid MBR disk image: protective MBR without a GPT header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, c.name, c.data, Limits{})
			if files[0].Location != c.name {
				t.Errorf("locations %q", locations(files))
			}
			wantWarning(t, rep, c.warning)
			if rep.GapCount == 0 {
				t.Errorf("no gap: %q", rep.Warnings)
			}
		})
	}
}

// TestDiskImagesBomb: bomb.ext2 holds sparse.bin, 70 MiB of holes (its
// one block through a triple indirect block) then the marker, and
// inner/libkavcore.so.
func TestDiskImagesBomb(t *testing.T) {
	bomb := diskData(t, "bomb.ext2")
	for _, c := range []struct {
		lim     Limits
		skipped string
		limit   string
	}{
		{Limits{}, "decompression ratio over 1000:1", "ratio"},
		{Limits{MaxFileBytes: 1 << 20}, "larger than 1 MiB", "file-bytes"},
	} {
		files, rep := walkMem(t, "bomb.ext2", bomb, c.lim)
		if f := find(files, "bomb.ext2!sparse.bin"); f == nil || !f.Nil || f.Skipped != c.skipped {
			t.Errorf("sparse.bin: %+v", f)
		}
		if m := find(files, "bomb.ext2!inner/libkavcore.so"); m == nil || m.Data != kavMarker {
			t.Errorf("marker beside the bomb not read: %q %q", locations(files), rep.Warnings)
		}
		wantGaps(t, rep, c.limit)
	}
	// Within the limits, the zeros are read, and the marker at their end.
	files, rep := walkMem(t, "bomb.ext2", bomb, Limits{MaxRatio: 1 << 20})
	if f := find(files, "bomb.ext2!sparse.bin"); f == nil || len(f.Data) != 70<<20+len(kavMarker) || !strings.HasSuffix(f.Data, kavMarker) || strings.Trim(f.Data[:70<<20], "\x00") != "" {
		t.Errorf("sparse.bin not read")
	}
	wantGaps(t, rep)
	// total-bytes holds.
	_, rep = walkMem(t, "bomb.ext2", bomb, Limits{MaxRatio: 1 << 20, MaxTotalBytes: 16 << 20})
	if !rep.Truncated {
		t.Errorf("not truncated: %q", rep.Warnings)
	}
	wantGaps(t, rep, "total-bytes")
}

// TestDiskImagesSharedBlocks: files that share their blocks (here hard
// links, made by pointing entries at big.txt's inode) are measured
// against the image's bytes read at most once, so re-reading the same
// blocks does not feed the ratio.
func TestDiskImagesSharedBlocks(t *testing.T) {
	img := diskData(t, "kav-deep.ext4") // 8 MiB, big.txt 3,000,000 bytes
	big := direntOf(t, img, "big.txt", 1)
	for _, name := range []string{"tiny.txt", "a.txt", "libkavcore.so"} {
		for i := 0; ; i++ {
			o := bytes.Index(img[i:], append([]byte{byte(len(name)), 1}, name...))
			if o < 0 {
				break
			}
			i += o
			copy(img[i-6:i-2], img[big:big+4])
		}
	}
	files, rep := walkMem(t, "links.ext4", img, Limits{})
	wantGaps(t, rep)
	n := 0
	for _, f := range files {
		if len(f.Data) == 3000000 {
			n++
		}
	}
	if n < 4 {
		t.Errorf("%d copies of big.txt read: %q", n, locations(files))
	}
	// The third copy passes 8 MiB, the image's size: over 1:1.
	_, rep = walkMem(t, "links.ext4", img, Limits{MaxRatio: 1})
	wantGaps(t, rep, "ratio")
	wantWarning(t, rep, "links.ext4: decompression ratio over 1:1 (limit ratio), rest of the image skipped")
}

// TestDiskImagesLimits: files, and file-bytes for an image inside an
// archive and a file inside an image.
func TestDiskImagesLimits(t *testing.T) {
	for _, name := range []string{"kav-deep.ext4", "kav.fat32", "gpt.img"} {
		files, rep := walkMem(t, name, diskData(t, name), Limits{MaxFiles: 3})
		if len(files) != 3 || !rep.Truncated {
			t.Errorf("%s: %q", name, locations(files))
		}
		wantGaps(t, rep, "files")
	}
	ext := diskData(t, "kav-deep.ext4")
	for name, warning := range map[string]string{
		// The ext magic number lies beyond what a stream shows of its start.
		"kav-deep.ext4": "outer.zip!kav-deep.ext4: larger than 1 MiB (limit file-bytes), contents not read",
		"kav.fat32":     "outer.zip!kav.fat32: FAT filesystem larger than 1 MiB (limit file-bytes) inside an archive, files not read",
	} {
		files, rep := walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: name, Data: diskData(t, name)}), Limits{MaxFileBytes: 1 << 20})
		if len(files) != 2 {
			t.Errorf("%q", locations(files))
		}
		wantGaps(t, rep, "file-bytes")
		wantWarning(t, rep, warning)
	}
	// On disk, the image is read at random; its big file is a gap.
	dir := t.TempDir()
	writeFile(t, dir+"/kav.ext4", ext)
	files, rep := walkDisk(t, dir+"/kav.ext4", Limits{MaxFileBytes: 1 << 20})
	if m := find(files, "kav.ext4!deep/a/b/c/d/libkavcore.so"); m == nil || m.Data != kavMarker {
		t.Errorf("marker not visited: %q %q", locations(files), rep.Warnings)
	}
	if f := find(files, "kav.ext4!deep/big.txt"); f == nil || f.Skipped != "larger than 1 MiB" {
		t.Errorf("big.txt: %+v", f)
	}
	wantGaps(t, rep, "file-bytes")
}

// FuzzDiskImages walks ext, FAT, MBR and GPT images with small limits:
// no reader may panic or pass a limit.
func FuzzDiskImages(f *testing.F) {
	// Without their trailing zeros, the images are small enough for the
	// fuzzer to mutate their tables; what lies beyond the end is a gap.
	trim := func(name string) []byte { return bytes.TrimRight(diskData(f, name), "\x00") }
	ext, fat := trim("kav.ext4"), trim("kav.fat")
	for _, name := range []string{"kav.ext4", "kav.fat", "kav-inline.ext4", "bomb.ext2"} {
		f.Add(trim(name))
	}
	f.Add(mbrDisk(sectors(fat, 512)))
	f.Add(mbrLogical(ext, fat, ext))
	f.Add(gptDisk(512, nil, gptPart{"boot", fat}, gptPart{"rootfs", ext}))
	lim := Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 16 << 20, MaxFiles: 1000, MaxDepth: 4}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(hangLimit(), func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("walk hung:\n%s", buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		var files []seen
		rep, err := WalkBytes(context.Background(), "fuzz.img", data, lim, func(f *File) error {
			files = append(files, seen{Location: f.Location, Depth: f.Depth, Nil: f.Data == nil, Skipped: f.Skipped, Size: f.Size})
			if int64(len(f.Data)) > lim.MaxFileBytes || f.Depth > lim.MaxDepth {
				t.Errorf("%s: %d bytes, depth %d", f.Location, len(f.Data), f.Depth)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, files, rep)
		if rep.ArchiveBytes > lim.MaxTotalBytes || rep.Files > lim.MaxFiles {
			t.Errorf("limits passed: %+v", rep)
		}
		if hasWarning(rep, "panicked") {
			t.Errorf("%q", rep.Warnings)
		}
	})
}

// TestDiskImagesMutated walks copies of the fuzz seeds with a few bytes
// changed at random (a fixed seed): the fuzzer mutates so much of these
// inputs that it rarely keeps an image valid enough to reach its deeper
// tables. PEDIGREE_MUTATIONS sets the number of copies of each seed.
func TestDiskImagesMutated(t *testing.T) {
	n := 200
	if s := os.Getenv("PEDIGREE_MUTATIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	trim := func(name string) []byte { return bytes.TrimRight(diskData(t, name), "\x00") }
	ext, fat := trim("kav.ext4"), trim("kav.fat")
	seeds := [][]byte{ext, fat, trim("kav-inline.ext4"), trim("bomb.ext2"), trim("kav.fat32")[:64<<10], mbrLogical(ext, fat, ext), gptDisk(512, nil, gptPart{"boot", fat}, gptPart{"rootfs", ext})}
	lim := Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 16 << 20, MaxFiles: 1000, MaxDepth: 4}
	rnd := rand.New(rand.NewPCG(1, 2))
	values := []byte{0, 1, 2, 0x7f, 0x80, 0xfe, 0xff}
	for i, seed := range seeds {
		for range n {
			d := bytes.Clone(seed)
			for range 1 + rnd.IntN(4) {
				at := rnd.IntN(len(d))
				if rnd.IntN(2) == 0 {
					d[at] = values[rnd.IntN(len(values))]
				} else {
					d[at] ^= byte(1 << rnd.IntN(8))
				}
			}
			var files []seen
			rep, err := WalkBytes(context.Background(), "m.img", d, lim, record(&files))
			if err != nil {
				t.Fatal(err)
			}
			if hasWarning(rep, "panicked") || rep.ArchiveBytes > lim.MaxTotalBytes {
				t.Fatalf("seed %d: %q", i, rep.Warnings)
			}
			checkReport(t, files, rep)
		}
	}
}
