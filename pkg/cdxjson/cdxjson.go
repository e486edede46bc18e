// Package cdxjson is CycloneDX JSON as pedigree reads and writes it with
// cyclonedx-go: the BOM the library models, with the top-level sections it
// does not model (vulnerabilities, formulation, declarations, ...) kept as
// they were written. The reader (pkg/ingest/cyclonedx) decodes into it so
// that those sections cost no decoding and their quirks cannot fail the
// BOM; the annotated writer (pkg/report) puts them back unchanged. One
// list of such sections serves both.
package cdxjson

import (
	"encoding/json"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// BOM is a CycloneDX JSON BOM: cdx.BOM and the sections kept raw.
type BOM struct {
	cdx.BOM
	Vulnerabilities json.RawMessage `json:"vulnerabilities,omitempty"`
	Formulation     json.RawMessage `json:"formulation,omitempty"`
	Declarations    json.RawMessage `json:"declarations,omitempty"`
	Definitions     json.RawMessage `json:"definitions,omitempty"`
	Citations       json.RawMessage `json:"citations,omitempty"`
	Compositions    json.RawMessage `json:"compositions,omitempty"`
	Signature       json.RawMessage `json:"signature,omitempty"`
}

// Raw returns the sections kept raw that the BOM has, by their JSON key.
func (b *BOM) Raw() map[string]json.RawMessage {
	raw := map[string]json.RawMessage{}
	for k, v := range map[string]json.RawMessage{
		"vulnerabilities": b.Vulnerabilities, "formulation": b.Formulation, "declarations": b.Declarations,
		"definitions": b.Definitions, "citations": b.Citations, "compositions": b.Compositions, "signature": b.Signature,
	} {
		if len(v) > 0 {
			raw[k] = v
		}
	}
	return raw
}
