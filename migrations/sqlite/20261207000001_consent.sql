-- The consent ledger (docs/design/consent.md): purposes and their immutable versions, the
-- append-only ledger of every decision with its signed receipt, the projection of what is
-- in force, and the receipt keys (never rotated away). Times are Unix milliseconds.

CREATE TABLE purposes (
    id               TEXT PRIMARY KEY NOT NULL,
    -- NULL: group-wide (every brand shows it and reads it).
    brand_id         TEXT REFERENCES brands (id),
    key              TEXT NOT NULL,
    legal_basis      TEXT NOT NULL CHECK (legal_basis IN ('consent', 'contract', 'legitimate_interest', 'legal_obligation')),
    required         INTEGER NOT NULL CHECK (required IN (0, 1)),
    -- JSON list of data categories, e.g. ["contact", "purchase history"].
    data_categories  TEXT NOT NULL,
    -- ISO 8601 duration (P2Y); NULL: while the account exists.
    retention        TEXT,
    -- JSON subset of ["email", "sms", "push", "post"]: one switch each (marketing).
    channels         TEXT NOT NULL DEFAULT '[]',
    -- JSON {"en": {"title": …, "description": …}, "de": …}; "en" always present.
    texts            TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX purposes_key ON purposes (COALESCE(brand_id, ''), key);

CREATE TABLE purpose_versions (
    purpose_id       TEXT NOT NULL REFERENCES purposes (id),
    version          INTEGER NOT NULL CHECK (version > 0),
    -- The text agreed to, or a document's URL and the SHA-256 (hex) of its bytes.
    body             TEXT,
    document_url     TEXT,
    document_sha256  TEXT,
    effective_at     INTEGER NOT NULL,
    material         INTEGER NOT NULL CHECK (material IN (0, 1)),
    published_at     INTEGER NOT NULL,
    PRIMARY KEY (purpose_id, version),
    CHECK (body IS NOT NULL OR (document_url IS NOT NULL AND document_sha256 IS NOT NULL))
);
CREATE TRIGGER purpose_versions_no_update BEFORE UPDATE ON purpose_versions
BEGIN SELECT RAISE(ABORT, 'a published purpose version is immutable'); END;
CREATE TRIGGER purpose_versions_no_delete BEFORE DELETE ON purpose_versions
BEGIN SELECT RAISE(ABORT, 'a published purpose version is immutable'); END;

CREATE TABLE receipt_keys (
    kid                 TEXT PRIMARY KEY NOT NULL,
    alg                 TEXT NOT NULL CHECK (alg = 'EdDSA'),
    -- PKCS#8 PEM sealed with the master key, associated data "receipt-key:<kid>".
    private_key_sealed  TEXT NOT NULL,
    public_jwk          TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    -- From then on it signs no receipt; its public half stays published for good.
    retired_at          INTEGER
);
CREATE UNIQUE INDEX receipt_keys_one_current ON receipt_keys (alg) WHERE retired_at IS NULL;
CREATE TRIGGER receipt_keys_no_delete BEFORE DELETE ON receipt_keys
BEGIN SELECT RAISE(ABORT, 'receipt keys are kept for as long as receipts may be checked'); END;

CREATE TABLE consent_ledger (
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
    collection    TEXT NOT NULL CHECK (collection IN ('portal', 'brand_sign_in', 'registration', 'support_phone', 'api', 'import')),
    actor         TEXT NOT NULL,
    ticket        TEXT,
    request_id    TEXT,
    user_agent    TEXT,
    jurisdiction  TEXT NOT NULL,
    receipt_jws   TEXT NOT NULL,
    CHECK ((purpose_id IS NULL) <> (scopes IS NULL)),
    CHECK ((purpose_id IS NULL) = (version IS NULL))
);
CREATE INDEX consent_ledger_customer ON consent_ledger (customer_id, seq);

-- Append-only. The one change allowed is erasure's pseudonymisation: the customer id (and
-- an actor that named the customer) become the same "erased:…" pseudonym, the evidence
-- (request id, user agent) is cleared, and nothing else changes.
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

-- What is in force: the latest decision per (customer, purpose, channel; '' = the purpose
-- as a whole), written in the decision's transaction.
CREATE TABLE consent_state (
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose_id   TEXT NOT NULL REFERENCES purposes (id),
    channel      TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('granted', 'withdrawn', 'refused', 'pending')),
    at           INTEGER NOT NULL,
    ledger_seq   INTEGER NOT NULL,
    PRIMARY KEY (customer_id, purpose_id, channel)
);
