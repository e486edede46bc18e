package webui

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// TestMain stops the PostgreSQL test server, if a test started one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// fixture reads a shared fixture.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testUI is a server with the UI mounted, served over HTTP, and a token of
// every role.
type testUI struct {
	srv    *serve.Server
	store  *store.Store
	http   *httptest.Server
	tokens map[store.Role]string
}

// newUI starts a server over a new database at dbURL; cfg's Store and
// Engine are filled in (the embedded engine unless set).
func newUI(t testing.TB, dbURL string, cfg serve.Config) *testUI {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg.Store = st
	if cfg.Engine == nil {
		cfg.Engine = enginetest.Embedded(t)
	}
	srv, err := serve.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Mount(srv, st, Options{}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	u := &testUI{srv: srv, store: st, http: ts, tokens: map[store.Role]string{}}
	for _, r := range store.AllRoles() {
		secret, _, err := st.CreateToken(context.Background(), "test", string(r)+" person", r)
		if err != nil {
			t.Fatal(err)
		}
		u.tokens[r] = secret
	}
	return u
}

// browser is an HTTP client with cookies that does not follow redirects
// and sends what a browser sends with a form: its origin.
type browser struct {
	t      testing.TB
	ui     *testUI
	client *http.Client
}

func (u *testUI) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ui: u, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response, its body read.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if req.Method == http.MethodPost && req.Header.Get("Origin") == "" {
		req.Header.Set("Origin", b.ui.http.URL)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.ui.http.URL+path, nil)
	return b.do(req)
}

// post sends a form; header holds extra headers.
func (b *browser) post(path string, form url.Values, header ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.ui.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf is the CSRF token of the forms of the page at path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	p := b.get(path)
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("GET %s: %d, no CSRF field in\n%s", path, p.status, p.body)
	}
	return m[1]
}

