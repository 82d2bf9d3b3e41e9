-- OpenID Connect signing keys (identity::oidc::keys).
-- The private key is PEM sealed with the master key (XChaCha20-Poly1305, associated data
-- "signing-key:<kid>:<alg>"); the public JWK is kept in clear for the JWKS and checked
-- against the private key whenever keys are loaded. Times are Unix milliseconds.

CREATE TABLE signing_keys (
    kid                 TEXT PRIMARY KEY NOT NULL,
    alg                 TEXT NOT NULL,
    private_key_sealed  TEXT NOT NULL,
    public_jwk          TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    activates_at        INTEGER NOT NULL,
    -- From then on no longer used to sign; NULL while current.
    retires_at          INTEGER,
    -- From then on no longer in the JWKS (and removed by the cleanup); NULL while current.
    expires_at          INTEGER
);

-- At most one current (not retired) key per algorithm: when two nodes start or rotate at
-- once, the second INSERT … ON CONFLICT DO NOTHING does nothing.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (alg) WHERE retires_at IS NULL;
