//! Provisional factors of accounts whose address is not confirmed yet.
//!
//! Anyone can register an address they do not own. Until the address is confirmed
//! (`customers.email_verified`), what the account holds may be the registrant's and
//! not the owner's, so (see `docs/design/accounts.md`):
//! - nothing can be added beyond the credential the account was created with (its
//!   password, or the passkey of a passkey sign-up): no passkey, authenticator app or
//!   recovery codes ([`may_add_factor`]);
//! - a proof of the address that may come from someone other than the registrant
//!   clears the account ([`clears_provisional`]): any password reset of an unconfirmed
//!   account, and a confirmation from a browser other than the one that created it.
//!   Every passkey (the sign-up's too), the authenticator app, recovery codes,
//!   sessions, remembered devices, brand grants and pending email changes go; the owner
//!   is told by mail what was removed, and it is audited. A confirmation from another
//!   browser removes the password set at sign-up too (a new password version, so
//!   outstanding reset and unlock links die): whoever registered chose it, and would
//!   otherwise sign in to the now confirmed account. The owner sets a password by reset
//!   or signs in with a mailed code; someone who registers on a laptop and confirms on
//!   a phone sets it again. A reset replaces the password anyway.
//!
//! The creating browser is the device cookie the sign-up found or set; the account
//! keeps its SHA-256 (`customers.created_device_hash`). An account created without one
//! (import, older rows) has no creating browser: any confirmation clears it.

use super::RequestMeta;
use super::tokens::Purpose;
use crate::audit::Actor;
use crate::email::Template;
use crate::store::{Tx, account_tokens, credentials, customers, devices};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// Refuses any new factor until the address is confirmed.
pub fn may_add_factor(email_verified: bool) -> Result<()> {
    if email_verified { Ok(()) } else { Err(Error::Refused(crate::error::Refusal::ConfirmEmailFirst)) }
}

/// How the address of an account was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// The mailed verification link or code, used in the browser that created the
    /// account or in another one.
    Confirmation { same_browser: bool },
    /// A completed password reset (the mailed link).
    PasswordReset,
}

impl Proof {
    /// The audit's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmation { same_browser: true } => "confirmed_in_creating_browser",
            Self::Confirmation { same_browser: false } => "confirmed_in_other_browser",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// Whether proving the address must clear what the account holds: only for an
/// account not confirmed before, and not when the browser that created it confirms.
pub fn clears_provisional(email_verified: bool, proof: Proof) -> bool {
    !email_verified && proof != Proof::Confirmation { same_browser: true }
}

/// A device cookie worth recording: what sign-in accepts (32 to 64 characters).
pub fn usable_device_id(device_id: &str) -> bool {
    (32..=64).contains(&device_id.len())
}

fn device_hash(device_id: Option<&str>) -> Option<String> {
    device_id.filter(|d| usable_device_id(d)).map(|d| sha256_hex(d.as_bytes()))
}

/// Whether the browser with `device_id` is the one whose cookie hash `created` is.
/// Unknown on either side is "another browser".
pub fn same_browser(created: Option<&str>, device_id: Option<&str>) -> bool {
    matches!((created, device_hash(device_id)), (Some(created), Some(this)) if created == this)
}

/// What clearing an account removed: for the mail, the audit and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    /// The password set at sign-up (a confirmation from another browser).
    pub password: bool,
    pub passkeys: u64,
    pub authenticator_app: bool,
    pub recovery_codes: u64,
    pub sessions: u64,
    pub remembered_devices: u64,
    pub grants: u64,
    pub email_changes: u64,
}

impl Removed {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Identity {
    /// Refuses a new factor for an unconfirmed account.
    pub(crate) async fn require_confirmed(&self, customer_id: &str) -> Result<()> {
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        may_add_factor(c.email_verified)
    }

    /// The same inside the transaction that adds the factor: a confirmation that
    /// cleared the account and this addition cannot both pass unseen.
    pub(crate) async fn require_confirmed_tx(&self, tx: &mut Tx, customer_id: &str) -> Result<()> {
        let c = crate::store::customers::by_id_tx(tx, customer_id).await?.ok_or(Error::NotFound("account"))?;
        may_add_factor(c.email_verified)
    }

    /// Records the browser that created `customer_id` (in the sign-up's transaction).
    pub(crate) async fn record_creating_browser(&self, tx: &mut Tx, customer_id: &str, meta: &RequestMeta) -> Result<()> {
        customers::set_created_device(tx, customer_id, device_hash(meta.device_id.as_deref()).as_deref()).await
    }

    /// A confirmation of `customer_id`'s address from the browser with `device_id`.
    pub(crate) async fn confirmation_tx(&self, tx: &mut Tx, customer_id: &str, device_id: Option<&str>) -> Result<Proof> {
        let created = customers::created_device(tx, customer_id).await?;
        Ok(Proof::Confirmation { same_browser: same_browser(created.as_deref(), device_id) })
    }

