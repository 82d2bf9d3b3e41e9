-- Self-service data export and account deletion (docs/design/consent.md "Export" and
-- "Deletion"). Times are Unix milliseconds.

-- Single-use download links for a data export: SHA-256 of a 256-bit token, 15 minutes.
CREATE TABLE data_exports (
    id           TEXT PRIMARY KEY NOT NULL,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX data_exports_customer ON data_exports (customer_id);

-- A requested deletion: the account is erased once `erase_at` has passed, unless the
-- owner cancels (the row goes) before.
CREATE TABLE deletion_requests (
    customer_id   TEXT PRIMARY KEY NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    requested_at  BIGINT NOT NULL,
    erase_at      BIGINT NOT NULL
);
CREATE INDEX deletion_requests_due ON deletion_requests (erase_at);

-- The audit log stays append-only; the one change allowed is erasure's
-- pseudonymisation: an actor or subject `customer:<id>` becomes `erased:<hex>`, and
-- nothing else changes.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.actor = OLD.actor OR (OLD.actor LIKE 'customer:%' AND NEW.actor LIKE 'erased:%'))
       AND (NEW.subject IS NOT DISTINCT FROM OLD.subject OR (OLD.subject LIKE 'customer:%' AND NEW.subject LIKE 'erased:%'))
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
       AND NEW.reason IS NOT DISTINCT FROM OLD.reason AND NEW.detail = OLD.detail
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
