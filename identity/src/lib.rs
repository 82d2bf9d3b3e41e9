//! Foyer's identity core: the rules of customer identity and the services that apply
//! them to the store. No web framework lives here; `app` and `server` are thin adapters.
//!
//! Time and randomness are parameters ([`Clock`], [`SecureRandom`]) carried by
//! [`Identity`], so every rule can be tested at a chosen instant with chosen bytes.
//!
//! Without the default `server` feature only [`domain`] and [`policy`] remain: pure
//! rules that also compile to wasm, so the browser gives the same answers as the server.

pub mod domain;
/// Languages: the locales we ship (everywhere), their messages and formats (server).
pub mod i18n;
pub mod policy;

/// Declares modules that exist only with the `server` feature.
macro_rules! server_modules {
    ($($name:ident),* $(,)?) => { $( #[cfg(feature = "server")] pub mod $name; )* };
}

server_modules!(accounts, admin, audit, brand, branddata, clock, consent, crypto, email, error, households, import, loyalty, metrics, oidc, outbox, password, principal, privacy, staff, store);

/// What a session means (customer and staff): keys and the rules that end one.
#[cfg(feature = "server")]
pub mod session;

#[cfg(feature = "server")]
pub mod platform;
#[cfg(feature = "server")]
mod service;
#[cfg(feature = "server")]
pub use service::*;

/// Keys and JWS, outside `oidc` because receipts and webhooks sign too.
#[cfg(feature = "server")]
pub mod jose;
