//! Signing keys for ID tokens and JWT access tokens: their life cycle (generation,
//! rotation with overlap, withdrawal, cleanup) and their sealing at rest. The rows are
//! read and written in `store::signing_keys`.
//!
//! **What is stored.** One row per key in `signing_keys`: a random `kid`, its one `alg`
//! (RS256, ES256 or EdDSA), the private key as PEM sealed with the master key
//! (XChaCha20-Poly1305, associated data `signing-key:<kid>:<alg>`), the public JWK in
//! clear, and `created_at` / `activates_at` / `retires_at` (no longer signs) /
//! `expires_at` (no longer in the JWKS, then deleted). A partial unique index allows one
//! current (unretired) key per algorithm.
//!
//! **What an attacker tries, and what stops it.**
//! - *A stolen database or backup* holds only sealed private keys: without the master key
//!   (a file or environment variable, never in the database) they sign nothing. A sealed
//!   key copied to another row (another kid or alg) does not open.
//! - *Writing to the database* without the master key: a planted public JWK would let the
//!   attacker's own key verify, so [`Keys::load`](super::Keys::load) derives every public
//!   key from its unsealed private key and refuses a row whose stored JWK differs.
//! - *Algorithm confusion* (`alg: none`, `HS256` keyed with our public key, RS/ES swaps):
//!   each kid has exactly one algorithm, fixed when it is generated; verification takes
//!   the algorithm from our row, never from the token, and only RS256/ES256/EdDSA exist.
//! - *kid injection* (a path, SQL, a URL, an embedded `jwk`/`jku`): a kid is only a key
//!   into the set loaded from our table; anything else is an unknown key.
//! - *Two nodes starting or rotating at once* (PostgreSQL): keys are generated outside any
//!   transaction; the write retires the old key only if it is still current and inserts
//!   with `ON CONFLICT DO NOTHING`, so the loser's new key is simply dropped.
//!
//! Time (`now`) and randomness ([`SecureRandom`]) are parameters. Key material is never
//! logged; only kids and algorithms are.

use std::sync::Arc;

use secrecy::SecretString;

use super::alg::{RSA_MAX_BITS, RSA_MIN_BITS, SigningAlg};
use super::keys::{Keys, SigningKey, associated};
use crate::crypto::MasterKey;
use crate::store::signing_keys::{self, KeyInfo, NewKeyRow};
use crate::{Error, Identity, Result, SecureRandom, Store, UnixMillis};

/// Which keys to keep, and the timing of a rotation.
#[derive(Debug, Clone)]
pub struct KeyPolicy {
    /// Algorithms to keep a current key for. RS256 is always added (OIDC Core §15.1).
    pub algs: Vec<SigningAlg>,
    /// RSA modulus size, 2048–4096 bits.
    pub rsa_bits: usize,
    /// How long a retired key stays in the JWKS: the longest lifetime of any token we
    /// sign plus leeway (a node that has not yet reloaded still signs with the old key,
    /// and a relying party may still hold a token it signed).
    pub max_token_lifetime_ms: i64,
    /// With [`Activation::AfterPrepublish`], how long a new key is published before it
    /// signs: longer than the JWKS cache lifetime, so relying parties know it in time.
    pub prepublish_ms: i64,
}

impl Default for KeyPolicy {
    /// All three algorithms, RSA 2048, tokens of at most 60 min plus 5 min leeway, new
    /// keys published an hour before they sign.
    fn default() -> Self {
        Self {
            algs: SigningAlg::ALL.to_vec(),
            rsa_bits: RSA_MIN_BITS,
            max_token_lifetime_ms: 65 * 60_000,
            prepublish_ms: 3_600_000,
        }
    }
}

/// How often a node compares the stored key set with the one it loaded (one small
/// statement; `server::oidc::keys`): a key added, retired or withdrawn anywhere is seen
/// by every node within this bound.
pub const KEY_CHECK_MS: UnixMillis = 1_000;

/// How long after an immediate rotation the new key signs: twice [`KEY_CHECK_MS`], so
/// every node publishes it before any node signs with it.
pub const IMMEDIATE_LEAD_MS: UnixMillis = 2 * KEY_CHECK_MS;

/// When a rotated-in key starts signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// In [`IMMEDIATE_LEAD_MS`] (two seconds), when the old key stops signing: a
    /// suspected leak, or a manual rotation. Every node publishes the new key first.
    Now,
    /// After the policy's `prepublish_ms`; the old key signs until then.
    AfterPrepublish,
}

