package walk

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// The squashfs, ISO 9660, ext4 and FAT images are fixtures in testdata
// (see its README); uImages, MBR disks and FIT images are made here.

// gunzipFixture reads a gzipped fixture (the ISO, ext4 and FAT images
// are mostly zeros).
func gunzipFixture(t testing.TB, name string) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(fixture(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// uImage wraps payload in a U-Boot legacy header: comp 0 none, 1 gzip,
// 3 lzma; typ 2 kernel, 4 multi.
func uImage(payload []byte, name string, typ, comp byte) []byte {
	h := make([]byte, 64)
	binary.BigEndian.PutUint32(h, uImageMagic)
	binary.BigEndian.PutUint32(h[12:], uint32(len(payload)))
	binary.BigEndian.PutUint32(h[24:], crc32.ChecksumIEEE(payload))
	h[28], h[29], h[30], h[31] = 5, 2, typ, comp // linux, arm
	copy(h[32:], name)
	binary.BigEndian.PutUint32(h[4:], crc32.ChecksumIEEE(h))
	return append(h, payload...)
}

// mbrDisk is a disk image: an MBR whose one partition (FAT16) holds part.
func mbrDisk(part []byte) []byte {
	d := make([]byte, 512, 512+len(part))
	e := d[446:]
	e[4] = 0x06
	binary.LittleEndian.PutUint32(e[8:], 1)
	binary.LittleEndian.PutUint32(e[12:], uint32(len(part)/512))
	d[510], d[511] = 0x55, 0xaa
	return append(d, part...)
}

// fitImage is a FIT image whose kernel is lzma-compressed (fit_test.go).
func fitImage() []byte {
	return fitBlob(false, false, fitPart{"kernel-1", "lzma", []byte("]\x00\x00\x80\x00 lzma data")})
}

// kavImages returns, by name, an image of each kind read, holding
// inner/libkavcore.so at the location given.
func kavImages(t testing.TB) map[string]string {
	return map[string]string{
		"kav-gzip.sqfs":   "inner/libkavcore.so",
		"kav-xz.sqfs":     "inner/libkavcore.so",
		"kav-lz4.sqfs":    "inner/libkavcore.so",
		"kav-zstd.sqfs":   "inner/libkavcore.so",
		"kav-lzma.sqfs":   "inner/libkavcore.so",
		"kav-nofrag.sqfs": "inner/libkavcore.so",
		"kav.iso":         "inner/libkavcore.so", // Rock Ridge names
		"kav-joliet.iso":  "inner/libkavcore.so", // Joliet names
	}
}

func imageData(t testing.TB, name string) []byte {
	kav := entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}
	switch name {
	case "kernel.uImage":
		return uImage(archivetest.Gzip(t, archivetest.Tar(t, kav)), "Linux-5.10", 2, 1)
	case "rootfs.uImage":
		return uImage(fixture(t, "kav-gzip.sqfs"), "rootfs", 2, 0)
	}
	if strings.HasSuffix(name, ".iso") {
		return gunzipFixture(t, name+".gz")
	}
	return fixture(t, name)
}

func TestImages(t *testing.T) {
	cases := kavImages(t)
	cases["kernel.uImage"] = "Linux-5.10!inner/libkavcore.so"
	cases["rootfs.uImage"] = "rootfs!inner/libkavcore.so"
	for name, inner := range cases {
		t.Run(name, func(t *testing.T) {
			data := imageData(t, name)
			for _, outer := range []string{"", "outer.zip"} {
				loc := name
				if outer != "" {
					data = archivetest.Zip(t, entry{Name: name, Data: data})
					loc = outer + Separator + name
				}
				files, rep := walkMem(t, strings.SplitN(loc, Separator, 2)[0], data, Limits{})
				noWarnings(t, rep)
				wantGaps(t, rep)
				want := loc + Separator + inner
				f := find(files, want)
				if f == nil || f.Data != kavMarker || f.Depth != strings.Count(want, Separator) {
					t.Errorf("%s: marker not visited: %+v in %q", want, f, locations(files))
				}
				if strings.HasSuffix(name, ".sqfs") || name == "kav.iso" {
					if a := find(files, loc+Separator+"etc/a.txt"); a == nil || a.Data != "readme\n" {
						t.Errorf("etc/a.txt: %+v in %q", a, locations(files))
					}
					if l := find(files, loc+Separator+"etc/link.so"); l != nil || rep.Links != 1 {
						t.Errorf("symlink visited or not counted: %+v, %d links", l, rep.Links)
					}
				}
			}
		})
	}
}

// TestImagesNotOpened: the images whose filesystems are not read are gaps
// naming them, never plain files.
func TestImagesNotOpened(t *testing.T) {
	for _, c := range []struct {
		name, data []byte
		warning    string
	}{
		{[]byte("fit.itb"), fitImage(), "fit.itb!kernel-1: not a valid lzma: "}, // lzma is decoded (lzma_test.go), here corrupt
		{[]byte("kav-lzo.sqfs"), fixture(t, "kav-lzo.sqfs"), "kav-lzo.sqfs: squashfs image not opened: unsupported compression method lzo"},
		{[]byte("lzma.uImage"), uImage([]byte("]\x00\x00\x80\x00 lzma data"), "kernel", 2, 3), "lzma.uImage!kernel: not a valid lzma: "},
		{[]byte("multi.uImage"), uImage([]byte("\x00\x00\x00\x04\x00\x00\x00\x00abcd"), "multi", 4, 0), "multi.uImage!multi: multi-file uImage not opened, its images not read"},
		{[]byte("lz4.uImage"), uImage([]byte("\x02\x21\x4c\x18 legacy lz4"), "kernel", 2, 5), "lz4.uImage!kernel: uImage payload declared lz4 but not in a format read, not read"},
	} {
		t.Run(string(c.name), func(t *testing.T) {
			files, rep := walkMem(t, string(c.name), c.data, Limits{})
			if files[0].Location != string(c.name) || files[0].Data != string(c.data) {
				t.Errorf("locations %q", locations(files))
			}
			wantWarning(t, rep, c.warning)
			if len(rep.Warnings) != 1 {
				t.Errorf("warnings %q", rep.Warnings)
			}
			wantGaps(t, rep, "")
		})
	}
}

// TestImagesDepth nests each image one level beyond archive-depth.
func TestImagesDepth(t *testing.T) {
	cases := kavImages(t)
	cases["kernel.uImage"] = ""
	for name := range cases {
		k := "squashfs"
		if strings.HasSuffix(name, ".uImage") {
			k = "uImage"
		}
		if strings.HasSuffix(name, ".iso") {
			k = "iso9660"
		}
		files, rep := walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: name, Data: imageData(t, name)}), Limits{MaxDepth: 1})
		if len(files) != 2 {
			t.Errorf("%s: %q", name, locations(files))
		}
		wantGaps(t, rep, "archive-depth")
		wantWarning(t, rep, fmt.Sprintf("outer.zip!%s: %s archive nested deeper than 1 levels (limit archive-depth), not opened", name, k))
	}
}

