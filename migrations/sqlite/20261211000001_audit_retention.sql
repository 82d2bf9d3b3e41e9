-- The audit log for support leads and operators (docs/design/admin.md "Audit log"):
-- indexes for searching by actor, subject and action (newest first, by id), and the
-- one delete the append-only log allows: the retention sweep's
-- (FOYER_AUDIT_RETENTION_DAYS).

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
    id      INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    cutoff  INTEGER,
    open    INTEGER REFERENCES audit_retention_gate (id) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((cutoff IS NULL AND open IS NULL) OR (cutoff IS NOT NULL AND open IS NOT NULL AND open = 2))
);
INSERT INTO audit_retention_gate (id, cutoff, open) VALUES (1, NULL, NULL);

-- A delete passes only while the gate is open, for a row older than its cutoff that
-- is not proof. Anything else is refused, as before.
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT (
    COALESCE(OLD.at < (SELECT cutoff FROM audit_retention_gate WHERE id = 1), 0)
    AND NOT (substr(OLD.action, 1, 8) IN ('consent.', 'privacy.') OR OLD.action = 'audit.retention_applied')
)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The gate itself is only ever opened and closed; its row never goes.
CREATE TRIGGER audit_retention_gate_stays BEFORE DELETE ON audit_retention_gate
BEGIN SELECT RAISE(ABORT, 'the audit retention gate stays'); END;
