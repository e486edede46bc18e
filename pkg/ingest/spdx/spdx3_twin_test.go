package spdx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/inspect"
	"github.com/pedigree-sbom/pedigree/pkg/internal/golden"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// SPDX 3.0 twins of SPDX 2.3 documents. toSPDX3 writes the model of an
// SPDX 2 document as SPDX 3.0 JSON-LD, the way the SPDX 3 reader maps it
// back; TestSPDX3Twins keeps the committed twins in step with it (go test
// ./pkg/ingest/spdx -run SPDX3Twins -update rewrites them) and checks that
// each twin reads into the same model as its SPDX 2.3 original.

// twins are the SPDX 2.3 documents with an SPDX 3.0 twin beside them.
var twins = []struct{ spdx2, spdx3 string }{
	{"testdata/product.spdx.json", "testdata/product.spdx3.json"},
	{"../../../fixtures/whitelabel/shieldcore.spdx.json", "../../../fixtures/whitelabel/shieldcore.spdx3.json"},
	{"../../../fixtures/whitelabel/lookalikes.spdx.json", "../../../fixtures/whitelabel/lookalikes.spdx3.json"},
	// Hand-written SPDX 2.3 twins of the CycloneDX and syft fixtures
	// (fixtures/whitelabel/README.md says how each was translated).
	{"../../../fixtures/whitelabel/lookalikes.workstation.spdx.json", "../../../fixtures/whitelabel/lookalikes.workstation.spdx3.json"},
	{"../../../fixtures/whitelabel/northwind-gateway.spdx.json", "../../../fixtures/whitelabel/northwind-gateway.spdx3.json"},
	{"../../../fixtures/whitelabel/northwind-companion.spdx.json", "../../../fixtures/whitelabel/northwind-companion.spdx3.json"},
	{"../../../fixtures/whitelabel/acme-desktop.spdx.json", "../../../fixtures/whitelabel/acme-desktop.spdx3.json"},
}