// login logs in with the token of role.
func (b *browser) login(role store.Role) {
	b.t.Helper()
	nonce := b.csrf("/login")
	p := b.post("/login", url.Values{"csrf": {nonce}, "token": {b.ui.tokens[role]}, "next": {"/"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
		b.t.Fatalf("login as %s: %d %s\n%s", role, p.status, p.header.Get("Location"), p.body)
	}
}

// upload sends the upload form.
func (b *browser) upload(csrf, product, filename string, data []byte, fields ...string) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	mw.WriteField("product", product)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.ui.http.URL+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// pages are every page of the UI that a GET reaches, once the white-
// labelled fixture is submitted as submission 1 of "Northwind Gateway".
var pages = []string{"/", "/?verdict=fail&q=north", "/products/Northwind%20Gateway", "/submissions/1", "/changes",
	"/changes?since=2026-01-01", "/waivers", "/waivers?revoked=1", "/upload"}

func TestPagesNeedASession(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		u := newUI(t, dbURL, serve.Config{})
		b := u.browser(t)
		for _, path := range pages {
			p := b.get(path)
			if want := "/login?next=" + url.QueryEscape(path); p.status != http.StatusSeeOther || p.header.Get("Location") != want {
				t.Errorf("GET %s without a session: %d to %q, want 303 to %q", path, p.status, p.header.Get("Location"), want)
			}
		}
		for _, path := range []string{"/upload", "/waivers", "/waivers/1/revoke", "/logout"} {
			if p := b.post(path, url.Values{"csrf": {"x"}}); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "log in again") {
				t.Errorf("POST %s without a session: %d\n%s", path, p.status, p.body)
			}
		}
		// A cookie that is no session is none.
		b.client.Jar.SetCookies(mustURL(t, u.http.URL), []*http.Cookie{{Name: sessionCookie, Value: "pds_forged"}})
		if p := b.get("/"); p.status != http.StatusSeeOther {
			t.Errorf("GET / with a forged session: %d", p.status)
		}
		// The API's tokens are not accepted as cookies, nor sessions as tokens.
		b.client.Jar.SetCookies(mustURL(t, u.http.URL), []*http.Cookie{{Name: sessionCookie, Value: u.tokens[store.Admin]}})
		if p := b.get("/"); p.status != http.StatusSeeOther {
			t.Errorf("GET / with a token as the session cookie: %d", p.status)
		}
		for _, path := range []string{"/ui.css", "/login"} {
			if p := b.get(path); p.status != http.StatusOK {
				t.Errorf("GET %s: %d, want 200 without a session", path, p.status)
			}
		}
	})
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFlowOnBothDatabases(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		u := newUI(t, dbURL, serve.Config{})
		b := u.browser(t)
		b.login(store.Reviewer)
		csrf := b.csrf("/upload")
		p := b.upload(csrf, "Northwind Gateway", "northwind-gateway.cdx.json", fixture(t, "whitelabel/northwind-gateway.cdx.json"),
			"supplier", "Northwind Security Ltd", "owner", "procurement")
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/submissions/1?submitted=1" {
			t.Fatalf("upload: %d %s\n%s", p.status, p.header.Get("Location"), p.body)
		}
		if p := b.get("/?q=northwind+security"); !strings.Contains(p.body, `data-product="Northwind Gateway"`) {
			t.Errorf("the product made by the upload is not found by its supplier:\n%s", p.body)
		}
		sub := b.get("/submissions/1?submitted=1")
		for _, want := range []string{`id="verdict">fail<`, `class="finding`, `<svg xmlns="http://www.w3.org/2000/svg" class="path"`, `white-labelled`, `Submitted and evaluated.`} {
			if !strings.Contains(sub.body, want) {
				t.Errorf("the submission's page lacks %q", want)
			}
		}
		for _, path := range pages {
			p := b.get(path)
			if p.status != http.StatusOK {
				t.Errorf("GET %s: %d\n%s", path, p.status, p.body)
			}
			checkPage(t, path, p)
		}
		if p := b.get("/submissions/99"); p.status != http.StatusNotFound {
			t.Errorf("GET /submissions/99: %d", p.status)
		}
		if p := b.get("/products/nope"); p.status != http.StatusNotFound {
			t.Errorf("GET /products/nope: %d", p.status)
		}
		if p := b.get("/?verdict=bogus"); p.status != http.StatusBadRequest {
			t.Errorf("GET /?verdict=bogus: %d", p.status)
		}

		// Waive every gating finding; the worker re-evaluates and the
		// verdict becomes pass.
		ids := regexp.MustCompile(`data-finding="([^"]+)" data-severity="[a-z]+" data-gating="true"`).FindAllStringSubmatch(sub.body, -1)
		if len(ids) == 0 {
			t.Fatal("no gating finding on the page")
		}
		for _, m := range ids {
			p := b.post("/waivers", url.Values{"csrf": {csrf}, "back": {"/submissions/1"}, "finding": {m[1]},
				"product": {"Northwind Gateway"}, "scope": {"product"}, "reason": {"engine removed in 7.3 (test)"},
				"owner": {"sec@example.com"}, "expires": {u.srv.Now().AddDate(0, 0, 10).Format("2006-01-02")}})
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/submissions/1?waived=") {
				t.Fatalf("waive %s: %d %s\n%s", m[1], p.status, p.header.Get("Location"), p.body)
			}
		}
		if p := b.get("/submissions/1"); !strings.Contains(p.body, `id="stale"`) || !strings.Contains(p.body, `id="verdict">fail<`) {
			t.Errorf("before the re-evaluation, the page does not say the verdict is being re-evaluated")
		}
		if p := b.get("/"); !strings.Contains(p.body, `class="stale"`) {
			t.Errorf("before the re-evaluation, the product list does not say the verdict is being re-evaluated")
		}
		if _, err := u.srv.Worker("test", serve.WorkerOptions{}).Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		if p := b.get("/submissions/1"); !strings.Contains(p.body, `id="verdict">pass<`) || strings.Contains(p.body, `id="stale"`) {
			t.Errorf("after the waivers, the verdict is not pass:\n%s", p.body)
		}
		w := b.get("/waivers")
		if !strings.Contains(w.body, `id="new-waiver"`) || !strings.Contains(w.body, `<option value="Northwind Gateway">`) {
			t.Errorf("the waivers page has no new waiver form for a reviewer")
		}
		if !strings.Contains(w.body, `id="expiring"`) || !strings.Contains(w.body, "expires in 11 days") {
			t.Errorf("the waivers page does not warn of waivers whose last day is 10 days away:\n%s", w.body)
		}
		ch := b.get("/changes?since=2026-01-01")
		if !strings.Contains(ch.body, `data-product="Northwind Gateway" data-to="pass"`) {
			t.Errorf("the change fail → pass is not listed:\n%s", ch.body)
		}
		// Revoking one brings the finding back.
		wid := regexp.MustCompile(`data-waiver="(\d+)"`).FindStringSubmatch(w.body)[1]
		if p := b.post("/waivers/"+wid+"/revoke", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d\n%s", p.status, p.body)
		}
		u.srv.Worker("test", serve.WorkerOptions{}).Drain(t.Context())
		if p := b.get("/submissions/1"); !strings.Contains(p.body, `id="verdict">fail<`) {
			t.Errorf("after revoking a waiver, the verdict is not fail")
		}
		// The audit trail, for admins: the waivers, the verdict changes
		// and the logins are in it.
		if p := b.get("/audit"); p.status != http.StatusForbidden {
			t.Errorf("a reviewer's GET /audit: %d", p.status)
		}
		a := u.browser(t)
		a.login(store.Admin)
		au := a.get("/audit")
		for _, action := range []string{store.ActionWaiverCreate, store.ActionWaiverRevoke, store.ActionVerdictChange, store.ActionSessionOpen, store.ActionSubmit} {
			if !strings.Contains(au.body, `data-action="`+action+`"`) {
				t.Errorf("the audit page lacks %s", action)
			}
		}
		checkPage(t, "/audit", au)
		// Logging out ends the session.
		if p := b.post("/logout", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
			t.Errorf("logout: %d", p.status)
		}
		if p := b.get("/"); p.status != http.StatusSeeOther {
			t.Errorf("after logging out: %d", p.status)
		}
	})
}

