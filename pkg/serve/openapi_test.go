package serve

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// openAPIDoc is what the test reads of openapi.yaml.
type openAPIDoc struct {
	OpenAPI string                          `yaml:"openapi"`
	Paths   map[string]map[string]yaml.Node `yaml:"paths"`
}

type openAPIOperation struct {
	Summary  string              `yaml:"summary"`
	Security []map[string]any    `yaml:"security"`
	Resps    map[string]struct{} `yaml:"responses"`
}

// httpMethods are the keys of an OpenAPI path item that are operations.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestOpenAPIMatchesRoutes: the OpenAPI document names exactly the
// routes the server registers, path and method, both ways; each
// operation says the role its route needs, and those that need a token
// answer 401 and 403.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc openAPIDoc
	if err := yaml.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	documented := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for key, node := range item {
			if !slices.Contains(httpMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("openapi.yaml: %s %s: %v", key, path, err)
			}
			documented[strings.ToUpper(key)+" "+path] = op
		}
	}
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	registered := map[string]Route{}
	for _, r := range ts.Routes() {
		registered[r.Pattern()] = r
	}
	for p, r := range registered {
		op, ok := documented[p]
		if !ok {
			t.Errorf("route %s is not in openapi.yaml", p)
			continue
		}
		if r.Role == "" {
			if op.Security == nil || len(op.Security) != 0 {
				t.Errorf("%s needs no token, but openapi.yaml does not say security: []", p)
			}
			continue
		}
		if !strings.Contains(op.Summary, "Role "+string(r.Role)+".") {
			t.Errorf("%s: the summary %q does not say \"Role %s.\"", p, op.Summary, r.Role)
		}
		for _, code := range []string{"401", "403"} {
			if _, ok := op.Resps[code]; !ok {
				t.Errorf("%s: no %s response in openapi.yaml", p, code)
			}
		}
	}
	for p := range documented {
		if _, ok := registered[p]; !ok {
			t.Errorf("openapi.yaml documents %s, which the server does not register", p)
		}
	}

	// The document is served as it is.
	r := ts.as(t, store.Viewer, "GET", "/api/v1/openapi.yaml", nil)
	if r.status != http.StatusOK || string(r.body) != string(OpenAPI()) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/yaml") {
		t.Errorf("GET /api/v1/openapi.yaml: %d %s", r.status, r.header.Get("Content-Type"))
	}
}

// TestAPIDocNamesRoutes: docs/api.md describes every route.
func TestAPIDocNamesRoutes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, pgtest.SQLiteURL(t))
	srv, err := New(Config{Store: st, Engine: newerEngine(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Routes() {
		if !strings.Contains(string(data), "`"+r.Pattern()+"`") {
			t.Errorf("docs/api.md does not describe `%s`", r.Pattern())
		}
	}
}
