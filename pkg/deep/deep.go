// Package deep looks inside files for who made them, whatever their names
// say.
//
// An Inspector is built from the signatures. It reads each file once: one
// multi-pattern pass (see finder) finds the vendor's names, hosts, install
// paths, Java package paths and content strings in the bytes, in plain and
// UTF-16LE form; PE files also give their version resources and
// Authenticode signer (pkg/pe); Java manifests give their vendor fields;
// Android manifests their components' dotted names and the app's identity
// (android.go).
// What a file reveals becomes Facts, and an Assembler turns the facts of a
// walk into components that pkg/match reads like any SBOM component: a
// copyright string becomes a copyright property, a signer a signer
// property, a host a URL, a class path a Java package. Class files and
// manifests roll up into the archive that holds them, so a rebranded jar is
// one component whose manifest names its offered maker and whose classes
// name the real one.
package deep

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/pedigree-sbom/pedigree/pkg/fold"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/pe"
	"github.com/pedigree-sbom/pedigree/pkg/recipe"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// What a pattern hit means.
type patternKind int

const (
	kindName    patternKind = iota // a vendor name: the string around it is read
	kindDomain                     // a domain: the host name around it is read
	kindContent                    // a content string from the signatures, exact case
	kindJava                       // a Java package path: the class name around it is read
	kindPath                       // an install path: the path around it is read
)

type pattern struct {
	kind  patternKind
	text  []byte // as searched (narrow or UTF-16LE)
	wide  bool
	exact string // for content: the signature's string, compared with case
}

// Inspector reads files. It is safe for concurrent use.
type Inspector struct {
	eng      *match.Engine
	patterns []pattern
	find     *finder
	hashes   []string
	// vendorWords are the names and product names of the signatures, for
	// telling which imports of a source file are worth keeping.
	vendorWords *fold.Phrases
	// imports turns away, before they are parsed, the source files none
	// of whose imports vendorImport could keep (nil: none is turned away).
	imports *recipe.ImportFilter
}

// maxFacts bounds what one file can contribute per kind, so a file that
// repeats a name a million times costs no more than one that says it once.
const maxFacts = 16

