// Package pgtest starts a real PostgreSQL server for tests, once per test
// binary, and gives each test a fresh database on it.
//
// The server is the one installed on the machine (initdb and pg_ctl in the
// directory PEDIGREE_POSTGRES_BIN names, else on PATH, else under
// /usr/lib/postgresql/*/bin, the newest first): a cluster
// made by initdb in a temporary directory, listening on a unix socket in
// that directory and on no TCP port, with trust authentication, stopped
// and removed by Main when the tests end. initdb refuses to run as root;
// as root, the cluster is made and run as the "postgres" user (the owner
// of the temporary directory then), the user Debian's postgresql package
// creates.
//
// When no server can be started, URL skips the test and says why, unless
// PEDIGREE_REQUIRE_POSTGRES=1 is set (as CI sets it): then the test fails.
//
// Each runs a test on both databases the store supports, an SQLite file
// and a database on that server, so that one suite covers both.
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// RequireEnv names the environment variable that, set to 1, turns a
// server that cannot be started into a test failure instead of a skip.
const RequireEnv = "PEDIGREE_REQUIRE_POSTGRES"

// BinEnv names the environment variable that names the directory of
// initdb and pg_ctl, instead of looking for them.
const BinEnv = "PEDIGREE_POSTGRES_BIN"

// superuser is the role initdb makes; connections authenticate by trust.
const superuser = "pedigree"

// port is the server's port number: only the name of its socket file,
// since the server listens on no TCP port.
const port = 5432

// server is a running cluster.
type server struct {
	bin  string // the directory of initdb, pg_ctl and postgres
	dir  string // the temporary directory: the socket, data/ and server.log
	as   *user.User
	root *sql.DB // connected to the "postgres" database, to make others
}

var (
	once     sync.Once
	running  *server
	startErr error
	dbSeq    atomic.Int64
)

// Main runs the tests of a package and then stops the server, if one was
// started. Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if running != nil {
		if err := running.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	return code
}

// URL returns the URL of a new, empty database on the shared server,
// dropped when the test ends. The server is started by the first call.
// When it cannot be started, the test is skipped with the reason, or fails
// if PEDIGREE_REQUIRE_POSTGRES=1.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { running, startErr = start() })
	if startErr != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("PostgreSQL is required (%s=1) but no server could be started: %v", RequireEnv, startErr)
		}
		t.Skipf("no PostgreSQL server could be started, so the PostgreSQL tests skip (set %s=1 to make this a failure): %v", RequireEnv, startErr)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := running.root.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := running.root.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return running.url(name)
}

// url is the URL of database name on the server's socket.
func (s *server) url(name string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", superuser, name, s.dir, port)
}

// start makes and starts a cluster in a new temporary directory.
func start() (*server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin}
	if os.Geteuid() == 0 {
		if s.as, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root, which initdb refuses, and there is no postgres user to run it as: %w", err)
		}
	}
	// The socket's path must stay within 107 bytes, and the postgres user
	// must be able to reach the directory: a long or private TMPDIR will
	// not do, /tmp will.
	base := os.TempDir()
	if s.as != nil || len(base) > 60 {
		base = "/tmp"
	}
	if s.dir, err = os.MkdirTemp(base, "pedigree-pg-"); err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	if s.as != nil {
		uid, _ := strconv.Atoi(s.as.Uid)
		gid, _ := strconv.Atoi(s.as.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			os.RemoveAll(s.dir)
			return nil, fmt.Errorf("hand %s to the postgres user: %w", s.dir, err)
		}
	}
	data := filepath.Join(s.dir, "data")
	if err := s.run("initdb", "-D", data, "-A", "trust", "-U", superuser, "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	// The server durability settings are off: a test cluster is thrown
	// away, and they make it several times faster.
	opts := fmt.Sprintf("-c listen_addresses='' -k '%s' -p %d -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", s.dir, port)
	logFile := filepath.Join(s.dir, "server.log")
	if err := s.run("pg_ctl", "start", "-D", data, "-w", "-t", "60", "-l", logFile, "-o", opts); err != nil {
		log, _ := os.ReadFile(logFile)
		s.run("pg_ctl", "stop", "-D", data, "-m", "immediate")
		os.RemoveAll(s.dir)
		return nil, fmt.Errorf("%w\nserver log:\n%s", err, tail(log, 2000))
	}
	if s.root, err = sql.Open("pgx", s.url("postgres")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = s.root.PingContext(ctx)
		cancel()
	}
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("connect to the test server: %w", err)
	}
	return s, nil
}

// stop stops the server and removes its directory.
func (s *server) stop() error {
	if s.root != nil {
		s.root.Close()
	}
	err := s.run("pg_ctl", "stop", "-D", filepath.Join(s.dir, "data"), "-m", "fast", "-w")
	if rmErr := os.RemoveAll(s.dir); err == nil && rmErr != nil {
		err = fmt.Errorf("remove the test cluster: %w", rmErr)
	}
	return err
}

// run runs one of the server's programs, as the postgres user when the
// tests run as root.
func (s *server) run(prog string, args ...string) error {
	cmd := exec.Command(filepath.Join(s.bin, prog), args...)
	cmd.Dir = s.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if s.as != nil {
		if err := runAs(cmd, s.as); err != nil {
			return fmt.Errorf("%s: %w", prog, err)
		}
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", prog, strings.Join(args, " "), err, tail(out.Bytes(), 2000))
	}
	return nil
}

// findBin is the directory that holds initdb and pg_ctl: the one
// PEDIGREE_POSTGRES_BIN names, else that of initdb on PATH, else the newest
// /usr/lib/postgresql/N/bin.
func findBin() (string, error) {
	if d := os.Getenv(BinEnv); d != "" {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
		return "", fmt.Errorf("%s=%s holds no initdb and pg_ctl", BinEnv, d)
	}
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", errors.New("initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin (Debian package postgresql)")
}

// version is the major version N of /usr/lib/postgresql/N/bin.
func version(bin string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return n
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// tail is the last n bytes of b, as text.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// Database is a database the store's tests run on: its dialect's name
// and a func that gives the URL of a new, empty database.
type Database struct {
	Name string
	URL  func(tb testing.TB) string
}

// Databases are the two the store supports: an SQLite file, and a
// database on the PostgreSQL test server (URL; skipped, or failed under
// RequireEnv, when none can be started).
var Databases = []Database{{"sqlite", SQLiteURL}, {"postgres", URL}}

// SQLiteURL is the URL of a new SQLite database in a temporary directory
// of tb, removed when the test ends.
func SQLiteURL(tb testing.TB) string {
	return "sqlite://" + filepath.Join(tb.TempDir(), "pedigree.db")
}

// Each runs test once per database of Databases, as a subtest named after
// it, with the URL of a new, empty database.
func Each(t *testing.T, test func(t *testing.T, url string)) {
	t.Helper()
	for _, d := range Databases {
		t.Run(d.Name, func(t *testing.T) { test(t, d.URL(t)) })
	}
}
