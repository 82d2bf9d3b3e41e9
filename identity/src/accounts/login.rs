//! Sign-in with email and password: uniform failures, throttling, lock-out and
//! unlock, legacy-hash upgrade, new-device notice.

use secrecy::SecretString;

use super::{MailTo, RequestMeta};
use super::throttle::{IP_FREE_FAILURES, account_key, ip_key, mfa_key};
use super::tokens::{Purpose, redeem_code, redeem_token};
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::Email;
use crate::email::Template;
use crate::store::customers::{self, CustomerRow};
use crate::store::{devices, throttle};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Error, Identity, Result, sha256_hex};

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub customer_id: String,
    pub auth_time: i64,
    /// The device cookie to (re)set: it lets us recognise this browser next time.
    pub device_id: String,
    pub email_verified: bool,
    /// How the customer authenticated, in OIDC `amr` names (`pwd`, `otp`, `mfa`).
    pub amr: Vec<&'static str>,
    /// The profile's language and time zone as the sign-in read them with the account
    /// (the pages follow them from the first page on).
    pub preferred_language: Option<String>,
    pub zoneinfo: Option<String>,
    /// When the account is to be erased, if its deletion is scheduled: the sign-in is
    /// held at the page that offers to cancel it.
    pub erase_at: Option<crate::UnixMillis>,
}

/// The authentication level of a sign-in, from its `amr`, as OIDC `acr` values:
/// `foyer:mfa` (two distinct factors), `foyer:passkey` (a passkey with user
/// verification alone) or `foyer:pwd` (one knowledge or mailbox factor).
pub fn acr_of(amr: &[impl AsRef<str>]) -> &'static str {
    let has = |m: &str| amr.iter().any(|a| a.as_ref() == m);
    if has("mfa") {
        "foyer:mfa"
    } else if has("user") && (has("hwk") || has("swk")) {
        "foyer:passkey"
    } else {
        "foyer:pwd"
    }
}

/// A successful re-authentication (step-up): when, and how (OIDC `amr` names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepUp {
    pub at: i64,
    pub amr: Vec<&'static str>,
}

/// Where a correct password (or mailed code) leads.
#[derive(Debug, Clone)]
pub enum LoginStep {
    SignedIn(SignedIn),
    /// The account has a second factor: nobody is signed in until it is presented.
    SecondFactor { customer_id: String, first: FirstStep },
}

/// What the first step of a two-step sign-in was. A mailed code cannot also be the
/// second step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstStep {
    Password,
    EmailCode,
}

impl FirstStep {
    /// How the web layer keeps it in the pending session.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::EmailCode => "email",
        }
    }

    /// Anything unknown is a password step (the stricter reading).
    pub fn parse(s: &str) -> Self {
        if s == "email" { Self::EmailCode } else { Self::Password }
    }

    /// Its OIDC `amr` value (RFC 8176): a mailed code is a one-time password.
    pub fn amr(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::EmailCode => "otp",
        }
    }
}

/// Why a sign-in did not happen, as the web layer must answer it.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong email, wrong password, locked account: one answer for all.
    #[error("Email or password is incorrect, or the account cannot sign in right now.")]
    Failed,
    /// A mailed sign-in code that is wrong, used or expired (or no such account).
    #[error("That code is not right or has expired. Ask for a new one if needed.")]
    CodeFailed,
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    Throttled { retry_after_secs: i64 },
    /// The account has a second factor and no code came with the request.
    #[error("Enter the code from your authenticator app.")]
    SecondFactorRequired,
    /// After a correct first step, the second-step code was refused, and why. The
    /// first step already proved the account, so saying which costs nothing; the
    /// failure was counted exactly like any other (`docs/design/authentication.md`).
    #[error("{0}")]
    SecondStep(CodeRefusal),
    #[error(transparent)]
    Other(Error),
}

/// Why a second-step code (authenticator app, recovery code, mailed code) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefusal {
    /// Matches nothing the account has.
    #[error("That code is not right.")]
    Wrong,
    /// A code that worked once: an authenticator step or recovery code already spent.
    #[error("That code has already been used.")]
    Used,
    /// The mailed code's time (or its attempts) ran out.
    #[error("That code has expired, ask for a new one.")]
    Expired,
}

/// A throttled core call is a throttled sign-in; anything else passes through.
impl From<Error> for LoginError {
    fn from(e: Error) -> Self {
        match e {
            Error::Throttled { retry_after_secs } => Self::Throttled { retry_after_secs },
            other => Self::Other(other),
        }
    }
}