impl KeyPolicy {
    /// The algorithms to keep, RS256 first, without repeats.
    pub fn algs(&self) -> Vec<SigningAlg> {
        let mut algs = vec![SigningAlg::Rs256];
        algs.extend(self.algs.iter().copied());
        algs.sort_unstable();
        algs.dedup();
        algs
    }
}

/// Creates, rotates and removes signing keys, and loads them for use. Cheap to clone.
#[derive(Debug, Clone)]
pub struct KeyManager {
    store: Store,
    master_key: Arc<MasterKey>,
    rng: Arc<dyn SecureRandom>,
    policy: KeyPolicy,
}

impl Identity {
    /// The signing-key manager over this service's store, master key and randomness.
    pub fn signing_keys(&self, principal: &crate::principal::Principal, policy: KeyPolicy) -> Result<KeyManager> {
        crate::principal::authorize(principal, crate::principal::Action::RunPlatform, crate::principal::Subject::Platform)?;
        KeyManager::new(self.store.clone(), self.master_key.clone(), self.rng.clone(), policy)
    }
}

impl KeyManager {
    /// Refuses an RSA size outside 2048–4096 bits or a non-positive token lifetime.
    pub fn new(store: Store, master_key: Arc<MasterKey>, rng: Arc<dyn SecureRandom>, policy: KeyPolicy) -> Result<Self> {
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&policy.rsa_bits) {
            return Err(Error::Internal(format!("signing keys: RSA keys must have {RSA_MIN_BITS}–{RSA_MAX_BITS} bits")));
        }
        if policy.max_token_lifetime_ms <= 0 || policy.prepublish_ms < 0 {
            return Err(Error::Internal(
                "signing keys: the maximum token lifetime must be positive and the prepublication time not negative".into(),
            ));
        }
        Ok(Self { store, master_key, rng, policy })
    }

    pub fn policy(&self) -> &KeyPolicy {
        &self.policy
    }

    /// Creates a key, active at once, for each algorithm of the policy that has no
    /// current key; returns the new kids. Idempotent, and safe when several nodes call it
    /// at once (at first start).
    #[tracing::instrument(skip_all)]
    pub async fn ensure_keys(&self, now: UnixMillis) -> Result<Vec<String>> {
        let current = self.current().await?;
        let mut created = Vec::new();
        for alg in self.policy.algs() {
            if !current.iter().any(|c| c.alg == alg.as_str()) {
                created.extend(self.replace(alg, None, now, now).await?);
            }
        }
        Ok(created)
    }

    /// Makes a fresh key current for `alg` (or every algorithm of the policy). The old
    /// key retires when the new one activates (now, or after the prepublication time) and
    /// leaves the JWKS the maximum token lifetime later.
    pub async fn rotate(&self, now: UnixMillis, alg: Option<SigningAlg>, activation: Activation) -> Result<Vec<String>> {
        self.rotate_on(&crate::FixedClock::at(now), alg, activation).await
    }

    /// [`Self::rotate`], reading `clock` once the new keys are generated (RSA takes a
    /// while, seconds in a debug build): an immediate rotation's lead counts from the
    /// moment the keys are written, not from before their generation.
    #[tracing::instrument(skip_all, fields(alg = alg.map(SigningAlg::as_str)))]
    pub async fn rotate_on(&self, clock: &dyn crate::Clock, alg: Option<SigningAlg>, activation: Activation) -> Result<Vec<String>> {
        let algs = alg.map_or_else(|| self.policy.algs(), |a| vec![a]);
        let mut fresh = Vec::with_capacity(algs.len());
        for alg in algs {
            fresh.push((alg, self.generate(alg).await?));
        }
        let now = clock.now();
        let activates_at = self.activates_at(now, activation);
        let current = self.current().await?;
        let mut created = Vec::new();
        for (alg, new) in fresh {
            let old = current.iter().find(|c| c.alg == alg.as_str()).map(|c| c.kid.as_str());
            created.extend(self.install(&new, alg, old, now, activates_at).await?);
        }
        Ok(created)
    }

    /// The scheduled check: rotates (with prepublication) every current key activated at
    /// least `age_ms` ago, and creates missing ones. Run by every node; one rotation wins.
    #[tracing::instrument(skip_all)]
    pub async fn rotate_if_older_than(&self, now: UnixMillis, age_ms: i64) -> Result<Vec<String>> {
        let activates_at = self.activates_at(now, Activation::AfterPrepublish);
        let current = self.current().await?;
        let mut created = Vec::new();
        for alg in self.policy.algs() {
            match current.iter().find(|c| c.alg == alg.as_str()) {
                Some(c) if c.activates_at > now.saturating_sub(age_ms) => {}
                Some(c) => created.extend(self.replace(alg, Some(&c.kid), now, activates_at).await?),
                None => created.extend(self.replace(alg, None, now, now).await?),
            }
        }
        Ok(created)
    }

    /// Stores an existing private key (PEM as [`SigningKey::private_key_pem`] gives it:
    /// PKCS#1 for RS256, PKCS#8 otherwise) as the current key for `alg`, active at once,
    /// unless `alg` already has one. For migrations and for test fixtures (RSA
    /// generation is slow in debug builds). Returns the new kid if it was stored.
    #[tracing::instrument(skip_all, fields(%alg))]
    pub async fn import_pem(&self, now: UnixMillis, alg: SigningAlg, pem: &SecretString) -> Result<Option<String>> {
        let new = NewKey::from_pem(alg, pem.clone(), self.rng.as_ref(), &self.master_key)?;
        self.install(&new, alg, None, now, now).await
    }

    /// Withdraws a key at once: it stops signing and leaves the JWKS now (a leaked key).
    /// Returns whether the kid existed. If it was current, `ensure_keys` makes a new one.
    #[tracing::instrument(skip_all, fields(%kid))]
    pub async fn expire(&self, now: UnixMillis, kid: &str) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let done = signing_keys::expire(&mut tx, kid, now).await?;
        tx.commit().await?;
        if done {
            tracing::warn!(%kid, "signing key withdrawn");
        }
        Ok(done)
    }

    fn activates_at(&self, now: UnixMillis, activation: Activation) -> UnixMillis {
        match activation {
            Activation::Now => now.saturating_add(IMMEDIATE_LEAD_MS),
            Activation::AfterPrepublish => now.saturating_add(self.policy.prepublish_ms),
        }
    }

    /// Deletes keys whose `expires_at` has passed; returns how many.
    #[tracing::instrument(skip_all)]
    pub async fn remove_expired(&self, now: UnixMillis) -> Result<u64> {
        let removed = signing_keys::remove_expired(&self.store, now).await?;
        if removed > 0 {
            tracing::info!(removed, "expired signing keys removed");
        }
        Ok(removed)
    }

    /// Every key, newest first, without secrets.
    pub async fn list(&self) -> Result<Vec<KeyInfo>> {
        signing_keys::list(&self.store).await
    }

    /// What the loaded key sets depend on besides the time (every key's kid and times):
    /// a node whose last reading differs reloads.
    pub async fn version(&self) -> Result<String> {
        signing_keys::version(&self.store).await
    }

    /// The keys to sign and verify with at `now` (see [`Keys::load`]).
    pub async fn load(&self, now: UnixMillis) -> Result<Keys> {
        Keys::load(&self.store, &self.master_key, now).await
    }

    async fn current(&self) -> Result<Vec<KeyInfo>> {
        signing_keys::current(&self.store).await
    }

    /// Generates a key, then installs it.
    async fn replace(&self, alg: SigningAlg, old: Option<&str>, now: UnixMillis, activates_at: UnixMillis) -> Result<Option<String>> {
        let new = self.generate(alg).await?;
        self.install(&new, alg, old, now, activates_at).await
    }

    /// A new key for `alg`, sealed (off the async threads: RSA takes a while).
    async fn generate(&self, alg: SigningAlg) -> Result<NewKey> {
        let (rng, master_key, bits) = (self.rng.clone(), self.master_key.clone(), self.policy.rsa_bits);
        tokio::task::spawn_blocking(move || NewKey::from_pem(alg, generate_pem(alg, bits, rng.as_ref())?, rng.as_ref(), &master_key))
            .await
            .map_err(|e| Error::Internal(format!("signing key generation: {e}")))?
    }

    /// In one transaction: retires `old` at `activates_at` if it is still current, then
    /// inserts the new key unless another current key for `alg` appeared (the index).
    /// Returns the new kid if it was stored; `None` when another node got there first.
    async fn install(&self, new: &NewKey, alg: SigningAlg, old: Option<&str>, now: UnixMillis, activates_at: UnixMillis) -> Result<Option<String>> {
        let mut tx = self.store.begin().await?;
        if let Some(old) = old
            && !signing_keys::retire_if_current(&mut tx, old, activates_at, activates_at.saturating_add(self.policy.max_token_lifetime_ms)).await?
        {
            return Ok(None); // another node rotated it first; `tx` rolls back
        }
        let row = NewKeyRow {
            kid: &new.kid,
            alg: alg.as_str(),
            sealed: &new.sealed,
            public_jwk: &new.public_jwk,
            created_at: now,
            activates_at,
        };
        if !signing_keys::insert_unless_current(&mut tx, &row).await? {
            return Ok(None); // another node created the current key first
        }
        tx.commit().await?;
        tracing::info!(kid = %new.kid, %alg, activates_at, retired = old, "signing key created");
        Ok(Some(new.kid.clone()))
    }
}

