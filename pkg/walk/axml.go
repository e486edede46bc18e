package walk

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Android binary XML (AXML): the form aapt gives AndroidManifest.xml in an
// APK. The walk hands the content pass the manifest as text XML in place
// of its bytes, as it does an msi's tables (msi.go): the components it
// declares (services, receivers, providers, activities), its permissions
// and the app's package and version are then dotted names and plain text,
// not UTF-16 strings indexed from a binary tree; strings of the pool that
// no element uses follow in a comment, so the text holds every string the
// bytes did. A manifest that does not decode is visited as its bytes, with
// a warning: its string pool is still there, read by the content pass in
// both encodings, so nothing goes unread (no gap).
//
// The decoder is this file's own: every chunk, offset and string is
// checked against the file, and the text it writes is bounded (axmlLimit).
// AndroidManifest.xml in an app bundle (.aab) is a protocol buffer, and in
// a library (.aar) plain XML: both are visited as they are.

// axmlName is the name of the file decoded.
const axmlName = "AndroidManifest.xml"

// AXML chunk types.
const (
	axmlFile        = 0x0003
	axmlStringPool  = 0x0001
	axmlResourceMap = 0x0180
	axmlStartNS     = 0x0100
	axmlEndNS       = 0x0101
	axmlStart       = 0x0102
	axmlEnd         = 0x0103
	axmlCDATA       = 0x0104
)

// axmlNoIndex is a string reference to no string.
const axmlNoIndex = 0xffffffff

// isAXML reports whether data start as an Android binary XML file.
func isAXML(data []byte) bool {
	return len(data) >= 8 && binary.LittleEndian.Uint16(data) == axmlFile && binary.LittleEndian.Uint16(data[2:]) == 8
}

// axmlLimit bounds the text of a manifest of n bytes: strings referenced
// many times could make it grow far beyond the file.
func axmlLimit(n int, maxFileBytes int64) int {
	return int(min(int64(n)*16+64<<10, maxFileBytes, 64<<20))
}

// androidManifest returns the text of the Android manifest n, whose bytes
// are data, or data with a warning when they do not decode.
func (w *walker) androidManifest(n node, data []byte) []byte {
	text, err := decodeAXML(data, axmlLimit(len(data), w.lim.MaxFileBytes))
	if err != nil {
		w.warn("%s: Android binary XML not decoded: %v, read as bytes", n.loc, err)
		return data
	}
	return text
}

// axmlPool is a string pool chunk.
type axmlPool struct {
	chunk   []byte // the whole chunk
	offsets []byte // the string offsets, 4 bytes each
	start   int    // of the strings, in chunk
	utf8    bool
	used    []bool // by index: the string was written
}

// axmlDecoder writes the text of one file.
type axmlDecoder struct {
	pool  *axmlPool
	ids   []byte // the resource map: an attribute id per string index, 4 bytes each
	out   bytes.Buffer
	limit int
	spent int // bytes of strings decoded, bounded by limit too
	ns    []axmlNS
	fresh int      // namespaces declared since the last start tag
	open  bool     // a start tag is written but not ended (">" or "/>")
	tags  []string // the elements open: each end tag is the name of its start tag
}

type axmlNS struct{ prefix, uri uint32 }

// decodeAXML decodes Android binary XML into text XML of at most limit
// bytes.
func decodeAXML(data []byte, limit int) ([]byte, error) {
	le := binary.LittleEndian
	if !isAXML(data) {
		return nil, fmt.Errorf("not binary XML")
	}
	size := int(le.Uint32(data[4:]))
	if size < 8 || size > len(data) {
		return nil, fmt.Errorf("declared size %d bytes, file %d bytes", size, len(data))
	}
	d := &axmlDecoder{limit: limit}
	d.out.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	for off := 8; off < size; {
		if size-off < 8 {
			return nil, fmt.Errorf("truncated chunk at %d", off)
		}
		typ, hsize, csize := le.Uint16(data[off:]), int(le.Uint16(data[off+2:])), int(le.Uint32(data[off+4:]))
		if hsize < 8 || csize < hsize || csize > size-off {
			return nil, fmt.Errorf("chunk %#x at %d: header %d bytes, size %d bytes, outside the file", typ, off, hsize, csize)
		}
		if err := d.chunk(typ, data[off:off+csize], hsize); err != nil {
			return nil, fmt.Errorf("chunk %#x at %d: %w", typ, off, err)
		}
		if d.out.Len() > d.limit {
			return nil, fmt.Errorf("text over %d bytes", d.limit)
		}
		off += csize
	}
	if len(d.tags) != 0 || d.pool == nil {
		return nil, fmt.Errorf("ends inside an element")
	}
	if err := d.unused(); err != nil {
		return nil, err
	}
	return d.out.Bytes(), nil
}

