//! Password hashing: argon2id for everything we write, verification of imported
//! legacy hashes (bcrypt, PBKDF2, other argon2 variants) so they can be upgraded.
//!
//! Hashing is deliberately expensive, so it never runs on the async threads: each call
//! takes one of `max_concurrent` permits (default: the core count) and runs on the
//! blocking pool, so hashing memory is `memory_kib` × permits and nothing more.
//!
//! Admission is by expected wait (`docs/design/peaks.md` "Login storms"): a caller
//! arriving behind `ahead` others waits about `(ahead + 1 − permits) / permits` × the
//! recent mean hash duration (a moving average of measured hashes, timed with the
//! injected [`Timer`]). When that is within `max_wait` the caller queues; beyond it the
//! answer is [`Error::Busy`] at once, with a `retry_after_secs` for when half of the
//! queue ahead will have drained, and no earlier than the callers refused before it,
//! one hash share apart (the web layer turns it into 503 + `Retry-After`): refused
//! callers come back at the rate the hashers drain, not all at once.
//! `max_queue` caps the waiting callers whatever the estimate says (a memory guard).
//!
//! argon2's working memory (`memory_kib`, 19 MiB by default) is kept and reused, one
//! set of blocks per permit (`docs/design/peaks.md` "Memory"): allocating and freeing
//! 19 MiB per hash from the blocking pool's many threads left glibc's per-thread arenas
//! holding hundreds of MiB after a storm, and page-faulting fresh memory cost a third of
//! the hash rate. So hashing memory is `memory_kib` × the permits used so far, nothing
//! more. Hashes with other parameters (imported, or from an earlier setting) get memory
//! of their own for the one call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret as _, SecretString};
use tokio::sync::Semaphore;

use crate::clock::{SystemTimer, Timer};
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
    /// Hashes running at once (permits).
    pub max_concurrent: usize,
    /// The longest expected wait for a permit a caller is made to queue for.
    pub max_wait: Duration,
    /// Callers waiting or hashing at most, whatever the expected wait (memory guard).
    pub max_queue: usize,
    /// Measures each hash (the moving average behind the expected wait).
    pub timer: Arc<dyn Timer>,
}

