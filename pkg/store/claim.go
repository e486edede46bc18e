package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Claim hands worker up to n submissions whose latest evaluation is not
// under packDigest (none yet, or under another digest: also one they were
// evaluated under before, when the pack in force goes back to an earlier
// one) and are not leased by a live claim for it, and leases them to
// worker until lease has passed. The worker evaluates each and records it
// with RecordEvaluation, which ends the lease. A lease that runs out (the
// worker crashed, or was stopped) makes the submission claimable again, so
// re-evaluation resumes where it stopped. Submissions are handed out
// oldest first; none is handed to two live claims at once.
//
// On PostgreSQL the claim selects the rows FOR UPDATE SKIP LOCKED in the
// transaction that writes the lease: replicas claiming at the same time
// skip each other's rows instead of waiting for them, and a row whose
// lease or evaluated digest changed while the claim waited is checked
// again before it is taken (the lease lives on the locked row for that
// reason). On SQLite, a single writer, the claim is one UPDATE … RETURNING
// in an IMMEDIATE transaction. Leases are timed by the claiming process's
// clock: replicas need clocks that agree to well within a lease.
func (s *Store) Claim(ctx context.Context, worker, packDigest string, n int, lease time.Duration) ([]Submission, error) {
	what := fmt.Sprintf("claim submissions for %s under pack digest %s", worker, packDigest)
	switch {
	case strings.TrimSpace(worker) == "":
		return nil, fmt.Errorf("claim submissions: no worker named")
	case packDigest == "":
		return nil, fmt.Errorf("%s: no pack digest", what)
	case n <= 0:
		return nil, fmt.Errorf("%s: asked for %d submissions", what, n)
	case lease <= 0:
		return nil, fmt.Errorf("%s: lease %s is not positive", what, lease)
	}
	now := s.nowTime()
	skip := ""
	if s.dialect == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	query := `UPDATE submissions SET claimed_by = ?, claim_digest = ?, lease_until = ?
WHERE id IN (SELECT c.id FROM submissions c
    WHERE (c.evaluated_digest IS NULL OR c.evaluated_digest <> ?)
        AND (c.lease_until IS NULL OR c.lease_until <= ? OR c.claim_digest <> ?)
    ORDER BY c.id LIMIT ?` + skip + `)
RETURNING id`
	var out []Submission
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(query), worker, packDigest, micros(now.Add(lease)),
			packDigest, micros(now), packDigest, n)
		if err != nil {
			return s.wrap(err, "%s", what)
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return s.wrap(err, "%s", what)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.wrap(err, "%s", what)
		}
		if len(ids) == 0 {
			return nil
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
		rows, err = tx.QueryContext(ctx, s.q(submissionQuery+" WHERE s.id IN ("+marks+") ORDER BY s.id"), ids...)
		if err != nil {
			return s.wrap(err, "%s", what)
		}
		defer rows.Close()
		for rows.Next() {
			sub, err := scanSubmission(rows)
			if err != nil {
				return s.wrap(err, "%s", what)
			}
			out = append(out, sub)
		}
		return s.wrap(rows.Err(), "%s", what)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Pending counts the submissions whose latest evaluation is not under
// packDigest, leased or not: the re-evaluation still to do.
func (s *Store) Pending(ctx context.Context, packDigest string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM submissions s
WHERE s.evaluated_digest IS NULL OR s.evaluated_digest <> ?`), packDigest).Scan(&n)
	return n, s.wrap(err, "count the submissions pending under pack digest %s", packDigest)
}
