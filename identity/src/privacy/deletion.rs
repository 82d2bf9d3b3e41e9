//! "Delete my account": the request (a recent strong authentication, checked by the
//! adapter, and the account's email address typed as confirmation), the grace period
//! (`Settings::deletion_grace_days`, default 14) during which a sign-in offers to
//! cancel, and the cancellation. The erasure itself is [`super::erasure`].
//!
//! Why the email address as the typed confirmation, not a word such as "DELETE": a word
//! is typed by reflex (and differs per language, so a support script cannot quote it);
//! the address is what the customer knows and names exactly the account that goes
//! (people with a private and a work account delete the right one). It is compared
//! trimmed and case-insensitively, as the address is everywhere else.

use serde_json::json;

use crate::accounts::{MailTo, RequestMeta};
use crate::domain::{ParseError, Reason};
use crate::email::Template;
use crate::oidc::grants::GrantsAt;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::privacy as rows;
use crate::store::customers;
use crate::{Error, Identity, Result, UnixMillis};

const DAY_MS: i64 = 86_400_000;

/// The field of the typed confirmation (pages show its error beside it).
pub const CONFIRMATION_FIELD: &str = "Confirmation";

/// Whether `typed` confirms the deletion of the account with address `email`.
pub fn confirms(typed: &str, email: &str) -> bool {
    let typed = typed.trim();
    !typed.is_empty() && typed.to_lowercase() == email.trim().to_lowercase()
}

impl Identity {
    /// Schedules the erasure of the account `deletion_grace_days` from now (an earlier
    /// request keeps its date), ends every session and grant (brands are told by
    /// back-channel logout), audits and mails the date. Returns the erasure time.
    pub async fn request_deletion(&self, principal: &Principal, customer_id: &str, confirmation: &str, meta: &RequestMeta) -> Result<UnixMillis> {
        authorize(principal, Action::ExportOrDeleteData, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let customer = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("customer"))?;
        if !confirms(confirmation, &customer.email) {
            return Err(ParseError::Invalid { field: CONFIRMATION_FIELD, reason: Reason::DeletionConfirmation }.into());
        }
        self.households_before_deletion_tx(&mut tx, customer_id, now).await?;
        let erase_at = now + self.settings.deletion_grace_days.clamp(1, 3650) * DAY_MS;
        let row = rows::insert_deletion(&mut tx, customer_id, now, erase_at).await?;
        let sessions = self.end_sessions_tx(&mut tx, customer_id, None).await?;
        let grants = self.end_customer_grants_tx(&mut tx, customer_id, GrantsAt::Everywhere, "deletion_requested", now).await?;
        self.audit_customer(
            &mut tx,
            principal.actor(),
            customer_id,
            "privacy.deletion_requested",
            json!({ "erase_at": row.erase_at, "sessions_ended": sessions, "grants_ended": grants }),
            now,
        )
        .await?;
        let login = self.link("/login");
        let to = MailTo::customer(&customer, meta.locale, meta.brand.as_ref());
        self.queue_mail(&mut tx, &to, Template::DeletionScheduled { erase_at: row.erase_at, login_link: &login }, now).await?;
        tx.commit().await?;
        Ok(row.erase_at)
    }

    /// When the customer's account is to be erased, if a deletion is scheduled. Asked
    /// by a sign-in that just proved the customer (it then offers to cancel instead of
    /// opening the account).
    pub async fn scheduled_deletion(&self, principal: &Principal, customer_id: &str) -> Result<Option<UnixMillis>> {
        authorize(principal, Action::ExportOrDeleteData, Subject::Customer(customer_id))?;
        Ok(self.store.deletion_of(customer_id).await?.map(|d| d.erase_at))
    }

    /// Cancels a scheduled deletion; audits and mails a confirmation. `false` when none
    /// was scheduled (nothing written).
    pub async fn cancel_deletion(&self, principal: &Principal, customer_id: &str, meta: &RequestMeta) -> Result<bool> {
        authorize(principal, Action::ExportOrDeleteData, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !rows::delete_deletion(&mut tx, customer_id).await? {
            return Ok(false);
        }
        let customer = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("customer"))?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "privacy.deletion_cancelled", json!({}), now).await?;
        let link = self.link("/account");
        let to = MailTo::customer(&customer, meta.locale, meta.brand.as_ref());
        self.queue_mail(&mut tx, &to, Template::DeletionCancelled { link: &link }, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mails of export and deletion read as sentences in every language (no `⟦id⟧`).
    #[test]
    fn the_mails_are_translated() {
        use crate::email::{Template, Voice};
        use crate::i18n::{Locale, TimeZone};
        for locale in Locale::ALL {
            let voice = Voice { locale, product: "Northwind ID", public_url: "https://id.example.com", brand: None, zone: TimeZone::utc() };
            for template in [
                Template::ExportCreated { device: "Firefox on Linux", at: 1_700_000_000_000, link: "https://id.example.com/account/privacy/data" },
                Template::DeletionScheduled { erase_at: 1_700_000_000_000, login_link: "https://id.example.com/login" },
                Template::DeletionCancelled { link: "https://id.example.com/account" },
                Template::AccountErased,
            ] {
                let mail = template.render("ann@example.com", &voice);
                assert!(!mail.subject.contains('⟦') && !mail.text.contains('⟦'), "{}: {}", locale.tag(), mail.text);
                assert!(mail.text.contains("Northwind ID"), "{}", mail.text);
            }
        }
    }

    #[test]
    fn only_the_accounts_address_confirms() {
        assert!(confirms("ann@example.com", "ann@example.com"));
        assert!(confirms("  Ann@Example.COM ", "ann@example.com"));
        assert!(!confirms("", "ann@example.com"));
        assert!(!confirms("DELETE", "ann@example.com"));
        assert!(!confirms("bob@example.com", "ann@example.com"));
    }
}
