package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/pedigree-sbom/pedigree/fixtures"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// seedDemo is the record `pedigree serve --demo` starts with: an admin
// token, and the example products submitted through the API as a client
// would, in process, before the server listens. It prints each verdict
// and returns the token, for the caller to print once it listens.
func seedDemo(ctx context.Context, st *store.Store, srv *serve.Server, w io.Writer) (string, error) {
	secret, _, err := st.CreateToken(ctx, "demo", "demo", store.Admin)
	if err != nil {
		return "", fmt.Errorf("serve --demo: %w", err)
	}
	client := serve.Client{Server: "http://demo", Token: secret, HTTP: &http.Client{Transport: inProcess{srv}}}
	for _, ex := range fixtures.Demo() {
		res, err := client.Submit(ctx, ex.Product, ex.Name, bytes.NewReader(ex.Data), int64(len(ex.Data)))
		if err != nil {
			return "", fmt.Errorf("serve --demo: submit %s: %w", ex.Name, err)
		}
		verdict := "not evaluated"
		if res.Evaluation != nil {
			verdict = res.Evaluation.Verdict
		}
		fmt.Fprintf(w, "demo: %s (%s): submission %d, %s\n", ex.Product, ex.Name, res.Submission.ID, verdict)
	}
	return secret, nil
}

// inProcess answers a request with the server's handler, without a
// network: the demo's submissions go through the API before it listens.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
