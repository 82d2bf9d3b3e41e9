//! Forgotten passwords, password changes and email changes.

use secrecy::{ExposeSecret as _, SecretString};

use super::{MailTo, RequestMeta};
use super::login::LoginError;
use super::provisional::{self, Proof};
use super::throttle::{IP_FREE_FAILURES, ip_key};
use super::tokens::{Purpose, redeem_code, redeem_token};
use crate::audit::Actor;
use crate::domain::{Email, ParseError, Reason};
use crate::email::Template;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::customers::{self, CustomerRow};
use crate::{Error, Identity, Result};

fn check_new_password(password: &SecretString, c: &CustomerRow) -> Result<()> {
    let personal: Vec<&str> = [Some(c.email.as_str()), c.given_name.as_deref(), c.family_name.as_deref(), c.display_name.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    match super::register::password_reason(password.expose_secret(), &personal) {
        Some(reason) => Err(Error::Fields(vec![ParseError::Invalid { field: "New password", reason }])),
        None => Ok(()),
    }
}

impl Identity {
    /// "Forgot password": mails a reset link if the account exists; answers and writes
    /// the same either way.
    pub async fn request_password_reset(&self, principal: &Principal, email: &str, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let email = Email::parse(email)?;
        let now = self.clock.now();
        let ip = ip_key(meta.ip);
        self.store.throttle_check(&[&ip], now).await?;
        self.store.throttle_fail(&ip, now, IP_FREE_FAILURES).await?;
        // The outbox worker issues the link if the address is known: the request
        // writes the same either way (see `known_mail`).
        self.queue_mail_if_known(crate::outbox::KnownMail::ResetPassword, &email, meta, now).await
    }

    /// Completes a reset: the link must be unused, unexpired and issued for the current
    /// password. Ends every session, revokes every grant at every brand (offline ones
    /// too) and unlocks the account.
    /// An account with a second factor must present it (`code`: TOTP or recovery code):
    /// a reset never bypasses MFA. An unconfirmed account's factors are provisional: the
    /// reset removes them instead (`provisional`).
    pub async fn reset_password(&self, principal: &Principal, token: &str, new_password: SecretString, code: Option<&str>) -> Result<String> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = redeem_token(&mut tx, Purpose::ResetPassword, token, now).await?;
        let c = customers::by_id_tx(&mut tx, &row.customer_id).await?.ok_or(Error::TokenInvalid)?;
        if c.password_version != row.bound_version {
            return Err(Error::TokenInvalid);
        }
        let clears = provisional::clears_provisional(c.email_verified, Proof::PasswordReset);
        if !clears && self.second_factors(&c.id).await?.any() {
            let Some(code) = code.filter(|c| !c.trim().is_empty()) else { return Err(Error::SecondFactorRequired) };
            let key = self.second_factor_gate(&c.id, now).await?;
            // Spent in this transaction (SQLite has one writer); a wrong code rolls the
            // redemption back, so the link survives, and is counted afterwards.
            if self.second_factor_in(&mut tx, &c.id, code, now).await?.is_none() {
                drop(tx);
                self.second_factor_failed(crate::metrics::FactorMethod::of_code(code), &key, now).await?;
                return Err(Error::TokenInvalid);
            }
            // The account's throttle key is cleared after the commit, below.
        }
        // Checked after redeeming, so a refused password does not burn the link:
        // returning here rolls the redemption back.
        check_new_password(&new_password, &c)?;
        let hash = self.hasher.hash(new_password, self.rng.as_ref()).await?;
        if clears {
            self.address_proven_tx(&mut tx, &c.id, Proof::PasswordReset, now).await?;
        }
        self.store_new_password(&mut tx, Actor::Customer(c.id.clone()), &c, &hash, None, true, "password.reset", now).await?;
        tx.commit().await?;
        self.store.throttle_clear(&super::throttle::account_key(&c.email_normalized)).await?;
        Ok(c.id)
    }

    /// Changes the password of a signed-in customer, who proves the current one. Other
    /// sessions end; `keep_session` (the caller's, by id hash) stays. `all_grants` also
    /// revokes every grant at every brand, offline access included ("Sign out of
    /// connected brands and apps too").
    #[expect(clippy::too_many_arguments, reason = "one use case, each argument a different input of it")]
    pub async fn change_password(
        &self,
        principal: &Principal,
        customer_id: &str,
        current: SecretString,
        code: Option<&str>,
        new_password: SecretString,
        keep_session: Option<&str>,
        all_grants: bool,
        meta: &RequestMeta,
    ) -> Result<(), LoginError> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        check_new_password(&new_password, &c)?;
        self.reauthenticate(principal, customer_id, current, code, meta).await?;
        let now = self.clock.now();
        let hash = self.hasher.hash(new_password, self.rng.as_ref()).await?;
        let mut tx = self.store.begin().await?;
        self.store_new_password(&mut tx, principal.actor(), &c, &hash, keep_session, all_grants, "password.changed", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every password change, inside `tx`: the new hash (a new version, so older reset
    /// links die), the end of every other session, with `all_grants` every grant of
    /// the customer (offline ones too), a notice by mail, an audit event.
    #[expect(clippy::too_many_arguments, reason = "the shared tail of reset and change")]
    async fn store_new_password(
        &self,
        tx: &mut crate::store::Tx,
        actor: Actor,
        c: &CustomerRow,
        hash: &str,
        keep_session: Option<&str>,
        all_grants: bool,
        action: &str,
        now: crate::UnixMillis,
    ) -> Result<()> {
        customers::set_password(tx, &c.id, hash, now).await?;
        let ended = self.end_sessions_tx(tx, &c.id, keep_session).await?;
        let revoked = if all_grants { self.revoke_customer_grants_tx(tx, &c.id, action, now).await? } else { 0 };
        let reset_link = self.link("/forgot-password");
        self.queue_mail(tx, &MailTo::customer_only(c), Template::PasswordChanged { reset_link: &reset_link }, now).await?;
        let detail = serde_json::json!({ "sessions_ended": ended, "grants_revoked": revoked });
        self.audit_customer(tx, actor, &c.id, action, detail, now).await
    }

    /// Starts an email change (the caller has checked a recent authentication): a link
    /// and code go to the new address; nothing changes until it is confirmed.
    pub async fn request_email_change(&self, principal: &Principal, customer_id: &str, new_email: &str) -> Result<()> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let email = Email::parse(new_email)?;
        let now = self.clock.now();
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        if email.normalized() == c.email_normalized {
            return Err(ParseError::Invalid { field: "New email", reason: Reason::SameEmail }.into());
        }
        let mut tx = self.store.begin().await?;
        let issued = self.issue_token(&mut tx, &c.id, Purpose::ChangeEmail, c.password_version, Some(email.as_str()), true, now).await?;
        let link = self.link(&format!("/account/confirm-email?token={}", issued.token));
        let code = issued.code.unwrap_or_default();
        self.queue_mail(&mut tx, &MailTo { email: email.as_str(), ..MailTo::customer_only(&c) }, Template::ConfirmEmailChange { link: &link, code: &code }, now).await?;
        self.audit_customer(&mut tx, principal.actor(), &c.id, "email.change_requested", serde_json::json!({}), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Confirms an email change by link (`token`: anyone holding it) or, for a signed-in
    /// customer, by code (`code`: the customer's id and the code).
    pub async fn confirm_email_change(&self, principal: &Principal, token: Option<&str>, code: Option<(&str, &str)>) -> Result<String> {
        match (token, code) {
            (None, Some((customer_id, _))) => authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?,
            _ => authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?,
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = match (token, code) {
            (Some(t), _) => redeem_token(&mut tx, Purpose::ChangeEmail, t, now).await?,
            (None, Some((customer_id, code))) => match redeem_code(&mut tx, customer_id, Purpose::ChangeEmail, code, now).await {
                Ok(row) => row,
                Err(e) => {
                    tx.commit().await?;
                    return Err(e);
                }
            },
            (None, None) => return Err(Error::TokenInvalid),
        };
        let new_email = Email::parse(row.new_email.as_deref().unwrap_or_default()).map_err(|_| Error::TokenInvalid)?;
        let c = customers::by_id_tx(&mut tx, &row.customer_id).await?.ok_or(Error::TokenInvalid)?;
        let taken = || ParseError::Invalid { field: "New email", reason: Reason::EmailUnusable };
        if customers::id_by_email_tx(&mut tx, new_email.normalized()).await?.is_some() {
            return Err(taken().into());
        }
        if !customers::set_email(&mut tx, &c.id, new_email.as_str(), new_email.normalized(), now).await? {
            return Err(taken().into());
        }
        let undo = self.issue_token(&mut tx, &c.id, Purpose::UndoEmailChange, c.password_version, Some(&c.email), false, now).await?;
        let undo_link = self.link(&format!("/account/undo-email?token={}", undo.token));
        self.queue_mail(&mut tx, &MailTo::customer_only(&c), Template::EmailChanged { undo_link: &undo_link }, now).await?;
        self.audit_customer(&mut tx, Actor::Customer(c.id.clone()), &c.id, "email.changed", serde_json::json!({}), now).await?;
        tx.commit().await?;
        Ok(c.id)
    }

    /// The old address takes the account back: the email is restored and every
    /// session ends.
    pub async fn undo_email_change(&self, principal: &Principal, token: &str) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = redeem_token(&mut tx, Purpose::UndoEmailChange, token, now).await?;
        let old = Email::parse(row.new_email.as_deref().unwrap_or_default()).map_err(|_| Error::TokenInvalid)?;
        if !customers::set_email(&mut tx, &row.customer_id, old.as_str(), old.normalized(), now).await? {
            return Err(Error::TokenInvalid);
        }
        self.end_sessions_tx(&mut tx, &row.customer_id, None).await?;
        self.audit_customer(&mut tx, Actor::Customer(row.customer_id.clone()), &row.customer_id, "email.change_undone", serde_json::json!({}), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
