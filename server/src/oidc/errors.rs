//! How the provider answers errors: JSON bodies named as RFC 6749 §5.2 / RFC 6750 §3 name
//! them for back-channel callers, and a plain page for browsers when the client or
//! redirect URI cannot be trusted (never redirected).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1).
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// A JSON OAuth error.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store((status, axum::Json(json!({ "error": error, "error_description": description }))).into_response())
}

/// `invalid_client` (401); with `WWW-Authenticate: Basic` when Basic was tried.
pub fn invalid_client(basic_tried: bool) -> Response {
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed.");
    if basic_tried {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Basic realm="foyer""#));
    }
    response
}

/// The server could not finish (details go to the log, never to the caller).
pub fn server_error(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "oidc endpoint failed");
    oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "The server could not complete the request.")
}

/// Escapes text for HTML (the one escaper mail uses too).
pub use identity::email::escape;

/// The brand a page is themed for: its slug (for `/brands/<slug>/theme.css`) and name.
#[derive(Debug, Clone)]
pub struct Theme {
    pub slug: String,
    pub name: String,
}

/// A small self-contained page (our stylesheet, no script).
pub fn page(status: StatusCode, title: &str, body_html: &str) -> Response {
    themed_page(status, title, body_html, None)
}

/// As [`page`], themed for the brand of the client that started the flow.
pub fn themed_page(status: StatusCode, title: &str, body_html: &str, theme: Option<&Theme>) -> Response {
    let (css, banner) = theme.map_or((String::new(), String::new()), |t| {
        (
            format!("<link rel=\"stylesheet\" href=\"/brands/{}/theme.css\">", escape(&t.slug)),
            format!("<p class=\"brand-banner\"><strong>{}</strong></p>", escape(&t.name)),
        )
    });
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · Foyer</title><link rel=\"stylesheet\" href=\"/pkg/foyer.css\">{css}<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"></head>\
         <body><main id=\"main\" class=\"narrow\">{banner}<h1>{t}</h1>{body_html}</main></body></html>",
        t = escape(title)
    );
    let mut response = no_store((status, Html(html)).into_response());
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    response
}

/// The page for a request we will not redirect back.
pub fn refused_page(message: &str) -> Response {
    refused_page_for(message, None)
}

/// As [`refused_page`], themed when the client (and so the brand) is known.
pub fn refused_page_for(message: &str, theme: Option<&Theme>) -> Response {
    themed_page(
        StatusCode::BAD_REQUEST,
        "We cannot continue this sign-in",
        &format!("<p role=\"alert\">{}</p><p>Please go back to the site you came from and try again. If this keeps happening, contact that site's support.</p>", escape(message)),
        theme,
    )
}

/// An expired or unknown request handle.
pub fn expired_page() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "This sign-in took too long",
        "<p role=\"alert\">The sign-in request has expired or was already used.</p><p>Please go back to the site you came from and start again.</p>",
    )
}
