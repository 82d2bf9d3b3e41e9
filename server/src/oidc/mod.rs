//! The OpenID Connect provider's HTTP side (`docs/design/oidc.md` "Endpoints"): discovery,
//! JWKS, authorize (with its resume point `continue`), token, UserInfo, introspection,
//! revocation, RP-initiated logout, back-channel logout delivery, and the brand theme
//! assets the themed pages load. The rules live in `identity::oidc`; these are adapters.

pub mod authorize;
pub mod backchannel;
pub mod brand_assets;
pub mod client_auth;
pub mod cors;
pub mod discovery;
pub mod errors;
pub mod keys;
pub mod limits;
pub mod logout;
pub mod token;
pub mod userinfo;

use axum::Router;
use axum::routing::{get, post};

use crate::http::AppState;

/// Routes called by other sites and servers: no session, no same-origin check. Token,
/// UserInfo and revocation answer CORS for the origins of public clients; token and
/// revocation are limited per client (in the handlers, after authentication), UserInfo
/// and introspection per IP.
pub fn routes(state: &AppState) -> Router<AppState> {
    let readers = || axum::middleware::from_fn_with_state((state.limits.clone(), limits::Guard::Readers), limits::by_ip);
    let scripted = Router::new()
        .route("/oauth2/token", post(token::token))
        .route("/oauth2/revoke", post(token::revoke))
        .route("/oauth2/userinfo", get(userinfo::get).post(userinfo::post).layer(readers()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors::public_clients));
    Router::new()
        .merge(scripted)
        .route("/oauth2/introspect", post(token::introspect).layer(readers()))
        .route("/.well-known/openid-configuration", get(discovery::metadata))
        .route("/.well-known/oauth-authorization-server", get(discovery::metadata))
        .route("/oauth2/jwks", get(keys::jwks))
        .route("/brands/{slug}/theme.css", get(brand_assets::theme_css))
        .route("/brands/{slug}/logo", get(brand_assets::logo))
}

/// Routes a browser reaches, which read (and at sign-out end) the Foyer session. The
/// caller adds the session layer. Limited per client IP.
pub fn browser_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/oauth2/authorize", get(authorize::get).post(authorize::post))
        .route("/oauth2/continue", get(authorize::resume))
        .route("/oauth2/logout", get(logout::get).post(logout::post))
        .route("/oauth2/logout/confirm", post(logout::confirm))
        .layer(axum::middleware::from_fn_with_state((state.limits.clone(), limits::Guard::Browser), limits::by_ip))
}

/// The signed-in customer's authentication, as `app::auth` reads the session (same keys,
/// same absolute lifetime); `None` when signed out or the session is unreadable. A
/// support agent's session in a customer's portal is no sign-in of the customer: a brand
/// gets nothing from it (`docs/design/admin.md` "Ticket-scoped access").
pub async fn signed_in(session: &tower_sessions::Session, identity: &identity::Identity) -> Option<identity::oidc::flow::Authentication> {
    app::auth::current_of(session, identity).await.ok().flatten().filter(|c| c.support.is_none()).map(app::auth::Current::authentication)
}

/// A support agent's session in a customer's portal under a live access: the session's
/// authentication and the live support principal (read from the access row now), for
/// `authorize` to ask the core whether the agent may sign in at the brand for the
/// customer (`docs/design/admin.md` "Signing in at brands for the customer"). `None`
/// for any other session, or when the access is no longer live.
pub async fn support_signed_in(session: &tower_sessions::Session, identity: &identity::Identity) -> Option<(identity::oidc::flow::Authentication, identity::principal::Principal)> {
    let current = app::auth::current_of(session, identity).await.ok().flatten()?;
    let (access, staff) = current.support.clone()?;
    let principal = identity.support_principal(&staff, &current.customer_id, &access).await.ok()?;
    Some((current.authentication(), principal))
}

/// The issuer: the public URL without a trailing slash.
pub fn issuer(state: &AppState) -> &str {
    &state.context.public_url
}
