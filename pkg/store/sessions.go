package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SessionPrefix begins every session secret.
const SessionPrefix = "pds_"

// Audit actions of sessions.
const (
	ActionSessionOpen  = "session.open"
	ActionSessionClose = "session.close"
)

// OpenSession opens a session of the web UI for the holder of the API
// token secret, lasting ttl, and returns the session's secret (for the
// cookie; only its SHA-256 is stored) and the token it acts as. An
// unknown, malformed or revoked token is ErrUnauthorized. Opening is
// audited; sessions past their end are removed.
func (s *Store) OpenSession(ctx context.Context, tokenSecret string, ttl time.Duration) (string, Token, error) {
	if ttl <= 0 {
		return "", Token{}, errors.New("open session: the lifetime is not positive")
	}
	tok, err := s.Authenticate(ctx, tokenSecret)
	if err != nil {
		return "", Token{}, err
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return "", Token{}, fmt.Errorf("open session: %w", err)
	}
	secret := SessionPrefix + base64.RawURLEncoding.EncodeToString(random)
	now := s.nowTime()
	what := "open session of token " + tok.Prefix
	err = s.inTx(ctx, what, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE expires_at <= ?"), micros(now)); err != nil {
			return s.wrap(err, "%s: remove ended sessions", what)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, s.q("INSERT INTO sessions (hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id"),
			hashToken(secret), tok.ID, micros(now), micros(now.Add(ttl))).Scan(&id); err != nil {
			return s.wrap(err, "%s", what)
		}
		return s.audit(ctx, tx, now, tok.Actor(), ActionSessionOpen, subject("session", id),
			map[string]any{"token": tok.ID, "expires": now.Add(ttl).UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, tok, nil
}

// Session returns the token the session whose secret this is acts as.
// An unknown or ended session, or one whose token is revoked, is
// ErrUnauthorized.
func (s *Store) Session(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, SessionPrefix) || len(secret) <= len(SessionPrefix) {
		return Token{}, ErrUnauthorized
	}
	var t Token
	var role string
	var created, expires int64
	var revoked, used sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT t.id, t.name, t.prefix, t.role, t.created_at, t.revoked_at, t.last_used_at, s.expires_at
		FROM sessions s JOIN tokens t ON t.id = s.token_id WHERE s.hash = ?`), hashToken(secret)).
		Scan(&t.ID, &t.Name, &t.Prefix, &role, &created, &revoked, &used, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrUnauthorized
	}
	if err != nil {
		return Token{}, s.wrap(err, "find session")
	}
	t.Role, t.Created, t.Revoked, t.LastUsed = Role(role), fromMicros(created), fromNullMicros(revoked), fromNullMicros(used)
	if !t.Revoked.IsZero() || !s.nowTime().Before(fromMicros(expires)) {
		return Token{}, ErrUnauthorized
	}
	return t, nil
}

// CloseSession ends the session whose secret this is, as done by actor;
// closing an unknown or ended session does nothing.
func (s *Store) CloseSession(ctx context.Context, actor, secret string) error {
	now := s.nowTime()
	return s.inTx(ctx, "close session", func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, s.q("DELETE FROM sessions WHERE hash = ? RETURNING id"), hashToken(secret)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return s.wrap(err, "close session")
		}
		return s.audit(ctx, tx, now, actor, ActionSessionClose, subject("session", id), map[string]any{})
	})
}
