//! `POST /oauth2/token` (RFC 6749 §3.2, §4.1.3, §4.4, §6), `/oauth2/introspect` (RFC
//! 7662) and `/oauth2/revoke` (RFC 7009).

use std::net::IpAddr;

use app::context::ClientIp;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use identity::oidc::exchange;
use identity::oidc::tokens::Issued;
use serde_json::json;

use super::client_auth::{Params, authenticate, source_ip};
use super::errors::{OAuthError, no_store, server_error};
use crate::http::AppState;

fn issued(issued: Issued) -> Response {
    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    });
    if let Some(id_token) = issued.id_token {
        body["id_token"] = json!(id_token);
    }
    if let Some(refresh) = issued.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    no_store(axum::Json(body).into_response())
}

/// A token-exchange response (RFC 8693 §2.2.1): `issued_token_type` added.
fn exchanged(result: Issued) -> Response {
    let mut body = json!({
        "access_token": result.access_token,
        "issued_token_type": exchange::ACCESS_TOKEN_TYPE,
        "token_type": "Bearer",
        "expires_in": result.expires_in,
        "scope": result.scope,
    });
    if let Some(refresh) = result.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    no_store(axum::Json(body).into_response())
}

/// The token endpoint.
pub async fn token(State(state): State<AppState>, ip: Option<Extension<ClientIp>>, headers: HeaderMap, params: Params) -> Response {
    match token_inner(&state, &headers, &params, source_ip(ip.as_ref())).await {
        Ok(response) | Err(response) => response,
    }
}

async fn token_inner(state: &AppState, headers: &HeaderMap, params: &Params, ip: IpAddr) -> Result<Response, Response> {
    let grant_type = params.one("grant_type")?;
    let client = authenticate(state, headers, params, ip, true).await?;
    state.limits.check_client(&client).map_err(super::limits::too_many)?;
    let keys = state.keys.current().await.map_err(|e| server_error(&e))?;
    let identity = &state.context.identity;
    let allowed = |grant: &str| client.grant_types.iter().any(|g| g == grant);
    let principal = client.principal();
    let outcome = match grant_type {
        None => return Err(OAuthError::invalid_request("grant_type is required.").into()),
        Some(grant @ ("authorization_code" | "refresh_token" | "client_credentials")) if !allowed(grant) => {
            return Err(OAuthError::unauthorized_client("This client may not use this grant type.").into());
        }
        Some("authorization_code") => {
            let code = params.one("code")?.ok_or_else(|| OAuthError::invalid_request("code is required."))?;
            identity.redeem_code(&principal, &keys, &client, code, params.one("redirect_uri")?, params.one("code_verifier")?).await
        }
        Some("refresh_token") => {
            let token = params.one("refresh_token")?.ok_or_else(|| OAuthError::invalid_request("refresh_token is required."))?;
            identity.refresh(&principal, &keys, &client, token, params.one("scope")?).await
        }
        Some("client_credentials") => identity.client_credentials(&principal, &keys, &client, params.one("scope")?).await,
        Some(exchange::GRANT_TYPE) => {
            let request = exchange::ExchangeRequest {
                subject_token: params.one("subject_token")?,
                subject_token_type: params.one("subject_token_type")?,
                actor_token: params.one("actor_token")?,
                actor_token_type: params.one("actor_token_type")?,
                scope: params.one("scope")?,
                requested_token_type: params.one("requested_token_type")?,
            };
            return identity
                .exchange_token(&principal, &keys, &client, &request)
                .await
                .map(exchanged)
                .map_err(|e| OAuthError::from_token_error(&e).into());
        }
        Some(_) => return Err(OAuthError::unsupported_grant_type("This grant type is not supported.").into()),
    };
    outcome.map(issued).map_err(|e| OAuthError::from_token_error(&e).into())
}

/// RFC 7662: for confidential clients; anything not live for the caller's brand is
/// exactly `{"active": false}`.
pub async fn introspect(State(state): State<AppState>, ip: Option<Extension<ClientIp>>, headers: HeaderMap, params: Params) -> Response {
    let result = async {
        let client = authenticate(&state, &headers, &params, source_ip(ip.as_ref()), false).await?;
        let token = params.one("token")?.ok_or_else(|| OAuthError::invalid_request("token is required."))?;
        let hint = params.one("token_type_hint")?;
        let keys = state.keys.current().await.map_err(|e| server_error(&e))?;
        let answer = state.context.identity.introspect(&client.principal(), &keys, &client, token, hint).await.map_err(|e| server_error(&e))?;
        Ok::<_, Response>(no_store(axum::Json(answer.unwrap_or_else(|| json!({ "active": false }))).into_response()))
    };
    match result.await {
        Ok(response) | Err(response) => response,
    }
}

/// RFC 7009: 200 whether or not the token was known.
pub async fn revoke(State(state): State<AppState>, ip: Option<Extension<ClientIp>>, headers: HeaderMap, params: Params) -> Response {
    let result = async {
        let client = authenticate(&state, &headers, &params, source_ip(ip.as_ref()), true).await?;
        state.limits.check_client(&client).map_err(super::limits::too_many)?;
        let token = params.one("token")?.ok_or_else(|| OAuthError::invalid_request("token is required."))?;
        params.one("token_type_hint")?;
        let keys = state.keys.current().await.map_err(|e| server_error(&e))?;
        state.context.identity.revoke_token(&client.principal(), &keys, &client, token).await.map_err(|e| server_error(&e))?;
        Ok::<_, Response>(no_store(StatusCode::OK.into_response()))
    };
    match result.await {
        Ok(response) | Err(response) => response,
    }
}
