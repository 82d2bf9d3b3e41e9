//! Service status (for staff, on `/admin`) and the brand list shown on the home page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StatusReport {
    pub backend: String,
    pub ready: bool,
    pub outbox_backlog: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BrandSummary {
    pub slug: String,
    pub name: String,
}

/// The same facts as `/readyz` plus the outbox backlog, for the operator view's status
/// widget: staff only (under `/admin`, where the staff session is honoured).
#[server(prefix = "/admin/api", endpoint = "service_status")]
pub async fn service_status() -> Result<StatusReport, crate::error::AppError> {
    if crate::admin::session::current().await?.is_none() {
        return Err(crate::error::respond(crate::error::AppError::SignInRequired));
    }
    let ctx = crate::context::server_context()?;
    let status = ctx.identity.service_status().await.map_err(crate::auth::fail)?;
    Ok(StatusReport { backend: status.backend.to_owned(), ready: status.ready, outbox_backlog: status.outbox_backlog })
}

#[server(endpoint = "list_brands")]
pub async fn list_brands() -> Result<Vec<BrandSummary>, crate::error::AppError> {
    let ctx = crate::context::server_context()?;
    let brands = ctx.identity.list_brands().await.map_err(crate::auth::fail)?;
    Ok(brands.into_iter().map(|b| BrandSummary { slug: b.slug, name: b.name }).collect())
}
