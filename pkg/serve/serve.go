// Package serve is the HTTP server of `pedigree serve`: a JSON API under
// /api/v1 over a review record (package store), with products, submitted
// SBOMs and their verdicts, verdict changes, waivers and API tokens, and
// a worker that re-evaluates every stored submission when the signature
// pack or the waivers in force change.
//
// Every route but GET /healthz needs a bearer token (store.Authenticate):
// viewers read, reviewers also submit and waive, admins also manage
// tokens. A request without a token is refused with 401, one whose token
// has too small a role with 403. Errors are JSON objects, {"error":
// "..."}, with the status code that fits; request bodies are bounded and
// decoded strictly, so an unknown field is refused rather than ignored.
//
// A submission is evaluated when it is submitted, with pkg/scan as the
// CLI's scan evaluates a file, and the evaluation is recorded before the
// response is written: a client that is told the verdict can rely on it
// being in the record. The findings stored and returned are the findings
// array of the JSON report (docs/report.schema.json).
//
// The web UI is not part of this package yet; Server.Handle is where its
// pages will be mounted beside the API.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// DefaultListen is the address `pedigree serve` binds unless told
// otherwise: this machine only.
const DefaultListen = "127.0.0.1:8080"

// APIPrefix begins every API route.
const APIPrefix = "/api/v1"

// NoGate is the Config.FailOn that turns the gate off: findings are
// reported with the verdict review, never fail.
const NoGate signature.Severity = "none"

// Config is what a Server is built from.
type Config struct {
	// Store is the review record. Required.
	Store *store.Store
	// Engine is the signature engine submissions are evaluated with.
	// Required. Its set's digest names the pack in every evaluation.
	Engine *match.Engine
	// FailOn is the lowest severity that fails the gate: "" is
	// signature.High, as for scan; NoGate turns the gate off.
	FailOn signature.Severity
	// Ingest bounds and reads uploaded SBOMs, as scan's --limit and
	// --strict do; the body of a submission is refused over its MaxBytes
	// (the limit sbom-bytes).
	Ingest ingest.Options
	// ToolVersion is pedigree's version, written into evaluations.
	ToolVersion string
	// Logger receives what the server and its workers do; nil discards
	// it. Tokens and database passwords are never logged.
	Logger *slog.Logger
	// Now is the clock (waiver expiry); nil is time.Now.
	Now func() time.Time
}

// Server is the API: an http.Handler. It is safe for concurrent use.
type Server struct {
	store  *store.Store
	eval   *evaluator
	log    *slog.Logger
	mux    *http.ServeMux
	routes []Route

	mu      sync.Mutex
	workers []*Worker
}

// New builds the server of cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("serve: no store")
	}
	if cfg.Engine == nil {
		return nil, errors.New("serve: no signature engine")
	}
	failOn := cfg.FailOn
	switch {
	case failOn == "":
		failOn = signature.High
	case failOn == NoGate:
	default:
		if _, ok := signature.ParseSeverity(string(failOn)); !ok {
			return nil, fmt.Errorf("serve: fail-on %q is not a severity", failOn)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		store: cfg.Store,
		log:   cfg.Logger,
		mux:   http.NewServeMux(),
		eval: &evaluator{store: cfg.Store, engine: cfg.Engine, failOn: failOn, ingest: cfg.Ingest.WithDefaults(),
			toolVersion: cfg.ToolVersion, now: cfg.Now},
	}
	s.register()
	return s, nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// Handle mounts h at pattern (a Go 1.22 ServeMux pattern) beside the API:
// where the web UI's pages will go. Patterns under /api/ or /healthz are
// refused, so that every API route stays in Routes and under its
// authentication, and so is a pattern that conflicts with the API's (a
// catch-all such as "GET /": mount an index at "GET /{$}").
func (s *Server) Handle(pattern string, h http.Handler) (err error) {
	_, path, _ := strings.Cut(pattern, " ")
	if path == "" {
		path = pattern
	}
	if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/healthz") {
		return fmt.Errorf("serve: pattern %q is reserved for the API", pattern)
	}
	defer func() {
		// ServeMux panics on a malformed or conflicting pattern.
		if r := recover(); r != nil {
			err = fmt.Errorf("serve: pattern %q: %v", pattern, r)
		}
	}()
	s.mux.Handle(pattern, h)
	return nil
}

// PackVersion is the version of the signature pack the server evaluates
// with ("2026.11.1", or the versions of several layers joined by "+").
func (s *Server) PackVersion() string { return s.eval.engine.Set().Version() }

