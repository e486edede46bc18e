package deep

import "bytes"

// finder finds many byte patterns in a buffer. Each pattern is anchored on
// its rarest byte (chosen so that patterns share anchors, and every
// Kaspersky pattern shares the letter k); the buffer is searched for each
// anchor byte with bytes.IndexByte, which runs at memory speed, and the
// patterns anchored there are compared in place. The cost is a few passes
// of IndexByte plus a comparison per anchor occurrence, independent of the
// number of patterns sharing an anchor. ASCII letters are compared without
// case.
type finder struct {
	anchors []anchor
	lens    []int
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
	return f
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
func (f *finder) scanRange(data []byte, from, to int, fn func(id, end int)) {
	for lo := from; lo < to; lo += scanBlock {
		hi := min(lo+scanBlock, to)
		for ai := range f.anchors {
			a := &f.anchors[ai]
			for _, needle := range a.needles {
				for i := lo; i < hi; i++ {
					j := bytes.IndexByte(data[i:hi], needle)
					if j < 0 {
						break
					}
					i += j
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
