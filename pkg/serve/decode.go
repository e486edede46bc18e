package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pedigree-sbom/pedigree/pkg/store"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// maxJSONBytes bounds the JSON body of a request (a product, a waiver, a
// token): far more than any needs.
const maxJSONBytes = 64 << 10

// maxNameBytes bounds a product or token name, and maxTextBytes the
// other text fields of a request (a waiver's reason).
const (
	maxNameBytes = 200
	maxTextBytes = 4096
)

// maxAuditEntries is the most audit entries one request lists, and the
// default.
const maxAuditEntries = 1000

// decodeBody decodes the request's JSON body into v strictly: at most
// maxJSONBytes, application/json when a type is given, one value, no
// unknown field.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apiErrorf(http.StatusUnsupportedMediaType, "the request body must be application/json, not %q", ct)
		}
	}
	return decodeJSON(r.Body, v)
}

// decodeJSON reads one JSON value from body into v: at most maxJSONBytes,
// no unknown field, nothing after it.
func decodeJSON(body io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(body, maxJSONBytes+1))
	if err != nil {
		return apiErrorf(http.StatusBadRequest, "read the request body: %v", err)
	}
	if len(data) > maxJSONBytes {
		return apiErrorf(http.StatusRequestEntityTooLarge, "the request body is larger than %d bytes", maxJSONBytes)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return apiErrorf(http.StatusBadRequest, "the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiErrorf(http.StatusBadRequest, "the request body is not the JSON object expected: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apiErrorf(http.StatusBadRequest, "the request body has more after its JSON object")
	}
	return nil
}

// jsonProblem says what is wrong with a body encoding/json refused,
// without Go type names.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q cannot be a JSON %s", te.Field, te.Value)
		}
		return fmt.Sprintf("a JSON %s where an object belongs", te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends inside a value"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// checkQuery refuses a parameter not in allowed, and one given twice.
func checkQuery(q url.Values, allowed ...string) error {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return apiErrorf(http.StatusBadRequest, "unknown query parameter %q: this route takes none", k)
			}
			return apiErrorf(http.StatusBadRequest, "unknown query parameter %q (want %s)", k, strings.Join(allowed, ", "))
		}
		if len(q[k]) > 1 {
			return apiErrorf(http.StatusBadRequest, "query parameter %q is given %d times", k, len(q[k]))
		}
	}
	return nil
}

// parseQuery parses a raw query string strictly: it must be well formed.
func parseQuery(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, apiErrorf(http.StatusBadRequest, "malformed query string: %v", err)
	}
	return q, nil
}

// parseTime reads a time given as RFC 3339 (2026-12-01T09:00:00Z) or a
// date (2026-12-01, midnight UTC).
func parseTime(name, s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, apiErrorf(http.StatusBadRequest, "%s %q is not a date (2026-12-01) or an RFC 3339 time (2026-12-01T09:00:00Z)", name, s)
	}
	return t.UTC(), nil
}

// changesQuery reads the query of GET /changes: since (a date or time),
// pack (a pack version), product.
func changesQuery(q url.Values) (store.ChangeFilter, error) {
	var f store.ChangeFilter
	if err := checkQuery(q, "since", "pack", "product"); err != nil {
		return f, err
	}
	if s := q.Get("since"); s != "" {
		t, err := parseTime("since", s)
		if err != nil {
			return f, err
		}
		f.Since = t
	}
	f.SincePack = q.Get("pack")
	f.Product = q.Get("product")
	return f, nil
}

// waiversQuery reads the query of GET /waivers: product, revoked.
func waiversQuery(q url.Values) (store.WaiverFilter, error) {
	var f store.WaiverFilter
	if err := checkQuery(q, "product", "revoked"); err != nil {
		return f, err
	}
	f.Product = q.Get("product")
	if s := q.Get("revoked"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return f, apiErrorf(http.StatusBadRequest, "revoked %q is not true or false", s)
		}
		f.Revoked = b
	}
	return f, nil
}

// auditQuery reads the query of GET /audit: since, limit.
func auditQuery(q url.Values) (time.Time, int, error) {
	if err := checkQuery(q, "since", "limit"); err != nil {
		return time.Time{}, 0, err
	}
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := parseTime("since", s)
		if err != nil {
			return time.Time{}, 0, err
		}
		since = t
	}
	limit := maxAuditEntries
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxAuditEntries {
			return time.Time{}, 0, apiErrorf(http.StatusBadRequest, "limit %q is not a number from 1 to %d", s, maxAuditEntries)
		}
		limit = n
	}
	return since, limit, nil
}

// submitQuery reads the query of POST /products/{name}/submissions:
// filename, the name the SBOM was uploaded under.
func submitQuery(q url.Values) (string, error) {
	if err := checkQuery(q, "filename"); err != nil {
		return "", err
	}
	name := q.Get("filename")
	if err := checkText("filename", name, maxNameBytes, false); err != nil {
		return "", err
	}
	return name, nil
}

