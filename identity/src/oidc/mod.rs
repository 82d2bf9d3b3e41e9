//! The OpenID Connect provider's core: the client registry, signing keys and the JWS they make.
//!
//! - [`clients`]: the `oauth_clients` registry — checked registrations, secrets shown once
//!   and stored hashed, rotation and disabling.
//! - [`keys`]: the `signing_keys` table — generation at first start, rotation with
//!   overlap, cleanup — and the private keys sealed at rest with the master key.
//! - [`jws`]: a loaded [`Keys`] set signs compact JWS (ID tokens `typ: JWT`, RFC 9068
//!   access tokens `typ: at+jwt`), verifies our own tokens and serves the JWKS.
//! - [`authorize`]: the authorization request's checks (pure); [`flow`]: the pending
//!   request, per-brand consent and codes; [`tokens`]: the token endpoint's grants,
//!   UserInfo, introspection and revocation; [`claims`]: scopes, claims and subjects;
//!   [`logout`]: back-channel logout, Connected brands.

pub mod assertion;
pub mod authorize;
pub mod claims;
pub mod clients;
pub mod flow;
pub mod jws;
pub mod keys;
pub mod logout;
pub mod tokens;

pub use jws::{ClaimRules, JwtError, Keys, SigningKey, VerifiedJwt};
pub use keys::{Activation, KeyInfo, KeyManager, KeyPolicy, SigningAlg};

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use super::{KeyManager, KeyPolicy, SigningAlg};
    use crate::crypto::MasterKey;
    use crate::store::{DatabaseUrl, PoolSettings, Store};
    use crate::{OsRandom, SecureRandom};

    /// A migrated SQLite store in a temporary directory (kept alive by the guard).
    pub(crate) async fn sqlite_store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::parse(&format!("sqlite://{}/keys.db", dir.path().display())).unwrap();
        let store = Store::connect(&url, PoolSettings::default()).await.unwrap();
        store.migrate().await.unwrap();
        (store, dir)
    }

    pub(crate) fn policy(algs: &[SigningAlg]) -> KeyPolicy {
        KeyPolicy { algs: algs.to_vec(), ..KeyPolicy::default() }
    }

    pub(crate) fn manager(store: &Store, master_key: &Arc<MasterKey>, algs: &[SigningAlg]) -> KeyManager {
        let rng: Arc<dyn SecureRandom> = Arc::new(OsRandom);
        KeyManager::new(store.clone(), master_key.clone(), rng, policy(algs)).unwrap()
    }
}
