package deep

// candidates finds, in one pass over a block, where a pattern can be
// anchored: at a byte that is one of the anchors' needles and is followed
// by a byte some pattern can have after its anchor (a pattern with fewer
// than two bytes after its anchor leaves the finder to its passes). With
// AVX2 (candidates_amd64.s) each 32 bytes are classified at once by two
// table look-ups of their nibbles for each of the two sets ("shufti"),
// which gives a superset of each set: the finder then keeps, at each
// offset, only what a pass per needle would have found.
type candidates struct {
	// needle and follow are the two sets, exactly.
	needle, follow [256]bool
	// tables are the nibble tables of both sets, for the vector code:
	// byte b may be in the needle set when loN[b&15]&hiN[b>>4] != 0, and
	// in the follow set likewise; each table twice, once for each 16-byte
	// lane of a 32-byte vector; then sixteen 0x0f twice, the nibble mask.
	tables [5][32]byte
}

// newCandidates returns the candidates of the needles and the bytes that
// may follow them.
func newCandidates(needles, follows []byte) *candidates {
	c := &candidates{}
	for _, b := range needles {
		c.needle[b] = true
	}
	for _, b := range follows {
		c.follow[b] = true
	}
	nibbleTables(&c.needle, &c.tables[0], &c.tables[1])
	nibbleTables(&c.follow, &c.tables[2], &c.tables[3])
	for i := range c.tables[4] {
		c.tables[4][i] = 0x0f
	}
	return c
}

// nibbleTables fills lo and hi so that lo[b&15]&hi[b>>4] != 0 for every b
// in set. The bytes of each high nibble form a set of low nibbles; each
// distinct such set is a bucket (a bit) holding its high nibbles, which
// is exact with up to eight buckets; beyond, the last buckets are merged,
// which only adds bytes.
func nibbleTables(set *[256]bool, lo, hi *[32]byte) {
	var lows [16]uint16 // for each high nibble, its low nibbles
	for b := range 256 {
		if set[b] {
			lows[b>>4] |= 1 << (b & 15)
		}
	}
	var buckets []uint16 // the distinct sets of low nibbles
	bucketOf := [16]int{}
	for h, l := range lows {
		if l == 0 {
			continue
		}
		k := -1
		for i, b := range buckets {
			if b == l {
				k = i
			}
		}
		if k < 0 {
			k = len(buckets)
			buckets = append(buckets, l)
		}
		bucketOf[h] = k
	}
	for h, l := range lows {
		if l == 0 {
			continue
		}
		bit := byte(1) << min(bucketOf[h], 7)
		hi[h] |= bit
		hi[h+16] |= bit
		for n := range 16 {
			if l&(1<<n) != 0 {
				lo[n] |= bit
				lo[n+16] |= bit
			}
		}
	}
}

// maxAt is the most offsets one call of all finds: in a block of the
// finder (scanBlock), one in 8 bytes. Machine code has about one in 340
// bytes, English text with many a "k" one in 20; a block with more is
// searched a needle at a time. candidates_amd64.s has it too.
const maxAt = 4096

// all writes to out, in order, each offset i < n of p where p[i] may be a
// needle and p[i+1] may follow it (the candidates; p holds a byte past n
// where there is one), and returns how many; -1 when there are more than
// out holds. Every offset of p[:n] with a needle followed by a byte of
// the follow set is among them.
func (c *candidates) all(p []byte, n int, out *[maxAt]int32) int {
	k, start := 0, 0
	if haveAVX2 && len(p) > 32 {
		// The vector code reads 33 bytes for each 32 offsets.
		m := min(n, len(p)-1) &^ 31
		if k = candidatesAVX2(p[:m+1], &c.tables, out); k < 0 {
			return -1
		}
		start = m
	}
	for i := start; i < n && i+1 < len(p); i++ {
		if c.needle[p[i]] && c.follow[p[i+1]] {
			if k == maxAt {
				return -1
			}
			out[k] = int32(i)
			k++
		}
	}
	return k
}
