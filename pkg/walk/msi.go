package walk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"strings"
)

// Windows Installer packages: compound files whose root has the MSI class
// (packages and merge modules, patches, transforms), or that hold the
// installer's tables. Each stream is a file (setup.msi!kav.cab, so an
// embedded cabinet is opened); the tables Property and File and the string
// pool are written as text (see walkMSI).

// msiCLSIDs are the root classes of installer databases: 000C1084 (a
// package or merge module), 000C1086 (a patch), 000C1082 (a transform),
// each {000C10xx-0000-0000-C000-000000000046}.
var msiCLSIDs = []byte{0x82, 0x84, 0x86}

// msiTable is the first character of a table's stream name.
const msiTable = 0x4840

// isMSI reports whether the compound file c is an installer database.
func (c *cfb) isMSI() bool {
	id := c.dir[0].clsid
	if slices.Contains(msiCLSIDs, id[0]) && bytes.Equal(id[1:], []byte{0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}) {
		return true
	}
	for _, e := range c.dir {
		if e.typ == 2 && (e.name == string(rune(msiTable))+msiEncode("_Tables") || e.name == string(rune(msiTable))+msiEncode("_StringPool")) {
			return true
		}
	}
	return false
}

// refineCFB tells an installer database (kindMSI) from other compound
// files (Office documents...), which are not opened: kindNone. ra reads
// the file (size bytes); without it, nothing can be told.
func refineCFB(k kind, ra io.ReaderAt, size int64) kind {
	if k != kindCFB {
		return k
	}
	if ra == nil {
		return kindNone
	}
	c, err := openCFB(ra, size)
	if err != nil {
		// A broken compound file says nothing of what it was: opened as
		// an installer, it is a gap.
		return kindMSI
	}
	if c.isMSI() {
		return kindMSI
	}
	return kindNone
}

// msiChars are the 64 characters of stream names, in their packing order.
const msiChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._"

// msiDecode decodes a stream name: characters 0x3800-0x47ff pack two of
// msiChars, 0x4800-0x483f one. table says it had the table mark.
func msiDecode(name string) (s string, table bool) {
	var b strings.Builder
	for i, r := range name {
		switch {
		case i == 0 && r == msiTable:
			table = true
		case r >= 0x3800 && r < 0x4800:
			r -= 0x3800
			b.WriteByte(msiChars[r&0x3f])
			b.WriteByte(msiChars[(r>>6)&0x3f])
		case r >= 0x4800 && r < 0x4840:
			b.WriteByte(msiChars[r-0x4800])
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), table
}

// msiEncode packs a name as msiDecode unpacks it.
func msiEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		x := strings.IndexByte(msiChars, s[i])
		if x < 0 {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) {
			if y := strings.IndexByte(msiChars, s[i+1]); y >= 0 {
				b.WriteRune(rune(0x3800 + x + y<<6))
				i++
				continue
			}
		}
		b.WriteRune(rune(0x4800 + x))
	}
	return b.String()
}

