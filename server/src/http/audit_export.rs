//! `GET /admin/audit/export?actor=…&subject=…&action=…&from=…&to=…`: the audit log's CSV
//! download (`identity::admin::audit`) for support leads and operators. A plain axum
//! route under `/admin`, so the staff session layer (and only it) runs: the body is a
//! file, not a page. `text/csv; charset=utf-8`, an attachment named
//! `foyer-audit-<date>.csv`, never cached. Signed out: to `/admin/login`; another role:
//! 403 with a sentence; a bad filter: 400 naming the fields. A GET, though the export
//! writes its own audit row: the row records a read and changes nothing anyone acts on,
//! and the staff cookie is `SameSite=Strict`, so a link on another site sends none.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::get;
use identity::admin::audit::{AuditQuery, AuditQueryInput};
use tower_sessions::Session;

use super::AppState;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    actor: String,
    subject: String,
    action: String,
    from: String,
    to: String,
}

/// The route; the caller adds the staff session layer.
pub fn routes() -> Router<AppState> {
    Router::new().route(app::admin::audit::EXPORT_PATH, get(download))
}

/// A short answer in words (the page's language for our sentences).
pub(super) fn say(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn download(State(state): State<AppState>, session: Session, headers: HeaderMap, query: Result<Query<ExportQuery>, QueryRejection>) -> Response {
    let identity = &state.context.identity;
    let locale = app::i18n::locale_of(&headers);
    let principal = match app::admin::session::principal_of(&session, identity).await {
        Ok(Some(p)) => p,
        Ok(None) => return Redirect::to("/admin/login").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading the staff member failed");
            return say(StatusCode::INTERNAL_SERVER_ERROR, identity::i18n::message_with(locale, "error-internal", &[]));
        }
    };
    // An unreadable query (say, a field twice) is the client's fault, like a bad field.
    let Ok(Query(q)) = query else { return say(StatusCode::BAD_REQUEST, identity::i18n::message_with(locale, "error-bad-request", &[])) };
    let input = AuditQueryInput { actor: q.actor, subject: q.subject, action: q.action, from: q.from, to: q.to, ..AuditQueryInput::default() };
    let result = match AuditQuery::parse(&input) {
        Ok(query) => identity.export_audit_csv(&principal, &query).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(csv) => {
            let date: String = identity::clock::format_millis(identity.now()).chars().take(10).collect();
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"foyer-audit-{date}.csv\""))
                .unwrap_or(HeaderValue::from_static("attachment; filename=\"foyer-audit.csv\""));
            let mut response = (StatusCode::OK, csv.text).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            headers.insert(header::CONTENT_DISPOSITION, disposition);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert("foyer-export-rows", HeaderValue::from(csv.rows));
            if csv.truncated {
                headers.insert("foyer-export-truncated", HeaderValue::from_static("true"));
            }
            response
        }
        Err(identity::Error::Forbidden) => say(StatusCode::FORBIDDEN, identity::i18n::message_with(locale, "audit-forbidden", &[])),
        // Staff input: the core's English sentences, each naming its field.
        Err(e @ (identity::Error::Fields(_) | identity::Error::Invalid(_))) => say(StatusCode::BAD_REQUEST, e.to_string()),
        Err(identity::Error::Busy { .. }) => say(StatusCode::SERVICE_UNAVAILABLE, identity::i18n::message_with(locale, "error-busy", &[])),
        Err(e) => {
            tracing::error!(error = %e, "the audit export failed");
            say(StatusCode::INTERNAL_SERVER_ERROR, identity::i18n::message_with(locale, "error-internal", &[]))
        }
    }
}
