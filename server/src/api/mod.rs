//! The machine API under `/api/v1`: plain axum, bearer tokens of the
//! `client_credentials` grant ([`auth`]), JSON in and out, errors as RFC 9457 problem
//! details ([`problem::Problem`]). Today the brand back-end API of loyalty programmes
//! ([`loyalty`], `docs/design/loyalty.md`); the admin REST API and SCIM come later.
//!
//! The Leptos server functions live at `/api/<name>` (one exact route each), so the
//! `/api/v1` prefix never meets them. Everything under the prefix answers as the API
//! does: an unknown route is a 404 problem, a wrong method a 405 problem, a body over
//! [`BODY_LIMIT`] a 413 problem (declared or streamed), and every answer carries
//! `Cache-Control: no-store`.

pub mod auth;
pub mod loyalty;
pub mod problem;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use crate::http::AppState;
use problem::Problem;

/// The largest body the API reads.
pub const BODY_LIMIT: usize = 16 * 1024;

/// `/api/v1/…`, for the server's router.
pub fn routes() -> Router<AppState> {
    let v1 = loyalty::routes()
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(refuse_oversized))
        .layer(axum::middleware::map_response(no_store));
    Router::new().nest("/api/v1", v1)
}

async fn not_found() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found.").with_detail("No such API route.").into_response()
}

async fn method_not_allowed() -> Response {
    Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed.")
        .with_detail("This route does not answer this method.")
        .into_response()
}

/// 413 for a body declared larger than [`BODY_LIMIT`], before anything reads it (a
/// streamed one is cut by [`DefaultBodyLimit`] and answered 413 by the extractor).
async fn refuse_oversized(request: Request, next: Next) -> Response {
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| usize::try_from(n).map_or(true, |n| n > BODY_LIMIT)) {
        return Problem::payload_too_large().into_response();
    }
    next.run(request).await
}

async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
