//! Password hashing: argon2id for everything we write, verification of imported
//! legacy hashes (bcrypt, PBKDF2, other argon2 variants) so they can be upgraded.
//!
//! Hashing is deliberately expensive, so it never runs on the async threads: each call
//! takes one of `max_concurrent` permits (default: the core count) and runs on the
//! blocking pool. At most `max_queue` callers may wait for a permit; past that the
//! hasher answers [`Error::Busy`] at once (the web layer turns it into 503), so a flood
//! of sign-ins queues or is refused instead of exhausting memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret as _, SecretString};
use tokio::sync::Semaphore;

use crate::{Error, Result, SecureRandom};

/// Longest input we will hash, in bytes (1,024 code points of 4 bytes each). Longer
/// inputs are refused before any work is done.
pub const MAX_INPUT_BYTES: usize = 4096;

/// argon2id cost and the concurrency bounds.
#[derive(Debug, Clone)]
pub struct HashSettings {
    /// Memory in KiB (OWASP: 19 MiB = 19456).
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// An optional server-side secret mixed into every hash.
    pub pepper: Option<SecretString>,
    pub max_concurrent: usize,
    pub max_queue: usize,
}

impl Default for HashSettings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            pepper: None,
            max_concurrent: std::thread::available_parallelism().map_or(2, usize::from),
            max_queue: 256,
        }
    }
}

/// What a stored hash is, as far as import and sign-in care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    Argon2,
    Pbkdf2,
    Bcrypt,
}

/// Recognises a stored hash we know how to verify: a PHC string for argon2 or PBKDF2,
/// or a modular-crypt bcrypt hash (`$2a$`, `$2b$`, `$2y$`).
pub fn classify(stored: &str) -> Option<HashKind> {
    if is_bcrypt(stored) {
        return Some(HashKind::Bcrypt);
    }
    let parsed = PasswordHash::new(stored).ok()?;
    parsed.hash?;
    parsed.salt?;
    match parsed.algorithm.as_str() {
        "argon2id" | "argon2i" | "argon2d" => Some(HashKind::Argon2),
        "pbkdf2-sha256" | "pbkdf2-sha512" => Some(HashKind::Pbkdf2),
        _ => None,
    }
}

fn is_bcrypt(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 60
        && s.starts_with("$2")
        && matches!(b[2], b'a' | b'b' | b'y')
        && b[3] == b'$'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
        && b[6] == b'$'
        && b[7..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'/')
}

/// The outcome of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The hash is not argon2id with today's parameters: rehash after a success.
    pub needs_rehash: bool,
}

#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    pepper: Option<SecretString>,
    permits: Semaphore,
    waiting: AtomicUsize,
    max_queue: usize,
    /// A hash of nothing in particular, verified when an account does not exist so the
    /// response takes as long as a real check.
    dummy: tokio::sync::OnceCell<String>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher").field("params", &self.inner.params).field("pepper", &"[redacted]").finish()
    }
}

impl Hasher {
    pub fn new(settings: &HashSettings) -> Result<Self> {
        let params = Params::new(settings.memory_kib, settings.iterations, settings.parallelism, None)
            .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                params,
                pepper: settings.pepper.clone(),
                permits: Semaphore::new(settings.max_concurrent.max(1)),
                waiting: AtomicUsize::new(0),
                max_queue: settings.max_queue,
                dummy: tokio::sync::OnceCell::new(),
            }),
        })
    }

    /// Callers currently waiting for or holding a hashing slot.
    pub fn queue_depth(&self) -> usize {
        self.inner.waiting.load(Ordering::Relaxed)
    }

    /// Hashes `password` with argon2id and a fresh salt from `rng`; returns a PHC string.
    pub async fn hash(&self, password: SecretString, rng: &dyn SecureRandom) -> Result<String> {
        check_len(&password)?;
        let mut salt = [0u8; 16];
        rng.fill(&mut salt);
        self.run(move |inner| {
            let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("salt: {e}")))?;
            let hash = inner
                .argon2()?
                .hash_password(password.expose_secret().as_bytes(), &salt)
                .map_err(|e| Error::Internal(format!("argon2: {e}")))?;
            Ok(hash.to_string())
        })
        .await
    }

    /// Verifies `password` against any hash [`classify`] accepts. An unrecognised hash
    /// never matches. Callers with no account still call this against a dummy hash so
    /// the timing does not reveal whether the account exists.
    pub async fn verify(&self, password: SecretString, stored: String) -> Result<Verified> {
        check_len(&password)?;
        self.run(move |inner| {
            let pw = password.expose_secret().as_bytes();
            let Some(kind) = classify(&stored) else {
                return Ok(Verified { matches: false, needs_rehash: true });
            };
            let matches = match kind {
                HashKind::Bcrypt => bcrypt::verify(pw, &stored).unwrap_or(false),
                HashKind::Argon2 | HashKind::Pbkdf2 => {
                    let parsed = PasswordHash::new(&stored).map_err(|e| Error::Internal(format!("hash: {e}")))?;
                    match kind {
                        HashKind::Argon2 => inner.argon2()?.verify_password(pw, &parsed).is_ok(),
                        _ => pbkdf2::Pbkdf2.verify_password(pw, &parsed).is_ok(),
                    }
                }
            };
            let needs_rehash = kind != HashKind::Argon2 || !inner.is_current(&stored);
            Ok(Verified { matches, needs_rehash })
        })
        .await
    }

    /// Verifies against `stored`, or — when there is no hash (unknown account, no
    /// password) — against a dummy hash, returning a non-match after the same work.
    pub async fn verify_or_dummy(&self, password: SecretString, stored: Option<String>, rng: &dyn SecureRandom) -> Result<Verified> {
        match stored {
            Some(hash) => self.verify(password, hash).await,
            None => {
                let dummy = self
                    .inner
                    .dummy
                    .get_or_try_init(|| self.hash(SecretString::from("dummy password for timing".to_owned()), rng))
                    .await?
                    .clone();
                self.verify(password, dummy).await?;
                Ok(Verified { matches: false, needs_rehash: false })
            }
        }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&Inner) -> Result<T> + Send + 'static) -> Result<T> {
        let inner = Arc::clone(&self.inner);
        // Admission: refuse at once when the queue is full.
        let depth = inner.waiting.fetch_add(1, Ordering::SeqCst);
        let _guard = QueueGuard(&inner.waiting);
        if depth >= inner.max_queue {
            return Err(Error::Busy);
        }
        let _permit = inner.permits.acquire().await.map_err(|_| Error::Busy)?;
        let worker = Arc::clone(&inner);
        tokio::task::spawn_blocking(move || work(&worker))
            .await
            .map_err(|e| Error::Internal(format!("hashing task: {e}")))?
    }
}

