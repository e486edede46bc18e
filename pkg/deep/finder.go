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
}

type anchored struct {
	id     int
	offset int    // where the anchor byte is in the pattern
	lower  []byte // the pattern, ASCII letters in lower case
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
	case b == ' ' || b == '.' || b == '/' || b == '_' || b == '-':
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
	return f
}

// scan calls fn with each pattern id and the offset just past its end, for
// every occurrence in data. Occurrences come grouped by anchor, not in
// order of offset.
func (f *finder) scan(data []byte, fn func(id, end int)) {
	for _, a := range f.anchors {
		for _, needle := range a.needles {
			for i := 0; ; i++ {
				j := bytes.IndexByte(data[i:], needle)
				if j < 0 {
					break
				}
				i += j
				for _, p := range a.at {
					start := i - p.offset
					if start < 0 || start+len(p.lower) > len(data) {
						continue
					}
					if equalLower(data[start:start+len(p.lower)], p.lower) {
						fn(p.id, start+len(p.lower))
					}
				}
			}
		}
	}
}

// equalLower reports whether s equals lower when its ASCII letters are
// lowered.
func equalLower(s, lower []byte) bool {
	for i, b := range s {
		if lowerTable[b] != lower[i] {
			return false
		}
	}
	return true
}
