package match

import (
	"path"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// pathFilter is the first, cheap stage of MayMatchPath: a conservative
// test, built from the rules, that turns away almost every real path
// without a map lookup, a glob or an allocation. It says no only when no
// segment of the path can satisfy any of the conditions the exact stage
// (fileMayMatch and compositeMayMatch) tests, each of which needs one
// segment, in ASCII lower case, to be
//
//   - a literal key: the first segment of a path pattern, the first
//     segment of a Java package prefix, a file name without wildcards,
//     or the first segment of a composite block's path pattern;
//   - a segment that begins with a glob's literal prefix, or ends with its
//     literal suffix when it has no prefix;
//   - a name ending in ".service", when some rule has services patterns.
//
// A literal key is found through a Bloom filter keyed by the segment's
// length and its first and last three bytes; a glob's literal end through
// Bloom filters keyed by the segment's first or last L bytes, for the
// lengths L (at most 4) that the globs' literal ends have. A Bloom filter
// can answer yes for a key never added, never no for one added, so the
// test can say yes too often, never too rarely. Paths with a byte outside
// ASCII, or a segment longer than maxSegment, pass: fileMayMatch says yes
// to them anyway.
type pathFilter struct {
	// open is set when some pattern may match a segment with no literal
	// part to test (a glob such as "*" or "?x*", or one with escapes): the
	// filter then passes every path.
	open     bool
	services bool
	// prefixLens and suffixLens have bit L-1 set when some glob's literal
	// prefix (suffix) is tested on its first (last) L bytes.
	prefixLens, suffixLens uint8
	bits                   [filterWords]uint64
}

const (
	filterBits  = 1 << 15
	filterWords = filterBits / 64
	// maxSegment is the longest segment fileMayMatch looks up; it says yes
	// to a path with a longer one.
	maxSegment = 128
	// maxEnd is how many bytes of a glob's literal prefix or suffix the
	// filter tests.
	maxEnd = 4
)

// Key kinds, mixed into the keys so that the three filters share bits.
const (
	keyWhole uint64 = iota + 1
	keyPrefix
	keySuffix
)

// newPathFilter builds the filter from the engine's indexes and the
// composite rules' blocks.
func newPathFilter(e *Engine) *pathFilter {
	f := &pathFilter{services: e.hasServices()}
	for k := range e.paths {
		f.addWhole(k)
	}
	for k := range e.javaFirst {
		f.addWhole(k)
	}
	for k := range e.filenames {
		f.addWhole(k)
	}
	for _, g := range e.fileGlobs {
		// fileMayMatch tests the prefix and suffix that New computed,
		// whatever the glob holds besides.
		f.addGlob(g.prefix, g.suffix)
	}
	for _, c := range e.compFiles {
		if c.literal {
			f.addWhole(c.pattern)
		} else if c.escaped {
			f.open = true
		} else {
			f.addGlob(c.prefix, c.suffix)
		}
	}
	for _, segs := range e.compPaths {
		if len(segs) == 0 {
			f.open = true // it matches every path with a segment
			continue
		}
		f.addWhole(segs[0])
	}
	return f
}

// addWhole adds a literal key: a lower-case segment as the exact stage
// looks it up. Keys outside ASCII can never equal an ASCII segment, and
// paths that are not ASCII pass the filter anyway.
func (f *pathFilter) addWhole(k string) {
	if k == "" || len(k) > maxSegment || !isASCII(k) {
		return
	}
	first, last := ends(k)
	f.set(wholeKey(len(k), first, last))
}

// addGlob adds a glob by its literal prefix, or by its literal suffix when
// the prefix is empty; with neither, the filter is open.
func (f *pathFilter) addGlob(prefix, suffix string) {
	switch {
	case prefix != "":
		if !isASCII(prefix) {
			return // no ASCII segment begins with it
		}
		n := min(len(prefix), maxEnd)
		f.prefixLens |= 1 << (n - 1)
		first, _ := ends(prefix)
		f.set(endKey(keyPrefix, n, first))
	case suffix != "":
		if !isASCII(suffix) {
			return
		}
		n := min(len(suffix), maxEnd)
		f.suffixLens |= 1 << (n - 1)
		_, last := ends(suffix)
		f.set(endKey(keySuffix, n, last))
	default:
		f.open = true
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ends packs the first and the last (from the end) min(len(s), maxEnd)
// bytes of ASCII s, lower-cased, seven bits a byte: byte i of the
// beginning (of the end, counted from the last) at bit 7*i.
func ends(s string) (first, last uint64) {
	n := len(s)
	for i := 0; i < maxEnd && i < n; i++ {
		first |= uint64(lower(s[i])) << (7 * i)
		last |= uint64(lower(s[n-1-i])) << (7 * i)
	}
	return first, last
}

// low returns the lowest l bytes of a packing by ends.
func low(packed uint64, l int) uint64 { return packed & (1<<(7*l) - 1) }

// wholeKey is a segment's key in the literal filter: its length and its
// first and last three bytes, lower-cased (from ends).
func wholeKey(n int, first, last uint64) uint64 {
	return keyWhole | uint64(n)<<2 | low(first, 3)<<10 | low(last, 3)<<31
}

// endKey is the key of a glob's literal end, or a segment's, of l bytes
// (from ends).
func endKey(kind uint64, l int, packed uint64) uint64 {
	return kind | uint64(l)<<2 | low(packed, l)<<5
}

// The filter takes two bits of filterBits for each key, from the top
// bits of one multiplicative hash.
func bloomHashes(k uint64) (uint32, uint32) {
	h := (k ^ k>>31) * 0x9E3779B97F4A7C15
	return uint32(h >> (64 - 15)), uint32(h>>(64-30)) % filterBits
}

func (f *pathFilter) set(k uint64) {
	a, b := bloomHashes(k)
	f.bits[a/64] |= 1 << (a % 64)
	f.bits[b/64] |= 1 << (b % 64)
}

func (f *pathFilter) has(k uint64) bool {
	a, b := bloomHashes(k)
	return f.bits[a/64]&(1<<(a%64)) != 0 && f.bits[b/64]&(1<<(b%64)) != 0
}

// byteClass tells, for mayMatch's scan, the separators (1) and the bytes
// outside ASCII (2) from the rest (0).
var byteClass = func() (t [256]uint8) {
	t['/'], t['\\'], t['!'] = 1, 1, 1
	for c := 0x80; c < 0x100; c++ {
		t[c] = 2
	}
	return t
}()

// mayMatch reports false only when the exact stage would: see pathFilter.
func (f *pathFilter) mayMatch(p string) bool {
	if f.open {
		return true
	}
	start := 0
	for i := 0; i < len(p); i++ {
		switch byteClass[p[i]] {
		case 0:
			continue
		case 2:
			return true // fileMayMatch says yes to any path outside ASCII
		}
		if i > start && f.segment(p[start:i]) {
			return true
		}
		start = i + 1
	}
	return start < len(p) && f.segment(p[start:])
}

// segment tests one ASCII segment.
func (f *pathFilter) segment(seg string) bool {
	n := len(seg)
	if n > maxSegment {
		return true
	}
	first, last := ends(seg)
	if f.has(wholeKey(n, first, last)) {
		return true
	}
	for l := 1; l <= maxEnd && l <= n; l++ {
		if f.prefixLens&(1<<(l-1)) != 0 && f.has(endKey(keyPrefix, l, first)) {
			return true
		}
		if f.suffixLens&(1<<(l-1)) != 0 && f.has(endKey(keySuffix, l, last)) {
			return true
		}
	}
	return f.services && hasSuffixFold(seg, ".service")
}

// compFile is a file-name pattern of a composite rule's block, lower-cased
// as matchFilename lower-cases it.
type compFile struct {
	pattern string
	// literal: the pattern has no wildcard or escape, so path.Match
	// matches it only against itself.
	literal bool
	// escaped: the pattern has a backslash, so its literal ends are not
	// what it matches literally.
	escaped bool
	// prefix and suffix: the literal ends of a glob without escapes,
	// which every name it matches begins and ends with.
	prefix, suffix string
}

// compileComposites lists the file-name and path patterns of every
// composite rule's blocks, for compositeMayMatch.
func (e *Engine) compileComposites() {
	e.services = e.hasServices()
	for _, i := range e.compositeRules() {
		for _, b := range e.rules[i].All {
			for _, p := range b.Filenames {
				c := compFile{pattern: strings.ToLower(p)}
				switch {
				case strings.Contains(c.pattern, `\`):
					c.escaped = true
				case !strings.ContainsAny(c.pattern, "*?["):
					c.literal = true
				default:
					c.prefix = c.pattern[:strings.IndexAny(c.pattern, "*?[")]
					c.suffix = c.pattern[strings.LastIndexAny(c.pattern, "*?]")+1:]
				}
				e.compFiles = append(e.compFiles, c)
			}
			for _, p := range b.Paths {
				e.compPaths = append(e.compPaths, signature.PathSegments(p))
			}
		}
	}
}

// compositeMayMatch reports whether a file path could take part in a
// composite rule, or is a systemd unit whose name a services pattern could
// match, so that deep inspection records it. It reads the path as
// signature.PathSegments does (segments split at "/", "\" and "!", empty
// and "." segments left out, lower case) without building the segments:
// for a path outside ASCII, whose lower case only Unicode knows, it
// builds them.
func (e *Engine) compositeMayMatch(p string) bool {
	if !isASCII(p) {
		return e.compositeMayMatchSegs(signature.PathSegments(p))
	}
	base := ""
	for s, rest := nextSegment(p); s != ""; s, rest = nextSegment(rest) {
		base = s
		for _, ps := range e.compPaths {
			if len(ps) == 0 || equalFold(s, ps[0]) && followedBy(rest, ps[1:]) {
				return true
			}
		}
	}
	if base == "" {
		return false
	}
	if e.services && hasSuffixFold(base, ".service") {
		return true
	}
	var lowerBase string
	for _, c := range e.compFiles {
		switch {
		case c.literal:
			if equalFold(base, c.pattern) {
				return true
			}
		case !c.escaped && (len(base) < len(c.prefix)+len(c.suffix) ||
			!hasPrefixFold(base, c.prefix) || !hasSuffixFold(base, c.suffix)):
			// Every name the glob matches begins with its prefix and ends
			// with its suffix.
		default:
			if lowerBase == "" {
				lowerBase = asciiLower(base)
			}
			if ok, _ := path.Match(c.pattern, lowerBase); ok {
				return true
			}
		}
	}
	return false
}

// compositeMayMatchSegs is compositeMayMatch for a path's segments.
func (e *Engine) compositeMayMatchSegs(segs []string) bool {
	if len(segs) == 0 {
		return false
	}
	base := segs[len(segs)-1]
	if e.services && strings.HasSuffix(base, ".service") {
		return true
	}
	for _, c := range e.compFiles {
		if ok, _ := path.Match(c.pattern, base); ok {
			return true
		}
	}
	for _, ps := range e.compPaths {
		for i := 0; i+len(ps) <= len(segs); i++ {
			if hasSegments(segs[i:], ps) {
				return true
			}
		}
	}
	return false
}

// nextSegment returns the first segment of an ASCII path as
// signature.PathSegments reads it (not lower-cased), and the rest of the
// path after it; "" when there is none.
func nextSegment(p string) (seg, rest string) {
	for p != "" {
		i := strings.IndexAny(p, `/\!`)
		if i < 0 {
			seg, p = p, ""
		} else {
			seg, p = p[:i], p[i+1:]
		}
		if seg != "" && seg != "." {
			return seg, p
		}
	}
	return "", ""
}

// followedBy reports whether the segments of rest begin with segs (lower
// case), compared without ASCII case.
func followedBy(rest string, segs []string) bool {
	for _, want := range segs {
		var s string
		if s, rest = nextSegment(rest); s == "" || !equalFold(s, want) {
			return false
		}
	}
	return true
}

// equalFold reports whether ASCII text, lower-cased, is the lower-case
// text want. Unlike strings.EqualFold it folds no letter outside ASCII:
// "s" is not "ſ" here, as it is not in signature.PathSegments.
func equalFold(s, want string) bool {
	if len(s) != len(want) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != want[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold and hasSuffixFold are equalFold on the ends of s.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && equalFold(s[len(s)-len(suffix):], suffix)
}

// asciiLower lower-cases ASCII text, allocating only when it has an upper
// case letter.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
