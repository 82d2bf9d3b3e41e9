-- Households, invitations, guardianships, delegations and managed members' hand-over
-- (docs/design/household.md "What is stored"). Times are Unix milliseconds; secrets are
-- stored as SHA-256 hex only.

-- A managed member (no sign-in of its own): email holds 'managed:<id>', which no flow can
-- parse as an address. The 30-day coming-of-age notice is sent once.
ALTER TABLE customers ADD COLUMN managed INTEGER NOT NULL DEFAULT 0 CHECK (managed IN (0, 1));
ALTER TABLE customers ADD COLUMN majority_notice_at INTEGER;

CREATE TABLE households (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- One owner per household (partial unique index); a customer's memberships are counted
-- against FOYER_HOUSEHOLDS_PER_CUSTOMER by the core.
CREATE TABLE household_members (
    household_id  TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    customer_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'adult', 'managed')),
    joined_at     INTEGER NOT NULL,
    PRIMARY KEY (household_id, customer_id)
);
CREATE INDEX household_members_customer ON household_members (customer_id);
CREATE UNIQUE INDEX household_members_owner ON household_members (household_id) WHERE role = 'owner';

-- An invitation to join as an adult: for one address, single use, 7 days, revocable.
CREATE TABLE household_invitations (
    id                TEXT PRIMARY KEY NOT NULL,
    household_id      TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    email_normalized  TEXT NOT NULL,
    token_hash        TEXT NOT NULL UNIQUE,
    invited_by        TEXT REFERENCES customers (id) ON DELETE SET NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    accepted_at       INTEGER,
    accepted_by       TEXT REFERENCES customers (id) ON DELETE SET NULL,
    revoked_at        INTEGER
);
CREATE INDEX household_invitations_household ON household_invitations (household_id);

-- A guardian's rights over one managed member, live while ended_at is NULL.
CREATE TABLE guardianships (
    id           TEXT PRIMARY KEY NOT NULL,
    managed_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    guardian_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    ended_at     INTEGER,
    end_reason   TEXT
);
CREATE INDEX guardianships_managed ON guardianships (managed_id);
CREATE INDEX guardianships_guardian ON guardianships (guardian_id);
CREATE UNIQUE INDEX guardianships_live ON guardianships (managed_id, guardian_id) WHERE ended_at IS NULL;

-- The hand-over of a managed member who came of age: a link the guardian gives the member
-- (token_hash), then a code mailed to the address the member chose (code_hash).
CREATE TABLE household_claims (
    id             TEXT PRIMARY KEY NOT NULL,
    managed_id     TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    issued_by      TEXT REFERENCES customers (id) ON DELETE SET NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    new_email      TEXT,
    password_hash  TEXT,
    code_hash      TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX household_claims_managed ON household_claims (managed_id);

-- Named permissions one adult grants another of the same household, until expires_at.
CREATE TABLE delegations (
    id             TEXT PRIMARY KEY NOT NULL,
    household_id   TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    principal_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    delegate_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    -- JSON array of permission names (view_profile, manage_consents, manage_loyalty, act_at_brand).
    permissions    TEXT NOT NULL,
    -- The brand of act_at_brand.
    brand_id       TEXT REFERENCES brands (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    renewed_at     INTEGER,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoke_reason  TEXT,
    CHECK (principal_id <> delegate_id)
);
CREATE INDEX delegations_principal ON delegations (principal_id);
CREATE INDEX delegations_delegate ON delegations (delegate_id);

-- Who acted in a delegated sign-in at a brand, carried from the code to the grant.
ALTER TABLE authorization_codes ADD COLUMN actor_id TEXT;
ALTER TABLE authorization_codes ADD COLUMN delegation_id TEXT;
ALTER TABLE oauth_grants ADD COLUMN actor_id TEXT;
ALTER TABLE oauth_grants ADD COLUMN delegation_id TEXT;
CREATE INDEX oauth_grants_delegation ON oauth_grants (delegation_id);

-- Clients opt in to delegated tokens (`foyer client create … --allow-delegation`).
ALTER TABLE oauth_clients ADD COLUMN allow_delegation INTEGER NOT NULL DEFAULT 0 CHECK (allow_delegation IN (0, 1));
