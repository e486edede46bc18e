//go:build amd64 && !purego

#include "textflag.h"

// func candidatesAVX2(p []byte, tables *[5][32]byte, out *[4096]int32) int
//
// For each 32 offsets of p (while 33 bytes are left), the bytes at them
// and the bytes after them are split into nibbles, each nibble looked up
// in its table (VPSHUFB), and the two look-ups of a byte and-ed: non-zero
// where it may be in the set. An offset whose byte may be a needle and
// whose next byte may follow one is a candidate, written to out in
// order. Returns the number written, or -1 when out might not hold the
// next 32 offsets' candidates.
TEXT ·candidatesAVX2(SB), NOSPLIT, $0-48
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), BX
	MOVQ tables+24(FP), DI
	MOVQ out+32(FP), R9
	XORQ R10, R10         // offsets written
	MOVQ SI, DX           // the start, to turn pointers into offsets
	LEAQ -32(SI)(BX*1), R8 // 32 offsets at SI need SI+33 <= end: SI < end-32
	VMOVDQU 0(DI), Y1     // needles: low nibbles
	VMOVDQU 32(DI), Y2    // needles: high nibbles
	VMOVDQU 64(DI), Y3    // follows: low nibbles
	VMOVDQU 96(DI), Y4    // follows: high nibbles
	VMOVDQU 128(DI), Y5   // 0x0f
	VPXOR   Y6, Y6, Y6    // zero

loop:
	CMPQ SI, R8
	JAE  done
	CMPQ R10, $4064       // maxAt - 32: room for 32 more
	JA   full
	VMOVDQU (SI), Y0
	VPSRLW  $4, Y0, Y7
	VPAND   Y5, Y0, Y8
	VPAND   Y5, Y7, Y7
	VPSHUFB Y8, Y1, Y9
	VPSHUFB Y7, Y2, Y10
	VPAND   Y9, Y10, Y9   // non-zero: may be a needle
	VMOVDQU 1(SI), Y0
	VPSRLW  $4, Y0, Y7
	VPAND   Y5, Y0, Y8
	VPAND   Y5, Y7, Y7
	VPSHUFB Y8, Y3, Y10
	VPSHUFB Y7, Y4, Y11
	VPAND   Y10, Y11, Y10 // non-zero: may follow one
	VPCMPEQB Y6, Y9, Y9
	VPCMPEQB Y6, Y10, Y10
	VPOR    Y9, Y10, Y9   // 0xff where either is zero
	VPMOVMSKB Y9, AX
	NOTL    AX            // the candidates
	TESTL   AX, AX
	JZ      next
	MOVQ    SI, CX
	SUBQ    DX, CX        // the offset of the 32

bits:
	BSFL AX, R11
	ADDL CX, R11
	MOVL R11, (R9)(R10*4)
	INCQ R10
	LEAL -1(AX), R11      // clear the lowest bit set
	ANDL R11, AX
	JNZ  bits

next:
	ADDQ $32, SI
	JMP  loop

done:
	VZEROUPPER
	MOVQ R10, ret+40(FP)
	RET

full:
	VZEROUPPER
	MOVQ $-1, ret+40(FP)
	RET
