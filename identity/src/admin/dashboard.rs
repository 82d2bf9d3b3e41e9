//! The operator dashboard (`docs/design/admin.md` "Operator dashboard"): this node's
//! sign-in figures from its [`History`] and the outbox's backlog and dead letters from
//! the database, for staff operators only (`Action::ViewDashboard`). The same check
//! guards `/admin/metrics` ([`Identity::may_view_metrics`]).

use crate::metrics::{Figures, History, Totals};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Identity, Result};

/// What the dashboard shows at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// This node's figures (the history is per process).
    pub figures: Figures,
    /// Outbox rows not yet delivered and not given up on (the whole database's).
    pub outbox_backlog: i64,
    /// Outbox rows given up on and still held (the whole database's).
    pub dead_letters: i64,
}

impl Identity {
    /// The dashboard as of now: `live` (this node's running totals) is sampled into
    /// `history` first, so the last minute holds what happened a moment ago.
    pub async fn dashboard(&self, principal: &Principal, history: &History, live: Totals) -> Result<Dashboard> {
        authorize(principal, Action::ViewDashboard, Subject::Platform)?;
        let now = self.clock.now();
        history.record(now, live);
        let outbox_backlog = self.store.outbox_backlog().await?;
        let dead_letters = self.store.outbox_dead_letters().await?;
        Ok(Dashboard { figures: history.figures(now), outbox_backlog, dead_letters })
    }

    /// May `principal` read the metrics at `/admin/metrics`? The dashboard's permission:
    /// the same counters, for operators only.
    pub fn may_view_metrics(&self, principal: &Principal) -> Result<()> {
        authorize(principal, Action::ViewDashboard, Subject::Platform)
    }
}
