//! The customer's side of ticket-scoped support access (`docs/design/admin.md`
//! "Ticket-scoped access"): the requests and accesses, approve (a recent
//! authentication first), refuse, end. Adapters over `identity::admin::access`.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::When;

/// One request as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportRequestView {
    pub id: String,
    pub agent: String,
    pub ticket: String,
    pub reason: String,
    /// Permission names asked for, and (once approved) given.
    pub requested: Vec<String>,
    pub granted: Vec<String>,
    /// `requested`, `live`, `refused`, `ended`, `expired`, `lapsed`.
    pub state: String,
    pub requested_at: When,
    pub until: When,
}

#[server(endpoint = "support_requests")]
pub async fn support_requests() -> Result<Vec<SupportRequestView>, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let list = ctx.identity.support_accesses(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(list
        .into_iter()
        .map(|a| SupportRequestView {
            id: a.id,
            agent: a.staff_name,
            ticket: a.ticket,
            reason: a.reason,
            requested: a.requested.iter().map(|p| p.name().to_owned()).collect(),
            granted: a.granted.iter().map(|p| p.name().to_owned()).collect(),
            state: a.state.as_str().into(),
            requested_at: crate::i18n::when(a.requested_at),
            until: crate::i18n::when(a.expires_at),
        })
        .collect())
}

/// Approves a request: what support may do (ticked) and for how long (minutes).
#[server(endpoint = "approve_support_access")]
pub async fn approve_support_access(access: String, permissions: Option<HashMap<String, String>>, minutes: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let names: Vec<String> = permissions.unwrap_or_default().into_iter().filter(|(_, v)| crate::api::ticked(Some(v.as_str()))).map(|(k, _)| k).collect();
    let minutes = minutes.trim().parse::<i64>().unwrap_or(0);
    ctx.identity.approve_support_access(&crate::api::customer(&current), &current.customer_id, &access, &names, minutes).await.map_err(auth::fail)
}

#[server(endpoint = "refuse_support_access")]
pub async fn refuse_support_access(access: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.refuse_support_access(&crate::api::customer(&current), &current.customer_id, &access).await.map_err(auth::fail)
}

/// Ends a live access (or withdraws an open request) at once.
#[server(endpoint = "end_support_access")]
pub async fn end_support_access(access: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.end_support_access(&crate::api::customer(&current), &access).await.map_err(auth::fail)
}
