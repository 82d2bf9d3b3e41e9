-- The consent ledger (docs/design/consent.md): purposes and their immutable versions, the
-- append-only ledger of every decision with its signed receipt, the projection of what is
-- in force, and the receipt keys (never rotated away). Times are Unix milliseconds.

CREATE TABLE purposes (
    id               TEXT PRIMARY KEY,
    -- NULL: group-wide (every brand shows it and reads it).
    brand_id         TEXT REFERENCES brands (id),
    key              TEXT NOT NULL,
    legal_basis      TEXT NOT NULL CHECK (legal_basis IN ('consent', 'contract', 'legitimate_interest', 'legal_obligation')),
    required         BIGINT NOT NULL CHECK (required IN (0, 1)),
    -- JSON list of data categories, e.g. ["contact", "purchase history"].
    data_categories  TEXT NOT NULL,
    -- ISO 8601 duration (P2Y); NULL: while the account exists.
    retention        TEXT,
    -- JSON subset of ["email", "sms", "push", "post"]: one switch each (marketing).
    channels         TEXT NOT NULL DEFAULT '[]',
    -- JSON {"en": {"title": …, "description": …}, "de": …}; "en" always present.
    texts            TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX purposes_key ON purposes (COALESCE(brand_id, ''), key);

CREATE TABLE purpose_versions (
    purpose_id       TEXT NOT NULL REFERENCES purposes (id),
    version          BIGINT NOT NULL CHECK (version > 0),
    -- The text agreed to, or a document's URL and the SHA-256 (hex) of its bytes.
    body             TEXT,
    document_url     TEXT,
    document_sha256  TEXT,
    effective_at     BIGINT NOT NULL,
    material         BIGINT NOT NULL CHECK (material IN (0, 1)),
    published_at     BIGINT NOT NULL,
    PRIMARY KEY (purpose_id, version),
    CHECK (body IS NOT NULL OR (document_url IS NOT NULL AND document_sha256 IS NOT NULL))
);
CREATE FUNCTION purpose_versions_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a published purpose version is immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER purpose_versions_no_change BEFORE UPDATE OR DELETE ON purpose_versions
    FOR EACH ROW EXECUTE FUNCTION purpose_versions_immutable();

CREATE TABLE receipt_keys (
    kid                 TEXT PRIMARY KEY,
    alg                 TEXT NOT NULL CHECK (alg = 'EdDSA'),
    -- PKCS#8 PEM sealed with the master key, associated data "receipt-key:<kid>".
    private_key_sealed  TEXT NOT NULL,
    public_jwk          TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    -- From then on it signs no receipt; its public half stays published for good.
    retired_at          BIGINT
);
CREATE UNIQUE INDEX receipt_keys_one_current ON receipt_keys (alg) WHERE retired_at IS NULL;
CREATE FUNCTION receipt_keys_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'receipt keys are kept for as long as receipts may be checked';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER receipt_keys_no_delete BEFORE DELETE ON receipt_keys
    FOR EACH ROW EXECUTE FUNCTION receipt_keys_kept();

CREATE TABLE consent_ledger (
    seq           BIGSERIAL PRIMARY KEY,
    receipt_id    TEXT NOT NULL UNIQUE,
    -- No foreign key: after erasure it holds a pseudonym ("erased:…").
    customer_id   TEXT NOT NULL,
    -- A purpose (and its version), or the scopes approved on the consent screen.
    purpose_id    TEXT REFERENCES purposes (id),
    version       BIGINT,
    scopes        TEXT,
    -- The controller: the purpose's brand, or the brand a scope approval was for; NULL: the group.
    brand_id      TEXT REFERENCES brands (id),
    decision      TEXT NOT NULL CHECK (decision IN ('granted', 'withdrawn', 'refused', 'pending')),
    channel       TEXT CHECK (channel IN ('email', 'sms', 'push', 'post')),
    at            BIGINT NOT NULL,
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
CREATE FUNCTION consent_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.customer_id NOT LIKE 'erased:%' AND NEW.customer_id LIKE 'erased:%'
       AND (NEW.actor IS NOT DISTINCT FROM OLD.actor OR (OLD.actor = 'customer:' || OLD.customer_id AND NEW.actor = NEW.customer_id))
       AND NEW.request_id IS NULL AND NEW.user_agent IS NULL
       AND NEW.seq = OLD.seq AND NEW.receipt_id = OLD.receipt_id
       AND NEW.purpose_id IS NOT DISTINCT FROM OLD.purpose_id AND NEW.version IS NOT DISTINCT FROM OLD.version
       AND NEW.scopes IS NOT DISTINCT FROM OLD.scopes AND NEW.brand_id IS NOT DISTINCT FROM OLD.brand_id
       AND NEW.decision = OLD.decision AND NEW.channel IS NOT DISTINCT FROM OLD.channel AND NEW.at = OLD.at
       AND NEW.collection = OLD.collection AND NEW.ticket IS NOT DISTINCT FROM OLD.ticket
       AND NEW.jurisdiction = OLD.jurisdiction AND NEW.receipt_jws = OLD.receipt_jws
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent_ledger is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_ledger_no_change BEFORE UPDATE OR DELETE ON consent_ledger
    FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only();

-- What is in force: the latest decision per (customer, purpose, channel; '' = the purpose
-- as a whole), written in the decision's transaction.
CREATE TABLE consent_state (
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose_id   TEXT NOT NULL REFERENCES purposes (id),
    channel      TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('granted', 'withdrawn', 'refused', 'pending')),
    at           BIGINT NOT NULL,
    ledger_seq   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, purpose_id, channel)
);
