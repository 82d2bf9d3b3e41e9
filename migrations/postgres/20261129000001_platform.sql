-- Booleans are 0/1 integers: the portable form both engines decode the same way.
-- Foyer platform schema (PostgreSQL). Times are Unix milliseconds (BIGINT); ids are UUID text.

CREATE TABLE brands (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE customers (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL UNIQUE,
    given_name        TEXT,
    family_name       TEXT,
    password_hash     TEXT,
    email_verified    BIGINT NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE staff (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL UNIQUE,
    role              TEXT NOT NULL CHECK (role IN ('support', 'admin')),
    password_hash     TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    subject     TEXT,
    action      TEXT NOT NULL,
    reason      TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE outbox (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    locked_until     BIGINT,
    delivered_at     BIGINT,
    failed_at        BIGINT,
    last_error       TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE dev_mailbox (
    id           BIGSERIAL PRIMARY KEY,
    received_at  BIGINT NOT NULL,
    to_addr      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    text_body    TEXT NOT NULL,
    html_body    TEXT NOT NULL
);
