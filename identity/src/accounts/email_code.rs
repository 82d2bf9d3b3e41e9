//! Sign-in with a mailed 6-digit code: passwordless, or the fallback second step after
//! a password. Codes live 10 minutes, work once, allow 5 guesses, and are stored as
//! salted hashes (`account_tokens`, purpose `sign_in_code`). Asking for a code answers
//! the same whether the address has an account or not; the number of codes an address
//! and an IP can ask for is limited.

use super::{MailTo, RequestMeta};
use super::login::{FirstStep, LoginError, LoginStep};
use super::throttle::{IP_FREE_FAILURES, ip_key};
use super::tokens::{Purpose, redeem_code};
use crate::domain::Email;
use crate::email::Template;
use crate::outbox::KnownMail;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Error, Identity, Result, UnixMillis};

/// Codes an address can ask for in a throttle window before it must wait.
const CODES_FREE: i64 = 3;

fn send_key(normalized_email: &str) -> String {
    format!("code:{normalized_email}")
}

impl Identity {
    /// Mails a sign-in code when the address has an account that can sign in. The
    /// answer, and what the request writes, are the same either way.
    pub async fn send_sign_in_code(&self, principal: &Principal, email: &str, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let email = Email::parse(email)?;
        let now = self.clock.now();
        let (ip, key) = (ip_key(meta.ip), send_key(email.normalized()));
        self.store.throttle_check(&[&ip, &key], now).await?;
        // The outbox worker issues the code if the address has an account that can sign
        // in: the request writes the same either way (see `known_mail`).
        self.queue_mail_if_known(KnownMail::SignInCode, &email, meta, now).await?;
        self.store.throttle_fail(&ip, now, IP_FREE_FAILURES).await?;
        self.store.throttle_fail(&key, now, CODES_FREE).await?;
        Ok(())
    }

    /// Mails a code as the fallback second step of a sign-in whose password passed.
    pub async fn send_second_factor_code(&self, principal: &Principal, customer_id: &str, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        let now = self.clock.now();
        let key = send_key(&c.email_normalized);
        self.store.throttle_check(&[&key], now).await?;
        self.mail_sign_in_code(&c, meta, now).await?;
        self.store.throttle_fail(&key, now, CODES_FREE).await?;
        Ok(())
    }

    async fn mail_sign_in_code(&self, c: &crate::store::customers::CustomerRow, meta: &RequestMeta, now: UnixMillis) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let issued = self.issue_token(&mut tx, &c.id, Purpose::SignInCode, 0, None, true, now).await?;
        let code = issued.code.unwrap_or_default();
        self.queue_mail(&mut tx, &MailTo::customer(c, meta.locale, meta.brand.as_ref()), Template::SignInCode { code: &code }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs in with a mailed code. Accounts with two-step verification continue with
    /// their second factor (not another mailed code).
    pub async fn login_with_code(&self, principal: &Principal, email: &str, code: &str, device_id: Option<&str>, meta: &RequestMeta) -> Result<LoginStep, LoginError> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let now = self.clock.now();
        let (gate, customer) = self.first_step_gate(email, meta, now).await?;
        // An unknown address runs the same transaction (it finds no code), so known and
        // unknown addresses cost the same writes.
        let mut tx = self.store.begin().await?;
        let outcome = redeem_code(&mut tx, customer.as_ref().map_or("", |c| c.id.as_str()), Purpose::SignInCode, code, now).await;
        tx.commit().await?; // keeps the attempt count
        let redeemed = outcome.is_ok();
        match customer {
            // Nothing is cleared yet: the completed sign-in does that (`finish_sign_in`).
            Some(c) if redeemed && c.locked_at.is_none() => {
                if self.second_factors(&c.id).await?.any() {
                    return Ok(LoginStep::SecondFactor { customer_id: c.id, first: FirstStep::EmailCode });
                }
                Ok(LoginStep::SignedIn(self.finish_sign_in(c, device_id, meta, vec![FirstStep::EmailCode.amr()], Some(false)).await?))
            }
            _ => {
                gate.failed(self, now).await?;
                Err(LoginError::CodeFailed)
            }
        }
    }
}
