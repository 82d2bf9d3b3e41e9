//! `GET /account/privacy/export?token=…`: the data export's single-use download
//! (`identity::privacy::export`). Only the signed-in customer the link was made for gets
//! the file, once, within 15 minutes: `application/json`, an attachment named
//! `foyer-export-<date>.json`, never cached. Signed out, the answer is the sign-in
//! page (coming back to "Your data"); a used, expired or foreign link leads to "Your
//! data" saying so. A plain axum route: the body is a file, not a page.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::get;
use tower_sessions::Session;

use super::AppState;

/// Where "Your data" lives (the page that makes the links).
const DATA_PAGE: &str = "/account/privacy/data";

#[derive(Debug, serde::Deserialize)]
pub struct ExportQuery {
    token: Option<String>,
}

/// The route; the caller adds the customer session layer.
pub fn routes() -> Router<AppState> {
    Router::new().route("/account/privacy/export", get(download))
}

pub async fn download(State(state): State<AppState>, session: Session, Query(query): Query<ExportQuery>) -> Response {
    let identity = &state.context.identity;
    let Some(current) = app::auth::current_of(&session, identity).await.ok().flatten() else {
        return Redirect::to(&app::pages::account::sign_in_path(DATA_PAGE)).into_response();
    };
    let principal = current.principal();
    let token = query.token.unwrap_or_default();
    match identity.download_export(&principal, &current.customer_id, &token).await {
        Ok(archive) => {
            let date: String = identity::clock::format_millis(archive.at).chars().take(10).collect();
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"foyer-export-{date}.json\""))
                .unwrap_or(HeaderValue::from_static("attachment; filename=\"foyer-export.json\""));
            let mut response = (StatusCode::OK, archive.json).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert(header::CONTENT_DISPOSITION, disposition);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            response
        }
        Err(identity::Error::TokenInvalid) => Redirect::to(&format!("{DATA_PAGE}?export=expired")).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the data export failed");
            Redirect::to(&format!("{DATA_PAGE}?export=failed")).into_response()
        }
    }
}
