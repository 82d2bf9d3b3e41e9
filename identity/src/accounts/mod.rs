//! Customer accounts: registration, sign-in, throttling and lock-out, recovery, email
//! and password changes, profile, sessions and activity. See
//! `docs/design/accounts.md` for the flows and what each defends against.

#[cfg(test)]
mod authorization_tests;
pub mod email_code;
pub mod known_mail;
pub mod login;
pub mod mfa;
pub mod passkeys;
pub mod profile;
pub mod provisional;
pub mod recovery;
pub mod register;
pub mod remember;
pub mod sessions;
pub mod site;
pub mod step_up;
pub mod throttle;
pub mod tokens;

use std::net::IpAddr;

use crate::audit::{self, Actor, AuditEvent};
use crate::email::Template;
use crate::outbox::{self, OutboxEvent};
use crate::store::Tx;
use crate::{Identity, Result, UnixMillis};

/// What the web layer knows about the request, for throttling and audit.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The client address (already resolved through trusted proxies).
    pub ip: IpAddr,
    /// A short browser/OS label derived from the User-Agent ("Firefox on Linux").
    pub device: String,
    /// The browser's device cookie, where the caller passes it (sign-up records the
    /// creating browser: see [`provisional`]).
    pub device_id: Option<String>,
}

impl RequestMeta {
    pub fn new(ip: IpAddr, user_agent: Option<&str>) -> Self {
        Self { ip, device: sessions::describe_user_agent(user_agent.unwrap_or("")), device_id: None }
    }

    /// The same, with the browser's device cookie.
    #[must_use]
    pub fn with_device_id(mut self, device_id: Option<String>) -> Self {
        self.device_id = device_id;
        self
    }
}

impl Identity {
    /// Appends an audit event about a customer inside `tx`.
    pub(crate) async fn audit_customer(
        &self,
        tx: &mut Tx,
        actor: Actor,
        customer_id: &str,
        action: &str,
        detail: serde_json::Value,
        now: UnixMillis,
    ) -> Result<()> {
        audit::record(tx, &AuditEvent {
            at: now,
            actor,
            subject: Some(format!("customer:{customer_id}")),
            action,
            reason: None,
            detail,
        })
        .await
    }

    /// Queues a mail inside `tx`: it leaves only if `tx` commits.
    pub(crate) async fn queue_mail(&self, tx: &mut Tx, to: &str, template: Template<'_>, now: UnixMillis) -> Result<()> {
        outbox::enqueue(tx, &OutboxEvent::Email(template.render(to)), now).await?;
        Ok(())
    }

    /// `<public url><path>`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url)
    }
}
