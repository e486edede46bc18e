package walk

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// fdtNode is a device tree node for fdtBlob.
type fdtNode struct {
	name  string
	props []fdtProperty
	kids  []*fdtNode
}

type fdtProperty struct {
	name string
	val  []byte
}

func fdtString(s string) []byte { return append([]byte(s), 0) }

func fdtU32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// fdtBlob writes a flattened device tree (version 17, as dtc and mkimage
// do): header, empty memory reservation map, structure and strings
// blocks.
func fdtBlob(root *fdtNode) []byte {
	var st, strs []byte
	nameOff := map[string]int{}
	var node func(n *fdtNode)
	pad := func() {
		for len(st)%4 != 0 {
			st = append(st, 0)
		}
	}
	node = func(n *fdtNode) {
		st = binary.BigEndian.AppendUint32(st, fdtBeginNode)
		st = append(st, n.name...)
		st = append(st, 0)
		pad()
		for _, p := range n.props {
			off, ok := nameOff[p.name]
			if !ok {
				off = len(strs)
				nameOff[p.name] = off
				strs = append(strs, p.name...)
				strs = append(strs, 0)
			}
			st = binary.BigEndian.AppendUint32(st, fdtProp)
			st = binary.BigEndian.AppendUint32(st, uint32(len(p.val)))
			st = binary.BigEndian.AppendUint32(st, uint32(off))
			st = append(st, p.val...)
			pad()
		}
		for _, k := range n.kids {
			node(k)
		}
		st = binary.BigEndian.AppendUint32(st, fdtEndNode)
	}
	node(root)
	st = binary.BigEndian.AppendUint32(st, fdtEnd)
	h := make([]byte, 40+16) // header, then the reservation map's terminator
	structOff := len(h)
	stringsOff := structOff + len(st)
	total := stringsOff + len(strs)
	for i, v := range []int{fdtMagic, total, structOff, stringsOff, 40, 17, 16, 0, len(strs), len(st)} {
		binary.BigEndian.PutUint32(h[4*i:], uint32(v))
	}
	return append(append(h, st...), strs...)
}

// fitPart is an image of a test FIT.
type fitPart struct {
	name, compression string
	data              []byte
}

// fitBlob writes a FIT holding parts, their data embedded or, when
// external is set, after the tree as mkimage -E does (data-offset,
// data-size; or data-position when position is set).
func fitBlob(external, position bool, parts ...fitPart) []byte {
	images := &fdtNode{name: "images"}
	var ext []byte
	var offs []int
	for _, p := range parts {
		n := &fdtNode{name: p.name, props: []fdtProperty{
			{"description", fdtString("test " + p.name)},
			{"type", fdtString("kernel")},
		}}
		if p.compression != "" {
			n.props = append(n.props, fdtProperty{"compression", fdtString(p.compression)})
		}
		if external {
			offs = append(offs, len(ext))
			where := "data-offset"
			if position {
				where = "data-position" // set below, once the tree's size is known
			}
			n.props = append(n.props, fdtProperty{where, fdtU32(uint32(len(ext)))}, fdtProperty{"data-size", fdtU32(uint32(len(p.data)))})
			ext = append(ext, p.data...)
			for len(ext)%4 != 0 {
				ext = append(ext, 0)
			}
		} else {
			n.props = append(n.props, fdtProperty{"data", p.data})
		}
		n.kids = []*fdtNode{{name: "hash-1", props: []fdtProperty{{"algo", fdtString("crc32")}, {"value", fdtU32(0)}}}}
		images.kids = append(images.kids, n)
	}
	conf := &fdtNode{name: "configurations", props: []fdtProperty{{"default", fdtString("conf-1")}},
		kids: []*fdtNode{{name: "conf-1", props: []fdtProperty{{"kernel", fdtString("kernel-1")}}}}}
	root := &fdtNode{props: []fdtProperty{{"description", fdtString("test FIT")}, {"#address-cells", fdtU32(1)}},
		kids: []*fdtNode{images, conf}}
	blob := fdtBlob(root)
	if position { // the values change, not their length: the tree keeps its size
		base := (len(blob) + 3) &^ 3
		for i, im := range images.kids {
			for j, p := range im.props {
				if p.name == "data-position" {
					im.props[j].val = fdtU32(uint32(base + offs[i]))
				}
			}
		}
		blob = fdtBlob(root)
	}
	if external {
		for len(blob)%4 != 0 {
			blob = append(blob, 0)
		}
		blob = append(blob, ext...)
	}
	return blob
}

