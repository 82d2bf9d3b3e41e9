//! The OpenID Connect provider against a real relying party: the `openidconnect` crate
//! (4.1) as the RP, a cookie-keeping "browser" that follows no redirects, both database
//! engines (`docs/design/oidc.md` "Tests"). Scenario names follow the OpenID conformance
//! modules where one exists, and RFC 9700's attacks otherwise.
//!
//! - `flow`: discovery, the code flow with PKCE, ID token, UserInfo, SSO across brands,
//!   pairwise subjects, prompts, hints, form_post.
//! - `tokens`: refresh rotation and reuse, revocation, introspection, client credentials,
//!   key rotation.
//! - `negatives`: redirect URIs, PKCE, code reuse and parallel redemption, client
//!   authentication, unsupported types and grants, bad tokens at UserInfo.
//! - `logout`: RP-initiated logout, back-channel logout tokens received by an RP endpoint.
//! - `rp`: the parties (RP, browser, back-channel receiver) and the server with a fixture
//!   RS256 key (`fixtures/`: test-only keys; RSA generation is slow in debug builds; the
//!   Ed25519 ones are an RP's `private_key_jwt` keys).

mod delegation;
mod flow;
mod logout;
mod negatives;
mod support;
pub(crate) mod rp;
mod tokens;
