//! Foyer's identity core: the rules of customer identity and the services that apply
//! them to the store. No web framework lives here; `app` and `server` are thin adapters.
//!
//! Time and randomness are parameters ([`Clock`], [`SecureRandom`]) carried by
//! [`Identity`], so every rule can be tested at a chosen instant with chosen bytes.

pub mod audit;
pub mod brand;
pub mod clock;
pub mod crypto;
pub mod domain;
pub mod email;
pub mod error;
pub mod import;
pub mod outbox;
pub mod password;
pub mod staff;
pub mod store;

use std::sync::Arc;

pub use clock::{Clock, FixedClock, OsRandom, SecureRandom, SystemClock, UnixMillis};
pub use error::{Error, Result};
pub use store::{Backend, Store};

/// The service context handed to every use case: the store plus time, randomness and
/// the password hasher. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Identity {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn SecureRandom>,
    pub hasher: password::Hasher,
}

impl Identity {
    pub fn new(store: Store, clock: Arc<dyn Clock>, rng: Arc<dyn SecureRandom>, hasher: password::Hasher) -> Self {
        Self { store, clock, rng, hasher }
    }

    /// A fresh random identifier (UUID v4 built from our own randomness source).
    pub fn new_id(&self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }
}
