//go:build ignore

// Command tree writes a deterministic synthetic product tree for the deep
// inspection benchmark (bench/deep.sh, docs/performance.md): many files of
// mixed sizes and kinds, a few of them Kaspersky-made ("planted
// positives"), the rest unrelated. It uses the standard library only.
//
//	go run bench/tree/main.go -out DIR [-size 1GiB] [-seed 1]
//	go run bench/tree/main.go -planted
//
// What it writes under DIR, until the on-disk total reaches -size:
//
//   - products/pNNNN/ directories of 400 file slots each; a slot is an
//     ELF-like executable in bin/ (13%) or shared object in lib/ (13%), a
//     PE-like exe or dll in win/ with UTF-16LE strings (11%), an
//     incompressible blob in data/ (8%), a log in logs/ (13%), prose in
//     share/doc/ (13%), source-like text in src/ (14%), a jar of classes
//     with a manifest and pom.properties in lib/ (3%), a zip (1%) or a
//     tar.gz (1%, one in eight holding a jar) of text and binaries in
//     dist/, or a lib/node_modules/NAME/ package of package.json, index.js
//     and README.md (10%); every product also has a package-lock.json, a
//     requirements.txt and a go.mod naming its dependencies, so syft has
//     packages to catalog;
//   - sizes log-uniform between 1 KiB and 128 KiB, and one file in 400
//     between 2 MiB and 20 MiB; archives hold 4 KiB to 256 KiB of entries;
//   - the planted positives, printed at the end as lines
//     "planted<TAB>PATH<TAB>WHAT" (-planted prints only these, writing
//     nothing), each at a name that says nothing of its maker except the
//     one under opt/kaspersky/.
//
// Binary contents are a mix of zero runs, pseudo-random bytes, x86-looking
// code and printable strings, the way executables look; none of the
// unrelated content contains a Kaspersky pattern. The same flags give the
// same bytes.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

var (
	out     = flag.String("out", "", "directory to write (created; must be empty or absent)")
	sizeArg = flag.String("size", "1GiB", "total size to write: bytes, or with a KiB, MiB or GiB suffix")
	seed    = flag.Uint64("seed", 1, "random seed")
	planted = flag.Bool("planted", false, "only print the planted positives (as below), writing nothing")
)

// A fixed modification time, so archives are the same bytes every run.
var mtime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

type gen struct {
	root     string
	rnd      *rand.Rand
	total    int64 // bytes written to disk
	files    int   // files on disk
	archives int   // archive files on disk (zip, jar, tar.gz)
	entries  int   // entries inside archives
	npm      int   // node_modules packages
	byKind   map[string]int
	planted  []string // "PATH\tWHAT"
	dry      bool     // write nothing
	flate    *flate.Writer
}

func main() {
	flag.Parse()
	if *planted {
		g := &gen{rnd: rand.New(rand.NewPCG(*seed, 0x9e3779b97f4a7c15)), dry: true}
		g.plant()
		for _, p := range g.planted {
			fmt.Println("planted\t" + p)
		}
		return
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: go run bench/tree/main.go -out DIR [-size 1GiB] [-seed 1]")
		os.Exit(2)
	}
	size, err := parseSize(*sizeArg)
	check(err)
	if ents, err := os.ReadDir(*out); err == nil && len(ents) > 0 {
		check(fmt.Errorf("%s is not empty", *out))
	}
	check(os.MkdirAll(*out, 0o755))
	start := time.Now()
	g := &gen{root: *out, rnd: rand.New(rand.NewPCG(*seed, 0x9e3779b97f4a7c15)), byKind: map[string]int{}}

	// The planted positives take their share of the size first.
	g.plant()
	for p := 0; g.total < size; p++ {
		g.product(p, size)
	}
	fmt.Printf("tree %s: %d bytes (%.2f GiB) in %d files (%d archives with %d entries, %d node_modules packages), written in %.1fs\n",
		g.root, g.total, float64(g.total)/(1<<30), g.files, g.archives, g.entries, g.npm, time.Since(start).Seconds())
	var kinds []string
	for k, n := range g.byKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sortStrings(kinds)
	fmt.Printf("kinds: %s\n", strings.Join(kinds, ", "))
	for _, p := range g.planted {
		fmt.Println("planted\t" + p)
	}
}

