package serve

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI is the OpenAPI 3.1 description of the API, as served at
// /api/v1/openapi.yaml.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// query is the request's query string, parsed strictly.
func query(r *http.Request) (url.Values, error) { return parseQuery(r.URL.RawQuery) }

// noQuery refuses a request to a route that takes no query parameter.
func noQuery(r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	return checkQuery(q)
}

func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, err := w.Write(openAPI)
	return err
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	st, err := s.Status(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// reloadSignatures reloads the signature pack now (ReloadSignatures) and
// answers with the status and whether the pack changed. A change of pack
// is in the audit trail as done by the caller. A pack that cannot be
// loaded is a 500 that says why: the caller is an admin, and the cause
// (a pack that does not verify, a rule file that does not parse) is what
// they must fix.
func (s *Server) reloadSignatures(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	changed, err := s.ReloadSignatures(r.Context(), c.actor())
	s.log.InfoContext(r.Context(), "signature reload asked", "by", c.actor(), "changed", changed, "failed", err != nil)
	if err != nil {
		return apiErrorf(http.StatusInternalServerError, "%v; still evaluating with pack %s (%s)", err, s.PackVersion(), s.PackDigest())
	}
	st, err := s.Status(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ReloadResult{Status: st, Changed: changed})
	return nil
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	out, err := s.Products(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"products": out})
	return nil
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	var req productRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	p, err := req.product()
	if err != nil {
		return err
	}
	p, err = s.store.CreateProduct(r.Context(), c.actor(), p)
	if err != nil {
		return err
	}
	w.Header().Set("Location", APIPrefix+"/products/"+url.PathEscape(p.Name))
	writeJSON(w, http.StatusCreated, newProduct(p, ""))
	return nil
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	d, err := s.ProductDetail(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// limitName finds the limit an ingest error names: "(limit sbom-depth)".
var limitName = regexp.MustCompile(`\(limit ([a-z0-9-]+)\)`)

// ingestError is the answer to an upload that ingest refused: 413 over a
// limit (naming it), 415 for what is not an SBOM (on a server that takes
// no artifacts), 422 for an SBOM that is malformed or in a version not
// read, 400 otherwise.
func ingestError(err error) error {
	msg := err.Error()
	switch ingest.KindOf(err) {
	case ingest.KindLimit:
		ae := &apiError{status: http.StatusRequestEntityTooLarge, msg: msg}
		if m := limitName.FindStringSubmatch(msg); m != nil {
			ae.limit = m[1]
		}
		return ae
	case ingest.KindNotSBOM:
		return apiErrorf(http.StatusUnsupportedMediaType, "%s: this server accepts only SBOMs (CycloneDX, SPDX, syft JSON), "+
			"not artifacts; for a file, archive or image, make its SBOM with pedigree sbom and submit that", msg)
	case ingest.KindMalformed, ingest.KindUnsupportedVersion:
		return apiErrorf(http.StatusUnprocessableEntity, "%s", msg)
	}
	return apiErrorf(http.StatusBadRequest, "%s", msg)
}

// readBody reads the body, into a buffer of its declared length when it
// declares one within max (io.ReadAll would grow its buffer by doubling,
// holding up to twice a large upload while it reads), else as it comes.
func readBody(r io.Reader, length, max int64) ([]byte, error) {
	if length <= 0 || length > max {
		return io.ReadAll(r)
	}
	buf := make([]byte, length)
	n, err := io.ReadFull(r, buf)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("the body ended after %d of the %d bytes its Content-Length declares", n, length)
		}
		return nil, err
	}
	// A body longer than it declared is refused by net/http; nothing is
	// left to read.
	return buf, nil
}

// submit stores the request body as a submission of the product named in
// the path (Submit) and answers with it and its evaluation: 201, once all
// of it is committed.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, c *caller) error {
	name := r.PathValue("name")
	if err := checkName("product", name); err != nil {
		return err
	}
	q, err := query(r)
	if err != nil {
		return err
	}
	filename, err := submitQuery(q)
	if err != nil {
		return err
	}
	max := s.MaxUploadBytes()
	data, err := readBody(http.MaxBytesReader(w, r.Body, max), r.ContentLength, max)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &apiError{status: http.StatusRequestEntityTooLarge, limit: "sbom-bytes",
			msg: fmt.Sprintf("the SBOM is larger than %d bytes (limit sbom-bytes)", max)}
	}
	if err != nil {
		return apiErrorf(http.StatusBadRequest, "read the SBOM: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return apiErrorf(http.StatusBadRequest, "the request body is empty: send the SBOM as the body")
	}
	res, err := s.Submit(r.Context(), c.actor(), Upload{Product: name, Filename: filename, Data: data})
	if err != nil {
		return err
	}
	w.Header().Set("Location", APIPrefix+"/submissions/"+strconv.FormatInt(res.Submission.ID, 10))
	writeJSON(w, http.StatusCreated, res)
	return nil
}

func (s *Server) getSubmission(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	id, err := pathID(r, "submission")
	if err != nil {
		return err
	}
	res, err := s.Submission(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) listChanges(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	f, err := changesQuery(q)
	if err != nil {
		return err
	}
	out, err := s.Changes(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": out})
	return nil
}

func (s *Server) listWaivers(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	f, err := waiversQuery(q)
	if err != nil {
		return err
	}
	out, err := s.Waivers(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"waivers": out})
	return nil
}

func (s *Server) createWaiver(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	var req WaiverRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	wv, err := s.CreateWaiver(r.Context(), c.actor(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", APIPrefix+"/waivers/"+strconv.FormatInt(wv.ID, 10))
	writeJSON(w, http.StatusCreated, wv)
	return nil
}

func (s *Server) revokeWaiver(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	id, err := pathID(r, "waiver")
	if err != nil {
		return err
	}
	if err := s.RevokeWaiver(r.Context(), c.actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	ts, err := s.store.Tokens(r.Context())
	if err != nil {
		return err
	}
	out := make([]Token, 0, len(ts))
	for _, t := range ts {
		out = append(out, newTokenInfo(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	var req tokenRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	name, role, err := req.token()
	if err != nil {
		return err
	}
	secret, t, err := s.store.CreateToken(r.Context(), c.actor(), name, role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, CreatedToken{Token: newTokenInfo(t), Secret: secret})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := noQuery(r); err != nil {
		return err
	}
	id, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(r.Context(), c.actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	since, limit, err := auditQuery(q)
	if err != nil {
		return err
	}
	es, err := s.store.Audit(r.Context(), since, limit)
	if err != nil {
		return err
	}
	out := make([]AuditEntry, 0, len(es))
	for _, e := range es {
		out = append(out, AuditEntry{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Subject: e.Subject, Detail: e.Detail})
	}
	writeJSON(w, http.StatusOK, map[string]any{"audit": out})
	return nil
}
