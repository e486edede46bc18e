package serve

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// TestRun: the server serves on its listener with its worker beside it,
// and stops when its context ends, after the requests in progress.
func TestRun(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ts.Run(ctx, ln, ts.Worker("w", WorkerOptions{}), time.Second) }()

	c := &Client{Server: "http://" + ln.Addr().String(), Token: ts.tokens[store.Reviewer]}
	res, err := c.Submit(t.Context(), "gateway", "bom.json", bytes.NewReader(failing), int64(len(failing)))
	if err != nil || res.Evaluation == nil || res.Evaluation.Verdict != "fail" {
		t.Fatalf("submit: %+v, %v", res, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("still serving after the stop")
	}
}