// checkText refuses a value that is not UTF-8, is longer than max bytes,
// or holds control characters; an empty one unless allowed.
func checkText(field, s string, max int, required bool) error {
	if err := checkLongText(field, s, max, required); err != nil {
		return err
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return apiErrorf(http.StatusBadRequest, "%s holds a control character", field)
	}
	return nil
}

// checkLongText is checkText for text of several lines: line feeds and
// tabs are allowed.
func checkLongText(field, s string, max int, required bool) error {
	switch {
	case s == "" && required:
		return apiErrorf(http.StatusBadRequest, "%s is missing", field)
	case !utf8.ValidString(s):
		return apiErrorf(http.StatusBadRequest, "%s is not UTF-8 text", field)
	case len(s) > max:
		return apiErrorf(http.StatusBadRequest, "%s is longer than %d bytes", field, max)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		return apiErrorf(http.StatusBadRequest, "%s holds a control character", field)
	}
	return nil
}

// checkName refuses a product or token name that checkText refuses, that
// is empty or blank at either end, or that holds a '/' (it is a path
// segment of the API).
func checkName(field, s string) error {
	if err := checkText(field, s, maxNameBytes, true); err != nil {
		return err
	}
	if strings.TrimSpace(s) != s {
		return apiErrorf(http.StatusBadRequest, "%s %q begins or ends with white space", field, s)
	}
	if strings.Contains(s, "/") {
		return apiErrorf(http.StatusBadRequest, "%s %q holds a '/'", field, s)
	}
	return nil
}

// productRequest is the body of POST /products.
type productRequest struct {
	Name     string `json:"name"`
	Supplier string `json:"supplier"`
	Owner    string `json:"owner"`
}

// product checks the request and returns the product it asks for.
func (p productRequest) product() (store.Product, error) {
	if err := checkName("name", p.Name); err != nil {
		return store.Product{}, err
	}
	for _, f := range []struct{ name, v string }{{"supplier", p.Supplier}, {"owner", p.Owner}} {
		if err := checkText(f.name, f.v, maxNameBytes, false); err != nil {
			return store.Product{}, err
		}
	}
	return store.Product{Name: p.Name, Supplier: p.Supplier, Owner: p.Owner}, nil
}

// WaiverRequest is the body of POST /waivers: a waiver as in a waiver
// file, for one product or ("" product) every product.
type WaiverRequest struct {
	Product   string `json:"product"`
	Rule      string `json:"rule"`
	Finding   string `json:"finding"`
	Component string `json:"component"`
	Reason    string `json:"reason"`
	Owner     string `json:"owner"`
	// Expires is the last day the waiver applies, YYYY-MM-DD (UTC).
	Expires string `json:"expires"`
}

// waiver checks the request, as a waiver file's entry is checked, and
// returns the waiver it asks for, approved by approver. Its last day may
// not be before now's.
func (w WaiverRequest) waiver(approver string, now time.Time) (store.Waiver, error) {
	if w.Product != "" {
		if err := checkName("product", w.Product); err != nil {
			return store.Waiver{}, err
		}
	}
	for _, f := range []struct{ name, v string }{{"rule", w.Rule}, {"finding", w.Finding}, {"component", w.Component},
		{"owner", w.Owner}, {"expires", w.Expires}} {
		if err := checkText(f.name, f.v, maxNameBytes, false); err != nil {
			return store.Waiver{}, err
		}
	}
	if err := checkLongText("reason", w.Reason, maxTextBytes, false); err != nil {
		return store.Waiver{}, err
	}
	// The checks of a waiver file's entry, word for word.
	if _, err := toScanWaiver(waiver.Waiver{Finding: w.Finding, Rule: w.Rule, Component: w.Component,
		Reason: w.Reason, Owner: w.Owner, Expires: w.Expires}); err != nil {
		return store.Waiver{}, apiErrorf(http.StatusBadRequest, "%v", err)
	}
	last, _ := time.Parse("2006-01-02", w.Expires) // checked above
	y, m, d := now.UTC().Date()
	if last.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return store.Waiver{}, apiErrorf(http.StatusBadRequest, "expires %s is in the past", w.Expires)
	}
	return store.Waiver{Product: w.Product, Rule: w.Rule, Finding: w.Finding, Component: w.Component,
		Reason: w.Reason, Owner: w.Owner, Expires: last.AddDate(0, 0, 1), ApprovedBy: approver}, nil
}

// tokenRequest is the body of POST /tokens.
type tokenRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// token checks the request and returns the name and role it asks for.
func (t tokenRequest) token() (string, store.Role, error) {
	if err := checkName("name", t.Name); err != nil {
		return "", "", err
	}
	role, ok := store.ParseRole(t.Role)
	if !ok {
		var names []string
		for _, r := range store.AllRoles() {
			names = append(names, string(r))
		}
		return "", "", apiErrorf(http.StatusBadRequest, "role %q is not one of %s", t.Role, strings.Join(names, ", "))
	}
	return t.Name, role, nil
}

// pathID reads the {id} path value: a positive decimal number.
func pathID(r *http.Request, what string) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, apiErrorf(http.StatusBadRequest, "%s id %q is not a positive number", what, s)
	}
	return id, nil
}
