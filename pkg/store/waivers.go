package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Waiver is an accepted finding or group of findings, as in a waiver file
// (package waiver), with who approved it and whether it was revoked.
type Waiver struct {
	ID int64
	// Product is the product it applies to; "" for every product.
	Product string
	// Rule, Finding and Component select what it waives, as the fields of
	// a waiver file do; at least one is given.
	Rule      string
	Finding   string
	Component string
	Reason    string
	Owner     string
	// Expires is when it stops applying.
	Expires    time.Time
	ApprovedBy string
	Created    time.Time
	// Revoked is when it was revoked, zero while it stands.
	Revoked   time.Time
	RevokedBy string
}

// Active reports whether the waiver applies at t: not revoked, not expired.
func (w Waiver) Active(t time.Time) bool {
	return w.Revoked.IsZero() && t.Before(w.Expires)
}

// CreateWaiver records a waiver, approved by w.ApprovedBy, and audits it
// as done by actor. A waiver for an unknown product is ErrNotFound.
func (s *Store) CreateWaiver(ctx context.Context, actor string, w Waiver) (Waiver, error) {
	what := "create waiver"
	switch {
	case w.Rule == "" && w.Finding == "" && w.Component == "":
		return Waiver{}, fmt.Errorf("%s: it names no rule, finding or component, so it would waive everything", what)
	case strings.TrimSpace(w.Reason) == "":
		return Waiver{}, fmt.Errorf("%s: the reason is missing", what)
	case strings.TrimSpace(w.Owner) == "":
		return Waiver{}, fmt.Errorf("%s: the owner is missing", what)
	case strings.TrimSpace(w.ApprovedBy) == "":
		return Waiver{}, fmt.Errorf("%s: no approver named", what)
	case w.Expires.IsZero():
		return Waiver{}, fmt.Errorf("%s: no expiry date", what)
	}
	w.ID, w.Created, w.Revoked, w.RevokedBy = 0, s.nowTime(), time.Time{}, ""
	w.Expires = w.Expires.UTC().Truncate(time.Microsecond)
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		var product sql.NullInt64
		if w.Product != "" {
			err := tx.QueryRowContext(ctx, s.q("SELECT id FROM products WHERE name = ?"), w.Product).Scan(&product)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%s: product %s: %w", what, w.Product, ErrNotFound)
			}
			if err != nil {
				return s.wrap(err, "%s", what)
			}
		}
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO waivers (product_id, rule, finding, component, reason, owner, approved_by, expires_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			product, w.Rule, w.Finding, w.Component, w.Reason, w.Owner, w.ApprovedBy, micros(w.Expires), micros(w.Created)).Scan(&w.ID); err != nil {
			return s.wrap(err, "%s", what)
		}
		return s.audit(ctx, tx, w.Created, actor, ActionWaiverCreate, subject("waiver", w.ID), map[string]any{
			"product": w.Product, "rule": w.Rule, "finding": w.Finding, "component": w.Component, "reason": w.Reason,
			"owner": w.Owner, "approvedBy": w.ApprovedBy, "expires": w.Expires.Format(time.RFC3339),
		})
	})
	if err != nil {
		return Waiver{}, err
	}
	return w, nil
}

// WaiverFilter selects waivers.
type WaiverFilter struct {
	// Product: the waivers that apply to this product, its own and those
	// for every product; "" for all waivers.
	Product string
	// Revoked includes revoked waivers.
	Revoked bool
}

// Waivers lists waivers, oldest first.
func (s *Store) Waivers(ctx context.Context, f WaiverFilter) ([]Waiver, error) {
	query := `SELECT w.id, COALESCE(p.name, ''), w.rule, w.finding, w.component, w.reason, w.owner, w.approved_by,
    w.expires_at, w.created_at, w.revoked_at, COALESCE(w.revoked_by, '')
FROM waivers w LEFT JOIN products p ON p.id = w.product_id WHERE 1 = 1`
	var args []any
	if f.Product != "" {
		query += " AND (w.product_id IS NULL OR p.name = ?)"
		args = append(args, f.Product)
	}
	if !f.Revoked {
		query += " AND w.revoked_at IS NULL"
	}
	query += " ORDER BY w.created_at, w.id"
	return queryAll(ctx, s, "list waivers", func(r scanner) (Waiver, error) {
		var w Waiver
		var expires, created int64
		var revoked sql.NullInt64
		err := r.Scan(&w.ID, &w.Product, &w.Rule, &w.Finding, &w.Component, &w.Reason, &w.Owner, &w.ApprovedBy,
			&expires, &created, &revoked, &w.RevokedBy)
		w.Expires, w.Created, w.Revoked = fromMicros(expires), fromMicros(created), fromNullMicros(revoked)
		return w, err
	}, s.q(query), args...)
}

// RevokeWaiver revokes a waiver and audits it as done by actor. An
// unknown or already revoked waiver is ErrNotFound.
func (s *Store) RevokeWaiver(ctx context.Context, actor string, id int64) error {
	what := fmt.Sprintf("revoke waiver %d", id)
	now := s.nowTime()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE waivers SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL"),
			micros(now), actor, id)
		if err != nil {
			return s.wrap(err, "%s", what)
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.wrap(err, "%s", what)
		} else if n == 0 {
			return fmt.Errorf("%s: no such waiver in force: %w", what, ErrNotFound)
		}
		return s.audit(ctx, tx, now, actor, ActionWaiverRevoke, subject("waiver", id), map[string]any{})
	})
}
