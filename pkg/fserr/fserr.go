// Package fserr shapes the errors of file-system operations for messages
// that already name the file.
//
// An *fs.PathError prints as "open bid.json: no such file or directory";
// a caller that writes "bid.json: ..." itself would name the file twice.
// The two shapes pedigree uses are:
//
//   - Cause: the bare reason, "no such file or directory", where the
//     message says what was being done ("config x.yaml: ...",
//     "signatures p: ...", "target: ...").
//   - WithOp: the reason with the operation that failed, "cannot open: no
//     such file or directory", where the message names only the input
//     ("pedigree: error: missing.json: cannot open: ...").
//
// Both look for the first *fs.PathError in err's chain (errors.As) and
// return err unchanged when there is none. The reason stays wrapped, so
// errors.Is(result, fs.ErrNotExist) still holds.
package fserr

import (
	"errors"
	"fmt"
	"io/fs"
)

// Cause returns the reason of the *fs.PathError in err's chain, without
// its operation and path: "no such file or directory". It returns err
// when there is no *fs.PathError.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// WithOp returns the reason of the *fs.PathError in err's chain with its
// operation and without its path: "cannot open: no such file or
// directory". It returns err when there is no *fs.PathError.
func WithOp(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot %s: %w", pe.Op, pe.Err)
	}
	return err
}
