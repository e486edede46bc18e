package ingest

import (
	"errors"
	"fmt"
)

// Kind classifies why an input could not be ingested.
type Kind int

// The kinds of ingest failure. Every one of them means the input could not
// be evaluated; the CLI maps them all to exit code 2.
const (
	// KindUnreadable: the input could not be opened or read.
	KindUnreadable Kind = iota + 1
	// KindNotSBOM: the content is not any SBOM dialect pedigree knows.
	KindNotSBOM
	// KindUnsupportedVersion: a known dialect, in a version pedigree does not read.
	KindUnsupportedVersion
	// KindMalformed: the dialect was recognised but the document is broken.
	KindMalformed
	// KindLimit: the input exceeds a safety limit (size, nesting depth).
	KindLimit
)

func (k Kind) String() string {
	switch k {
	case KindUnreadable:
		return "unreadable"
	case KindNotSBOM:
		return "not an SBOM"
	case KindUnsupportedVersion:
		return "unsupported version"
	case KindMalformed:
		return "malformed"
	case KindLimit:
		return "limit exceeded"
	}
	return "unknown"
}

// Error is an ingest failure. Its message names the input and the problem
// on one line: "sbom.json: malformed cyclonedx-json: unexpected end of JSON input".
type Error struct {
	Input string
	Kind  Kind
	Err   error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Input, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of an ingest error, or 0 when err is not one.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func newError(input string, kind Kind, format string, args ...any) *Error {
	return &Error{Input: input, Kind: kind, Err: fmt.Errorf(format, args...)}
}
