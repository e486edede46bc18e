package model

// The names under which an SBOM records the gaps of its own generation,
// so that a document read back from it is as incomplete as the one it was
// written from. pkg/generate writes them; pkg/ingest reads them back from
// the document properties of every dialect.
//
// In CycloneDX they are metadata.properties: GapProperty with the value
// Gap.String() ("LOCATION: REASON"), one per gap listed, and
// GapCountProperty with the total when more gaps were counted than listed.
// In SPDX, where a document has no properties, they are document
// annotations whose comment is the name, a space, and the value:
// "pedigree:gap dist/app.exe: UPX-packed executable: …".
const (
	GapProperty      = "pedigree:gap"
	GapCountProperty = "pedigree:gap-count"
)
