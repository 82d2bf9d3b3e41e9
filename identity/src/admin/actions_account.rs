//! Support actions on how a customer signs in (`docs/design/admin.md` "Support
//! actions"): lock and unlock (leads), send the ordinary reset link, mail the address
//! confirmation again, sign out everywhere, reset second factors after an identity check
//! (leads). The shared rules — authorize first, a checked ticket, one transaction with
//! one `support.<verb>` audit row and the customer's mail — are in [`super::actions`].
//! No act sets a password or shows a link to the staff member: links go to the address
//! on file only.
//!
//! A support lock is apart from the lock-out after failed sign-ins (`lock_kind`): the
//! customer's mailed unlock link, a password reset or a removed password lift only the
//! latter; only a lead's unlock lifts a support lock.

use serde_json::json;

use super::SupportTicket;
use super::actions::{IdentityCheck, SupportAct, has_own_sign_in, refused};
use crate::accounts::MailTo;
use crate::accounts::throttle::account_key;
use crate::accounts::tokens::Purpose;
use crate::email::Template;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::{account_tokens, credentials, customers, devices};
use crate::{Identity, Result};

impl Identity {
    /// Locks the account (support leads): every session and grant ends (back-channel
    /// logout as everywhere), unlock links mailed before are retired, sign-in answers
    /// the usual uniform failure until a lead unlocks. Mailed; audited `support.locked`.
    pub async fn support_lock(&self, principal: &Principal, customer_id: &str, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::LockAccount, Subject::Customer(customer_id))?;
        let c = self.support_customer(customer_id).await?;
        has_own_sign_in(&c)?;
        let now = self.clock.now();
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        if !customers::support_lock(&mut tx, customer_id, now).await? {
            return Err(refused("Customer", "this account is locked by support already"));
        }
        account_tokens::retire(&mut tx, customer_id, Purpose::Unlock.as_str(), now).await?;
        let sessions = self.end_sessions_tx(&mut tx, customer_id, None).await?;
        let grants = self.revoke_customer_grants_tx(&mut tx, customer_id, "support_locked", now).await?;
        let template = Template::Notice { subject: "mail-support-locked-subject", paras: &["mail-support-locked-body", "mail-support-locked-contact"], args: &[], link: None };
        self.queue_mail(&mut tx, &MailTo::customer_only(&c), template, now).await?;
        act.audit(&mut tx, "support.locked", None, json!({ "sessions_ended": sessions, "grants_revoked": grants })).await?;
        tx.commit().await
    }

    /// Lifts a lock (support leads): a support lock, or the lock-out after failed
    /// sign-ins (its failure count ends too). Mailed; audited `support.unlocked` with
    /// the kind of lock lifted.
    pub async fn support_unlock(&self, principal: &Principal, customer_id: &str, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::LockAccount, Subject::Customer(customer_id))?;
        let c = self.support_customer(customer_id).await?;
        has_own_sign_in(&c)?;
        let now = self.clock.now();
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        if !customers::support_unlock(&mut tx, customer_id, now).await? {
            return Err(refused("Customer", "this account is not locked"));
        }
        let login = self.link("/login");
        let template =
            Template::Notice { subject: "mail-support-unlocked-subject", paras: &["mail-support-unlocked-body"], args: &[], link: Some(("mail-support-sign-in-link", &login)) };
        self.queue_mail(&mut tx, &MailTo::customer_only(&c), template, now).await?;
        let kind = c.lock_kind.as_deref().unwrap_or(customers::LOCK_FAILURES);
        act.audit(&mut tx, "support.unlocked", None, json!({ "lock": kind })).await?;
        tx.commit().await?;
        self.store.throttle_clear(&account_key(&c.email_normalized)).await
    }

    /// Mails the customer the ordinary password-reset link at the address on file (the
    /// link "forgot password" sends, bound to the current password; a second factor is
    /// still asked at the reset). The staff member never sees it. Audited
    /// `support.reset_link_sent`.
    pub async fn support_send_reset_link(&self, principal: &Principal, customer_id: &str, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::SendResetLink, Subject::Customer(customer_id))?;
        let c = self.support_customer(customer_id).await?;
        has_own_sign_in(&c)?;
        let now = self.clock.now();
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        self.queue_reset_link_tx(&mut tx, &MailTo::customer_only(&c), &c, now).await?;
        act.audit(&mut tx, "support.reset_link_sent", None, json!({})).await?;
        tx.commit().await
    }

    /// Mails the address confirmation (link and code) again, as the customer's own
    /// resend does; refused when the address is confirmed already. Audited
    /// `support.verification_resent`.
    pub async fn support_resend_verification(&self, principal: &Principal, customer_id: &str, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::ResendVerification, Subject::Customer(customer_id))?;
        let c = self.support_customer(customer_id).await?;
        has_own_sign_in(&c)?;
        if c.email_verified {
            return Err(refused("Customer", "this address is confirmed already: there is nothing to resend"));
        }
        let now = self.clock.now();
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        self.queue_verification_tx(&mut tx, &MailTo::customer_only(&c), &c.id, now).await?;
        act.audit(&mut tx, "support.verification_resent", None, json!({})).await?;
        tx.commit().await
    }

    /// "Sign out everywhere": every session (with what its sign-ins gave the brands),
    /// every remembered device and every grant, offline ones included, through the grant
    /// lifecycle (back-channel logout to each client). Mailed; audited
    /// `support.sessions_ended` with the counts.
    pub async fn support_end_sessions(&self, principal: &Principal, customer_id: &str, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::EndCustomerSessions, Subject::Customer(customer_id))?;
        let c = self.support_customer(customer_id).await?;
        let now = self.clock.now();
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        let sessions = self.end_sessions_tx(&mut tx, customer_id, None).await?;
        let grants = self.revoke_customer_grants_tx(&mut tx, customer_id, "support_signed_out", now).await?;
        let login = self.link("/login");
        let template = Template::Notice {
            subject: "mail-support-signed-out-subject",
            paras: &["mail-support-signed-out-body", "mail-support-signed-out-not-you"],
            args: &[],
            link: Some(("mail-support-sign-in-link", &login)),
        };
        self.queue_mail(&mut tx, &MailTo::customer_only(&c), template, now).await?;
        act.audit(&mut tx, "support.sessions_ended", None, json!({ "sessions_ended": sessions, "grants_revoked": grants })).await?;
        tx.commit().await
    }

    /// Resets the second factors after a recorded identity check (support leads):
    /// removes the authenticator app and the recovery codes, forgets every remembered
    /// device, ends every session and grant. Passkeys stay: they are ways to sign in,
    /// not only a second step (a customer with a password and a passkey still has two
    /// steps). Refused when there is no app and no recovery code. Mailed; audited
    /// `support.second_factors_reset`: the check's kind and what went in the detail, the
    /// check's note after the reason in the `reason` column.
    pub async fn support_reset_second_factors(&self, principal: &Principal, customer_id: &str, check: IdentityCheck, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::ResetSecondFactors, Subject::Customer(customer_id))?;
        let c = self.support_customer(customer_id).await?;
        has_own_sign_in(&c)?;
        let now = self.clock.now();
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        let app = credentials::totp_delete(&mut tx, customer_id).await?;
        let codes = credentials::recovery_delete_all(&mut tx, customer_id).await?;
        if app == 0 && codes == 0 {
            return Err(refused("Customer", "this customer has no authenticator app or recovery codes to reset"));
        }
        let remembered = devices::count_live_remembered(&mut tx, customer_id, now).await?;
        let sessions = self.end_sessions_tx(&mut tx, customer_id, None).await?;
        let grants = self.revoke_customer_grants_tx(&mut tx, customer_id, "second_factors_reset", now).await?;
        let security = self.link("/account/security");
        let template = Template::Notice {
            subject: "mail-support-factors-subject",
            paras: &["mail-support-factors-body", "mail-support-factors-next", "mail-support-factors-not-you"],
            args: &[],
            link: Some(("mail-support-factors-link", &security)),
        };
        self.queue_mail(&mut tx, &MailTo::customer_only(&c), template, now).await?;
        let reason = format!("{}\nIdentity check: {}", t.reason(), check.note());
        let detail = json!({
            "check": check.kind.as_str(),
            "authenticator_app": app > 0,
            "recovery_codes": codes,
            "remembered_devices": remembered,
            "sessions_ended": sessions,
            "grants_revoked": grants,
        });
        act.audit(&mut tx, "support.second_factors_reset", Some(&reason), detail).await?;
        tx.commit().await
    }
}
