//! How the provider answers errors: one builder, [`OAuthError`], for every error a
//! client or a back end gets, and plain pages for browsers when the client or redirect
//! URI cannot be trusted (never redirected). `docs/design/platform.md` "Where errors
//! become responses".
//!
//! | where                                 | shape                                         | spec |
//! |---------------------------------------|-----------------------------------------------|------|
//! | token, introspection, revocation      | JSON `{error, error_description}`, status, `Cache-Control: no-store`; 401 `invalid_client` with `WWW-Authenticate: Basic` when Basic was tried; 429 with `Retry-After` | RFC 6749 §5.2, RFC 7009 §2.2.1 |
//! | UserInfo                              | `WWW-Authenticate: Bearer realm="foyer"[, error, error_description]`, status, no body | RFC 6750 §3 |
//! | authorize, once client and redirect URI are trusted | `error`, `error_description`, `state`, `iss` sent to the redirect URI (303 or form post, `authorize::respond`) | RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6, RFC 9207 |
//! | authorize, logout, when they are not  | our page, 400 ([`refused_page`], [`expired_page`]) | RFC 9700 §4.1 |
//!
//! Descriptions are fixed sentences or the core's safe text; `server_error` logs its
//! cause and tells the caller nothing more.

use std::borrow::Cow;

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

/// How the error names itself to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A JSON body (RFC 6749 §5.2).
    Json,
    /// A JSON body and `WWW-Authenticate: Basic` (the client tried Basic, RFC 6749 §5.2).
    JsonBasic,
    /// `WWW-Authenticate: Bearer` carrying the error, no body (RFC 6750 §3).
    Bearer,
}

/// One OAuth 2.0 / OpenID Connect error: its code, a description safe to send, the status
/// and how it is carried. Answers with `into_response` (JSON or Bearer challenge), or
/// goes to the client's redirect URI through [`code`](Self::code) and
/// [`description`](Self::description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    status: StatusCode,
    /// Empty only for a Bearer challenge without an error (no token was sent).
    code: &'static str,
    description: Cow<'static, str>,
    form: Form,
    retry_after: Option<u64>,
}

impl OAuthError {
    fn json(status: StatusCode, code: &'static str, description: impl Into<Cow<'static, str>>) -> Self {
        Self { status, code, description: description.into(), form: Form::Json, retry_after: None }
    }

