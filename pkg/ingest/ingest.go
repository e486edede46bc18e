// Package ingest reads SBOMs in every dialect pedigree knows and turns them
// into a model.Document.
//
// The dialect is detected from the content, never from the file name:
// CycloneDX JSON (1.2–1.7) and XML (1.0–1.7), SPDX 2.1–2.3 as JSON,
// tag-value, YAML, RDF/XML and XML, SPDX 3.0 JSON-LD, and syft JSON.
// Inputs are bounded in size and nesting depth before any decoder sees
// them.
//
// Only the packages below pkg/ingest import the format libraries
// (cyclonedx-go, tools-golang).
package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/ingest/cyclonedx"
	"github.com/pedigree-sbom/pedigree/pkg/ingest/spdx"
	"github.com/pedigree-sbom/pedigree/pkg/ingest/syftjson"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Options say how an input is read: the limits that bound what it may
// cost, and whether defects that do not bear on identity are refused.
type Options struct {
	// Ingest bounds what an input may cost: see limits.Ingest for each
	// (its fields are promoted: opts.MaxBytes). A field left at zero (or
	// below) takes its default; pkg/limits owns the defaults and fills
	// them in.
	limits.Ingest
	// Strict refuses an SPDX 2 document with a defect that is otherwise
	// read through with a warning (docs/ingest.md, "Tolerated defects"):
	// the error, of kind malformed, names the defect.
	Strict bool
}

// DefaultOptions are the limits used when the caller sets none: 1 GiB,
// 1,000 levels, 5,000,000 components and 16 MiB per value, far beyond any
// real SBOM and far below what would exhaust the decoders or the matcher;
// defects are tolerated.
func DefaultOptions() Options { return Options{Ingest: limits.Default().Ingest} }

// WithDefaults returns o with every limit left unset taken from its
// default (see limits.Ingest.WithDefaults).
func (o Options) WithDefaults() Options {
	o.Ingest = o.Ingest.WithDefaults()
	return o
}

// File reads and decodes the SBOM at path.
func File(path string, opts Options) (*model.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Input: path, Kind: KindUnreadable, Err: fserr.WithOp(err)}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, newError(path, KindUnreadable, "is a directory, not an SBOM file")
	}
	return Decode(path, f, opts)
}

// Decode reads an SBOM from r. name is how the input is named in errors and
// in the document's Source.
func Decode(name string, r io.Reader, opts Options) (*model.Document, error) {
	opts = opts.WithDefaults()
	data, err := read(r, opts.MaxBytes)
	if err != nil {
		return nil, wrap(name, err)
	}
	// Nesting is bounded before anything parses the input, detection
	// included. For a JSON object, detection's key reader counts the
	// brackets as it skips the values, so the two share one walk.
	probe, err := checkDepthProbe(data, opts.MaxDepth)
	if err != nil {
		return nil, wrap(name, err)
	}
	det, err := detect(data, probe)
	if err != nil {
		return nil, wrap(name, err)
	}
	doc, err := decode(det, opts)
	if err != nil {
		return nil, wrap(name, err)
	}
	if err := checkBounds(doc, opts); err != nil {
		return nil, wrap(name, err)
	}
	doc.Source = name
	doc.Format = det.Format
	if det.Version != "" || doc.SpecVersion == "" {
		doc.SpecVersion = det.Version
	}
	if det.Unwrapped {
		doc.Warnings = append(doc.Warnings, "the SBOM was read from the \"sbom\" member of a wrapper object")
	}
	doc.Warnings = append(doc.Warnings, det.Warnings...)
	// The gaps of the SBOM's own generation, whatever the dialect: a
	// document read back from an SBOM pedigree wrote is as incomplete as
	// the one it was written from.
	readGaps(doc)
	doc.Normalize()
	return doc, nil
}

func isJSON(f model.Format) bool {
	return f == model.FormatCycloneDXJSON || f == model.FormatSPDXJSON || f == model.FormatSPDX3JSONLD || f == model.FormatSyftJSON
}