/// A freshly generated key, ready to store.
struct NewKey {
    kid: String,
    sealed: String,
    public_jwk: String,
}

impl NewKey {
    /// A random kid, the public JWK derived from `pem`, and `pem` sealed to its row.
    fn from_pem(alg: SigningAlg, pem: SecretString, rng: &dyn SecureRandom, master_key: &MasterKey) -> Result<Self> {
        let mut id = [0u8; 16];
        rng.fill(&mut id);
        // Hex, so an operator can type it (`foyer keys remove KID`: never a leading '-').
        let kid = hex::encode(id);
        let key = SigningKey::from_pem(&kid, alg, pem)?;
        let sealed = master_key.seal(key.private_key_pem_bytes(), &associated(&kid, alg), rng)?;
        Ok(Self { public_jwk: key.public_jwk().to_string(), kid, sealed })
    }
}

/// A new private key as PEM: PKCS#1 for RSA (what `openidconnect`'s
/// `CoreRsaPrivateSigningKey::from_pem` reads), PKCS#8 for P-256 and Ed25519.
pub(crate) fn generate_pem(alg: SigningAlg, rsa_bits: usize, rng: &dyn SecureRandom) -> Result<SecretString> {
    let pem = match alg {
        SigningAlg::Rs256 => {
            use rsa::pkcs1::EncodeRsaPrivateKey as _;
            let key = rsa::RsaPrivateKey::new(&mut InjectedRng(rng), rsa_bits)
                .map_err(|_| Error::Crypto("RSA key generation failed"))?;
            key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).map_err(|_| Error::Crypto("RSA key encoding failed"))?
        }
        SigningAlg::Es256 => {
            use p256::pkcs8::EncodePrivateKey as _;
            // A uniformly random scalar: retry the (2^-32 likely) zero or ≥ n values.
            let key = loop {
                let mut scalar = secrecy::zeroize::Zeroizing::new([0u8; 32]);
                rng.fill(scalar.as_mut());
                if let Ok(key) = p256::ecdsa::SigningKey::from_slice(scalar.as_ref()) {
                    break key;
                }
            };
            key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).map_err(|_| Error::Crypto("P-256 key encoding failed"))?
        }
        SigningAlg::EdDsa => {
            use ed25519_dalek::pkcs8::EncodePrivateKey as _;
            let mut seed = secrecy::zeroize::Zeroizing::new([0u8; 32]);
            rng.fill(seed.as_mut());
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
                .map_err(|_| Error::Crypto("Ed25519 key encoding failed"))?
        }
    };
    Ok(SecretString::from(pem.as_str()))
}

