package store

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
)

// TestMain stops the PostgreSQL test server, if a test started one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openTest opens url, closed when the test ends, with a clock that starts
// at clockStart and moves one second per reading.
func openTest(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	c := &clock{t: clockStart}
	s.now = c.now
	return s
}

var clockStart = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// clock is a test clock that moves one second each time it is read, and
// can be moved on.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// count runs a COUNT query written with ? placeholders.
func count(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(context.Background(), s.q(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// mustProduct creates a product.
func mustProduct(t *testing.T, s *Store, name string) Product {
	t.Helper()
	p, err := s.CreateProduct(context.Background(), "alice", Product{Name: name, Supplier: "Northwind", Owner: "procurement"})
	if err != nil {
		t.Fatalf("create product %s: %v", name, err)
	}
	return p
}

// mustSubmit submits data for a product.
func mustSubmit(t *testing.T, s *Store, product, data string) Submission {
	t.Helper()
	sub, err := s.Submit(context.Background(), product, []byte(data), Meta{Kind: SBOMKind, Format: "cyclonedx-json", Filename: "bom.json", SubmittedBy: "bob"})
	if err != nil {
		t.Fatalf("submit to %s: %v", product, err)
	}
	return sub
}

func TestOpenRefusesBadURLs(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		url  string
		want []string // in the error
	}{
		{"mysql://root:hunter2@db/pedigree", []string{`scheme "mysql"`, "sqlite://PATH", "postgres://"}},
		{"pedigree.db", []string{"no scheme", "sqlite://PATH"}},
		{"alice:hunter2@db://pedigree", []string{"does not begin with a scheme"}},
		{"sqlite://", []string{"names no file"}},
		{"sqlite://:memory:", []string{"path of a database file"}},
		{"sqlite://a?b.db", []string{"may not contain"}},
		{"postgres://alice:hunter2@db:notaport/pedigree", []string{"cannot be parsed"}},
		{"postgres://alice:hunter2@db/pedigree?sslmode=bogus", []string{"connect to the postgres database", "sslmode is invalid"}},
		// Nothing listens on port 1 of the loopback: the connection is
		// refused at once, with no network beyond this machine.
		{"postgres://alice:hunter2@127.0.0.1:1/pedigree?connect_timeout=5", []string{"connect to the postgres database"}},
		{"postgresql://alice@127.0.0.1:1/pedigree?password=hunter2&connect_timeout=5", []string{"connect to the postgres database"}},
	} {
		t.Run(c.url, func(t *testing.T) {
			s, err := Open(ctx, c.url)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestScrubbedHidesThePassword(t *testing.T) {
	err := scrubbed{errors.New("cannot parse `postgres://a:p%40ss@h`: p@ss"), "p@ss"}
	if got := err.Error(); strings.Contains(got, "p@ss") || strings.Contains(got, "p%40ss") {
		t.Errorf("got %q", got)
	}
	if passwordOf("postgres://a:b:c@h:x/db") != "b:c" {
		t.Errorf("passwordOf = %q", passwordOf("postgres://a:b:c@h:x/db"))
	}
}

func TestDialect(t *testing.T) {
	for _, b := range pgtest.Databases {
		t.Run(b.Name, func(t *testing.T) {
			if got := openTest(t, b.URL(t)).Dialect(); string(got) != b.Name {
				t.Errorf("Dialect() = %s", got)
			}
		})
	}
}

func TestSQLiteSettings(t *testing.T) {
	s := openTest(t, pgtest.SQLiteURL(t))
	ctx := context.Background()
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "30000",
	} {
		var got string
		if err := s.db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

func TestPlaceholdersArePostgres(t *testing.T) {
	s := &Store{dialect: Postgres}
	if got := s.q("a = ? AND b IN (?, ?)"); got != "a = $1 AND b IN ($2, $3)" {
		t.Errorf("got %q", got)
	}
	s.dialect = SQLite
	if got := s.q("a = ?"); got != "a = ?" {
		t.Errorf("got %q", got)
	}
}