func decode(det Detection, opts Options) (*model.Document, error) {
	var (
		doc *model.Document
		err error
	)
	switch det.Format {
	case model.FormatCycloneDXJSON:
		doc, err = cyclonedx.DecodeJSON(det.Body)
	case model.FormatCycloneDXXML:
		doc, err = cyclonedx.DecodeXML(det.Body)
	case model.FormatSPDXJSON, model.FormatSPDXTagValue, model.FormatSPDXYAML, model.FormatSPDXRDF, model.FormatSPDXXML:
		doc, err = spdx.DecodeWith(det.Format, det.Body, spdx.Options{Strict: opts.Strict})
	case model.FormatSPDX3JSONLD:
		doc, err = spdx.Decode3(det.Body)
		if err == nil && opts.Strict && len(doc.Warnings) > 0 {
			err = fmt.Errorf("%s (refused in strict mode)", doc.Warnings[0])
		}
	case model.FormatSyftJSON:
		doc, err = syftjson.Decode(det.Body)
	default:
		return nil, notSBOM(fmt.Sprintf("no decoder for %s", det.Format))
	}
	if err != nil {
		var ke *kindError
		if errors.As(err, &ke) {
			return nil, err
		}
		// Detection read only the top-level keys, so a JSON syntax error
		// inside a value is found here: report it as detection would have.
		if isJSON(det.Format) {
			if jerr := json.Unmarshal(det.Body, new(json.RawMessage)); jerr != nil {
				return nil, malformedJSON("json", det.Body, jerr)
			}
		}
		var ue *spdx.UnsupportedVersionError
		if errors.As(err, &ue) {
			return nil, &kindError{KindUnsupportedVersion, err}
		}
		return nil, malformed(det.Format, err)
	}
	return doc, nil
}

// read skips a byte-order mark and leading white space without keeping it,
// then reads the rest up to max bytes. 100 MB of white space therefore costs
// no memory, and an input larger than max is refused rather than buffered.
func read(r io.Reader, max int64) ([]byte, error) {
	hint := sizeHint(r) // before the bufio.Reader below reads from r
	br := bufio.NewReaderSize(r, 64<<10)
	var skipped int64
	if b, err := br.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		_, _ = br.Discard(3)
		skipped = 3
	}
	for ; ; skipped++ {
		b, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &kindError{KindNotSBOM, errors.New("empty input (nothing but white space)")}
			}
			return nil, &kindError{KindUnreadable, fmt.Errorf("read: %w", err)}
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v' {
			_ = br.UnreadByte()
			break
		}
	}
	// Binary content is no SBOM: say so from its first bytes rather than
	// after reading all of it (a tarball, /dev/zero on standard input).
	if head, _ := br.Peek(sniffLen); len(head) > 0 && !bytes.ContainsRune([]byte("{[<"), rune(head[0])) && !looksLikeText(head) {
		return nil, notSBOM("binary content")
	}
	if hint == 0 {
		return readStream(br, max)
	}
	// An input whose size is known to be over the limit is refused before
	// any of it is read.
	if hint-skipped > max {
		return nil, &kindError{KindLimit, fmt.Errorf("input is larger than %d bytes (limit sbom-bytes)", max)}
	}
	// Read into one buffer of the input's size when it is known (a file, a
	// bytes.Reader), rather than growing and copying it.
	buf := make([]byte, 0, min(hint, max)+1)
	data, err := readAll(io.LimitReader(br, max+1), buf)
	if err != nil {
		return nil, &kindError{KindUnreadable, fmt.Errorf("read: %w", err)}
	}
	if int64(len(data)) > max {
		return nil, &kindError{KindLimit, fmt.Errorf("input is larger than %d bytes (limit sbom-bytes)", max)}
	}
	return data, nil
}

// sniffLen is how much of an input is looked at before it is read whole.
const sniffLen = 4096

// streamChunk is the unit in which an input of unknown size is read.
const streamChunk = 1 << 20

// readStream reads an input of unknown size (standard input, a pipe) in
// chunks, so that one over max is refused holding at most max bytes and a
// chunk, never a buffer grown past the limit.
func readStream(r io.Reader, max int64) ([]byte, error) {
	var chunks [][]byte
	var total int64
	for {
		c := make([]byte, streamChunk)
		n, err := io.ReadFull(r, c)
		total += int64(n)
		if total > max {
			return nil, &kindError{KindLimit, fmt.Errorf("input is larger than %d bytes (limit sbom-bytes)", max)}
		}
		if n > 0 {
			chunks = append(chunks, c[:n])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, &kindError{KindUnreadable, fmt.Errorf("read: %w", err)}
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	data := make([]byte, 0, total)
	for i, c := range chunks {
		data = append(data, c...)
		chunks[i] = nil // let the collector have it while the rest is copied
	}
	return data, nil
}

// sizeHint is how many bytes r holds from where it stands, when it can say
// (0 when not).
func sizeHint(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }:
		return int64(r.Len())
	case *os.File:
		if st, err := r.Stat(); err == nil && st.Mode().IsRegular() {
			if at, err := r.Seek(0, io.SeekCurrent); err == nil && at <= st.Size() {
				return st.Size() - at
			}
		}
	}
	return 0
}

// readAll is io.ReadAll into buf, which grows only if it is too small.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func wrap(name string, err error) error {
	var ke *kindError
	if errors.As(err, &ke) {
		return &Error{Input: name, Kind: ke.kind, Err: err}
	}
	return &Error{Input: name, Kind: KindMalformed, Err: err}
}
