//! Reading the audit log back with its actors: what was done to one subject, and by
//! whom. The customer's activity page reads only actions (`activity_of`); this reader
//! is for checks of who acted (tests today, the support view next).

use sqlx::FromRow;

use super::Store;
use crate::{Result, UnixMillis};

/// One audit row as stored (ids and outcomes only: the log never holds personal data).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditTrailRow {
    pub at: UnixMillis,
    /// `kind:id`, as [`crate::audit::Actor::label`] writes it.
    pub actor: String,
    pub action: String,
    pub detail: String,
}

impl Store {
    /// The rows about `subject` (`kind:id`), oldest first.
    pub async fn audit_trail(&self, subject: &str) -> Result<Vec<AuditTrailRow>> {
        Ok(sqlx::query_as("SELECT at, actor, action, detail FROM audit_log WHERE subject = $1 ORDER BY id")
            .bind(subject)
            .fetch_all(self.pool())
            .await?)
    }
}
