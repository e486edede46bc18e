package spdx

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
)

// Published SPDX 2 documents have defects that make tools-golang refuse
// them whole although they do not bear on who made a component. Each one
// is mended before tools-golang sees the input, and stated as a warning on
// the document; with Options.Strict the first one is an error instead.
// docs/ingest.md ("Tolerated defects") lists them.

// tolerance collects the defects of one document.
type tolerance struct {
	strict   bool
	warnings []string
	// bareIDs are the element ids written without "SPDXRef-", distinct, in
	// the order first seen.
	bareIDs  []string
	seenBare map[string]bool
	// bareParties holds field+"\x00"+value for each supplier, originator or
	// creator written without its "Organization:"/"Person:" prefix (value
	// as written, trimmed): it is mapped as a party of no stated kind.
	bareParties map[string]bool
}

// StrictError is a tolerated defect refused because Options.Strict is set.
type StrictError struct{ Defect string }

func (e *StrictError) Error() string {
	return e.Defect + " (refused in strict mode)"
}

func newTolerance(strict bool) *tolerance {
	return &tolerance{strict: strict, seenBare: map[string]bool{}, bareParties: map[string]bool{}}
}

// defect records a tolerated defect: what is wrong, and what was done
// about it. In strict mode it returns the error to refuse the document
// with.
func (t *tolerance) defect(what, done string) error {
	if t.strict {
		return &StrictError{Defect: what}
	}
	t.warnings = append(t.warnings, what+"; "+done)
	return nil
}

// finish turns the collected element ids into their warning (or, strict,
// error). It is called once the whole input has been looked at.
func (t *tolerance) finish() error {
	if len(t.bareIDs) == 0 {
		return nil
	}
	what := fmt.Sprintf("element id %q has no \"SPDXRef-\" prefix", clip(t.bareIDs[0]))
	if n := len(t.bareIDs); n > 1 {
		what = fmt.Sprintf("%d element ids have no \"SPDXRef-\" prefix (first: %q)", n, clip(t.bareIDs[0]))
	}
	err := t.defect(what, "read with the prefix added")
	// The id warning leads: it is about the whole document.
	if err == nil {
		t.warnings = append(t.warnings[len(t.warnings)-1:], t.warnings[:len(t.warnings)-1]...)
	}
	return err
}

func clip(s string) string { return msgtext.Clip(s, 60) }

// id returns the element id s with the "SPDXRef-" prefix it lacks, noting
// the defect; ids that have it, references to other documents that have
// it, NONE, NOASSERTION and the empty string come back unchanged.
func (t *tolerance) id(s string) string {
	v := strings.TrimSpace(s)
	if v == "" || strings.HasPrefix(v, "SPDXRef-") || v == "NONE" || v == "NOASSERTION" {
		return s
	}
	prefix := ""
	if strings.HasPrefix(v, "DocumentRef-") {
		d, e, ok := strings.Cut(v, ":")
		if !ok || e == "" || strings.HasPrefix(e, "SPDXRef-") {
			return s
		}
		prefix, v = d+":", e
	}
	if !t.seenBare[v] {
		t.seenBare[v] = true
		t.bareIDs = append(t.bareIDs, v)
	}
	return prefix + "SPDXRef-" + v
}

// partyTypes are the prefixes a party field may have: suppliers and
// originators take Organization or Person, creators also Tool.
func partyTyped(field, v string) bool {
	typ, _, ok := strings.Cut(v, ":")
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "organization", "organisation", "person":
		return true
	case "tool":
		return field == "creator"
	}
	return false
}

// party returns the value of a supplier, originator or creator with an
// "Organization: " prefix when it has none, noting the defect and the
// value so that the model keeps it as written. owner names the element
// ("package \"x\"") or is empty for the document.
func (t *tolerance) party(field, owner, s string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" || strings.EqualFold(v, "NOASSERTION") || strings.EqualFold(v, "NONE") || partyTyped(field, v) {
		return s, nil
	}
	prefixes := `"Organization:" or "Person:"`
	if field == "creator" {
		prefixes = `"Organization:", "Person:" or "Tool:"`
	}
	what := fmt.Sprintf("%s %q has no %s prefix", field, clip(v), prefixes)
	if owner != "" {
		what = owner + ": " + what
	}
	if err := t.defect(what, "the whole text is kept as the name"); err != nil {
		return "", err
	}
	t.bareParties[field+"\x00"+v] = true
	return "Organization: " + v, nil
}