// filesPerProduct is how many file slots a product directory gets.
const filesPerProduct = 400

func (g *gen) product(p int, size int64) {
	dir := fmt.Sprintf("products/p%04d", p)
	var deps []string
	for i := 0; i < filesPerProduct && g.total < size; i++ {
		r := g.rnd.Float64()
		switch {
		case r < 0.10:
			deps = append(deps, g.npmPackage(dir))
		case r < 0.23:
			g.write(dir+"/bin/"+g.ident(), g.elf(g.fileSize()), "elf")
		case r < 0.36:
			g.write(dir+"/lib/lib"+g.ident()+".so."+strconv.Itoa(g.rnd.IntN(9)+1), g.elf(g.fileSize()), "elf")
		case r < 0.47:
			ext := ".dll"
			if g.rnd.IntN(3) == 0 {
				ext = ".exe"
			}
			g.write(dir+"/win/"+g.ident()+ext, g.pe(g.fileSize()), "pe")
		case r < 0.55:
			g.write(dir+"/data/"+g.ident()+[]string{".bin", ".dat", ".pak", ".db"}[g.rnd.IntN(4)], g.random(g.fileSize()), "blob")
		case r < 0.68:
			g.write(dir+"/logs/"+g.ident()+".log", g.logText(g.fileSize()), "log")
		case r < 0.81:
			g.write(dir+"/share/doc/"+g.ident()+[]string{".txt", ".md", ".html"}[g.rnd.IntN(3)], g.prose(g.fileSize()), "text")
		case r < 0.95:
			g.write(dir+"/src/"+g.ident()+[]string{".c", ".js", ".py", ".go", ".json"}[g.rnd.IntN(5)], g.source(g.fileSize()), "source")
		case r < 0.98:
			g.write(dir+"/lib/"+g.ident()+"-"+g.version()+".jar", g.jar(g.smallSize(), "org/"+g.ident()+"/"+g.ident(), "", nil), "jar")
		case r < 0.99:
			g.write(dir+"/dist/"+g.ident()+"-"+g.version()+".zip", g.zipArchive(g.smallSize()), "zip")
		default:
			g.write(dir+"/dist/"+g.ident()+"-"+g.version()+".tar.gz", g.tarGz(g.smallSize()), "tar.gz")
		}
	}
	g.manifests(dir, deps)
}

// fileSize is log-uniform in [1 KiB, 128 KiB], and one time in 400 in
// [2 MiB, 20 MiB].
func (g *gen) fileSize() int {
	if g.rnd.IntN(400) == 0 {
		return logUniform(g.rnd, 2<<20, 20<<20)
	}
	return logUniform(g.rnd, 1<<10, 128<<10)
}

// smallSize is for archives: log-uniform in [4 KiB, 256 KiB] of content.
func (g *gen) smallSize() int { return logUniform(g.rnd, 4<<10, 256<<10) }

