// Package serve is the HTTP server of `pedigree serve`: a JSON API under
// /api/v1 over a review record (package store), with products, submitted
// SBOMs and their verdicts, verdict changes, waivers and API tokens, and
// a worker that re-evaluates every stored submission when the signature
// pack or the waivers in force change. A newer pack is taken up while the
// server runs (Server.ReloadSignatures): by the worker at each interval,
// or at once when an admin asks.
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
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/sigpack"
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
	// Engine is the signature engine submissions are evaluated with at
	// first. Required. Its set's digest names the pack in every
	// evaluation.
	Engine *match.Engine
	// Reload loads the signature engine in force now, as Engine was
	// loaded (for pedigree serve: the installed pack, else the embedded
	// one, and the --signatures layers); Server.ReloadSignatures puts it
	// in force when its pack differs. Nil: the engine never changes.
	Reload func() (*match.Engine, error)
	// Generator makes the generator an artifact (an upload that is not
	// an SBOM: a file, archive, installer or image archive) is inspected
	// with, for the engine in force, as pedigree scan inspects a file (for
	// pedigree serve: generate.Generator, which runs syft). Nil: only
	// SBOMs are accepted, anything else is refused with 415.
	Generator func(*match.Engine) scan.Generator
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
	reload func() (*match.Engine, error) // nil: never

	reloading sync.Mutex // one ReloadSignatures at a time

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
		store:  cfg.Store,
		log:    cfg.Logger,
		mux:    http.NewServeMux(),
		reload: cfg.Reload,
		eval: &evaluator{store: cfg.Store, engine: cfg.Engine, failOn: failOn, ingest: cfg.Ingest.WithDefaults(),
			toolVersion: cfg.ToolVersion, now: cfg.Now, generator: cfg.Generator, artifacts: make(chan struct{}, 1)},
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
func (s *Server) PackVersion() string { return s.eval.current().Set().Version() }

// PackDigest is the digest of the signature pack the server evaluates
// with, as the JSON report gives it.
func (s *Server) PackDigest() string { return s.eval.current().Set().Digest }

// Status is what the server evaluates with (the pack, the gate, the
// policy) and how many submissions are still to be evaluated under them.
func (s *Server) Status(ctx context.Context) (Status, error) {
	eng := s.eval.current()
	digest, err := s.eval.digestFor(ctx, eng)
	if err != nil {
		return Status{}, err
	}
	pending, err := s.store.Pending(ctx, digest)
	if err != nil {
		return Status{}, err
	}
	set := eng.Set()
	_, policy := splitDigest(digest)
	return Status{Version: s.eval.toolVersion, PackVersion: set.Version(), PackDigest: set.Digest, PolicyDigest: policy,
		Rules: len(set.Rules), FailOn: string(s.eval.failOn), Pending: pending, Database: string(s.store.Dialect())}, nil
}

// ReloadSignatures calls Config.Reload and, when the pack of the engine it
// returns differs from the one in force (by digest), puts that engine in
// force, logs "signature pack changed" with the old and new versions and
// digests, and wakes the workers: the evaluation digest changes with the
// pack, so they re-evaluate every stored submission under it, and each
// verdict change is recorded. The change of pack is in the audit trail,
// as done by actor. It reports whether the pack changed; it does
// nothing without a Reload. When Reload fails, the error is logged and
// returned, and the engine in force stays.
//
// A pack older than the one in force (its base pack's version is lower)
// is put in force too, with a warning: an admin may roll a bad pack back
// on purpose (pedigree signatures remove, or a pack re-installed), and
// refusing it would leave the server on a pack the CLI no longer uses.
// The verdict changes it causes are recorded as any others, under the
// older version. Only a pack Reload accepts is ever used: for pedigree
// serve, one signed by a trusted key, or the embedded one.
func (s *Server) ReloadSignatures(ctx context.Context, actor string) (changed bool, err error) {
	if s.reload == nil {
		return false, nil
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.reloading.Lock()
	defer s.reloading.Unlock()
	cur := s.eval.current()
	next, err := s.reload()
	if err == nil && next == nil {
		err = errors.New("no signature engine loaded")
	}
	if err != nil {
		s.log.ErrorContext(ctx, "signature reload failed; the pack in force stays", "version", cur.Set().Version(),
			"digest", cur.Set().Digest, "err", err)
		return false, fmt.Errorf("reload signatures: %w", err)
	}
	if next.Set().Digest == cur.Set().Digest {
		return false, nil
	}
	attrs := []any{"old_version", cur.Set().Version(), "old_digest", cur.Set().Digest,
		"new_version", next.Set().Version(), "new_digest", next.Set().Digest}
	if older(next, cur) {
		s.log.WarnContext(ctx, "the new signature pack is older than the one in force; putting it in force as asked", attrs...)
	}
	s.eval.swap(next)
	s.log.InfoContext(ctx, "signature pack changed", attrs...)
	if err := s.store.RecordPackChange(context.WithoutCancel(ctx), actor, cur.Set().Version(), cur.Set().Digest,
		next.Set().Version(), next.Set().Digest); err != nil {
		s.log.ErrorContext(ctx, "the pack change could not be recorded in the audit trail", "err", err)
	}
	s.wakeWorkers()
	return true, nil
}

// older tells whether the base pack of a (the first one loaded: the
// installed or embedded pack) has a lower version than that of b.
func older(a, b *match.Engine) bool {
	pa, pb := a.Set().Packs, b.Set().Packs
	if len(pa) == 0 || len(pb) == 0 {
		return false
	}
	return sigpack.CompareVersions(pa[0].Version, pb[0].Version) < 0
}

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
		{"POST", APIPrefix + "/signatures/reload", store.Admin, s.reloadSignatures},
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

// healthz answers without a token: 200 when the process serves and its
// database answers within two seconds, else 503 (the cause is logged, not
// shown), so that a load balancer sends no request to a replica that
// cannot record it.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health check: the database does not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "the database does not answer"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Worker returns a re-evaluation worker named name (unique among the
// replicas sharing the database) that evaluates as this server does.
// Waiver changes made through this server, and a pack reloaded, wake it;
// at each interval its Run reloads the signatures (ReloadSignatures).
func (s *Server) Worker(name string, opts WorkerOptions) *Worker {
	w := newWorker(s.eval, s.log, name, opts)
	w.reload = func(ctx context.Context) (bool, error) { return s.ReloadSignatures(ctx, w.name) }
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
