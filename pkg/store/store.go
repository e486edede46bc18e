// Package store keeps the review record of `pedigree serve` in a database:
// products; the raw SBOMs and artifacts submitted for them, each distinct
// content stored once under its SHA-256; the evaluation of each submission
// under each signature pack, with its verdict and findings (the findings
// array of the JSON report); every change of a verdict; waivers; API
// tokens (hashed); and an append-only audit trail of every change made.
//
// The database is SQLite (sqlite://PATH, an embedded file, through the
// pure-Go modernc.org/sqlite) or PostgreSQL (postgres://… or
// postgresql://…, through pgx). Both hold one schema, built by the
// versioned migrations embedded in the binary (migrations/*.sql) and
// applied by Open in one transaction that a second process opening the
// same database waits for. A database migrated by a newer pedigree is
// refused, not used.
//
// Several `serve` replicas may share one PostgreSQL database: Claim hands
// each submission that still needs evaluating under a signature pack to
// one worker at a time, under a lease, so that re-evaluation is shared,
// never done twice, and resumes after a crash when the lease runs out.
//
// A call that changes the record returns only after its transaction has
// committed: a submission acknowledged to a client is on disk.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors a caller can tell apart with errors.Is.
var (
	// ErrNotFound: no product, submission, evaluation, waiver or token
	// with that name or id.
	ErrNotFound = errors.New("not found")
	// ErrExists: a product with that name, or an evaluation of that
	// submission under that pack digest, is already recorded.
	ErrExists = errors.New("already exists")
	// ErrUnauthorized: the token is unknown, malformed or revoked.
	ErrUnauthorized = errors.New("token not accepted")
	// ErrSchemaTooNew: the database was migrated by a newer pedigree.
	ErrSchemaTooNew = errors.New("database schema is newer than this pedigree")
)

// Dialect names the kind of database a Store uses.
type Dialect string

// The databases a Store can use.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// sqliteBusyTimeout is how long an SQLite connection waits for another
// writer (another goroutine or process) before giving up.
const sqliteBusyTimeout = 30 * time.Second

// Store is an open review record. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	// secret is the password of the database URL, if any, to scrub from
	// errors.
	secret string
	// now is the clock; tests replace it.
	now func() time.Time
}

// Open connects to the database named by rawURL and brings its schema up
// to date: sqlite://PATH (the file and its directory are made if missing)
// or postgres://… and postgresql://… (libpq URL syntax, as pgx reads it).
// Errors never include the URL's password.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	s, err := open(rawURL)
	if err != nil {
		return nil, err
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, s.wrap(err, "connect to the %s database", s.dialect)
	}
	if s.dialect == SQLite {
		if err := s.useWAL(ctx); err != nil {
			s.db.Close()
			return nil, err
		}
	}
	if err := s.migrate(ctx, migrations); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// open parses the URL and makes the connection pool, without connecting.
func open(rawURL string) (*Store, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, fmt.Errorf("database URL has no scheme: want sqlite://PATH, postgres://… or postgresql://…")
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		return openSQLite(rest)
	case "postgres", "postgresql":
		return openPostgres(rawURL)
	default:
		if strings.ContainsAny(scheme, ":@/") {
			// Not a scheme; perhaps credentials, which are not repeated.
			return nil, fmt.Errorf("database URL does not begin with a scheme: want sqlite://PATH, postgres://… or postgresql://…")
		}
		return nil, fmt.Errorf("database URL scheme %q is not supported: want sqlite://PATH, postgres://… or postgresql://…", scheme)
	}
}

func openSQLite(path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("database URL sqlite:// names no file: want sqlite://PATH")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database URL sqlite://%s: the path may not contain ? or #", path)
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("database URL sqlite://%s: want the path of a database file", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite database directory: %w", err)
		}
	}
	// Every write transaction begins IMMEDIATE, taking the write lock at
	// once: two writers queue on busy_timeout instead of failing when a
	// read lock cannot be upgraded. The journal mode (WAL) is set by Open,
	// once: it is kept in the file.
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite database %s: %w", path, err)
	}
	return &Store{db: db, dialect: SQLite, now: time.Now}, nil
}

