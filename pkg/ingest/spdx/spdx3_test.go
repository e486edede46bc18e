package spdx_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest/spdx"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// graph3 wraps elements in an SPDX 3.0.1 document with a creation info, a
// document and an SBOM whose root is "p".
func graph3(elements ...string) []byte {
	return []byte(`{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[
{"type":"CreationInfo","@id":"_:ci","specVersion":"3.0.1","created":"2025-01-02T03:04:05Z","createdBy":["urn:org"],"createdUsing":["urn:tool"]},
{"type":"Organization","spdxId":"urn:org","creationInfo":"_:ci","name":"Maker Inc.","externalIdentifier":[{"type":"ExternalIdentifier","externalIdentifierType":"email","identifier":"sbom@maker.example"}]},
{"type":"Tool","spdxId":"urn:tool","creationInfo":"_:ci","name":"writer 1.0"},
{"type":"SpdxDocument","spdxId":"urn:doc","creationInfo":"_:ci","name":"doc","rootElement":["urn:sbom"],"import":[{"type":"ExternalMap","externalSpdxId":"urn:other:imported"}]},
{"type":"software_Sbom","spdxId":"urn:sbom","creationInfo":"_:ci","rootElement":["p"]},
{"type":"software_Package","spdxId":"p","creationInfo":"_:ci","name":"product"}` + prefixComma(elements) + `]}`)
}

func prefixComma(elements []string) string {
	if len(elements) == 0 {
		return ""
	}
	return ",\n" + strings.Join(elements, ",\n")
}

func decode3(t *testing.T, data []byte) *model.Document {
	t.Helper()
	doc, err := spdx.Decode3(data)
	if err != nil {
		t.Fatal(err)
	}
	doc.Normalize()
	return doc
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSPDX3Document(t *testing.T) {
	doc := decode3(t, graph3())
	for _, c := range []struct{ what, got, want string }{
		{"id", doc.ID, "urn:doc"},
		{"name", doc.Name, "doc"},
		{"created", doc.Created, "2025-01-02T03:04:05Z"},
		{"authors", asJSON(doc.Authors), `[{"kind":"organization","name":"Maker Inc.","email":"sbom@maker.example"}]`},
		{"tools", asJSON(doc.Tools), `["writer 1.0"]`},
		{"roots", asJSON(doc.Roots), `["p"]`},
		{"relationships", asJSON(doc.Relationships), `[{"from":"DOCUMENT","type":"DESCRIBES","to":"p"}]`},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %s, want %s", c.what, c.got, c.want)
		}
	}
}

