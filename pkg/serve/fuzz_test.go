package serve

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// FuzzDecodeRequest runs any bytes through the API's request decoding:
// kind picks a JSON body (product, waiver, token), decoded strictly and
// checked, or a query string (changes, waivers, audit, submit), parsed
// and checked. Nothing may panic; every refusal is an API error with a
// 4xx status and a message; what is accepted holds what the checks
// promise.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []struct {
		kind  byte
		body  string
		query string
	}{
		{0, `{"name":"gateway","supplier":"Northwind","owner":"ops"}`, ""},
		{0, `{"name":"a/b"}`, ""},
		{0, `{"name":"x","extra":1}`, ""},
		{0, `{"name":"x"} {}`, ""},
		{1, `{"product":"gateway","finding":"PDG-0123456789ABCDEF","reason":"r","owner":"o","expires":"2999-01-01"}`, ""},
		{1, `{"rule":"KL-SDK-001","component":"pkg:npm/[a-","reason":"r","owner":"o","expires":"2999-01-01"}`, ""},
		{1, `{"component":"*","reason":"r","owner":"o","expires":"1999-01-01"}`, ""},
		{2, `{"name":"ci","role":"reviewer"}`, ""},
		{2, `{"name":"ci","role":"root"}`, ""},
		{3, "", "since=2026-12-01&pack=2026.12.1&product=gateway"},
		{3, "", "since=2026-12-01T09:00:00Z"},
		{3, "", "since=%zz"},
		{4, "", "product=gateway&revoked=true"},
		{4, "", "revoked=maybe&revoked=1"},
		{5, "", "since=2026-12-01&limit=10"},
		{5, "", "limit=0"},
		{6, "", "filename=bom.json"},
		{6, "", "filename=%07"},
	} {
		f.Add(s.kind, []byte(s.body), s.query)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, kind byte, body []byte, rawQuery string) {
		var err error
		switch kind % 7 {
		case 0:
			var req productRequest
			if err = decodeJSON(bytes.NewReader(body), &req); err == nil {
				var p store.Product
				if p, err = req.product(); err == nil {
					assertName(t, p.Name)
				}
			}
		case 1:
			var req WaiverRequest
			if err = decodeJSON(bytes.NewReader(body), &req); err == nil {
				var w store.Waiver
				if w, err = req.waiver("fuzz", now); err == nil {
					if w.Rule == "" && w.Finding == "" && w.Component == "" {
						t.Errorf("a waiver of everything was accepted: %+v", w)
					}
					if !w.Expires.After(now.Truncate(24*time.Hour)) || w.Reason == "" || w.Owner == "" {
						t.Errorf("accepted %+v", w)
					}
					if _, err := toScanWaivers([]store.Waiver{w}); err != nil {
						t.Errorf("an accepted waiver cannot be applied: %v", err)
					}
				}
			}
		case 2:
			var req tokenRequest
			if err = decodeJSON(bytes.NewReader(body), &req); err == nil {
				var name string
				var role store.Role
				if name, role, err = req.token(); err == nil {
					assertName(t, name)
					if _, ok := store.ParseRole(string(role)); !ok {
						t.Errorf("accepted role %q", role)
					}
				}
			}
		default:
			q, perr := parseQuery(rawQuery)
			if err = perr; err != nil {
				break
			}
			switch kind % 7 {
			case 3:
				_, err = changesQuery(q)
			case 4:
				_, err = waiversQuery(q)
			case 5:
				var limit int
				if _, limit, err = auditQuery(q); err == nil && (limit < 1 || limit > maxAuditEntries) {
					t.Errorf("accepted limit %d", limit)
				}
			case 6:
				var name string
				if name, err = submitQuery(q); err == nil && (!utf8.ValidString(name) || len(name) > maxNameBytes) {
					t.Errorf("accepted filename %q", name)
				}
			}
		}
		if err == nil {
			return
		}
		var ae *apiError
		if !errors.As(err, &ae) {
			t.Fatalf("not an API error: %T %v", err, err)
		}
		if ae.status < 400 || ae.status > 499 || ae.msg == "" || strings.Contains(ae.msg, "\n") {
			t.Errorf("refusal %d %q", ae.status, ae.msg)
		}
		if ae.status != http.StatusBadRequest && ae.status != http.StatusRequestEntityTooLarge {
			t.Errorf("refusal with status %d: %s", ae.status, ae.msg)
		}
	})
}

// assertName fails the test for an accepted name that the checks refuse.
func assertName(t *testing.T, name string) {
	t.Helper()
	if name == "" || strings.TrimSpace(name) != name || strings.Contains(name, "/") || !utf8.ValidString(name) || len(name) > maxNameBytes {
		t.Errorf("accepted name %q", name)
	}
}