// unused writes the strings of the pool that the tree did not use, in a
// comment after it, so that the text holds every string the bytes did:
// strings put in the pool to be seen only by a reader of the bytes are
// not hidden by decoding. A string that does not decode is left out.
func (d *axmlDecoder) unused() error {
	first := true
	for i, used := range d.pool.used {
		if used {
			continue
		}
		s, err := d.str(uint32(i))
		if err != nil || s == "" {
			continue
		}
		if first {
			d.out.WriteString("<!-- strings not used by the elements:\n")
			first = false
		}
		// "--" cannot be inside a comment ("---" takes two passes).
		s = strings.Map(xmlChar, s)
		for strings.Contains(s, "--") {
			s = strings.ReplaceAll(s, "--", "- -")
		}
		d.out.WriteString(s + "\n")
		if d.out.Len() > d.limit {
			return fmt.Errorf("text over %d bytes", d.limit)
		}
	}
	if !first {
		d.out.WriteString("-->\n")
	}
	return nil
}

// chunk decodes one chunk c, whose header is hsize bytes.
func (d *axmlDecoder) chunk(typ uint16, c []byte, hsize int) error {
	le := binary.LittleEndian
	switch typ {
	case axmlStringPool:
		if d.pool != nil {
			return fmt.Errorf("second string pool")
		}
		if hsize < 28 {
			return fmt.Errorf("string pool header of %d bytes", hsize)
		}
		count, start := int(le.Uint32(c[8:])), int(le.Uint32(c[20:]))
		if count > (len(c)-hsize)/4 || (count > 0 && (start < hsize+4*count || start > len(c))) {
			return fmt.Errorf("%d strings at %d outside the pool", count, start)
		}
		d.pool = &axmlPool{chunk: c, offsets: c[hsize : hsize+4*count], start: start, utf8: le.Uint32(c[16:])&0x100 != 0, used: make([]bool, count)}
		return nil
	case axmlResourceMap:
		d.ids = c[hsize : hsize+(len(c)-hsize)/4*4]
		return nil
	case axmlStartNS, axmlEndNS, axmlStart, axmlEnd, axmlCDATA:
	default:
		return nil // another chunk (an Android resource table's, or a future one): nothing to read
	}
	if d.pool == nil {
		return fmt.Errorf("element before the string pool")
	}
	if hsize < 16 || len(c) < hsize+8 {
		return fmt.Errorf("node of %d bytes", len(c))
	}
	ext := c[hsize:]
	switch typ {
	case axmlStartNS:
		d.ns = append(d.ns, axmlNS{prefix: le.Uint32(ext), uri: le.Uint32(ext[4:])})
		d.fresh++
	case axmlEndNS:
		uri := le.Uint32(ext[4:])
		for i := len(d.ns) - 1; i >= 0; i-- {
			if d.ns[i].uri == uri {
				d.ns = append(d.ns[:i], d.ns[i+1:]...)
				break
			}
		}
		d.fresh = min(d.fresh, len(d.ns))
	case axmlStart:
		return d.start(ext)
	case axmlEnd:
		if len(d.tags) == 0 {
			return fmt.Errorf("end of an element not started")
		}
		name := d.tags[len(d.tags)-1]
		d.tags = d.tags[:len(d.tags)-1]
		if d.open {
			d.out.WriteString("/>\n")
			d.open = false
			return nil
		}
		d.indent()
		d.out.WriteString("</" + name + ">\n")
	case axmlCDATA:
		s, err := d.str(le.Uint32(ext))
		if err != nil {
			return err
		}
		d.endTag()
		d.indent()
		xml.EscapeText(&d.out, []byte(s))
		d.out.WriteByte('\n')
	}
	return nil
}

