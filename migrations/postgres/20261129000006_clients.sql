-- Brands get their public details and theme; OAuth/OIDC clients are registered per brand
-- (identity::brand, identity::oidc::clients; docs/design/oidc.md "What is stored").
-- Times are Unix milliseconds; ids are UUID text; lists are JSON text (URIs) or
-- space-separated (scopes, grant types). Client secrets are stored as SHA-256 hex only.

ALTER TABLE brands ADD COLUMN website_url TEXT;
ALTER TABLE brands ADD COLUMN support_email TEXT;
ALTER TABLE brands ADD COLUMN support_url TEXT;
ALTER TABLE brands ADD COLUMN terms_url TEXT;
ALTER TABLE brands ADD COLUMN privacy_url TEXT;
-- JSON object of checked colours: {"primary": "#rrggbb", …}.
ALTER TABLE brands ADD COLUMN theme TEXT;
ALTER TABLE brands ADD COLUMN logo BYTEA;
ALTER TABLE brands ADD COLUMN logo_type TEXT CHECK (logo_type IN ('image/png', 'image/svg+xml'));
-- 256-bit key sealed with the master key, associated data "pairwise:<brand id>".
ALTER TABLE brands ADD COLUMN pairwise_key_sealed TEXT;
ALTER TABLE brands ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE brands SET updated_at = created_at;

CREATE TABLE oauth_clients (
    id                          TEXT PRIMARY KEY,
    brand_id                    TEXT NOT NULL REFERENCES brands (id),
    name                        TEXT NOT NULL,
    kind                        TEXT NOT NULL CHECK (kind IN ('confidential', 'public')),
    auth_method                 TEXT NOT NULL CHECK (auth_method IN
                                    ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
    secret_hash                 TEXT,
    previous_secret_hash        TEXT,
    previous_secret_expires_at  BIGINT,
    jwks                        TEXT,
    redirect_uris               TEXT NOT NULL,
    post_logout_redirect_uris   TEXT NOT NULL DEFAULT '[]',
    backchannel_logout_uri      TEXT,
    allowed_scopes              TEXT NOT NULL,
    grant_types                 TEXT NOT NULL,
    subject_type                TEXT NOT NULL CHECK (subject_type IN ('public', 'pairwise')),
    id_token_alg                TEXT NOT NULL CHECK (id_token_alg IN ('RS256', 'ES256', 'EdDSA')),
    access_token_ttl_s          BIGINT NOT NULL,
    id_token_ttl_s              BIGINT NOT NULL,
    refresh_token_ttl_s         BIGINT NOT NULL,
    created_at                  BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL,
    disabled_at                 BIGINT,
    -- A public client has no secret; a secret-based client always has one.
    CHECK ((kind = 'public') = (auth_method = 'none')),
    CHECK ((auth_method IN ('client_secret_basic', 'client_secret_post')) = (secret_hash IS NOT NULL)),
    CHECK ((auth_method = 'private_key_jwt') = (jwks IS NOT NULL))
);
CREATE INDEX oauth_clients_brand ON oauth_clients (brand_id, created_at);
