package archivetest

import (
	"encoding/binary"
	"strconv"
	"unicode/utf16"
)

// Element is an element of an Android binary XML file, for AXML.
type Element struct {
	Name  string
	Attrs []Attr
	Kids  []Element
}

// Attr is an attribute of an Element.
type Attr struct {
	Name, Value string
	// Android puts the attribute in the android namespace
	// (android:name).
	Android bool
	// Int writes Value, a decimal number, as a typed integer with no raw
	// string, as aapt writes android:versionCode.
	Int bool
}

// AXMLOptions change how AXML writes.
type AXMLOptions struct {
	// UTF8 writes the string pool in UTF-8; UTF-16 otherwise.
	UTF8 bool
	// StripNames writes the android attributes' names as empty strings,
	// told by their resource ids only, as shrinkers leave them.
	StripNames bool
	// Unused are strings put in the pool that no element uses.
	Unused []string
}

// androidIDs are the resource ids of the android attributes AXML knows.
var androidIDs = map[string]uint32{
	"name": 0x01010003, "label": 0x01010001, "permission": 0x01010006, "exported": 0x01010010,
	"versionCode": 0x0101021b, "versionName": 0x0101021c,
}

const androidURI = "http://schemas.android.com/apk/res/android"

// AXML returns root as Android binary XML, as aapt writes
// AndroidManifest.xml in an APK: a string pool whose first strings are the
// android attributes' names, the resource map of their ids, then the
// android namespace around the elements.
func AXML(root Element, opts AXMLOptions) []byte {
	var strs []string
	index := map[string]uint32{}
	add := func(s string) uint32 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = uint32(len(strs))
		strs = append(strs, s)
		return index[s]
	}
	// The android attributes with an id come first, in the resource map's
	// order; stripped, each is an empty string of its own.
	var ids []uint32
	attrName := map[string]uint32{}
	var walkIDs func(e Element)
	walkIDs = func(e Element) {
		for _, a := range e.Attrs {
			if id, ok := androidIDs[a.Name]; ok && a.Android {
				if _, seen := attrName[a.Name]; !seen {
					attrName[a.Name] = uint32(len(strs))
					if opts.StripNames {
						strs = append(strs, "")
					} else {
						add(a.Name)
					}
					ids = append(ids, id)
				}
			}
		}
		for _, k := range e.Kids {
			walkIDs(k)
		}
	}
	walkIDs(root)
	prefix, uri := add("android"), add(androidURI)
	for _, u := range opts.Unused {
		add(u)
	}

	le := binary.LittleEndian
	u32 := func(b []byte, v ...uint32) []byte {
		for _, x := range v {
			b = le.AppendUint32(b, x)
		}
		return b
	}
	node := func(typ uint16, ext []byte) []byte {
		b := le.AppendUint16(nil, typ)
		b = le.AppendUint16(b, 16)
		b = u32(b, uint32(16+len(ext)), 1, 0xffffffff)
		return append(b, ext...)
	}
	var body []byte
	var element func(e Element)
	element = func(e Element) {
		name := add(e.Name)
		ext := u32(nil, 0xffffffff, name)
		ext = le.AppendUint16(ext, 20)
		ext = le.AppendUint16(ext, 20)
		ext = le.AppendUint16(ext, uint16(len(e.Attrs)))
		ext = append(ext, 0, 0, 0, 0, 0, 0)
		for _, a := range e.Attrs {
			ns, n := uint32(0xffffffff), uint32(0)
			if a.Android {
				ns = uri
			}
			if i, ok := attrName[a.Name]; ok && a.Android {
				n = i
			} else {
				n = add(a.Name)
			}
			raw, typ, data := uint32(0), byte(0x03), uint32(0)
			if !a.Int {
				raw = add(a.Value)
				data = raw
			} else {
				v, _ := strconv.Atoi(a.Value)
				raw, typ, data = 0xffffffff, 0x10, uint32(int32(v))
			}
			ext = u32(ext, ns, n, raw)
			ext = append(ext, 8, 0, 0, typ)
			ext = u32(ext, data)
		}
		body = append(body, node(0x0102, ext)...)
		for _, k := range e.Kids {
			element(k)
		}
		body = append(body, node(0x0103, u32(nil, 0xffffffff, name))...)
	}
	body = append(body, node(0x0100, u32(nil, prefix, uri))...)
	element(root)
	body = append(body, node(0x0101, u32(nil, prefix, uri))...)

	// The string pool.
	var data []byte
	var offs []byte
	for _, s := range strs {
		offs = u32(offs, uint32(len(data)))
		if opts.UTF8 {
			data = appendLen8(data, len(utf16.Encode([]rune(s))))
			data = appendLen8(data, len(s))
			data = append(append(data, s...), 0)
			continue
		}
		u := utf16.Encode([]rune(s))
		if len(u) >= 0x8000 {
			data = le.AppendUint16(data, uint16(len(u)>>16|0x8000))
		}
		data = le.AppendUint16(data, uint16(len(u)))
		for _, c := range u {
			data = le.AppendUint16(data, c)
		}
		data = append(data, 0, 0)
	}
	for len(data)%4 != 0 {
		data = append(data, 0)
	}
	flags := uint32(0)
	if opts.UTF8 {
		flags = 0x100
	}
	pool := le.AppendUint16(nil, 0x0001)
	pool = le.AppendUint16(pool, 28)
	pool = u32(pool, uint32(28+len(offs)+len(data)), uint32(len(strs)), 0, flags, uint32(28+len(offs)), 0)
	pool = append(append(pool, offs...), data...)

	resmap := le.AppendUint16(nil, 0x0180)
	resmap = le.AppendUint16(resmap, 8)
	resmap = u32(resmap, uint32(8+4*len(ids)))
	resmap = u32(resmap, ids...)

	out := le.AppendUint16(nil, 0x0003)
	out = le.AppendUint16(out, 8)
	out = u32(out, uint32(8+len(pool)+len(resmap)+len(body)))
	return append(append(append(out, pool...), resmap...), body...)
}

// appendLen8 appends a length of a UTF-8 pool string: 1 byte below 0x80,
// else 2.
func appendLen8(b []byte, n int) []byte {
	if n < 0x80 {
		return append(b, byte(n))
	}
	return append(b, byte(n>>8)|0x80, byte(n))
}