func TestSPDX3Package(t *testing.T) {
	doc := decode3(t, graph3(
		`{"type":"Person","spdxId":"urn:jane","creationInfo":"_:ci","name":"Jane Maker","externalIdentifier":[{"type":"ExternalIdentifier","externalIdentifierType":"email","identifier":"jane@maker.example"}]}`,
		`{"type":"SoftwareAgent","spdxId":"urn:bot","creationInfo":"_:ci","name":"build-bot"}`,
		`{"type":"software_Package","spdxId":"lib","creationInfo":"_:ci","name":"engine","software_packageVersion":"8.9",
		  "software_primaryPurpose":"operatingSystem","description":"the engine","summary":"short","software_sourceInfo":"from git",
		  "comment":"a comment","suppliedBy":{"type":"Organization","name":"AO Kaspersky Lab"},"originatedBy":["urn:jane","urn:bot"],
		  "software_copyrightText":"© 2024 AO Kaspersky Lab","software_packageUrl":"pkg:maven/com.kavsdk/kavsdk@8.9",
		  "software_downloadLocation":"https://dl.example/engine.zip","software_homePage":"https://engine.example",
		  "software_attributionText":["built by Kaspersky"],
		  "externalIdentifier":[
		    {"type":"ExternalIdentifier","externalIdentifierType":"cpe22","identifier":"cpe:/a:kaspersky_lab:kaspersky_anti-virus:8.9"},
		    {"type":"ExternalIdentifier","externalIdentifierType":"cpe23","identifier":"cpe:2.3:a:kaspersky:anti-virus:8.9:*:*:*:*:*:*:*","comment":"vendor"},
		    {"type":"ExternalIdentifier","externalIdentifierType":"packageUrl","identifier":"pkg:maven/com.kavsdk/kavsdk@8.9"},
		    {"type":"ExternalIdentifier","externalIdentifierType":"swid","identifier":"swid:kav-8.9"},
		    {"type":"ExternalIdentifier","externalIdentifierType":"gitoid","identifier":"gitoid:blob:sha1:261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"},
		    {"type":"ExternalIdentifier","externalIdentifierType":"swhid","identifier":"swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2"}],
		  "externalRef":[{"type":"ExternalRef","externalRefType":"securityAdvisory","locator":["https://advisory.example/1"]}],
		  "verifiedUsing":[{"type":"Hash","algorithm":"sha256","hashValue":"AB12"},{"type":"Hash","algorithm":"blake2b256","hashValue":"cd34"},
		    {"type":"PackageVerificationCode","algorithm":"sha1","hashValue":"ef56"}]}`,
	))
	if len(doc.Components) != 2 {
		t.Fatalf("%d components, want 2", len(doc.Components))
	}
	c := doc.Components[1]
	for _, x := range []struct{ what, got, want string }{
		{"ref", c.Ref, "lib"},
		{"type", c.Type, "operating-system"},
		{"name@version", c.Name + "@" + c.Version, "engine@8.9"},
		{"description", c.Description, "the engine"},
		{"comment", c.Comment, "a comment\nSummary: short\nSource information: from git"},
		{"supplier", asJSON(c.Supplier), `{"kind":"organization","name":"AO Kaspersky Lab"}`},
		{"originator", asJSON(c.Originator), `{"kind":"person","name":"Jane Maker","email":"jane@maker.example"}`},
		{"authors", asJSON(c.Authors), `[{"kind":"tool","name":"build-bot"}]`},
		{"copyright", c.Copyright, "© 2024 AO Kaspersky Lab"},
		{"purl", c.PURL, "pkg:maven/com.kavsdk/kavsdk@8.9"},
		{"cpes", asJSON(c.CPEs), `["cpe:/a:kaspersky_lab:kaspersky_anti-virus:8.9","cpe:2.3:a:kaspersky:anti-virus:8.9:*:*:*:*:*:*:*"]`},
		{"swid", asJSON(c.SWID), `{"tagId":"swid:kav-8.9","name":"engine","version":"8.9"}`},
		{"omnibor", asJSON(c.OmniborIDs), `["gitoid:blob:sha1:261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"]`},
		{"swhid", asJSON(c.SWHIDs), `["swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2"]`},
		{"hashes", asJSON(c.Hashes), `[{"algorithm":"SHA-256","value":"ab12"},{"algorithm":"BLAKE2b-256","value":"cd34"}]`},
		{"properties", asJSON(c.Properties), `[{"name":"attribution","value":"built by Kaspersky"}]`},
		{"external refs", asJSON(c.ExternalRefs), `[{"type":"distribution","url":"https://dl.example/engine.zip"},{"type":"website","url":"https://engine.example"},` +
			`{"type":"PACKAGE-MANAGER/purl","url":"pkg:maven/com.kavsdk/kavsdk@8.9"},{"type":"SECURITY/cpe22Type","url":"cpe:/a:kaspersky_lab:kaspersky_anti-virus:8.9"},` +
			`{"type":"SECURITY/cpe23Type","url":"cpe:2.3:a:kaspersky:anti-virus:8.9:*:*:*:*:*:*:*","comment":"vendor"},{"type":"SECURITY/swid","url":"swid:kav-8.9"},` +
			`{"type":"PERSISTENT-ID/gitoid","url":"gitoid:blob:sha1:261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"},{"type":"PERSISTENT-ID/swh","url":"swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2"},` +
			`{"type":"securityAdvisory","url":"https://advisory.example/1"}]`},
	} {
		if x.got != x.want {
			t.Errorf("%s:\n got %s\nwant %s", x.what, x.got, x.want)
		}
	}
}

