//! RFC 9457 problem details (`application/problem+json`): how the machine APIs answer
//! errors: the brand back-end API under `/api/v1` first (`docs/design/loyalty.md`), the
//! admin REST API later. `docs/design/platform.md` "Where errors become responses".
//!
//! The status policy is the pages' (`app::error`), so a core error means the same thing
//! on every boundary:
//!
//! | core error (`identity::Error`)           | `type` (`urn:foyer:problem:…`) | status |
//! |------------------------------------------|--------------------------------|--------|
//! | `Invalid`, `Fields`                      | `invalid-input`, with `errors: [{field, detail}]` | 400 |
//! | `TokenInvalid`                           | `token-invalid`                | 400    |
//! | `LoginFailed`                            | `login-failed`                 | 400    |
//! | `Refused`                                | `refused`                      | 400    |
//! | (no or unknown credentials)              | `unauthenticated`              | 401    |
//! | `ReauthRequired`                         | `reauth-required`              | 403    |
//! | `SecondFactorRequired`                   | `second-factor-required`       | 403    |
//! | `Forbidden` (the principal may not do this) | `forbidden`                 | 403    |
//! | `NotFound`                               | `not-found`                    | 404    |
//! | `Conflict`                               | `conflict`                     | 409    |
//! | `Throttled`                              | `throttled`, with `retry_after` and `Retry-After` | 429 |
//! | `Busy`                                   | `busy`, with `retry_after` and `Retry-After` | 503 |
//! | `Store`, `Migrate`, `Crypto`, `Internal`, any new one | `internal`        | 500, cause logged, generic `detail` |
//! | (a body, query or path axum cannot read) | `bad-request`                  | 400    |
//! | (a body over the limit)                  | `payload-too-large`            | 413    |
//! | (a body that is not `application/json`)  | `unsupported-media-type`       | 415    |
//! | (no such route / method)                 | `not-found` / `method-not-allowed` | 404 / 405 |
//!
//! `title` is fixed per type; `detail` is the core's safe sentence (never the text of an
//! internal failure); `instance` is the request's path when the handler sets it
//! ([`Problem::at`]). Every answer is `Cache-Control: no-store`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use identity::Error;
use serde::Serialize;

/// The media type of a problem document (RFC 9457 §3).
pub const CONTENT_TYPE: &str = "application/problem+json";

/// One field the request got wrong (extension member `errors`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub detail: String,
}

/// A problem details document (RFC 9457 §3.1) with Foyer's extension members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:foyer:problem:<slug>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary that does not change between occurrences of the type.
    pub title: &'static str,
    pub status: u16,
    /// What went wrong this time, in text safe to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path the problem is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Extension: the fields refused, each with its sentence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Extension: seconds to wait (also sent as `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
}

impl Problem {
    /// A problem of type `slug` (`urn:foyer:problem:<slug>`).
    pub fn new(status: StatusCode, slug: &str, title: &'static str) -> Self {
        Self {
            kind: format!("urn:foyer:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail: None,
            instance: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Names the request path the problem is about.
    pub fn at(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }

    /// A request the API cannot read (body, parameter, content type): 400.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", "The request could not be read.").with_detail(detail)
    }

    /// No credentials, or credentials we do not accept: 401.
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication is required.")
    }

    /// The caller is known but may not do this: 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "This action is not allowed.").with_detail(detail)
    }

    /// A failure on our side: 500, with a generic detail.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error.").with_detail("The server could not complete the request.")
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        let field = |p: &identity::domain::ParseError| FieldProblem { field: p.field().to_owned(), detail: p.to_string() };
        match e {
            Error::Invalid(p) => {
                Self::new(StatusCode::BAD_REQUEST, "invalid-input", "The request has invalid fields.").with_detail(p.to_string()).fields(vec![field(&p)])
            }
            Error::Fields(list) => {
                let detail = list.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
                Self::new(StatusCode::BAD_REQUEST, "invalid-input", "The request has invalid fields.").with_detail(detail).fields(list.iter().map(field).collect())
            }
            Error::TokenInvalid => Self::new(StatusCode::BAD_REQUEST, "token-invalid", "The link or code is not valid.").with_detail(e.to_string()),
            Error::LoginFailed => Self::new(StatusCode::BAD_REQUEST, "login-failed", "Sign-in refused.").with_detail(e.to_string()),
            Error::Refused(reason) => Self::new(StatusCode::BAD_REQUEST, "refused", "The action cannot be done.").with_detail(reason.to_string()),
            Error::ReauthRequired => Self::new(StatusCode::FORBIDDEN, "reauth-required", "A recent authentication is required.").with_detail(e.to_string()),
            Error::SecondFactorRequired => {
                Self::new(StatusCode::FORBIDDEN, "second-factor-required", "A second factor is required.").with_detail(e.to_string())
            }
            Error::Forbidden => Self::forbidden(e.to_string()),
            Error::NotFound(_) => Self::new(StatusCode::NOT_FOUND, "not-found", "Not found.").with_detail(e.to_string()),
            Error::Conflict(_) => Self::new(StatusCode::CONFLICT, "conflict", "Conflict with the current state.").with_detail(e.to_string()),
            Error::Throttled { retry_after_secs } => {
                let mut p = Self::new(StatusCode::TOO_MANY_REQUESTS, "throttled", "Too many requests.").with_detail(e.to_string());
                p.retry_after = Some(retry_after_secs.max(1));
                p
            }
            Error::Busy { retry_after_secs } => {
                let mut p = Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "The server is busy.").with_detail("Try again shortly.");
                p.retry_after = Some(retry_after_secs.max(1));
                p
            }
            // The core's text for these is for the log (ids, never personal data).
            other => {
                tracing::error!(error = %other, "api request failed");
                Self::internal()
            }
        }
    }
}