// start writes a start tag: ext is the element's attrExt and attributes.
func (d *axmlDecoder) start(ext []byte) error {
	le := binary.LittleEndian
	if len(ext) < 20 {
		return fmt.Errorf("element of %d bytes", len(ext))
	}
	name, err := d.qname(le.Uint32(ext), le.Uint32(ext[4:]))
	if err != nil {
		return err
	}
	at, asize, count := int(le.Uint16(ext[8:])), int(le.Uint16(ext[10:])), int(le.Uint16(ext[12:]))
	if count > 0 && (asize < 20 || at > len(ext) || count > (len(ext)-at)/asize) {
		return fmt.Errorf("%d attributes of %d bytes at %d outside the element", count, asize, at)
	}
	d.endTag()
	d.indent()
	d.tags = append(d.tags, name)
	d.out.WriteString("<" + name)
	for _, ns := range d.ns[len(d.ns)-d.fresh:] {
		prefix, err := d.str(ns.prefix)
		if err != nil {
			return err
		}
		uri, err := d.str(ns.uri)
		if err != nil {
			return err
		}
		d.out.WriteString(" xmlns:" + xmlName(prefix) + `="`)
		xml.EscapeText(&d.out, []byte(uri))
		d.out.WriteByte('"')
	}
	d.fresh = 0
	for i := range count {
		a := ext[at+i*asize:]
		aname, err := d.attrName(le.Uint32(a), le.Uint32(a[4:]))
		if err != nil {
			return err
		}
		val, err := d.value(le.Uint32(a[8:]), a[15], le.Uint32(a[16:]))
		if err != nil {
			return err
		}
		d.out.WriteString(" " + aname + `="`)
		xml.EscapeText(&d.out, []byte(val))
		d.out.WriteByte('"')
		if d.out.Len() > d.limit {
			return fmt.Errorf("text over %d bytes", d.limit)
		}
	}
	d.open = true
	return nil
}

// endTag ends a start tag left open.
func (d *axmlDecoder) endTag() {
	if d.open {
		d.out.WriteString(">\n")
		d.open = false
	}
}

func (d *axmlDecoder) indent() {
	d.out.WriteString(strings.Repeat("  ", min(len(d.tags), 16)))
}

// qname is the name of an element, with the prefix of its namespace.
func (d *axmlDecoder) qname(ns, name uint32) (string, error) {
	s, err := d.str(name)
	if err != nil {
		return "", err
	}
	return d.prefixed(ns, xmlName(s))
}

// attrName is the name of an attribute; a name stripped from the pool
// (by shrinkers) is told by its resource id.
func (d *axmlDecoder) attrName(ns, name uint32) (string, error) {
	s, err := d.str(name)
	if err != nil {
		return "", err
	}
	if s == "" && name != axmlNoIndex && int64(name) < int64(len(d.ids)/4) {
		id := binary.LittleEndian.Uint32(d.ids[4*name:])
		if s = axmlAttrIDs[id]; s == "" {
			s = fmt.Sprintf("attr-0x%08x", id)
		}
	}
	return d.prefixed(ns, xmlName(s))
}

// prefixed puts the prefix of the namespace uri before name.
func (d *axmlDecoder) prefixed(uri uint32, name string) (string, error) {
	if uri == axmlNoIndex {
		return name, nil
	}
	for i := len(d.ns) - 1; i >= 0; i-- {
		if d.ns[i].uri == uri {
			p, err := d.str(d.ns[i].prefix)
			if err != nil || p == "" {
				return name, err
			}
			return xmlName(p) + ":" + name, nil
		}
	}
	return name, nil
}

// axmlAttrIDs names the framework attributes a manifest's identity and
// components use, for pools whose names were stripped.
var axmlAttrIDs = map[uint32]string{
	0x01010000: "theme", 0x01010001: "label", 0x01010002: "icon", 0x01010003: "name",
	0x01010006: "permission", 0x01010010: "exported",
	0x0101020c: "minSdkVersion", 0x01010270: "targetSdkVersion",
	0x0101021b: "versionCode", 0x0101021c: "versionName",
}