struct QueueGuard<'a>(&'a AtomicUsize);
impl Drop for QueueGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Inner {
    fn argon2(&self) -> Result<Argon2<'_>> {
        match &self.pepper {
            Some(p) => Argon2::new_with_secret(p.expose_secret().as_bytes(), Algorithm::Argon2id, Version::V0x13, self.params.clone())
                .map_err(|e| Error::Internal(format!("argon2 pepper: {e}"))),
            None => Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())),
        }
    }

    fn is_current(&self, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else { return false };
        parsed.algorithm.as_str() == "argon2id"
            && Params::try_from(&parsed).is_ok_and(|p| {
                p.m_cost() == self.params.m_cost() && p.t_cost() == self.params.t_cost() && p.p_cost() == self.params.p_cost()
            })
    }
}

fn check_len(password: &SecretString) -> Result<()> {
    if password.expose_secret().len() > MAX_INPUT_BYTES {
        return Err(Error::Invalid(crate::domain::ParseError::TooLong { field: "Password", max: 1024 }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    fn cheap() -> Hasher {
        Hasher::new(&HashSettings { memory_kib: 64, iterations: 1, parallelism: 1, max_concurrent: 2, ..HashSettings::default() })
            .unwrap()
    }

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test]
    async fn argon2id_round_trip_and_wrong_password() {
        let h = cheap();
        let stored = h.hash(secret("correct horse battery"), &OsRandom).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert_eq!(h.verify(secret("correct horse battery"), stored.clone()).await.unwrap(), Verified { matches: true, needs_rehash: false });
        assert!(!h.verify(secret("correct horse batterx"), stored).await.unwrap().matches);
    }

    #[tokio::test]
    async fn legacy_hashes_verify_and_ask_for_rehash() {
        let h = cheap();
        let bcrypt_hash = bcrypt::hash("legacy pass", 4).unwrap();
        assert_eq!(classify(&bcrypt_hash), Some(HashKind::Bcrypt));
        assert_eq!(h.verify(secret("legacy pass"), bcrypt_hash.clone()).await.unwrap(), Verified { matches: true, needs_rehash: true });
        assert!(!h.verify(secret("legacy Pass"), bcrypt_hash).await.unwrap().matches);

        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let pbkdf = pbkdf2::Pbkdf2.hash_password(b"old secret", &salt).unwrap().to_string();
        assert_eq!(classify(&pbkdf), Some(HashKind::Pbkdf2));
        assert_eq!(h.verify(secret("old secret"), pbkdf).await.unwrap(), Verified { matches: true, needs_rehash: true });

        // argon2id with other parameters matches but should be upgraded.
        let other = Hasher::new(&HashSettings { memory_kib: 128, iterations: 1, parallelism: 1, ..HashSettings::default() }).unwrap();
        let stored = other.hash(secret("pw one two"), &OsRandom).await.unwrap();
        assert_eq!(h.verify(secret("pw one two"), stored).await.unwrap(), Verified { matches: true, needs_rehash: true });
    }

    #[test]
    fn classify_refuses_unknown_and_malformed_hashes() {
        for bad in ["", "plaintext", "$1$abc$def", "$2b$10$short", "$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1"] {
            assert_eq!(classify(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn pepper_changes_the_hash() {
        let peppered = Hasher::new(&HashSettings {
            memory_kib: 64, iterations: 1, parallelism: 1, pepper: Some(secret("server pepper")), ..HashSettings::default()
        })
        .unwrap();
        let stored = peppered.hash(secret("same password"), &OsRandom).await.unwrap();
        assert!(peppered.verify(secret("same password"), stored.clone()).await.unwrap().matches);
        assert!(!cheap().verify(secret("same password"), stored).await.unwrap().matches);
    }

    #[tokio::test]
    async fn overlong_input_is_refused_before_hashing() {
        let err = cheap().hash(secret(&"x".repeat(MAX_INPUT_BYTES + 1)), &OsRandom).await.unwrap_err();
        assert!(matches!(err, Error::Invalid(_)));
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy() {
        let h = Hasher::new(&HashSettings { memory_kib: 64, iterations: 1, parallelism: 1, max_concurrent: 1, max_queue: 0, ..HashSettings::default() }).unwrap();
        assert!(matches!(h.hash(secret("anything long"), &OsRandom).await, Err(Error::Busy)));
        assert_eq!(h.queue_depth(), 0);
    }
}
