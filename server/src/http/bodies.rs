//! Request bodies of pages and server functions: small, or refused before anything reads
//! them.
//!
//! Every server-function argument is a short form field (the largest, a WebAuthn
//! response, is a few KiB), so bodies over [`LIMIT`] are refused: with a `Content-Length`
//! at once as 413, a streamed body when reading passes the limit (the server function
//! then answers 400). A body that is not UTF-8, not a form, or lacks an argument is the
//! request's fault too and gets 400 (`app::error`), never 500.

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

/// The largest body a page or server function reads.
pub const LIMIT: usize = 64 * 1024;

/// The limit for body extractors and server functions that read the body themselves.
pub fn limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(LIMIT)
}

/// 413 for a body declared larger than [`LIMIT`], before it is read.
pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| usize::try_from(n).map_or(true, |n| n > LIMIT)) {
        return (StatusCode::PAYLOAD_TOO_LARGE, format!("Payload too large: requests here carry at most {} KiB.", LIMIT / 1024)).into_response();
    }
    next.run(request).await
}
