-- 0002: sessions of the web UI. A session is opened with an API token and
-- acts as that token: revoking the token ends its sessions. hash is the
-- SHA-256 of the session cookie's secret, never the secret.
CREATE TABLE sessions (
    id {{id}},
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    token_id BIGINT NOT NULL REFERENCES tokens (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
