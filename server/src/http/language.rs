//! `GET /language/<tag>?return_to=<page>`: the language switcher's links. Remembers the
//! choice in the `foyer-lang` cookie (`__Host-foyer-lang` on https: Path=/, one year,
//! SameSite=Lax, HttpOnly, Secure) that `app::i18n::request_locale` reads, and sends
//! the browser back to the page, a local path only (`app::api::return_to`), else home.
//! A plain link, so switching works before the wasm; choosing a language changes
//! nothing but how pages read, so a GET is fine.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use identity::i18n::Locale;
use serde::Deserialize;

/// How long the choice is kept: one year.
const MAX_AGE_SECS: u64 = 365 * 24 * 60 * 60;

#[derive(Debug)]
struct Language {
    public_url: String,
    secure: bool,
}

#[derive(Debug, Deserialize)]
struct Back {
    return_to: Option<String>,
}

/// The route, for any router state.
pub fn routes<S: Clone + Send + Sync + 'static>(public_url: &str) -> Router<S> {
    let state = Arc::new(Language { public_url: public_url.to_owned(), secure: public_url.starts_with("https://") });
    Router::new().route("/language/{tag}", get(switch)).with_state(state)
}

/// Where to go back to: `return_to` when it is one of our pages, else the home page.
pub fn back_to(return_to: Option<&str>, public_url: &str) -> String {
    match return_to {
        Some(path) if app::api::return_to::safe_return_to(Some(path), public_url) == path => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The `Set-Cookie` value that remembers `locale`.
pub fn cookie(locale: Locale, secure: bool) -> String {
    let (name, secure) = if secure { ("__Host-foyer-lang", "; Secure") } else { ("foyer-lang", "") };
    format!("{name}={}; Path=/; Max-Age={MAX_AGE_SECS}; SameSite=Lax; HttpOnly{secure}", locale.tag())
}

async fn switch(State(lang): State<Arc<Language>>, Path(tag): Path<String>, Query(back): Query<Back>) -> Response {
    // Only the exact tags we ship: `/language/de-AT` is not a page.
    let Some(locale) = Locale::ALL.into_iter().find(|l| l.tag() == tag) else { return StatusCode::NOT_FOUND.into_response() };
    let target = back_to(back.return_to.as_deref(), &lang.public_url);
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(&target), HeaderValue::from_str(&cookie(locale, lang.secure))) {
        headers.insert(header::LOCATION, location);
        headers.insert(header::SET_COOKIE, cookie);
    } else {
        headers.insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://id.example.com";

    #[test]
    fn goes_back_to_our_own_pages_only() {
        assert_eq!(back_to(Some("/login?return_to=%2Foauth2%2Fcontinue%3Fr%3Dabc"), PUBLIC), "/login?return_to=%2Foauth2%2Fcontinue%3Fr%3Dabc");
        assert_eq!(back_to(Some("/account"), PUBLIC), "/account");
        for bad in ["//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example", "/%2F/evil.example", "evil", ""] {
            assert_eq!(back_to(Some(bad), PUBLIC), "/", "{bad:?}");
        }
        assert_eq!(back_to(None, PUBLIC), "/");
    }

    #[test]
    fn the_cookie_is_host_only_and_secure_on_https() {
        assert_eq!(cookie(Locale::De, true), "__Host-foyer-lang=de; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly; Secure");
        assert_eq!(cookie(Locale::En, false), "foyer-lang=en; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
    }
}