    /// The address of `customer_id` was just proven by `proof`, inside `tx` (before it
    /// is marked confirmed): clears the account when [`clears_provisional`] says so, and
    /// when anything went, audits it and mails the owner.
    pub(crate) async fn address_proven_tx(&self, tx: &mut Tx, customer_id: &str, proof: Proof, now: UnixMillis) -> Result<Removed> {
        let c = crate::store::customers::by_id_tx(tx, customer_id).await?.ok_or(Error::NotFound("account"))?;
        if !clears_provisional(c.email_verified, proof) {
            return Ok(Removed::default());
        }
        let removed = self.clear_account_tx(tx, customer_id, proof, now).await?;
        let detail = serde_json::json!({
            "reason": proof.as_str(),
            "password": removed.password,
            "passkeys": removed.passkeys,
            "authenticator_app": removed.authenticator_app,
            "recovery_codes": removed.recovery_codes,
            "sessions": removed.sessions,
            "remembered_devices": removed.remembered_devices,
            "grants": removed.grants,
            "email_changes": removed.email_changes,
        });
        if !removed.is_empty() {
            self.audit_customer(tx, Actor::System, customer_id, "account.provisional_cleared", detail, now).await?;
            let login_link = self.link("/login");
            let code_link = self.link("/login/code");
            let reset_link = self.link("/forgot-password");
            let mail = Template::ProvisionalCleared {
                removed: &removed,
                proof,
                login_link: &login_link,
                code_link: &code_link,
                reset_link: &reset_link,
            };
            self.queue_mail(tx, &super::MailTo::customer_only(&c), mail, now).await?;
        }
        Ok(removed)
    }

    /// Removes every factor, every session, remembered device, grant and pending email
    /// change of the account; the password too unless a reset (which replaces it) is
    /// the proof.
    async fn clear_account_tx(&self, tx: &mut Tx, customer_id: &str, proof: Proof, now: UnixMillis) -> Result<Removed> {
        // A new password version: reset and unlock links bound to the old one die.
        let password = proof != Proof::PasswordReset && customers::remove_password(tx, customer_id, now).await?;
        let app = credentials::totp_count_confirmed(tx, customer_id).await?;
        let remembered = devices::count_live_remembered(tx, customer_id, now).await?;
        let passkeys = credentials::passkeys_delete_all(tx, customer_id).await?;
        credentials::totp_delete(tx, customer_id).await?;
        let recovery_codes = credentials::recovery_delete_unused(tx, customer_id).await?;
        credentials::recovery_delete_all(tx, customer_id).await?;
        let email_changes = account_tokens::retire(tx, customer_id, Purpose::ChangeEmail.as_str(), now).await?;
        // Ends the sessions (and what their sign-ins gave the brands) and forgets every
        // remembered device; then the grants no session holds (offline access).
        let sessions = self.end_sessions_tx(tx, customer_id, None).await?;
        let grants = self.revoke_customer_grants_tx(tx, customer_id, "address_proven", now).await?;
        Ok(Removed {
            password,
            passkeys,
            authenticator_app: app > 0,
            recovery_codes,
            sessions,
            remembered_devices: u64::try_from(remembered).unwrap_or(0),
            grants,
            email_changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVICE: &str = "0123456789abcdef0123456789abcdef0123456789a";

    #[test]
    fn nothing_is_added_before_the_address_is_confirmed() {
        assert!(may_add_factor(true).is_ok());
        let refused = may_add_factor(false);
        assert!(matches!(&refused, Err(Error::Refused(crate::error::Refusal::ConfirmEmailFirst))), "{refused:?}");
    }

    #[test]
    fn who_proves_the_address_decides_what_stays() {
        let same = Proof::Confirmation { same_browser: true };
        let other = Proof::Confirmation { same_browser: false };
        assert!(!clears_provisional(false, same), "the registrant's own browser keeps the account as it is");
        assert!(clears_provisional(false, other), "another browser: the owner, not necessarily the registrant");
        assert!(clears_provisional(false, Proof::PasswordReset), "any reset of an unconfirmed account");
        for proof in [same, other, Proof::PasswordReset] {
            assert!(!clears_provisional(true, proof), "a confirmed account's factors are its owner's: {proof:?}");
        }
    }

    #[test]
    fn the_creating_browser_is_recognised_by_its_cookie_only() {
        let created = device_hash(Some(DEVICE));
        assert!(same_browser(created.as_deref(), Some(DEVICE)));
        assert!(!same_browser(created.as_deref(), Some("another-browser-cookie-0123456789abcdef")));
        assert!(!same_browser(created.as_deref(), None), "no cookie is another browser");
        assert!(!same_browser(None, Some(DEVICE)), "an account without a creating browser");
        assert!(!same_browser(None, None));
        assert_eq!(device_hash(Some("short")), None, "a cookie sign-in would not accept is not recorded");
    }
}
