package signature

import (
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// Component builds the component an example describes.
func (e Example) Component() *model.Component {
	c := &model.Component{
		Ref: "example", Name: e.Name, Group: e.Group, Version: e.Version,
		Description: e.Description, PURL: e.PURL, Publisher: e.Publisher, Copyright: e.Copyright,
	}
	if c.Name == "" {
		c.Name = "example"
	}
	if e.CPE != "" {
		c.CPEs = []string{e.CPE}
	}
	party := func(s string) *model.Party {
		if s == "" {
			return nil
		}
		return &model.Party{Name: s}
	}
	c.Supplier, c.Manufacturer, c.Originator = party(e.Supplier), party(e.Manufacturer), party(e.Originator)
	if e.Author != "" {
		c.Authors = []model.Party{{Name: e.Author}}
	}
	if alg, val, ok := strings.Cut(e.Hash, ":"); ok {
		c.Hashes = []model.Hash{{Algorithm: model.HashAlgorithm(alg), Value: strings.ToLower(val)}}
	}
	if e.File != "" {
		c.Locations = []string{e.File}
	}
	c.Locations = append(c.Locations, e.Files...)
	if e.URL != "" {
		c.ExternalRefs = []model.ExternalRef{{Type: "website", URL: e.URL}}
	}
	if e.Signer != "" {
		c.Properties = append(c.Properties, model.Property{Name: "pedigree:signer", Value: e.Signer})
	}
	if e.Content != "" {
		c.Properties = append(c.Properties, model.Property{Name: "pedigree:content:example", Value: e.Content})
	}
	if e.Service != "" {
		c.Properties = append(c.Properties, model.Property{Name: "pedigree:service", Value: e.Service})
	}
	if name, value, ok := strings.Cut(e.Property, "="); ok {
		c.Properties = append(c.Properties, model.Property{Name: name, Value: value})
	}
	return c
}
