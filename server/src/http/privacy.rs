//! The consent ledger's HTTP side outside the pages: `GET /account/privacy/receipts/{id}`
//! (one of the signed-in customer's receipts as a JSON file: the payload, the compact JWS
//! and where to check it) and `GET /.well-known/consent-receipt-keys` (the public receipt
//! keys with their validity periods, for brands and regulators; never rotated away).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::json;
use tower_sessions::Session;

use crate::http::AppState;
use crate::oidc::errors::{no_store, server_error};

/// Routes that read the customer's session (the caller adds the session layer).
pub fn customer_routes() -> Router<AppState> {
    Router::new().route("/account/privacy/receipts/{id}", get(receipt))
}

/// Public routes.
pub fn public_routes() -> Router<AppState> {
    Router::new().route("/.well-known/consent-receipt-keys", get(receipt_keys))
}

async fn receipt(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let identity = &state.context.identity;
    let Some(auth) = crate::oidc::signed_in(&session, identity).await else {
        return no_store(Redirect::to("/login?return_to=%2Faccount%2Fprivacy").into_response());
    };
    if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return no_store((StatusCode::NOT_FOUND, "No such receipt.").into_response());
    }
    match identity.consent_receipt(&auth.principal(), &auth.customer_id, &id).await {
        Ok((payload, jws)) => {
            let verify_with = format!("{}/.well-known/consent-receipt-keys", state.context.public_url);
            let body = json!({ "receipt": payload, "jws": jws, "verify_with": verify_with });
            let mut response = no_store(axum::Json(body).into_response());
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"consent-receipt-{id}.json\"")) {
                response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(identity::Error::NotFound(_)) => no_store((StatusCode::NOT_FOUND, "No such receipt.").into_response()),
        Err(e) => server_error(&e),
    }
}

async fn receipt_keys(State(state): State<AppState>) -> Response {
    match state.context.identity.receipt_jwks().await {
        Ok(jwks) => {
            let mut response = axum::Json(jwks).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            response
        }
        Err(e) => server_error(&e),
    }
}
