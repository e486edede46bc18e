package walk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// lzip (.lz, .tar.lz): members of "LZIP", version 1, a coded dictionary
// size, LZMA data (lc=3, lp=0, pb=2, with an end marker) and a 20-byte
// trailer: the CRC-32 of the data, its size and the member's size. The
// LZMA data are read by ulikunitz/xz/lzma behind an LZMA-alone header made
// for them.

// isLzip tells an lzip stream: "LZIP", version 0 or 1, and a coded
// dictionary size of 4 KiB to 512 MiB.
func isLzip(head []byte) bool {
	if len(head) < 6 || string(head[:4]) != "LZIP" || head[4] > 1 {
		return false
	}
	b := head[5] & 0x1f
	return b >= 12 && b <= 29
}

// lzipSrc gives the lzma reader an LZMA-alone header, then the member's
// LZMA data byte by byte (the reader reads no further than the end
// marker), counting them.
type lzipSrc struct {
	hdr [lzma.HeaderLen]byte
	pos int
	r   io.ByteReader
	n   int64
}

func (s *lzipSrc) ReadByte() (byte, error) {
	if s.pos < len(s.hdr) {
		s.pos++
		return s.hdr[s.pos-1], nil
	}
	c, err := s.r.ReadByte()
	if err == nil {
		s.n++
	}
	return c, err
}

func (s *lzipSrc) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.pos < len(s.hdr) {
		n := copy(p, s.hdr[s.pos:])
		s.pos += n
		return n, nil
	}
	c, err := s.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = c
	return 1, nil
}

// Peek shows the header (newLzmaReader checks its dictionary).
func (s *lzipSrc) Peek(n int) ([]byte, error) {
	if s.pos+n > len(s.hdr) {
		return nil, io.ErrNoProgress
	}
	return s.hdr[s.pos : s.pos+n], nil
}

// lzipByteReader is what an lzip stream is read from.
type lzipByteReader interface {
	io.Reader
	io.ByteReader
}

// lzipReader decodes the members of an lzip stream.
type lzipReader struct {
	r       lzipByteReader
	dec     io.Reader // of the current member, or nil
	src     *lzipSrc
	crc     hash.Hash32
	size    int64 // decoded of the member
	members int
	err     error
}

// newLzipReader reads the lzip stream r (a *bytes.Reader or
// *bufio.Reader: the byteCounter's).
func newLzipReader(r io.Reader) (io.Reader, error) {
	br, ok := r.(lzipByteReader)
	if !ok {
		return nil, errors.New("lzip: no byte reader")
	}
	l := &lzipReader{r: br, crc: crc32.NewIEEE()}
	if err := l.begin(); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return l, nil
}

// begin reads the header of the next member: io.EOF at the end.
func (l *lzipReader) begin() error {
	var h [6]byte
	if n, err := io.ReadFull(l.r, h[:]); err != nil {
		if n == 0 && err == io.EOF {
			return io.EOF
		}
		return fmt.Errorf("lzip member %d header: %w", l.members+1, err)
	}
	switch {
	case string(h[:4]) != "LZIP":
		return fmt.Errorf("data after lzip member %d", l.members)
	case h[4] != 1:
		return fmt.Errorf("lzip member %d of version %d", l.members+1, h[4])
	}
	b := h[5] & 0x1f
	if b < 12 || b > 29 {
		return fmt.Errorf("lzip member %d: bad dictionary size", l.members+1)
	}
	dict := uint32(1) << b
	dict -= dict / 16 * uint32(h[5]>>5)
	l.src = &lzipSrc{r: l.r}
	l.src.hdr[0] = 0x5d // lc=3, lp=0, pb=2
	binary.LittleEndian.PutUint32(l.src.hdr[1:], dict)
	binary.LittleEndian.PutUint64(l.src.hdr[5:], 1<<64-1) // size unknown: an end marker
	dec, err := newLzmaReader(l.src)
	if err != nil {
		return fmt.Errorf("lzip member %d: %w", l.members+1, err)
	}
	l.dec = dec
	l.crc.Reset()
	l.size = 0
	return nil
}

func (l *lzipReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	for {
		if l.dec == nil {
			if err := l.begin(); err != nil {
				l.err = err
				return 0, err
			}
		}
		n, err := l.dec.Read(p)
		l.crc.Write(p[:n])
		l.size += int64(n)
		if err == io.EOF {
			err = l.end()
		}
		if err != nil {
			l.err = err
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// end checks the trailer of the member just decoded, and the next
// member's start: io.EOF if there is none.
func (l *lzipReader) end() error {
	l.members++
	var t [20]byte
	if _, err := io.ReadFull(l.r, t[:]); err != nil {
		return fmt.Errorf("lzip member %d trailer: %w", l.members, errUnexpected(err))
	}
	le := binary.LittleEndian
	switch {
	case le.Uint32(t[:]) != l.crc.Sum32():
		return fmt.Errorf("lzip member %d: CRC-32 mismatch", l.members)
	case le.Uint64(t[4:]) != uint64(l.size):
		return fmt.Errorf("lzip member %d: %d bytes decoded, %d declared", l.members, l.size, le.Uint64(t[4:]))
	case le.Uint64(t[12:]) != uint64(6+l.src.n+20):
		return fmt.Errorf("lzip member %d: member of %d bytes, %d declared", l.members, 6+l.src.n+20, le.Uint64(t[12:]))
	}
	l.dec = nil
	return nil
}

func errUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
