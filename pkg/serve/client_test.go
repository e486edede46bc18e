package serve

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

func TestClientSubmit(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	hs := httptest.NewServer(ts)
	defer hs.Close()

	c := &Client{Server: hs.URL + "/", Token: ts.tokens[store.Reviewer]}
	res, err := c.Submit(t.Context(), "north wind", "gateway.cdx.json", bytes.NewReader(failing), int64(len(failing)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Evaluation == nil || res.Evaluation.Verdict != "fail" || res.Submission.Product != "north wind" || res.Submission.Filename != "gateway.cdx.json" {
		t.Errorf("result %+v", res)
	}

	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, tc := range []struct {
		name   string
		client *Client
		status int
		want   string
	}{
		{"viewer", &Client{Server: hs.URL, Token: ts.tokens[store.Viewer]}, http.StatusForbidden,
			"server " + hs.URL + " refused the request (403 Forbidden): POST /api/v1/products/north wind/submissions needs the reviewer role"},
		{"unknown token", &Client{Server: hs.URL, Token: "pdg_nothing-of-the-kind"}, http.StatusUnauthorized,
			"server " + hs.URL + " refused the token (401 Unauthorized): the token is not accepted"},
		{"no token", &Client{Server: hs.URL}, 0, "no token"},
		{"connection refused", &Client{Server: dead.URL, Token: "pdg_x"}, 0, "server " + dead.URL + ": cannot connect: "},
		{"not a URL", &Client{Server: "localhost:8080", Token: "pdg_x"}, 0, `server "localhost:8080" is not an http:// or https:// URL`},
		{"credentials", &Client{Server: "http://u:secret@localhost:8080", Token: "pdg_x"}, 0, "not in the URL"},
	} {
		_, err := tc.client.Submit(t.Context(), "north wind", "", bytes.NewReader(clean), -1)
		var se *ServerError
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.status != 0 && (!errors.As(err, &se) || se.Status != tc.status)) {
			t.Errorf("%s: %v, want %d %q", tc.name, err, tc.status, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "pdg_")) {
			t.Errorf("%s: the error names a secret: %v", tc.name, err)
		}
	}
}
