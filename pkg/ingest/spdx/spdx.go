// Package spdx decodes SPDX 2.x documents into the model.
package spdx

import (
	"errors"
	"fmt"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// UnsupportedVersionError says the document is SPDX, in a version this
// package does not read.
type UnsupportedVersionError struct{ Version string }

func (e *UnsupportedVersionError) Error() string {
	return fmt.Sprintf("SPDX version %q is not supported", e.Version)
}

// Decode reads an SPDX document in the given dialect.
func Decode(format model.Format, data []byte) (*model.Document, error) {
	return nil, errors.New("spdx: not implemented yet")
}
