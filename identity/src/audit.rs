//! The append-only audit log: every security-relevant event with actor, subject, time
//! and reason. Details hold ids and outcomes, never personal data or secrets. The
//! database refuses updates and deletes on this table (triggers in the migrations).

use crate::store::{Tx, audit};
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
    /// A customer acting for another under a delegation or guardianship (`grant`): the
    /// label names the acting customer; [`record`] adds `on_behalf` and `grant` to the
    /// detail, so the row reads "who, for whom (subject), under what".
    Delegate { actor: String, grant: String },
    /// A support agent in a customer's portal under a ticket access: the label names the
    /// agent; [`record`] adds `support_access` and `ticket` to the detail.
    Support { staff: String, access: String, ticket: String },
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
            Self::Delegate { actor, .. } => format!("customer:{actor}"),
            Self::Support { staff, .. } => format!("staff:{staff}"),
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
    let actor = event.actor.label();
    let detail = match &event.actor {
        Actor::Delegate { grant, .. } => {
            let mut detail = event.detail.clone();
            if !detail.is_object() {
                detail = serde_json::json!({});
            }
            if let Some(map) = detail.as_object_mut() {
                map.insert("on_behalf".into(), serde_json::Value::Bool(true));
                map.insert("grant".into(), serde_json::Value::String(grant.clone()));
            }
            detail.to_string()
        }
        Actor::Support { access, ticket, .. } => {
            let mut detail = event.detail.clone();
            if !detail.is_object() {
                detail = serde_json::json!({});
            }
            if let Some(map) = detail.as_object_mut() {
                map.insert("support_access".into(), serde_json::Value::String(access.clone()));
                map.insert("ticket".into(), serde_json::Value::String(ticket.clone()));
            }
            detail.to_string()
        }
        _ => event.detail.to_string(),
    };
    audit::insert(tx, &audit::AuditRow {
        at: event.at,
        actor: &actor,
        subject: event.subject.as_deref(),
        action: event.action,
        reason: event.reason,
        detail: &detail,
    })
    .await
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