func logUniform(r *rand.Rand, lo, hi int) int {
	return int(math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
}

func (g *gen) write(rel string, data []byte, kind string) {
	p := filepath.Join(g.root, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err == nil { // a name drawn twice: keep the first
		return
	}
	check(os.MkdirAll(filepath.Dir(p), 0o755))
	mode := os.FileMode(0o644)
	if kind == "elf" && strings.Contains(rel, "/bin/") {
		mode = 0o755
	}
	check(os.WriteFile(p, data, mode))
	g.total += int64(len(data))
	g.files++
	g.byKind[kind]++
	switch kind {
	case "jar", "zip", "tar.gz":
		g.archives++
	}
}

// --- names ---

var syllables = []string{"ab", "ac", "al", "an", "ar", "ba", "be", "bo", "ca", "ce", "ci", "co", "da", "de", "di", "do",
	"el", "en", "er", "es", "fa", "fe", "fi", "ga", "ge", "go", "ha", "he", "hi", "il", "in", "io", "la", "le", "li", "lo",
	"lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "ol", "om", "on", "or", "pa", "pe", "pi", "po", "qu",
	"ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu", "ul", "un", "ur", "va", "ve",
	"vi", "vo", "wa", "we", "xe", "yo", "za", "ze", "zo"}

// ident is a pronounceable lower-case name. No syllable pair spells a
// vendor pattern: "ka" is not a syllable.
func (g *gen) ident() string {
	n := 2 + g.rnd.IntN(3)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(syllables[g.rnd.IntN(len(syllables))])
	}
	return b.String()
}

func (g *gen) version() string {
	return fmt.Sprintf("%d.%d.%d", g.rnd.IntN(5), g.rnd.IntN(20), g.rnd.IntN(30))
}

var words = strings.Fields(`the of and to in is that for it as was with be by on not he this are or his from at which but
have an they you were her she there one all we their has been would when if more no out so said what up its about into
than them can only other new some could time these two may then do first any my now such like our over man me even most made
after also did many before must through back years where much your way well down should because each just those people how
too little state good very make world still own see men work long get here between both life being under never day same
another know while last might us great old year off come since against go came right used take three system server client
request response error warning info debug config module package version build release update install service process thread
memory buffer cache index table value field record stream socket address network handler session token user account data
file path directory archive library function method class object interface driver kernel device storage volume cluster node`)

func (g *gen) word() string { return words[g.rnd.IntN(len(words))] }

// --- text ---

func (g *gen) prose(n int) []byte {
	b := make([]byte, 0, n+200)
	for len(b) < n {
		k := 6 + g.rnd.IntN(14)
		for i := 0; i < k; i++ {
			w := g.word()
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b = append(b, ' ')
			}
			b = append(b, w...)
		}
		b = append(b, '.')
		if g.rnd.IntN(5) == 0 {
			b = append(b, "\n\n"...)
		} else {
			b = append(b, ' ')
		}
	}
	return b[:n]
}

var levels = []string{"INFO", "DEBUG", "WARN", "ERROR", "TRACE"}

func (g *gen) logText(n int) []byte {
	b := make([]byte, 0, n+300)
	t := mtime.Add(time.Duration(g.rnd.IntN(1e6)) * time.Second)
	for len(b) < n {
		t = t.Add(time.Duration(g.rnd.IntN(5000)) * time.Millisecond)
		b = t.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		b = append(b, ' ')
		b = append(b, levels[g.rnd.IntN(len(levels))]...)
		b = append(b, " ["...)
		b = append(b, g.ident()...)
		b = append(b, "] "...)
		for i := 4 + g.rnd.IntN(10); i > 0; i-- {
			b = append(b, g.word()...)
			b = append(b, ' ')
		}
		switch g.rnd.IntN(4) {
		case 0:
			b = fmt.Appendf(b, "host=%s.%s.example.net port=%d", g.ident(), g.ident(), 1024+g.rnd.IntN(60000))
		case 1:
			b = fmt.Appendf(b, "path=/var/lib/%s/%s.dat size=%d", g.ident(), g.ident(), g.rnd.IntN(1<<20))
		case 2:
			b = fmt.Appendf(b, "id=%016x elapsed=%dms", g.rnd.Uint64(), g.rnd.IntN(10000))
		}
		b = append(b, '\n')
	}
	return b[:n]
}

func (g *gen) source(n int) []byte {
	b := make([]byte, 0, n+300)
	for len(b) < n {
		fn := g.ident()
		b = fmt.Appendf(b, "// %s %s %s\nfunction %s_%s(%s, %s) {\n", g.word(), g.word(), g.word(), fn, g.ident(), g.ident(), g.ident())
		for i := 2 + g.rnd.IntN(8); i > 0; i-- {
			b = fmt.Appendf(b, "    var %s = %s(%s[%d], \"%s %s\");\n", g.ident(), g.ident(), g.ident(), g.rnd.IntN(64), g.word(), g.word())
		}
		b = append(b, "    return 0;\n}\n\n"...)
	}
	return b[:n]
}