/// What axum could not read (body, query, path) is the caller's fault: 415 for a body
/// that is not `application/json`, 413 for one over the limit, 400 for anything else
/// undecodable (malformed JSON, unknown or mistyped fields, a bad query or path). The
/// detail is axum's sentence without the echoed input.
macro_rules! rejection {
    ($($rejection:ty),*) => {$(
        impl From<$rejection> for Problem {
            fn from(r: $rejection) -> Self {
                Self::unreadable(r.status(), &r.body_text())
            }
        }
    )*};
}
rejection!(axum::extract::rejection::JsonRejection, axum::extract::rejection::QueryRejection, axum::extract::rejection::PathRejection);

impl Problem {
    fn unreadable(status: StatusCode, text: &str) -> Self {
        // "Failed to deserialize the JSON body into the target type: unknown field `x`, expected … at line 1 column 9"
        let reason = text.split(" at line ").next().unwrap_or(text);
        match status {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(status, "unsupported-media-type", "The body must be JSON.")
                .with_detail("Send the body as application/json."),
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            _ => Self::bad_request(reason.chars().take(300).collect::<String>()),
        }
    }

    /// A body over the API's limit: 413.
    pub fn payload_too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "The body is too large.")
            .with_detail(format!("Bodies here carry at most {} KiB.", super::BODY_LIMIT / 1024))
    }

    fn fields(mut self, errors: Vec<FieldProblem>) -> Self {
        self.errors = errors;
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = self.retry_after;
        let body = match serde_json::to_vec(&self) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "problem document did not serialise");
                br#"{"type":"urn:foyer:problem:internal","title":"Internal error.","status":500}"#.to_vec()
            }
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            headers.insert(header::RETRY_AFTER, v);
        }
        response
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use identity::domain::ParseError;
    use serde_json::{Value, json};

    use super::*;

    async fn answer(problem: Problem) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = problem.into_response();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024).await.expect("a small body");
        (parts.status, parts.headers, serde_json::from_slice(&bytes).expect("JSON"))
    }

    #[test]
    fn each_core_error_gets_the_pages_status() {
        let cases: Vec<(Error, u16, &str)> = vec![
            (Error::Invalid(ParseError::Missing { field: "email" }), 400, "invalid-input"),
            (Error::TokenInvalid, 400, "token-invalid"),
            (Error::LoginFailed, 400, "login-failed"),
            (Error::Refused(identity::Refusal::LastPasskey), 400, "refused"),
            (Error::ReauthRequired, 403, "reauth-required"),
            (Error::SecondFactorRequired, 403, "second-factor-required"),
            (Error::Forbidden, 403, "forbidden"),
            (Error::NotFound("Client"), 404, "not-found"),
            (Error::Conflict("a brand with this slug"), 409, "conflict"),
            (Error::Throttled { retry_after_secs: 5 }, 429, "throttled"),
            (Error::Busy { retry_after_secs: 3 }, 503, "busy"),
            (Error::Internal("customer 42 broke".into()), 500, "internal"),
            (Error::Crypto("bad key"), 500, "internal"),
        ];
        for (core, status, slug) in cases {
            let shown = core.to_string();
            let p = Problem::from(core);
            assert_eq!((p.status, p.kind.as_str()), (status, format!("urn:foyer:problem:{slug}").as_str()), "{shown}");
        }
    }

    #[tokio::test]
    async fn a_not_found_document_has_the_rfc_9457_members() {
        let (status, headers, body) = answer(Problem::from(Error::NotFound("Client")).at("/admin/api/clients/7")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/problem+json"));
        assert_eq!(headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"));
        assert_eq!(
            body,
            json!({
                "type": "urn:foyer:problem:not-found",
                "title": "Not found.",
                "status": 404,
                "detail": "Client was not found",
                "instance": "/admin/api/clients/7",
            })
        );
    }

    #[tokio::test]
    async fn field_errors_are_listed_by_field() {
        let list = vec![ParseError::Missing { field: "email" }, ParseError::TooLong { field: "name", max: 100 }];
        let (status, _, body) = answer(Error::Fields(list).into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["errors"],
            json!([{ "field": "email", "detail": "email is required" }, { "field": "name", "detail": "name is too long (at most 100 characters)" }])
        );
    }

    #[tokio::test]
    async fn throttled_says_when_to_retry_in_body_and_header() {
        let (status, headers, body) = answer(Error::Throttled { retry_after_secs: 12 }.into()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("12"));
        assert_eq!(body["retry_after"], 12);
    }

    #[tokio::test]
    async fn busy_says_when_to_retry_in_body_and_header() {
        let (status, headers, body) = answer(Error::Busy { retry_after_secs: 7 }.into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("7"));
        assert_eq!(body["retry_after"], 7);
    }

    #[tokio::test]
    async fn internal_failures_hide_their_cause() {
        let (status, _, body) = answer(Error::Internal("customer 42 row is broken".into()).into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("42"), "{body}");
        assert_eq!(body["detail"], "The server could not complete the request.");
        assert_eq!(body.get("errors"), None, "empty extensions are left out");
    }
}
