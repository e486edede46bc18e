package webui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// Cookies: the session, and the login form's CSRF nonce (double-submitted:
// in the cookie and in the form).
const (
	sessionCookie = "pedigree_session"
	loginCookie   = "pedigree_login"
)

// maxFormBytes bounds the body of every form but the upload.
const maxFormBytes = 64 << 10

// visit is a request of a logged-in person.
type visit struct {
	token  store.Token
	secret string // the session's
}

// csrf is the form token of the session: an HMAC of a fixed text keyed by
// the session's secret, so it needs no storage, differs per session, and
// cannot be made without the cookie.
func csrfToken(sessionSecret string) string {
	m := hmac.New(sha256.New, []byte(sessionSecret))
	m.Write([]byte("pedigree web ui csrf v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// sameOrigin refuses a form posted from another site: a Sec-Fetch-Site
// other than same-origin (or none, typed by the user), or an Origin whose
// host is not this one. Browsers send at least one of them with a POST;
// a client that sends neither is not a browser a page could drive. Behind
// a reverse proxy that rewrites Host, the host the browser asked for is in
// X-Forwarded-Host, a header a page cannot make a browser send.
func sameOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return pageErrorf(http.StatusForbidden, "the form was sent from another site (Sec-Fetch-Site: %s)", site)
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return nil
	}
	u, err := url.Parse(o)
	if o != "null" && err == nil && u.Host != "" {
		if strings.EqualFold(u.Host, r.Host) {
			return nil
		}
		fwd, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
		if fwd = strings.TrimSpace(fwd); fwd != "" && strings.EqualFold(u.Host, fwd) {
			return nil
		}
	}
	return pageErrorf(http.StatusForbidden, "the form was sent from another origin (%s)", shortText(o, 80))
}

// setCookie sets a cookie of the UI: HttpOnly, SameSite=Strict, and
// Secure when the browser reached the server over HTTPS (TLS here, or at
// a proxy that says so with X-Forwarded-Proto: a forged header can only
// make the cookie stricter); maxAge < 0 removes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	secure := r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure})
}

// page wraps h: the request needs a session whose token allows min. A GET
// without one is sent to the login page; a POST without one, or whose
// CSRF token or origin is wrong, is refused. A POST's form is parsed,
// bounded, before h runs (but for a multipart one: h reads it).
func (u *ui) page(min store.Role, h func(http.ResponseWriter, *http.Request, *visit, view) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := view{}
		c, err := r.Cookie(sessionCookie)
		var tok store.Token
		if err == nil {
			tok, err = u.store.Session(r.Context(), c.Value)
		}
		if err != nil {
			if !errors.Is(err, store.ErrUnauthorized) && !errors.Is(err, http.ErrNoCookie) {
				u.fail(w, r, v, err)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			u.fail(w, r, v, pageErrorf(http.StatusUnauthorized, "you are not logged in, or your session ended: log in again"))
			return
		}
		vis := &visit{token: tok, secret: c.Value}
		v.Me, v.CSRF, v.CanReview, v.IsAdmin = &tok, csrfToken(c.Value), tok.Role.Allows(store.Reviewer), tok.Role.Allows(store.Admin)
		// The status line is read when the page is rendered, after its
		// data: it is never older than what the page shows.
		v.status = func() (serve.Status, error) { return u.srv.Status(r.Context()) }
		if !tok.Role.Allows(min) {
			u.fail(w, r, v, pageErrorf(http.StatusForbidden, "this needs the %s role; you are logged in as %q, a %s", min, tok.Name, tok.Role))
			return
		}
		if r.Method == http.MethodPost {
			if err := sameOrigin(r); err != nil {
				u.fail(w, r, v, err)
				return
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
				if err := r.ParseForm(); err != nil {
					u.fail(w, r, v, pageErrorf(http.StatusBadRequest, "the form could not be read: %v", err))
					return
				}
				if err := checkCSRF(v.CSRF, r.PostForm.Get("csrf")); err != nil {
					u.fail(w, r, v, err)
					return
				}
			}
		}
		if err := h(w, r, vis, v); err != nil {
			u.fail(w, r, v, err)
		}
	})
}

// checkCSRF compares a form's CSRF token with the session's.
func checkCSRF(want, got string) error {
	if got == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return pageErrorf(http.StatusForbidden, "the form's CSRF token is missing or wrong: reload the page and send it again")
	}
	return nil
}

// loginView is the login page's data.
type loginView struct {
	Next string
}

func (u *ui) loginForm(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := u.store.Session(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	u.renderLogin(w, r, http.StatusOK, "")
}

// renderLogin renders the login form with a new CSRF nonce.
func (u *ui) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		u.fail(w, r, view{}, err)
		return
	}
	nonce := base64.RawURLEncoding.EncodeToString(b)
	setCookie(w, r, loginCookie, nonce, "/login", int(time.Hour/time.Second))
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostForm.Get("next")
	}
	u.render(w, status, "login", view{Title: "Log in", CSRF: nonce, Error: msg, Data: loginView{Next: localPath(next)}})
}

// login opens a session with the API token the form gives.
func (u *ui) login(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		u.fail(w, r, view{}, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, view{}, pageErrorf(http.StatusBadRequest, "the form could not be read: %v", err))
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || checkCSRF(c.Value, r.PostForm.Get("csrf")) != nil {
		u.renderLogin(w, r, http.StatusForbidden, "the login form expired or came from elsewhere: log in again")
		return
	}
	secret, _, err := u.store.OpenSession(r.Context(), strings.TrimSpace(r.PostForm.Get("token")), u.opts.SessionTTL)
	if errors.Is(err, store.ErrUnauthorized) {
		u.renderLogin(w, r, http.StatusUnauthorized, "that token is not accepted: unknown, mistyped or revoked")
		return
	}
	if err != nil {
		u.fail(w, r, view{}, err)
		return
	}
	setCookie(w, r, loginCookie, "", "/login", -1)
	setCookie(w, r, sessionCookie, secret, "/", int(u.opts.SessionTTL/time.Second))
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (u *ui) logout(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	if err := u.store.CloseSession(r.Context(), vis.token.Actor(), vis.secret); err != nil {
		return err
	}
	setCookie(w, r, sessionCookie, "", "/", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// localPath is next when it is a path of this server, else "/": a login
// never sends a person elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}
