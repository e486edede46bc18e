package spdx

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// TestAttribution: an attribution text that is a fact `pedigree sbom`
// wrote ("pedigree:NAME=VALUE") is read as the property it was; any other
// text stays an attribution.
func TestAttribution(t *testing.T) {
	for _, tc := range []struct {
		text string
		want model.Property
	}{
		{"pedigree:copyright=Copyright (c) 2023 AO Kaspersky Lab", model.Property{Name: "pedigree:copyright", Value: "Copyright (c) 2023 AO Kaspersky Lab"}},
		{"pedigree:pe:CompanyName=A=B", model.Property{Name: "pedigree:pe:CompanyName", Value: "A=B"}},
		{"\n  pedigree:url=dnl-01.geo.kaspersky.com", model.Property{Name: "pedigree:url", Value: "dnl-01.geo.kaspersky.com"}},
		{"pedigree:signer=", model.Property{Name: "pedigree:signer", Value: ""}},
		{"pedigree:=x", model.Property{Name: "attribution", Value: "pedigree:=x"}},
		{"pedigree:a b=c", model.Property{Name: "attribution", Value: "pedigree:a b=c"}},
		{"pedigree:copyright", model.Property{Name: "attribution", Value: "pedigree:copyright"}},
		{"Copyright pedigree:x=y", model.Property{Name: "attribution", Value: "Copyright pedigree:x=y"}},
		{"Portions (c) AO Kaspersky Lab", model.Property{Name: "attribution", Value: "Portions (c) AO Kaspersky Lab"}},
	} {
		if got := attribution(tc.text); got != tc.want {
			t.Errorf("attribution(%q) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}

// TestAttributionFacts: in SPDX 2 JSON and SPDX 3 JSON-LD alike, a
// package's pedigree facts become its properties.
func TestAttributionFacts(t *testing.T) {
	spdx2 := `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"p",
"documentNamespace":"https://example.com/p","creationInfo":{"created":"2026-01-02T03:04:05Z","creators":["Tool: pedigree"]},
"packages":[{"name":"lib/libnwscan.so","SPDXID":"SPDXRef-pedigree-file-1","downloadLocation":"NOASSERTION","filesAnalyzed":false,
"primaryPackagePurpose":"FILE","attributionTexts":["pedigree:copyright=Copyright (c) 2023 AO Kaspersky Lab","Thanks to Northwind"]}]}`
	doc, err := Decode(model.FormatSPDXJSON, []byte(spdx2))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Property{{Name: "pedigree:copyright", Value: "Copyright (c) 2023 AO Kaspersky Lab"}, {Name: "attribution", Value: "Thanks to Northwind"}}
	if len(doc.Components) != 1 || !slices.Equal(doc.Components[0].Properties, want) {
		t.Errorf("spdx 2: components %+v, want one with properties %+v", doc.Components, want)
	}

	spdx3 := `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[
{"type":"CreationInfo","@id":"_:ci","specVersion":"3.0.1","created":"2025-01-02T03:04:05Z","createdBy":["urn:tool"]},
{"type":"Tool","spdxId":"urn:tool","creationInfo":"_:ci","name":"pedigree"},
{"type":"SpdxDocument","spdxId":"urn:doc","creationInfo":"_:ci","name":"doc","rootElement":["urn:sbom"]},
{"type":"software_Sbom","spdxId":"urn:sbom","creationInfo":"_:ci","rootElement":["p"]},
{"type":"software_Package","spdxId":"p","creationInfo":"_:ci","name":"lib/libnwscan.so",
 "software_attributionText":["pedigree:copyright=Copyright (c) 2023 AO Kaspersky Lab","Thanks to Northwind"]}]}`
	doc, err = Decode3([]byte(spdx3))
	if err != nil {
		t.Fatal(err)
	}
	var got []model.Property
	for _, c := range doc.Components {
		if c.Name == "lib/libnwscan.so" {
			got = c.Properties
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("spdx 3: properties %+v, want %+v", got, want)
	}
}
