//! The brand theme served from our own origin, so the page CSP stays `'self'`:
//! `/brands/<slug>/theme.css` (CSS variables from the checked colours only) and
//! `/brands/<slug>/logo` (SVG sandboxed by its own CSP).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use identity::brand::BrandTheme;

use crate::http::AppState;

fn cached(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

pub async fn theme_css(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match state.context.identity.brand(&slug).await {
        Ok(Some(brand)) => {
            let theme = BrandTheme::from_json(brand.theme.as_deref());
            let vars: String = theme.colors().map(|(name, color)| format!("--brand-{name}:{};", color.as_hex())).collect();
            cached(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], format!(":root{{{vars}}}\n")).into_response())
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => super::errors::server_error(&e),
    }
}

pub async fn logo(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match state.context.identity.brand_logo(&slug).await {
        Ok(Some((bytes, media_type))) => {
            let mut response = cached(bytes.into_response());
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&media_type) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"));
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => super::errors::server_error(&e),
    }
}
