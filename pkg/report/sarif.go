package report

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// SARIF constants.
const (
	sarifSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion   = "2.1.0"
	informationURI = "https://github.com/pedigree-sbom/pedigree"
	// fingerprintKey names the finding id among a result's partial
	// fingerprints; code-scanning services match results across runs by it.
	fingerprintKey = "pedigreeFinding/v1"
	// securityTag puts every rule among GitHub code scanning's security
	// alerts, where security-severity ranks them.
	securityTag = "security"
)

// The SARIF 2.1.0 objects pedigree writes; field names follow the
// specification. Optional members are omitted when empty.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
		Properties  sarifRunProps     `json:"properties"`
	}
	sarifRunProps struct {
		SignaturesVersion string `json:"signaturesVersion"`
		SignaturesDigest  string `json:"signaturesDigest"`
		FailOn            string `json:"failOn"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string          `json:"id"`
		Name                 string          `json:"name,omitempty"`
		ShortDescription     sarifText       `json:"shortDescription"`
		FullDescription      sarifText       `json:"fullDescription"`
		Help                 sarifHelp       `json:"help"`
		DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
		Properties           sarifRuleProps  `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifRuleProps struct {
		Tags             []string `json:"tags"`
		SecuritySeverity string   `json:"security-severity,omitempty"`
		Precision        string   `json:"precision,omitempty"`
		Severity         string   `json:"severity,omitempty"`
		Entity           string   `json:"entity,omitempty"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          sarifResultProps   `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical  `json:"physicalLocation"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	sarifLogical struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	}
	sarifResultProps struct {
		// SecuritySeverity is the finding's own score, after waivers and
		// notes: a finding lowered to low scores as low whatever its rule.
		SecuritySeverity string     `json:"security-severity"`
		Severity         string     `json:"severity"`
		Entity           string     `json:"entity"`
		WhiteLabel       bool       `json:"whiteLabel"`
		OfferedAs        string     `json:"offeredAs,omitempty"`
		Confidence       string     `json:"confidence,omitempty"`
		Rules            []string   `json:"rules"`
		Gating           bool       `json:"gating"`
		WaiverExpired    bool       `json:"waiverExpired,omitempty"`
		Target           string     `json:"target"`
		Component        Component  `json:"component"`
		Evidence         []Evidence `json:"evidence"`
	}
)

// securitySeverity is the CVSS-like score GitHub code scanning uses to rank
// results ("security-severity": over 9.0 is critical, 7.0-8.9 high,
// 4.0-6.9 medium, 0.1-3.9 low). Info stays inside GitHub's low band.
var securitySeverity = map[signature.Severity]string{
	signature.Critical: "9.5",
	signature.High:     "8.0",
	signature.Medium:   "5.5",
	signature.Low:      "3.0",
	signature.Info:     "1.0",
}

// level maps a severity to a SARIF level: critical and high are errors,
// medium a warning, low and info notes.
func level(s signature.Severity) string {
	switch s {
	case signature.Critical, signature.High:
		return "error"
	case signature.Medium:
		return "warning"
	}
	return "note"
}

// precision says how often a rule of the category is right on its own:
// identity and product rules name the maker, indicators are indirect and
// mentions are free text.
func precision(c signature.Category) string {
	switch c {
	case signature.Indicator:
		return "medium"
	case signature.Mention:
		return "low"
	case "":
		return ""
	}
	return "high"
}

// WriteSARIF writes a SARIF 2.1.0 log with one run. Rules are the
// reportingDescriptors of every rule a finding cites, sorted by id; each
// finding is one result located at its target (the SBOM file) and at its
// component as a logical location. Targets that could not be read become
// error notifications of the invocation, which is then unsuccessful.
func WriteSARIF(w io.Writer, r *result.Result) error {
	return writeIndentedJSON(w, newSARIF(r))
}

func newSARIF(r *result.Result) sarifLog {
	// --- Rules: every rule cited, so that each ruleId resolves ---
	chosen := map[*result.Finding]string{}
	cited := map[string]bool{}
	for _, t := range r.Targets {
		for _, f := range t.Findings {
			id := titleRule(f)
			if id == "" {
				id = "PEDIGREE-UNKNOWN"
			}
			chosen[f] = id
			cited[id] = true
			for _, rid := range f.Rules {
				cited[rid] = true
			}
		}
	}
	ids := make([]string, 0, len(cited))
	for id := range cited {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := make(map[string]int, len(ids))
	rules := make([]sarifRule, 0, len(ids))
	for i, id := range ids {
		index[id] = i
		rules = append(rules, sarifRuleOf(id, r.Signatures))
	}

	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: toolName(r), Version: r.ToolVersion, InformationURI: informationURI, Rules: rules,
		}},
		Results:    []sarifResult{},
		Properties: sarifRunProps{FailOn: failOn(r)},
	}
	if set := r.Signatures; set != nil {
		run.Properties.SignaturesVersion, run.Properties.SignaturesDigest = set.Version(), set.Digest
	}

	// --- Results and notifications, target by target ---
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, t := range r.Targets {
		uri := artifactURI(t.Target)
		at := []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}}}
		if t.Verdict == result.Error || t.Verdict == result.Incomplete {
			inv.ExecutionSuccessful = false
		}
		for _, e := range t.Errors {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
				sarifNotification{Level: "error", Message: sarifText{Text: e}, Locations: at})
		}
		if t.Document != nil {
			for _, e := range t.Document.Warnings {
				inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
					sarifNotification{Level: "warning", Message: sarifText{Text: e}, Locations: at})
			}
		}
		names := newNamer(t.Document, r.FullPaths)
		for _, f := range t.Findings {
			id := chosen[f]
			run.Results = append(run.Results, sarifResultOf(t, f, id, index[id], uri, names))
		}
	}
	run.Invocations = []sarifInvocation{inv}
	return sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
}

func sarifRuleOf(id string, set *signature.Set) sarifRule {
	var rule *signature.Rule
	if set != nil {
		rule = set.Rule(id)
	}
	if rule == nil {
		// A rule the signature set does not hold (a hand-built result):
		// describe it by its id so the result still resolves.
		return sarifRule{
			ID:                   id,
			ShortDescription:     sarifText{Text: id},
			FullDescription:      sarifText{Text: id},
			Help:                 sarifHelp{Text: id},
			DefaultConfiguration: sarifRuleConfig{Level: "warning"},
			Properties:           sarifRuleProps{Tags: []string{"supply-chain", "prohibited-vendor", securityTag}},
		}
	}
	title := strings.TrimSpace(rule.Title)
	if title == "" {
		title = id
	}
	desc := strings.TrimSpace(rule.Description)
	if desc == "" {
		desc = title
	}
	help, md := desc, desc
	if len(rule.References) > 0 {
		help += "\n\nReferences:"
		md += "\n\n**References**\n"
		for _, ref := range rule.References {
			help += "\n- " + ref
			md += "\n- " + ref
		}
	}
	tags := []string{"supply-chain", "prohibited-vendor"}
	if c := string(rule.Category); c != "" && !slices.Contains(tags, c) && c != securityTag {
		tags = append(tags, c)
	}
	tags = append(tags, securityTag)
	return sarifRule{
		ID:                   id,
		Name:                 pascal(title),
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: desc},
		Help:                 sarifHelp{Text: help, Markdown: md},
		DefaultConfiguration: sarifRuleConfig{Level: level(rule.Severity)},
		Properties: sarifRuleProps{
			Tags:             tags,
			SecuritySeverity: securitySeverity[rule.Severity],
			Precision:        precision(rule.Category),
			Severity:         string(rule.Severity),
			Entity:           rule.Entity,
		},
	}
}

func sarifResultOf(t *result.Target, f *result.Finding, ruleID string, ruleIndex int, uri string, names namer) sarifResult {
	jf := newFinding(f, names)
	path := pathText(jf.Component, " > ")

	msg := strings.TrimSpace(f.Title)
	if msg == "" {
		msg = f.Entity + " component " + jf.Component.Name
	}
	msg = strings.TrimSuffix(msg, ".") + "."
	if f.WhiteLabel {
		if f.Offered != "" {
			msg += fmt.Sprintf(" White-labelled: offered as %q, made by %s.", f.Offered, f.Entity)
		} else {
			msg += fmt.Sprintf(" White-labelled: made by %s.", f.Entity)
		}
	}
	if path != "" {
		msg += " Path: " + path + "."
	}

	name := jf.Component.Name
	if name == "" {
		name = jf.Component.Ref
	}
	loc := sarifLocation{PhysicalLocation: evidenceLocation(t, f, jf.Component.Locations, uri)}
	if name != "" {
		fq := path
		if fq == "" {
			fq = name
		}
		loc.LogicalLocations = []sarifLogical{{Name: name, FullyQualifiedName: fq, Kind: "package"}}
	}

	res := sarifResult{
		RuleID:              ruleID,
		RuleIndex:           ruleIndex,
		Level:               level(f.Severity),
		Message:             sarifText{Text: msg},
		Locations:           []sarifLocation{loc},
		PartialFingerprints: map[string]string{fingerprintKey: f.ID},
		Properties: sarifResultProps{
			SecuritySeverity: securitySeverity[f.Severity],
			Severity:         string(f.Severity),
			Entity:           f.Entity,
			WhiteLabel:       f.WhiteLabel,
			OfferedAs:        f.Offered,
			Confidence:       string(f.Confidence),
			Rules:            jf.Rules,
			Gating:           f.Gating,
			WaiverExpired:    waiverExpired(f),
			Target:           t.Target,
			Component:        jf.Component,
			Evidence:         jf.Evidence,
		},
	}
	if f.Suppressed && f.Waiver != nil {
		w := f.Waiver
		just := fmt.Sprintf("%s (owner: %s; expires: %s", w.Reason, w.Owner, w.Expires)
		if w.Source != "" {
			just += "; waiver: " + w.Source
		}
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: just + ")"}}
	}
	return res
}

// evidenceLocation is where a result points: the file and line of the
// first evidence that has one (an import deep inspection found at
// "PATH:LINE" or "PATH:LINE:COLUMN"), else of the component's first
// location that has one (what a recipe declares is located at its line),
// when that file lies under the scanned directory or is the scanned file;
// otherwise the target itself (the SBOM file), at line 1.
func evidenceLocation(t *result.Target, f *result.Finding, componentLocations []string, uri string) sarifPhysical {
	var locs []string
	for _, ev := range f.Evidence {
		locs = append(locs, ev.Location)
	}
	locs = append(locs, componentLocations...)
	for _, l := range locs {
		path, line, col, ok := lineOf(l)
		if !ok {
			continue
		}
		switch t.Source {
		case source.KindDir:
			base := strings.TrimSuffix(uri, "/")
			if base == "" || base == "." {
				return sarifPhysical{ArtifactLocation: sarifArtifact{URI: (&url.URL{Path: path}).String()}, Region: &sarifRegion{StartLine: line, StartColumn: col}}
			}
			return sarifPhysical{ArtifactLocation: sarifArtifact{URI: base + "/" + (&url.URL{Path: path}).String()}, Region: &sarifRegion{StartLine: line, StartColumn: col}}
		case source.KindFile:
			if p := strings.ReplaceAll(stripSourceScheme(t.Target), `\`, "/"); p == path || strings.HasSuffix(p, "/"+path) {
				return sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}, Region: &sarifRegion{StartLine: line, StartColumn: col}}
			}
		}
	}
	return sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}, Region: &sarifRegion{StartLine: 1}}
}

// lineOf splits an evidence location "PATH:LINE" or "PATH:LINE:COLUMN"
// into its parts. A location inside an archive ("a.zip!b/c.gradle:3"),
// an absolute or parent path, or one without a line gives ok false.
func lineOf(loc string) (path string, line, col int, ok bool) {
	if loc == "" || strings.Contains(loc, "!") {
		return "", 0, 0, false
	}
	num := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || strings.HasPrefix(s, "+") {
			return 0
		}
		return n
	}
	rest, last, found := cutLast(loc)
	if !found || num(last) == 0 {
		return "", 0, 0, false
	}
	line = num(last)
	if p, l, found := cutLast(rest); found && num(l) > 0 {
		rest, line, col = p, num(l), line
	}
	path = strings.ReplaceAll(rest, `\`, "/")
	if path == "" || strings.HasPrefix(path, "/") || hasDriveLetter(path) || path == ".." || strings.HasPrefix(path, "../") || strings.Contains(path, "/../") {
		return "", 0, 0, false
	}
	return strings.TrimPrefix(path, "./"), line, col, true
}

func cutLast(s string) (before, after string, found bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// artifactURI turns a target as given into a URI reference: the scheme
// prefix (sbom:, dir:, ...) is dropped, separators become slashes, a
// relative path stays relative (code scanning resolves it against the
// repository root) and an absolute one becomes a file URI.
func artifactURI(target string) string {
	p := stripSourceScheme(target)
	p = strings.ReplaceAll(p, `\`, "/")
	switch {
	case strings.HasPrefix(p, "/"):
		return (&url.URL{Scheme: "file", Path: p}).String()
	case hasDriveLetter(p):
		return (&url.URL{Scheme: "file", Path: "/" + p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// stripSourceScheme is the path of a target without its scheme prefix
// (docs/DESIGN.md lists them).
func stripSourceScheme(target string) string {
	_, path, _ := source.Split(target)
	return path
}

func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}

// pascal turns a rule title into a SARIF rule name:
// "Kaspersky anti-virus engine" becomes "KasperskyAntiVirusEngine".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
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
