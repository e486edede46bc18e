package generate

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/anchore/syft/syft/format/syftjson"
	syftmodel "github.com/anchore/syft/syft/format/syftjson/model"
	"github.com/anchore/syft/syft/sbom"

	ingestsyft "github.com/pedigree-sbom/pedigree/pkg/ingest/syftjson"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// toDocument reads a syft SBOM as pkg/ingest reads its syft JSON: the
// document is the one ingest.Decode would build from the encoder's
// output (decodeJSON, which the tests compare it with), without writing
// and parsing that JSON. syft's own format model (what its encoder
// marshals) is copied into pkg/ingest/syftjson's values, which
// syftjson.Convert turns into the model with Decode's logic; only the
// small sections and each package's metadata go through JSON, as
// syftjson walks those generically.
func toDocument(s *sbom.SBOM) (*model.Document, error) {
	in, err := toSyftValues(syftjson.ToFormatModel(*s, syftjson.DefaultEncoderConfig()))
	if err != nil {
		return nil, err
	}
	doc, err := ingestsyft.Convert(in)
	if err != nil {
		return nil, err
	}
	// What ingest.Decode does after the decoder (the version detection
	// reads is the schema version the decoder has taken already).
	doc.Format = model.FormatSyftJSON
	doc.Normalize()
	return doc, nil
}

// toSyftValues copies syft's format model into syftjson's values. Every
// string is made valid UTF-8 as encoding/json would write it.
func toSyftValues(m syftmodel.Document) (*ingestsyft.Document, error) {
	var (
		in  ingestsyft.Document
		err error
	)
	marshal := func(what string, v any) json.RawMessage {
		if err != nil {
			return nil
		}
		var b []byte
		if b, err = json.Marshal(v); err != nil {
			err = fmt.Errorf("%s: %w", what, err)
		}
		return b
	}
	in.Schema = marshal("schema", m.Schema)
	in.Descriptor = marshal("descriptor", struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}{m.Descriptor.Name, m.Descriptor.Version})
	in.Distro = marshal("distro", m.Distro)
	in.Source = marshal("source", m.Source)

	in.Files = make([]ingestsyft.File, len(m.Files))
	for i, f := range m.Files {
		out := &in.Files[i]
		out.ID = valid(f.ID)
		out.Path = valid(f.Location.RealPath)
		out.FullPath = valid(f.Location.FullPath)
		for _, d := range f.Digests {
			out.Digests = append(out.Digests, ingestsyft.Digest{Algorithm: valid(d.Algorithm), Value: valid(d.Value)})
		}
		for _, l := range f.Licenses {
			out.Licenses = append(out.Licenses, ingestsyft.License{Value: valid(l.Value), SPDXExpression: valid(l.SPDXExpression)})
		}
		if f.Metadata != nil {
			out.HasMetadata = true
			out.MIMEType = valid(f.Metadata.MIMEType)
		}
		if e := f.Executable; e != nil {
			exe := &ingestsyft.Executable{Format: valid(string(e.Format))}
			for _, l := range e.ImportedLibraries {
				exe.ImportedLibraries = append(exe.ImportedLibraries, valid(l))
			}
			out.Executable = exe
		}
	}

	in.Artifacts = make([]ingestsyft.Package, len(m.Artifacts))
	for i, p := range m.Artifacts {
		out := &in.Artifacts[i]
		out.ID = valid(p.ID)
		out.Name = valid(p.Name)
		out.Version = valid(p.Version)
		out.Type = valid(string(p.Type))
		out.PURL = valid(p.PURL)
		out.FoundBy = valid(p.FoundBy)
		out.Language = valid(string(p.Language))
		out.MetadataType = valid(p.MetadataType)
		for _, c := range p.CPEs {
			out.CPEs = append(out.CPEs, valid(c.Value))
		}
		for _, l := range p.Licenses {
			out.Licenses = append(out.Licenses, ingestsyft.License{Value: valid(l.Value), SPDXExpression: valid(l.SPDXExpression)})
		}
		for _, l := range p.Locations {
			out.Locations = append(out.Locations, ingestsyft.Location{
				Path:       valid(l.RealPath),
				AccessPath: valid(l.AccessPath),
				FullPath:   valid(l.FullPath),
			})
		}
		out.Metadata = marshal(fmt.Sprintf("package %s metadata", p.ID), p.Metadata)
	}

	in.Relationships = make([]ingestsyft.Relationship, len(m.ArtifactRelationships))
	for i, r := range m.ArtifactRelationships {
		in.Relationships[i] = ingestsyft.Relationship{Parent: valid(r.Parent), Child: valid(r.Child), Type: valid(r.Type)}
	}
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// valid returns s as encoding/json writes it, and reads it back: each
// byte that is not part of valid UTF-8 becomes U+FFFD.
func valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}