// checkPage checks what every page must be: HTML under the strict CSP,
// with no script, no inline style or handler, and nothing loaded from
// elsewhere.
func checkPage(t *testing.T, path string, p page) {
	t.Helper()
	if got := p.header.Get("Content-Security-Policy"); got != csp {
		t.Errorf("%s: CSP %q", path, got)
	}
	if !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") || p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: headers %v", path, p.header)
	}
	low := strings.ToLower(p.body)
	for _, bad := range []string{"<script", "javascript:", " style=", "<iframe", "<object", "<embed", "@import"} {
		if strings.Contains(low, bad) {
			t.Errorf("%s: the page holds %q", path, bad)
		}
	}
	if m := regexp.MustCompile(`<[^>]*\son[a-z]+=`).FindString(low); m != "" {
		t.Errorf("%s: an event handler attribute %q", path, m)
	}
	for _, m := range regexp.MustCompile(`\s(?:src|href|action)="([^"]*)"`).FindAllStringSubmatch(p.body, -1) {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("%s: a link or resource off this server: %q", path, m[1])
		}
	}
}

func TestRoles(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		u := newUI(t, dbURL, serve.Config{})
		v := u.browser(t)
		v.login(store.Viewer)
		if p := v.get("/"); p.status != http.StatusOK || strings.Contains(p.body, `href="/upload"`) {
			t.Errorf("a viewer's product list: %d, upload link shown: %t", p.status, strings.Contains(p.body, `href="/upload"`))
		}
		if p := v.get("/waivers"); p.status != http.StatusOK || strings.Contains(p.body, `id="new-waiver"`) {
			t.Errorf("a viewer's waivers page: %d, with the new waiver form: %t", p.status, strings.Contains(p.body, `id="new-waiver"`))
		}
		if p := v.get("/upload"); p.status != http.StatusForbidden || !strings.Contains(p.body, "needs the reviewer role") {
			t.Errorf("a viewer's GET /upload: %d\n%s", p.status, p.body)
		}
		csrf := v.csrf("/")
		if p := v.upload(csrf, "x", "bom.json", fixture(t, "sbom/acme-suite.cdx-1.6.json")); p.status != http.StatusForbidden {
			t.Errorf("a viewer's upload: %d", p.status)
		}
		if p := v.post("/waivers", url.Values{"csrf": {csrf}, "rule": {"KL-X"}, "reason": {"r"}, "owner": {"o"}, "expires": {"2099-01-01"}}); p.status != http.StatusForbidden {
			t.Errorf("a viewer's waiver: %d", p.status)
		}
		if ps, _ := u.srv.Products(t.Context()); len(ps) != 0 {
			t.Errorf("a viewer made products: %v", ps)
		}
		ws, _ := u.srv.Waivers(t.Context(), store.WaiverFilter{})
		if len(ws) != 0 {
			t.Errorf("a viewer made waivers: %v", ws)
		}
		// Logging in with a bad token.
		b := u.browser(t)
		nonce := b.csrf("/login")
		if p := b.post("/login", url.Values{"csrf": {nonce}, "token": {"pdg_wrong"}}); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "not accepted") {
			t.Errorf("login with a wrong token: %d\n%s", p.status, p.body)
		}
		// A revoked token ends its sessions.
		r := u.browser(t)
		r.login(store.Reviewer)
		toks, _ := u.store.Tokens(t.Context())
		for _, tk := range toks {
			if tk.Role == store.Reviewer {
				u.store.RevokeToken(t.Context(), "test", tk.ID)
			}
		}
		if p := r.get("/"); p.status != http.StatusSeeOther {
			t.Errorf("the session of a revoked token: %d", p.status)
		}
	})
}

