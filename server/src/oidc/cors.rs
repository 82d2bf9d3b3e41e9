//! CORS for browser-based (public) clients at the endpoints they call from script:
//! token, UserInfo and revocation. An origin is allowed when it is the origin of a
//! redirect URI registered by an enabled public client; everything else gets no CORS
//! headers (the browser then refuses to hand the answer to the page).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::AppState;

/// Is `origin` the origin of a redirect URI of an enabled public client?
async fn allowed(state: &AppState, origin: &str) -> bool {
    let Ok(clients) = state.context.identity.list_clients(None).await else { return false };
    clients.iter().filter(|c| c.is_public() && !c.is_disabled()).flat_map(|c| c.redirect_uris.iter()).any(|uri| {
        url::Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.origin().ascii_serialization() == origin)
    })
}

pub async fn public_clients(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let Some(origin) = origin else { return next.run(request).await };
    if !allowed(&state, &origin).await {
        return next.run(request).await;
    }
    let Ok(allow_origin) = HeaderValue::from_str(&origin) else { return next.run(request).await };
    let mut response = if request.method() == Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let headers = preflight.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        preflight
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Ok(v) = HeaderValue::from_str("WWW-Authenticate") {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
    response
}
