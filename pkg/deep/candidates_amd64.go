//go:build amd64 && !purego

package deep

import "golang.org/x/sys/cpu"

// haveAVX2 says whether candidatesAVX2 can run here.
var haveAVX2 = cpu.X86.HasAVX2

// candidatesAVX2 writes to out, in order, each offset i of p's first
// (len(p)-1) rounded down to 32 bytes where p[i] may be in the first set
// of tables and p[i+1] in the second (candidates.tables), and returns how
// many; -1 when they might not fit in out.
//
//go:noescape
func candidatesAVX2(p []byte, tables *[5][32]byte, out *[maxAt]int32) int
