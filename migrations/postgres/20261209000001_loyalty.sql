-- Loyalty programmes, what brands report about their members, and customers' links to
-- their memberships (docs/design/loyalty.md "What is stored"). Times are Unix
-- milliseconds; codes are stored as SHA-256 hex only.

CREATE TABLE loyalty_programmes (
    id              TEXT PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    brand_id        TEXT NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    number_pattern  TEXT NOT NULL,
    luhn            BIGINT NOT NULL DEFAULT 0 CHECK (luhn IN (0, 1)),
    tiers           TEXT NOT NULL DEFAULT '[]',
    verification    TEXT NOT NULL CHECK (verification IN ('email', 'code', 'brand-api', 'support')),
    pooling         BIGINT NOT NULL DEFAULT 0 CHECK (pooling IN (0, 1)),
    created_at      BIGINT NOT NULL
);
CREATE INDEX loyalty_programmes_brand ON loyalty_programmes (brand_id);

-- What the brand's back end reports per member number (PUT /api/v1/loyalty/{p}/members/{n}).
CREATE TABLE loyalty_members (
    programme_id   TEXT NOT NULL REFERENCES loyalty_programmes (id) ON DELETE CASCADE,
    number         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
    tier           TEXT,
    points         BIGINT,
    email          TEXT,
    code_hash      TEXT,
    code_attempts  BIGINT NOT NULL DEFAULT 0,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (programme_id, number)
);

CREATE TABLE loyalty_links (
    id             TEXT PRIMARY KEY,
    programme_id   TEXT NOT NULL REFERENCES loyalty_programmes (id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    number         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected', 'unlinked')),
    requested_at   BIGINT NOT NULL,
    decided_at     BIGINT,
    decided_by     TEXT,
    reason         TEXT,
    linked_by      TEXT REFERENCES customers (id) ON DELETE SET NULL,
    code_hash      TEXT,
    code_sent_at   BIGINT,
    code_sends     BIGINT NOT NULL DEFAULT 0,
    code_attempts  BIGINT NOT NULL DEFAULT 0,
    pooled         BIGINT NOT NULL DEFAULT 0 CHECK (pooled IN (0, 1)),
    unlinked_at    BIGINT
);
-- A number is verified for one customer at a time; one live link per customer and programme.
CREATE UNIQUE INDEX loyalty_links_verified_number ON loyalty_links (programme_id, number) WHERE status = 'verified';
CREATE UNIQUE INDEX loyalty_links_live ON loyalty_links (programme_id, customer_id) WHERE status IN ('pending', 'verified');
CREATE INDEX loyalty_links_customer ON loyalty_links (customer_id);
-- The brand's page of links by status (GET …/links?status=pending), in request order.
CREATE INDEX loyalty_links_queue ON loyalty_links (programme_id, status, requested_at, id);