// New builds an Inspector for the engine's signatures.
func New(eng *match.Engine) *Inspector {
	in := &Inspector{eng: eng, hashes: eng.HashAlgorithms(), vendorWords: fold.NewPhrases()}
	seen := map[string]bool{}
	add := func(kind patternKind, s, exact string) {
		if len(s) < 4 {
			return // too short to mean anything inside a binary
		}
		for _, wide := range []bool{false, true} {
			text := []byte(s)
			if wide {
				text = utf16le(s)
			}
			key := string(rune('0'+kind)) + string(text)
			if seen[key] {
				continue
			}
			seen[key] = true
			in.patterns = append(in.patterns, pattern{kind: kind, text: text, wide: wide, exact: exact})
		}
	}
	for i, r := range eng.Set().Rules {
		m := r.Match
		for _, s := range append(append([]string(nil), m.Names...), m.Products...) {
			in.vendorWords.Add(s, i)
		}
		for _, n := range append(append([]string(nil), m.Names...), m.Signers...) {
			for _, form := range caseForms(n) {
				add(kindName, form, "")
			}
		}
		for _, d := range m.Domains {
			add(kindDomain, d, "")
		}
		for _, c := range m.Content {
			add(kindContent, c, c)
		}
		for _, j := range m.JavaPackages {
			add(kindJava, strings.ReplaceAll(j, ".", "/")+"/", "")
		}
		for _, p := range m.Paths {
			segs := signature.PathSegments(p)
			add(kindPath, strings.Join(segs, "/"), "")
			if len(segs) > 1 {
				add(kindPath, strings.Join(segs, `\`), "")
			}
		}
	}
	in.imports = importFilter(eng.Set().Rules)
	texts := make([][]byte, len(in.patterns))
	for i, p := range in.patterns {
		texts[i] = p.text
	}
	in.find = newFinder(texts)
	return in
}

// Literal is one pattern the content pass searches, in its plain form.
type Literal struct {
	Kind string // "name", "domain", "content", "java", "path"
	Text string
}

// Literals lists the plain (not UTF-16LE) patterns of the content pass, for
// tools that compare it with other searchers (bench/).
func (in *Inspector) Literals() []Literal {
	kinds := map[patternKind]string{kindName: "name", kindDomain: "domain", kindContent: "content", kindJava: "java", kindPath: "path"}
	var out []Literal
	for _, p := range in.patterns {
		if !p.wide {
			out = append(out, Literal{Kind: kinds[p.kind], Text: string(p.text)})
		}
	}
	return out
}

// caseForms returns a name as written and, for non-ASCII names (whose case
// the finder cannot fold), in lower and upper case.
func caseForms(s string) []string {
	forms := []string{s}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(forms, strings.ToLower(s), strings.ToUpper(s))
		}
	}
	return forms
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// Facts are what one file reveals.
type Facts struct {
	Location   string
	Copyrights []string // strings around a vendor name that read as copyright notices
	Strings    []string // other strings around a vendor name
	Hosts      []string
	Classes    []string // Java class or package names under a vendor prefix
	Paths      []string // install paths found inside the file
	Content    []string // signature content strings found
	PE         *pe.Info
	Manifest   map[string]string // Java manifest main attributes
	Hashes     []model.Hash
	// PathMatters is true when the file's own location could match a file
	// name, path or Java package pattern.
	PathMatters bool
	// ClassFile and ManifestFile say the file rolls up into its archive.
	ClassFile, ManifestFile bool
	// Declared is what the file declares when it is a recipe (a
	// Dockerfile, a build script, ...; see pkg/recipe), and the vendor
	// imports of a source file.
	Declared []recipe.Item
	// Android is the identity an Android manifest gives: "package",
	// "versionName", "versionCode" (see android.go).
	Android map[string]string
}

// Empty reports whether the file revealed nothing.
func (f *Facts) Empty() bool {
	return len(f.Copyrights)+len(f.Strings)+len(f.Hosts)+len(f.Classes)+len(f.Paths)+len(f.Content)+len(f.Manifest)+len(f.Android)+len(f.Declared) == 0 &&
		!f.PathMatters && (f.PE == nil || (len(f.PE.Version) == 0 && f.PE.Signature == nil)) && len(f.Hashes) == 0
}

// Inspect reads one file. It returns nil when the file reveals nothing.
func (in *Inspector) Inspect(file *walk.File) *Facts {
	f := &Facts{Location: file.Location, PathMatters: in.eng.MayMatchPath(file.Location)}
	base := file.Name
	if strings.HasSuffix(base, ".class") {
		f.ClassFile = true
		dir := file.Location[strings.LastIndexAny(file.Location, "!")+1:]
		if i := strings.LastIndexByte(dir, '/'); i > 0 {
			if pkg := strings.ReplaceAll(dir[:i], "/", "."); in.eng.MatchesJavaPackage(pkg) {
				f.Classes = append(f.Classes, pkg)
			}
		}
		f.PathMatters = false // the class path is read above, once per package
	}
	if file.Windows != nil {
		in.inspectWindows(f, file)
		if f.Empty() {
			return nil
		}
		return f
	}
	data := file.Data
	if data == nil {
		if f.Empty() {
			return nil
		}
		return f
	}
	if strings.EqualFold(base, "MANIFEST.MF") && strings.HasSuffix(strings.ToUpper(file.Location), "META-INF/MANIFEST.MF") {
		f.ManifestFile = true
		f.Manifest = parseManifest(data)
	}
	if base == androidManifestName {
		in.androidManifest(f, data) // android.go
	}
	if len(data) > 2 && data[0] == 'M' && data[1] == 'Z' {
		if info, err := pe.Parse(data); err == nil {
			f.PE = info
		}
	}
	if !isArchive(data) {
		// An archive's entries are read one by one; its own bytes are
		// compressed data and entry names, which say nothing more.
		in.find.scan(data, func(id, end int) { in.hit(f, data, id, end) })
	}
	if len(in.hashes) > 0 {
		f.Hashes = digests(data, in.hashes)
	}
	if len(data) <= recipe.MaxBytes && recipe.Reader(file.Location) != "" && !isArchive(data) &&
		recipe.MayDeclare(file.Location, data, in.imports) {
		f.Declared = slices.DeleteFunc(recipe.Parse(file.Location, data, in.vendorImport), in.unremarkable)
	}
	if f.Empty() {
		return nil
	}
	return f
}

// vendorImport reports whether an imported namespace, header or module
// could name the vendor: a Java package a rule names, or a name or product
// word of the signatures ("kavsdk/kavsdk.h", "KlAkOAPI").
func (in *Inspector) vendorImport(name string) bool {
	if strings.Contains(name, ".") && !strings.ContainsAny(name, "/\\") && in.eng.MatchesJavaPackage(strings.ToLower(name)) {
		return true
	}
	found := false
	in.vendorWords.MatchString(name, func(int) { found = true })
	return found
}

// importFilter builds the filter of the words an import that vendorImport
// keeps must hold (recipe.ImportFilter). A plain ASCII name is kept only
// when its folded words hold the first word of a vendor or product
// phrase (vendorWords), which is then a word of the name or spelled out
// in it, or when, lower-cased, it begins with a Java package prefix
// (MatchesJavaPackage), whose words are then words of the name: the
// longest of them is enough. Words outside ASCII are no ASCII name's,
// and names outside ASCII pass the filter anyway. It returns nil, no
// filter, when a prefix has no ASCII letter or digit to look for.
func importFilter(rules []*signature.Rule) *recipe.ImportFilter {
	var words []string
	for _, r := range rules {
		m := r.Match
		for _, s := range append(append([]string(nil), m.Names...), m.Products...) {
			if toks := fold.Tokens(s); len(toks) > 0 {
				words = append(words, toks[0])
			}
		}
		for _, j := range m.JavaPackages {
			longest := ""
			for _, w := range strings.FieldsFunc(strings.ToLower(j), func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
			}) {
				if len(w) > len(longest) {
					longest = w
				}
			}
			if longest == "" {
				return nil
			}
			words = append(words, longest)
		}
	}
	return recipe.NewImportFilter(words)
}

// unremarkable reports whether a declared item is a program run by a
// recipe that no rule could be about (rm, ldconfig, ./configure): those
// are left out, so that the scripts of a whole system do not add a
// component per command. Packages, kits and images are always kept.
func (in *Inspector) unremarkable(it recipe.Item) bool {
	if it.Kind != decl.Binary {
		return false
	}
	return !in.eng.MayMatchPath(it.Name) && (it.Path == "" || !in.eng.MayMatchPath(it.Path)) && !in.vendorImport(it.Name)
}

func (in *Inspector) hit(f *Facts, data []byte, id, end int) {
	p := in.patterns[id]
	start := end - len(p.text)
	switch p.kind {
	case kindContent:
		exact := []byte(p.exact)
		if p.wide {
			exact = utf16le(p.exact)
		}
		if bytes.Equal(data[start:end], exact) {
			f.Content = addFact(f.Content, p.exact)
		}
	case kindName:
		if inHostName(data, start, end, p.wide) {
			return // part of a host name: the domain patterns read it
		}
		s := around(data, start, end, p.wide, printable)
		if copyrightish(s) {
			f.Copyrights = addFact(f.Copyrights, s)
		} else {
			f.Strings = addFact(f.Strings, s)
		}
	case kindDomain:
		f.Hosts = addFact(f.Hosts, strings.ToLower(around(data, start, end, p.wide, hostByte)))
	case kindJava:
		s := around(data, start, end, p.wide, classByte)
		if i := strings.Index(strings.ToLower(s), strings.ToLower(string(p.text))); i >= 0 && !p.wide {
			s = s[i:]
		}
		s = strings.TrimSuffix(s, "/")
		f.Classes = addFact(f.Classes, strings.ReplaceAll(s, "/", "."))
	case kindPath:
		f.Paths = addFact(f.Paths, around(data, start, end, p.wide, pathByte))
	}
}

// inHostName reports whether the bytes around a name make it part of a
// host name or e-mail address ("s00.upd.kaspersky.com", "kaspersky.com/x").
func inHostName(data []byte, start, end int, wide bool) bool {
	step := 1
	if wide {
		step = 2
	}
	if start >= step && (data[start-step] == '.' || data[start-step] == '@') {
		return true
	}
	return end+step < len(data) && data[end] == '.' && hostByte(data[end+step]) && data[end+step] != '.'
}

func addFact(list []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" || len(list) >= maxFacts || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// maxContext bounds how far a string is read on each side of a hit.
const maxContext = 120

func printable(b byte) bool { return b >= 0x20 && b != 0x7f || b == '\t' }
func hostByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-'
}
func classByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '/' || b == '_' || b == '$'
}
func pathByte(b byte) bool {
	return printable(b) && b != '"' && b != '\'' && b != '<' && b != '>' && b != '|'
}

// around returns the run of bytes accepted by ok that contains
// data[start:end], at most maxContext bytes on each side. Wide strings are
// read as UTF-16LE code units whose high byte is zero (or any code unit,
// for non-ASCII text).
func around(data []byte, start, end int, wide bool, ok func(byte) bool) string {
	if wide {
		lo, hi := start, end
		for lo >= 2 && (start-lo)/2 < maxContext && wideOK(data[lo-2], data[lo-1], ok) {
			lo -= 2
		}
		for hi+2 <= len(data) && (hi-end)/2 < maxContext && wideOK(data[hi], data[hi+1], ok) {
			hi += 2
		}
		u := make([]uint16, 0, (hi-lo)/2)
		for i := lo; i+1 < hi; i += 2 {
			u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
		}
		return string(utf16.Decode(u))
	}
	lo, hi := start, end
	for lo > 0 && start-lo < maxContext && ok(data[lo-1]) {
		lo--
	}
	for hi < len(data) && hi-end < maxContext && ok(data[hi]) {
		hi++
	}
	return strings.ToValidUTF8(string(data[lo:hi]), "")
}

// wideOK accepts a UTF-16LE code unit: an accepted ASCII byte, or a
// Cyrillic letter (U+0400-U+04FF).
func wideOK(lo, hi byte, ok func(byte) bool) bool {
	return hi == 0 && ok(lo) || hi == 0x04
}

// copyrightish reports whether a string reads as a copyright notice.
func copyrightish(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "copyright") || strings.Contains(s, "©") || strings.Contains(l, "(c)") ||
		strings.Contains(l, "all rights reserved") || strings.Contains(l, "авторск")
}

// parseManifest reads the main section of a Java manifest: "Name: value"
// lines up to the first blank line, with continuation lines (starting with
// a space) joined.
func parseManifest(data []byte) map[string]string {
	m := map[string]string{}
	var key string
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if line == "" {
			break
		}
		if strings.HasPrefix(line, " ") && key != "" {
			m[key] += line[1:]
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.TrimSpace(k)
		m[key] = strings.TrimSpace(v)
		if len(m) > 200 {
			break
		}
	}
	return m
}

func digests(data []byte, algs []string) []model.Hash {
	d := newDigester(algs)
	d.write(data)
	return d.sums()
}

// digester hashes a file's bytes with each algorithm the signatures use
// (the unknown ones are left out), as they come.
type digester struct {
	algs []string
	hs   []hash.Hash
}

func newDigester(algs []string) *digester {
	d := &digester{}
	for _, alg := range algs {
		var h hash.Hash
		switch alg {
		case "MD5":
			h = md5.New()
		case "SHA-1":
			h = sha1.New()
		case "SHA-256":
			h = sha256.New()
		case "SHA-384":
			h = sha512.New384()
		case "SHA-512":
			h = sha512.New()
		default:
			continue
		}
		d.algs, d.hs = append(d.algs, alg), append(d.hs, h)
	}
	return d
}

func (d *digester) write(p []byte) {
	for _, h := range d.hs {
		h.Write(p)
	}
}

func (d *digester) sums() []model.Hash {
	var out []model.Hash
	for i, h := range d.hs {
		out = append(out, model.Hash{Algorithm: d.algs[i], Value: hex.EncodeToString(h.Sum(nil))})
	}
	return out
}

// inspectWindows is Inspect's content pass and digests of a large file
// the walk reads in windows (walk.Window): a file no reader opens and
// that is not a PE file, so that neither its headers nor a recipe reader
// need it whole. Each window's part is searched with its margins as
// context, block for block as in the whole file, so the facts are those
// of the whole file, in the same order. Should a pattern and the context
// read around it not fit in the walk's margin (rule data with very long
// strings), the parts are joined and the file inspected whole.
func (in *Inspector) inspectWindows(f *Facts, file *walk.File) {
	if in.maxSpan() > walk.WindowMargin {
		var data []byte
		_ = file.Windows(func(w walk.Window) bool { // a read error is the walk's gap
			data = append(data, w.Data[w.From:w.To]...)
			return true
		})
		whole := *file
		whole.Windows, whole.Data = nil, data
		if g := in.Inspect(&whole); g != nil {
			*f = *g
		}
		return
	}
	var d *digester
	if len(in.hashes) > 0 {
		d = newDigester(in.hashes)
	}
	first, archive := true, false
	_ = file.Windows(func(w walk.Window) bool { // a read error is the walk's gap
		if first {
			first, archive = false, isArchive(w.Data)
		}
		if !archive {
			in.scanWindow(w, func(id, end int) { in.hit(f, w.Data, id, end) })
		}
		if d != nil {
			d.write(w.Data[w.From:w.To])
		}
		return true
	})
	if d != nil {
		f.Hashes = d.sums()
	}
}

// scanWindow is the content pass of the part a window answers for.
func (in *Inspector) scanWindow(w walk.Window, fn func(id, end int)) {
	in.find.scanRange(w.Data, w.From, w.To, fn)
}

// maxSpan is the most bytes a match reads beyond its anchor on one side:
// the longest pattern, and the context read around a match (maxContext
// code units of two bytes each), with a little to spare.
func (in *Inspector) maxSpan() int {
	longest := 0
	for _, p := range in.patterns {
		longest = max(longest, len(p.text))
	}
	return longest + 2*maxContext + 16
}

// isArchive recognises the containers the walk opens and whose entries it
// visits one by one: zip, gzip, bzip2, xz, 7z, rar, zstd, lz4, cab and tar. Their
// own bytes are compressed, or (an uncompressed rar, a tar) repeat what the
// walk visits, so the content pass skips them.
func isArchive(data []byte) bool {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")),
		bytes.HasPrefix(data, []byte{0x1f, 0x8b}), bytes.HasPrefix(data, []byte("BZh")),
		bytes.HasPrefix(data, []byte{0xfd, '7', 'z', 'X', 'Z', 0}),
		bytes.HasPrefix(data, []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}), bytes.HasPrefix(data, []byte("Rar!\x1a\x07")),
		bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}), bytes.HasPrefix(data, []byte{0x04, 0x22, 0x4d, 0x18}),
		bytes.HasPrefix(data, []byte("MSCF\x00\x00\x00\x00")):
		return true
	case len(data) > 262 && string(data[257:262]) == "ustar":
		return true
	}
	return false
}