// bare reports whether value (as tools-golang gives it back) was written
// without a prefix in field.
func (r *result) bare(field, value string) bool {
	return r.tol != nil && r.tol.bareParties[field+"\x00"+strings.TrimSpace(value)]
}

// mendTree mends the defects of a JSON tree (JSON, YAML and XML input):
// element ids without "SPDXRef-" and parties without a type.
func (t *tolerance) mendTree(obj map[string]any) error {
	str := func(m map[string]any, key string) {
		if s, ok := m[key].(string); ok {
			m[key] = t.id(s)
		}
	}
	list := func(m map[string]any, key string) {
		if a, ok := m[key].([]any); ok {
			for i, x := range a {
				if s, ok := x.(string); ok {
					a[i] = t.id(s)
				}
			}
		}
	}
	objects := func(key string) []map[string]any {
		var out []map[string]any
		if a, ok := obj[key].([]any); ok {
			for _, x := range a {
				if m, ok := x.(map[string]any); ok {
					out = append(out, m)
				}
			}
		}
		return out
	}
	str(obj, "SPDXID")
	list(obj, "documentDescribes")
	if ci, ok := obj["creationInfo"].(map[string]any); ok {
		if a, ok := ci["creators"].([]any); ok {
			for i, x := range a {
				if s, ok := x.(string); ok {
					v, err := t.party("creator", "", s)
					if err != nil {
						return err
					}
					a[i] = v
				}
			}
		}
	}
	for _, p := range objects("packages") {
		str(p, "SPDXID")
		list(p, "hasFiles")
		owner := "package"
		if name, ok := p["name"].(string); ok {
			owner = fmt.Sprintf("package %q", clip(name))
		}
		for _, field := range []string{"supplier", "originator"} {
			if s, ok := p[field].(string); ok {
				v, err := t.party(field, owner, s)
				if err != nil {
					return err
				}
				p[field] = v
			}
		}
	}
	for _, f := range objects("files") {
		str(f, "SPDXID")
	}
	for _, s := range objects("snippets") {
		str(s, "SPDXID")
		str(s, "snippetFromFile")
	}
	for _, r := range objects("relationships") {
		str(r, "spdxElementId")
		str(r, "relatedSpdxElement")
	}
	return t.finish()
}

// sectionTags are, for each section of a tag-value document, the tags
// tools-golang's SPDX 2.1–2.2–2.3 parsers accept there (the union of the
// three; a tag that opens another section is accepted everywhere, see
// opens). A line with any other tag is skipped with a warning: the parsers
// would refuse the whole document.
var sectionTags = map[string]map[string]bool{}

// opens maps a tag to the section it starts.
var opens = map[string]string{
	"PackageName": "package", "FileName": "file", "SnippetSPDXID": "snippet",
	"LicenseID": "other licensing information", "Reviewer": "review",
}

func init() {
	common := "Relationship RelationshipComment Annotator AnnotationDate AnnotationType SPDXREF AnnotationComment "
	for section, tags := range map[string]string{
		"document creation": `SPDXVersion DataLicense SPDXID DocumentName DocumentNamespace DocumentComment
			Created Creator CreatorComment ExternalDocumentRef LicenseListVersion`,
		"package": `BuiltDate ExternalRef ExternalRefComment FilesAnalyzed PackageAttributionText
			PackageChecksum PackageComment PackageCopyrightText PackageDescription PackageDownloadLocation
			PackageFileName PackageHomePage PackageLicenseComments PackageLicenseConcluded
			PackageLicenseDeclared PackageLicenseInfoFromFiles PackageOriginator PackageSourceInfo
			PackageSummary PackageSupplier PackageVerificationCode PackageVersion PrimaryPackagePurpose
			ReleaseDate SPDXID ValidUntilDate`,
		"file": `ArtifactOfProjectHomePage ArtifactOfProjectName ArtifactOfProjectURI FileAttributionText
			FileChecksum FileComment FileContributor FileCopyrightText FileDependency FileNotice FileType
			LicenseComments LicenseConcluded LicenseInfoInFile SPDXID`,
		"snippet": `LicenseInfoInSnippet SnippetAttributionText SnippetByteRange SnippetComment
			SnippetCopyrightText SnippetFromFileSPDXID SnippetLicenseComments SnippetLicenseConcluded
			SnippetLineRange SnippetName`,
		"other licensing information": `ExtractedText LicenseComment LicenseCrossReference LicenseName`,
		"review":                      `ReviewComment ReviewDate`,
	} {
		set := map[string]bool{}
		for _, tag := range strings.Fields(common + tags) {
			set[tag] = true
		}
		for tag := range opens {
			set[tag] = true
		}
		sectionTags[section] = set
	}
}