func TestCSRF(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		u := newUI(t, dbURL, serve.Config{})
		b := u.browser(t)
		b.login(store.Reviewer)
		csrf := b.csrf("/")
		other := u.browser(t)
		other.login(store.Admin)
		otherCSRF := other.csrf("/")
		if otherCSRF == csrf {
			t.Fatal("two sessions have one CSRF token")
		}
		form := func(token string) url.Values {
			return url.Values{"csrf": {token}, "rule": {"KL-TEST"}, "reason": {"r"}, "owner": {"o"}, "expires": {"2099-01-01"}, "back": {"/waivers"}}
		}
		for _, c := range []struct {
			name   string
			form   url.Values
			header []string
		}{
			{"no token", form(""), nil},
			{"a wrong token", form(strings.Repeat("0", 64)), nil},
			{"another session's token", form(otherCSRF), nil},
			{"another origin", form(csrf), []string{"Origin", "https://evil.example"}},
			{"a null origin", form(csrf), []string{"Origin", "null"}},
			{"a cross-site fetch", form(csrf), []string{"Sec-Fetch-Site", "cross-site"}},
		} {
			if p := b.post("/waivers", c.form, c.header...); p.status != http.StatusForbidden {
				t.Errorf("%s: %d, want 403\n%s", c.name, p.status, p.body)
			}
		}
		if p := b.upload("", "x", "bom.json", fixture(t, "sbom/acme-suite.cdx-1.6.json")); p.status != http.StatusForbidden {
			t.Errorf("an upload without a CSRF token: %d", p.status)
		}
		if ws, _ := u.srv.Waivers(t.Context(), store.WaiverFilter{}); len(ws) != 0 {
			t.Errorf("a refused form made %d waivers", len(ws))
		}
		if ps, _ := u.srv.Products(t.Context()); len(ps) != 0 {
			t.Errorf("a refused upload made %d products", len(ps))
		}
		if p := b.post("/waivers", form(csrf), "Origin", "https://evil.example", "X-Forwarded-Host", "pedigree.example"); p.status != http.StatusForbidden {
			t.Errorf("another origin behind a proxy: %d", p.status)
		}
		if p := b.post("/waivers", form(csrf)); p.status != http.StatusSeeOther {
			t.Errorf("the right token: %d\n%s", p.status, p.body)
		}
		// Behind a proxy that rewrites Host, the browser's host is in
		// X-Forwarded-Host.
		if p := b.post("/waivers", form(csrf), "Origin", "https://pedigree.example", "X-Forwarded-Host", "pedigree.example"); p.status != http.StatusSeeOther {
			t.Errorf("the same origin behind a proxy: %d\n%s", p.status, p.body)
		}
		// The login form's nonce: a login without it is refused.
		l := u.browser(t)
		if p := l.post("/login", url.Values{"csrf": {"x"}, "token": {u.tokens[store.Admin]}}); p.status != http.StatusForbidden {
			t.Errorf("a login without the form's cookie: %d", p.status)
		}
		l.csrf("/login")
		if p := l.post("/login", url.Values{"csrf": {"x"}, "token": {u.tokens[store.Admin]}}); p.status != http.StatusForbidden {
			t.Errorf("a login with a wrong nonce: %d", p.status)
		}
	})
}