func TestSPDX3FilesAndSnippets(t *testing.T) {
	doc := decode3(t, graph3(
		`{"type":"software_File","spdxId":"f","creationInfo":"_:ci","name":"./drivers/klif.sys","software_primaryPurpose":"executable","software_additionalPurpose":["library"],
		  "software_copyrightText":"© 2024 AO Kaspersky Lab","originatedBy":[{"type":"Organization","name":"Kaspersky Lab ZAO"}],
		  "verifiedUsing":[{"type":"Hash","algorithm":"sha1","hashValue":"8d94637b5911e7827abc251f6267b090c47a86f5"}],"comment":"driver"}`,
		`{"type":"software_Snippet","spdxId":"s","creationInfo":"_:ci","name":"scan loop","software_snippetFromFile":"f","software_copyrightText":"Copyright Kaspersky Lab"}`,
		`{"type":"software_File","spdxId":"d","creationInfo":"_:ci","name":"./drivers","software_fileKind":"directory"}`,
		`{"type":"simplelicensing_LicenseExpression","spdxId":"l","creationInfo":"_:ci","simplelicensing_licenseExpression":"LicenseRef-KL"}`,
		`{"type":"Relationship","spdxId":"r1","creationInfo":"_:ci","from":"f","relationshipType":"hasConcludedLicense","to":["l"]}`,
		`{"type":"Relationship","spdxId":"r3","creationInfo":"_:ci","from":"f","relationshipType":"hasDeclaredLicense","to":["https://spdx.org/licenses/MIT"]}`,
		`{"type":"Relationship","spdxId":"r2","creationInfo":"_:ci","from":"p","relationshipType":"contains","to":["f","d"]}`,
		`{"type":"Annotation","spdxId":"a","creationInfo":"_:ci","annotationType":"review","subject":"f","statement":"signed by Kaspersky"}`,
	))
	if len(doc.Warnings) > 0 {
		t.Errorf("warnings: %q", doc.Warnings)
	}
	got := asJSON(doc.Files)
	want := `[{"ref":"f","name":"./drivers/klif.sys","types":["EXECUTABLE","LIBRARY"],"checksums":[{"algorithm":"SHA-1","value":"8d94637b5911e7827abc251f6267b090c47a86f5"}],` +
		`"copyright":"© 2024 AO Kaspersky Lab","contributors":["Kaspersky Lab ZAO"],"licenses":["LicenseRef-KL","MIT"],"comment":"driver\nAnnotation by Organization: Maker Inc. (sbom@maker.example): signed by Kaspersky"},` +
		`{"ref":"s","name":"scan loop","types":["SNIPPET"],"checksums":[],"copyright":"Copyright Kaspersky Lab","contributors":[],"licenses":[],"comment":"Snippet from: ./drivers/klif.sys"},` +
		`{"ref":"d","name":"./drivers","types":["DIRECTORY"],"checksums":[],"contributors":[],"licenses":[]}]`
	if got != want {
		t.Errorf("files:\n got %s\nwant %s", got, want)
	}
	if r := asJSON(doc.Relationships); r != `[{"from":"DOCUMENT","type":"DESCRIBES","to":"p"},{"from":"p","type":"CONTAINS","to":"f"},{"from":"p","type":"CONTAINS","to":"d"}]` {
		t.Errorf("relationships: %s", r)
	}
}

