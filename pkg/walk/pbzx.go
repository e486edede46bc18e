package walk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// pbzx: the Payload of newer macOS installer packages. "pbzx", a 64-bit
// big-endian flags word, then chunks, each a 64-bit uncompressed size
// (16 MiB but for the last), a 64-bit stored size and the data: an xz
// stream, or the bytes as they are when the stored size is the
// uncompressed one. What the chunks make is a cpio archive (odc).

// maxPbzxChunk is the largest chunk taken, stored or uncompressed (16 MiB
// in the packages seen).
const maxPbzxChunk = 64 << 20

// maxPbzxChunks bounds the chunks of a stream (1 TiB of 16 MiB chunks).
const maxPbzxChunks = 1 << 16

var xzMagic = []byte("\xfd7zXZ\x00")

// isPbzx tells a pbzx stream: its magic number and a first chunk of xz,
// or one stored of at most maxPbzxChunk bytes.
func isPbzx(head []byte) bool {
	if len(head) < 28 || string(head[:4]) != "pbzx" {
		return false
	}
	if len(head) >= 34 && bytes.Equal(head[28:34], xzMagic) {
		return true
	}
	usize, csize := binary.BigEndian.Uint64(head[12:]), binary.BigEndian.Uint64(head[20:])
	return usize > 0 && usize <= maxPbzxChunk && csize == usize
}

// pbzxReader decodes a pbzx stream.
type pbzxReader struct {
	w      *walker
	r      io.Reader
	chunk  io.Reader         // the output of the current chunk, or nil
	in     *io.LimitedReader // its stored bytes
	left   int64             // of its output, yet to come
	chunks int
	err    error
}

// newPbzxReader reads the pbzx stream r; w's limits bound the xz
// dictionaries.
func (w *walker) newPbzxReader(r io.Reader) (io.Reader, error) {
	var h [12]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	if string(h[:4]) != "pbzx" {
		return nil, errors.New("bad magic")
	}
	return &pbzxReader{w: w, r: r}, nil
}

func (p *pbzxReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.read(b)
	if err != nil {
		p.err = err
	}
	return n, err
}

func (p *pbzxReader) read(b []byte) (int, error) {
	for {
		if p.chunk == nil {
			if err := p.next(); err != nil {
				return 0, err
			}
			continue
		}
		n, err := p.chunk.Read(b)
		p.left -= int64(n)
		if p.left < 0 {
			return 0, fmt.Errorf("pbzx chunk %d longer than declared", p.chunks)
		}
		switch {
		case err == io.EOF && p.left > 0:
			return n, fmt.Errorf("pbzx chunk %d: %w", p.chunks, io.ErrUnexpectedEOF)
		case err == io.EOF:
			if serr := skip(p.in, p.in.N); serr != nil {
				return n, serr
			}
			p.chunk = nil
		case err != nil:
			return n, fmt.Errorf("pbzx chunk %d: %w", p.chunks, err)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// next begins the next chunk: io.EOF at the end of the stream.
func (p *pbzxReader) next() error {
	var h [16]byte
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return fmt.Errorf("pbzx chunk %d header: %w", p.chunks+1, err)
	}
	if p.chunks++; p.chunks > maxPbzxChunks {
		return fmt.Errorf("pbzx stream of over %d chunks", maxPbzxChunks)
	}
	usize, csize := binary.BigEndian.Uint64(h[:]), binary.BigEndian.Uint64(h[8:])
	if usize > maxPbzxChunk || csize > maxPbzxChunk {
		return fmt.Errorf("pbzx chunk %d of %d bytes from %d, over %s", p.chunks, usize, csize, sizeString(maxPbzxChunk))
	}
	p.in = &io.LimitedReader{R: p.r, N: int64(csize)}
	p.left = int64(usize)
	if csize == usize { // stored
		p.chunk = p.in
		return nil
	}
	xr, err := p.w.newXzReader(p.in)
	if err != nil {
		return fmt.Errorf("pbzx chunk %d: %w", p.chunks, err)
	}
	p.chunk = xr
	return nil
}
