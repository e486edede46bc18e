package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/enginetest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// TestMain stops the PostgreSQL test server, if a test started one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// Fixtures: a white-labelled product that fails the gate, and a clean one.
var (
	failing = fixture("whitelabel/northwind-gateway.cdx.json")
	clean   = fixture("sbom/acme-suite.cdx-1.6.json")
)

func fixture(name string) []byte {
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", name))
	if err != nil {
		panic(err)
	}
	return data
}

// newerEngine is the engine of the embedded packs and a newer pack that
// makes the clean fixture fail (enginetest.NewerPack).
func newerEngine(t testing.TB) *match.Engine { return enginetest.Newer(t) }

// openStore opens url, closed when the test ends.
func openStore(t testing.TB, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fixture server: a Server over a store, with a token of each role.
type testServer struct {
	*Server
	store  *store.Store
	tokens map[store.Role]string
}

// newTestServer builds a server over st with eng (the embedded engine
// when nil) and a token of every role.
func newTestServer(t testing.TB, st *store.Store, eng *match.Engine, cfg Config) *testServer {
	t.Helper()
	if eng == nil {
		eng = enginetest.Embedded(t)
	}
	cfg.Store, cfg.Engine = st, eng
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, store: st, tokens: map[store.Role]string{}}
	for _, r := range store.AllRoles() {
		secret, _, err := st.CreateToken(context.Background(), "test", "test "+string(r), r)
		if err != nil {
			t.Fatal(err)
		}
		ts.tokens[r] = secret
	}
	return ts
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   []byte
}

// decode decodes the body into v, or fails the test.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorText is the "error" of a JSON error body.
func (r response) errorText(t testing.TB) string {
	t.Helper()
	var e ErrorBody
	r.decode(t, &e)
	return e.Error
}

// do makes a request to h as the token (none when ""), with body.
func do(t testing.TB, h http.Handler, method, path, token string, body []byte) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// as makes a request as the token of role.
func (ts *testServer) as(t testing.TB, role store.Role, method, path string, body []byte) response {
	t.Helper()
	return do(t, ts, method, path, ts.tokens[role], body)
}

// submit submits data for product and returns the result, or fails.
func (ts *testServer) submit(t testing.TB, product string, data []byte) SubmissionResult {
	t.Helper()
	r := ts.as(t, store.Reviewer, "POST", "/api/v1/products/"+product+"/submissions?filename=bom.json", data)
	if r.status != http.StatusCreated {
		t.Fatalf("submit to %s: %d %s", product, r.status, r.body)
	}
	var res SubmissionResult
	r.decode(t, &res)
	return res
}