// --- binaries ---

// body fills b the way an executable's sections look: zero runs,
// code-like bytes, tables, printable strings and some incompressible data.
func (g *gen) body(b []byte) {
	for i := 0; i < len(b); {
		n := min(len(b)-i, 256+g.rnd.IntN(8192))
		chunk := b[i : i+n]
		switch r := g.rnd.IntN(10); {
		case r < 2: // zero padding
			clear(chunk)
		case r < 5: // "code": common opcode bytes, small immediates
			ops := []byte{0x48, 0x89, 0x8b, 0xe8, 0xc3, 0x55, 0x5d, 0x0f, 0x85, 0x84, 0x74, 0x75, 0xeb, 0x31, 0xc0, 0x83, 0xec, 0x24, 0x44, 0x4c, 0x8d, 0x00, 0xff}
			var u uint64
			for j := range chunk {
				if j%8 == 0 {
					u = g.rnd.Uint64()
				}
				v := byte(u >> (8 * (j % 8)))
				if v < 86 { // a third: any byte
					chunk[j] = v * 3
				} else {
					chunk[j] = ops[int(v)%len(ops)]
				}
			}
		case r < 7: // strings table
			j := 0
			for j < len(chunk) {
				var s string
				switch g.rnd.IntN(4) {
				case 0:
					s = g.ident() + "_" + g.ident()
				case 1:
					s = g.word() + " " + g.word() + " " + g.word() + ": %s"
				case 2:
					id := g.ident()
					s = "_ZN" + strconv.Itoa(len(id)) + id + "E"
				default:
					s = "/usr/lib/" + g.ident() + "/" + g.ident() + ".conf"
				}
				j += copy(chunk[j:], s)
				if j < len(chunk) {
					chunk[j] = 0
					j++
				}
			}
		case r < 8: // relocation-like tables
			for j := 0; j+8 <= len(chunk); j += 8 {
				binary.LittleEndian.PutUint64(chunk[j:], uint64(0x400000+g.rnd.IntN(1<<20)))
			}
			clear(chunk[len(chunk)&^7:])
		default: // compressed or encrypted data
			fillRandom(g.rnd, chunk)
		}
		i += n
	}
}

func fillRandom(r *rand.Rand, b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, r.Uint64())
		b = b[8:]
	}
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

func (g *gen) random(n int) []byte {
	b := make([]byte, n)
	fillRandom(g.rnd, b)
	return b
}

// elf is an ELF-looking file: a 64-bit little-endian header, then a body.
func (g *gen) elf(n int) []byte {
	n = max(n, 256)
	b := make([]byte, n)
	g.body(b[64:])
	copy(b, "\x7fELF\x02\x01\x01\x00")
	clear(b[8:64])
	binary.LittleEndian.PutUint16(b[16:], 3)  // ET_DYN
	binary.LittleEndian.PutUint16(b[18:], 62) // x86-64
	binary.LittleEndian.PutUint32(b[20:], 1)
	return b
}

