package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
)

// Role is what a token may do.
type Role string

// Roles, each allowed what the one before it is, and more.
const (
	// Viewer reads products, submissions, findings, changes and waivers.
	Viewer Role = "viewer"
	// Reviewer also submits and waives.
	Reviewer Role = "reviewer"
	// Admin also manages tokens.
	Admin Role = "admin"
)

// AllRoles lists every role, the least allowed first.
func AllRoles() []Role { return []Role{Viewer, Reviewer, Admin} }

// ParseRole returns the role named s, and false when s names none.
func ParseRole(s string) (Role, bool) { return enum.Parse(s, AllRoles()) }

// Allows reports whether a token of role r may do what needs role min.
func (r Role) Allows(min Role) bool {
	rank := func(x Role) int {
		for i, y := range AllRoles() {
			if x == y {
				return i
			}
		}
		return -1
	}
	return rank(min) >= 0 && rank(r) >= rank(min)
}

// TokenPrefix begins every token secret, so that a leaked one is
// recognised (by secret scanners, and by people).
const TokenPrefix = "pdg_"

// tokenIDLen is how much of a secret (prefix included) the database keeps
// in clear, to find the row and to tell tokens apart in lists: "pdg_" and
// 8 characters, 48 of the secret's 256 random bits.
const tokenIDLen = len(TokenPrefix) + 8

// Token is an API token as stored: never its secret.
type Token struct {
	ID   int64
	Name string
	// Prefix is the first characters of its secret: "pdg_AbCd1234".
	Prefix   string
	Role     Role
	Created  time.Time
	Revoked  time.Time
	LastUsed time.Time
}

// Actor names the token's holder in the record (submitted by, approved
// by, the audit trail): its name and id, never its secret.
func (t Token) Actor() string { return fmt.Sprintf("%s (token %d)", t.Name, t.ID) }

// CreateToken makes a token of role for name, stores the SHA-256 of its
// secret, audits it as done by actor, and returns the secret: this is the
// only time it is known.
func (s *Store) CreateToken(ctx context.Context, actor, name string, role Role) (string, Token, error) {
	what := "create token " + name
	if _, ok := ParseRole(string(role)); !ok {
		return "", Token{}, fmt.Errorf("%s: role %q is not one of %s", what, role, enum.Join(AllRoles(), ", "))
	}
	if strings.TrimSpace(name) == "" {
		return "", Token{}, fmt.Errorf("create token: the name is empty")
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return "", Token{}, fmt.Errorf("%s: %w", what, err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(random)
	t := Token{Name: name, Prefix: secret[:tokenIDLen], Role: role, Created: s.nowTime()}
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q("INSERT INTO tokens (name, prefix, hash, role, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id"),
			t.Name, t.Prefix, hashToken(secret), string(t.Role), micros(t.Created)).Scan(&t.ID); err != nil {
			return s.wrap(err, "%s", what)
		}
		return s.audit(ctx, tx, t.Created, actor, ActionTokenCreate, subject("token", t.ID),
			map[string]string{"name": t.Name, "prefix": t.Prefix, "role": string(t.Role)})
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// hashToken is the stored form of a secret: its hex SHA-256. A secret has
// 256 random bits, so a fast hash is enough; no salt or stretching.
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the token whose secret this is, and records that
// it was used. An unknown, malformed or revoked secret is ErrUnauthorized.
// The hashes are compared in constant time.
func (s *Store) Authenticate(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) <= tokenIDLen {
		return Token{}, ErrUnauthorized
	}
	want := []byte(hashToken(secret))
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id, name, prefix, hash, role, created_at, revoked_at, last_used_at FROM tokens WHERE prefix = ?"),
		secret[:tokenIDLen])
	if err != nil {
		return Token{}, s.wrap(err, "authenticate")
	}
	var found *Token
	for rows.Next() {
		var t Token
		var hash, role string
		var created int64
		var revoked, used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &hash, &role, &created, &revoked, &used); err != nil {
			rows.Close()
			return Token{}, s.wrap(err, "authenticate")
		}
		if subtle.ConstantTimeCompare([]byte(hash), want) == 1 {
			t.Role, t.Created, t.Revoked, t.LastUsed = Role(role), fromMicros(created), fromNullMicros(revoked), fromNullMicros(used)
			found = &t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Token{}, s.wrap(err, "authenticate")
	}
	if found == nil || !found.Revoked.IsZero() {
		return Token{}, ErrUnauthorized
	}
	// The use is recorded at most once a minute: every API call
	// authenticates, and a write per call would serialize SQLite's readers
	// behind its one writer for a date nobody needs to the second.
	if now := s.nowTime(); found.LastUsed.IsZero() || now.Sub(found.LastUsed) >= lastUsedEvery {
		found.LastUsed = now
		if _, err := s.db.ExecContext(ctx, s.q("UPDATE tokens SET last_used_at = ? WHERE id = ?"), micros(now), found.ID); err != nil {
			return Token{}, s.wrap(err, "authenticate: record the use")
		}
	}
	return *found, nil
}

// lastUsedEvery is how often a token's last use is written.
const lastUsedEvery = time.Minute

// Tokens lists every token, revoked ones included, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	return queryAll(ctx, s, "list tokens", func(r scanner) (Token, error) {
		var t Token
		var role string
		var created int64
		var revoked, used sql.NullInt64
		err := r.Scan(&t.ID, &t.Name, &t.Prefix, &role, &created, &revoked, &used)
		t.Role, t.Created, t.Revoked, t.LastUsed = Role(role), fromMicros(created), fromNullMicros(revoked), fromNullMicros(used)
		return t, err
	}, "SELECT id, name, prefix, role, created_at, revoked_at, last_used_at FROM tokens ORDER BY id")
}

// RevokeToken revokes a token and audits it as done by actor. An unknown
// or already revoked token is ErrNotFound.
func (s *Store) RevokeToken(ctx context.Context, actor string, id int64) error {
	what := fmt.Sprintf("revoke token %d", id)
	now := s.nowTime()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"), micros(now), id)
		if err != nil {
			return s.wrap(err, "%s", what)
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.wrap(err, "%s", what)
		} else if n == 0 {
			return fmt.Errorf("%s: no such token in force: %w", what, ErrNotFound)
		}
		return s.audit(ctx, tx, now, actor, ActionTokenRevoke, subject("token", id), map[string]any{})
	})
}