impl Default for HashSettings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            pepper: None,
            max_concurrent: std::thread::available_parallelism().map_or(2, usize::from),
            max_wait: Duration::from_secs(10),
            max_queue: 4_096,
            timer: Arc::new(SystemTimer),
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
    permit_count: usize,
    waiting: AtomicUsize,
    max_wait_micros: u64,
    max_queue: usize,
    timer: Arc<dyn Timer>,
    /// Moving average of measured hash durations, in microseconds.
    mean_micros: AtomicU64,
    /// Whether `mean_micros` is a measurement yet (else a prior from the cost).
    measured: std::sync::atomic::AtomicBool,
    /// When (the timer's microseconds) the next refused caller may be told to come back:
    /// the last one's return plus one hash share ([`Admission::return_at`]).
    next_return: AtomicU64,
    /// argon2 working memory for today's parameters, one per permit once used.
    memory: std::sync::Mutex<Vec<Vec<Block>>>,
    /// Hashes started so far, and the count [`Hasher::release_idle_memory`] saw last.
    started: AtomicU64,
    started_at_last_look: AtomicU64,
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
        let permits = settings.max_concurrent.max(1);
        Ok(Self {
            inner: Arc::new(Inner {
                params,
                pepper: settings.pepper.clone(),
                permits: Semaphore::new(permits),
                permit_count: permits,
                waiting: AtomicUsize::new(0),
                max_wait_micros: u64::try_from(settings.max_wait.as_micros()).unwrap_or(u64::MAX),
                max_queue: settings.max_queue,
                timer: Arc::clone(&settings.timer),
                mean_micros: AtomicU64::new(prior_micros(settings)),
                measured: std::sync::atomic::AtomicBool::new(false),
                next_return: AtomicU64::new(0),
                memory: std::sync::Mutex::new(Vec::new()),
                started: AtomicU64::new(0),
                started_at_last_look: AtomicU64::new(0),
                dummy: tokio::sync::OnceCell::new(),
            }),
        })
    }

    /// The recent mean duration of one hash, in microseconds (a prior from the cost
    /// until the first hash is measured).
    pub fn mean_hash_micros(&self) -> u64 {
        self.inner.mean_micros.load(Ordering::Relaxed)
    }

    /// Makes the dummy hash unknown accounts are checked against (no race to make it
    /// later), then checks a password against it once more, so the first callers meet a
    /// measured mean: the second hash's, on the block set the first allocated. The
    /// first alone page-faults its 19 MiB and took about twice a storm's hash, and a
    /// storm's first wave admitted by it was half as long as allowed and ran dry before
    /// the refused came back (`docs/design/peaks.md` "Login storms"). Called at start.
    /// The block set is given back: an idle node keeps no hashing memory.
    pub async fn warm_up(&self, rng: &dyn SecureRandom) -> Result<()> {
        let dummy = self.dummy_hash(rng).await?;
        self.inner.measured.store(false, Ordering::Relaxed);
        self.verify(SecretString::from("warm-up".to_owned()), dummy).await?;
        self.inner.give_back_memory();
        Ok(())
    }

    async fn dummy_hash(&self, rng: &dyn SecureRandom) -> Result<String> {
        self.inner
            .dummy
            .get_or_try_init(|| self.hash(SecretString::from("dummy password for timing".to_owned()), rng))
            .await
            .cloned()
    }

    /// Gives the kept argon2 block sets back when the hasher was idle since the previous
    /// call (no hash started, none waiting or running): a peak's working memory returns
    /// to the system, and the next hash allocates its block set again (one page-faulted
    /// hash per permit after a quiet spell). Returns the bytes given back. The server
    /// calls it every ten seconds (`docs/design/peaks.md` "Memory").
    pub fn release_idle_memory(&self) -> usize {
        let inner = &self.inner;
        let started = inner.started.load(Ordering::SeqCst);
        let before = inner.started_at_last_look.swap(started, Ordering::SeqCst);
        if started != before || inner.waiting.load(Ordering::SeqCst) > 0 {
            return 0;
        }
        inner.give_back_memory()
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
            let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
            inner.fill(&inner.argon2()?, &inner.params, password.expose_secret().as_bytes(), &salt, &mut out)?;
            let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("salt: {e}")))?;
            let phc = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&inner.params).map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?,
                salt: Some(salt.as_salt()),
                hash: Some(Output::new(&out).map_err(|e| Error::Internal(format!("argon2: {e}")))?),
            };
            Ok(phc.to_string())
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
                        HashKind::Argon2 => inner.verify_argon2(pw, &parsed)?,
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
                let dummy = self.dummy_hash(rng).await?;
                self.verify(password, dummy).await?;
                Ok(Verified { matches: false, needs_rehash: false })
            }
        }
    }

    /// Refuses now, exactly as a hash asked for now would be refused (`Busy`, with a
    /// return slot taken like any refused caller's), when it could not start within the
    /// allowed wait; admits nothing (the hash is admitted when it is asked for). A
    /// sign-in asks before its reads, so the callers a storm refuses cost the database
    /// nothing (`docs/design/peaks.md` "Round 7").
    pub fn refuse_if_full(&self) -> Result<()> {
        self.inner.admit(self.inner.waiting.load(Ordering::SeqCst))
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&Inner) -> Result<T> + Send + 'static) -> Result<T> {
        let inner = Arc::clone(&self.inner);
        // Admission: queue when the expected wait is short enough, else refuse at once.
        let ahead = inner.waiting.fetch_add(1, Ordering::SeqCst);
        let _guard = QueueGuard(&inner.waiting);
        inner.admit(ahead)?;
        let _permit = inner.permits.acquire().await.map_err(|_| Error::Busy { retry_after_secs: 1 })?;
        inner.started.fetch_add(1, Ordering::SeqCst);
        let worker = Arc::clone(&inner);
        tokio::task::spawn_blocking(move || {
            let started = worker.timer.micros();
            let outcome = work(&worker);
            worker.observe(worker.timer.micros().saturating_sub(started));
            outcome
        })
        .await
        .map_err(|e| Error::Internal(format!("hashing task: {e}")))?
    }
}

/// A guess at one hash's duration before any is measured: about a microsecond per KiB
/// per pass (argon2id fills memory at roughly 1 GB/s per core).
fn prior_micros(settings: &HashSettings) -> u64 {
    u64::from(settings.memory_kib).saturating_mul(u64::from(settings.iterations.max(1)))
}

/// The admission rule, apart from the hasher so it can be read and tested alone.
#[derive(Debug, Clone, Copy)]
struct Admission {
    permits: usize,
    max_wait_micros: u64,
    max_queue: usize,
}