// pe is a PE file as far as its headers go: an MZ header pointing to a
// PE32+ file header, an optional header and one section holding the rest
// of the file (a body, and UTF-16LE strings like those of a version
// resource). The headers parse, as a real DLL's do: a file that only looks
// like PE fails syft's .NET cataloger, whose list of such failures grows
// with a cost cubic in their number (docs/performance.md), which would
// time syft's error path rather than either tool's work.
func (g *gen) pe(n int) []byte {
	n = max(n, 1024)
	b := make([]byte, n)
	g.body(b[0x200:])
	clear(b[:0x200])
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x4e:], "This program cannot be run in DOS mode.\r\r\n$")
	copy(b[0x80:], "PE\x00\x00")
	binary.LittleEndian.PutUint16(b[0x84:], 0x8664) // Machine: amd64
	binary.LittleEndian.PutUint16(b[0x86:], 1)      // NumberOfSections
	binary.LittleEndian.PutUint16(b[0x94:], 0xf0)   // SizeOfOptionalHeader
	binary.LittleEndian.PutUint16(b[0x96:], 0x2022) // a DLL
	binary.LittleEndian.PutUint16(b[0x98:], 0x20b)  // optional header magic: PE32+
	binary.LittleEndian.PutUint32(b[0x98+108:], 16) // NumberOfRvaAndSizes
	sec := b[0x98+0xf0:]                            // the section header
	copy(sec, ".text")
	binary.LittleEndian.PutUint32(sec[8:], uint32(n-0x200))  // VirtualSize
	binary.LittleEndian.PutUint32(sec[12:], 0x1000)          // VirtualAddress
	binary.LittleEndian.PutUint32(sec[16:], uint32(n-0x200)) // SizeOfRawData
	binary.LittleEndian.PutUint32(sec[20:], 0x200)           // PointerToRawData
	// Some wide strings in the last quarter.
	at := n * 3 / 4
	for i := 0; i < 6 && at < n-200; i++ {
		s := []string{"CompanyName", "FileDescription", "ProductName", "LegalCopyright", "OriginalFilename", "FileVersion"}[i] + "\x00" +
			title(g.ident()) + " " + g.word()
		at += copy(b[at:], utf16le(s+"\x00"))
	}
	return b
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// classFile is a Java class-looking file naming its class and package.
func (g *gen) classFile(class string, extra []string) []byte {
	var b []byte
	b = append(b, 0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52)
	names := append([]string{class, "java/lang/Object", "java/lang/String", "<init>", "()V", "Code", "LineNumberTable"}, extra...)
	for i := 0; i < 4+g.rnd.IntN(12); i++ {
		names = append(names, g.ident(), "(L"+class+";)V")
	}
	for _, s := range names {
		b = append(b, 1, byte(len(s)>>8), byte(len(s)))
		b = append(b, s...)
	}
	code := make([]byte, 200+g.rnd.IntN(4000))
	g.body(code)
	return append(b, code...)
}

// --- archives ---

// newZip returns a zip writer that deflates at BestSpeed with one reused
// compressor (a zip writer closes an entry's compressor before the next).
func (g *gen) newZip(w io.Writer) *zip.Writer {
	z := zip.NewWriter(w)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		if g.flate == nil {
			var err error
			g.flate, err = flate.NewWriter(w, flate.BestSpeed)
			return g.flate, err
		}
		g.flate.Reset(w)
		return g.flate, nil
	})
	return z
}

func (g *gen) zipEntry(z *zip.Writer, name string, data []byte) {
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mtime})
	check(err)
	_, err = w.Write(data)
	check(err)
	g.entries++
}

// jar is a jar of about n bytes of classes in package pkg, with a
// manifest whose vendor is vendor (or a made-up one) and a Maven
// pom.properties; extra are more entries.
func (g *gen) jar(n int, pkg, vendor string, extra map[string][]byte) []byte {
	var buf bytes.Buffer
	z := g.newZip(&buf)
	artifact := g.ident()
	group := strings.ReplaceAll(pkg, "/", ".")
	if vendor == "" {
		vendor = title(g.ident()) + " Software"
	}
	version := g.version()
	g.zipEntry(z, "META-INF/MANIFEST.MF", []byte(fmt.Sprintf("Manifest-Version: 1.0\r\nCreated-By: 17.0.2 (Eclipse Adoptium)\r\n"+
		"Implementation-Title: %s\r\nImplementation-Version: %s\r\nImplementation-Vendor: %s\r\nBundle-SymbolicName: %s.%s\r\n\r\n",
		artifact, version, vendor, group, artifact)))
	g.zipEntry(z, "META-INF/maven/"+group+"/"+artifact+"/pom.properties",
		[]byte(fmt.Sprintf("groupId=%s\nartifactId=%s\nversion=%s\n", group, artifact, version)))
	for name, data := range sortedMap(extra) {
		g.zipEntry(z, name, data)
	}
	for size := 0; size < n; {
		class := pkg + "/" + title(g.ident())
		data := g.classFile(class, nil)
		g.zipEntry(z, class+".class", data)
		size += len(data)
	}
	check(z.Close())
	return buf.Bytes()
}