// TestFIT: the images of a FIT are files named by their nodes, opened
// when they are archives or images, their data embedded or external.
func TestFIT(t *testing.T) {
	kav := entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}
	sq := fixture(t, "kav-gzip.sqfs")
	for _, c := range []struct {
		name   string
		parts  []fitPart
		inner  string
		others []string
	}{
		{"plain", []fitPart{{"kernel-1", "none", []byte(kavMarker)}}, "kernel-1", nil},
		{"gzip tar", []fitPart{{"kernel-1", "gzip", archivetest.Gzip(t, archivetest.Tar(t, kav))}}, "kernel-1!inner/libkavcore.so", nil},
		{"gzip", []fitPart{{"kernel-1", "gzip", archivetest.Gzip(t, []byte(kavMarker))}}, "kernel-1!kernel-1", nil},
		{"squashfs ramdisk", []fitPart{{"kernel-1", "", []byte("zImage")}, {"fdt-1", "none", []byte("\xd0\x0d\xfe\xed")}, {"ramdisk-1", "none", sq}},
			"ramdisk-1!inner/libkavcore.so", []string{"kernel-1", "fdt-1", "ramdisk-1!etc/a.txt"}},
		{"unit address", []fitPart{{"kernel@1", "none", []byte(kavMarker)}}, "kernel@1", nil},
	} {
		for _, layout := range []string{"embedded", "external", "position"} {
			t.Run(c.name+"/"+layout, func(t *testing.T) {
				data := fitBlob(layout != "embedded", layout == "position", c.parts...)
				if detect(data, nil) != kindFIT {
					t.Fatalf("not told a FIT")
				}
				for _, outer := range []string{"", "outer.zip"} {
					loc := "fw.itb"
					if outer != "" {
						data = archivetest.Zip(t, entry{Name: "fw.itb", Data: data})
						loc = outer + Separator + loc
					}
					files, rep := walkMem(t, strings.SplitN(loc, Separator, 2)[0], data, Limits{})
					noWarnings(t, rep)
					want := loc + Separator + c.inner
					if f := find(files, want); f == nil || f.Data != kavMarker {
						t.Errorf("%s: marker not visited: %+v in %q", want, f, locations(files))
					}
					for _, o := range c.others {
						if find(files, loc+Separator+o) == nil {
							t.Errorf("%s not visited: %q", o, locations(files))
						}
					}
				}
			})
		}
	}
}

// TestFITDepth: a FIT one level beyond archive-depth is a gap.
func TestFITDepth(t *testing.T) {
	fit := fitBlob(false, false, fitPart{"kernel-1", "none", []byte(kavMarker)})
	files, rep := walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: "fw.itb", Data: fit}), Limits{MaxDepth: 1})
	if len(files) != 2 {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "archive-depth")
	wantWarning(t, rep, "outer.zip!fw.itb: FIT image archive nested deeper than 1 levels (limit archive-depth), not opened")
}

// TestFITLarge: a FIT on disk over file-bytes is still opened, read at
// random; inside an archive it is a gap.
func TestFITLarge(t *testing.T) {
	fit := fitBlob(true, false, fitPart{"kernel-1", "none", bytes.Repeat([]byte("k"), 8<<10)},
		fitPart{"ramdisk-1", "gzip", archivetest.Gzip(t, archivetest.Tar(t, entry{Name: "inner/libkavcore.so", Data: []byte(kavMarker)}))})
	dir := t.TempDir()
	writeFile(t, dir+"/fw.itb", fit)
	files, rep := walkDisk(t, dir+"/fw.itb", Limits{MaxFileBytes: 4 << 10})
	if m := find(files, "fw.itb!ramdisk-1!inner/libkavcore.so"); m == nil || m.Data != kavMarker {
		t.Errorf("marker not visited: %q %q", locations(files), rep.Warnings)
	}
	wantGaps(t, rep, "file-bytes") // kernel-1
	files, rep = walkMem(t, "outer.zip", archivetest.Zip(t, entry{Name: "fw.itb", Data: fit}), Limits{MaxFileBytes: 4 << 10})
	if len(files) != 2 {
		t.Errorf("%q", locations(files))
	}
	wantGaps(t, rep, "file-bytes")
	wantWarning(t, rep, "outer.zip!fw.itb: FIT image larger than 4 KiB (limit file-bytes) inside an archive, its images not read")
}

// TestFITGaps: payloads that cannot be read are gaps naming why; the
// payload is still visited as it is.
func TestFITGaps(t *testing.T) {
	lzma := []byte("]\x00\x00\x80\x00 lzma data " + kavMarker)
	for _, c := range []struct {
		name     string
		data     []byte
		warnings []string
		visited  string // a location visited, with its data
	}{
		{"lzma", fitBlob(false, false, fitPart{"kernel-1", "lzma", lzma}),
			[]string{"fw.itb!kernel-1: not a valid lzma: "}, "kernel-1"}, // decoded (lzma_test.go), here corrupt
		{"lzo external", fitBlob(true, false, fitPart{"kernel-1", "lzo", []byte("\x89LZO\x00 lzo data")}),
			[]string{"fw.itb!kernel-1: FIT image payload compressed with lzo, not read"}, "kernel-1"},
		{"not gzip", fitBlob(false, false, fitPart{"kernel-1", "gzip", []byte("plain text")}),
			[]string{"fw.itb!kernel-1: FIT image payload declared gzip but not in a format read, not read"}, "kernel-1"},
		{"unknown", fitBlob(false, false, fitPart{"kernel-1", "lzham", []byte("lzham")}),
			[]string{`fw.itb!kernel-1: FIT image payload with unknown compression "lzham", not read`}, "kernel-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, "fw.itb", c.data, Limits{})
			wantGapWarnings(t, rep, c.warnings)
			if f := find(files, "fw.itb!"+c.visited); f == nil || f.Nil {
				t.Errorf("%s not visited: %q", c.visited, locations(files))
			}
		})
	}
}