func TestUploadLimits(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		const max = 4096
		u := newUI(t, dbURL, serve.Config{Ingest: ingest.Options{Ingest: limits.Ingest{MaxBytes: max}}})
		b := u.browser(t)
		b.login(store.Reviewer)
		csrf := b.csrf("/upload")
		big := fixture(t, "sbom/acme-suite.cdx-1.6.json")
		for len(big) <= max {
			big = append(big, ' ')
		}
		p := b.upload(csrf, "big", "bom.json", big)
		if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "limit sbom-bytes") {
			t.Errorf("an upload over the limit: %d\n%s", p.status, p.body)
		}
		p = b.upload(csrf, "notes", "notes.txt", []byte("just some notes, not an SBOM\n"))
		if p.status != http.StatusUnsupportedMediaType || !strings.Contains(p.body, "only SBOMs") || !strings.Contains(p.body, `id="problem"`) {
			t.Errorf("an upload that is no SBOM: %d\n%s", p.status, p.body)
		}
		p = b.upload(csrf, "bad/name", "bom.json", fixture(t, "sbom/acme-suite.cdx-1.6.json"))
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "holds a &#39;/&#39;") {
			t.Errorf("an upload with a bad product name: %d\n%s", p.status, p.body)
		}
		if ps, _ := u.srv.Products(t.Context()); len(ps) != 0 {
			t.Errorf("refused uploads made products: %v", ps)
		}
		// A body far over the limit is cut off, not read.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("file", "huge.json")
		fw.Write(bytes.Repeat([]byte("x"), 1<<20))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, u.http.URL+"/upload", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if p := b.do(req); p.status != http.StatusRequestEntityTooLarge {
			t.Errorf("a 1 MiB upload against a 4 KiB limit: %d", p.status)
		}
	})
}

func TestHostileValuesAreEscaped(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		u := newUI(t, dbURL, serve.Config{})
		b := u.browser(t)
		b.login(store.Reviewer)
		csrf := b.csrf("/upload")
		sbom := strings.ReplaceAll(string(fixture(t, "whitelabel/northwind-gateway.cdx.json")), `"name": "`, `"name": "<img src=x onerror=alert(1)>`)
		p := b.upload(csrf, `Gate"way<b>`, "x.json", []byte(sbom))
		if p.status != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", p.status, p.body)
		}
		for _, path := range []string{p.header.Get("Location"), "/", "/products/" + url.PathEscape(`Gate"way<b>`)} {
			pg := b.get(path)
			if pg.status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, pg.status)
			}
			if strings.Contains(pg.body, "<img") || strings.Contains(pg.body, "<b>") {
				t.Errorf("%s: unescaped markup from the SBOM or the product name", path)
			}
			checkPage(t, path, pg)
		}
	})
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "/",
		"/":                      "/",
		"/products/x?y=1":        "/products/x?y=1",
		"//evil.example/":        "/",
		"https://evil.example/":  "/",
		"/\\evil.example":        "/",
		"javascript:alert(1)":    "/",
		"/ok\r\nSet-Cookie: x=1": "/",
		"relative":               "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCookies: the session cookie is HttpOnly and SameSite=Strict, and
// Secure when the browser came over HTTPS (to a proxy that says so).
func TestCookies(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		u := newUI(t, dbURL, serve.Config{})
		for _, https := range []bool{false, true} {
			b := u.browser(t)
			nonce := b.csrf("/login")
			form := url.Values{"csrf": {nonce}, "token": {u.tokens[store.Viewer]}}
			var p page
			if https {
				p = b.post("/login", form, "X-Forwarded-Proto", "https")
			} else {
				p = b.post("/login", form)
			}
			if p.status != http.StatusSeeOther {
				t.Fatalf("login: %d", p.status)
			}
			var session *http.Cookie
			for _, c := range (&http.Response{Header: p.header}).Cookies() {
				if c.Name == sessionCookie {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure != https ||
				!strings.HasPrefix(session.Value, store.SessionPrefix) || session.MaxAge != int(DefaultSessionTTL/time.Second) {
				t.Errorf("https %t: session cookie %+v", https, session)
			}
		}
	})
}

