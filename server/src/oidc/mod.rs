//! The OpenID Connect provider's HTTP side (`docs/design/oidc.md`). So far: the signing
//! key ring every node shares, and the JWKS endpoint relying parties verify with.

pub mod keys;

use axum::Router;
use axum::routing::get;

use crate::http::AppState;

/// The provider's routes, outside the pages router: callers are other sites and servers
/// (no same-origin check, no session).
pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/jwks", get(keys::jwks))
}