// TestSPDX3Relationships shows each SPDX 3 relationship type reaching the
// model type the SPDX 2 reader gives its SPDX 2 counterpart, so that the
// pedigree types (hasVariant, ancestorOf, descendantOf, copiedTo,
// generates) carry white labels as VARIANT_OF and the others do.
func TestSPDX3Relationships(t *testing.T) {
	tests := []struct {
		typ, scope string
		want       string // "from TYPE to", with a and b the two packages
	}{
		{"contains", "", "a CONTAINS b"},
		{"dependsOn", "", "a DEPENDS_ON b"},
		{"describes", "", "a DESCRIBES b"},
		{"hasVariant", "", "b VARIANT_OF a"},
		{"ancestorOf", "", "b DESCENDANT_OF a"},
		{"descendantOf", "", "a DESCENDANT_OF b"},
		{"copiedTo", "", "b COPY_OF a"},
		{"generates", "", "b GENERATED_FROM a"},
		{"hasDistributionArtifact", "", "a DISTRIBUTION_ARTIFACT b"},
		{"hasStaticLink", "", "a STATIC_LINK b"},
		{"hasDynamicLink", "", "a DYNAMIC_LINK b"},
		{"hasPrerequisite", "", "a HAS_PREREQUISITE b"},
		{"hasOptionalComponent", "", "b OPTIONAL_COMPONENT_OF a"},
		{"hasOptionalDependency", "", "b OPTIONAL_DEPENDENCY_OF a"},
		{"hasProvidedDependency", "", "b PROVIDED_DEPENDENCY_OF a"},
		{"packagedBy", "", "b PACKAGE_OF a"},
		{"patchedBy", "", "b PATCH_FOR a"},
		{"expandsTo", "", "b EXPANDED_FROM_ARCHIVE a"},
		{"hasDocumentation", "", "b DOCUMENTATION_OF a"},
		{"other", "", "a OTHER b"},
		{"hasInput", "", "a HAS_INPUT b"},
		{"dependsOn", "test", "b TEST_DEPENDENCY_OF a"},
		{"dependsOn", "build", "b BUILD_DEPENDENCY_OF a"},
		{"dependsOn", "development", "b DEV_DEPENDENCY_OF a"},
		{"dependsOn", "runtime", "b RUNTIME_DEPENDENCY_OF a"},
		{"dependsOn", "design", `a DEPENDS_ON b "lifecycle scope: design"`},
		{"usesTool", "build", "b BUILD_TOOL_OF a"},
		{"usesTool", "other", `a USES_TOOL b "lifecycle scope: other"`},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.scope, func(t *testing.T) {
			typ, scope := "Relationship", ""
			if tt.scope != "" {
				typ, scope = "LifecycleScopedRelationship", fmt.Sprintf(`,"scope":%q`, tt.scope)
			}
			doc := decode3(t, graph3(
				`{"type":"software_Package","spdxId":"a","creationInfo":"_:ci","name":"a"}`,
				`{"type":"software_Package","spdxId":"b","creationInfo":"_:ci","name":"b"}`,
				fmt.Sprintf(`{"type":%q,"spdxId":"r","creationInfo":"_:ci","from":"a","relationshipType":%q,"to":["b"]%s}`, typ, tt.typ, scope),
			))
			var got []string
			for _, r := range doc.Relationships[1:] {
				s := fmt.Sprintf("%s %s %s", r.From, r.Type, r.To)
				if r.Comment != "" {
					s += fmt.Sprintf(" %q", r.Comment)
				}
				got = append(got, s)
			}
			if !slices.Equal(got, []string{tt.want}) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSPDX3DistributionArtifact(t *testing.T) {
	doc := decode3(t, graph3(
		`{"type":"software_File","spdxId":"aar","creationInfo":"_:ci","name":"KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar"}`,
		`{"type":"Relationship","spdxId":"r","creationInfo":"_:ci","from":"p","relationshipType":"hasDistributionArtifact","to":["aar"]}`,
	))
	if c := doc.Components[0]; c.FileName != "KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar" {
		t.Errorf("file name %q", c.FileName)
	}
	if len(doc.Files) != 0 || len(doc.Relationships) != 1 {
		t.Errorf("a bare distribution artifact is the package's file name, not a file: files %s, relationships %s", asJSON(doc.Files), asJSON(doc.Relationships))
	}
	// One with a hash of its own stays a file too.
	doc = decode3(t, graph3(
		`{"type":"software_File","spdxId":"aar","creationInfo":"_:ci","name":"sdk.aar","verifiedUsing":[{"type":"Hash","algorithm":"sha1","hashValue":"aa"}]}`,
		`{"type":"Relationship","spdxId":"r","creationInfo":"_:ci","from":"p","relationshipType":"hasDistributionArtifact","to":["aar"]}`,
	))
	if c := doc.Components[0]; c.FileName != "sdk.aar" || len(doc.Files) != 1 || len(doc.Relationships) != 2 {
		t.Errorf("file name %q, files %s, relationships %s", c.FileName, asJSON(doc.Files), asJSON(doc.Relationships))
	}
}

func TestSPDX3ExternalElements(t *testing.T) {
	doc := decode3(t, graph3(
		`{"type":"Relationship","spdxId":"r1","creationInfo":"_:ci","from":"p","relationshipType":"dependsOn","to":["urn:other:imported","https://other.example/doc#SPDXRef-x"]}`,
	))
	if got := asJSON(doc.Warnings); got != `["@graph[6] (Relationship \"r1\"): to names \"https://other.example/doc#SPDXRef-x\", which is not in this document and not imported"]` {
		t.Errorf("warnings: %s", got)
	}
	if len(doc.Relationships) != 3 {
		t.Errorf("relationships to other documents are kept: %s", asJSON(doc.Relationships))
	}
}

// TestSPDX3NoDocument reads a graph with an SBOM but no SpdxDocument: its
// roots are the SBOM's.
func TestSPDX3NoDocument(t *testing.T) {
	doc := decode3(t, []byte(`{"@context":["https://spdx.org/rdf/3.0.1/spdx-context.jsonld"],"@graph":[
{"type":"software_Sbom","spdxId":"urn:sbom","creationInfo":{"type":"CreationInfo","specVersion":"3.0.1","created":"2025-01-01T00:00:00Z","createdBy":[{"type":"Person","name":"Jane"}]},"rootElement":["p"]},
{"type":"software_Package","spdxId":"p","name":"product","suppliedBy":{"type":"Agent","name":"Someone"}}]}`))
	if asJSON(doc.Roots) != `["p"]` || doc.Created != "2025-01-01T00:00:00Z" || asJSON(doc.Authors) != `[{"kind":"person","name":"Jane"}]` {
		t.Errorf("roots %s, created %q, authors %s", asJSON(doc.Roots), doc.Created, asJSON(doc.Authors))
	}
	if s := doc.Components[0].Supplier; s == nil || s.Name != "Someone" || s.Kind != "" {
		t.Errorf("supplier %s", asJSON(s))
	}
}
