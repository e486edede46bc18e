package serve

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
)

// TestHealthz: no token needed; 200 while the database answers, 503 (with
// no detail of the cause) once it does not.
func TestHealthz(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	if r := do(t, ts, "GET", "/healthz", "", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `"ok"`) {
		t.Errorf("healthz: %d %s", r.status, r.body)
	}
	st.Close()
	r := do(t, ts, "GET", "/healthz", "", nil)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "the database does not answer") || strings.Contains(string(r.body), "sql") {
		t.Errorf("healthz with the database closed: %d %s", r.status, r.body)
	}
}
