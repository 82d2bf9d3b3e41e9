//! The browser bundle under `/pkg`: precompressed siblings by content negotiation
//! (`foyer.<hash>.wasm.br`, `.gz`, written by `./dev.sh`), and caching by name: a file
//! whose name carries its content hash never changes, so browsers keep it for a year
//! without asking again; anything else is revalidated on every use.
//!
//! Also the pages' messages for the browser, `/i18n/<tag>.<hash>.json`
//! (`app::i18n::messages_file`): made from the translations compiled into this binary,
//! so they are hashed and compressed (brotli, gzip) once per process, not at build
//! time, and always match the server that renders the pages. They are not inline in the
//! HTML: a page reflects its query (`?email=`), so it is never compressed (BREACH), and
//! the messages were 31 of its 35 KiB.

use std::io::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use identity::i18n::Locale;
use tower_http::services::ServeDir;

use super::AppState;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// `/pkg/*` from `<site_root>/pkg`, and `/i18n/*` from memory.
pub fn routes(site_root: &Path) -> Router<AppState> {
    // Compressed now rather than on the first page view (once per process).
    LazyLock::force(&MESSAGES);
    let files = ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(middleware::from_fn(cache_by_name))
        .route(&format!("{}{{file}}", app::i18n::MESSAGES_PREFIX), get(messages))
}

/// One locale's browser messages in each encoding a browser may ask for.
struct Encoded {
    locale: Locale,
    name: String,
    plain: &'static str,
    br: Bytes,
    gzip: Bytes,
}

static MESSAGES: LazyLock<Vec<Encoded>> = LazyLock::new(|| {
    Locale::ALL
        .into_iter()
        .map(|locale| {
            let file = app::i18n::messages_file(locale);
            let bytes = file.json.as_bytes();
            Encoded { locale, name: file.name.clone(), plain: file.json, br: brotli_of(bytes).into(), gzip: gzip_of(bytes).into() }
        })
        .collect()
});

/// Brotli at its best quality (a few tens of kilobytes, once per process).
fn brotli_of(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, size_hint: data.len(), ..Default::default() };
    match brotli::BrotliCompress(&mut &data[..], &mut out, &params) {
        Ok(_) => out,
        // Compressing into memory does not fail; if it did, no brotli body is offered.
        Err(_) => Vec::new(),
    }
}

fn gzip_of(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    match encoder.write_all(data).and_then(|()| encoder.finish()) {
        Ok(out) => out,
        Err(_) => Vec::new(),
    }
}

/// How a response body may be encoded for a request's `Accept-Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The smallest encoding the request accepts: brotli, then gzip, else none. A coding
/// with `q=0` is refused; `*` stands for any coding not named.
fn negotiate(accept_encoding: Option<&str>) -> Encoding {
    let mut br = None;
    let mut gzip = None;
    let mut any = None;
    for item in accept_encoding.unwrap_or_default().split(',').take(16) {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let accepted = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .map(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0))
            .next_back()
            .unwrap_or(true);
        match coding.as_str() {
            "br" => br = Some(accepted),
            "gzip" | "x-gzip" => gzip = Some(accepted),
            "*" => any = Some(accepted),
            _ => {}
        }
    }
    if br.or(any) == Some(true) {
        Encoding::Brotli
    } else if gzip.or(any) == Some(true) {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `GET /i18n/<tag>.<hash>.json`. A hash that is not the current one (a page rendered
/// by an older build, during a rolling update) still gets this build's messages for
/// that language, but not cached: they may differ from what the name promised.
async fn messages(UrlPath(file): UrlPath<String>, headers: HeaderMap) -> Response {
    let tag = file.split('.').next().unwrap_or_default();
    let Some(messages) = MESSAGES.iter().find(|m| m.locale.tag() == tag) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let current = file == messages.name;
    let accepted = negotiate(headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()));
    let (body, encoding) = match accepted {
        Encoding::Brotli if !messages.br.is_empty() => (Body::from(messages.br.clone()), Some("br")),
        Encoding::Brotli | Encoding::Gzip if !messages.gzip.is_empty() => (Body::from(messages.gzip.clone()), Some("gzip")),
        _ => (Body::from(messages.plain), None),
    };
    let mut response = Response::new(body);
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(if current { IMMUTABLE } else { REVALIDATE }));
    response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
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
    use super::{Encoding, is_hashed, negotiate};

    #[test]
    fn the_smallest_accepted_encoding_is_chosen() {
        assert_eq!(negotiate(Some("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(negotiate(Some("gzip, deflate")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0")), Encoding::Identity);
        assert_eq!(negotiate(Some("*")), Encoding::Brotli);
        assert_eq!(negotiate(Some("*;q=0, identity")), Encoding::Identity);
        assert_eq!(negotiate(Some("identity")), Encoding::Identity);
        assert_eq!(negotiate(Some("BR")), Encoding::Brotli);
        assert_eq!(negotiate(None), Encoding::Identity);
        assert_eq!(negotiate(Some(";;;,,q=")), Encoding::Identity);
    }

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
