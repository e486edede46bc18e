package serve

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// TestUploadLimits: an upload is bounded by the limits scan uses; over
// one, the answer is 413 naming it, and nothing is stored. What is not an
// SBOM, or is a broken one, is refused too.
func TestUploadLimits(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	lim := limits.Default().Ingest
	lim.MaxBytes, lim.MaxComponents, lim.MaxDepth = int64(len(failing)+100), 3, 20
	ts := newTestServer(t, st, nil, Config{Ingest: ingest.Options{Ingest: lim}})
	deep := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","x":` + strings.Repeat("[", 30) + strings.Repeat("]", 30) + "}")
	for _, c := range []struct {
		name   string
		body   []byte
		status int
		limit  string
		want   string
	}{
		{"over sbom-bytes", append(bytes.Repeat([]byte(" "), 10), bytes.Repeat([]byte("x"), len(failing)+200)...),
			http.StatusRequestEntityTooLarge, "sbom-bytes", fmt.Sprintf("larger than %d bytes (limit sbom-bytes)", lim.MaxBytes)},
		{"over components", failing, http.StatusRequestEntityTooLarge, "components", "limit components"},
		{"over sbom-depth", deep, http.StatusRequestEntityTooLarge, "sbom-depth", "limit sbom-depth"},
		{"not an SBOM", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00"), http.StatusUnsupportedMediaType, "", "only SBOMs"},
		{"malformed", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{]}`), http.StatusUnprocessableEntity, "", "malformed"},
		{"unsupported version", []byte(`{"bomFormat":"CycloneDX","specVersion":"9.9"}`), http.StatusUnprocessableEntity, "", "9.9"},
		{"empty", []byte(" \n"), http.StatusBadRequest, "", "empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ts.as(t, store.Reviewer, "POST", "/api/v1/products/gateway/submissions", c.body)
			var e ErrorBody
			r.decode(t, &e)
			if r.status != c.status || e.Limit != c.limit || !strings.Contains(e.Error, c.want) {
				t.Errorf("%d %+v, want %d, limit %q, %q", r.status, e, c.status, c.limit, c.want)
			}
		})
	}
	if subs, err := st.Submissions(t.Context(), "gateway"); err != nil || len(subs) != 0 {
		t.Errorf("refused uploads were stored: %v, %v", subs, err)
	}
	r := ts.as(t, store.Reviewer, "POST", "/api/v1/products/gateway/submissions?file=x", clean)
	if r.status != http.StatusBadRequest || !strings.Contains(r.errorText(t), `unknown query parameter "file" (want filename)`) {
		t.Errorf("unknown query parameter: %d %s", r.status, r.body)
	}
	r = ts.as(t, store.Reviewer, "POST", "/api/v1/products/%20gateway/submissions", clean)
	if r.status != http.StatusBadRequest || !strings.Contains(r.errorText(t), "white space") {
		t.Errorf("a product name with a blank: %d %s", r.status, r.body)
	}
}

// TestStrictBodies: JSON bodies are bounded, of the JSON type, one value,
// with no unknown field.
func TestStrictBodies(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	post := func(path, contentType, body string) response {
		t.Helper()
		req := newRequest(t, "POST", path, body)
		req.Header.Set("Authorization", "Bearer "+ts.tokens[store.Admin])
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		return serveRequest(ts, req)
	}
	for _, c := range []struct {
		name, path, contentType, body string
		status                        int
		want                          string
	}{
		{"product", "/api/v1/products", "application/json", `{"name":"gateway","supplier":"Northwind","owner":"ops"}`, http.StatusCreated, ""},
		{"again", "/api/v1/products", "", `{"name":"gateway"}`, http.StatusConflict, "already exists"},
		{"unknown field", "/api/v1/products", "", `{"name":"x","colour":"red"}`, http.StatusBadRequest, `unknown field "colour"`},
		{"two values", "/api/v1/products", "", `{"name":"x"} {"name":"y"}`, http.StatusBadRequest, "more after"},
		{"trailing junk", "/api/v1/products", "", `{"name":"x"}]`, http.StatusBadRequest, "more after"},
		{"wrong type", "/api/v1/products", "", `{"name":7}`, http.StatusBadRequest, `field "name" cannot be a JSON number`},
		{"not an object", "/api/v1/products", "", `[]`, http.StatusBadRequest, "a JSON array where an object belongs"},
		{"truncated", "/api/v1/products", "", `{"name":"x`, http.StatusBadRequest, "ends inside a value"},
		{"empty", "/api/v1/products", "", ``, http.StatusBadRequest, "empty"},
		{"text", "/api/v1/products", "text/plain", `{"name":"x"}`, http.StatusUnsupportedMediaType, "application/json"},
		{"too large", "/api/v1/products", "", `{"name":"` + strings.Repeat("x", maxJSONBytes) + `"}`, http.StatusRequestEntityTooLarge, "larger than 65536 bytes"},
		{"slash", "/api/v1/products", "", `{"name":"a/b"}`, http.StatusBadRequest, "holds a '/'"},
		{"control", "/api/v1/products", "", `{"name":"a\u0007"}`, http.StatusBadRequest, "control character"},
		{"token", "/api/v1/tokens", "", `{"name":"ci","role":"reviewer"}`, http.StatusCreated, ""},
		{"token role", "/api/v1/tokens", "", `{"name":"ci","role":"root"}`, http.StatusBadRequest, `role "root" is not one of viewer, reviewer, admin`},
		{"waiver", "/api/v1/waivers", "", `{"product":"gateway","rule":"KL-SDK-001","reason":"r","owner":"o","expires":"2999-01-01"}`, http.StatusCreated, ""},
		{"waiver everything", "/api/v1/waivers", "", `{"reason":"r","owner":"o","expires":"2999-01-01"}`, http.StatusBadRequest, "would waive everything"},
		{"waiver finding", "/api/v1/waivers", "", `{"finding":"KL-1","reason":"r","owner":"o","expires":"2999-01-01"}`, http.StatusBadRequest, "is not a finding id"},
		{"waiver date", "/api/v1/waivers", "", `{"rule":"X","reason":"r","owner":"o","expires":"soon"}`, http.StatusBadRequest, "is not a date"},
		{"waiver past", "/api/v1/waivers", "", `{"rule":"X","reason":"r","owner":"o","expires":"2001-01-01"}`, http.StatusBadRequest, "in the past"},
		{"waiver reason", "/api/v1/waivers", "", `{"rule":"X","owner":"o","expires":"2999-01-01"}`, http.StatusBadRequest, "reason is missing"},
		{"waiver product", "/api/v1/waivers", "", `{"product":"none","rule":"X","reason":"r","owner":"o","expires":"2999-01-01"}`, http.StatusNotFound, "product none: not found"},
	} {
		r := post(c.path, c.contentType, c.body)
		if r.status != c.status || (c.want != "" && !strings.Contains(r.errorText(t), c.want)) {
			t.Errorf("%s: %d %s, want %d %q", c.name, r.status, r.body, c.status, c.want)
		}
	}
}

// TestWaiverReasonLines: a waiver's reason may run over several lines,
// and comes back as given.
func TestWaiverReasonLines(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	body := `{"rule":"KL-SDK-001","reason":"Accepted by the board:\n\tsee minutes 12.","owner":"qa","expires":"2999-01-01"}`
	r := ts.as(t, store.Reviewer, "POST", "/api/v1/waivers", []byte(body))
	var w Waiver
	r.decode(t, &w)
	if r.status != http.StatusCreated || w.Reason != "Accepted by the board:\n\tsee minutes 12." || w.Product != "" {
		t.Errorf("%d %s", r.status, r.body)
	}
	r = ts.as(t, store.Reviewer, "POST", "/api/v1/waivers", []byte(`{"rule":"X","reason":"a\u0000b","owner":"qa","expires":"2999-01-01"}`))
	if r.status != http.StatusBadRequest || !strings.Contains(r.errorText(t), "reason holds a control character") {
		t.Errorf("a NUL in the reason: %d %s", r.status, r.body)
	}
}