/// Our [`SecureRandom`] as the `rand_core` 0.6 generator the `rsa` crate asks for.
struct InjectedRng<'a>(&'a dyn SecureRandom);

impl rsa::rand_core::RngCore for InjectedRng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.0.fill(&mut bytes);
        u32::from_le_bytes(bytes)
    }
    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.0.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for InjectedRng<'_> {}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use secrecy::ExposeSecret as _;

    use super::*;
    use crate::OsRandom;
    use crate::jose::test_support::{manager, sqlite_store};
    use crate::store::signing_keys::tamper::{admin as admin_sql, raw_rows, set_public_jwk, set_sealed};

    const T0: UnixMillis = 1_800_000_000_000;
    const HOUR: i64 = 3_600_000;

    fn master() -> Arc<MasterKey> {
        Arc::new(MasterKey::generate(&OsRandom))
    }

    fn current_of(list: &[KeyInfo], alg: SigningAlg) -> Vec<&KeyInfo> {
        list.iter().filter(|k| k.alg == alg.as_str() && k.retires_at.is_none()).collect()
    }

    #[tokio::test]
    async fn ensure_keys_creates_one_key_per_alg_and_is_idempotent() {
        let (store, _dir) = sqlite_store().await;
        // RS256 is added even when the policy forgets it.
        let keys = manager(&store, &master(), &[SigningAlg::Es256, SigningAlg::EdDsa]);
        let created = keys.ensure_keys(T0).await.unwrap();
        assert_eq!(created.len(), 3);
        assert!(created.iter().all(|kid| kid.len() == 32 && kid.bytes().all(|b| b.is_ascii_hexdigit())), "128-bit random kids in hex: {created:?}");
        assert!(keys.ensure_keys(T0 + HOUR).await.unwrap().is_empty(), "second start creates nothing");
        let list = keys.list().await.unwrap();
        assert_eq!(list.len(), 3);
        for alg in SigningAlg::ALL {
            let current = current_of(&list, alg);
            assert_eq!(current.len(), 1, "{alg}");
            assert_eq!((current[0].created_at, current[0].activates_at, current[0].expires_at), (T0, T0, None));
        }
    }

    #[tokio::test]
    async fn two_nodes_starting_at_once_create_one_current_key_per_alg() {
        let (store, _dir) = sqlite_store().await;
        let key = master();
        let (a, b) = (manager(&store, &key, &[SigningAlg::Es256]), manager(&store, &key, &[SigningAlg::Es256]));
        let (x, y) = tokio::join!(a.ensure_keys(T0), b.ensure_keys(T0));
        let (x, y) = (x.unwrap(), y.unwrap());
        let list = a.list().await.unwrap();
        assert_eq!(x.len() + y.len(), list.len());
        assert_eq!(current_of(&list, SigningAlg::Rs256).len(), 1);
        assert_eq!(current_of(&list, SigningAlg::Es256).len(), 1);
        assert_eq!(list.len(), 2);
    }

    #[tokio::test]
    async fn the_index_refuses_a_second_current_key_for_an_alg() {
        let (store, _dir) = sqlite_store().await;
        let keys = manager(&store, &master(), &[SigningAlg::EdDsa]);
        keys.ensure_keys(T0).await.unwrap();
        // What a racing node would do after deciding a key was missing.
        assert_eq!(keys.replace(SigningAlg::EdDsa, None, T0, T0).await.unwrap(), None);
        assert_eq!(current_of(&keys.list().await.unwrap(), SigningAlg::EdDsa).len(), 1);
    }

    #[tokio::test]
    async fn sealed_private_key_is_not_the_pem_and_is_bound_to_its_row() {
        let (store, _dir) = sqlite_store().await;
        let master_key = master();
        let keys = manager(&store, &master_key, &[SigningAlg::Es256, SigningAlg::EdDsa]);
        keys.ensure_keys(T0).await.unwrap();
        let loaded = keys.load(T0).await.unwrap();
        for (kid, alg, sealed, public_jwk) in raw_rows(&store).await {
            let alg = SigningAlg::parse(&alg).unwrap();
            let pem = loaded.signing_key(alg).unwrap().private_key_pem_bytes().to_vec();
            assert!(sealed.starts_with("v1."), "{sealed}");
            assert!(!sealed.contains("PRIVATE KEY"));
            assert!(!sealed.as_bytes().windows(16).any(|w| pem.windows(16).any(|p| p == w)));
            assert!(!public_jwk.contains("\"d\""), "no private member in the public JWK");
            assert_eq!(master_key.open(&sealed, &associated(&kid, alg)).unwrap(), pem);
            assert!(master_key.open(&sealed, &associated("another-kid", alg)).is_err());
            assert!(master().open(&sealed, &associated(&kid, alg)).is_err(), "another master key");
        }
        // A sealed key copied onto another row does not open: loading refuses.
        let rows = raw_rows(&store).await;
        set_sealed(&store, &rows[1].0, &rows[0].2).await;
        assert!(matches!(keys.load(T0).await, Err(Error::Crypto(_))));
    }

    #[tokio::test]
    async fn a_planted_public_key_is_refused() {
        let (store, _dir) = sqlite_store().await;
        let master_key = master();
        let keys = manager(&store, &master_key, &[SigningAlg::EdDsa]);
        keys.ensure_keys(T0).await.unwrap();
        // An attacker who can write to the database but lacks the master key swaps in
        // the public half of a key of their own.
        let theirs = SigningKey::from_pem("x", SigningAlg::EdDsa, generate_pem(SigningAlg::EdDsa, 0, &OsRandom).unwrap())
            .unwrap();
        let kid = &current_of(&keys.list().await.unwrap(), SigningAlg::EdDsa)[0].kid.clone();
        let mut jwk = theirs.public_jwk().clone();
        jwk["kid"] = serde_json::json!(kid);
        set_public_jwk(&store, kid, &jwk.to_string()).await;
        assert!(matches!(keys.load(T0).await, Err(Error::Crypto(_))));
    }

    #[tokio::test]
    async fn rotation_keeps_the_old_key_in_the_jwks_until_expiry_then_cleanup_removes_it() {
        let (store, _dir) = sqlite_store().await;
        let keys = manager(&store, &master(), &[SigningAlg::Es256]);
        keys.ensure_keys(T0).await.unwrap();
        let before = keys.load(T0).await.unwrap();
        let old_kid = before.signing_key(SigningAlg::Es256).unwrap().kid().to_owned();
        let old_token = before.sign_jwt(SigningAlg::Es256, &serde_json::json!({"sub": "a"}), "JWT").unwrap();

        let rotated = T0 + 10 * HOUR;
        let created = keys.rotate(rotated, Some(SigningAlg::Es256), Activation::Now).await.unwrap();
        assert_eq!(created.len(), 1);
        // `--now` signs after the lead, when every node publishes the key.
        let rotated_at = rotated + IMMEDIATE_LEAD_MS;
        let list = keys.list().await.unwrap();
        let old = list.iter().find(|k| k.kid == old_kid).unwrap();
        let lifetime = keys.policy().max_token_lifetime_ms;
        assert_eq!((old.retires_at, old.expires_at), (Some(rotated_at), Some(rotated_at + lifetime)));
        assert_eq!(current_of(&list, SigningAlg::Rs256).len(), 1, "RS256 untouched");
        let leading = keys.load(rotated).await.unwrap();
        assert_eq!(leading.signing_key(SigningAlg::Es256).unwrap().kid(), old_kid, "the old key signs during the lead");
        assert!(jwks_kids(&leading).contains(&created[0]), "while the new one is published");
        assert_eq!(leading.changes_at(), Some(rotated_at), "a set loaded during the lead is stale at the activation");

        let after = keys.load(rotated_at).await.unwrap();
        let new_key = after.signing_key(SigningAlg::Es256).unwrap();
        assert_eq!(new_key.kid(), created[0]);
        let kids = jwks_kids(&after);
        assert!(kids.contains(&old_kid) && kids.contains(&created[0]), "{kids:?}");
        after.verify_jwt(&old_token, "JWT", &[SigningAlg::Es256]).unwrap();

        // Not yet expired: nothing removed.
        assert_eq!(keys.remove_expired(rotated_at + lifetime - 1).await.unwrap(), 0);
        let expired_at = rotated_at + lifetime;
        assert!(!jwks_kids(&keys.load(expired_at).await.unwrap()).contains(&old_kid), "out of the JWKS at expiry");
        assert_eq!(keys.remove_expired(expired_at).await.unwrap(), 1);
        assert!(keys.list().await.unwrap().iter().all(|k| k.kid != old_kid));
        let later = keys.load(expired_at).await.unwrap();
        assert!(later.verify_jwt(&old_token, "JWT", &[SigningAlg::Es256]).is_err());
    }

    /// `keys remove` of the key that signs while its `--now` successor waits for its
    /// lead: the successor signs from the withdrawal, never leaving the algorithm without
    /// a key; the store's version moves with every change, so every node reloads.
    #[tokio::test]
    async fn withdrawing_the_signing_key_brings_its_waiting_successor_forward() {
        let (store, _dir) = sqlite_store().await;
        let keys = manager(&store, &master(), &[SigningAlg::Es256]);
        keys.ensure_keys(T0).await.unwrap();
        let old_kid = keys.load(T0).await.unwrap().signing_key(SigningAlg::Es256).unwrap().kid().to_owned();
        let version = keys.version().await.unwrap();
        let created = keys.rotate(T0 + 1, Some(SigningAlg::Es256), Activation::Now).await.unwrap();
        let rotated = keys.version().await.unwrap();
        assert_ne!(rotated, version, "a rotation moves the version");
        assert!(keys.expire(T0 + 2, &old_kid).await.unwrap());
        assert_ne!(keys.version().await.unwrap(), rotated, "a withdrawal moves it");
        let now = keys.load(T0 + 2).await.unwrap();
        assert_eq!(now.signing_key(SigningAlg::Es256).unwrap().kid(), created[0], "the successor signs at once");
        assert!(!jwks_kids(&now).contains(&old_kid), "the withdrawn key is gone");
        assert_eq!(keys.version().await.unwrap(), keys.version().await.unwrap(), "and the version is stable while nothing changes");

        // Withdrawing a key that no longer signs leaves a scheduled successor alone.
        let scheduled = keys.rotate(T0 + 3, Some(SigningAlg::Es256), Activation::AfterPrepublish).await.unwrap();
        let rs = keys.load(T0 + 3).await.unwrap().signing_key(SigningAlg::Rs256).unwrap().kid().to_owned();
        assert!(keys.expire(T0 + 4, &rs).await.unwrap());
        let list = keys.list().await.unwrap();
        let waiting = list.iter().find(|k| k.kid == scheduled[0]).unwrap();
        assert_eq!(waiting.activates_at, T0 + 3 + keys.policy().prepublish_ms, "another algorithm's withdrawal does not move it");
    }

    #[tokio::test]
    async fn rotate_if_older_than_rotates_old_keys_once() {
        let (store, _dir) = sqlite_store().await;
        let key = master();
        let (a, b) = (manager(&store, &key, &[SigningAlg::EdDsa]), manager(&store, &key, &[SigningAlg::EdDsa]));
        a.ensure_keys(T0).await.unwrap();
        let age = 30 * 24 * HOUR;
        assert!(a.rotate_if_older_than(T0 + age - 1, age).await.unwrap().is_empty(), "young keys stay");
        let created = a.rotate_if_older_than(T0 + age, age).await.unwrap();
        assert_eq!(created.len(), 2, "RS256 and EdDSA rotate");
        let switch = T0 + age + a.policy().prepublish_ms;
        // The other node's scheduled check right after sees young keys.
        assert!(b.rotate_if_older_than(T0 + age + 1, age).await.unwrap().is_empty());
        // A node that read the old current key before the rotation cannot retire twice.
        let stale_old = a.list().await.unwrap().into_iter().find(|k| k.retires_at.is_some()).unwrap();
        let alg = SigningAlg::parse(&stale_old.alg).unwrap();
        assert_eq!(b.replace(alg, Some(&stale_old.kid), T0 + age + 2, T0 + age + 2).await.unwrap(), None);
        let list = a.list().await.unwrap();
        assert_eq!(list.len(), 4);
        assert_eq!(list.iter().filter(|k| k.retires_at == Some(switch)).count(), 2);
        assert_eq!(list.iter().filter(|k| k.activates_at == switch && k.retires_at.is_none()).count(), 2);
    }

    #[tokio::test]
    async fn a_prepublished_key_is_in_the_jwks_before_it_signs() {
        let (store, _dir) = sqlite_store().await;
        let keys = manager(&store, &master(), &[SigningAlg::EdDsa]);
        keys.ensure_keys(T0).await.unwrap();
        let old = keys.load(T0).await.unwrap().signing_key(SigningAlg::EdDsa).unwrap().kid().to_owned();
        let rotated_at = T0 + HOUR;
        let new = keys.rotate(rotated_at, Some(SigningAlg::EdDsa), Activation::AfterPrepublish).await.unwrap();
        let switch = rotated_at + keys.policy().prepublish_ms;
        let lifetime = keys.policy().max_token_lifetime_ms;

        let during = keys.load(switch - 1).await.unwrap();
        assert_eq!(during.signing_key(SigningAlg::EdDsa).unwrap().kid(), old, "the old key signs until the switch");
        assert!(jwks_kids(&during).contains(&new[0]), "the new key is published first");
        let after = keys.load(switch).await.unwrap();
        assert_eq!(after.signing_key(SigningAlg::EdDsa).unwrap().kid(), new[0]);
        assert!(jwks_kids(&after).contains(&old));
        assert!(!jwks_kids(&keys.load(switch + lifetime).await.unwrap()).contains(&old));
        // The pending key is current: a restart creates nothing, a young key is not rotated.
        assert!(keys.ensure_keys(switch - 1).await.unwrap().is_empty());
        assert!(keys.rotate_if_older_than(switch - 1, 24 * HOUR).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn expire_withdraws_a_key_at_once_and_ensure_replaces_it() {
        let (store, _dir) = sqlite_store().await;
        let keys = manager(&store, &master(), &[SigningAlg::EdDsa]);
        keys.ensure_keys(T0).await.unwrap();
        let leaked = keys.load(T0).await.unwrap().signing_key(SigningAlg::EdDsa).unwrap().kid().to_owned();
        let now = T0 + HOUR;
        assert!(keys.expire(now, &leaked).await.unwrap());
        assert!(!keys.expire(now, "no-such-kid").await.unwrap());
        let loaded = keys.load(now).await.unwrap();
        assert!(loaded.signing_key(SigningAlg::EdDsa).is_none());
        assert!(!jwks_kids(&loaded).contains(&leaked));
        let created = keys.ensure_keys(now).await.unwrap();
        assert_eq!(created.len(), 1);
        assert_eq!(keys.load(now).await.unwrap().signing_key(SigningAlg::EdDsa).unwrap().kid(), created[0]);
        assert_eq!(keys.remove_expired(now).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn import_pem_stores_an_existing_key_once() {
        let (store, _dir) = sqlite_store().await;
        let keys = manager(&store, &master(), &[SigningAlg::Es256]);
        let pem = generate_pem(SigningAlg::Es256, 0, &OsRandom).unwrap();
        let kid = keys.import_pem(T0, SigningAlg::Es256, &pem).await.unwrap().unwrap();
        assert_eq!(keys.import_pem(T0, SigningAlg::Es256, &pem).await.unwrap(), None, "already has a current key");
        let loaded = keys.load(T0).await.unwrap();
        let key = loaded.signing_key(SigningAlg::Es256).unwrap();
        assert_eq!(key.kid(), kid);
        assert_eq!(key.private_key_pem().expose_secret(), pem.expose_secret());
        let not_rsa = keys.import_pem(T0, SigningAlg::Rs256, &pem).await;
        assert!(matches!(not_rsa, Err(Error::Crypto(_))), "a P-256 key is no RSA key");
    }

    #[test]
    fn policy_always_has_rs256_and_refuses_weak_rsa() {
        assert_eq!(KeyPolicy { algs: vec![SigningAlg::EdDsa, SigningAlg::Rs256], ..KeyPolicy::default() }.algs(), vec![
            SigningAlg::Rs256,
            SigningAlg::EdDsa
        ]);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (store, _dir) = rt.block_on(sqlite_store());
        let rng: Arc<dyn SecureRandom> = Arc::new(OsRandom);
        let weak = KeyPolicy { rsa_bits: 1024, ..KeyPolicy::default() };
        assert!(KeyManager::new(store.clone(), master(), rng.clone(), weak).is_err());
        let no_overlap = KeyPolicy { max_token_lifetime_ms: 0, ..KeyPolicy::default() };
        assert!(KeyManager::new(store, master(), rng, no_overlap).is_err());
        assert_eq!(SigningAlg::parse("none"), None);
        assert_eq!(SigningAlg::parse("HS256"), None);
        assert_eq!(SigningAlg::parse("eddsa"), None, "case-sensitive");
    }

    fn jwks_kids(keys: &Keys) -> Vec<String> {
        keys.jwks()["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
    }

    /// Two nodes against one PostgreSQL database: start and rotate at the same moment.
    /// Skipped (loudly) when PostgreSQL is unreachable, unless FOYER_REQUIRE_POSTGRES=1.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_two_nodes_start_and_rotate_at_once() {
        use crate::store::{DatabaseUrl, PoolSettings};
        let admin_url = std::env::var("FOYER_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let admin = match Store::connect(&DatabaseUrl::parse(&admin_url).unwrap(), PoolSettings::default()).await {
            Ok(admin) => admin,
            Err(e) => {
                if std::env::var("FOYER_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                    panic!("PostgreSQL is required (FOYER_REQUIRE_POSTGRES=1) but unreachable: {e}");
                }
                eprintln!("\n!!!! SKIPPED on PostgreSQL: cannot connect to {admin_url} ({e}) !!!!\n");
                return;
            }
        };
        let name = format!("foyer_test_keys_{}", uuid::Uuid::new_v4().simple());
        admin_sql(&admin, &format!("CREATE DATABASE {name}")).await;
        let url = admin_url.rsplit_once('/').map(|(base, _)| format!("{base}/{name}")).unwrap();
        let url = DatabaseUrl::parse(&url).unwrap();
        let result = async move {
            let node_a = Store::connect(&url, PoolSettings::default()).await.unwrap();
            let node_b = Store::connect(&url, PoolSettings::default()).await.unwrap();
            node_a.migrate().await.unwrap();
            let key = master();
            let algs = [SigningAlg::Es256, SigningAlg::EdDsa];
            let (a, b) = (manager(&node_a, &key, &algs), manager(&node_b, &key, &algs));
            let (x, y) = tokio::join!(a.ensure_keys(T0), b.ensure_keys(T0));
            assert_eq!(x.unwrap().len() + y.unwrap().len(), 3);
            let age = HOUR;
            let (x, y) = tokio::join!(a.rotate_if_older_than(T0 + age, age), b.rotate_if_older_than(T0 + age, age));
            assert_eq!(x.unwrap().len() + y.unwrap().len(), 3, "each alg rotated exactly once");
            let list = a.list().await.unwrap();
            assert_eq!(list.len(), 6);
            for alg in SigningAlg::ALL {
                assert_eq!(current_of(&list, alg).len(), 1, "{alg}");
            }
            let keys = b.load(T0 + age).await.unwrap();
            let token = keys.sign_jwt(SigningAlg::Rs256, &serde_json::json!({"sub": "x"}), "JWT").unwrap();
            a.load(T0 + age).await.unwrap().verify_jwt(&token, "JWT", &[SigningAlg::Rs256]).unwrap();
            node_a.close().await;
            node_b.close().await;
        };
        // Drop the database whether or not the checks passed.
        let outcome = tokio::spawn(result).await;
        admin_sql(&admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic.into_panic());
        }
    }
}