func TestSubmitAndRead(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ts := newTestServer(t, openStore(t, url), nil, Config{ToolVersion: "test"})

		bad := ts.submit(t, "gateway", failing)
		if bad.Evaluation == nil || bad.Evaluation.Verdict != "fail" || !bad.ProductCreated {
			t.Fatalf("white-labelled fixture: %+v", bad)
		}
		if bad.Summary.Gating == 0 || bad.Summary.Findings.Critical == 0 || bad.Summary.FailOn != "high" {
			t.Errorf("summary %+v", bad.Summary)
		}
		if bad.Submission.Format != "cyclonedx-json" || bad.Submission.Filename != "bom.json" || bad.Submission.Kind != "sbom" ||
			!strings.HasPrefix(bad.Submission.SubmittedBy, "test reviewer (token ") {
			t.Errorf("submission %+v", bad.Submission)
		}
		if bad.Evaluation.PackDigest != ts.PackDigest() || bad.Evaluation.PolicyDigest != "" || bad.Evaluation.PackVersion != ts.PackVersion() {
			t.Errorf("evaluation %+v, want pack %s %s", bad.Evaluation, ts.PackVersion(), ts.PackDigest())
		}
		var findings []map[string]any
		if err := json.Unmarshal(bad.Findings, &findings); err != nil || len(findings) == 0 {
			t.Fatalf("findings %s: %v", bad.Findings, err)
		}
		for _, key := range []string{"id", "severity", "entity", "whiteLabel", "title", "component", "evidence", "gating"} {
			if _, ok := findings[0][key]; !ok {
				t.Errorf("a finding has no %q: the report schema's findings are wanted", key)
			}
		}

		good := ts.submit(t, "suite", clean)
		if good.Evaluation == nil || good.Evaluation.Verdict != "pass" || string(good.Findings) != "[]" {
			t.Errorf("clean fixture: %+v", good)
		}
		again := ts.submit(t, "suite", clean)
		if again.ProductCreated || again.Submission.ID == good.Submission.ID || again.Submission.SHA256 != good.Submission.SHA256 {
			t.Errorf("second submission of the same content: %+v", again.Submission)
		}

		// The submission as a viewer reads it.
		r := ts.as(t, store.Viewer, "GET", "/api/v1/submissions/"+itoa(bad.Submission.ID), nil)
		var got SubmissionResult
		r.decode(t, &got)
		if r.status != http.StatusOK || got.Evaluation == nil || got.Evaluation.Verdict != "fail" || !bytes.Equal(compact(t, got.Findings), compact(t, bad.Findings)) {
			t.Errorf("GET submission: %d %+v", r.status, got.Evaluation)
		}

		// Products with their current verdicts.
		r = ts.as(t, store.Viewer, "GET", "/api/v1/products", nil)
		var list struct{ Products []Product }
		r.decode(t, &list)
		if len(list.Products) != 2 || list.Products[0].Name != "gateway" || list.Products[0].Verdict != "fail" ||
			list.Products[1].Verdict != "pass" || list.Products[1].LatestSubmission != again.Submission.ID {
			t.Errorf("products: %+v", list.Products)
		}
		r = ts.as(t, store.Viewer, "GET", "/api/v1/products/suite", nil)
		var detail ProductDetail
		r.decode(t, &detail)
		if len(detail.Submissions) != 2 || detail.Submissions[0].ID != again.Submission.ID || detail.Submissions[0].Verdict != "pass" {
			t.Errorf("product detail: %+v", detail)
		}

		for _, c := range []struct {
			path   string
			status int
			want   string
		}{
			{"/api/v1/submissions/999", http.StatusNotFound, "not found"},
			{"/api/v1/submissions/x", http.StatusBadRequest, `submission id "x" is not a positive number`},
			{"/api/v1/products/nothing", http.StatusNotFound, "product nothing: not found"},
			{"/api/v1/products?x=1", http.StatusBadRequest, `unknown query parameter "x": this route takes none`},
			{"/api/v1/changes?since=yesterday", http.StatusBadRequest, `since "yesterday" is not a date`},
			{"/api/v1/changes?pack=1999.1", http.StatusNotFound, "no evaluation under that pack"},
			{"/api/v1/changes?product=a&product=b", http.StatusBadRequest, `query parameter "product" is given 2 times`},
			{"/api/v1/nothing", http.StatusNotFound, "no API route GET /api/v1/nothing"},
		} {
			r := ts.as(t, store.Admin, "GET", c.path, nil)
			if r.status != c.status || !strings.Contains(r.errorText(t), c.want) {
				t.Errorf("GET %s: %d %s, want %d %q", c.path, r.status, r.body, c.status, c.want)
			}
		}
		r = ts.as(t, store.Admin, "PUT", "/api/v1/products", nil)
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, POST, HEAD" {
			t.Errorf("PUT /api/v1/products: %d, Allow %q", r.status, r.header.Get("Allow"))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// compact is JSON without insignificant space.
func compact(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newRequest is a request with a text body.
func newRequest(t testing.TB, method, path, body string) *http.Request {
	t.Helper()
	return httptest.NewRequest(method, path, strings.NewReader(body))
}

// serveRequest serves req with h and returns the response.
func serveRequest(h http.Handler, req *http.Request) response {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}