func (g *gen) zipArchive(n int) []byte {
	var buf bytes.Buffer
	z := g.newZip(&buf)
	for size := 0; size < n; {
		var name string
		var data []byte
		switch g.rnd.IntN(4) {
		case 0:
			name, data = g.ident()+"/"+g.ident()+".txt", g.prose(logUniform(g.rnd, 512, 64<<10))
		case 1:
			name, data = g.ident()+"/"+g.ident()+".log", g.logText(logUniform(g.rnd, 512, 64<<10))
		case 2:
			name, data = "bin/"+g.ident(), g.elf(logUniform(g.rnd, 1<<10, 128<<10))
		default:
			name, data = "bin/"+g.ident()+".dll", g.pe(logUniform(g.rnd, 1<<10, 128<<10))
		}
		g.zipEntry(z, name, data)
		size += len(data)
	}
	check(z.Close())
	return buf.Bytes()
}

func (g *gen) tarGz(n int) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	check(err)
	tw := tar.NewWriter(zw)
	add := func(name string, data []byte) {
		check(tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}))
		_, err := tw.Write(data)
		check(err)
		g.entries++
	}
	top := g.ident() + "-" + g.version()
	if g.rnd.IntN(8) == 0 { // a nested jar
		add(top+"/lib/"+g.ident()+".jar", g.jar(logUniform(g.rnd, 4<<10, 64<<10), "net/"+g.ident(), "", nil))
	}
	for size := 0; size < n; {
		var name string
		var data []byte
		switch g.rnd.IntN(3) {
		case 0:
			name, data = top+"/doc/"+g.ident()+".txt", g.prose(logUniform(g.rnd, 512, 64<<10))
		case 1:
			name, data = top+"/etc/"+g.ident()+".conf", g.source(logUniform(g.rnd, 512, 16<<10))
		default:
			name, data = top+"/bin/"+g.ident(), g.elf(logUniform(g.rnd, 1<<10, 128<<10))
		}
		add(name, data)
		size += len(data)
	}
	check(tw.Close())
	check(zw.Close())
	return buf.Bytes()
}

// --- package manifests ---

// npmPackage writes lib/node_modules/NAME/{package.json,index.js,README.md}
// and returns "NAME@VERSION".
func (g *gen) npmPackage(dir string) string {
	name, version := g.ident()+"-"+g.ident(), g.version()
	base := dir + "/lib/node_modules/" + name + "/"
	g.write(base+"package.json", []byte(fmt.Sprintf(`{
  "name": %q,
  "version": %q,
  "description": "%s %s %s",
  "main": "index.js",
  "author": "%s %s <%s@example.org>",
  "license": "MIT",
  "repository": {"type": "git", "url": "https://github.com/%s/%s.git"}
}
`, name, version, g.word(), g.word(), g.word(), title(g.ident()), title(g.ident()), g.ident(), g.ident(), name)), "npm")
	g.write(base+"index.js", g.source(logUniform(g.rnd, 1<<10, 16<<10)), "npm")
	g.write(base+"README.md", g.prose(logUniform(g.rnd, 1<<10, 4<<10)), "npm")
	g.npm++
	return name + "@" + version
}