impl Admission {
    /// How long a caller with `ahead` callers admitted before it (running or waiting)
    /// waits for a permit, given the mean hash duration: none while a permit is free,
    /// else one mean per `permits` callers that must finish first.
    fn expected_wait_micros(self, ahead: usize, mean_micros: u64) -> u64 {
        let before = u64::try_from((ahead + 1).saturating_sub(self.permits)).unwrap_or(u64::MAX);
        let permits = u64::try_from(self.permits.max(1)).unwrap_or(1);
        before.saturating_mul(mean_micros) / permits
    }

    /// Whether a caller with `ahead` before it queues: its expected wait is within the
    /// allowed one and the memory guard has room.
    fn admits(self, ahead: usize, mean_micros: u64) -> bool {
        self.expected_wait_micros(ahead, mean_micros) <= self.max_wait_micros && ahead < self.max_queue
    }

    /// When (timer microseconds) a refused caller arriving at `now` comes back, and the
    /// next refused caller's earliest slot. Its own earliest: when half of the queue
    /// ahead will have drained (the expected wait minus half the allowed wait); but no
    /// earlier than `next`, the slot after the previous refused caller's. Each refused
    /// caller moves the slot on by one hash share (`mean / permits`), so the refused come
    /// back at the rate the hashers drain, each finding about half the allowed wait
    /// ahead: neither all at once (a wave that is refused again while the queue it
    /// waited for has run dry) nor to an empty queue. A slot is never more than the
    /// allowed wait past the caller's own earliest: refused callers that never come back
    /// (a flood) cannot push the others' returns out without end.
    fn return_at(self, now: u64, next: u64, ahead: usize, mean_micros: u64) -> (u64, u64) {
        let wait = self.expected_wait_micros(ahead, mean_micros);
        let earliest = now.saturating_add(wait.saturating_sub(self.max_wait_micros / 2));
        let at = next.clamp(earliest, earliest.saturating_add(self.max_wait_micros));
        let share = mean_micros / u64::try_from(self.permits.max(1)).unwrap_or(1);
        (at, at.saturating_add(share))
    }

    /// `Retry-After` for a return at `at`: whole seconds from `now`, rounded up, at least 1.
    fn retry_after_secs(now: u64, at: u64) -> i64 {
        i64::try_from(at.saturating_sub(now).div_ceil(1_000_000)).unwrap_or(i64::MAX).max(1)
    }

    /// `Ok` to queue, or the seconds to come back after for a caller refused alone (no
    /// other refused caller before it): when half of the queue ahead will have drained.
    #[cfg(test)]
    fn admit(self, ahead: usize, mean_micros: u64) -> std::result::Result<(), i64> {
        if self.admits(ahead, mean_micros) {
            return Ok(());
        }
        Err(Self::retry_after_secs(0, self.return_at(0, 0, ahead, mean_micros).0))
    }
}

struct QueueGuard<'a>(&'a AtomicUsize);
#[cfg(test)]
impl<'a> QueueGuard<'a> {
    /// Counts a caller in the queue until dropped (tests stand in for waiting callers).
    fn hold(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}
impl Drop for QueueGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Inner {
    /// `Ok` when a caller with `ahead` callers before it may queue; else `Busy`, told
    /// to come back at its slot (`Admission::return_at`), which moves the next slot on.
    fn admit(&self, ahead: usize) -> Result<()> {
        let admission = Admission { permits: self.permit_count, max_wait_micros: self.max_wait_micros, max_queue: self.max_queue };
        let mean = self.mean_micros.load(Ordering::Relaxed);
        if admission.admits(ahead, mean) {
            return Ok(());
        }
        let now = self.timer.micros();
        let mut told = 0;
        let _ = self.next_return.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |next| {
            let (at, then) = admission.return_at(now, next, ahead, mean);
            told = at;
            Some(then)
        });
        Err(Error::Busy { retry_after_secs: Admission::retry_after_secs(now, told) })
    }

