package report

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/pedigree-sbom/pedigree/pkg/internal/browsertest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// The HTML report is checked in a real browser: headless Chromium loads
// the page from a file, and the test reads back the DOM it built, a
// screenshot and a PDF print. Chromium is Debian's chromium package, or
// the program PEDIGREE_CHROMIUM names. .ci/run installs it and sets
// PEDIGREE_REQUIRE_BROWSER=1, so in CI a missing browser fails the test;
// a local run without it skips with a message.

// chromium returns the browser to run, or skips (fails in CI).
func chromium(t *testing.T) string { return browsertest.Chromium(t, "the HTML report") }

// browse writes the report of r to a file in dir and runs Chromium
// headless on it with extra arguments, returning what it printed on stdout.
func browse(t *testing.T, r *result.Result, dir string, args ...string) []byte {
	t.Helper()
	bin := chromium(t)
	var page bytes.Buffer
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		// Any request the page made would fail: the report must need none.
		"--host-resolver-rules=MAP * ~NOTFOUND"}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+file)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	return out.Bytes()
}

// --- A minimal DOM query helper over golang.org/x/net/html ---

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// all returns the element nodes under n for which ok is true, in order.
func all(n *html.Node, ok func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && ok(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return out
}

func tag(name string, class ...string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if n.Data != name {
			return false
		}
		for _, c := range class {
			if !hasClass(n, c) {
				return false
			}
		}
		return true
	}
}

func text(n *html.Node) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return strings.TrimSpace(b.String())
}

func dumpDOM(t *testing.T, r *result.Result) *html.Node {
	t.Helper()
	out := browse(t, r, t.TempDir(), "--dump-dom")
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parse the DOM Chromium dumped: %v", err)
	}
	return doc
}

// TestHTMLInBrowser loads the report of two targets (one failing with
// three findings, one that could not be read) and checks the DOM Chromium
// built from it.
func TestHTMLInBrowser(t *testing.T) {
	doc := dumpDOM(t, testResult())
	mains := all(doc, func(n *html.Node) bool { return n.Data == "main" && attr(n, "id") == "report" })
	if len(mains) != 1 || attr(mains[0], "data-verdict") != "error" {
		t.Fatalf("main#report: got %d, verdict %q; want one with verdict error", len(mains), attr(mains[0], "data-verdict"))
	}
	if rows := all(doc, tag("tr", "target-row")); len(rows) != 2 ||
		attr(rows[0], "data-verdict") != "fail" || attr(rows[1], "data-verdict") != "error" {
		t.Errorf("summary rows: got %d, want fail then error", len(rows))
	}
	sections := all(doc, tag("section", "target"))
	if len(sections) != 2 {
		t.Fatalf("got %d target sections, want 2", len(sections))
	}
	findings := all(sections[0], tag("tr", "finding"))
	var sev, rules []string
	for _, f := range findings {
		sev = append(sev, attr(f, "data-severity"))
		rules = append(rules, attr(f, "data-rule"))
	}
	if got, want := strings.Join(sev, ","), "critical,low,info"; got != want {
		t.Errorf("finding severities %s, want %s", got, want)
	}
	if got, want := strings.Join(rules, ","), "KL-SDK-001,KL-DEV-001,KL-MENTION-001"; got != want {
		t.Errorf("finding rules %s, want %s", got, want)
	}
	// The first finding: white label, gating, its path drawn from the
	// product root to the flagged component, its four pieces of evidence.
	first := findings[0]
	if attr(first, "data-white-label") != "true" || attr(first, "data-gating") != "true" {
		t.Errorf("first finding: white-label %q gating %q, want true true", attr(first, "data-white-label"), attr(first, "data-gating"))
	}
	var steps []string
	for _, li := range all(first, func(n *html.Node) bool { return n.Data == "li" && n.Parent != nil && hasClass(n.Parent, "path") }) {
		steps = append(steps, text(li))
	}
	if got, want := strings.Join(steps, " > "), "Acme Secure Gateway > Acme Scan Module > acme-scan-core"; got != want {
		t.Errorf("path %q, want %q", got, want)
	}
	if flagged := all(first, tag("li", "flagged")); len(flagged) != 1 || text(flagged[0]) != "acme-scan-core" {
		t.Errorf("the flagged step is not the component")
	}
	if ev := all(first, func(n *html.Node) bool { return n.Data == "li" && attr(n, "data-kind") != "" }); len(ev) != 4 {
		t.Errorf("first finding has %d evidence items, want 4", len(ev))
	}
	if suppressed := all(sections[0], tag("tr", "suppressed")); len(suppressed) != 1 || attr(suppressed[0], "data-rule") != "KL-DEV-001" {
		t.Errorf("want exactly the waived KL-DEV-001 finding shown as suppressed")
	}
	if errs := all(sections[1], tag("ul", "errors")); len(errs) != 1 || !strings.Contains(text(errs[0]), "no such file") {
		t.Errorf("the unreadable target does not show its error")
	}
	// Every rule a finding links to is defined, with its references.
	defined := map[string]bool{}
	for _, dt := range all(doc, func(n *html.Node) bool { return n.Data == "dt" && strings.HasPrefix(attr(n, "id"), "rule-") }) {
		defined[attr(dt, "id")] = true
	}
	for _, a := range all(doc, tag("a", "rule")) {
		if !defined[strings.TrimPrefix(attr(a, "href"), "#")] {
			t.Errorf("link %s goes to no rule", attr(a, "href"))
		}
	}
	if len(defined) != 5 {
		t.Errorf("%d rules defined, want the 5 cited", len(defined))
	}
	if refs := all(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "https://www.kaspersky.com/oem" }); len(refs) != 1 {
		t.Errorf("KL-SDK-001's reference is not a link")
	}
	// Self-contained: nothing that loads a resource.
	for _, n := range all(doc, func(n *html.Node) bool {
		return n.Data == "script" || n.Data == "img" || n.Data == "iframe" || n.Data == "link" || n.Data == "object"
	}) {
		t.Errorf("the report has a <%s> element", n.Data)
	}
}

