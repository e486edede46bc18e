package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
	"github.com/pedigree-sbom/pedigree/pkg/result"
)

// Evaluation is the outcome of one submission under one signature pack.
type Evaluation struct {
	ID           int64
	SubmissionID int64
	// PackVersion and PackDigest name the signature pack in force (as the
	// JSON report's signatures.version and signatures.digest). A
	// submission has at most one evaluation per digest, so a caller whose
	// verdicts depend on more than the pack (the waivers in force) folds
	// that into the digest it records.
	PackVersion string
	PackDigest  string
	Verdict     result.Verdict
	// Findings is the target's findings array of the JSON report.
	Findings json.RawMessage
	// EvaluatedBy names the worker or user that evaluated it.
	EvaluatedBy string
	EvaluatedAt time.Time
}

// Change is a change of a submission's verdict.
type Change struct {
	ID           int64
	SubmissionID int64
	EvaluationID int64
	Product      string
	From, To     result.Verdict
	PackVersion  string
	PackDigest   string
	// Reason says why, for instance the rules that now match.
	Reason string
	At     time.Time
}

// String is the change as a person reads it: "pass → fail under pack
// 2026.12.1: rule KL-…".
func (c Change) String() string {
	s := fmt.Sprintf("%s → %s under pack %s", c.From, c.To, c.PackVersion)
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	return s
}

// RecordEvaluation stores an evaluation of a submission and releases the
// submission's lease for that pack digest. When the verdict differs from
// that of the submission's previous evaluation, it records the change,
// with reason, and audits it; the change is returned, else nil (a first
// evaluation changes nothing). All of it
// commits together or not at all. A second evaluation under the pack
// digest of the latest one is ErrExists. The record keeps one evaluation
// per digest: when a submission comes back under a digest it was
// evaluated under before (a pack rolled back), that evaluation is redone
// in place and becomes the latest; the verdict changes keep the history.
func (s *Store) RecordEvaluation(ctx context.Context, e Evaluation, reason string) (Evaluation, *Change, error) {
	what := fmt.Sprintf("record the evaluation of submission %d", e.SubmissionID)
	if _, ok := result.ParseVerdict(string(e.Verdict)); !ok {
		return Evaluation{}, nil, fmt.Errorf("%s: verdict %q is not one of %s", what, e.Verdict, enum.Join(result.AllVerdicts(), ", "))
	}
	if e.PackDigest == "" {
		return Evaluation{}, nil, fmt.Errorf("%s: no pack digest", what)
	}
	if len(e.Findings) == 0 {
		e.Findings = json.RawMessage("[]")
	}
	if !json.Valid(e.Findings) {
		return Evaluation{}, nil, fmt.Errorf("%s: the findings are not JSON", what)
	}
	if e.EvaluatedAt.IsZero() {
		e.EvaluatedAt = s.nowTime()
	}
	e.EvaluatedAt = e.EvaluatedAt.UTC().Truncate(time.Microsecond)
	var change *Change
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		// Lock the submission, so that evaluations of it are recorded one
		// after the other and each sees the one before.
		var product string
		var latest sql.NullString
		err := tx.QueryRowContext(ctx, s.q(`SELECT p.name, s.evaluated_digest FROM submissions s JOIN products p ON p.id = s.product_id
WHERE s.id = ?`+s.lockRows("s")), e.SubmissionID).Scan(&product, &latest)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: submission %w", what, ErrNotFound)
		}
		if err != nil {
			return s.wrap(err, "%s", what)
		}
		var prev string
		err = tx.QueryRowContext(ctx, s.q("SELECT verdict FROM evaluations WHERE submission_id = ? ORDER BY evaluated_at DESC, id DESC LIMIT 1"),
			e.SubmissionID).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.wrap(err, "%s: previous verdict", what)
		}
		if latest.Valid && latest.String == e.PackDigest {
			return fmt.Errorf("%s under pack digest %s: %w", what, e.PackDigest, ErrExists)
		}
		// Back under a digest it was evaluated under before (the pack in
		// force went back to an earlier one): that evaluation is redone
		// in place, one row per digest, and becomes the latest.
		err = tx.QueryRowContext(ctx, s.q(`UPDATE evaluations SET pack_version = ?, verdict = ?, findings = ?, evaluated_by = ?, evaluated_at = ?
WHERE submission_id = ? AND pack_digest = ? RETURNING id`),
			e.PackVersion, string(e.Verdict), string(e.Findings), e.EvaluatedBy, micros(e.EvaluatedAt), e.SubmissionID, e.PackDigest).Scan(&e.ID)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, s.q(`INSERT INTO evaluations (submission_id, pack_version, pack_digest, verdict, findings, evaluated_by, evaluated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
				e.SubmissionID, e.PackVersion, e.PackDigest, string(e.Verdict), string(e.Findings), e.EvaluatedBy, micros(e.EvaluatedAt)).Scan(&e.ID)
		}
		if s.isUnique(err) {
			return fmt.Errorf("%s under pack digest %s: %w", what, e.PackDigest, ErrExists)
		}
		if err != nil {
			return s.wrap(err, "%s", what)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE submissions SET evaluated_digest = ?,
    claimed_by = CASE WHEN claim_digest = ? THEN NULL ELSE claimed_by END,
    lease_until = CASE WHEN claim_digest = ? THEN NULL ELSE lease_until END,
    claim_digest = CASE WHEN claim_digest = ? THEN NULL ELSE claim_digest END
WHERE id = ?`), e.PackDigest, e.PackDigest, e.PackDigest, e.PackDigest, e.SubmissionID); err != nil {
			return s.wrap(err, "%s: release the lease", what)
		}
		if prev == "" || prev == string(e.Verdict) {
			return nil
		}
		change = &Change{SubmissionID: e.SubmissionID, EvaluationID: e.ID, Product: product, From: result.Verdict(prev), To: e.Verdict,
			PackVersion: e.PackVersion, PackDigest: e.PackDigest, Reason: reason, At: e.EvaluatedAt}
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO verdict_changes (submission_id, evaluation_id, from_verdict, to_verdict, pack_version, pack_digest, reason, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			change.SubmissionID, change.EvaluationID, prev, string(e.Verdict), e.PackVersion, e.PackDigest, reason, micros(change.At)).Scan(&change.ID); err != nil {
			return s.wrap(err, "%s: record the verdict change", what)
		}
		actor := e.EvaluatedBy
		if actor == "" {
			actor = "pedigree"
		}
		return s.audit(ctx, tx, change.At, actor, ActionVerdictChange, subject("submission", e.SubmissionID),
			map[string]any{"product": product, "from": prev, "to": e.Verdict, "packVersion": e.PackVersion,
				"packDigest": e.PackDigest, "reason": reason, "evaluation": e.ID})
	})
	if err != nil {
		return Evaluation{}, nil, err
	}
	return e, change, nil
}

