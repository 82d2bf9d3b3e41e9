//! Cross-site request refusal for pages and server functions (ASVS 3.5.3).
//!
//! Every state-changing method (anything but GET, HEAD, OPTIONS) must come from our own
//! origin: a browser's `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by the
//! person), and an `Origin` header, when sent, must be our public origin — or `null`
//! when the browser says `same-origin`: our `Referrer-Policy: no-referrer` makes
//! browsers send `Origin: null` on a plain (script-less) form POST. Requests with
//! neither header are not from a browser and so cannot carry a victim's cookies by
//! surprise; they pass. A refusal is a 403 with a plain explanation.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

/// The origins we accept (the public URL's origin).
#[derive(Clone, Debug)]
pub struct Origins {
    public: String,
}

impl Origins {
    pub fn new(public_url: &str) -> Self {
        let public = url::Url::parse(public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| public_url.trim_end_matches('/').to_owned());
        Self { public }
    }

    /// The reason to refuse, if any.
    pub fn check(&self, method: &Method, sec_fetch_site: Option<&str>, origin: Option<&str>) -> Option<&'static str> {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return None;
        }
        if let Some(site) = sec_fetch_site {
            if site != "same-origin" && site != "none" {
                return Some("cross-site request refused");
            }
        }
        match origin {
            Some("null") if sec_fetch_site == Some("same-origin") => None,
            Some(o) if o != self.public => Some("request from another origin refused"),
            _ => None,
        }
    }
}

pub async fn refuse_cross_site(State(origins): State<Origins>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let Some(reason) = origins.check(request.method(), site, origin) {
        tracing::info!(reason, "refused a cross-site request");
        return (StatusCode::FORBIDDEN, format!("Forbidden: {reason}. Use Foyer from its own pages.")).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_may_change_state() {
        let o = Origins::new("https://id.example.com/");
        assert_eq!(o.check(&Method::GET, Some("cross-site"), Some("https://evil.example")), None);
        assert_eq!(o.check(&Method::POST, Some("same-origin"), Some("https://id.example.com")), None);
        assert_eq!(o.check(&Method::POST, None, None), None, "not a browser");
        assert!(o.check(&Method::POST, Some("cross-site"), None).is_some());
        assert!(o.check(&Method::POST, Some("same-site"), Some("https://shop.example.com")).is_some());
        assert!(o.check(&Method::POST, None, Some("https://evil.example")).is_some());
        assert!(o.check(&Method::DELETE, None, Some("null")).is_some());
        assert_eq!(o.check(&Method::POST, Some("same-origin"), Some("null")), None, "a form POST under no-referrer");
        assert!(o.check(&Method::POST, Some("cross-site"), Some("null")).is_some());
    }
}