// PackDigest is the digest of the signature pack the server evaluates
// with, as the JSON report gives it.
func (s *Server) PackDigest() string { return s.eval.engine.Set().Digest }

// Route is one API route: a method, a ServeMux path pattern and the role
// a token needs for it ("" for none).
type Route struct {
	Method string
	Path   string
	Role   store.Role
}

// Pattern is the route's ServeMux pattern: "GET /api/v1/products".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Routes lists every route the server answers, in the order registered.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// handler answers an authenticated request; an error it returns is
// written as the JSON error (see writeError).
type handler func(w http.ResponseWriter, r *http.Request, c *caller) error

// register adds every route to the mux: the one table of routes, their
// roles and handlers.
func (s *Server) register() {
	table := []struct {
		method, path string
		role         store.Role
		h            handler
	}{
		{"GET", APIPrefix + "/openapi.yaml", store.Viewer, s.getOpenAPI},
		{"GET", APIPrefix + "/status", store.Viewer, s.getStatus},
		{"GET", APIPrefix + "/products", store.Viewer, s.listProducts},
		{"POST", APIPrefix + "/products", store.Reviewer, s.createProduct},
		{"GET", APIPrefix + "/products/{name}", store.Viewer, s.getProduct},
		{"POST", APIPrefix + "/products/{name}/submissions", store.Reviewer, s.submit},
		{"GET", APIPrefix + "/submissions/{id}", store.Viewer, s.getSubmission},
		{"GET", APIPrefix + "/changes", store.Viewer, s.listChanges},
		{"GET", APIPrefix + "/waivers", store.Viewer, s.listWaivers},
		{"POST", APIPrefix + "/waivers", store.Reviewer, s.createWaiver},
		{"DELETE", APIPrefix + "/waivers/{id}", store.Reviewer, s.revokeWaiver},
		{"GET", APIPrefix + "/tokens", store.Admin, s.listTokens},
		{"POST", APIPrefix + "/tokens", store.Admin, s.createToken},
		{"DELETE", APIPrefix + "/tokens/{id}", store.Admin, s.revokeToken},
		{"GET", APIPrefix + "/audit", store.Admin, s.listAudit},
	}
	methods := map[string][]string{}
	var paths []string
	for _, rt := range table {
		s.routes = append(s.routes, Route{Method: rt.method, Path: rt.path, Role: rt.role})
		s.mux.Handle(rt.method+" "+rt.path, s.authorized(rt.role, rt.h))
		if methods[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	// A known path asked with another method: 405 naming the ones it
	// takes, after authentication, as a JSON error.
	for _, p := range paths {
		allow := strings.Join(slices.Concat(methods[p], []string{"HEAD"}), ", ")
		if !slices.Contains(methods[p], "GET") {
			allow = strings.Join(methods[p], ", ")
		}
		s.mux.Handle(p, s.authorized(store.Viewer, func(w http.ResponseWriter, r *http.Request, c *caller) error {
			w.Header().Set("Allow", allow)
			return apiErrorf(http.StatusMethodNotAllowed, "%s %s: method not allowed (allowed: %s)", r.Method, r.URL.Path, allow)
		}))
	}
	// Anything else under the API: 404, after authentication, so that
	// no path answers an anonymous caller.
	s.mux.Handle(APIPrefix+"/", s.authorized(store.Viewer, func(w http.ResponseWriter, r *http.Request, c *caller) error {
		return apiErrorf(http.StatusNotFound, "no API route %s %s (see %s/openapi.yaml)", r.Method, r.URL.Path, APIPrefix)
	}))
	s.routes = append(s.routes, Route{Method: "GET", Path: "/healthz"})
	s.mux.HandleFunc("GET /healthz", s.healthz)
}

// healthz answers without a token: the process is up and serving. It
// reads nothing from the database.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Worker returns a re-evaluation worker named name (unique among the
// replicas sharing the database) that evaluates as this server does.
// Waiver changes made through this server wake it.
func (s *Server) Worker(name string, opts WorkerOptions) *Worker {
	w := newWorker(s.eval, s.log, name, opts)
	s.mu.Lock()
	s.workers = append(s.workers, w)
	s.mu.Unlock()
	return w
}

// wakeWorkers tells this server's workers that the policy changed.
func (s *Server) wakeWorkers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.workers {
		w.Wake()
	}
}

// background is a context for work that must finish even when the
// request that started it is cancelled: recording an evaluation of a
// submission already stored.
func background(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}
