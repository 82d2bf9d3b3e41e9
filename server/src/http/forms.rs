//! Forms that work before the wasm arrives (`docs/design/platform.md` "Forms before the
//! wasm").
//!
//! A page's `ActionForm` posts to its server function whether or not the wasm runs.
//! Without it the browser asks for HTML, and Leptos answers a plain post with a
//! redirect to the `Referer` (with the error as `__err` when it failed). Our pages send
//! no `Referer` (`Referrer-Policy: no-referrer`), so every form carries the page it is
//! on in a hidden `__page` field (`app::components::form::PageField`). This layer:
//! - takes `__page` out of every form body (the server function never sees it) and,
//!   for a plain post, when it is a local path, gives it to Leptos as the `Referer`;
//! - on success, when the function named no next page itself, adds `__ok=<function
//!   path>` to the redirect, so the page can say it worked;
//! - on failure, keeps the fields that are not secrets (no name that says password,
//!   code, token, secret, credential or response) in a one-minute, HttpOnly,
//!   `SameSite=Strict` cookie for that page, so what was typed comes back
//!   (`app::components::form::sticky_value`). Never in the URL: addresses stay out of
//!   history and logs.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::bodies::LIMIT;

/// The hidden field's name (`app::components::form::PAGE_FIELD`).
const PAGE: &str = app::components::form::PAGE_FIELD;

/// What the layer needs of the configuration.
#[derive(Clone, Debug)]
pub struct Forms {
    /// The public origin and base (no trailing slash).
    pub public_url: String,
}

impl Forms {
    pub fn new(public_url: &str) -> Self {
        Self { public_url: public_url.trim_end_matches('/').to_owned() }
    }
}

/// A server function's path (pages' and staff's).
fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/admin/api/")
}

/// A path of ours: one leading `/`, no scheme or host, nothing a browser would bend
/// into another origin (`//`, `/\`, control characters).
fn local_path(page: &str) -> bool {
    page.starts_with('/')
        && !page.starts_with("//")
        && !page.starts_with("/\\")
        && page.len() <= 2048
        && !page.chars().any(|c| c.is_control() || c == '\\')
}

/// Fields never kept for a second try.
fn secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("__") || ["password", "code", "token", "secret", "credential", "response", "otp"].iter().any(|s| name.contains(s))
}

pub async fn plain_forms(State(forms): State<std::sync::Arc<Forms>>, request: Request, next: Next) -> Response {
    let form_body = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if request.method() != Method::POST || !is_server_fn(request.uri().path()) || !form_body {
        return next.run(request).await;
    }
    let plain = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let function = request.uri().path().to_owned();
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, format!("Payload too large: requests here carry at most {} KiB.", LIMIT / 1024)).into_response();
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    let page = pairs.iter().find(|(k, _)| k == PAGE).map(|(_, v)| v.clone()).filter(|p| local_path(p));
    let body = if pairs.iter().any(|(k, _)| k == PAGE) {
        let kept = pairs.iter().filter(|(k, _)| k != PAGE);
        Body::from(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish())
    } else {
        Body::from(bytes)
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let page = page.filter(|_| plain);
    if let Some(page) = &page {
        if let Ok(referer) = HeaderValue::from_str(&format!("{}{page}", forms.public_url)) {
            parts.headers.insert(header::REFERER, referer);
        }
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let Some(page) = page else { return response };
    // A refused call keeps the status of its error (`app::error::respond`, e.g. 400)
    // beside the Location Leptos set: the Location is what counts for a plain post.
    let Some(location) = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return response;
    };
    if location.contains("__err=") {
        if let Some(cookie) = sticky_cookie(&forms, &page, &pairs) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    } else if same_page(location.strip_prefix(&forms.public_url).unwrap_or(&location), &page) {
        let sep = if page.contains('?') { '&' } else { '?' };
        let ok: String = url::form_urlencoded::byte_serialize(function.as_bytes()).collect();
        if let Ok(v) = HeaderValue::from_str(&format!("{page}{sep}__ok={ok}")) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    // A plain post's next page is a GET: 303 says so to every client.
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// Whether a redirect goes back to the page itself (Leptos re-encodes the query and may
/// leave a bare `?`): same path, same decoded parameters.
fn same_page(location: &str, page: &str) -> bool {
    let split = |s: &str| {
        let (path, query) = s.split_once('?').unwrap_or((s, ""));
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        pairs.sort();
        (path.to_owned(), pairs)
    };
    location.starts_with('/') && split(location) == split(page)
}

/// The refused post's non-secret fields, for the page it came from.
fn sticky_cookie(forms: &Forms, page: &str, pairs: &[(String, String)]) -> Option<HeaderValue> {
    let path = page.split('?').next().unwrap_or(page);
    let kept: Vec<&(String, String)> = pairs.iter().filter(|(k, v)| !secret(k) && !v.is_empty() && v.len() <= 320).collect();
    if kept.is_empty() {
        return None;
    }
    let mut value = url::form_urlencoded::Serializer::new(String::new());
    value.append_pair(PAGE, path);
    value.extend_pairs(kept);
    let value = value.finish();
    if value.len() > 3000 {
        return None;
    }
    let https = forms.public_url.starts_with("https://");
    let name = app::components::form::sticky_cookie_name(https);
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict{secure}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_become_the_page() {
        assert!(local_path("/login?return_to=%2Faccount"));
        for bad in ["//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "login", ""] {
            assert!(!local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_page_itself_is_recognised_however_encoded() {
        assert!(same_page("/forgot-password?", "/forgot-password"));
        assert!(same_page("/login?return_to=%2Faccount", "/login?return_to=/account"));
        assert!(!same_page("/account", "/login?return_to=/account"));
        assert!(!same_page("/login/code?sent=1", "/login/code"));
        assert!(!same_page("//evil.example/login", "/login"));
    }

    #[test]
    fn secrets_are_never_kept() {
        for name in ["password", "new_password", "current_password", "code", "recovery_code", "token", "response", "__page", "totp_secret"] {
            assert!(secret(name), "{name}");
        }
        for name in ["email", "given_name", "family_name", "name", "return_to", "accept_terms"] {
            assert!(!secret(name), "{name}");
        }
    }

    #[test]
    fn the_cookie_keeps_what_was_typed_but_no_password() {
        let forms = Forms::new("https://id.example");
        let pairs = vec![("email".to_owned(), "ann@example.com".to_owned()), ("password".to_owned(), "hunter2".to_owned()), ("given_name".to_owned(), "Ann; Path=/x".to_owned())];
        let cookie = sticky_cookie(&forms, "/register?return_to=%2Faccount", &pairs).map(|v| v.to_str().unwrap_or_default().to_owned()).unwrap_or_default();
        assert!(cookie.starts_with("__Host-foyer-form=__page=%2Fregister&email=ann%40example.com&given_name=Ann%3B+Path%3D%2Fx;"), "{cookie}");
        assert!(!cookie.contains("hunter2"));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure") && cookie.contains("Max-Age=60"));
    }
}
