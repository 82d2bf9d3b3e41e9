//! Foyer's identity core: the rules of customer identity and the services that apply
//! them to the store. No web framework lives here; `app` and `server` are thin adapters.
//!
//! Time and randomness are parameters ([`Clock`], [`SecureRandom`]) carried by
//! [`Identity`], so every rule can be tested at a chosen instant with chosen bytes.

//!
//! Without the default `server` feature only [`domain`] and [`policy`] remain: pure
//! rules that also compile to wasm, so the browser gives the same answers as the server.

pub mod domain;
pub mod policy;

#[cfg(feature = "server")]
pub mod accounts;
#[cfg(feature = "server")]
pub mod audit;
#[cfg(feature = "server")]
pub mod brand;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod crypto;
#[cfg(feature = "server")]
pub mod email;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod import;
#[cfg(feature = "server")]
pub mod outbox;
#[cfg(feature = "server")]
pub mod password;
#[cfg(feature = "server")]
pub mod staff;
#[cfg(feature = "server")]
pub mod store;

#[cfg(feature = "server")]
mod service;
#[cfg(feature = "server")]
pub use service::*;

