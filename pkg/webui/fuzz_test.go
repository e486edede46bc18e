package webui

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// FuzzForms posts any bytes to the pages' forms, as a logged-in reviewer
// whose session and CSRF token are valid: the upload form (multipart,
// with the boundary the fuzzer picks) and the waiver and login forms
// (urlencoded). Nothing may panic or answer 500; every answer is one of
// the statuses the pages give, and an upload over the limit is refused
// with 413.
func FuzzForms(f *testing.F) {
	seed := func(kind byte, build func(csrf string) (string, []byte)) {
		// The CSRF token is filled in at run time: "CSRF" stands for it.
		ct, body := build("CSRF")
		f.Add(kind, ct, body)
	}
	multi := func(fields [][2]string, file string) func(string) (string, []byte) {
		return func(csrf string) (string, []byte) {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			mw.SetBoundary("fuzzboundary")
			for _, kv := range fields {
				mw.WriteField(kv[0], strings.ReplaceAll(kv[1], "CSRF", csrf))
			}
			if file != "" {
				fw, _ := mw.CreateFormFile("file", "bom.json")
				fw.Write([]byte(file))
			}
			mw.Close()
			return mw.FormDataContentType(), b.Bytes()
		}
	}
	seed(0, multi([][2]string{{"csrf", "CSRF"}, {"product", "gateway"}}, `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"kavsdk","supplier":{"name":"Kaspersky"}}]}`))
	seed(0, multi([][2]string{{"csrf", "CSRF"}, {"product", "a/b"}}, `{"bomFormat":"CycloneDX","specVersion":"1.6"}`))
	seed(0, multi([][2]string{{"csrf", "CSRF"}, {"product", "x"}}, "not an sbom"))
	seed(0, multi([][2]string{{"csrf", "CSRF"}, {"other", "x"}}, ""))
	seed(0, multi([][2]string{{"product", "x"}}, "{}"))
	seed(0, func(string) (string, []byte) {
		return "multipart/form-data; boundary=fuzzboundary", []byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n")
	})
	seed(1, func(csrf string) (string, []byte) {
		return "application/x-www-form-urlencoded", []byte("csrf=CSRF&rule=KL-X&reason=r&owner=o&expires=2999-01-01&back=/waivers")
	})
	seed(1, func(csrf string) (string, []byte) {
		return "application/x-www-form-urlencoded", []byte("csrf=CSRF&finding=PDG-1&scope=all&reason=%zz&expires=1999-01-01&back=//evil")
	})
	seed(2, func(csrf string) (string, []byte) {
		return "application/x-www-form-urlencoded", []byte("csrf=nonce&token=pdg_x&next=/products/x")
	})

	const max = 2048
	u := newUI(f, pgtest.SQLiteURL(f), serve.Config{Ingest: ingest.Options{Ingest: limits.Ingest{MaxBytes: max}}})
	secret, _, err := u.store.OpenSession(context.Background(), u.tokens[store.Reviewer], DefaultSessionTTL)
	if err != nil {
		f.Fatal(err)
	}
	csrf := csrfToken(secret)
	paths := []string{"/upload", "/waivers", "/login"}
	allowed := []int{http.StatusSeeOther, http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity}

	f.Fuzz(func(t *testing.T, kind byte, contentType string, body []byte) {
		path := paths[int(kind)%len(paths)]
		body = bytes.ReplaceAll(body, []byte("CSRF"), []byte(csrf))
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Origin", "http://"+req.Host)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
		req.AddCookie(&http.Cookie{Name: loginCookie, Value: "nonce"})
		rec := httptest.NewRecorder()
		u.srv.ServeHTTP(rec, req)
		if !slices.Contains(allowed, rec.Code) {
			t.Fatalf("POST %s %q: status %d\n%s", path, contentType, rec.Code, rec.Body.String())
		}
		if path == "/upload" && rec.Code == http.StatusSeeOther && len(body) > max+maxFormBytes {
			t.Fatalf("an upload of %d bytes over the %d limit was taken", len(body), max)
		}
	})
}