    /// Folds one measured duration into the moving average (the first measurement
    /// replaces the prior). It falls by 1/8 of the difference and rises by 1/64: the
    /// first hashes of a storm run while the burst's own requests are parsed and their
    /// memory is page-faulted, taking two to three times a steady hash, and a mean that
    /// followed them at once (it did, at 1/8) admitted half the storm's first wave and
    /// left the hashers idle before the refused came back (`docs/design/peaks.md` "Login
    /// storms"). A slowdown that lasts is followed within about a hundred hashes.
    fn observe(&self, micros: u64) {
        if !self.measured.swap(true, Ordering::Relaxed) {
            self.mean_micros.store(micros, Ordering::Relaxed);
            return;
        }
        let _ = self.mean_micros.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |mean| {
            Some(if micros >= mean { mean + (micros - mean) / 64 } else { mean - (mean - micros) / 8 })
        });
    }

    /// Drops the kept block sets; returns their size in bytes.
    fn give_back_memory(&self) -> usize {
        let kept = std::mem::take(&mut *self.memory.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        kept.iter().map(|blocks| std::mem::size_of_val(blocks.as_slice())).sum()
    }

    fn argon2(&self) -> Result<Argon2<'_>> {
        self.argon2_with(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    fn argon2_with(&self, algorithm: Algorithm, version: Version, params: Params) -> Result<Argon2<'_>> {
        match &self.pepper {
            Some(p) => Argon2::new_with_secret(p.expose_secret().as_bytes(), algorithm, version, params)
                .map_err(|e| Error::Internal(format!("argon2 pepper: {e}"))),
            None => Ok(Argon2::new(algorithm, version, params)),
        }
    }

    /// Runs argon2 into `out`: over a kept block set when `params` need today's memory
    /// (taken for the call, put back after), else over memory of its own.
    fn fill(&self, argon: &Argon2<'_>, params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<()> {
        let failed = |e: argon2::Error| Error::Internal(format!("argon2: {e}"));
        if params.block_count() != self.params.block_count() {
            return argon.hash_password_into(password, salt, out).map_err(failed);
        }
        let lock = || self.memory.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let taken = lock().pop();
        let mut blocks = taken.unwrap_or_else(|| vec![Block::default(); self.params.block_count()]);
        let outcome = argon.hash_password_into_with_memory(password, salt, out, &mut blocks);
        lock().push(blocks);
        outcome.map_err(failed)
    }

    /// Whether `password` gives the argon2 hash `parsed` (any variant, version and
    /// parameters it names; the pepper if one is set). Compared in constant time.
    fn verify_argon2(&self, password: &[u8], parsed: &PasswordHash<'_>) -> Result<bool> {
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return Ok(false) };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return Ok(false) };
        let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else { return Ok(false) };
        let Ok(params) = Params::try_from(parsed) else { return Ok(false) };
        let mut salt_buf = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return Ok(false) };
        let mut out = vec![0u8; expected.len()];
        let argon = self.argon2_with(algorithm, version, params.clone())?;
        if self.fill(&argon, &params, password, salt, &mut out).is_err() {
            return Ok(false);
        }
        Ok(Output::new(&out).is_ok_and(|computed| computed == expected))
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
    use argon2::password_hash::PasswordHasher as _;

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

    /// Hashing over kept memory gives what the argon2 crate gives, byte for byte, and
    /// each verifies the other's; the memory kept is at most one block set per permit.
    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_and_memory_is_reused() {
        let h = cheap();
        let argon = |algorithm| Argon2::new(algorithm, Version::V0x13, Params::new(64, 1, 1, None).unwrap());
        // CountingRandom's first 16 bytes are the salt.
        let ours = h.hash(secret("shared secret words"), &crate::clock::CountingRandom::default()).await.unwrap();
        let mut salt = [0u8; 16];
        crate::clock::CountingRandom::default().fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).unwrap();
        let theirs = argon(Algorithm::Argon2id).hash_password(b"shared secret words", &salt).unwrap().to_string();
        assert_eq!(ours, theirs);
        assert!(argon(Algorithm::Argon2id).verify_password(b"shared secret words", &PasswordHash::new(&ours).unwrap()).is_ok());

        let other_salt = SaltString::encode_b64(b"fedcba9876543210").unwrap();
        let theirs = argon(Algorithm::Argon2id).hash_password(b"shared secret words", &other_salt).unwrap().to_string();
        assert_eq!(h.verify(secret("shared secret words"), theirs.clone()).await.unwrap(), Verified { matches: true, needs_rehash: false });
        assert!(!h.verify(secret("shared secret wordz"), theirs).await.unwrap().matches);
        let argon2i = argon(Algorithm::Argon2i).hash_password(b"legacy words here", &other_salt).unwrap().to_string();
        assert_eq!(h.verify(secret("legacy words here"), argon2i).await.unwrap(), Verified { matches: true, needs_rehash: true });

        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let h = h.clone();
                tokio::spawn(async move { h.hash(secret("many at once"), &OsRandom).await.unwrap() })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let kept = h.inner.memory.lock().unwrap().len();
        assert!((1..=2).contains(&kept), "two permits keep at most two block sets, kept {kept}");
    }

    /// Kept memory is given back only after a whole interval without hashing, and a
    /// hash after that allocates (and keeps) its block set again.
    #[tokio::test]
    async fn idle_memory_is_given_back_after_a_quiet_interval() {
        let h = cheap();
        let kept = |h: &Hasher| h.inner.memory.lock().unwrap().len();
        h.warm_up(&OsRandom).await.unwrap();
        assert_eq!(kept(&h), 0, "the warm-up hash keeps no memory: an idle node holds none");
        h.hash(secret("a first password"), &OsRandom).await.unwrap();
        assert_eq!(kept(&h), 1);
        assert_eq!(h.release_idle_memory(), 0, "a hash ran since the last look: kept");
        assert_eq!(kept(&h), 1);
        assert_eq!(h.release_idle_memory(), 64 * 1024, "a quiet interval: the 64 KiB block set goes back");
        assert_eq!(kept(&h), 0);
        assert_eq!(h.release_idle_memory(), 0, "nothing left to give");
        let stored = h.hash(secret("a second password"), &OsRandom).await.unwrap();
        assert!(h.verify(secret("a second password"), stored).await.unwrap().matches, "hashing works after the release");
        assert_eq!(kept(&h), 1, "kept again once used");
        assert_eq!(h.release_idle_memory(), 0);
    }

    #[tokio::test]
    async fn overlong_input_is_refused_before_hashing() {
        let err = cheap().hash(secret(&"x".repeat(MAX_INPUT_BYTES + 1)), &OsRandom).await.unwrap_err();
        assert!(matches!(err, Error::Invalid(_)));
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy() {
        let h = Hasher::new(&HashSettings { memory_kib: 64, iterations: 1, parallelism: 1, max_concurrent: 1, max_queue: 0, ..HashSettings::default() }).unwrap();
        assert!(matches!(h.hash(secret("anything long"), &OsRandom).await, Err(Error::Busy { retry_after_secs: 1 })));
        assert_eq!(h.queue_depth(), 0);
    }

    const SECOND: u64 = 1_000_000;

    fn rule(permits: usize, max_wait_secs: u64) -> Admission {
        Admission { permits, max_wait_micros: max_wait_secs * SECOND, max_queue: 4_096 }
    }

    #[test]
    fn the_expected_wait_counts_the_callers_ahead_per_permit() {
        let two = rule(2, 10);
        // A permit is free: no wait.
        assert_eq!(two.expected_wait_micros(0, 40_000), 0);
        assert_eq!(two.expected_wait_micros(1, 40_000), 0);
        // Both permits taken: half a hash (two finish in one mean), then one more per two.
        assert_eq!(two.expected_wait_micros(2, 40_000), 20_000);
        assert_eq!(two.expected_wait_micros(3, 40_000), 40_000);
        assert_eq!(two.expected_wait_micros(501, 40_000), 10 * SECOND);
        assert_eq!(rule(1, 10).expected_wait_micros(10, 500_000), 5 * SECOND);
    }

    #[test]
    fn callers_within_the_wait_queue_and_the_rest_come_back_when_half_has_drained() {
        let two = rule(2, 10);
        // 40 ms hashes on two permits: 500 callers ahead wait 9.98 s, 501 wait 10 s.
        assert_eq!(two.admit(500, 40_000), Ok(()));
        assert_eq!(two.admit(501, 40_000), Ok(()));
        // 10.02 s: refused, back in 5.02 s → 6 s (whole seconds, rounded up).
        assert_eq!(two.admit(502, 40_000), Err(6));
        // A deep queue: 40 s ahead → back in 35 s.
        assert_eq!(two.admit(2_001, 40_000), Err(35));
        // Never "now": at least a second.
        assert_eq!(rule(1, 0).admit(1, 1), Err(1));
        // The memory guard refuses whatever the estimate says.
        let guarded = Admission { max_queue: 3, ..two };
        assert_eq!(guarded.admit(2, 0), Ok(()));
        assert_eq!(guarded.admit(3, 0), Err(1));
    }

    /// Callers refused at once are not all told the same second: each comes back one hash
    /// share (`mean / permits`) after the one refused before it, so they return at the
    /// rate the hashers drain; never earlier than half the queue ahead will have taken,
    /// and never more than the allowed wait past that (a flood of callers who never come
    /// back cannot push the others out without end).
    #[test]
    fn refused_callers_come_back_one_hash_share_apart() {
        let two = rule(2, 10);
        // 40 ms hashes on two permits: 502 ahead expect 10.02 s, so back at 5.02 s.
        let (first, next) = two.return_at(0, 0, 502, 40_000);
        assert_eq!((first, next), (5_020_000, 5_040_000), "one share is 20 ms");
        let (second, next) = two.return_at(0, next, 502, 40_000);
        assert_eq!((second, next), (5_040_000, 5_060_000), "the next refused in the same instant: one share later");
        assert_eq!((Admission::retry_after_secs(0, first), Admission::retry_after_secs(0, second)), (6, 6));
        // A thousand refused at once: 50 a second, as the two permits drain them, until
        // the cap of the allowed wait past their own earliest return.
        let (mut slot, mut seconds) = (next, std::collections::BTreeMap::<i64, usize>::new());
        for _ in 0..1_000 {
            let (at, then) = two.return_at(0, slot, 502, 40_000);
            *seconds.entry(Admission::retry_after_secs(0, at)).or_default() += 1;
            slot = then;
        }
        assert_eq!(seconds.get(&7), Some(&50), "50 come back in each second: {seconds:?}");
        assert_eq!(seconds.keys().next_back(), Some(&16), "never past 5.02 s + 10 s: {seconds:?}");
        // A caller whose own return is later than the schedule is not held back by it,
        // nor brought forward.
        assert_eq!(two.return_at(60 * SECOND, slot, 502, 40_000).0, 65_020_000);
        // Never "now": at least a second.
        assert_eq!(Admission::retry_after_secs(10, 10), 1);
    }

    /// The mean follows measured hashes (timed by the injected stopwatch), and the
    /// hasher admits by it: with 1 permit, a 3 s mean and a 10 s wait, a caller with
    /// three ahead (9 s) is admitted, one with four ahead (12 s) is refused and told to
    /// come back in 7 s (when half of the 10 s allowed is left).
    #[tokio::test]
    async fn admission_follows_the_measured_mean() {
        let timer = Arc::new(crate::clock::SteppingTimer::with_step(3 * SECOND));
        let h = Hasher::new(&HashSettings {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 1,
            max_wait: Duration::from_secs(10),
            timer: timer.clone(),
            ..HashSettings::default()
        })
        .unwrap();
        assert_eq!(h.mean_hash_micros(), 64, "the prior: a microsecond per KiB and pass");
        h.warm_up(&OsRandom).await.unwrap();
        assert_eq!(h.mean_hash_micros(), 3 * SECOND, "the first measurement replaces the prior");

        // Stand-ins for callers ahead (they hold no permit, so an admitted call runs).
        let mut ahead: Vec<_> = (0..3).map(|_| QueueGuard::hold(&h.inner.waiting)).collect();
        assert!(h.hash(secret("three ahead"), &OsRandom).await.is_ok(), "9 s expected: admitted");
        assert!(h.refuse_if_full().is_ok(), "three ahead: a sign-in may go on to its reads");
        ahead.push(QueueGuard::hold(&h.inner.waiting));
        match h.hash(secret("four ahead"), &OsRandom).await {
            Err(Error::Busy { retry_after_secs }) => assert_eq!(retry_after_secs, 7),
            other => panic!("expected busy, got {other:?}"),
        }
        // Asked before a sign-in's reads, in the same instant (the timer stands still):
        // refused alike, and told the next return slot, one share (3 s) after the one
        // the refused hash took.
        timer.set_step(0);
        match h.refuse_if_full() {
            Err(Error::Busy { retry_after_secs }) => assert_eq!(retry_after_secs, 10),
            other => panic!("expected busy, got {other:?}"),
        }
        assert_eq!(h.queue_depth(), 4, "asking queues nobody");
        drop(ahead);

        timer.set_step(4 * SECOND);
        h.hash(secret("one more time"), &OsRandom).await.unwrap();
        assert_eq!(h.mean_hash_micros(), 3 * SECOND + SECOND / 64, "then a moving average that rises by 1/64");
        timer.set_step(SECOND);
        for _ in 0..60 {
            h.hash(secret("faster hashes"), &OsRandom).await.unwrap();
        }
        let mean = h.mean_hash_micros();
        assert!((SECOND..SECOND + SECOND / 100).contains(&mean), "the mean follows: {mean}");
        assert_eq!(h.queue_depth(), 0);
    }
}
