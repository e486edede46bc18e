package deep

import (
	"bytes"
	"sync"
)

// finder finds many byte patterns in a buffer. Each pattern is anchored on
// its rarest byte (chosen so that patterns share anchors, and every
// Kaspersky pattern shares the letter k); the buffer is searched for the
// anchor bytes, in one pass with AVX2 (candidates.go) or else a pass of
// bytes.IndexByte for each, and the patterns anchored there are compared
// in place. The cost is the search plus a comparison per anchor
// occurrence, independent of the number of patterns sharing an anchor.
// ASCII letters are compared without case.
type finder struct {
	anchors []anchor
	lens    []int
	// cand, when not nil, finds in one pass where the patterns can be
	// anchored (candidates.go): set where the vector code is there and no
	// pattern is short. needleIndex numbers the needles in the order the
	// passes search for them (anchor by anchor), nNeedles for any other
	// byte.
	cand        *candidates
	needleIndex [256]uint16
	nNeedles    int
}

type anchor struct {
	needles []byte // the anchor byte, and its other case for a letter
	at      []anchored
	// The patterns are grouped by the two bytes that follow the anchor in
	// them (key2), then by the offset of the anchor, each group a trie
	// walked from where such a pattern would start. At an occurrence of
	// the anchor, the two bytes after it select the few groups that can
	// match at all; patterns with fewer than two bytes after the anchor
	// are always tried (short). byNext is indexed by the first of the two
	// bytes, then the second; nil where no pattern continues so.
	byNext [256]*[256][]group
	short  []group
}

type anchored struct {
	id     int
	offset int    // where the anchor byte is in the pattern
	lower  []byte // the pattern, ASCII letters in lower case
}

type group struct {
	offset int
	root   *trieNode
}

type trieNode struct {
	bytes []byte // edge labels (lower case), parallel to next
	next  []*trieNode
	ids   []int // patterns that end here
}

func (n *trieNode) child(b byte) *trieNode {
	for i, c := range n.bytes {
		if c == b {
			return n.next[i]
		}
	}
	return nil
}

func (n *trieNode) insert(p []byte, id int) {
	for _, b := range p {
		c := n.child(b)
		if c == nil {
			c = &trieNode{}
			n.bytes = append(n.bytes, b)
			n.next = append(n.next, c)
		}
		n = c
	}
	n.ids = append(n.ids, id)
}

var lowerTable = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		t[i] = c
	}
	return t
}()

// byteCost estimates how often a byte occurs in executables, archives and
// text, so anchors can be rare ones. Only the order matters.
func byteCost(b byte) int {
	switch {
	case b == 0 || b == 0xff:
		return 1000
	case b == ' ' || b == '.' || b == '/' || b == '_' || b == '-' || b == ':' || b == '=' || b == '\n':
		return 60
	case b >= 'a' && b <= 'z':
		// English letter frequency, most frequent first.
		const order = "etaoinsrhldcumfpgwybvkxjqz"
		return 50 - bytes.IndexByte([]byte(order), b)
	case b >= 'A' && b <= 'Z':
		return 15
	case b >= '0' && b <= '9':
		return 40
	case b >= 0x80:
		return 20
	}
	return 30
}