func openPostgres(rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the URL, password and all: say only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("postgres database URL cannot be parsed: %w", scrubbed{err, passwordOf(rawURL)})
	}
	secret, _ := u.User.Password()
	if secret == "" {
		secret = u.Query().Get("password")
	}
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgres database %s: %w", u.Redacted(), scrubbed{err, secret})
	}
	return &Store{db: db, dialect: Postgres, secret: secret, now: time.Now}, nil
}

// passwordOf is the password of a URL that net/url cannot parse, found by
// hand: what lies between the first ':' after "//" and the last '@'.
func passwordOf(rawURL string) string {
	_, rest, _ := strings.Cut(rawURL, "://")
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	_, pw, ok := strings.Cut(rest[:at], ":")
	if !ok {
		return ""
	}
	return pw
}

// scrubbed is an error whose text has a secret replaced by "xxxxx".
type scrubbed struct {
	err    error
	secret string
}

func (e scrubbed) Error() string {
	if e.secret == "" {
		return e.err.Error()
	}
	msg := strings.ReplaceAll(e.err.Error(), e.secret, "xxxxx")
	if esc := url.QueryEscape(e.secret); esc != e.secret {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	return msg
}

func (e scrubbed) Unwrap() error { return e.err }

// wrap adds context to a database error and keeps the URL's password out
// of its text. It returns nil for a nil error.
func (s *Store) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), scrubbed{err, s.secret})
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.wrap(s.db.PingContext(ctx), "ping the database")
}

// Close closes the connection pool.
func (s *Store) Close() error {
	return s.db.Close()
}

// Dialect says which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// q rewrites a query written with ? placeholders for the dialect:
// PostgreSQL numbers them ($1, $2, …). No query here has a ? elsewhere.
func (s *Store) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lockRows is the clause that locks the rows of table alias that a
// SELECT reads until the transaction ends. SQLite has none, and needs
// none: its write transactions begin IMMEDIATE, one at a time.
func (s *Store) lockRows(alias string) string {
	if s.dialect == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// useWAL puts an SQLite database in write-ahead-log mode, so that readers
// run beside a writer. Switching needs the database to itself for a moment,
// and SQLite reports a busy database at once, without waiting, when two
// connections switch it together: so this waits and tries again, as long
// as busy_timeout would have waited.
func (s *Store) useWAL(ctx context.Context) error {
	deadline := time.Now().Add(sqliteBusyTimeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		var mode string
		err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil && !strings.EqualFold(mode, "wal") {
			return fmt.Errorf("sqlite database: journal mode is %s, not wal", mode)
		}
		if err == nil {
			return nil
		}
		var se *sqlite.Error
		busy := errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
		if !busy || time.Now().After(deadline) {
			return s.wrap(err, "sqlite database: use the write-ahead log")
		}
		select {
		case <-ctx.Done():
			return s.wrap(ctx.Err(), "sqlite database: use the write-ahead log")
		case <-time.After(wait):
		}
	}
}

// isUnique reports whether err is a unique-constraint violation.
func (s *Store) isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// inTx runs fn in a write transaction and commits it; on an error from fn
// or the commit, it rolls back and returns the error.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err, "%s: begin", what)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(err, "%s: commit", what)
	}
	return nil
}

// micros is t as stored: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is a stored time, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// fromNullMicros is a stored optional time; the zero time when absent.
func fromNullMicros(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return fromMicros(us.Int64)
}

// nowTime is the store's clock, truncated to what is stored.
func (s *Store) nowTime() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// queryAll runs query (placeholders already in the dialect's form) and
// reads every row with scan; errors are wrapped with what.
func queryAll[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.wrap(err, "%s", what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.wrap(err, "%s", what)
		}
		out = append(out, v)
	}
	return out, s.wrap(rows.Err(), "%s", what)
}
