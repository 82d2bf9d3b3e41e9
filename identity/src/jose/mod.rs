//! JOSE: our signing keys and the compact JWS they make. Outside `oidc` because more than
//! OpenID Connect signs (ID tokens, access tokens and logout tokens now; receipts and
//! webhooks next).
//!
//! The modules depend one way only: `alg` ← `keys` ← `rotation`, and `jws` uses `alg`
//! and `keys` (never the reverse).
//! - [`alg`]: [`SigningAlg`], the only algorithms we sign with or accept.
//! - [`keys`]: key material — an unsealed [`SigningKey`] and the [`Keys`] in force at one
//!   instant (loaded from `store::signing_keys`, each private key unsealed with the
//!   master key).
//! - [`rotation`]: [`KeyManager`] — generation at first start, rotation with overlap,
//!   withdrawal, cleanup — and the private keys sealed at rest.
//! - [`jws`]: [`Keys::sign_jwt`] and [`Keys::verify_jwt`] (ID tokens `typ: JWT`, RFC 9068
//!   access tokens `typ: at+jwt`), [`VerifiedJwt::check_claims`].

pub mod alg;
pub mod jws;
pub mod keys;
pub mod rotation;

pub use alg::{RSA_MAX_BITS, RSA_MIN_BITS, SigningAlg};
pub use jws::{ClaimRules, JwtError, MAX_JWT_BYTES, VerifiedJwt, unverified_claims};
pub use keys::{Keys, SigningKey};
pub use rotation::{Activation, IMMEDIATE_LEAD_MS, KEY_CHECK_MS, KeyManager, KeyPolicy};
pub use crate::store::signing_keys::KeyInfo;

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

    /// An `Identity` over a fresh migrated SQLite store, its clock fixed at `now`, cheap
    /// hashing (the core's own tests: one constructor, so a new argument changes one place).
    pub(crate) async fn identity_at(now: crate::UnixMillis, settings: crate::Settings) -> (crate::Identity, tempfile::TempDir) {
        let (store, dir) = sqlite_store().await;
        (identity_over(store, now, settings), dir)
    }

    /// An `Identity` over `store`: with a second store over the same database, a second node.
    pub(crate) fn identity_over(store: Store, now: crate::UnixMillis, settings: crate::Settings) -> crate::Identity {
        crate::Identity::new(
            store,
            Arc::new(crate::FixedClock::at(now)),
            Arc::new(OsRandom),
            crate::password::Hasher::new(&crate::password::HashSettings { memory_kib: 64, iterations: 1, ..Default::default() }).unwrap(),
            settings,
            MasterKey::from_bytes([9; 32]),
        )
    }

    /// Another pool over the database `sqlite_store` made in `dir` (another node's).
    pub(crate) async fn second_store(dir: &tempfile::TempDir) -> Store {
        let url = DatabaseUrl::parse(&format!("sqlite://{}/keys.db", dir.path().display())).unwrap();
        Store::connect(&url, PoolSettings::default()).await.unwrap()
    }

    pub(crate) fn policy(algs: &[SigningAlg]) -> KeyPolicy {
        KeyPolicy { algs: algs.to_vec(), ..KeyPolicy::default() }
    }

    pub(crate) fn manager(store: &Store, master_key: &Arc<MasterKey>, algs: &[SigningAlg]) -> KeyManager {
        let rng: Arc<dyn SecureRandom> = Arc::new(OsRandom);
        KeyManager::new(store.clone(), master_key.clone(), rng, policy(algs)).unwrap()
    }
}
