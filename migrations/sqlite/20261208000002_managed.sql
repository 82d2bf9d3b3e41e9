-- Managed members (docs/design/household.md "Managed members and the hand-over"):
-- a guardian's approval of a minor's pending grant is a ledger record collected
-- 'guardian', and the hand-over claim's mailed code has a time of sending (it lives
-- 10 minutes) and a count of codes sent (a claim link is not a mail cannon).

ALTER TABLE household_claims ADD COLUMN code_sent_at INTEGER;
ALTER TABLE household_claims ADD COLUMN code_sends INTEGER NOT NULL DEFAULT 0;

-- SQLite cannot change a CHECK in place: the ledger is rebuilt with the same columns,
-- rows, sequence numbers, index and append-only triggers, and one more collection.
-- Nothing references consent_ledger by foreign key.
CREATE TABLE consent_ledger_next (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_id    TEXT NOT NULL UNIQUE,
    -- No foreign key: after erasure it holds a pseudonym ("erased:…").
    customer_id   TEXT NOT NULL,
    -- A purpose (and its version), or the scopes approved on the consent screen.
    purpose_id    TEXT REFERENCES purposes (id),
    version       INTEGER,
    scopes        TEXT,
    -- The controller: the purpose's brand, or the brand a scope approval was for; NULL: the group.
    brand_id      TEXT REFERENCES brands (id),
    decision      TEXT NOT NULL CHECK (decision IN ('granted', 'withdrawn', 'refused', 'pending')),
    channel       TEXT CHECK (channel IN ('email', 'sms', 'push', 'post')),
    at            INTEGER NOT NULL,
    collection    TEXT NOT NULL CHECK (collection IN ('portal', 'brand_sign_in', 'registration', 'support_phone', 'api', 'import', 'guardian')),
    actor         TEXT NOT NULL,
    ticket        TEXT,
    request_id    TEXT,
    user_agent    TEXT,
    jurisdiction  TEXT NOT NULL,
    receipt_jws   TEXT NOT NULL,
    CHECK ((purpose_id IS NULL) <> (scopes IS NULL)),
    CHECK ((purpose_id IS NULL) = (version IS NULL))
);
INSERT INTO consent_ledger_next (seq, receipt_id, customer_id, purpose_id, version, scopes, brand_id, decision, channel, at,
    collection, actor, ticket, request_id, user_agent, jurisdiction, receipt_jws)
SELECT seq, receipt_id, customer_id, purpose_id, version, scopes, brand_id, decision, channel, at,
    collection, actor, ticket, request_id, user_agent, jurisdiction, receipt_jws FROM consent_ledger ORDER BY seq;
DROP TABLE consent_ledger;
ALTER TABLE consent_ledger_next RENAME TO consent_ledger;
CREATE INDEX consent_ledger_customer ON consent_ledger (customer_id, seq);

CREATE TRIGGER consent_ledger_no_delete BEFORE DELETE ON consent_ledger
BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END;
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
WHEN NOT (
    OLD.customer_id NOT LIKE 'erased:%' AND NEW.customer_id LIKE 'erased:%'
    AND (NEW.actor IS OLD.actor OR (OLD.actor = 'customer:' || OLD.customer_id AND NEW.actor = NEW.customer_id))
    AND NEW.request_id IS NULL AND NEW.user_agent IS NULL
    AND NEW.seq IS OLD.seq AND NEW.receipt_id IS OLD.receipt_id AND NEW.purpose_id IS OLD.purpose_id
    AND NEW.version IS OLD.version AND NEW.scopes IS OLD.scopes AND NEW.brand_id IS OLD.brand_id
    AND NEW.decision IS OLD.decision AND NEW.channel IS OLD.channel AND NEW.at IS OLD.at
    AND NEW.collection IS OLD.collection AND NEW.ticket IS OLD.ticket
    AND NEW.jurisdiction IS OLD.jurisdiction AND NEW.receipt_jws IS OLD.receipt_jws
)
BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END;