// newFinder compiles the patterns; ids are their indexes. Empty patterns
// are ignored.
func newFinder(patterns [][]byte) *finder {
	f := &finder{lens: make([]int, len(patterns))}
	byByte := map[byte]int{} // lower-case anchor byte -> index in f.anchors
	for id, p := range patterns {
		f.lens[id] = len(p)
		if len(p) == 0 {
			continue
		}
		lower := make([]byte, len(p))
		for i, b := range p {
			lower[i] = lowerTable[b]
		}
		best, bestCost := 0, 1<<30
		for i, b := range lower {
			c := byteCost(b)
			if b >= 'a' && b <= 'z' {
				c += byteCost(b - 'a' + 'A')
			}
			if _, ok := byByte[b]; ok {
				c /= 2 // a shared anchor costs no extra pass
			}
			if c < bestCost {
				best, bestCost = i, c
			}
		}
		b := lower[best]
		ai, ok := byByte[b]
		if !ok {
			needles := []byte{b}
			if b >= 'a' && b <= 'z' {
				needles = append(needles, b-'a'+'A')
			}
			f.anchors = append(f.anchors, anchor{needles: needles})
			ai = len(f.anchors) - 1
			byByte[b] = ai
		}
		f.anchors[ai].at = append(f.anchors[ai].at, anchored{id: id, offset: best, lower: lower})
	}
	for ai := range f.anchors {
		a := &f.anchors[ai]
		type key struct {
			next   uint16
			short  bool
			offset int
		}
		roots := map[key]*trieNode{}
		for _, p := range a.at {
			k := key{offset: p.offset}
			if p.offset+2 < len(p.lower) {
				k.next = uint16(p.lower[p.offset+1])<<8 | uint16(p.lower[p.offset+2])
			} else {
				k.short = true
			}
			root := roots[k]
			if root == nil {
				root = &trieNode{}
				roots[k] = root
				g := group{offset: p.offset, root: root}
				if k.short {
					a.short = append(a.short, g)
				} else {
					b1, b2 := k.next>>8, k.next&0xff
					if a.byNext[b1] == nil {
						a.byNext[b1] = new([256][]group)
					}
					a.byNext[b1][b2] = append(a.byNext[b1][b2], g)
				}
			}
			root.insert(p.lower, p.id)
		}
	}
	if haveAVX2 {
		f.cand = f.candidates()
	}
	for _, a := range f.anchors {
		f.nNeedles += len(a.needles)
	}
	for b := range f.needleIndex {
		f.needleIndex[b] = uint16(f.nNeedles)
	}
	k := 0
	for _, a := range f.anchors {
		for _, n := range a.needles {
			f.needleIndex[n] = uint16(k)
			k++
		}
	}
	return f
}

// candidates returns the one-pass search for f's anchors: the needles,
// and the bytes that can follow one in a pattern (in either case, as the
// patterns are compared). It is nil when a pattern has fewer than two
// bytes after its anchor: any byte may follow that one.
func (f *finder) candidates() *candidates {
	var needles, follows []byte
	for _, a := range f.anchors {
		if len(a.short) > 0 {
			return nil
		}
		needles = append(needles, a.needles...)
	}
	for b := range 256 {
		for _, a := range f.anchors {
			if a.byNext[lowerTable[b]] != nil {
				follows = append(follows, byte(b))
				break
			}
		}
	}
	return newCandidates(needles, follows)
}

// scanBlock is how much of the data each anchor is searched in before the
// next anchor: small enough to stay in the CPU's cache across the passes.
const scanBlock = 32 << 10

// scan calls fn with each pattern id and the offset just past its end, for
// every occurrence in data. Occurrences come block by block (scanBlock),
// grouped by anchor in a block: not in order of offset.
func (f *finder) scan(data []byte, fn func(id, end int)) {
	f.scanRange(data, 0, len(data), fn)
}

// scanRange is scan of the blocks of data[from:to], the bytes around them
// read as context (a pattern found from an anchor in the range may begin
// before from or end after to): scanned window by window with from at a
// block boundary of the whole, a large file gives the occurrences scan of
// the whole would, in the same order.
//
// In a block, the occurrences come anchor by anchor, needle by needle,
// each in order of offset (the facts kept of a file depend on that
// order). Where the vector code is there (cand), one pass finds the
// offsets in the block where a pattern can be anchored, taken then needle
// by needle; otherwise each needle is searched for with bytes.IndexByte,
// a pass of the block each. The two give the same calls of fn in the
// same order (TestFinderOnePassSameAsPasses, FuzzFinderOnePass).
func (f *finder) scanRange(data []byte, from, to int, fn func(id, end int)) {
	if f.cand != nil {
		f.scanOnePass(data, from, to, fn)
		return
	}
	for lo := from; lo < to; lo += scanBlock {
		f.scanPasses(data, lo, min(lo+scanBlock, to), fn)
	}
}