func (g *gen) manifests(dir string, deps []string) {
	var lock strings.Builder
	lock.WriteString("{\n  \"name\": \"" + filepath.Base(dir) + "\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n")
	lock.WriteString("    \"\": {\"name\": \"" + filepath.Base(dir) + "\", \"version\": \"1.0.0\"}")
	for _, d := range deps {
		name, version, _ := strings.Cut(d, "@")
		fmt.Fprintf(&lock, ",\n    \"lib/node_modules/%s\": {\"version\": %q, \"resolved\": \"https://registry.npmjs.org/%s/-/%s-%s.tgz\", \"license\": \"MIT\"}",
			name, version, name, name, version)
	}
	lock.WriteString("\n  }\n}\n")
	g.write(dir+"/package-lock.json", []byte(lock.String()), "manifest")

	var req strings.Builder
	for i := 0; i < 5+g.rnd.IntN(20); i++ {
		fmt.Fprintf(&req, "%s-%s==%s\n", g.ident(), g.ident(), g.version())
	}
	g.write(dir+"/requirements.txt", []byte(req.String()), "manifest")

	var mod strings.Builder
	fmt.Fprintf(&mod, "module example.org/%s\n\ngo 1.22\n\nrequire (\n", filepath.Base(dir))
	for i := 0; i < 3+g.rnd.IntN(10); i++ {
		fmt.Fprintf(&mod, "\tgithub.com/%s/%s v%s\n", g.ident(), g.ident(), g.version())
	}
	mod.WriteString(")\n")
	g.write(dir+"/go.mod", []byte(mod.String()), "manifest")
}

// --- planted positives ---

// plant writes the Kaspersky-made files. Their names, except the one
// installed under opt/kaspersky/, say nothing of their maker.
func (g *gen) plant() {
	put := func(rel string, data []byte, kind, what string) {
		if !g.dry {
			g.write(rel, data, kind)
		}
		g.planted = append(g.planted, rel+"\t"+what)
	}
	// 1. A shared object with the copyright notice in its strings, 1.5 MiB in.
	b := g.elf(3 << 20)
	copy(b[3<<19:], "\x00libupdcore 12.1.0.774\x00Copyright (c) 2023 AO Kaspersky Lab. All Rights Reserved.\x00")
	put("products/p0007/lib/libupdcore.so.12", b, "elf", `narrow "Copyright (c) 2023 AO Kaspersky Lab" at 1.5 MiB`)

	// 2. An executable that talks to the update servers.
	b = g.elf(1 << 20)
	copy(b[700<<10:], "\x00https://s00.upd.kaspersky.com/diffs/bases/av/kdb/i386/\x00")
	put("products/p0013/bin/syncd", b, "elf", `narrow host "s00.upd.kaspersky.com"`)

	// 3. A neutral file installed under opt/kaspersky/.
	put("opt/kaspersky/kesl/lib/libcore.so", g.elf(256<<10), "elf", "install path opt/kaspersky/ (name only; neutral content)")

	// 4. A rebranded jar: the manifest names another vendor, the classes
	// are com.kaspersky.kav's.
	extra := map[string][]byte{}
	for _, c := range []string{"com/kaspersky/kav/Scanner", "com/kaspersky/kav/engine/Bases", "com/kaspersky/kav/engine/Updater"} {
		extra[c+".class"] = g.classFile(c, []string{"com/kaspersky/kav/engine/Bases"})
	}
	put("products/p0021/lib/scanner-sdk-3.1.jar", g.jar(64<<10, "com/globex/scan", "Globex Security", extra), "jar",
		"jar of com/kaspersky/kav/ classes, manifest vendor Globex Security")

	// 5. A DLL whose only mention is a UTF-16LE copyright (as in a version
	// resource): pkg/deep searches wide forms; rg -F with narrow patterns
	// cannot see it.
	b = g.pe(512 << 10)
	copy(b[400<<10:], utf16le("LegalCopyright\x00© AO Kaspersky Lab. All Rights Reserved.\x00"))
	put("products/p0029/win/avhelper.dll", b, "pe", `UTF-16LE "© AO Kaspersky Lab" only`)
}

// --- helpers ---

func sortedMap(m map[string][]byte) func(func(string, []byte) bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return func(yield func(string, []byte) bool) {
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

func sortStrings(s []string) { slices.Sort(s) }

// title capitalises an ASCII word.
func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("bad -size %q", s)
	}
	return int64(f * float64(mult)), nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "tree:", err)
		os.Exit(1)
	}
}
