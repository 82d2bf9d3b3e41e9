-- The audit log for support leads and operators (docs/design/admin.md "Audit log"):
-- indexes for searching by actor, subject and action (newest first, by id), and the
-- one delete the append-only log allows: the retention sweep's
-- (FOYER_AUDIT_RETENTION_DAYS).

-- Actions compare in binary order (as on SQLite), so `support.` is one index range
-- whatever the database's collation.
ALTER TABLE audit_log ALTER COLUMN action TYPE TEXT COLLATE "C";

-- Search: each filter walks its index in id order.
DROP INDEX audit_log_subject;
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- Retention. Rows that are proof (a consent decision: `consent.*`; a data-subject
-- request and its answer: `privacy.*`; the sweep's own record) are never deleted: the
-- sweep pseudonymises the customers they name, as erasure does. Two partial indexes
-- keep every sweep proportional to its work: the rows it may delete, and the proof
-- rows that still name a customer. The predicates are spelled exactly as
-- identity/src/store/audit.rs queries them (a partial index is used only then).
CREATE INDEX audit_log_expiring ON audit_log (at)
    WHERE NOT (substr(action, 1, 8) IN ('consent.', 'privacy.') OR action = 'audit.retention_applied');
CREATE INDEX audit_log_proof_named ON audit_log (at)
    WHERE (substr(action, 1, 8) IN ('consent.', 'privacy.') OR action = 'audit.retention_applied')
      AND (substr(actor, 1, 9) = 'customer:' OR substr(subject, 1, 9) = 'customer:');

-- The gate: one row, closed (NULL) except inside the sweep's transaction, which opens
-- it with the cutoff, deletes and closes it again before committing. An open gate
-- cannot be committed: `open` then names row 2, which the CHECK forbids to exist, and
-- the deferred foreign key is checked at commit.
CREATE TABLE audit_retention_gate (
    id      BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    cutoff  BIGINT,
    open    BIGINT REFERENCES audit_retention_gate (id) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((cutoff IS NULL AND open IS NULL) OR (cutoff IS NOT NULL AND open IS NOT NULL AND open = 2))
);
INSERT INTO audit_retention_gate (id, cutoff, open) VALUES (1, NULL, NULL);

-- Erasure's pseudonymisation as before (20261207000002_deletion.sql); a delete passes
-- only while the gate is open, for a row older than its cutoff that is not proof.
-- Anything else is refused, as before.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
DECLARE
    gate_cutoff BIGINT;
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.actor = OLD.actor OR (OLD.actor LIKE 'customer:%' AND NEW.actor LIKE 'erased:%'))
       AND (NEW.subject IS NOT DISTINCT FROM OLD.subject OR (OLD.subject LIKE 'customer:%' AND NEW.subject LIKE 'erased:%'))
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
       AND NEW.reason IS NOT DISTINCT FROM OLD.reason AND NEW.detail = OLD.detail
    THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        SELECT cutoff INTO gate_cutoff FROM audit_retention_gate WHERE id = 1;
        IF gate_cutoff IS NOT NULL AND OLD.at < gate_cutoff
           AND NOT (substr(OLD.action, 1, 8) IN ('consent.', 'privacy.') OR OLD.action = 'audit.retention_applied')
        THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

-- The gate itself is only ever opened and closed; its row never goes.
CREATE FUNCTION audit_retention_gate_stays() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit retention gate stays';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_retention_gate_stays BEFORE DELETE ON audit_retention_gate
    FOR EACH ROW EXECUTE FUNCTION audit_retention_gate_stays();
