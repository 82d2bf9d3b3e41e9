//! `GET|POST /oauth2/userinfo` (OIDC Core §5.3, RFC 6750 §2–3): the bearer token in
//! `Authorization`, or `access_token` in a POST form body; never in the query.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use identity::Error;

use super::client_auth::Params;
use super::errors::{OAuthError, no_store, server_error};
use crate::http::AppState;

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

async fn answer(state: &AppState, token: Option<String>) -> Response {
    let Some(token) = token.filter(|t| !t.is_empty()) else { return OAuthError::bearer_required().into_response() };
    let keys = match state.keys.current().await {
        Ok(keys) => keys,
        Err(e) => return server_error(&e),
    };
    match state.context.identity.userinfo(&keys, &token).await {
        Ok(Some(claims)) => no_store(axum::Json(claims).into_response()),
        Ok(None) => OAuthError::insufficient_scope("The token does not carry the openid scope").into_response(),
        Err(Error::TokenInvalid) => OAuthError::invalid_token("The access token is invalid, expired or revoked").into_response(),
        Err(e) => server_error(&e),
    }
}

pub async fn get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    answer(&state, bearer(&headers)).await
}

/// A POST may carry the token in a form body, or only in the header (any body then).
pub async fn post(State(state): State<AppState>, headers: HeaderMap, params: Result<Params, Response>) -> Response {
    let in_body = params.ok().and_then(|p| p.0.into_iter().find(|(k, _)| k == "access_token").map(|(_, v)| v));
    let in_header = bearer(&headers);
    if in_body.is_some() && in_header.is_some() {
        return OAuthError::bearer_invalid_request("Send the token one way only").into_response();
    }
    answer(&state, in_header.or(in_body)).await
}