// evaluationQuery selects evaluations; a WHERE clause may follow.
const evaluationQuery = "SELECT id, submission_id, pack_version, pack_digest, verdict, findings, evaluated_by, evaluated_at FROM evaluations"

func scanEvaluation(r scanner) (Evaluation, error) {
	var e Evaluation
	var verdict, findings string
	var at int64
	if err := r.Scan(&e.ID, &e.SubmissionID, &e.PackVersion, &e.PackDigest, &verdict, &findings, &e.EvaluatedBy, &at); err != nil {
		return Evaluation{}, err
	}
	e.Verdict, e.Findings, e.EvaluatedAt = result.Verdict(verdict), json.RawMessage(findings), fromMicros(at)
	return e, nil
}

// LatestEvaluation returns the newest evaluation of a submission, with
// its findings, or ErrNotFound when it has none.
func (s *Store) LatestEvaluation(ctx context.Context, submission int64) (Evaluation, error) {
	e, err := scanEvaluation(s.db.QueryRowContext(ctx,
		s.q(evaluationQuery+" WHERE submission_id = ? ORDER BY evaluated_at DESC, id DESC LIMIT 1"), submission))
	if errors.Is(err, sql.ErrNoRows) {
		return Evaluation{}, fmt.Errorf("evaluation of submission %d: %w", submission, ErrNotFound)
	}
	return e, s.wrap(err, "evaluation of submission %d", submission)
}

// Evaluations lists every evaluation of a submission, newest first.
func (s *Store) Evaluations(ctx context.Context, submission int64) ([]Evaluation, error) {
	what := fmt.Sprintf("evaluations of submission %d", submission)
	return queryAll(ctx, s, what, scanEvaluation, s.q(evaluationQuery+" WHERE submission_id = ? ORDER BY evaluated_at DESC, id DESC"), submission)
}

// ChangeFilter selects verdict changes; every field given must match.
type ChangeFilter struct {
	// Since: changes at or after this time.
	Since time.Time
	// SincePack: changes since the pack of this version was first used,
	// that is since its first evaluation; an unknown version is
	// ErrNotFound.
	SincePack string
	// Product: changes of this product's submissions.
	Product string
}

// Changes lists verdict changes, oldest first.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "c.at >= ?"), append(args, micros(f.Since))
	}
	if f.SincePack != "" {
		var first sql.NullInt64
		if err := s.db.QueryRowContext(ctx, s.q("SELECT MIN(evaluated_at) FROM evaluations WHERE pack_version = ?"), f.SincePack).Scan(&first); err != nil {
			return nil, s.wrap(err, "changes since pack %s", f.SincePack)
		}
		if !first.Valid {
			return nil, fmt.Errorf("changes since pack %s: no evaluation under that pack: %w", f.SincePack, ErrNotFound)
		}
		where, args = append(where, "c.at >= ?"), append(args, first.Int64)
	}
	if f.Product != "" {
		where, args = append(where, "p.name = ?"), append(args, f.Product)
	}
	query := `SELECT c.id, c.submission_id, c.evaluation_id, p.name, c.from_verdict, c.to_verdict, c.pack_version, c.pack_digest, c.reason, c.at
FROM verdict_changes c JOIN submissions s ON s.id = c.submission_id JOIN products p ON p.id = s.product_id`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY c.at, c.id"
	return queryAll(ctx, s, "list verdict changes", func(r scanner) (Change, error) {
		var c Change
		var from, to string
		var at int64
		err := r.Scan(&c.ID, &c.SubmissionID, &c.EvaluationID, &c.Product, &from, &to, &c.PackVersion, &c.PackDigest, &c.Reason, &at)
		c.From, c.To, c.At = result.Verdict(from), result.Verdict(to), fromMicros(at)
		return c, err
	}, s.q(query), args...)
}