// TestEveryPageNeedsItsRole goes through the UI's own table of routes:
// every page but the login form and the two static files needs a session
// (a GET is sent to log in, a POST refused with 401), and one of too small
// a role is refused with 403 — with a valid CSRF token, so that it is the
// role that refuses it.
func TestEveryPageNeedsItsRole(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, dbURL string) {
		u := newUI(t, dbURL, serve.Config{})
		below := map[store.Role]store.Role{store.Reviewer: store.Viewer, store.Admin: store.Reviewer}
		sessions := map[store.Role]*browser{}
		for _, r := range []store.Role{store.Viewer, store.Reviewer} {
			sessions[r] = u.browser(t)
			sessions[r].login(r)
		}
		anonymous := u.browser(t)
		public := 0
		for _, rt := range (&ui{}).routes() {
			method, path, _ := strings.Cut(rt.pattern, " ")
			path = strings.NewReplacer("{$}", "", "{name}", "gateway", "{id}", "1").Replace(path)
			if rt.public != nil {
				public++
				continue
			}
			var p page
			if method == http.MethodGet {
				p = anonymous.get(path)
			} else {
				p = anonymous.post(path, url.Values{"csrf": {"x"}})
			}
			if want := map[string]int{"GET": http.StatusSeeOther, "POST": http.StatusUnauthorized}[method]; p.status != want {
				t.Errorf("%s without a session: %d, want %d", rt.pattern, p.status, want)
			}
			low, ok := below[rt.role]
			if !ok {
				continue
			}
			b := sessions[low]
			if method == http.MethodGet {
				p = b.get(path)
			} else {
				p = b.post(path, url.Values{"csrf": {b.csrf("/")}})
			}
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "needs the "+string(rt.role)+" role") {
				t.Errorf("%s as a %s: %d, want 403", rt.pattern, low, p.status)
			}
		}
		if public != 4 {
			t.Errorf("%d public routes, want 4 (the login form, its POST, the stylesheet, the icon)", public)
		}
	})
}

// TestStatusIsReadAfterThePageData: the status line names the pack in
// force when the page is rendered, not when the request came in. A page
// whose data was read after a newer pack was put in force (a change it
// caused, listed on /changes) must not name the older pack beside it;
// the browser test once saw that with PostgreSQL, where the worker put
// the newer pack in force and re-evaluated while a page was being read.
func TestStatusIsReadAfterThePageData(t *testing.T) {
	next := enginetest.Newer(t)
	tu := newUI(t, pgtest.SQLiteURL(t), serve.Config{Reload: func() (*match.Engine, error) { return next, nil }})
	u := &ui{srv: tu.srv, store: tu.store, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := u.parse(); err != nil {
		t.Fatal(err)
	}
	old := tu.srv.PackVersion()
	// The page's data is read while the pack changes: the handler puts the
	// newer pack in force, as the worker does between two requests.
	h := u.page(store.Viewer, func(w http.ResponseWriter, r *http.Request, _ *visit, v view) error {
		if changed, err := tu.srv.ReloadSignatures(r.Context(), "test"); err != nil || !changed {
			t.Fatalf("reload: changed %v, %v", changed, err)
		}
		v.Title, v.Data = "Not found", http.StatusNotFound
		u.render(w, http.StatusOK, "error", v)
		return nil
	})
	secret, _, err := tu.store.OpenSession(context.Background(), tu.tokens[store.Viewer], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	want := `data-pack="` + strings.ReplaceAll(next.Set().Version(), "+", "&#43;") + `"`
	if !strings.Contains(body, want) {
		t.Fatalf("the page rendered after the pack changed from %s does not show %s:\n%s", old, want, body)
	}
}
