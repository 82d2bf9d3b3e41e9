-- Ticket-scoped support access (docs/design/admin.md "Ticket-scoped access"): an agent
-- asks to act in one customer's portal for a ticket; the customer approves (choosing the
-- permissions and at most an hour) or refuses, and can end it at any time.
CREATE TABLE support_access (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    ticket       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    -- JSON arrays of permission names (view_profile, manage_profile, manage_consents, manage_loyalty).
    requested    TEXT NOT NULL,
    granted      TEXT,
    status       TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused', 'ended')),
    requested_at BIGINT NOT NULL,
    decided_at   BIGINT,
    -- A request unanswered by then lapses; an approval ends then.
    expires_at   BIGINT NOT NULL,
    ended_at     BIGINT,
    ended_by     TEXT,
    -- The one-time entry into the portal (SHA-256 of the token), live for a minute.
    entry_hash   TEXT,
    entry_expires_at BIGINT
);
CREATE UNIQUE INDEX support_access_entry ON support_access (entry_hash);
CREATE INDEX support_access_customer ON support_access (customer_id, status);
CREATE INDEX support_access_staff ON support_access (staff_id, customer_id);