// scanPasses is scanRange of one block, [lo, hi), each needle searched for
// with bytes.IndexByte.
func (f *finder) scanPasses(data []byte, lo, hi int, fn func(id, end int)) {
	for ai := range f.anchors {
		a := &f.anchors[ai]
		for _, needle := range a.needles {
			for i := lo; i < hi; i++ {
				j := bytes.IndexByte(data[i:hi], needle)
				if j < 0 {
					break
				}
				i += j
				a.try(data, i, fn)
			}
		}
	}
}

// scanOnePass is scanRange with each block's candidates (an anchor byte
// followed by a byte a pattern can have after it) found in one pass
// (candidates.all), sorted by needle in the order of the passes (a
// counting sort, which keeps each needle's in order of offset), then
// visited: the offsets a pass per needle would visit, less those where no
// pattern can go on. A block with more candidates than that pass holds
// is searched a needle at a time.
func (f *finder) scanOnePass(data []byte, from, to int, fn func(id, end int)) {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	for lo := from; lo < to; lo += scanBlock {
		hi := min(lo+scanBlock, to)
		n := f.cand.all(data[lo:min(hi+1, len(data))], hi-lo, &s.at)
		if n < 0 {
			f.scanPasses(data, lo, hi, fn)
			continue
		}
		if n == 0 {
			continue
		}
		block := data[lo:hi]
		// start[k+1] counts needle k's candidates, then start[k] is where
		// they go in s.by; the last bucket, nNeedles, holds bytes that
		// only looked like needles to the vector code.
		start := s.start[:f.nNeedles+2]
		clear(start)
		for _, off := range s.at[:n] {
			start[f.needleIndex[block[off]]+1]++
		}
		for k := 1; k < len(start); k++ {
			start[k] += start[k-1]
		}
		for _, off := range s.at[:n] {
			k := f.needleIndex[block[off]]
			s.by[start[k]] = off
			start[k]++
		}
		// start[k] is now the end of needle k's candidates.
		k, first := 0, int32(0)
		for ai := range f.anchors {
			a := &f.anchors[ai]
			for range a.needles {
				for _, off := range s.by[first:start[k]] {
					a.try(data, lo+int(off), fn)
				}
				first = start[k]
				k++
			}
		}
	}
}

// scratch is scanOnePass's memory for a block: the candidates' offsets,
// the same sorted by needle, and the start of each needle's (the needles
// are distinct bytes: at most 256, and the bucket of the others).
type scratch struct {
	at, by [maxAt]int32
	start  [258]int32
}

// scratchPool keeps scratch from one file to the next rather than
// clearing 32 KiB for every file.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// try tries the patterns anchored at a that can match with the anchor at
// data[i]: the short ones, and those the two bytes after it select.
func (a *anchor) try(data []byte, i int, fn func(id, end int)) {
	if len(a.short) > 0 {
		walkGroups(a.short, data, i, fn)
	}
	if i+2 < len(data) {
		if t := a.byNext[lowerTable[data[i+1]]]; t != nil {
			if gs := t[lowerTable[data[i+2]]]; gs != nil {
				walkGroups(gs, data, i, fn)
			}
		}
	}
}

// walkGroups tries each group's patterns at the start its offset implies
// for an anchor at i.
func walkGroups(groups []group, data []byte, i int, fn func(id, end int)) {
	for _, g := range groups {
		start := i - g.offset
		if start < 0 {
			continue
		}
		n := g.root
		for k := start; k < len(data); k++ {
			if n = n.child(lowerTable[data[k]]); n == nil {
				break
			}
			for _, id := range n.ids {
				fn(id, k+1)
			}
		}
	}
}