// hostileResult is a passing target whose SBOM values try to inject
// markup and script into the page.
func hostileResult() *result.Result {
	evil := `<script>document.title="owned"</script><img src="http://example.invalid/x.png">`
	doc := &model.Document{Format: model.FormatCycloneDXJSON, SpecVersion: "1.6", Roots: []string{"root"},
		Components: []*model.Component{
			{Ref: "root", Name: "Product " + evil, Supplier: &model.Party{Name: `"><b>bold</b>`}},
			{Ref: "c", Name: "lib" + evil, Parent: "root"},
		}}
	return &result.Result{ToolName: "pedigree", Signatures: testSet(),
		Targets: []*result.Target{{Target: "x.cdx.json", Source: "sbom", Document: doc, Verdict: result.Pass,
			Findings: []*result.Finding{{Finding: match.Finding{ID: "PDG-1", Severity: signature.Info, Entity: "Kaspersky",
				Title: "mention " + evil, Rule: "KL-MENTION-001", Rules: []string{"KL-MENTION-001"}, Component: doc.Component("c"),
				Path:     []string{"root", "c"},
				Evidence: []match.Evidence{{Rule: "KL-MENTION-001", Kind: match.KindMention, Field: "description", Value: evil}}}}}}}}
}

func TestHTMLEscapesInBrowser(t *testing.T) {
	doc := dumpDOM(t, hostileResult())
	for _, n := range all(doc, func(n *html.Node) bool { return n.Data == "script" || n.Data == "img" || n.Data == "b" }) {
		t.Errorf("an SBOM value became a <%s> element", n.Data)
	}
	titles := all(doc, tag("title"))
	if len(titles) != 1 || text(titles[0]) != "pedigree report: PASS" {
		t.Errorf("title changed: %q", text(titles[0]))
	}
	if f := all(doc, tag("tr", "finding")); len(f) != 1 || !strings.Contains(text(f[0]), `<script>document.title="owned"</script>`) {
		t.Errorf("the hostile value is not shown as text")
	}
}

// TestHTMLScreenshot renders the page at a fixed window size and checks
// the image: its size, the verdict banner's colour at the top, and that
// the page below it is drawn (not blank).
func TestHTMLScreenshot(t *testing.T) {
	for _, tc := range []struct {
		name   string
		result *result.Result
		banner color.RGBA
	}{
		{"error", testResult(), color.RGBA{0x6a, 0x1b, 0x9a, 0xff}},
		{"pass", passResult(), color.RGBA{0x1b, 0x7f, 0x3b, 0xff}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			shot := filepath.Join(dir, "shot.png")
			browse(t, tc.result, dir, "--window-size=1280,900", "--screenshot="+shot)
			f, err := os.Open(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v", err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("decode screenshot: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 900 {
				t.Fatalf("screenshot is %dx%d, want 1280x900", b.Dx(), b.Dy())
			}
			if got := rgba(img.At(1200, 8)); !near(got, tc.banner) {
				t.Errorf("banner colour %v, want %v", got, tc.banner)
			}
			// Below the banner: white paper with text drawn on it.
			colours := map[color.RGBA]int{}
			for y := 120; y < 900; y += 2 {
				for x := 0; x < 1280; x += 2 {
					colours[rgba(img.At(x, y))]++
				}
			}
			if len(colours) < 20 {
				t.Errorf("the page below the banner has %d colours: nothing drawn?", len(colours))
			}
			if white := colours[color.RGBA{0xff, 0xff, 0xff, 0xff}]; white < len(colours) {
				t.Errorf("the page is not on white (%d white samples)", white)
			}
		})
	}
}

// TestHTMLPrint prints the page to PDF, as a reader filing the report
// would, and checks a PDF of at least one page came out.
func TestHTMLPrint(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "report.pdf")
	browse(t, testResult(), dir, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatalf("no PDF: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF", pdf)
	}
	pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1)
	if len(pages) < 1 {
		t.Errorf("the PDF has no pages")
	}
	t.Logf("printed %d bytes, %d pages", len(b), len(pages))
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// near allows for colour management and antialiasing in the browser.
func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) <= 6 && d(a.G, b.G) <= 6 && d(a.B, b.B) <= 6
}
