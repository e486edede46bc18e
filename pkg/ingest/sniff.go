package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/fserr"
)

// ErrBlank is MaySBOM's error for an input of nothing but white space (and
// perhaps a byte-order mark): nothing to evaluate.
var ErrBlank = errors.New("nothing but white space: nothing to evaluate")

// MaySBOM says from the content of r alone whether it may be an SBOM,
// reading no more than it must and holding no more than a buffer: JSON or
// XML (which detection then judges whole), or text with an SPDX tag-value
// or YAML version line within its first max bytes. Binary content, and
// text without such a line, is no SBOM: a caller can hand it on as a file
// without reading it into memory.
func MaySBOM(r io.Reader, max int64) (bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return false, ErrBlank
		}
		if err != nil {
			return false, err
		}
		if !isSpace(b) {
			_ = br.UnreadByte()
			break
		}
	}
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return false, err
	}
	switch {
	case len(head) == 0:
		return false, nil
	case bytes.IndexByte([]byte("{[<"), head[0]) >= 0:
		return true, nil
	case !looksLikeText(head):
		return false, nil
	}
	// Text: look for the version line, one line at a time.
	var read int64
	for read <= max {
		line, err := br.ReadSlice('\n')
		read += int64(len(line))
		if tagValueRE.Match(line) || yamlVersionRE.Match(line) {
			return true, nil
		}
		for errors.Is(err, bufio.ErrBufferFull) { // a long line: skip the rest of it
			line, err = br.ReadSlice('\n')
			read += int64(len(line))
		}
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// MaySBOMFile is MaySBOM for the file at path, bounded by opts.MaxBytes.
func MaySBOMFile(path string, opts Options) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, &Error{Input: path, Kind: KindUnreadable, Err: fserr.WithOp(err)}
	}
	defer f.Close()
	ok, err := MaySBOM(f, opts.WithDefaults().MaxBytes)
	if errors.Is(err, ErrBlank) {
		return false, &Error{Input: path, Kind: KindNotSBOM, Err: err}
	}
	if err != nil {
		return false, &Error{Input: path, Kind: KindUnreadable, Err: err}
	}
	return ok, nil
}

// NamedLikeSBOM reports whether a file's name says it is an SBOM, as the
// conventions of CycloneDX, SPDX and syft name them: bom.json, bom.xml,
// *.cdx.json, *.cdx.xml, *.spdx, *.spdx.json (and every other *.spdx*),
// *.syft.json, *.bom.json, and any name that starts with "sbom" or holds
// ".sbom", "-sbom" or "_sbom". A file so named that cannot be read as an
// SBOM is an error, never a plain file to catalogue.
func NamedLikeSBOM(path string) bool {
	name := strings.ToLower(filepath.Base(filepath.ToSlash(path)))
	switch {
	case name == "bom.json", name == "bom.xml",
		strings.HasPrefix(name, "sbom"),
		strings.Contains(name, ".cdx."), strings.HasSuffix(name, ".cdx"),
		strings.Contains(name, ".spdx"),
		strings.HasSuffix(name, ".syft.json"),
		strings.HasSuffix(name, ".bom.json"), strings.HasSuffix(name, ".bom.xml"):
		return true
	}
	for _, sep := range []string{".", "-", "_"} {
		if strings.Contains(name, sep+"sbom") {
			return true
		}
	}
	return false
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}
