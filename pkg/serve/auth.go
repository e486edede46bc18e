package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// caller is who made an authenticated request.
type caller struct {
	token store.Token
}

// actor names the caller in the record (submitted by, approved by, the
// audit trail): the token's name and id, never its secret.
func (c *caller) actor() string { return c.token.Actor() }

// realm is the WWW-Authenticate challenge of a request without a usable
// token.
const realm = `Bearer realm="pedigree"`

// authorized wraps h: the request must carry "Authorization: Bearer
// TOKEN" with a token the store accepts (else 401, with a Bearer
// challenge) whose role allows min (else 403).
func (s *Server) authorized(min store.Role, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, err := bearer(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", realm)
			s.writeError(w, r, apiErrorf(http.StatusUnauthorized, "%v", err))
			return
		}
		tok, err := s.store.Authenticate(r.Context(), secret)
		if errors.Is(err, store.ErrUnauthorized) {
			w.Header().Set("WWW-Authenticate", realm+`, error="invalid_token"`)
			s.writeError(w, r, apiErrorf(http.StatusUnauthorized, "the token is not accepted: unknown, malformed or revoked"))
			return
		}
		if err != nil {
			s.writeError(w, r, fmt.Errorf("authenticate: %w", err))
			return
		}
		if !tok.Role.Allows(min) {
			s.writeError(w, r, apiErrorf(http.StatusForbidden, "%s %s needs the %s role; the token %q has the %s role",
				r.Method, r.URL.Path, min, tok.Name, tok.Role))
			return
		}
		if err := h(w, r, &caller{token: tok}); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// bearer is the token of the request's Authorization header.
func bearer(r *http.Request) (string, error) {
	h := r.Header.Values("Authorization")
	switch {
	case len(h) == 0:
		return "", errors.New("authentication required: send Authorization: Bearer TOKEN (pedigree serve token create makes one)")
	case len(h) > 1:
		return "", errors.New("more than one Authorization header")
	}
	scheme, secret, ok := strings.Cut(strings.TrimSpace(h[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errors.New("the Authorization header is not a bearer token: send Authorization: Bearer TOKEN")
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return "", errors.New("the Authorization header has an empty bearer token")
	}
	return secret, nil
}

// apiError is an error with the status code to answer it with, and the
// limit it is about, if any. Its message is shown to the client.
type apiError struct {
	status int
	msg    string
	limit  string
}

func (e *apiError) Error() string { return e.msg }

func apiErrorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// ErrorBody is every error response: {"error": "..."}, and for a limit
// the limit's name.
type ErrorBody struct {
	Error string `json:"error"`
	Limit string `json:"limit,omitempty"`
}

// writeError answers err with the status and message ErrorStatus gives
// it, and the limit it is about; the cause of an internal error is
// logged, not shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg, internal := ErrorStatus(err)
	if internal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var ae *apiError
	limit := ""
	if errors.As(err, &ae) {
		limit = ae.limit
	}
	writeJSON(w, status, ErrorBody{Error: msg, Limit: limit})
}

// writeJSON writes v as the response, two-space indented, without HTML
// escaping (values from SBOMs stay readable).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