func TestImagesCorrupt(t *testing.T) {
	sq := fixture(t, "kav-gzip.sqfs")
	// Squashfs has no checksum of its data; its metadata blocks are
	// compressed (zlib has one): a byte flipped in the inode table.
	flipped := bytes.Clone(sq)
	flipped[binary.LittleEndian.Uint64(sq[64:])+2+5] ^= 0xff
	badVersion := bytes.Clone(sq)
	badVersion[28] = 3
	kernel := imageData(t, "kernel.uImage")
	// An lzma metadata block (after its 2-byte header) that declares a
	// 1 GiB dictionary is refused before the reader allocates it.
	lz := fixture(t, "kav-lzma.sqfs")
	bigDict := bytes.Clone(lz)
	binary.LittleEndian.PutUint32(bigDict[binary.LittleEndian.Uint64(lz[64:])+2+1:], 1<<30)
	for _, c := range []struct {
		name    string
		data    []byte
		warning string
	}{
		{"lzma-dict.sqfs", bigDict, "lzma-dict.sqfs: not a valid squashfs: lzma dictionary of 1073741824 bytes for blocks of 4096"},
		{"truncated.sqfs", sq[:200], "truncated.sqfs: not a valid squashfs: "},
		{"header.sqfs", sq[:50], "header.sqfs: squashfs image not opened: truncated superblock"},
		{"version.sqfs", badVersion, "version.sqfs: squashfs image not opened: squashfs version 3.0 not supported"},
		{"flipped.sqfs", flipped, "flipped.sqfs: not a valid squashfs: "},
		{"bigendian.sqfs", append([]byte("sqsh"), sq[4:]...), "bigendian.sqfs: squashfs image not opened: big-endian squashfs"},
		{"truncated.uImage", kernel[:len(kernel)-20], "truncated.uImage!Linux-5.10: read error: "},
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
			if m := find(files, c.name+Separator+"inner/libkavcore.so"); m != nil && m.Data == kavMarker {
				t.Errorf("corrupt image read whole: %q", locations(files))
			}
		})
	}
	// A file over file-bytes in an image is a gap, not read.
	files, rep := walkMem(t, "kav.sqfs", sq, Limits{MaxFileBytes: 16})
	if f := find(files, "kav.sqfs!inner/libkavcore.so"); f == nil || f.Skipped != "larger than 16 bytes" {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "file-bytes")
}

