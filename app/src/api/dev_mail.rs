//! The development mailbox (dev mode only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DevMail {
    pub id: i64,
    pub received_at: String,
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// `None` when Foyer is not in dev mode: the page then answers 404.
#[server(endpoint = "dev_mailbox")]
pub async fn dev_mailbox() -> Result<Option<Vec<DevMail>>, crate::error::AppError> {
    let ctx = crate::context::server_context()?;
    if !ctx.dev_mode {
        return Ok(None);
    }
    let rows = ctx.identity.store().mailbox_recent(50).await.map_err(crate::auth::fail)?;
    Ok(Some(
        rows.into_iter()
            .map(|m| DevMail {
                id: m.id,
                received_at: identity::clock::format_millis(m.received_at),
                to: m.to_addr,
                subject: m.subject,
                text: m.text_body,
            })
            .collect(),
    ))
}
