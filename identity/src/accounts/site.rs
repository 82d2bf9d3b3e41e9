//! What Foyer's own pages show besides a customer's account and the brands (those are
//! `brand.rs`'s): the service's status and the development mailbox (dev mode only; the
//! adapter checks the mode). Pages read these through use cases, never through the store.

use crate::store::mailbox::MailboxRow;
use crate::{Identity, Result};

/// The same facts as `/readyz`, plus the outbox backlog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceStatus {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    pub ready: bool,
    /// Messages waiting in the outbox (0 when the database is not ready).
    pub outbox_backlog: i64,
}

impl Identity {
    /// Whether the database answers, which engine it is, and the outbox backlog.
    pub async fn service_status(&self) -> Result<ServiceStatus> {
        let ready = self.store.ping().await.is_ok();
        let outbox_backlog = if ready { self.store.outbox_backlog().await? } else { 0 };
        Ok(ServiceStatus { backend: self.store.backend().name(), ready, outbox_backlog })
    }

    /// The latest mail in the development mailbox (the caller shows it only in dev mode).
    pub async fn dev_mailbox(&self, limit: i64) -> Result<Vec<MailboxRow>> {
        self.store.mailbox_recent(limit).await
    }
}
