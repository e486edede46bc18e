package webui

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/browsertest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/store"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// The web UI is tested in a real browser: headless Chromium (Debian's
// chromium package, or the program PEDIGREE_CHROMIUM names), driven by
// chromedp. .ci/run installs it and sets PEDIGREE_REQUIRE_BROWSER=1, so in
// CI a missing browser fails the test; a local run without it skips with
// a message.

// chromium returns the browser to run, or skips (fails in CI).
func chromium(t *testing.T) string { return browsertest.Chromium(t, "the web UI") }

// loader loads the engine as pedigree serve does: the embedded pack plus
// the rule files installed in dir, read again at every call.
func loader(dir string) func() (*match.Engine, error) {
	return func() (*match.Engine, error) {
		base, err := signatures.Layer()
		if err != nil {
			return nil, err
		}
		layers := []signature.Layer{base}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			l, err := signature.LoadPath(dir)
			if err != nil {
				return nil, err
			}
			layers = append(layers, l)
		}
		return match.Compile(layers...)
	}
}

// TestBrowserReview drives the review a procurement officer makes, in
// Chromium: log in, upload a white-labelled product's SBOM and see it
// fail, waive its findings and see the verdict change, then install a
// newer signature pack and see the re-evaluation it causes among the
// changes. Every page is checked against its CSP by the browser itself:
// any violation, script error or request off the server fails the test.
func TestBrowserReview(t *testing.T) {
	bin := chromium(t)
	pgtest.Each(t, func(t *testing.T, dbURL string) { browserReview(t, bin, dbURL) })
}

func browserReview(t *testing.T, bin, dbURL string) {
	packs := t.TempDir()
	reload := loader(packs)
	eng, err := reload()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := serve.New(serve.Config{Store: st, Engine: eng, Reload: reload})
	if err != nil {
		t.Fatal(err)
	}
	if err := Mount(srv, st, Options{}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- srv.Run(ctx, ln, srv.Worker("browser-test", serve.WorkerOptions{Interval: 300 * time.Millisecond}), 5*time.Second)
	}()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	secret, _, err := st.CreateToken(ctx, "test", "rita", store.Reviewer)
	if err != nil {
		t.Fatal(err)
	}
	// The clean product, already accepted before the pack update.
	if _, err := srv.Submit(ctx, "test", serve.Upload{Product: "Acme Desktop Suite", Filename: "acme.json",
		Data: fixture(t, "sbom/acme-suite.cdx-1.6.json")}); err != nil {
		t.Fatal(err)
	}

	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1800),
		// Any name but the server's own address fails to resolve.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"))...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancelTimeout := context.WithTimeout(bctx, 3*time.Minute)
	defer cancelTimeout()

	var mu sync.Mutex
	var problems, requests []string
	if err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	console := chromedp.Console(bctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			mu.Lock()
			problems = append(problems, m.String()+" ("+m.Source+" "+m.URL+")")
			mu.Unlock()
		}
	}()
	shots := os.Getenv("PEDIGREE_SCREENSHOTS") // a directory, to look at the pages
	shot := func(name string) {
		if shots == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	// until reloads path until sel's text is want, or fails after 30 s.
	until := func(path, sel, want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			do("open "+path, chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS("main")))
			got := ""
			if nodes, err := chromedp.Run(bctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.AtLeast(0))); err == nil && len(nodes) > 0 {
				got = text(sel)
			}
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				shot("timeout")
				t.Fatalf("%s: %s is %q after 30 s, want %q", path, sel, got, want)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	// Log in: the first page sends to the login form.
	do("open the UI", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	shot("1-login")
	do("log in", chromedp.SendKeys(chromedp.CSS("#token"), secret), chromedp.Click(chromedp.CSS("form.login button")),
		chromedp.WaitVisible(chromedp.CSS("#me")))
	if got := text("#me"); got != "rita (reviewer)" {
		t.Errorf("logged in as %q", got)
	}

	// Upload the white-labelled product: FAIL.
	gateway, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "whitelabel", "northwind-gateway.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	do("upload", chromedp.Navigate(base+"/upload"), chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SendKeys(chromedp.CSS("#product"), "Northwind Gateway"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{gateway}),
		chromedp.Click(chromedp.CSS("form.upload button")), chromedp.WaitVisible(chromedp.CSS("#verdict")))
	shot("2-uploaded")
	if got := text("#verdict"); got != "fail" {
		t.Fatalf("the uploaded white-labelled product's verdict is %q, want fail", got)
	}
	location, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil || !strings.HasPrefix(location, base+"/submissions/") {
		t.Fatalf("after the upload the browser is at %q (%v)", location, err)
	}
	subPath := strings.TrimPrefix(strings.SplitN(location, "?", 2)[0], base)
	svgs, err := chromedp.Run(bctx, chromedp.Nodes(chromedp.CSSAll("svg.path text.path-flagged")))
	if err != nil || len(svgs) == 0 {
		t.Errorf("no dependency path picture with a flagged component: %v", err)
	}
	gating, err := chromedp.Run(bctx, chromedp.AttributesAll(chromedp.CSSAll(`section.finding[data-gating="true"]`)))
	if err != nil || len(gating) == 0 {
		t.Fatalf("no gating finding shown: %v", err)
	}

	// Waive each gating finding with the form under it.
	for _, attrs := range gating {
		sel := `section.finding[data-finding="` + attrs["data-finding"] + `"] details.waive`
		do("waive "+attrs["data-finding"], chromedp.Navigate(base+subPath), chromedp.Click(chromedp.CSS(sel+" summary")),
			chromedp.SendKeys(chromedp.CSS(sel+` textarea[name="reason"]`), "Engine removed in release 7.3; confirmed by the supplier (test)"),
			chromedp.SendKeys(chromedp.CSS(sel+` input[name="owner"]`), "security@example.com"),
			chromedp.Click(chromedp.CSS(sel+` button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#notice")))
	}
	until(subPath, "#verdict", "pass")
	shot("3-waived")
	do("open the waivers", chromedp.Navigate(base+"/waivers"), chromedp.WaitVisible(chromedp.CSS("table.waivers")))
	rows, err := chromedp.Run(bctx, chromedp.Nodes(chromedp.CSSAll("table.waivers tbody tr")))
	if err != nil || len(rows) != len(gating) {
		t.Errorf("%d waivers listed, want %d (%v)", len(rows), len(gating), err)
	}
	shot("4-waivers")

	// Install a newer pack where the server loads packs from: the worker
	// takes it up, re-evaluates, and the change is listed.
	if err := os.WriteFile(filepath.Join(packs, "newer.yaml"), []byte(enginetest.NewerPack), 0o644); err != nil {
		t.Fatal(err)
	}
	until("/changes", `tr[data-product="Acme Desktop Suite"] td:nth-child(4) .badge:last-child`, "fail")
	if got := text("#status strong"); !strings.HasSuffix(got, "+2026.12.1") {
		t.Errorf("the status names pack %q, want the newer one", got)
	}
	if got := text(`tr[data-product="Acme Desktop Suite"] td:nth-child(5)`); !strings.Contains(got, "TEST-ACME-001") {
		t.Errorf("the change's reason is %q, want the new rule", got)
	}
	shot("5-changes")
	until("/?verdict=fail", `tr[data-product="Acme Desktop Suite"] .badge`, "fail")
	shot("6-products")

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
	for _, u := range requests {
		// data: URLs are the browser's own (the date input's icon).
		if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s, off the server", u)
		}
	}
	if len(requests) < 10 {
		t.Errorf("only %d requests seen: the network events are not being recorded", len(requests))
	}
}
