package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Audit actions: what an audit entry records.
const (
	ActionProductCreate = "product.create"
	ActionSubmit        = "submission.create"
	ActionVerdictChange = "verdict.change"
	ActionWaiverCreate  = "waiver.create"
	ActionWaiverRevoke  = "waiver.revoke"
	ActionTokenCreate   = "token.create"
	ActionTokenRevoke   = "token.revoke"
	ActionPackChange    = "pack.change"
)

// AuditEntry is one line of the audit trail. The table refuses UPDATE and
// DELETE: an entry, once written, stays as written.
type AuditEntry struct {
	ID int64
	At time.Time
	// Actor is who made the change: a token's name, a user, or the
	// re-evaluation worker.
	Actor string
	// Action is one of the Action… constants.
	Action string
	// Subject names what changed: "product:3", "waiver:12".
	Subject string
	// Detail is a JSON object with the particulars.
	Detail json.RawMessage
}

// audit appends an entry in the caller's transaction.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, subject string, detail any) error {
	data, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", action, subject, err)
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)"),
		micros(at), actor, action, subject, string(data))
	return s.wrap(err, "audit %s %s", action, subject)
}

// Audit lists the audit entries at or after since, oldest first; at most
// limit of them when limit > 0.
func (s *Store) Audit(ctx context.Context, since time.Time, limit int) ([]AuditEntry, error) {
	query := "SELECT id, at, actor, action, subject, detail FROM audit WHERE at >= ? ORDER BY at, id"
	args := []any{micros(since)}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	return s.auditEntries(ctx, query, args...)
}

// RecentAudit lists the latest n audit entries, newest first.
func (s *Store) RecentAudit(ctx context.Context, n int) ([]AuditEntry, error) {
	if n <= 0 {
		return nil, fmt.Errorf("list the audit trail: asked for %d entries", n)
	}
	return s.auditEntries(ctx, "SELECT id, at, actor, action, subject, detail FROM audit ORDER BY at DESC, id DESC LIMIT ?", n)
}

// auditEntries runs a query of audit entries written with ? placeholders.
func (s *Store) auditEntries(ctx context.Context, query string, args ...any) ([]AuditEntry, error) {
	return queryAll(ctx, s, "list the audit trail", func(r scanner) (AuditEntry, error) {
		var e AuditEntry
		var at int64
		var detail string
		err := r.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &detail)
		e.At, e.Detail = fromMicros(at), json.RawMessage(detail)
		return e, err
	}, s.q(query), args...)
}

// subject names a row of a table for the audit trail: "waiver:12".
func subject(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }

// RecordPackChange audits that the signature pack in force changed from
// one version and digest to another, as done by actor (the admin who asked
// for a reload, or the worker that found a newer pack installed).
func (s *Store) RecordPackChange(ctx context.Context, actor, fromVersion, fromDigest, toVersion, toDigest string) error {
	now := s.nowTime()
	return s.inTx(ctx, "record the pack change", func(tx *sql.Tx) error {
		return s.audit(ctx, tx, now, actor, ActionPackChange, "pack:"+toVersion,
			map[string]string{"fromVersion": fromVersion, "fromDigest": fromDigest, "toVersion": toVersion, "toDigest": toDigest})
	})
}
