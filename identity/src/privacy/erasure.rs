//! Erasure: when a deletion's grace period has passed, the maintenance sweep erases the
//! customer in ONE transaction, driven by the inventory (`store::privacy::erasure_plan`):
//!
//! 1. every grant is revoked and every session ended, with back-channel logout to the
//!    brands (the logout tokens' `sub` is worked out now, while the customer exists);
//! 2. tables with `Pseudonymise`/`Anonymise` columns are updated: a `customer_id` and an
//!    `actor`/`subject` naming the customer become the pseudonym, other such columns
//!    NULL (the consent ledger's and the audit log's triggers allow exactly that);
//! 3. the customer's rows of every `Delete` table go, `customers` last (its cascade
//!    takes rows that have no customer column of their own, such as refresh tokens);
//! 4. mail naming the address is forgotten (outbox payloads cleared, the development
//!    mailbox's rows deleted);
//! 5. `customer.deleted` (the pseudonym only) and the farewell mail are queued, and the
//!    erasure is audited under the pseudonym.
//!
//! The pseudonym is `erased:` + hex HMAC-SHA256 of the customer id under a key derived
//! from the master key (`erasure-pseudonym/v1`): the same customer always gets the same
//! one (their ledger and audit rows stay together as proof), and nobody without the
//! master key can tell whose it is.

use serde_json::json;

use crate::accounts::MailTo;
use crate::audit::{self, Actor, AuditEvent};
use crate::email::Template;
use crate::oidc::grants::GrantsAt;
use crate::outbox::{OutboxEvent, enqueue};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::privacy as rows;
use crate::store::customers;
use crate::{Identity, Result, UnixMillis};

/// Erasures per sweep (the rest wait for the next one).
const BATCH: i64 = 100;

impl Identity {
    /// The pseudonym erasure gives `customer_id` (`erased:<64 hex digits>`).
    pub fn erasure_pseudonym(&self, customer_id: &str) -> String {
        use hmac::{Hmac, Mac as _};
        let key = self.master_key.derive(b"erasure-pseudonym/v1");
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(&key) else { return format!("erased:{}", crate::sha256_hex(customer_id.as_bytes())) };
        mac.update(customer_id.as_bytes());
        format!("erased:{}", hex::encode(mac.finalize().into_bytes()))
    }

    /// The sweep's step for this feature: erases the customers whose grace period has
    /// passed, and forgets spent or expired export links and household invitations that
    /// ended more than 30 days ago (they name an invited address). Returns the rows handled.
    pub async fn sweep_privacy(&self, principal: &Principal) -> Result<u64> {
        let erased = self.erase_due_customers(principal).await?;
        let mut tx = self.store.begin().await?;
        let links = rows::prune_export_links(&mut tx, self.clock.now()).await?;
        let invitations = crate::store::households::prune_invitations(&mut tx, self.clock.now()).await?;
        tx.commit().await?;
        Ok(erased + links + invitations)
    }

    /// Erases every customer whose grace period has passed, each in
    /// its own transaction. Returns how many were erased.
    pub async fn erase_due_customers(&self, principal: &Principal) -> Result<u64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        let due = {
            let mut tx = self.store.begin().await?;
            let due = rows::due_deletions(&mut tx, now, BATCH).await?;
            tx.commit().await?;
            due
        };
        let mut erased = 0;
        for customer_id in due {
            if self.erase(&customer_id, now).await? {
                erased += 1;
            }
        }
        Ok(erased)
    }

    /// Erases one customer whose deletion is (still) due, in one transaction; `false`
    /// when it was cancelled meanwhile or the customer is gone.
    async fn erase(&self, customer_id: &str, now: UnixMillis) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let due = rows::deletion_of_tx(&mut tx, customer_id).await?.is_some_and(|d| d.erase_at <= now);
        let Some(customer) = customers::by_id_tx(&mut tx, customer_id).await? else { return Ok(false) };
        if !due {
            return Ok(false);
        }
        let pseudonym = self.erasure_pseudonym(customer_id);
        let grants = self.end_customer_grants_tx(&mut tx, customer_id, GrantsAt::Everywhere, "account_erased", now).await?;
        let sessions = self.end_sessions_tx(&mut tx, customer_id, None).await?;
        self.leave_households_for_erasure_tx(&mut tx, customer_id, now).await?;
        let mut touched = 0;
        for (table, owner, treatment) in rows::erasure_plan() {
            touched += rows::erase_table(&mut tx, table, &owner, &treatment, customer_id, &pseudonym).await?;
        }
        let forgotten = rows::forget_mail_to(&mut tx, &customer.email, now).await?;
        enqueue(&mut tx, &OutboxEvent::CustomerDeleted { pseudonym: pseudonym.clone() }, now).await?;
        let to = MailTo::customer_only(&customer);
        let farewell = Template::AccountErased.render(to.email, &self.voice(to.locale, None, crate::i18n::TimeZone::first_known([to.zone])));
        enqueue(&mut tx, &OutboxEvent::FarewellEmail(farewell), now).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: Actor::System,
            subject: Some(pseudonym),
            action: "privacy.erased",
            reason: None,
            detail: json!({ "grants_ended": grants, "sessions_ended": sessions, "rows": touched, "mail_forgotten": forgotten }),
        })
        .await?;
        tx.commit().await?;
        tracing::info!(erased = true, "a customer was erased after the grace period");
        Ok(true)
    }
}
