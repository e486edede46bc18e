package serve

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// routePath is a route's path with its wildcards filled in: ids that
// name nothing, so that the requests that pass change nothing.
func routePath(p string) string {
	r := strings.NewReplacer("{name}", "gateway", "{id}", "999999")
	return r.Replace(p)
}

// TestEveryRouteNeedsItsRole: every route of the server, as it lists them
// (the table the mux is built from, so a new route cannot be left out),
// refuses a request without a token or with a token not accepted (401,
// with a Bearer challenge) and one whose role is too small (403); a
// request with the role it needs gets past both. Only /healthz needs no
// token.
func TestEveryRouteNeedsItsRole(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	revoked, tok, err := st.CreateToken(t.Context(), "test", "revoked admin", store.Admin)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeToken(t.Context(), "test", tok.ID); err != nil {
		t.Fatal(err)
	}
	routes := ts.Routes()
	if len(routes) < 15 {
		t.Fatalf("only %d routes: %v", len(routes), routes)
	}
	for _, rt := range routes {
		path := routePath(rt.Path)
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			if rt.Role == "" {
				if rt.Path != "/healthz" {
					t.Fatalf("%s needs no token: only /healthz may", rt.Pattern())
				}
				if r := do(t, ts, rt.Method, path, "", nil); r.status != http.StatusOK {
					t.Errorf("without a token: %d %s", r.status, r.body)
				}
				return
			}
			if !strings.HasPrefix(rt.Path, APIPrefix+"/") {
				t.Errorf("%s is not under %s", rt.Pattern(), APIPrefix)
			}
			for _, c := range []struct{ name, token, auth string }{
				{"no token", "", ""},
				{"unknown token", "pdg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""},
				{"revoked token", revoked, ""},
				{"not a bearer token", "", "Basic YWRtaW46YWRtaW4="},
			} {
				req := func() response {
					if c.auth == "" {
						return do(t, ts, rt.Method, path, c.token, nil)
					}
					return doHeader(t, ts, rt.Method, path, "Authorization", c.auth)
				}
				r := req()
				if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
					t.Errorf("%s: %d, WWW-Authenticate %q, want 401 with a Bearer challenge", c.name, r.status, r.header.Get("WWW-Authenticate"))
				}
				if r.errorText(t) == "" || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
					t.Errorf("%s: the answer is not a JSON error: %s", c.name, r.body)
				}
			}
			for _, role := range store.AllRoles() {
				r := do(t, ts, rt.Method, path, ts.tokens[role], nil)
				switch {
				case !role.Allows(rt.Role):
					if r.status != http.StatusForbidden || !strings.Contains(r.errorText(t), "needs the "+string(rt.Role)+" role") {
						t.Errorf("as %s: %d %s, want 403", role, r.status, r.body)
					}
				case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden:
					t.Errorf("as %s: %d %s, want the route's own answer", role, r.status, r.body)
				}
			}
		})
	}
	// Paths and methods that are no route are refused to anonymous
	// callers too, before saying that they are none.
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/nothing"}, {"PUT", "/api/v1/products"}, {"GET", "/api/v2/products"}} {
		if r := do(t, ts, c.method, c.path, "", nil); r.status != http.StatusUnauthorized && r.status != http.StatusNotFound {
			t.Errorf("%s %s without a token: %d", c.method, c.path, r.status)
		} else if strings.HasPrefix(c.path, APIPrefix) && r.status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", c.method, c.path, r.status)
		}
	}
}

// doHeader makes a request with one header set.
func doHeader(t testing.TB, h http.Handler, method, path, key, value string) response {
	t.Helper()
	req, err := http.NewRequest(method, "http://pedigree.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(key, value)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// TestBearer: the Authorization header is read strictly.
func TestBearer(t *testing.T) {
	for _, c := range []struct {
		headers []string
		want    string
		err     string
	}{
		{[]string{"Bearer pdg_abc"}, "pdg_abc", ""},
		{[]string{"bearer  pdg_abc "}, "pdg_abc", ""},
		{nil, "", "authentication required"},
		{[]string{"Bearer"}, "", "not a bearer token"},
		{[]string{"Bearer "}, "", "not a bearer token"},
		{[]string{"Bearer   "}, "", "not a bearer token"},
		{[]string{"Token pdg_abc"}, "", "not a bearer token"},
		{[]string{"Bearer a", "Bearer b"}, "", "more than one"},
	} {
		req, _ := http.NewRequest("GET", "http://x/", nil)
		for _, h := range c.headers {
			req.Header.Add("Authorization", h)
		}
		got, err := bearer(req)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: %q, %v; want %q, %q", c.headers, got, err, c.want, c.err)
		}
	}
}

// TestHandle: pages mount beside the API, never over it.
func TestHandle(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) })
	for _, c := range []struct{ pattern, err string }{
		{"GET /{$}", ""},
		{"GET /products/{name}", ""},
		{"/api/v1/page", "reserved for the API"},
		{"GET /healthz/x", "reserved for the API"},
		{"GET /", "conflicts"},
		{"GET /{", "bad wildcard"},
	} {
		err := ts.Handle(c.pattern, page)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: %v, want %q", c.pattern, err, c.err)
		}
	}
	if r := do(t, ts, "GET", "/", "", nil); r.status != http.StatusOK || string(r.body) != "page" {
		t.Errorf("GET /: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "GET", "/api/v1/products", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("the API after mounting pages: %d", r.status)
	}
}