// walkMSI walks the installer database n: size bytes read from ra.
//
// Every stream is a file named by its decoded name: the embedded cabinets,
// binaries, icons, SummaryInformation, and the tables' own streams. Three
// are written as text in place of their bytes, one value a line, when the
// string pool decodes: _StringData (every string of every table),
// Property ("Manufacturer=Northwind Security Ltd") and File (the files'
// long names). The tables' other streams are numbers: indices into the
// string pool.
func (w *walker) walkMSI(n node, ra io.ReaderAt, size int64) error {
	c, err := openCFB(ra, size)
	if w.abort != nil {
		return w.abort
	}
	if err != nil {
		w.gap(n.loc, "", "not a valid msi: %v, streams not read", err)
		return nil
	}
	streams, err := c.streams(w.lim.MaxFiles)
	if w.abort != nil {
		return w.abort
	}
	switch {
	case errors.Is(err, errCFBTooMany):
		w.gap(n.loc, "files", "not a valid msi: more streams than the %d files allowed (limit files), streams not read", w.lim.MaxFiles)
		return nil
	case err != nil:
		w.gap(n.loc, "", "not a valid msi: %v, streams not read", err)
		return nil
	}
	w.rep.Archives++
	text := w.msiText(c, streams)
	for _, s := range streams {
		if err := w.check(); err != nil {
			return err
		}
		name, table := msiDecode(s.path[len(s.path)-1])
		name = strings.TrimLeftFunc(name, func(r rune) bool { return r < 0x20 }) // \x05SummaryInformation
		parts := append(slices.Clone(s.path[:len(s.path)-1]), name)
		c2 := n.child(w.entryName(n.loc, strings.Join(parts, "/")), 0o644)
		if table {
			if t, ok := text[name]; ok {
				if _, err := w.emit(&File{Location: c2.loc, Name: c2.name, Size: int64(len(t)), Mode: c2.mode, Depth: c2.depth, Data: t}); err != nil {
					return err
				}
				continue
			}
		}
		e := c.dir[s.entry]
		if int64(min(e.size, 1<<62)) > w.lim.MaxFileBytes {
			// Read at random, so that an embedded cab is still opened.
			if at, err := c.openAt(s.entry); err == nil {
				if err := w.visitLarge(c2, at.size, io.NewSectionReader(at, 0, at.size), at); err != nil {
					return err
				}
				continue
			}
		}
		r, err := c.open(s.entry)
		if err != nil {
			w.gap(c2.loc, "", "read error: %v, contents not read", err)
			if err := w.emitSkipped(c2, int64(min(e.size, 1<<62)), "unreadable: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		if err := w.visitReader(c2, int64(min(e.size, 1<<62)), w.budget(n.loc, r), nil); err != nil {
			return err
		}
	}
	return nil
}

// readAll reads the whole stream of directory entry i, if it has at most
// limit bytes.
func (c *cfb) readAll(i int, limit int64) ([]byte, bool) {
	if c.dir[i].size > uint64(limit) {
		return nil, false
	}
	r, err := c.open(i)
	if err != nil {
		return nil, false
	}
	b, err := io.ReadAll(r)
	return b, err == nil
}

// msiText decodes the string pool and the tables Property and File, as
// text by table name; what does not decode is left out.
func (w *walker) msiText(c *cfb, streams []cfbStream) map[string][]byte {
	tables := map[string]int{}
	for _, s := range streams {
		if len(s.path) == 1 {
			if name, table := msiDecode(s.path[0]); table {
				tables[name] = s.entry
			}
		}
	}
	limit := min(w.lim.MaxFileBytes, 64<<20)
	read := func(name string) []byte {
		i, ok := tables[name]
		if !ok {
			return nil
		}
		b, _ := c.readAll(i, limit)
		return b
	}
	strs, width := msiStrings(read("_StringPool"), read("_StringData"))
	if strs == nil {
		return nil
	}
	out := map[string][]byte{}
	var b bytes.Buffer
	for _, s := range strs[1:] {
		if s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	out["_StringData"] = bytes.Clone(b.Bytes())
	small := func(name string) []byte { // the tables: 8 MiB is many thousand rows
		if i, ok := tables[name]; ok {
			b, _ := c.readAll(i, min(limit, 8<<20))
			return b
		}
		return nil
	}
	cols := msiColumns(small("_Columns"), strs, width)
	for _, t := range []string{"Property", "File"} {
		tab := msiTableData{data: small(t), cols: cols[t]}
		nrows := tab.rows()
		if nrows == 0 {
			continue
		}
		b.Reset()
		for r := range nrows {
			get := func(col string) string {
				v, ok := tab.cell(r, col)
				if !ok || int(v) >= len(strs) {
					return ""
				}
				return strs[v]
			}
			switch t {
			case "Property":
				b.WriteString(get("Property") + "=" + get("Value") + "\n")
			case "File":
				name := get("FileName")
				if i := strings.IndexByte(name, '|'); i >= 0 { // short|long
					name = name[i+1:]
				}
				b.WriteString(name + "\n")
			}
		}
		out[t] = bytes.Clone(b.Bytes())
	}
	return out
}

// msiStrings decodes the string pool: the strings by id (id 0 is null)
// and the width of a string reference in tables (2 or 3 bytes).
func msiStrings(pool, data []byte) ([]string, int) {
	if len(pool) < 4 {
		return nil, 0
	}
	le := binary.LittleEndian
	width := 2
	if le.Uint16(pool[2:])&0x8000 != 0 {
		width = 3
	}
	count := len(pool) / 4
	strs := make([]string, 1, count)
	var off int
	for i := 1; i < count; {
		l, refs := int(le.Uint16(pool[4*i:])), le.Uint16(pool[4*i+2:])
		switch {
		case l == 0 && refs == 0:
			strs = append(strs, "")
			i++
			continue
		case l == 0: // over 64 KiB: the length's high word, then the entry
			if i+1 >= count {
				return strs, width
			}
			l = int(refs)<<16 | int(le.Uint16(pool[4*i+4:]))
			i += 2
		default:
			i++
		}
		if off+l > len(data) {
			return strs, width
		}
		strs = append(strs, string(data[off:off+l]))
		off += l
	}
	return strs, width
}

// msiColumn is a column of a table.
type msiColumn struct {
	name  string
	str   bool // a string reference
	bytes int
}

// msiColumns decodes the _Columns table: the columns of every table, in
// order.
func msiColumns(data []byte, strs []string, width int) map[string][]msiColumn {
	type row struct {
		table, number, name, typ int
	}
	rowLen := 2*width + 4
	nrows := len(data) / rowLen
	if nrows == 0 {
		return nil
	}
	rows := make([]row, nrows)
	p := 0
	ref := func(b []byte) int {
		v := int(binary.LittleEndian.Uint16(b))
		if width == 3 {
			v |= int(b[2]) << 16
		}
		return v
	}
	for i := range rows {
		rows[i].table = ref(data[p+i*width:])
	}
	p += nrows * width
	for i := range rows {
		rows[i].number = int(binary.LittleEndian.Uint16(data[p+2*i:]) ^ 0x8000)
	}
	p += nrows * 2
	for i := range rows {
		rows[i].name = ref(data[p+i*width:])
	}
	p += nrows * width
	for i := range rows {
		rows[i].typ = int(binary.LittleEndian.Uint16(data[p+2*i:]) ^ 0x8000)
	}
	slices.SortStableFunc(rows, func(a, b row) int { return a.number - b.number })
	out := map[string][]msiColumn{}
	for _, r := range rows {
		if r.table >= len(strs) || r.name >= len(strs) {
			continue
		}
		const typString, typValid, typNullable = 0x0800, 0x0100, 0x1000
		c := msiColumn{name: strs[r.name]}
		switch {
		case r.typ&^typNullable == typString|typValid: // a stream
			c.bytes = 2
		case r.typ&typString != 0:
			c.str, c.bytes = true, width
		case r.typ&0xff <= 2:
			c.bytes = 2
		default:
			c.bytes = 4
		}
		t := strs[r.table]
		out[t] = append(out[t], c)
	}
	return out
}

// msiTableData is a table stored column by column.
type msiTableData struct {
	data []byte
	cols []msiColumn
}

func (t msiTableData) rowLen() int {
	n := 0
	for _, c := range t.cols {
		n += c.bytes
	}
	return n
}

// rows is the number of rows.
func (t msiTableData) rows() int {
	if n := t.rowLen(); n > 0 {
		return len(t.data) / n
	}
	return 0
}

// cell is the value in row r of the string column named col: a string id.
func (t msiTableData) cell(r int, col string) (uint32, bool) {
	nrows := t.rows()
	p := 0
	for _, c := range t.cols {
		if c.name != col {
			p += nrows * c.bytes
			continue
		}
		if !c.str || r >= nrows {
			return 0, false
		}
		b := t.data[p+r*c.bytes:]
		v := uint32(binary.LittleEndian.Uint16(b))
		if c.bytes == 3 {
			v |= uint32(b[2]) << 16
		}
		return v, true
	}
	return 0, false
}