// TestImagesBomb: bomb.sqfs holds blank.img, 8 MiB of zeros in sparse
// blocks that take no room, then inner/libkavcore.so.
func TestImagesBomb(t *testing.T) {
	bomb := fixture(t, "bomb.sqfs")
	for _, c := range []struct {
		lim     Limits
		skipped string
		limit   string
	}{
		{Limits{}, "decompression ratio over 1000:1", "ratio"},
		{Limits{MaxFileBytes: 1 << 20}, "larger than 1 MiB", "file-bytes"},
	} {
		files, rep := walkMem(t, "bomb.sqfs", bomb, c.lim)
		if f := find(files, "bomb.sqfs!blank.img"); f == nil || !f.Nil || f.Skipped != c.skipped {
			t.Errorf("blank.img: %+v", f)
		}
		if m := find(files, "bomb.sqfs!inner/libkavcore.so"); m == nil || m.Data != kavMarker {
			t.Errorf("marker after the bomb not read: %q %q", locations(files), rep.Warnings)
		}
		wantGaps(t, rep, c.limit)
	}
	// Within the limits, the zeros are read.
	files, rep := walkMem(t, "bomb.sqfs", bomb, Limits{MaxRatio: 1 << 20})
	if f := find(files, "bomb.sqfs!blank.img"); f == nil || f.Nil || len(f.Data) != 8<<20 || strings.Trim(f.Data, "\x00") != "" {
		t.Errorf("blank.img not read")
	}
	wantGaps(t, rep)
}

// TestImagesLarge: an image on disk over file-bytes is still opened, read
// at random; inside an archive it is a gap.
func TestImagesLarge(t *testing.T) {
	iso := imageData(t, "kav.iso") // 370 KiB
	dir := t.TempDir()
	writeFile(t, dir+"/kav.iso", iso)
	files, rep := walkDisk(t, dir+"/kav.iso", Limits{MaxFileBytes: 64 << 10})
	if m := find(files, "kav.iso!inner/libkavcore.so"); m == nil || m.Data != kavMarker {
		t.Errorf("marker not visited: %q %q", locations(files), rep.Warnings)
	}
	wantGaps(t, rep)
	files, rep = walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: "kav.iso", Data: iso}), Limits{MaxFileBytes: 64 << 10})
	if len(files) != 2 {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "file-bytes")
}

// TestSquashfsSmallBlocksAndEmptyDirs: two images real tools make, which
// the reader once took for broken (found on go-diskfs's test images): with
// 4 KiB blocks a metadata block (8 KiB) is larger than a data block, and
// every empty directory (a/b/c/d, e) shares the table position of the
// next listing, which is no loop. testdata/zstd-4k-emptydirs.sqfs: see
// testdata/README.md.
func TestSquashfsSmallBlocksAndEmptyDirs(t *testing.T) {
	files, rep := walkMem(t, "fw.sqfs", fixture(t, "zstd-4k-emptydirs.sqfs"), Limits{})
	noWarnings(t, rep)
	wantGaps(t, rep)
	if f := find(files, "fw.sqfs"+Separator+"many/libkavcore.so"); f == nil || f.Data != "Copyright (C) 1997-2010 Kaspersky Lab ZAO" {
		t.Errorf("marker not found: %q", locations(files)[:min(5, len(files))])
	}
	if f := find(files, "fw.sqfs"+Separator+"many/file_300"); f == nil {
		t.Errorf("the 300th file of a listing over one metadata block was not visited")
	}
}