func TestSPDX3Twins(t *testing.T) {
	for _, tw := range twins {
		t.Run(filepath.Base(tw.spdx3), func(t *testing.T) {
			doc2, err := ingest.File(tw.spdx2, ingest.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			want := toSPDX3(t, doc2, filepath.Base(tw.spdx2))
			if golden.Update() {
				if err := os.WriteFile(tw.spdx3, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(tw.spdx3)
			if err != nil {
				t.Fatalf("%v (go test ./pkg/ingest/spdx -run SPDX3Twins -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is not what toSPDX3 writes for %s: rerun with -update and read the diff", tw.spdx3, tw.spdx2)
			}
			doc3, err := ingest.File(tw.spdx3, ingest.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if doc3.Format != model.FormatSPDX3JSONLD || doc3.SpecVersion != "3.0.1" {
				t.Errorf("read as %s %s, want spdx3-jsonld 3.0.1", doc3.Format, doc3.SpecVersion)
			}
			if len(doc3.Warnings) > 0 {
				t.Errorf("warnings: %q", doc3.Warnings)
			}
			for _, d := range sameModel(doc2, doc3) {
				t.Error(d)
			}
			// pedigree inspect shows both alike, but for the first line
			// (input, format and version).
			var out2, out3 bytes.Buffer
			if err := inspect.Write(&out2, doc2, "table"); err != nil {
				t.Fatal(err)
			}
			if err := inspect.Write(&out3, doc3, "table"); err != nil {
				t.Fatal(err)
			}
			_, body2, _ := strings.Cut(out2.String(), "\n")
			_, body3, _ := strings.Cut(out3.String(), "\n")
			if body2 != body3 {
				t.Errorf("pedigree inspect differs:\nspdx 2.3:\n%s\nspdx 3.0:\n%s", body2, body3)
			}
		})
	}
}

// sameModel compares two documents field by field and returns the
// differences. It leaves out what cannot be the same: the source, format
// and version, and the raw text of parties (SPDX 2 parses it from one
// string; SPDX 3 has none). Relationships are compared as sets: SPDX 2
// lists documentDescribes where tools-golang puts them.
func sameModel(a, b *model.Document) []string {
	var diffs []string
	cmp := func(what string, x, y any) {
		jx, _ := json.MarshalIndent(x, "", " ")
		jy, _ := json.MarshalIndent(y, "", " ")
		if !bytes.Equal(jx, jy) {
			lx, ly := strings.Split(string(jx), "\n"), strings.Split(string(jy), "\n")
			i := 0
			for i < len(lx) && i < len(ly) && lx[i] == ly[i] {
				i++
			}
			at := func(l []string) string { return strings.Join(l[max(0, i-3):min(len(l), i+3)], "\n") }
			diffs = append(diffs, fmt.Sprintf("%s differs at line %d:\nspdx 2:\n%s\nspdx 3:\n%s", what, i+1, at(lx), at(ly)))
		}
	}
	cmp("document id", a.ID, b.ID)
	cmp("document name", a.Name, b.Name)
	cmp("created", a.Created, b.Created)
	cmp("comment", a.Comment, b.Comment)
	cmp("authors", noRaw(a.Authors), noRaw(b.Authors))
	cmp("tools", a.Tools, b.Tools)
	cmp("document properties", a.Properties, b.Properties)
	cmp("roots", a.Roots, b.Roots)
	cmp("files", filesAs3(a.Files), b.Files)
	cmp("relationships", sortedRels(a.Relationships), sortedRels(b.Relationships))
	if len(a.Components) != len(b.Components) {
		cmp("component count", len(a.Components), len(b.Components))
		return diffs
	}
	for i := range a.Components {
		x, y := *a.Components[i], *b.Components[i]
		for _, c := range []*model.Component{&x, &y} {
			if c.Supplier != nil {
				s := *c.Supplier
				s.Raw = ""
				c.Supplier = &s
			}
			if c.Originator != nil {
				o := *c.Originator
				o.Raw = ""
				c.Originator = &o
			}
			c.Authors = noRaw(c.Authors)
		}
		cmp("component "+x.Ref, x, y)
	}
	return diffs
}

// filesAs3 gives SPDX 2 files the types their twins have (see fileTypes3).
func filesAs3(fs []*model.File) []*model.File {
	out := make([]*model.File, len(fs))
	for i, f := range fs {
		c := *f
		c.Notice = "" // SPDX 3.0 has no notice text
		if len(f.Types) > 0 {
			c.Types = nil
		}
		for _, t := range f.Types {
			c.Types = append(c.Types, strings.ToUpper(fileTypes3[t]))
		}
		out[i] = &c
	}
	return out
}

func noRaw(ps []model.Party) []model.Party {
	out := make([]model.Party, len(ps))
	for i, p := range ps {
		p.Raw = ""
		out[i] = p
	}
	return out
}

func sortedRels(rs []model.Relationship) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s %s %s %q", r.From, r.Type, r.To, r.Comment))
	}
	slices.Sort(out)
	return out
}

// The SPDX 3.0 JSON-LD the twins are written in: one struct per element
// kind, fields in the order the SPDX examples use.
type (
	node3 struct {
		Type               string   `json:"type"`
		SpdxID             string   `json:"spdxId,omitempty"`
		ID                 string   `json:"@id,omitempty"`
		CreationInfo       string   `json:"creationInfo,omitempty"`
		Name               string   `json:"name,omitempty"`
		Comment            string   `json:"comment,omitempty"`
		Description        string   `json:"description,omitempty"`
		Summary            string   `json:"summary,omitempty"`
		SpecVersion        string   `json:"specVersion,omitempty"`
		Created            string   `json:"created,omitempty"`
		CreatedBy          []string `json:"createdBy,omitempty"`
		CreatedUsing       []string `json:"createdUsing,omitempty"`
		RootElement        []string `json:"rootElement,omitempty"`
		Element            []string `json:"element,omitempty"`
		ProfileConformance []string `json:"profileConformance,omitempty"`
		DataLicense        string   `json:"dataLicense,omitempty"`
		SbomType           []string `json:"software_sbomType,omitempty"`
		PackageVersion     string   `json:"software_packageVersion,omitempty"`
		PrimaryPurpose     string   `json:"software_primaryPurpose,omitempty"`
		AdditionalPurpose  []string `json:"software_additionalPurpose,omitempty"`
		SuppliedBy         string   `json:"suppliedBy,omitempty"`
		OriginatedBy       []string `json:"originatedBy,omitempty"`
		CopyrightText      string   `json:"software_copyrightText,omitempty"`
		DownloadLocation   string   `json:"software_downloadLocation,omitempty"`
		HomePage           string   `json:"software_homePage,omitempty"`
		PackageURL         string   `json:"software_packageUrl,omitempty"`
		SourceInfo         string   `json:"software_sourceInfo,omitempty"`
		AttributionText    []string `json:"software_attributionText,omitempty"`
		ExternalIdentifier []extID3 `json:"externalIdentifier,omitempty"`
		VerifiedUsing      []hash3  `json:"verifiedUsing,omitempty"`
		From               string   `json:"from,omitempty"`
		RelationshipType   string   `json:"relationshipType,omitempty"`
		To                 []string `json:"to,omitempty"`
		Scope              string   `json:"scope,omitempty"`
		Subject            string   `json:"subject,omitempty"`
		AnnotationType     string   `json:"annotationType,omitempty"`
		Statement          string   `json:"statement,omitempty"`
		LicenseExpression  string   `json:"simplelicensing_licenseExpression,omitempty"`
	}
	extID3 struct {
		Type       string `json:"type"`
		IDType     string `json:"externalIdentifierType"`
		Identifier string `json:"identifier"`
		Comment    string `json:"comment,omitempty"`
	}
	hash3 struct {
		Type      string `json:"type"`
		Algorithm string `json:"algorithm"`
		HashValue string `json:"hashValue"`
	}
)

// spdx3Relationships is the reader's table read the other way: the SPDX 3
// type of each SPDX 2 (model) type, and whether it is written turned round.
var spdx3Relationships = map[model.RelationshipType]struct {
	typ, scope string
	inverse    bool
}{
	"DESCRIBES":             {"describes", "", false},
	"CONTAINS":              {"contains", "", false},
	"DEPENDS_ON":            {"dependsOn", "", false},
	"DESCENDANT_OF":         {"descendantOf", "", false},
	"VARIANT_OF":            {"hasVariant", "", true},
	"COPY_OF":               {"copiedTo", "", true},
	"GENERATED_FROM":        {"generates", "", true},
	"DISTRIBUTION_ARTIFACT": {"hasDistributionArtifact", "", false},
	"STATIC_LINK":           {"hasStaticLink", "", false},
	"DYNAMIC_LINK":          {"hasDynamicLink", "", false},
	"TEST_DEPENDENCY_OF":    {"dependsOn", "test", true},
	"BUILD_DEPENDENCY_OF":   {"dependsOn", "build", true},
	"DEV_DEPENDENCY_OF":     {"dependsOn", "development", true},
	"RUNTIME_DEPENDENCY_OF": {"dependsOn", "runtime", true},
	"OTHER":                 {"other", "", false},
}

// camel turns "operating-system" or "OPERATING_SYSTEM" into "operatingSystem".
func camel(s string) string {
	var b strings.Builder
	up := false
	for _, r := range strings.ToLower(s) {
		if r == '-' || r == '_' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fileTypes3 are the SPDX 3 purposes the twins write for SPDX 2 file
// types. SPDX 3 has no "binary": an executable is the nearest.
var fileTypes3 = map[string]string{"BINARY": "executable", "SOURCE": "source", "ARCHIVE": "archive", "OTHER": "other",
	"APPLICATION": "application", "DOCUMENTATION": "documentation"}

// spdx3Algorithm is the SPDX 3 name of a model hash algorithm.
func spdx3Algorithm(a string) string {
	return strings.ToLower(strings.ReplaceAll(a, "-", ""))
}

// toSPDX3 writes doc as SPDX 3.0.1 JSON-LD. It fails the test on anything
// of the model it cannot write, so that a twin never silently loses a
// field.
func toSPDX3(t *testing.T, doc *model.Document, from string) []byte {
	t.Helper()
	const ci = "_:creationinfo"
	var graph []node3
	agents := map[string]string{}
	agent := func(p *model.Party) string {
		if p == nil {
			return ""
		}
		key := p.Kind + "\x00" + p.Name + "\x00" + p.Email
		if id, ok := agents[key]; ok {
			return id
		}
		id := fmt.Sprintf("urn:pedigree-twin:agent-%d", len(agents)+1)
		agents[key] = id
		n := node3{SpdxID: id, CreationInfo: ci, Name: p.Name}
		switch p.Kind {
		case "organization":
			n.Type = "Organization"
		case "person":
			n.Type = "Person"
		case "tool":
			n.Type = "SoftwareAgent"
		default:
			n.Type = "Agent"
		}
		if p.Email != "" {
			n.ExternalIdentifier = []extID3{{"ExternalIdentifier", "email", p.Email, ""}}
		}
		if len(p.URLs) > 0 || p.Phone != "" || p.Address != "" || len(p.Contacts) > 0 {
			t.Fatalf("%s: party %q has fields toSPDX3 does not write", from, p.Name)
		}
		graph = append(graph, n)
		return id
	}

	info := node3{Type: "CreationInfo", ID: ci, SpecVersion: "3.0.1", Created: doc.Created}
	graph = append(graph, info)
	for _, p := range doc.Authors {
		info.CreatedBy = append(info.CreatedBy, agent(&p))
	}
	for i, tool := range doc.Tools {
		id := fmt.Sprintf("urn:pedigree-twin:tool-%d", i+1)
		graph = append(graph, node3{Type: "Tool", SpdxID: id, CreationInfo: ci, Name: tool})
		info.CreatedUsing = append(info.CreatedUsing, id)
	}
	graph[0] = info
	annotate := func(subject string, p model.Property) {
		who, ok := strings.CutPrefix(p.Name, "annotation:")
		if !ok {
			t.Fatalf("%s: %s: property %s is not written", from, subject, p.Name)
		}
		kind, rest, _ := strings.Cut(who, ": ")
		party := model.Party{Kind: strings.ToLower(kind), Name: rest}
		if name, mail, ok := strings.Cut(rest, " ("); ok && strings.HasSuffix(mail, ")") {
			party.Name, party.Email = name, strings.TrimSuffix(mail, ")")
		}
		n := len(graph)
		aci := fmt.Sprintf("_:annotation-creationinfo-%d", n)
		graph = append(graph, node3{Type: "CreationInfo", ID: aci, SpecVersion: "3.0.1", Created: doc.Created, CreatedBy: []string{agent(&party)}},
			node3{Type: "Annotation", SpdxID: fmt.Sprintf("urn:pedigree-twin:annotation-%d", n), CreationInfo: aci,
				AnnotationType: "other", Subject: subject, Statement: p.Value})
	}
	for _, p := range doc.Properties {
		if p.Name == "creator comment" {
			info.Comment = p.Value
			graph[0] = info
			continue
		}
		annotate(doc.ID, p)
	}

	var elements []string
	licenses := func(ref string, ls []string) {
		for i, l := range ls {
			lid := fmt.Sprintf("%s-license-%d", ref, i+1)
			graph = append(graph, node3{Type: "simplelicensing_LicenseExpression", SpdxID: lid, CreationInfo: ci, LicenseExpression: l})
			graph = append(graph, node3{Type: "Relationship", SpdxID: lid + "-rel", CreationInfo: ci, From: ref, RelationshipType: "hasDeclaredLicense", To: []string{lid}})
			elements = append(elements, lid, lid+"-rel")
		}
	}
	for _, c := range doc.Components {
		n := node3{Type: "software_Package", SpdxID: c.Ref, CreationInfo: ci, Name: c.Name, PackageVersion: c.Version,
			PrimaryPurpose: camel(c.Type), Description: c.Description, Comment: c.Comment, CopyrightText: c.Copyright}
		n.SuppliedBy = agent(c.Supplier)
		if c.Originator != nil {
			n.OriginatedBy = append(n.OriginatedBy, agent(c.Originator))
		}
		for _, a := range c.Authors {
			n.OriginatedBy = append(n.OriginatedBy, agent(&a))
		}
		for _, h := range c.Hashes {
			n.VerifiedUsing = append(n.VerifiedUsing, hash3{"Hash", spdx3Algorithm(h.Algorithm), h.Value})
		}
		for _, r := range c.ExternalRefs {
			switch r.Type {
			case "distribution":
				n.DownloadLocation = r.URL
			case "website":
				n.HomePage = r.URL
			case "PACKAGE-MANAGER/purl":
				n.ExternalIdentifier = append(n.ExternalIdentifier, extID3{"ExternalIdentifier", "packageUrl", r.URL, r.Comment})
			case "SECURITY/cpe22Type":
				n.ExternalIdentifier = append(n.ExternalIdentifier, extID3{"ExternalIdentifier", "cpe22", r.URL, r.Comment})
			case "SECURITY/cpe23Type":
				n.ExternalIdentifier = append(n.ExternalIdentifier, extID3{"ExternalIdentifier", "cpe23", r.URL, r.Comment})
			default:
				t.Fatalf("%s: %s: external reference %s is not written", from, c.Ref, r.Type)
			}
		}
		for _, p := range c.Properties {
			if p.Name != "attribution" {
				annotate(c.Ref, p)
				continue
			}
			n.AttributionText = append(n.AttributionText, p.Value)
		}
		if c.Comment != "" && (strings.Contains(c.Comment, "Summary: ") || strings.Contains(c.Comment, "Source information: ")) {
			// The reader builds these lines from summary and sourceInfo.
			lines := strings.Split(c.Comment, "\n")
			n.Comment = ""
			for _, l := range lines {
				switch {
				case strings.HasPrefix(l, "Summary: "):
					n.Summary = strings.TrimPrefix(l, "Summary: ")
				case strings.HasPrefix(l, "Source information: "):
					n.SourceInfo = strings.TrimPrefix(l, "Source information: ")
				default:
					n.Comment = strings.TrimPrefix(n.Comment+"\n"+l, "\n")
				}
			}
		}
		if c.SWID != nil || len(c.OmniborIDs)+len(c.SWHIDs)+len(c.Tags)+len(c.Locations) > 0 || c.Pedigree != nil || c.Evidence != nil || c.Parent != "" || c.Manufacturer != nil || c.Publisher != "" || c.Group != "" || c.Scope != "" {
			t.Fatalf("%s: %s has CycloneDX fields toSPDX3 does not write", from, c.Ref)
		}
		graph = append(graph, n)
		elements = append(elements, c.Ref)
		if c.FileName != "" {
			id := c.Ref + "-distribution"
			graph = append(graph, node3{Type: "software_File", SpdxID: id, CreationInfo: ci, Name: c.FileName})
			graph = append(graph, node3{Type: "Relationship", SpdxID: c.Ref + "-hasDistributionArtifact", CreationInfo: ci,
				From: c.Ref, RelationshipType: "hasDistributionArtifact", To: []string{id}})
			elements = append(elements, id, c.Ref+"-hasDistributionArtifact")
		}
		licenses(c.Ref, c.Licenses)
	}
	for _, f := range doc.Files {
		n := node3{Type: "software_File", SpdxID: f.Ref, CreationInfo: ci, Name: f.Name, Comment: f.Comment, CopyrightText: f.Copyright}
		for i, typ := range f.Types {
			typ = fileTypes3[typ]
			if typ == "" {
				t.Fatalf("%s: file %s: type %v has no SPDX 3 purpose here", from, f.Ref, f.Types)
			}
			if i == 0 {
				n.PrimaryPurpose = camel(typ)
			} else {
				n.AdditionalPurpose = append(n.AdditionalPurpose, camel(typ))
			}
		}
		for _, h := range f.Checksums {
			n.VerifiedUsing = append(n.VerifiedUsing, hash3{"Hash", spdx3Algorithm(h.Algorithm), h.Value})
		}
		for _, name := range f.Contributors {
			n.OriginatedBy = append(n.OriginatedBy, agent(&model.Party{Name: name}))
		}
		graph = append(graph, n)
		elements = append(elements, f.Ref)
		licenses(f.Ref, f.Licenses)
	}
	for i, r := range doc.Relationships {
		if r.From == model.DocumentRef && r.Type == model.RelDescribes {
			continue
		}
		m, ok := spdx3Relationships[r.Type]
		if !ok || r.From == model.DocumentRef || r.To == model.DocumentRef {
			t.Fatalf("%s: relationship %s %s %s is not written", from, r.From, r.Type, r.To)
		}
		n := node3{Type: "Relationship", SpdxID: fmt.Sprintf("urn:pedigree-twin:relationship-%d", i+1), CreationInfo: ci,
			From: r.From, RelationshipType: m.typ, To: []string{r.To}, Comment: r.Comment}
		if m.inverse {
			n.From, n.To = r.To, []string{r.From}
		}
		if m.scope != "" {
			n.Type, n.Scope = "LifecycleScopedRelationship", m.scope
		}
		graph = append(graph, n)
		elements = append(elements, n.SpdxID)
	}
	// Agents and tools are elements too.
	for _, n := range graph {
		if n.Type != "CreationInfo" && !slices.Contains(elements, n.SpdxID) && n.SpdxID != "" {
			elements = append(elements, n.SpdxID)
		}
	}
	sbom := doc.ID + "#sbom"
	graph = append(graph,
		node3{Type: "SpdxDocument", SpdxID: doc.ID, CreationInfo: ci, Name: doc.Name, Comment: doc.Comment,
			RootElement: []string{sbom}, Element: append([]string{sbom}, elements...), ProfileConformance: []string{"core", "software", "simpleLicensing"}},
		node3{Type: "software_Sbom", SpdxID: sbom, CreationInfo: ci, RootElement: doc.Roots, Element: elements, SbomType: []string{"analyzed"}},
	)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Context string  `json:"@context"`
		Graph   []node3 `json:"@graph"`
	}{"https://spdx.org/rdf/3.0.1/spdx-context.jsonld", graph}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