// value writes an attribute's value: its raw string if it has one, else
// its typed value.
func (d *axmlDecoder) value(raw uint32, typ byte, v uint32) (string, error) {
	if raw != axmlNoIndex {
		return d.str(raw)
	}
	switch typ {
	case 0x00: // null
		return "", nil
	case 0x01:
		return fmt.Sprintf("@0x%08x", v), nil
	case 0x02:
		return fmt.Sprintf("?0x%08x", v), nil
	case 0x03:
		return d.str(v)
	case 0x04:
		return strconv.FormatFloat(float64(math.Float32frombits(v)), 'g', -1, 32), nil
	case 0x10:
		return strconv.Itoa(int(int32(v))), nil
	case 0x12:
		return strconv.FormatBool(v != 0), nil
	case 0x1c, 0x1d, 0x1e, 0x1f:
		return fmt.Sprintf("#%08x", v), nil
	}
	return fmt.Sprintf("0x%08x", v), nil
}

// str is the string at index i of the pool, "" for axmlNoIndex.
func (d *axmlDecoder) str(i uint32) (string, error) {
	p := d.pool
	if i == axmlNoIndex {
		return "", nil
	}
	if int64(i) >= int64(len(p.offsets)/4) {
		return "", fmt.Errorf("string %d of %d", i, len(p.offsets)/4)
	}
	off := int64(p.start) + int64(binary.LittleEndian.Uint32(p.offsets[4*i:]))
	c := p.chunk
	if off >= int64(len(c)) {
		return "", fmt.Errorf("string %d outside the pool", i)
	}
	s, err := axmlString(c[off:], p.utf8)
	if err != nil {
		return "", fmt.Errorf("string %d: %w", i, err)
	}
	p.used[i] = true
	d.spent += len(s)
	if d.spent > d.limit {
		return "", fmt.Errorf("strings over %d bytes", d.limit)
	}
	return s, nil
}

// axmlString decodes the string at the start of b.
func axmlString(b []byte, isUTF8 bool) (string, error) {
	le := binary.LittleEndian
	if isUTF8 {
		// Its length in UTF-16 units, then in bytes: 1 or 2 bytes each.
		n, b, ok := axmlLen8(b)
		if ok {
			n, b, ok = axmlLen8(b)
		}
		if !ok || n > len(b) {
			return "", fmt.Errorf("truncated")
		}
		s := b[:n]
		if utf8.Valid(s) {
			return string(s), nil
		}
		return strings.ToValidUTF8(string(s), "\uFFFD"), nil
	}
	if len(b) < 2 {
		return "", fmt.Errorf("truncated")
	}
	n := int(le.Uint16(b))
	b = b[2:]
	if n&0x8000 != 0 {
		if len(b) < 2 {
			return "", fmt.Errorf("truncated")
		}
		n = (n&0x7fff)<<16 | int(le.Uint16(b))
		b = b[2:]
	}
	if n > len(b)/2 {
		return "", fmt.Errorf("truncated")
	}
	u := make([]uint16, n)
	for j := range u {
		u[j] = le.Uint16(b[2*j:])
	}
	return string(utf16.Decode(u)), nil
}

// xmlChar replaces a character XML text cannot hold with U+FFFD.
func xmlChar(r rune) rune {
	if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff {
		return r
	}
	return '\uFFFD'
}

// axmlLen8 reads a length of a UTF-8 pool string: 1 byte, or 2 when the
// first has its high bit set.
func axmlLen8(b []byte) (int, []byte, bool) {
	if len(b) < 1 {
		return 0, nil, false
	}
	if b[0]&0x80 == 0 {
		return int(b[0]), b[1:], true
	}
	if len(b) < 2 {
		return 0, nil, false
	}
	return int(b[0]&0x7f)<<8 | int(b[1]), b[2:], true
}

// xmlName makes s a valid XML name of ASCII letters, digits, "_", "-"
// and ".": other characters become "_".
func xmlName(s string) string {
	if s == "" {
		return "_"
	}
	ok := func(i int, r rune) bool {
		return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r == '-' || r == '.' || r >= '0' && r <= '9')
	}
	clean := true
	for i, r := range s {
		if !ok(i, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if ok(i, r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