// attributionTag is, for the sections whose elements carry attribution
// text, the tag an unknown tag's line is kept under.
var attributionTag = map[string]string{"package": "PackageAttributionText", "file": "FileAttributionText"}

// attributed is the attribution text that keeps the line "tag: value":
// the tag and the value, inside the value's <text> block when it has one.
func attributed(tag, value string) string {
	if rest, ok := strings.CutPrefix(strings.TrimSpace(value), "<text>"); ok {
		return "<text>" + tag + ": " + rest
	}
	return tag + ": " + value
}

// foldedTag is the tag of the section that tag spells in other letter
// case, and "" when there is none.
func foldedTag(section, tag string) string {
	for known := range sectionTags[section] {
		if strings.EqualFold(known, tag) {
			return known
		}
	}
	return ""
}

// mendLineEnds turns line endings of a bare CR (not followed by LF) into
// LF, noting the defect. tools-golang splits lines at LF only, so such a
// document reads as one long line.
func (t *tolerance) mendLineEnds(data []byte) ([]byte, error) {
	n := 0
	for i, b := range data {
		if b == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			n++
		}
	}
	if n == 0 {
		return data, nil
	}
	if err := t.defect(fmt.Sprintf("%d lines end in a bare CR (carriage return without line feed)", n), "read as line breaks"); err != nil {
		return nil, err
	}
	out := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(out, []byte{'\r'}, []byte{'\n'}), nil
}

// tagPair is a tag-value pair with the line it starts on.
type tagPair struct {
	tag, value string
	line       int
}

// mendPairs mends the defects of tag-value pairs: unknown tags are
// dropped, element ids get their prefix, parties their type.
func (t *tolerance) mendPairs(pairs []tagPair) ([]tagPair, error) {
	kept := pairs[:0]
	owner := ""
	section := "document creation"
	for _, p := range pairs {
		if !sectionTags[section][p.tag] {
			// A known tag in other letter case (FIleCopyrightText) is
			// that tag: skipping it could drop a maker field.
			if known := foldedTag(section, p.tag); known != "" {
				if err := t.defect(fmt.Sprintf("line %d: tag %q is %q in other letter case", p.line, clip(p.tag), known), "read as "+known); err != nil {
					return nil, err
				}
				p.tag = known
			} else if keep, ok := attributionTag[section]; ok {
				// Its value may name a maker: kept as the element's
				// attribution text, which matching reads, never dropped.
				if err := t.defect(fmt.Sprintf("line %d: unknown tag %q in the %s section", p.line, clip(p.tag), section), "kept as attribution text"); err != nil {
					return nil, err
				}
				p.value = attributed(p.tag, p.value)
				p.tag = keep
			} else {
				if err := t.defect(fmt.Sprintf("line %d: unknown tag %q in the %s section", p.line, clip(p.tag), section), "the line was skipped"); err != nil {
					return nil, err
				}
				continue
			}
		}
		if s, ok := opens[p.tag]; ok {
			section = s
		}
		switch p.tag {
		case "PackageName":
			owner = fmt.Sprintf("package %q", clip(strings.TrimSpace(p.value)))
		case "SPDXID", "SPDXREF":
			p.value = t.id(p.value)
		case "Relationship":
			if f := strings.Fields(p.value); len(f) == 3 {
				a, b := t.id(f[0]), t.id(f[2])
				if a != f[0] || b != f[2] {
					p.value = a + " " + f[1] + " " + b
				}
			}
		case "PackageSupplier", "PackageOriginator", "Creator":
			field := strings.ToLower(strings.TrimPrefix(p.tag, "Package"))
			who := owner
			if field == "creator" {
				who = ""
			}
			v, err := t.party(field, who, p.value)
			if err != nil {
				return nil, err
			}
			p.value = v
		}
		kept = append(kept, p)
	}
	return kept, t.finish()
}
