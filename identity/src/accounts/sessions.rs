//! Sessions as the customer sees them ("Your devices") and as the session layer stores
//! them, plus the customer's own activity.
//!
//! Session records are keyed by SHA-256 of the session id, so the database never holds
//! a usable cookie. The customer id and a device label are copied out of the record
//! into columns so a customer's sessions can be listed and ended.

pub use crate::store::audit::ActivityRow;
pub use crate::store::sessions::{SessionColumns, SessionRow, StoredSession};
use crate::store::{Tx, devices, sessions};
use crate::{Identity, Result};
use crate::principal::{Action, Principal, Subject, authorize};

/// The label of a browser woothee does not know.
pub const UNKNOWN_BROWSER: &str = "Unknown browser";
/// Between browser and system in a label (pages translate the label by these two).
pub const ON: &str = " on ";

/// "Firefox on Linux", "Safari on iPhone", or "Unknown browser" (stored as written;
/// pages show it in the customer's language).
pub fn describe_user_agent(user_agent: &str) -> String {
    let Some(ua) = woothee::parser::Parser::new().parse(user_agent) else { return UNKNOWN_BROWSER.into() };
    let browser = if ua.name == "UNKNOWN" { UNKNOWN_BROWSER } else { ua.name };
    if ua.os == "UNKNOWN" { browser.to_owned() } else { format!("{browser}{ON}{}", ua.os) }
}

impl Identity {
    /// Ends the customer's sessions inside `tx`, except `keep` (an id hash), and
    /// forgets every remembered device: a device skips the second step only while the
    /// sessions it belongs with live.
    pub(crate) async fn end_sessions_tx(&self, tx: &mut Tx, customer_id: &str, keep: Option<&str>) -> Result<u64> {
        let sids = self.sids_of_tx(tx, customer_id, keep).await?;
        self.end_oidc_sessions_tx(tx, &sids, self.clock.now()).await?;
        let ended = sessions::delete_of_customer_except(tx, customer_id, keep).await?;
        devices::forget_remembered(tx, customer_id).await?;
        Ok(ended)
    }

    /// The sweep: deletes expired sessions (idle or absolute) and logs their sign-ins out
    /// of the brands they reached, as an explicit sign-out would.
    pub async fn end_expired_sessions(&self, principal: &Principal) -> Result<u64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let sids = sessions::expired_sids(&mut tx, now).await?;
        self.end_oidc_sessions_tx(&mut tx, &sids, now).await?;
        let ended = sessions::delete_expired(&mut tx, now).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// The customer's live sessions ("devices"), most recently used first.
    pub async fn devices(&self, principal: &Principal, customer_id: &str) -> Result<Vec<SessionRow>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        self.store.sessions_of(customer_id, self.clock.now()).await
    }

    /// The customer's own security events (the audit rows about them), newest first.
    pub async fn activity(&self, principal: &Principal, customer_id: &str, limit: i64) -> Result<Vec<ActivityRow>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        self.store.activity_of(customer_id, limit).await
    }

    /// Ends one of the customer's own sessions (never another customer's).
    pub async fn end_session(&self, principal: &Principal, customer_id: &str, id_hash: &str) -> Result<bool> {
        authorize(principal, Action::ManageSessions, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(sid) = sessions::sid_of(&mut tx, customer_id, id_hash).await? {
            self.end_oidc_sessions_tx(&mut tx, &[sid], now).await?;
        }
        let done = sessions::delete_one(&mut tx, customer_id, id_hash).await?;
        if done {
            self.audit_customer(&mut tx, principal.actor(), customer_id, "session.ended", serde_json::json!({}), now)
                .await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Ends all the customer's sessions but `keep`.
    pub async fn end_other_sessions(&self, principal: &Principal, customer_id: &str, keep: &str) -> Result<u64> {
        authorize(principal, Action::ManageSessions, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let ended = self.end_sessions_tx(&mut tx, customer_id, Some(keep)).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "sessions.ended_others", serde_json::json!({ "ended": ended }), now)
            .await?;
        tx.commit().await?;
        Ok(ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_common_browsers() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(describe_user_agent(firefox), "Firefox on Linux");
        assert_eq!(describe_user_agent(""), "Unknown browser");
    }
}
