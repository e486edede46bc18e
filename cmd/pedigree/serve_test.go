package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestServeScript runs the scripts of pedigree serve and submit in
// testdata/serve: they start a server in the background, on a free port
// and a database of their own, and talk to it. Their commands, besides
// TestScript's exits and mkinput:
//
//	freeport VAR      sets VAR to 127.0.0.1:PORT, a port free just now
//	waitserve ADDR    waits (up to 60 s) until http://ADDR/healthz answers 200
//	lastline VAR      sets VAR to the last line of the last command's stdout
func TestServeScript(t *testing.T) {
	fixtures, err := filepath.Abs("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/serve",
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":     exits,
			"mkinput":   mkinput,
			"freeport":  freeport,
			"waitserve": waitserve,
			"lastline": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: lastline VAR")
				}
				lines := strings.Split(strings.TrimRight(ts.ReadFile("stdout"), "\n"), "\n")
				ts.Setenv(args[0], lines[len(lines)-1])
			},
		},
	})
}

// freeport VAR sets VAR to 127.0.0.1:PORT, a port no one listens on now.
func freeport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := ln.Addr().String()
	ts.Check(ln.Close())
	ts.Setenv(args[0], addr)
}

// waitserve ADDR waits until the server at ADDR answers /healthz.
func waitserve(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitserve ADDR")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, "GET", "http://"+args[0]+"/healthz", nil)
		ts.Check(err)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			ts.Fatalf("no server answered at %s in 60 s: %v", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRedactDB: a database URL is shown without its password.
func TestRedactDB(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"sqlite:///var/lib/pedigree/pedigree.db", "sqlite:///var/lib/pedigree/pedigree.db"},
		{"postgres://pedigree:s3cret@db.example:5432/review", "postgres://pedigree:xxxxx@db.example:5432/review"},
		{"postgresql://db.example/review?password=s3cret&sslmode=verify-full", "postgresql://db.example/review?password=xxxxx&sslmode=verify-full"},
		{"postgres://pedigree:s3%cret@db.example/review", "postgres://…"},
	} {
		if got := redactDB(c.in); got != c.want || strings.Contains(got, "s3cret") {
			t.Errorf("redactDB(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestDefaultDatabase: without --db, an SQLite file in the user data
// directory.
func TestDefaultDatabase(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the user config directory, as os.UserConfigDir says")
	}
	t.Setenv("XDG_DATA_HOME", "/data")
	if got, err := defaultDatabase(); err != nil || got != "/data/pedigree/pedigree.db" {
		t.Errorf("with XDG_DATA_HOME: %q, %v", got, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/ana")
	if got, err := defaultDatabase(); err != nil || got != "/home/ana/.local/share/pedigree/pedigree.db" {
		t.Errorf("with HOME: %q, %v", got, err)
	}
	t.Setenv("HOME", noHome)
	if _, err := defaultDatabase(); err == nil || !strings.Contains(err.Error(), "give --db sqlite://PATH") {
		t.Errorf("without a home: %v", err)
	}
}
