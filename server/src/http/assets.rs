//! The browser bundle under `/pkg`: precompressed siblings by content negotiation
//! (`foyer.<hash>.wasm.br`, `.gz`, written by `./dev.sh`), and caching by name: a file
//! whose name carries its content hash never changes, so browsers keep it for a year
//! without asking again; anything else is revalidated on every use.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::ServeDir;

use super::AppState;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// `/pkg/*` from `<site_root>/pkg`.
pub fn routes(site_root: &Path) -> Router<AppState> {
    let files = ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    Router::new().nest_service("/pkg", files).layer(middleware::from_fn(cache_by_name))
}

/// `foyer.<22 base64url characters>.<ext>`: the names `tools/site.mjs` gives (cargo-leptos's).
pub fn is_hashed(file: &str) -> bool {
    let mut parts = file.split('.');
    let (Some(_stem), Some(hash), Some(_ext), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    hash.len() == 22 && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn cache_by_name(request: Request, next: Next) -> Response {
    let file = request.uri().path().rsplit('/').next().unwrap_or_default().to_owned();
    let mut response = next.run(request).await;
    if matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT) {
        let headers = response.headers_mut();
        let policy = if is_hashed(&file) { IMMUTABLE } else { REVALIDATE };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // The same URL has a br, a gzip and a plain body: shared caches must key on this.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed("foyer.DrVpW0bf2D3kdvdyVUBzYw.wasm"));
        assert!(is_hashed("foyer.a-b_cdefghijklmnopqrst.js"));
        assert!(!is_hashed("foyer.wasm"));
        assert!(!is_hashed("foyer.css"));
        assert!(!is_hashed("foyer.short.js"));
        assert!(!is_hashed("foyer.DrVpW0bf2D3kdvdyVUBzYw.wasm.br"));
        assert!(!is_hashed("foyer.DrVpW0bf2D3kd/dyVUBzYw.js"));
    }
}
