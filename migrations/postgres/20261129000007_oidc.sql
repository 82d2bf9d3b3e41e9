-- The OpenID Connect provider's flow state (docs/design/oidc.md "What is stored"):
-- pending authorization requests, codes, grants with their refresh tokens, issued access
-- tokens, per-brand consent, and which clients each sign-in (sid) has served.
-- Handles, codes and refresh tokens are stored as SHA-256 hex only. Times are Unix ms.

-- The sign-in a session belongs to (OIDC `sid`), copied from the session data.
ALTER TABLE sessions ADD COLUMN sid TEXT;
CREATE INDEX sessions_sid ON sessions (sid);

CREATE TABLE oauth_requests (
    id_hash       TEXT PRIMARY KEY,
    client_id     TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    params        TEXT NOT NULL,
    customer_id   TEXT REFERENCES customers (id) ON DELETE CASCADE,
    sid           TEXT,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    denied_at     BIGINT,
    consented_at  BIGINT,
    completed_at  BIGINT
);
CREATE INDEX oauth_requests_expiry ON oauth_requests (expires_at);

CREATE TABLE oauth_grants (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    sid            TEXT,
    scope          TEXT NOT NULL,
    nonce          TEXT,
    auth_time      BIGINT NOT NULL,
    acr            TEXT NOT NULL,
    amr            TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    revoked_at     BIGINT,
    revoke_reason  TEXT
);
CREATE INDEX oauth_grants_customer ON oauth_grants (customer_id, client_id);
CREATE INDEX oauth_grants_sid ON oauth_grants (sid);

CREATE TABLE authorization_codes (
    code_hash       TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    sid             TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    scope           TEXT NOT NULL,
    nonce           TEXT,
    code_challenge  TEXT,
    auth_time       BIGINT NOT NULL,
    acr             TEXT NOT NULL,
    amr             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    redeemed_at     BIGINT,
    grant_id        TEXT
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);

CREATE TABLE access_tokens (
    jti          TEXT PRIMARY KEY,
    grant_id     TEXT REFERENCES oauth_grants (id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    customer_id  TEXT REFERENCES customers (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

CREATE TABLE brand_consents (
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    brand_id     TEXT NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    granted_at   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, brand_id, scope)
);

CREATE TABLE oidc_session_clients (
    sid          TEXT NOT NULL,
    client_id    TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    first_at     BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (sid, client_id)
);
CREATE INDEX oidc_session_clients_customer ON oidc_session_clients (customer_id, client_id);

CREATE TABLE client_assertion_jtis (
    client_id   TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    jti         TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
