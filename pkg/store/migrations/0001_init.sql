-- 0001: the review record. One text for SQLite and PostgreSQL: {{id}} is
-- an auto-numbered primary key (INTEGER PRIMARY KEY in SQLite, an identity
-- column in PostgreSQL) and {{bytes}} a byte string (BLOB, BYTEA); the two
-- have no spelling in common. Times are Unix microseconds, UTC, so that
-- both databases compare and order them the same way.

-- A product under review, by name.
CREATE TABLE products (
    id {{id}},
    name TEXT NOT NULL UNIQUE CHECK (name <> ''),
    supplier TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

-- Raw SBOMs and artifacts, content-addressed: each distinct content once.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size BIGINT NOT NULL CHECK (size >= 0),
    bytes {{bytes}} NOT NULL,
    created_at BIGINT NOT NULL
);

-- What was submitted for a product, by whom and when. evaluated_digest is
-- the pack digest of the latest evaluation; claimed_by, claim_digest and
-- lease_until are the lease of a worker re-evaluating it. All four live on
-- the row that a claim locks, so that a claim sees them change (see
-- Store.Claim).
CREATE TABLE submissions (
    id {{id}},
    product_id BIGINT NOT NULL REFERENCES products (id),
    blob_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    kind TEXT NOT NULL CHECK (kind IN ('sbom', 'artifact')),
    format TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL CHECK (submitted_by <> ''),
    submitted_at BIGINT NOT NULL,
    evaluated_digest TEXT,
    claimed_by TEXT,
    claim_digest TEXT,
    lease_until BIGINT
);
CREATE INDEX submissions_product ON submissions (product_id, submitted_at);

-- One evaluation of a submission under one signature pack: at most one per
-- pack digest. findings is the findings array of the JSON report.
CREATE TABLE evaluations (
    id {{id}},
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    pack_version TEXT NOT NULL,
    pack_digest TEXT NOT NULL CHECK (pack_digest <> ''),
    verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'review', 'incomplete', 'error')),
    findings TEXT NOT NULL,
    evaluated_by TEXT NOT NULL DEFAULT '',
    evaluated_at BIGINT NOT NULL,
    UNIQUE (submission_id, pack_digest)
);
CREATE INDEX evaluations_latest ON evaluations (submission_id, evaluated_at);
CREATE INDEX evaluations_pack ON evaluations (pack_version, evaluated_at);

-- Every change of a submission's verdict, with the evaluation that made it.
CREATE TABLE verdict_changes (
    id {{id}},
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id),
    from_verdict TEXT NOT NULL,
    to_verdict TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    pack_digest TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX verdict_changes_at ON verdict_changes (at);

-- Accepted findings: of one product, or of every product (product_id NULL).
CREATE TABLE waivers (
    id {{id}},
    product_id BIGINT REFERENCES products (id),
    rule TEXT NOT NULL DEFAULT '',
    finding TEXT NOT NULL DEFAULT '',
    component TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL CHECK (reason <> ''),
    owner TEXT NOT NULL CHECK (owner <> ''),
    approved_by TEXT NOT NULL CHECK (approved_by <> ''),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT,
    CHECK (rule <> '' OR finding <> '' OR component <> '')
);
CREATE INDEX waivers_product ON waivers (product_id);

-- API tokens: the SHA-256 of the secret, never the secret; prefix is its
-- first characters, to find the row and to tell tokens apart in lists.
CREATE TABLE tokens (
    id {{id}},
    name TEXT NOT NULL CHECK (name <> ''),
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX tokens_prefix ON tokens (prefix);

-- The audit trail. Append-only: the dialect file of this migration adds
-- triggers that refuse UPDATE and DELETE.
CREATE TABLE audit (
    id {{id}},
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at);
