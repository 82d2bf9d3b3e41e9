//! The OpenID Connect provider's core: the client registry, the code flow, grants and
//! the tokens they give. Signing keys and JWS are [`crate::jose`]; the SQL is in
//! `store` (`clients`, `codes`, `consents`, `grants`, `oidc_sessions`).
//!
//! - [`clients`]: the `oauth_clients` registry — checked registrations, secrets shown once
//!   and stored hashed, rotation and disabling.
//! - [`grants`]: the grant lifecycle — issue, revoke one, revoke all of a customer (at
//!   every brand or at one), end a sign-in's grants — each with back-channel logout
//!   queued through the outbox in the same transaction. Every "end access" path calls it.
//! - [`authorize`]: the authorization request's checks (pure); [`flow`]: the pending
//!   request, per-brand consent and codes; [`tokens`]: the token endpoint's grants,
//!   UserInfo, introspection and revocation; [`claims`]: scopes, claims and subjects;
//!   [`logout`]: back-channel logout, Connected brands; [`exchange`]: the token-exchange
//!   grant for delegates (RFC 8693); [`support`]: a support agent's sign-in at a brand
//!   for the customer (tokens with `act`).

pub(crate) mod access_cache;
pub mod assertion;
pub mod authorize;
pub mod claims;
pub mod clients;
pub mod exchange;
pub mod flow;
pub mod grants;
pub mod logout;
mod mint;
pub mod support;
pub mod tokens;
pub(crate) mod unblocked;

/// Where the integration tests (and older callers) found them before `jose` existed.
pub use crate::jose::{Activation, SigningAlg};
