//go:build !amd64 || purego

package deep

// haveAVX2 is false: there is no vector code for this platform.
const haveAVX2 = false

func candidatesAVX2([]byte, *[5][32]byte, *[maxAt]int32) int {
	panic("deep: no vector code on this platform")
}
