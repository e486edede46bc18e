// Package syftjson decodes syft's own JSON format into the model.
package syftjson

import (
	"errors"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Decode reads a syft JSON document.
func Decode(data []byte) (*model.Document, error) {
	return nil, errors.New("syftjson: not implemented yet")
}