// fitCorruptions are broken FITs, each a gap naming the fault.
func fitCorruptions() []struct {
	name, warning string
	data          []byte
} {
	good := fitBlob(false, false, fitPart{"kernel-1", "none", []byte(kavMarker)})
	ext := fitBlob(true, false, fitPart{"kernel-1", "none", []byte(kavMarker)})
	set := func(b []byte, off int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.BigEndian.PutUint32(b[off:], v)
		return b
	}
	structOff := int(binary.BigEndian.Uint32(good[8:]))
	deep := &fdtNode{}
	for n, i := deep, 0; i < 40; i++ {
		k := &fdtNode{name: "images"}
		n.kids = []*fdtNode{k}
		n = k
	}
	noData := fdtBlob(&fdtNode{kids: []*fdtNode{{name: "images", kids: []*fdtNode{{name: "kernel-1"}}}}})
	return []struct {
		name, warning string
		data          []byte
	}{
		{"truncated", "fw.itb: not a valid FIT image: declared size", good[:len(good)-8]},
		{"total over the file", "fw.itb: not a valid FIT image: declared size", set(good, 4, 1<<30)},
		{"struct outside", "fw.itb: not a valid FIT image: structure block at", set(good, 36, 1<<20)},
		{"strings outside", "fw.itb: not a valid FIT image: strings block at", set(good, 12, 1<<31)},
		{"old version", "fw.itb: not a valid FIT image: device tree version 3", set(good, 20, 3)},
		{"unknown token", "fw.itb: not a valid FIT image: unknown token 0x7", set(good, structOff, 7)},
		{"no end", "fw.itb: not a valid FIT image: structure block truncated", set(good, 36, uint32(binary.BigEndian.Uint32(good[36:])-4))},
		{"name offset", "fw.itb: not a valid FIT image: property name at", set(good, structOff+16, 1<<20)},
		{"nested", "fw.itb: not a valid FIT image: nodes nested deeper than 32", fdtBlob(deep)},
		{"no data", "fw.itb!kernel-1: FIT image has no data, not read", noData},
		{"external beyond the end", "fw.itb!kernel-1: FIT image has its data at", ext[:len(ext)-8]},
	}
}

// TestFITCorrupt: a broken FIT is a gap, never a panic; its bytes are
// still visited.
func TestFITCorrupt(t *testing.T) {
	for _, c := range fitCorruptions() {
		t.Run(c.name, func(t *testing.T) {
			files, rep := walkMem(t, "fw.itb", c.data, Limits{})
			if len(files) == 0 || files[0].Location != "fw.itb" || files[0].Data != string(c.data) {
				t.Errorf("locations %q", locations(files))
			}
			wantGapWarnings(t, rep, []string{c.warning})
		})
	}
}

// FuzzFIT: parseFIT on any bytes ends, never panics, and every payload it
// returns lies in the file.
func FuzzFIT(f *testing.F) {
	f.Add(fitBlob(false, false, fitPart{"kernel-1", "gzip", []byte(kavMarker)}, fitPart{"fdt-1", "", []byte("dtb")}))
	f.Add(fitBlob(true, false, fitPart{"kernel-1", "none", []byte(kavMarker)}))
	f.Add(fitBlob(true, true, fitPart{"kernel-1", "lzma", []byte(kavMarker)}))
	for _, c := range fitCorruptions() {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		images, err := parseFIT(bytes.NewReader(data), int64(len(data)), 100)
		if err != nil && images != nil {
			t.Errorf("images with an error")
		}
		if len(images) > 100 {
			t.Errorf("%d images", len(images))
		}
		for _, im := range images {
			if im.bad == "" && (im.off < 0 || im.size < 0 || im.off+im.size > int64(len(data))) {
				t.Errorf("%s at %d+%d in %d bytes", im.name, im.off, im.size, len(data))
			}
		}
		if detect(data, nil) == kindFIT {
			files, rep := walkMem(t, "fw.itb", data, Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 4 << 20, MaxFiles: 100, MaxDepth: 3})
			if hasWarning(rep, "panicked") || len(files) == 0 {
				t.Errorf("%q", rep.Warnings)
			}
		}
	})
}
