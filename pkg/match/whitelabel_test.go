package match_test

import (
	"encoding/json"
	"fmt"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/golden"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// The white-label fixtures are hand-written SBOMs of fictional products that
// embed Kaspersky technology (fixtures/whitelabel/README.md says which file
// covers which evidence channel), plus look-alikes that must not be taken for
// Kaspersky. They run against the embedded signature pack, so the goldens
// show what a user of the shipped binary would get.

const whiteLabelDir = "../../fixtures/whitelabel"

// whiteLabelGolden holds testdata/whitelabel/<fixture>.golden, the file of
// the subtest TestWhiteLabelGolden/<fixture>.
var whiteLabelGolden = golden.Dir{Path: "testdata/whitelabel", Trim: 1}

// TestMain fails on golden files no test asked for (see golden.Run).
func TestMain(m *testing.M) {
	os.Exit(golden.Run(m, whiteLabelGolden, shapesGolden))
}

// whiteLabelEngine builds the engine from the embedded signatures, as the
// CLI does without --signatures.
func whiteLabelEngine(t *testing.T) *match.Engine {
	t.Helper()
	return enginetest.Embedded(t)
}

// whiteLabelFixtures lists the SBOM files of fixtures/whitelabel.
func whiteLabelFixtures(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(whiteLabelDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		out = append(out, e.Name())
	}
	if len(out) == 0 {
		t.Fatal("no fixtures in " + whiteLabelDir)
	}
	return out
}

func isLookalike(name string) bool { return strings.HasPrefix(name, "lookalikes.") }

// matched is one fixture with its findings.
type matched struct {
	doc      *model.Document
	findings []match.Finding
}

func matchFixture(t *testing.T, e *match.Engine, name string) matched {
	t.Helper()
	doc, err := ingest.File(filepath.Join(whiteLabelDir, name), ingest.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) > 0 {
		t.Errorf("%s: ingest warnings: %q", name, doc.Warnings)
	}
	return matched{doc, e.Match(doc)}
}

func matchAll(t *testing.T) map[string]matched {
	t.Helper()
	e := whiteLabelEngine(t)
	out := map[string]matched{}
	for _, name := range whiteLabelFixtures(t) {
		out[name] = matchFixture(t, e, name)
	}
	return out
}

// TestWhiteLabelGolden matches every fixture and compares the findings,
// rendered as text, with testdata/whitelabel/<file>.golden. Run with
// -update to rewrite the goldens, then read the diff.
func TestWhiteLabelGolden(t *testing.T) {
	e := whiteLabelEngine(t)
	for _, name := range whiteLabelFixtures(t) {
		t.Run(name, func(t *testing.T) {
			whiteLabelGolden.Check(t, []byte(render(name, matchFixture(t, e, name))))
		})
	}
}

// render is a stable text projection of the findings of one document: a
// summary line, then one block per finding in the engine's order.
func render(name string, m matched) string {
	var b strings.Builder
	counts := map[signature.Severity]int{}
	wl := 0
	for _, f := range m.findings {
		counts[f.Severity]++
		if f.WhiteLabel {
			wl++
		}
	}
	var sev []string
	for _, s := range slices.Backward(signature.Severities) {
		if counts[s] > 0 {
			sev = append(sev, fmt.Sprintf("%s %d", s, counts[s]))
		}
	}
	plural := "s"
	if len(m.findings) == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "# %s: %d finding%s (%s), %d white-labelled\n", name, len(m.findings), plural, strings.Join(sev, ", "), wl)
	for _, f := range m.findings {
		fmt.Fprintf(&b, "\n%s whiteLabel=%t offered=%q confidence=%s\n", f.Severity, f.WhiteLabel, f.Offered, f.Confidence)
		fmt.Fprintf(&b, "  component: %s\n", componentLabel(f.Component))
		fmt.Fprintf(&b, "  path: %s\n", strings.Join(pathNames(m.doc, f.Path), " > "))
		fmt.Fprintf(&b, "  rules: %s\n", strings.Join(f.Rules, ", "))
		for _, n := range f.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
		for _, v := range f.Evidence {
			fmt.Fprintf(&b, "  - %s %s = %q [%s]", v.Kind, v.Field, v.Value, v.Rule)
			if v.Location != "" {
				fmt.Fprintf(&b, " @%s", v.Location)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func componentLabel(x *model.Component) string {
	if x.Version == "" {
		return x.Name
	}
	return x.Name + "@" + x.Version
}

// pathNames turns a path of refs into component names; a ref that is not a
// component (an SPDX file) stays as it is.
func pathNames(doc *model.Document, path []string) []string {
	out := make([]string, len(path))
	for i, ref := range path {
		out[i] = ref
		if c := doc.Component(ref); c != nil {
			out[i] = c.Name
		}
	}
	return out
}

// findingFor returns the finding on the component with the given name, or
// nil.
func findingFor(m matched, name string) *match.Finding {
	for i := range m.findings {
		if m.findings[i].Component.Name == name {
			return &m.findings[i]
		}
	}
	return nil
}

// expect runs one named check. ok is whether the behaviour is right; msg
// says what was wrong.
func expect(t *testing.T, name string, ok bool, msg string, args ...any) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		t.Helper()
		if !ok {
			t.Errorf(msg, args...)
		}
	})
}

// describe is one finding in a line, for failure messages.
func describe(f *match.Finding, doc *model.Document) string {
	if f == nil {
		return "no finding"
	}
	return fmt.Sprintf("%s whiteLabel=%t offered=%q path=%q rules=%v", f.Severity, f.WhiteLabel, f.Offered,
		strings.Join(pathNames(doc, f.Path), " > "), f.Rules)
}

// TestWhiteLabelChannels checks that every evidence channel the fixtures
// were written to exercise produces evidence of its kind somewhere.
func TestWhiteLabelChannels(t *testing.T) {
	all := matchAll(t)
	kinds := map[match.EvidenceKind][]string{} // kind -> fixtures it was seen in
	for name, m := range all {
		if isLookalike(name) {
			continue
		}
		for _, f := range m.findings {
			for _, v := range f.Evidence {
				if !slices.Contains(kinds[v.Kind], name) {
					kinds[v.Kind] = append(kinds[v.Kind], name)
				}
			}
		}
	}
	for _, k := range []match.EvidenceKind{
		match.KindSupplier, match.KindManufacturer, match.KindPublisher, match.KindAuthor, match.KindOriginator,
		match.KindCopyright, match.KindPURL, match.KindCPE, match.KindJavaPackage, match.KindFilename,
		match.KindPath, match.KindDomain, match.KindPedigree, match.KindRelationship, match.KindPEVersion,
		match.KindName, match.KindMention,
	} {
		expect(t, "kind "+string(k), len(kinds[k]) > 0, "no evidence of kind %q in any positive fixture", k)
	}

	// Channels by field, where the kind alone does not say the channel was used.
	fields := []struct{ check, fixture, prefix string }{
		{"spdx file copyright", "shieldcore.spdx.json", "files[SPDXRef-File-ssflt].copyrightText"},
		{"spdx file contributor", "shieldcore.spdx.json", "files[SPDXRef-File-sscore].contributors[0]"},
		{"spdx file name", "shieldcore.spdx.json", "files[SPDXRef-File-klif].fileName"},
		{"spdx packageFileName", "shieldcore.spdx.json", "fileName"},
		{"spdx downloadLocation", "shieldcore.spdx.json", "externalRefs["},
		{"cdx evidence.identity methods", "northwind-companion.cdx.xml", "evidence.identity[0].methods["},
		{"cdx evidence.occurrences", "northwind-companion.cdx.xml", "evidence.occurrences[0]"},
		{"cdx evidence.copyright", "northwind-companion.cdx.xml", "evidence.copyright[0]"},
		{"cdx pedigree ancestors", "northwind-gateway.cdx.json", "pedigree.ancestors[0]."},
		{"cdx pedigree variants", "northwind-gateway.cdx.json", "pedigree.variants[0]."},
		{"cdx manifest property", "northwind-gateway.cdx.json", "properties[syft:metadata:manifest.main.Implementation-Vendor]"},
		{"cdx PE property", "northwind-gateway.cdx.json", "properties[syft:metadata:VersionResources.CompanyName]"},
		{"syft PE version resource", "acme-desktop.syft.json", "properties[syft:metadata:VersionResources.LegalCopyright]"},
		{"syft pom groupId", "acme-desktop.syft.json", "group"},
	}
	for _, c := range fields {
		m, ok := all[c.fixture]
		if !ok {
			t.Errorf("fixture %s missing", c.fixture)
			continue
		}
		found := false
		for _, f := range m.findings {
			for _, v := range f.Evidence {
				if strings.HasPrefix(v.Field, c.prefix) {
					found = true
				}
			}
		}
		expect(t, c.check, found, "%s: no evidence from a field starting with %q", c.fixture, c.prefix)
	}
}

// TestWhiteLabelKeyFindings pins the behaviours the fixtures were written
// for, one component at a time.
func TestWhiteLabelKeyFindings(t *testing.T) {
	all := matchAll(t)
	type tri int
	const (
		either tri = iota
		yes
		no
	)
	type want struct {
		check, fixture, component string
		severity                  signature.Severity // "" means any
		minSeverity               signature.Severity // "" means none
		wl                        tri                // the white-label verdict; either: not checked
		offered                   string             // "" means not checked
		path                      []string           // nil means not checked
		kind                      match.EvidenceKind // an evidence kind the finding must carry, "" for none
		field                     string             // an evidence field the finding must carry, "" for none
	}
	const (
		northwind = "Northwind Security Ltd"
		acme      = "Acme SecureShield Inc."
	)
	wants := []want{
		// Own maker fields, offered under the fictional supplier.
		{check: "copyright names Kaspersky", fixture: "northwind-gateway.cdx.json", component: "nw-urlfilter", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindCopyright},
		{check: "author names Kaspersky", fixture: "northwind-gateway.cdx.json", component: "nw-mailscan", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindAuthor},
		{check: "cyrillic manufacturer", fixture: "northwind-gateway.cdx.json", component: "nw-netguard", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindManufacturer},
		{check: "homoglyph publisher", fixture: "northwind-gateway.cdx.json", component: "nw-reputation", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindPublisher},
		{check: "manifest Implementation-Vendor property", fixture: "northwind-gateway.cdx.json", component: "reputation-client", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindSupplier},
		{check: "PE CompanyName property, maker from parent", fixture: "northwind-gateway.cdx.json", component: "nwavcore.dll", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindPEVersion,
			path: []string{"Northwind NG-5000 Secure Gateway", "Northwind Endpoint Agent for Windows", "nwavcore.dll"}},
		{check: "driver file name", fixture: "northwind-gateway.cdx.json", component: "klif.sys", minSeverity: signature.Medium, kind: match.KindFilename,
			path: []string{"Northwind NG-5000 Secure Gateway", "Northwind Endpoint Agent for Windows", "klif.sys"}},
		{check: "update domain", fixture: "northwind-gateway.cdx.json", component: "nw-sigupdate", minSeverity: signature.Medium, wl: yes, offered: northwind, kind: match.KindDomain},
		{check: "service endpoint on KSN", fixture: "northwind-gateway.cdx.json", component: "Northwind Cloud Reputation", minSeverity: signature.Medium, wl: yes, offered: northwind, kind: match.KindDomain},
		// A chain four levels deep: the offered maker is the nearest one above.
		{check: "nested engine: cpe and path, 4 levels deep", fixture: "northwind-gateway.cdx.json", component: "nw-avscan-engine", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindCPE,
			path: []string{"Northwind NG-5000 Secure Gateway", "NG-OS", "Northwind Threat Prevention", "nw-avscan-engine"}},
		// Pedigree.
		{check: "pedigree ancestor is the KAV SDK", fixture: "northwind-gateway.cdx.json", component: "SecureShield Engine", severity: signature.Critical, wl: yes, offered: acme, kind: match.KindPedigree,
			path: []string{"Northwind NG-5000 Secure Gateway", "NG-OS", "Northwind Threat Prevention", "SecureShield Engine"}},
		{check: "pedigree variant", fixture: "northwind-gateway.cdx.json", component: "Northwind Mail Filter", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindPedigree},
		{check: "pedigree ancestor in XML", fixture: "northwind-companion.cdx.xml", component: "nw-appscan", severity: signature.Critical, wl: yes, offered: northwind, kind: match.KindPedigree},
		// Mention only.
		{check: "mention only (cdx)", fixture: "northwind-gateway.cdx.json", component: "nw-av-connector", severity: signature.Info, wl: no, kind: match.KindMention},
		{check: "mention only (spdx)", fixture: "shieldcore.spdx.json", component: "shieldcore-kes-connector", severity: signature.Info, wl: no, kind: match.KindMention},
		// Kaspresso: Kaspersky-authored test library, low.
		{check: "kaspresso is low (cdx xml)", fixture: "northwind-companion.cdx.xml", component: "kaspresso", severity: signature.Low, wl: no, offered: "AO Kaspersky Lab"},
		{check: "kaspresso is low (spdx)", fixture: "shieldcore.spdx.json", component: "kaspresso", severity: signature.Low, wl: no, offered: "AO Kaspersky Lab",
			path: []string{"Acme SecureShield Server", "ShieldCore Mobile SDK", "kaspresso"}},
		{check: "kaspresso is low (syft)", fixture: "acme-desktop.syft.json", component: "kaspresso", severity: signature.Low, wl: no},
		// CycloneDX evidence and identifiers, nested without a dependency graph.
		{check: "cdx evidence: identity methods", fixture: "northwind-companion.cdx.xml", component: "nw-mobile-shield", minSeverity: signature.High, wl: yes, kind: match.KindJavaPackage, field: "evidence.identity[0].methods[1]"},
		{check: "cdx evidence: occurrences", fixture: "northwind-companion.cdx.xml", component: "nw-mobile-shield", minSeverity: signature.High, wl: yes, kind: match.KindFilename, field: "evidence.occurrences[0]"},
		{check: "cdx evidence: copyright", fixture: "northwind-companion.cdx.xml", component: "nw-mobile-shield", minSeverity: signature.High, wl: yes, kind: match.KindCopyright, field: "evidence.copyright[0]"},
		// Listed under Kaspersky's own package name and naming no maker: a
		// dependency, not a rebrand (see whiteLabel in document.go).
		{check: "maven purl com.kavsdk", fixture: "northwind-companion.cdx.xml", component: "kavsdk", minSeverity: signature.High, wl: no, field: "purl"},
		// Nesting alone (no dependency graph) gives the path and the nearest maker.
		{check: "nesting without dependencies: path, 3 levels", fixture: "northwind-companion.cdx.xml", component: "nw-mobile-shield", wl: yes, offered: acme,
			path: []string{"Northwind Gateway Companion", "SecureShield Mobile Core", "nw-mobile-shield"}},
		{check: "nesting without dependencies: path, 4 levels", fixture: "northwind-companion.cdx.xml", component: "kavsdk",
			path: []string{"Northwind Gateway Companion", "SecureShield Mobile Core", "nw-mobile-shield", "kavsdk"}},
		{check: "SDK .aar file name", fixture: "northwind-companion.cdx.xml", component: "KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar", minSeverity: signature.Medium, kind: match.KindFilename},
		{check: "cdx 1.5 author string", fixture: "northwind-companion.cdx.xml", component: "nw-crashlog", minSeverity: signature.High, wl: yes, offered: northwind, kind: match.KindAuthor},
		// SPDX relationships and files.
		{check: "kav sdk itself is not white-labelled", fixture: "shieldcore.spdx.json", component: "Kaspersky Anti-Virus SDK", severity: signature.Critical, wl: no, offered: "AO Kaspersky Lab"},
		{check: "VARIANT_OF", fixture: "shieldcore.spdx.json", component: "ShieldCore", severity: signature.Critical, wl: yes, offered: acme, kind: match.KindRelationship},
		{check: "DESCENDANT_OF", fixture: "shieldcore.spdx.json", component: "ShieldCore Mail", severity: signature.Critical, wl: yes, offered: acme, kind: match.KindRelationship},
		{check: "ANCESTOR_OF turned around", fixture: "shieldcore.spdx", component: "ShieldCore Mail", severity: signature.Critical, wl: yes, offered: acme, kind: match.KindRelationship},
		{check: "COPY_OF", fixture: "shieldcore.spdx.json", component: "ShieldCore Lite", severity: signature.Critical, wl: yes, offered: acme, kind: match.KindRelationship},
		{check: "GENERATED_FROM a variant of the SDK (two hops)", fixture: "shieldcore.spdx.json", component: "ShieldCore Cloud", severity: signature.Critical, wl: yes, offered: acme},
		{check: "pedigree ancestor that is a variant of the SDK (two hops)", fixture: "shieldcore.cdx.json", component: "ShieldCore Cloud", severity: signature.Critical, wl: yes, offered: acme},
		{check: "files contained by a package", fixture: "shieldcore.spdx.json", component: "shieldcore-drivers", minSeverity: signature.High, wl: yes, offered: acme, kind: match.KindCopyright},
		{check: "originator", fixture: "shieldcore.spdx.json", component: "shieldcore-signatures", minSeverity: signature.High, wl: yes, offered: acme, kind: match.KindOriginator},
		{check: "cyrillic copyright", fixture: "shieldcore.spdx.json", component: "shieldcore-l10n-ru", minSeverity: signature.High, wl: yes, offered: acme, kind: match.KindCopyright},
		{check: "cpe 2.2 kaspersky_lab", fixture: "shieldcore.spdx.json", component: "shieldcore-legacy-av", minSeverity: signature.High, wl: yes, offered: acme, kind: match.KindCPE},
		{check: "downloadLocation domain", fixture: "shieldcore.spdx.json", component: "shieldcore-updater", minSeverity: signature.Medium, wl: yes, offered: acme, kind: match.KindDomain},
		{check: "packageFileName and purl", fixture: "shieldcore.spdx.json", component: "ShieldCore Mobile SDK", minSeverity: signature.High, wl: yes, offered: acme, kind: match.KindFilename},
		{check: "loose spdx file, under the described product", fixture: "shieldcore.spdx.json", component: "./opt/kaspersky/ScanEngine/bin/appinfo.kli", minSeverity: signature.Medium,
			path: []string{"Acme SecureShield Server", "SPDXRef-File-appinfo"}},
		// syft.
		{check: "syft PE: Acme company, Kaspersky copyright", fixture: "acme-desktop.syft.json", component: "ssavcore", minSeverity: signature.High, wl: yes, offered: acme, kind: match.KindPEVersion},
		{check: "syft PE: Kaspersky's own driver", fixture: "acme-desktop.syft.json", component: "klif", minSeverity: signature.High, wl: no, offered: "AO Kaspersky Lab", kind: match.KindFilename},
		{check: "syft jar: rebranded manifest, com.kavsdk inside", fixture: "acme-desktop.syft.json", component: "kavsdk", minSeverity: signature.High, wl: yes, offered: acme, kind: match.KindJavaPackage},
	}
	for _, w := range wants {
		m, ok := all[w.fixture]
		if !ok {
			t.Errorf("fixture %s missing", w.fixture)
			continue
		}
		f := findingFor(m, w.component)
		got := describe(f, m.doc)
		var problems []string
		switch {
		case f == nil:
			problems = append(problems, "no finding")
		default:
			if w.severity != "" && f.Severity != w.severity {
				problems = append(problems, fmt.Sprintf("severity %s, want %s", f.Severity, w.severity))
			}
			if w.minSeverity != "" && f.Severity.Rank() < w.minSeverity.Rank() {
				problems = append(problems, fmt.Sprintf("severity %s, want at least %s", f.Severity, w.minSeverity))
			}
			if w.wl != either && f.WhiteLabel != (w.wl == yes) {
				problems = append(problems, fmt.Sprintf("whiteLabel %t, want %t", f.WhiteLabel, w.wl == yes))
			}
			if w.offered != "" && f.Offered != w.offered {
				problems = append(problems, fmt.Sprintf("offered %q, want %q", f.Offered, w.offered))
			}
			if w.path != nil && !slices.Equal(pathNames(m.doc, f.Path), w.path) {
				problems = append(problems, fmt.Sprintf("path %q, want %q", pathNames(m.doc, f.Path), w.path))
			}
			if w.kind != "" && !slices.ContainsFunc(f.Evidence, func(v match.Evidence) bool { return v.Kind == w.kind }) {
				problems = append(problems, "no evidence of kind "+string(w.kind))
			}
			if w.field != "" && !slices.ContainsFunc(f.Evidence, func(v match.Evidence) bool { return v.Field == w.field }) {
				problems = append(problems, "no evidence from field "+w.field)
			}
		}
		expect(t, w.check, len(problems) == 0, "%s: %s: %s (got %s)", w.fixture, w.component, strings.Join(problems, "; "), got)
	}

	// A mention passes nothing on through VARIANT_OF.
	if m, ok := all["lookalikes.spdx.json"]; ok {
		f := findingFor(m, "contoso-ioc-importer-ng")
		expect(t, "variant of a mention-only package", f == nil, "lookalikes.spdx.json: contoso-ioc-importer-ng: %s, want no finding", describe(f, m.doc))
	}
}

// TestWhiteLabelLookalikes checks that no look-alike reaches medium.
func TestWhiteLabelLookalikes(t *testing.T) {
	all := matchAll(t)
	n := 0
	for name, m := range all {
		if !isLookalike(name) {
			continue
		}
		n++
		for _, f := range m.findings {
			expect(t, name+" "+f.Component.Name, f.Severity.Rank() < signature.Medium.Rank(),
				"%s: look-alike %s: %s, want nothing at medium or above; evidence %v", name, f.Component.Name, describe(&f, m.doc), f.Evidence)
		}
	}
	if n < 2 {
		t.Errorf("%d look-alike fixtures, want at least one CycloneDX and one SPDX", n)
	}
}

// TestWhiteLabelFormatsAgree checks that the same product written in
// several formats (CycloneDX, syft JSON, SPDX 2.3 JSON and tag-value, SPDX
// 3.0 JSON-LD) gives the same findings by component name, severity and
// white-label verdict. Every fixture is in a group.
func TestWhiteLabelFormatsAgree(t *testing.T) {
	all := matchAll(t)
	groups := [][]string{
		{"shieldcore.spdx.json", "shieldcore.spdx", "shieldcore.cdx.json", "shieldcore.spdx3.json"},
		{"lookalikes.cdx.json", "lookalikes.workstation.spdx.json", "lookalikes.workstation.spdx3.json"},
		{"lookalikes.spdx.json", "lookalikes.spdx3.json"}, // SPDX only: no CycloneDX twin
		{"acme-desktop.syft.json", "acme-desktop.spdx.json", "acme-desktop.spdx3.json"},
		// The CycloneDX forms of the northwind fixtures are not in their
		// groups (see apart below): their pedigree ancestors and variants
		// are no components of their own, while in SPDX an ancestor or
		// variant is a package, and the engine matches every package.
		{"northwind-gateway.spdx.json", "northwind-gateway.spdx3.json"},
		{"northwind-companion.spdx.json", "northwind-companion.spdx3.json"},
	}
	// apart are the fixtures left out of their groups, with the findings
	// only their SPDX twin gives: the twin's findings are the CycloneDX
	// findings plus exactly these. A CycloneDX pedigree ancestor or
	// variant becomes a package plus DESCENDANT_OF or VARIANT_OF in SPDX
	// (as in shieldcore.spdx.json), and that package, named and supplied
	// as Kaspersky's, is found on its own. shieldcore.cdx.json avoids the
	// difference by listing the SDK as a component too; the northwind
	// fixtures list their ancestors only inside pedigree.
	apart := []struct {
		cdx, spdx string
		onlySPDX  []string
	}{
		{"northwind-gateway.cdx.json", "northwind-gateway.spdx.json", []string{
			"Kaspersky Anti-Virus SDK critical whiteLabel=false",      // pedigree.ancestors[0] of SecureShield Engine
			"Kaspersky Secure Mail Gateway critical whiteLabel=false", // pedigree.variants[0] of Northwind Mail Filter
		}},
		{"northwind-companion.cdx.xml", "northwind-companion.spdx.json", []string{
			"Kaspersky Mobile Security SDK critical whiteLabel=false", // pedigree.ancestors[0] of nw-appscan
		}},
	}
	covered := map[string]bool{}
	for _, g := range groups {
		for _, name := range g {
			covered[name] = true
		}
		base := verdicts(all[g[0]])
		for _, other := range g[1:] {
			diff := verdictDiff(g[0], base, other, verdicts(all[other]), nil)
			expect(t, g[0]+" vs "+other, len(diff) == 0, "%s", strings.Join(diff, "\n"))
		}
	}
	for _, a := range apart {
		covered[a.cdx] = true
		diff := verdictDiff(a.cdx, verdicts(all[a.cdx]), a.spdx, verdicts(all[a.spdx]), a.onlySPDX)
		expect(t, a.cdx+" vs "+a.spdx+" (but for the pedigree packages)", len(diff) == 0, "%s", strings.Join(diff, "\n"))
	}
	for _, name := range whiteLabelFixtures(t) {
		expect(t, name+" in a group", covered[name], "%s is in no group of TestWhiteLabelFormatsAgree", name)
	}
}

// verdictDiff lists the triples that are in only one of two documents,
// but for the ones expected only in b.
func verdictDiff(aName string, a []string, bName string, b []string, onlyB []string) []string {
	var diff []string
	for _, v := range a {
		if !slices.Contains(b, v) {
			diff = append(diff, "only in "+aName+": "+v)
		}
	}
	for _, v := range b {
		if !slices.Contains(a, v) && !slices.Contains(onlyB, v) {
			diff = append(diff, "only in "+bName+": "+v)
		}
	}
	for _, v := range onlyB {
		if !slices.Contains(b, v) || slices.Contains(a, v) {
			diff = append(diff, "expected only in "+bName+": "+v)
		}
	}
	return diff
}

// verdicts are the (component, severity, white-label) triples of a document.
func verdicts(m matched) []string {
	var out []string
	for _, f := range m.findings {
		out = append(out, fmt.Sprintf("%s %s whiteLabel=%t", f.Component.Name, f.Severity, f.WhiteLabel))
	}
	slices.Sort(out)
	return out
}

// TestWhiteLabelSPDX3Twins checks that every SPDX 3.0 JSON-LD twin
// (fixtures/whitelabel/*.spdx3.json, written from its SPDX 2.3 original by
// pkg/ingest/spdx's TestSPDX3Twins) gives the findings of its original: the
// same ids, rules, severities, white-label verdicts, offered makers,
// confidence, paths, evidence and notes, as the JSON report carries them.
// The pedigree relationships (hasVariant, descendantOf, copiedTo,
// generates) must therefore reach the engine as VARIANT_OF, DESCENDANT_OF,
// COPY_OF and GENERATED_FROM do.
func TestWhiteLabelSPDX3Twins(t *testing.T) {
	all := matchAll(t)
	n := 0
	for name, twin := range all {
		original, ok := strings.CutSuffix(name, ".spdx3.json")
		if !ok {
			continue
		}
		n++
		original += ".spdx.json"
		orig, ok := all[original]
		if !ok {
			t.Errorf("%s: no SPDX 2.3 original %s", name, original)
			continue
		}
		got, want := reportView(twin), reportView(orig)
		expect(t, name+" vs "+original, got == want, "findings differ:\n%s: %s\n%s: %s", name, got, original, want)
	}
	if n < 6 {
		t.Errorf("%d SPDX 3 twins, want at least 6", n)
	}
	// Every SPDX 2.3 JSON fixture has its twin.
	for name := range all {
		if base, ok := strings.CutSuffix(name, ".spdx.json"); ok {
			_, twin := all[base+".spdx3.json"]
			expect(t, name+" has an SPDX 3 twin", twin, "%s: no %s.spdx3.json (go test ./pkg/ingest/spdx -run SPDX3Twins -update writes it)", name, base)
		}
	}
}

// reportView is the findings of a document as the JSON report shows them.
func reportView(m matched) string {
	type component struct{ Ref, Name, Version, PURL, Supplier string }
	type view struct {
		ID, Severity, Entity string
		WhiteLabel           bool
		Offered, Title, Rule string
		Confidence           string
		Component            component
		Path, Rules, Notes   []string
		Evidence             []match.Evidence
	}
	var out []view
	for _, f := range m.findings {
		c := component{Ref: f.Component.Ref, Name: f.Component.Name, Version: f.Component.Version, PURL: f.Component.PURL}
		if f.Component.Supplier != nil {
			c.Supplier = f.Component.Supplier.Name
		}
		out = append(out, view{f.ID, string(f.Severity), f.Entity, f.WhiteLabel, f.Offered, f.Title, f.Rule, string(f.Confidence),
			c, f.Path, f.Rules, f.Notes, f.Evidence})
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b)
}
