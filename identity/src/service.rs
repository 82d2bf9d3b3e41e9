//! The service context every use case runs in.

use std::sync::Arc;

pub use crate::clock::{Clock, FixedClock, OsRandom, SecureRandom, SystemClock, UnixMillis};
pub use crate::error::{Error, Refusal, Result};
pub use crate::store::{Backend, Store};

/// Settings the rules need (not secrets).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The external base URL, without a trailing slash; links in mail start with it.
    pub public_url: String,
    /// Consecutive failed sign-ins before the account locks (at most 100).
    pub lockout_threshold: i64,
    /// Failures within the window that go unpunished before delays start.
    pub free_failures: i64,
    /// Session lifetime since sign-in.
    pub session_absolute_ms: i64,
    /// What customers are told the identity is called (`FOYER_PRODUCT_NAME`, e.g.
    /// "Northwind ID"): pages, titles, mails, consent. "Foyer" is the software's name,
    /// never shown to customers.
    pub product_name: String,
    /// The group's privacy notice and terms (`FOYER_PRIVACY_URL`, `FOYER_TERMS_URL`),
    /// linked in every page's footer; checked http(s) URLs.
    pub privacy_url: Option<String>,
    pub terms_url: Option<String>,
    /// The consent ledger's jurisdiction and ages of digital consent.
    pub consent: crate::consent::ConsentSettings,
    /// Days between "Delete my account" and the erasure (`FOYER_DELETION_GRACE_DAYS`);
    /// signing in before then offers to cancel.
    pub deletion_grace_days: i64,
    /// How many households one customer may belong to (`FOYER_HOUSEHOLDS_PER_CUSTOMER`).
    pub households_per_customer: i64,
    /// Days the audit log keeps its rows (`FOYER_AUDIT_RETENTION_DAYS`); `None` keeps
    /// them forever. Older rows are deleted by the sweep, but proof, which is
    /// pseudonymised instead (`audit::apply_retention`).
    pub audit_retention_days: Option<i64>,
    /// What access tokens are signed with (`FOYER_ACCESS_TOKEN_ALG`): ES256 by default,
    /// chosen on the benchmark's figures (`docs/design/peaks.md` "Token path"). ID tokens
    /// follow the client's registered algorithm (RS256 unless it asks).
    pub access_token_alg: crate::jose::SigningAlg,
    /// How long after a refresh its spent token may be presented again, by a client whose
    /// answer was lost (`FOYER_REFRESH_RETRY_SECONDS`, 0 to 60 s; 0, the default, makes
    /// every second use reuse). `docs/design/oidc.md` "Retrying a refresh whose answer
    /// was lost".
    pub refresh_retry_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            public_url: "http://localhost:3000".into(),
            lockout_threshold: 20,
            free_failures: 5,
            session_absolute_ms: 12 * 3_600_000,
            product_name: "Customer ID".into(),
            privacy_url: None,
            terms_url: None,
            consent: crate::consent::ConsentSettings::default(),
            deletion_grace_days: 14,
            households_per_customer: 1,
            audit_retention_days: None,
            access_token_alg: crate::jose::SigningAlg::Es256,
            refresh_retry_ms: 0,
        }
    }
}

/// The service context handed to every use case: the store plus time, randomness,
/// the password hasher and settings. Cheap to clone.
///
/// The fields are private to the crate: `app` and `server` call use cases (which take a
/// [`crate::principal::Principal`] and decide in the core who may do what), never the
/// store. The few accessors below exist for wiring, migrations, health and tests.
#[derive(Clone, Debug)]
pub struct Identity {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn SecureRandom>,
    pub(crate) hasher: crate::password::Hasher,
    pub(crate) settings: Arc<Settings>,
    /// Seals secrets at rest (TOTP secrets, later signing keys).
    pub(crate) master_key: Arc<crate::crypto::MasterKey>,
    /// This node's counts of lock-outs and refused second steps (`/metrics`, the
    /// operator dashboard); shared by every clone.
    pub(crate) counters: Arc<crate::metrics::Counters>,
    /// Clients read in the last second, shared by every clone (`oidc::clients::cache`).
    pub(crate) clients: Arc<crate::oidc::clients::cache::ClientCache>,
    /// Access tokens found live in the last second, shared by every clone
    /// (`oidc::access_cache`).
    pub(crate) access: Arc<crate::oidc::access_cache::AccessCache>,
    /// Client-authentication throttle keys found unblocked in the last second, shared
    /// by every clone (`oidc::unblocked`).
    pub(crate) unblocked: Arc<crate::oidc::unblocked::UnblockedCache>,
}

impl Identity {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn SecureRandom>,
        hasher: crate::password::Hasher,
        settings: Settings,
        master_key: crate::crypto::MasterKey,
    ) -> Self {
        Self {
            store,
            clock,
            rng,
            hasher,
            settings: Arc::new(settings),
            master_key: Arc::new(master_key),
            counters: Arc::default(),
            clients: Arc::default(),
            access: Arc::default(),
            unblocked: Arc::default(),
        }
    }

    /// The store, for wiring, migrations, health and tests only: an adapter that reads
    /// or changes data calls a use case instead (it authorizes and audits).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current time on the service's clock (adapters stamp sessions and pages with
    /// it, so a test's steered clock reaches them too).
    pub fn now(&self) -> UnixMillis {
        self.clock.now()
    }

    /// Fills `buf` from the service's randomness source (CSP nonces and the like).
    pub fn fill_random(&self, buf: &mut [u8]) {
        self.rng.fill(buf);
    }

    /// The settings the rules run with (read-only).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The password hasher, for wiring, metrics (its queue depth) and tests only.
    pub fn hasher(&self) -> &crate::password::Hasher {
        &self.hasher
    }

    /// This node's counts of lock-outs and refused second steps (`/metrics` reads them).
    pub fn counters(&self) -> &crate::metrics::Counters {
        &self.counters
    }

    /// The same service on another clock (tests, and tools that replay a moment).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self.clone() }
    }

    /// The same service with other settings (tests).
    pub fn with_settings(&self, settings: Settings) -> Self {
        Self { settings: Arc::new(settings), ..self.clone() }
    }

    /// A fresh random identifier (UUID v4 built from our own randomness source).
    pub fn new_id(&self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }

    /// A fresh 256-bit secret, base64url without padding (for links).
    pub fn new_token(&self) -> String {
        use base64::Engine as _;
        let mut bytes = [0u8; 32];
        self.rng.fill(&mut bytes);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A fresh six-digit code (uniform over 000000..=999999).
    pub fn new_code(&self) -> String {
        loop {
            let mut bytes = [0u8; 4];
            self.rng.fill(&mut bytes);
            let n = u32::from_le_bytes(bytes);
            // Reject the tail that would bias the modulo.
            if n < 4_294_000_000 {
                return format!("{:06}", n % 1_000_000);
            }
        }
    }
}

/// Constant-time equality of two digests (hex): how stored code and secret hashes are compared.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SHA-256 as lowercase hex: how tokens, codes and session ids are stored.
pub fn sha256_hex(input: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(input))
}
