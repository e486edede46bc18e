// Package webui is the web UI of pedigree serve, for the people of a
// review who do not use a terminal: the products with their verdicts, a
// product's submissions, a submission's findings with their evidence and
// the path from the product root to each drawn as a picture, an upload
// form, the verdicts that changed after the last signature pack update,
// the waivers, with their expiry, and for admins the audit trail.
//
// The pages are rendered on the server (html/template), load nothing from
// elsewhere, run no script and work without JavaScript; every response
// carries a strict Content-Security-Policy. A person logs in with an API
// token once (pedigree serve token create) and gets a session cookie
// (package store keeps only its hash) that acts as the token, with its
// role: viewers read, reviewers also upload and waive. Every form that
// changes something carries a CSRF token bound to the session, and is
// refused from another origin. The pages call the same operations as the
// API (serve.Server), so the two never disagree.
package webui

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// DefaultSessionTTL is how long a session lasts unless Options say.
const DefaultSessionTTL = 12 * time.Hour

// Options tune the UI; a zero field takes its default.
type Options struct {
	// SessionTTL is how long a session lasts after logging in.
	SessionTTL time.Duration
	// Logger receives the errors the pages hide from the browser.
	Logger *slog.Logger
}

// ui is the mounted UI.
type ui struct {
	srv   *serve.Server
	store *store.Store
	opts  Options
	log   *slog.Logger
	pages map[string]*template.Template
}

//go:embed templates/*.html ui.css favicon.svg
var files embed.FS

// csp is every page's Content-Security-Policy: nothing but this server's
// stylesheet and forms posting back to it; no script, no frame.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Mount adds the UI's pages to srv, beside its API; st is the store srv
// serves (for sessions).
func Mount(srv *serve.Server, st *store.Store, opts Options) error {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	u := &ui{srv: srv, store: st, opts: opts, log: opts.Logger}
	if err := u.parse(); err != nil {
		return err
	}
	for _, rt := range u.routes() {
		h := rt.public
		if h == nil {
			h = u.page(rt.role, rt.page)
		}
		if err := srv.Handle(rt.pattern, secured(h)); err != nil {
			return fmt.Errorf("web ui: %w", err)
		}
	}
	return nil
}

// route is one page: a ServeMux pattern and either a public handler or
// a page that needs a session of a role.
type route struct {
	pattern string
	public  http.Handler
	role    store.Role
	page    func(http.ResponseWriter, *http.Request, *visit, view) error
}

// routes is the one table of the UI's routes.
func (u *ui) routes() []route {
	return []route{
		// The stylesheet: the HTML report's, then the UI's own.
		{pattern: "GET /ui.css", public: static("ui.css", "text/css; charset=utf-8", report.Stylesheet(), 3600)},
		// The icon: a badge-red shield.
		{pattern: "GET /favicon.svg", public: static("favicon.svg", "image/svg+xml", "", 86400)},
		{pattern: "GET /login", public: http.HandlerFunc(u.loginForm)},
		{pattern: "POST /login", public: http.HandlerFunc(u.login)},
		{pattern: "POST /logout", role: store.Viewer, page: u.logout},
		{pattern: "GET /{$}", role: store.Viewer, page: u.products},
		{pattern: "GET /products/{name}", role: store.Viewer, page: u.product},
		{pattern: "GET /submissions/{id}", role: store.Viewer, page: u.submission},
		{pattern: "GET /upload", role: store.Reviewer, page: u.uploadForm},
		{pattern: "POST /upload", role: store.Reviewer, page: u.upload},
		{pattern: "GET /changes", role: store.Viewer, page: u.changes},
		{pattern: "GET /waivers", role: store.Viewer, page: u.waivers},
		{pattern: "POST /waivers", role: store.Reviewer, page: u.createWaiver},
		{pattern: "POST /waivers/{id}/revoke", role: store.Reviewer, page: u.revokeWaiver},
		{pattern: "GET /audit", role: store.Admin, page: u.audit},
	}
}

// secured sets the headers every UI response carries.
func secured(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// static answers an embedded file, after prefix (the report's
// stylesheet before the UI's own), with its content type, cached for
// maxAge seconds.
func static(name, contentType, prefix string, maxAge int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := files.ReadFile(name)
		if err != nil {
			http.Error(w, "not found", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d", maxAge))
		io.WriteString(w, prefix)
		w.Write(data)
	}
}

// parse reads every page's template, each with the layout.
func (u *ui) parse() error {
	funcs := template.FuncMap{
		"upper":     strings.ToUpper,
		"join":      strings.Join,
		"pathSVG":   pathSVG,
		"date":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"short":     func(s string, n int) string { return shortText(s, n) },
		"verdictOf": verdictText,
		"pe":        url.PathEscape,
		"ctx":       func(v view, s any) partial { return partial{V: v, S: s} },
	}
	names, err := files.ReadDir("templates")
	if err != nil {
		return fmt.Errorf("web ui: %w", err)
	}
	u.pages = map[string]*template.Template{}
	for _, e := range names {
		name := e.Name()
		if name == "layout.html" || name == "findings.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/findings.html", "templates/"+name)
		if err != nil {
			return fmt.Errorf("web ui: template %s: %w", name, err)
		}
		u.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return nil
}

// pathSVG is the picture of a finding's path, for a template.
func pathSVG(c report.Component) (template.HTML, error) {
	var b strings.Builder
	if err := report.WritePathSVG(&b, c); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // every step is escaped by WritePathSVG
}

// shortText is s cut to n runes with "…".
func shortText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// verdictText is a verdict for a badge: "none" before any evaluation.
func verdictText(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// partial is what a shared template (findings, waiverTable) gets: the
// page's view and its own data.
type partial struct {
	V view
	S any
}

// view is what every page's template gets.
type view struct {
	Title string
	// Nav is the section of the menu the page belongs to.
	Nav string
	// Me is who is logged in (nil on the login page); CSRF the token of
	// their forms.
	Me   *store.Token
	CSRF string
	// CanReview is true for reviewers and admins; IsAdmin for admins.
	CanReview, IsAdmin bool
	// Status is what the server evaluates with, filled in by render from
	// status (set for logged-in pages).
	Status *serve.Status
	status func() (serve.Status, error)
	// Notice and Error are messages at the top of the page.
	Notice, Error string
	Data          any
}

// render writes page name with v, with status.
func (u *ui) render(w http.ResponseWriter, status int, name string, v view) {
	t := u.pages[name]
	if t == nil {
		u.log.Error("web ui: no template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.status != nil && v.Status == nil {
		if st, err := v.status(); err == nil {
			v.Status = &st
		} else {
			u.log.Error("web ui: status", "err", err)
		}
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		u.log.Error("web ui: render", "page", name, "err", err)
		http.Error(w, "internal error: the server logged the cause", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

// fail renders err as an error page with the status it calls for.
func (u *ui) fail(w http.ResponseWriter, r *http.Request, v view, err error) {
	status, msg, internal := serve.ErrorStatus(err)
	var pe *pageError
	if errors.As(err, &pe) {
		status, msg, internal = pe.status, pe.msg, false
	}
	if internal {
		u.log.Error("web ui: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	v.Title, v.Error, v.Data = http.StatusText(status), msg, status
	u.render(w, status, "error", v)
}

// pageError is an error with the status to answer it with; its message
// is shown.
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

func pageErrorf(status int, format string, args ...any) *pageError {
	return &pageError{status: status, msg: fmt.Sprintf(format, args...)}
}
