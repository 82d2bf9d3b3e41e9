//! The append-only audit log: every security-relevant event with actor, subject, time
//! and reason. Details hold ids and outcomes, never personal data or secrets. The
//! database refuses updates and deletes on this table (triggers in the migrations).

use crate::store::Tx;
use crate::{Result, UnixMillis};

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    /// The operator at the command line.
    Cli,
    /// Foyer itself (start-up, workers).
    System,
    /// Someone without a session (sign-up, mailed links and codes).
    Anonymous,
    Customer(String),
    Staff(String),
    /// A relying party's back end, by client id.
    Client(String),
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Self::Cli => "cli".into(),
            Self::System => "system".into(),
            Self::Anonymous => "anonymous".into(),
            Self::Customer(id) => format!("customer:{id}"),
            Self::Staff(id) => format!("staff:{id}"),
            Self::Client(id) => format!("client:{id}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub at: UnixMillis,
    pub actor: Actor,
    /// The record acted on, as `kind:id`.
    pub subject: Option<String>,
    pub action: &'a str,
    pub reason: Option<&'a str>,
    pub detail: serde_json::Value,
}

pub async fn record(tx: &mut Tx, event: &AuditEvent<'_>) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, subject, action, reason, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(event.at)
        .bind(event.actor.label())
        .bind(&event.subject)
        .bind(event.action)
        .bind(event.reason)
        .bind(event.detail.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_labels_carry_ids_only() {
        assert_eq!(Actor::Staff("s1".into()).label(), "staff:s1");
        assert_eq!(Actor::Cli.label(), "cli");
    }
}