    /// `invalid_request` (400): a parameter missing, repeated or malformed.
    pub fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::json(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// `invalid_client` (401); with `WWW-Authenticate: Basic` when Basic was tried.
    pub fn invalid_client(basic_tried: bool) -> Self {
        let mut e = Self::json(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed.");
        if basic_tried {
            e.form = Form::JsonBasic;
        }
        e
    }

    /// `unauthorized_client` (400): the client may not use this grant.
    pub fn unauthorized_client(description: impl Into<Cow<'static, str>>) -> Self {
        Self::json(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }

    /// `unsupported_grant_type` (400).
    pub fn unsupported_grant_type(description: impl Into<Cow<'static, str>>) -> Self {
        Self::json(StatusCode::BAD_REQUEST, "unsupported_grant_type", description)
    }

    /// A refusal the token rules named (`invalid_grant`, `invalid_scope`, …; 400), or
    /// `server_error` when the rules could not finish.
    pub fn from_token_error(e: &identity::oidc::tokens::TokenError) -> Self {
        if let identity::oidc::tokens::TokenError::Other(inner) = e {
            return Self::server_error(inner);
        }
        let (code, description) = e.code_and_description();
        Self::json(StatusCode::BAD_REQUEST, code, description.to_owned())
    }

    /// The server could not finish: details go to the log, never to the caller. A
    /// database out of reach or too busy ([`identity::Error::Busy`]) is 503
    /// `temporarily_unavailable` with `Retry-After` (the client retries; nothing was
    /// issued or accepted), anything else 500 `server_error`.
    pub fn server_error(e: &identity::Error) -> Self {
        if let identity::Error::Busy { retry_after_secs } = e {
            tracing::warn!("oidc endpoint: the database is busy or out of reach");
            let mut busy = Self::json(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "The server is busy; try again shortly.");
            busy.retry_after = Some(u64::try_from(*retry_after_secs).unwrap_or(1).max(1));
            return busy;
        }
        tracing::error!(error = %e, "oidc endpoint failed");
        Self::json(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "The server could not complete the request.")
    }

    /// 429 with `Retry-After` (at least one second); the code stays `invalid_request`,
    /// RFC 6749 having none for rate limits.
    pub fn too_many(description: impl Into<Cow<'static, str>>, wait_secs: u64) -> Self {
        let mut e = Self::json(StatusCode::TOO_MANY_REQUESTS, "invalid_request", description);
        e.retry_after = Some(wait_secs.max(1));
        e
    }

    fn bearer(status: StatusCode, code: &'static str, description: &'static str) -> Self {
        Self { status, code, description: Cow::Borrowed(description), form: Form::Bearer, retry_after: None }
    }

    /// A protected resource called without a token (401, RFC 6750 §3.1: no error code).
    pub fn bearer_required() -> Self {
        Self::bearer(StatusCode::UNAUTHORIZED, "", "")
    }

    /// `invalid_token` (401, RFC 6750 §3.1).
    pub fn invalid_token(description: &'static str) -> Self {
        Self::bearer(StatusCode::UNAUTHORIZED, "invalid_token", description)
    }

    /// `insufficient_scope` (403, RFC 6750 §3.1).
    pub fn insufficient_scope(description: &'static str) -> Self {
        Self::bearer(StatusCode::FORBIDDEN, "insufficient_scope", description)
    }

    /// `invalid_request` at a protected resource (400, RFC 6750 §3.1).
    pub fn bearer_invalid_request(description: &'static str) -> Self {
        Self::bearer(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// An authorization error for the client's redirect URI (RFC 6749 §4.1.2.1, OIDC
    /// Core §3.1.2.6): `access_denied`, `login_required`, `consent_required`, … or a code
    /// the core's request check named.
    pub fn redirect(code: &'static str, description: impl Into<Cow<'static, str>>) -> Self {
        Self::json(StatusCode::SEE_OTHER, code, description)
    }

    /// `access_denied`: the customer did not allow it.
    pub fn access_denied() -> Self {
        Self::redirect("access_denied", "The customer did not allow access.")
    }

    /// `login_required` (`prompt=none` without a sign-in).
    pub fn login_required() -> Self {
        Self::redirect("login_required", "The customer is not signed in.")
    }

    /// `interaction_required` (`prompt=none` and a step only the customer can take).
    pub fn interaction_required(description: &'static str) -> Self {
        Self::redirect("interaction_required", description)
    }

    /// `consent_required` (`prompt=none` and the brand is not approved).
    pub fn consent_required() -> Self {
        Self::redirect("consent_required", "The customer has not approved this brand.")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The RFC 6749 `error` code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The `error_description`.
    pub fn description(&self) -> &str {
        &self.description
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response = match self.form {
            Form::Json | Form::JsonBasic => (self.status, axum::Json(json!({ "error": self.code, "error_description": self.description }))).into_response(),
            Form::Bearer => self.status.into_response(),
        };
        let headers = response.headers_mut();
        let challenge = match self.form {
            Form::Json => None,
            Form::JsonBasic => Some(r#"Basic realm="foyer""#.to_owned()),
            // The codes and descriptions are our own constants: no quote or backslash.
            Form::Bearer if self.code.is_empty() => Some(r#"Bearer realm="foyer""#.to_owned()),
            Form::Bearer => Some(format!(r#"Bearer realm="foyer", error="{}", error_description="{}""#, self.code, self.description)),
        };
        if let Some(v) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, v);
        }
        if let Some(v) = self.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            headers.insert(header::RETRY_AFTER, v);
        }
        no_store(response)
    }
}

/// So handlers that answer `Result<Response, Response>` can `?` an [`OAuthError`].
impl From<OAuthError> for Response {
    fn from(e: OAuthError) -> Self {
        e.into_response()
    }
}

/// `invalid_client` (401); with `WWW-Authenticate: Basic` when Basic was tried.
pub fn invalid_client(basic_tried: bool) -> Response {
    OAuthError::invalid_client(basic_tried).into_response()
}

/// The server could not finish (details go to the log, never to the caller).
pub fn server_error(e: &identity::Error) -> Response {
    OAuthError::server_error(e).into_response()
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

#[cfg(test)]
#[expect(clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 4096).await.expect("a small body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    fn header_of<'a>(response: &'a Response, name: header::HeaderName) -> Option<&'a str> {
        response.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[tokio::test]
    async fn json_errors_carry_code_description_and_no_store() {
        let response = OAuthError::invalid_request("code is required.").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(header_of(&response, header::CACHE_CONTROL), Some("no-store"));
        assert_eq!(header_of(&response, header::PRAGMA), Some("no-cache"));
        assert_eq!(header_of(&response, header::WWW_AUTHENTICATE), None);
        assert_eq!(body_json(response).await, json!({ "error": "invalid_request", "error_description": "code is required." }));
    }

    #[tokio::test]
    async fn invalid_client_challenges_basic_only_when_basic_was_tried() {
        let tried = OAuthError::invalid_client(true).into_response();
        assert_eq!(tried.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header_of(&tried, header::WWW_AUTHENTICATE), Some(r#"Basic realm="foyer""#));
        assert_eq!(body_json(tried).await["error"], "invalid_client");
        let form = OAuthError::invalid_client(false).into_response();
        assert_eq!(header_of(&form, header::WWW_AUTHENTICATE), None);
    }

    #[tokio::test]
    async fn too_many_says_when_to_retry() {
        let response = OAuthError::too_many("Too many requests; slow down.", 0).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header_of(&response, header::RETRY_AFTER), Some("1"), "never zero");
        assert_eq!(body_json(response).await["error"], "invalid_request");
    }

    #[test]
    fn bearer_errors_go_in_the_challenge() {
        let none = OAuthError::bearer_required().into_response();
        assert_eq!((none.status(), header_of(&none, header::WWW_AUTHENTICATE)), (StatusCode::UNAUTHORIZED, Some(r#"Bearer realm="foyer""#)));
        let bad = OAuthError::invalid_token("The access token is invalid, expired or revoked").into_response();
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            header_of(&bad, header::WWW_AUTHENTICATE),
            Some(r#"Bearer realm="foyer", error="invalid_token", error_description="The access token is invalid, expired or revoked""#)
        );
        assert_eq!(header_of(&bad, header::CACHE_CONTROL), Some("no-store"));
        let scope = OAuthError::insufficient_scope("The token does not carry the openid scope").into_response();
        assert_eq!(scope.status(), StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn server_errors_say_nothing_of_the_cause() {
        let response = OAuthError::server_error(&identity::Error::Internal("pool timed out for customer 42".into())).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_json(response).await;
        assert_eq!(body["error"], "server_error");
        assert!(!body.to_string().contains("42"), "{body}");
    }

    /// A database out of reach (the fault tests stop PostgreSQL) fails closed with 503
    /// and a retry, never 500.
    #[tokio::test]
    async fn a_busy_database_is_503_temporarily_unavailable() {
        let response = OAuthError::server_error(&identity::Error::Busy { retry_after_secs: 2 }).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(header_of(&response, header::RETRY_AFTER), Some("2"));
        assert_eq!(header_of(&response, header::CACHE_CONTROL), Some("no-store"));
        assert_eq!(body_json(response).await["error"], "temporarily_unavailable");
    }

    #[test]
    fn authorize_errors_name_the_codes_of_oidc_core() {
        assert_eq!(OAuthError::access_denied().code(), "access_denied");
        assert_eq!(OAuthError::login_required().code(), "login_required");
        assert_eq!(OAuthError::consent_required().code(), "consent_required");
        assert_eq!(OAuthError::interaction_required("x").code(), "interaction_required");
        let core = OAuthError::redirect("invalid_scope", String::from("Unknown scope."));
        assert_eq!((core.code(), core.description()), ("invalid_scope", "Unknown scope."));
    }
}