/// A refused second factor answers like a refused password.
fn factor_error(e: Error) -> LoginError {
    match e {
        Error::TokenInvalid => LoginError::Failed,
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_methods() {
        assert_eq!(acr_of(&["pwd"]), "foyer:pwd");
        assert_eq!(acr_of(&["otp"]), "foyer:pwd", "a mailed code alone is one factor");
        assert_eq!(acr_of(&["hwk", "user"]), "foyer:passkey");
        assert_eq!(acr_of(&["swk", "user"]), "foyer:passkey");
        assert_eq!(acr_of(&["pwd", "otp", "mfa"]), "foyer:mfa");
        assert_eq!(acr_of(&["pwd", "hwk", "user", "mfa"]), "foyer:mfa");
        assert_eq!(acr_of(&["user"]), "foyer:pwd", "user verification without a key proves nothing alone");
        assert_eq!(FirstStep::parse("email"), FirstStep::EmailCode);
        assert_eq!(FirstStep::parse("anything"), FirstStep::Password);
    }
}

/// The throttle keys of a first sign-in step (the address and the client IP).
#[derive(Debug)]
pub(crate) struct FirstStepGate {
    pub(crate) acct: String,
    pub(crate) ip: String,
}

impl FirstStepGate {
    /// Counts a refused first step against both keys.
    pub(crate) async fn failed(&self, id: &Identity, now: i64) -> Result<()> {
        id.store.throttle_fail(&self.ip, now, IP_FREE_FAILURES).await?;
        id.store.throttle_fail(&self.acct, now, id.settings.free_failures).await?;
        Ok(())
    }
}

impl Identity {
    /// Refuses a throttled address or IP; otherwise finds the account, if any.
    pub(crate) async fn first_step_gate(&self, email: &str, meta: &RequestMeta, now: i64) -> Result<(FirstStepGate, Option<CustomerRow>)> {
        let normalized = Email::parse(email).map(|e| e.normalized().to_owned()).unwrap_or_else(|_| email.trim().to_lowercase());
        let gate = FirstStepGate { acct: account_key(&normalized), ip: ip_key(meta.ip) };
        self.store.throttle_check(&[&gate.ip, &gate.acct], now).await?;
        // A managed household member (`managed:<id>`) is no account that signs in: it is
        // answered as an unknown address, and no failure is counted against it.
        Ok((gate, self.store.customer_by_email(&normalized).await?.filter(|c| !c.managed)))
    }

    pub async fn login(
        &self,
        principal: &Principal,
        email: &str,
        password: SecretString,
        device_id: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<LoginStep, LoginError> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        // A storm's refused caller is refused before the reads: it checked nothing and
        // is counted nowhere, as when the hash itself is refused.
        self.hasher.refuse_if_full()?;
        let now = self.clock.now();
        let (gate, customer) = self.first_step_gate(email, meta, now).await?;
        let stored = customer.as_ref().and_then(|c| c.password_hash.clone());
        let verified = self.hasher.verify_or_dummy(password.clone(), stored, self.rng.as_ref()).await?;
        match customer {
            Some(c) if verified.matches && c.locked_at.is_none() => {
                self.password_accepted(&c, password, verified.needs_rehash).await?;
                if self.second_factors(&c.id).await?.any() {
                    return Ok(LoginStep::SecondFactor { customer_id: c.id, first: FirstStep::Password });
                }
                Ok(LoginStep::SignedIn(self.finish_sign_in(c, device_id, meta, vec!["pwd"], Some(false)).await?))
            }
            other => {
                gate.failed(self, now).await?;
                // Known or not, the same writes: an unknown address must not be quicker.
                self.record_failure(other.as_ref(), "login.failed", Some(&meta.device)).await?;
                Err(LoginError::Failed)
            }
        }
    }

    /// The password was right: upgrade an outdated hash. Nothing is reset here: the
    /// failure count and the throttles wait for the completed sign-in
    /// ([`Identity::finish_sign_in`]), or a second step could be guessed without end
    /// by entering the password again between guesses.
    async fn password_accepted(&self, c: &CustomerRow, password: SecretString, needs_rehash: bool) -> Result<()> {
        // Upgrade imported or outdated hashes while we hold the plaintext. Not a
        // password change: the version (and so reset links) stay as they are.
        if needs_rehash {
            let hash = self.hasher.hash(password, self.rng.as_ref()).await?;
            let mut tx = self.store.begin().await?;
            customers::rehash_password(&mut tx, &c.id, &hash).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Completes a sign-in whose first step passed, with the second factor: a TOTP
    /// code, a recovery code, or (after a password) a mailed sign-in code.
    pub async fn complete_second_factor(
        &self,
        principal: &Principal,
        customer_id: &str,
        first: FirstStep,
        code: &str,
        device_id: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<SignedIn, LoginError> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        if c.locked_at.is_some() {
            return Err(LoginError::Failed);
        }
        let now = self.clock.now();
        let gate = self.second_factor_gate_from(customer_id, Some(meta), now).await?;
        let mut tx = self.store.begin().await?;
        let mut method = self.second_factor_in(&mut tx, customer_id, code, now).await?;
        if method.is_none() && first == FirstStep::Password && redeem_code(&mut tx, customer_id, Purpose::SignInCode, code, now).await.is_ok() {
            method = Some("otp");
        }
        // Only reads: the refusal's reason changes nothing that is counted.
        let refusal = match method {
            Some(_) => None,
            None => Some(self.second_step_refusal(&mut tx, customer_id, first, code, now).await?),
        };
        tx.commit().await?;
        let method = self.second_factor_outcome(&gate, method, code, now).await.map_err(|e| match (e, refusal) {
            (Error::TokenInvalid, Some(why)) => LoginError::SecondStep(why),
            (other, _) => factor_error(other),
        })?;
        let mut amr = vec![first.amr()];
        if method == "otp" && !amr.contains(&"otp") {
            amr.push("otp");
        }
        amr.push("mfa");
        Ok(self.finish_sign_in(c, device_id, meta, amr, None).await?)
    }

    /// The bookkeeping of every successful sign-in: device, audit, new-device mail, and
    /// the end of the failure counters. The address's throttle ends with any completed
    /// sign-in; the failure count (lock-out) and the second step's throttle only with a
    /// sign-in as strong as the account allows (a second factor or a passkey, or any
    /// sign-in of an account without a second factor): a remembered device proves only
    /// the password and clears neither. `second_factor`: whether the account has one,
    /// when the caller has just read it (`None`: read here, and only for a one-factor
    /// sign-in, the one case it decides). All of it is one write
    /// ([`crate::store::Store::record_sign_in`]).
    pub(crate) async fn finish_sign_in(
        &self,
        c: CustomerRow,
        device_id: Option<&str>,
        meta: &RequestMeta,
        amr: Vec<&'static str>,
        second_factor: Option<bool>,
    ) -> Result<SignedIn> {
        let now = self.clock.now();
        let strong = match second_factor {
            _ if acr_of(&amr) != "foyer:pwd" => true,
            Some(has_one) => !has_one,
            None => !self.second_factors(&c.id).await?.any(),
        };
        let device_id = device_id.filter(|d| d.len() >= 32 && d.len() <= 64).map_or_else(|| self.new_token(), str::to_owned);
        let device_hash = sha256_hex(device_id.as_bytes());
        let acct = account_key(&c.email_normalized);
        let second = if strong { mfa_key(&c.id) } else { acct.clone() };
        let detail = |new_device: bool| serde_json::json!({ "device": meta.device, "new_device": new_device, "amr": amr }).to_string();
        // Rendered before the write, whether or not the browser turns out new: the write
        // (on SQLite, the process's write turn) holds nothing while a template renders.
        let devices_link = self.link("/account/devices");
        let to = MailTo::customer(&c, meta.locale, meta.brand.as_ref());
        let mail = self.mail(&to, Template::NewSignIn { device: &meta.device, at: now, devices_link: &devices_link }).map(|m| serde_json::to_string(&m)).transpose()?;
        let erase_at = self
            .store
            .record_sign_in(&devices::SignInRecord {
                customer_id: &c.id,
                device_hash: &device_hash,
                at: now,
                strong,
                clears: [&acct, &second],
                audited_as: &Actor::Customer(c.id.clone()).label(),
                detail_new: detail(true),
                detail_known: detail(false),
                mail,
            })
            .await?;
        Ok(SignedIn {
            customer_id: c.id,
            auth_time: now,
            device_id,
            email_verified: c.email_verified,
            amr,
            preferred_language: c.preferred_language,
            zoneinfo: c.zoneinfo,
            erase_at,
        })
    }

    /// Counts a failed sign-in step (`action`: `login.failed`, `mfa.failed`) against
    /// the account; locks it at the threshold and mails an unlock link. Without an
    /// account (unknown address) it runs the same statements, which touch no customer,
    /// and audits the attempt without a subject: known and unknown addresses cost the
    /// same writes, so timing does not tell them apart.
    pub(crate) async fn record_failure(&self, c: Option<&CustomerRow>, action: &str, device: Option<&str>) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let failures = customers::count_failure(&mut tx, c.map(|c| c.id.as_str())).await?.unwrap_or(0);
        let detail = serde_json::json!({ "device": device, "consecutive_failures": failures });
        let subject = c.map(|c| format!("customer:{}", c.id));
        audit::record(&mut tx, &AuditEvent { at: now, actor: Actor::System, subject, action, reason: None, detail }).await?;
        let Some(c) = c else { return tx.commit().await };
        let locks = failures >= self.settings.lockout_threshold && c.locked_at.is_none();
        if locks {
            customers::lock(&mut tx, &c.id, now).await?;
            let issued = self.issue_token(&mut tx, &c.id, Purpose::Unlock, c.password_version, None, false, now).await?;
            let link = self.link(&format!("/unlock?token={}", issued.token));
            self.queue_mail(&mut tx, &MailTo::customer_only(c), Template::Unlock { link: &link }, now).await?;
            self.audit_customer(&mut tx, Actor::System, &c.id, "account.locked", serde_json::json!({ "failures": failures }), now).await?;
        }
        tx.commit().await?;
        // Counted once committed: exactly the lock-outs `account.locked` records.
        if locks {
            self.counters.count_lockout();
        }
        Ok(())
    }

    /// Unlocks the account from the mailed link. It lifts the lock after failed sign-ins
    /// only: an account a support lead locked stays locked (the link answers as an
    /// invalid one; a support lock also retires the links mailed before it).
    pub async fn unlock(&self, principal: &Principal, token: &str) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = redeem_token(&mut tx, Purpose::Unlock, token, now).await?;
        if !customers::unlock(&mut tx, &row.customer_id, now).await? {
            return Err(Error::TokenInvalid);
        }
        self.audit_customer(&mut tx, Actor::Customer(row.customer_id.clone()), &row.customer_id, "account.unlocked", serde_json::json!({}), now)
            .await?;
        tx.commit().await?;
        if let Some(c) = self.store.customer_by_id(&row.customer_id).await? {
            self.store.throttle_clear(&account_key(&c.email_normalized)).await?;
        }
        Ok(())
    }

    /// Checks the password of a signed-in customer (re-authentication before a
    /// sensitive action). Failures count and throttle like sign-in failures (address
    /// and IP). Accounts with a second factor must present it too (`code`); its
    /// failures count like a sign-in's second step. The answer says how strongly the
    /// customer proved it (`amr`), so the session's level can rise with it.
    pub async fn reauthenticate(&self, principal: &Principal, customer_id: &str, password: SecretString, code: Option<&str>, meta: &RequestMeta) -> Result<StepUp, LoginError> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        self.hasher.refuse_if_full()?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        let gate = FirstStepGate { acct: account_key(&c.email_normalized), ip: ip_key(meta.ip) };
        self.store.throttle_check(&[&gate.ip, &gate.acct], now).await?;
        let verified = self.hasher.verify_or_dummy(password, c.password_hash.clone(), self.rng.as_ref()).await?;
        if verified.matches && c.locked_at.is_none() {
            let mut amr = vec!["pwd"];
            if self.second_factors(&c.id).await?.any() {
                let Some(code) = code.filter(|c| !c.trim().is_empty()) else { return Err(LoginError::SecondFactorRequired) };
                let method = self.verify_second_factor_from(&c.id, code, Some(meta)).await.map_err(factor_error)?;
                if method == "otp" {
                    amr.push("otp");
                }
                amr.push("mfa");
            }
            let mut tx = self.store.begin().await?;
            let second = if amr.contains(&"mfa") { mfa_key(&c.id) } else { gate.acct.clone() };
            throttle::clear_pair_tx(&mut tx, &gate.acct, &second).await?;
            self.audit_customer(&mut tx, principal.actor(), &c.id, "customer.reauthenticated", serde_json::json!({}), now)
                .await?;
            tx.commit().await?;
            return Ok(StepUp { at: now, amr });
        }
        gate.failed(self, now).await?;
        self.record_failure(Some(&c), "login.failed", Some(&meta.device)).await?;
        Err(LoginError::Failed)
    }
}
