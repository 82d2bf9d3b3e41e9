//! Second factors: TOTP (RFC 6238) and recovery codes. See
//! `docs/design/authentication.md`.
//!
//! - TOTP secrets (160 bits) are sealed with the master key, bound to the customer.
//! - A TOTP code is accepted once per time step: the highest accepted step is stored
//!   and anything at or below it is refused; the window is ±1 step of 30 s.
//! - Recovery codes: 10 × 10 symbols (50 bits each), shown once, stored as SHA-256.
//! - Wrong codes count on the account's own second-step throttle (`mfa:<id>`), which a
//!   correct password never clears, toward the account's lock-out and against the IP.

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Totp};

use super::RequestMeta;
use super::login::{CodeRefusal, FirstStep};
use super::throttle::{IP_FREE_FAILURES, ip_key, mfa_key};
use crate::audit::Actor;
use crate::email::{FactorChange, Template};
use crate::metrics::FactorMethod;
use crate::store::credentials::{self, TotpRow};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::customers::CustomerRow;
use crate::store::Tx;
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

pub const RECOVERY_CODES: usize = 10;
const STEP_SECS: u64 = 30;

/// What the enrolment page shows. Holds the secret: never logged (`Debug` redacts).
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
    /// An SVG image of the QR code for `otpauth_url`, rendered by us.
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment([redacted])")
    }
}

/// Which second factors an account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondFactors {
    pub totp: bool,
    /// Passkeys that can still be used (not flagged).
    pub passkeys: i64,
    pub recovery_codes_left: i64,
    /// The account has a password (passkey-only accounts have none).
    pub password: bool,
}

impl SecondFactors {
    /// Two-step verification is on when the account has an authenticator app, or a
    /// password and a passkey: a password (or a mailed code) alone then never signs in.
    /// A passkey-only account signs in with the passkey; a mailed code alone also
    /// signs it in (its mailbox is its recovery), unless it added an authenticator app.
    pub fn any(&self) -> bool {
        self.totp || (self.passkeys > 0 && self.password)
    }
}

/// The throttle keys of a second step, checked before it and counted when it fails.
#[derive(Debug)]
pub(crate) struct SecondStepGate {
    customer: CustomerRow,
    mfa: String,
    /// The client IP's key and device label, when the step comes from a request.
    ip: Option<(String, String)>,
}

fn totp(secret: Vec<u8>, account: &str) -> Result<Totp> {
    totp_for("Foyer", secret, account)
}

/// RFC 6238 as authenticator apps expect it (SHA-1, six digits, 30 s, one step of skew),
/// under `issuer` (customers' "Foyer", staff's "Foyer staff").
pub(crate) fn totp_for(issuer: &str, secret: Vec<u8>, account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(secret)
        .with_issuer(Some(issuer))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|e| Error::Internal(format!("totp: {e}")))
}

/// What the enrolment step shows for `secret`: the QR code (SVG) and the secret as text.
fn enrolment_view(secret: &[u8], email: &str) -> Result<TotpEnrolment> {
    let totp = totp(secret.to_vec(), email)?;
    let otpauth_url = totp.to_url().map_err(|e| Error::Internal(format!("totp url: {e}")))?;
    let qr_svg = QrCode::new(otpauth_url.as_bytes())
        .map_err(|e| Error::Internal(format!("qr: {e}")))?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(TotpEnrolment { secret_base32: base32_of(secret), otpauth_url, qr_svg })
}

/// The associated data of values sealed for a customer's session.
fn session_associated(customer_id: &str) -> Vec<u8> {
    format!("session:{customer_id}").into_bytes()
}

fn associated(customer_id: &str) -> Vec<u8> {
    format!("totp:{customer_id}").into_bytes()
}

/// 10 symbols from a 32-letter alphabet without look-alikes, as `xxxxx-xxxxx`.
fn recovery_code(random: &[u8; 10]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789-";
    let chars: String = random.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).map(|c| if c == '-' { 'x' } else { c }).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

fn normalise_recovery(code: &str) -> String {
    code.trim().to_lowercase().replace([' ', '-'], "")
}

impl Identity {
    /// The customer's second factors (which steps a sign-in or a step-up can use).
    pub async fn second_factors_of(&self, principal: &Principal, customer_id: &str) -> Result<SecondFactors> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        self.second_factors(customer_id).await
    }

    /// The second steps a sign-in whose first step passed can use: asked before the
    /// customer is signed in (the pending first step is the proof, kept by the caller).
    pub async fn pending_second_steps(&self, principal: &Principal, customer_id: &str) -> Result<SecondFactors> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        self.second_factors(customer_id).await
    }

    pub(crate) async fn second_factors(&self, customer_id: &str) -> Result<SecondFactors> {
        // One round trip: this runs on every sign-in whose first step passed.
        let counts = self.store.factor_counts(customer_id).await?;
        Ok(SecondFactors { totp: counts.totp, passkeys: counts.passkeys, recovery_codes_left: counts.recovery_codes_left, password: counts.password })
    }

    /// Starts TOTP enrolment: a fresh secret, sealed and stored unconfirmed. Refused
    /// until the address is confirmed (`provisional`).
    pub async fn start_totp(&self, principal: &Principal, customer_id: &str) -> Result<TotpEnrolment> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        super::provisional::may_add_factor(c.email_verified)?;
        if self.second_factors(customer_id).await?.totp {
            return Err(crate::domain::ParseError::Invalid { field: "Code", reason: crate::domain::Reason::TotpAlreadySet }.into());
        }
        let mut secret = [0u8; 20];
        self.rng.fill(&mut secret);
        let sealed = self.master_key.seal(&secret, &associated(customer_id), self.rng.as_ref())?;
        self.store.totp_start(customer_id, &sealed, self.clock.now()).await?;
        enrolment_view(&secret, &c.email)
    }

    /// The enrolment started and not yet confirmed, shown again (the page a plain post
    /// lands on, a reload): the secret is opened from its sealed row, so it is kept
    /// nowhere else. `None` when nothing is pending.
    pub async fn pending_totp(&self, principal: &Principal, customer_id: &str) -> Result<Option<TotpEnrolment>> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let Some(c) = self.store.customer_by_id(customer_id).await? else { return Ok(None) };
        let mut tx = self.store.begin().await?;
        let row = credentials::totp_load(&mut tx, customer_id).await?;
        tx.commit().await?;
        let Some(row) = row.filter(|r| r.confirmed_at.is_none()) else { return Ok(None) };
        let secret = self.master_key.open(&row.secret_sealed, &associated(customer_id))?;
        enrolment_view(&secret, &c.email).map(Some)
    }

    /// Seals `plaintext` for the customer's own session (recovery codes on their way to
    /// the page a plain post lands on): a session row never holds a secret in clear.
    pub fn seal_for_session(&self, customer_id: &str, plaintext: &[u8]) -> Result<String> {
        self.master_key.seal(plaintext, &session_associated(customer_id), self.rng.as_ref())
    }

    /// Opens what [`Identity::seal_for_session`] sealed for this customer.
    pub fn open_from_session(&self, customer_id: &str, sealed: &str) -> Result<Vec<u8>> {
        self.master_key.open(sealed, &session_associated(customer_id))
    }

    /// Confirms enrolment with a first code; returns the recovery codes (shown once).
    pub async fn confirm_totp(&self, principal: &Principal, customer_id: &str, code: &str) -> Result<Vec<String>> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.require_confirmed_tx(&mut tx, customer_id).await?;
        let row = credentials::totp_load(&mut tx, customer_id).await?.ok_or(Error::TokenInvalid)?;
        if row.confirmed_at.is_some() {
            return Err(Error::TokenInvalid);
        }
        let step = self.match_totp(customer_id, &row, code, now)?.ok_or(Error::TokenInvalid)?;
        credentials::totp_confirm(&mut tx, customer_id, step, now).await?;
        let codes = self.replace_recovery_codes(&mut tx, customer_id, now).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "mfa.totp_enabled", serde_json::json!({}), now).await?;
        self.mail_factor_change(&mut tx, customer_id, FactorChange::TotpAdded, now).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Checks a second-factor code (TOTP, or a recovery code) for step-up. Wrong codes
    /// count on the account's second-step throttle and toward its lock-out.
    pub async fn verify_second_factor(&self, principal: &Principal, customer_id: &str, code: &str) -> Result<&'static str> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        self.verify_second_factor_from(customer_id, code, None).await
    }

    /// [`Self::verify_second_factor`] for a request: its IP is throttled too.
    pub(crate) async fn verify_second_factor_from(&self, customer_id: &str, code: &str, meta: Option<&RequestMeta>) -> Result<&'static str> {
        let now = self.clock.now();
        let gate = self.second_factor_gate_from(customer_id, meta, now).await?;
        let mut tx = self.store.begin().await?;
        let method = self.second_factor_in(&mut tx, customer_id, code, now).await?;
        tx.commit().await?;
        self.second_factor_outcome(&gate, method, code, now).await
    }

    /// Refuses while the account's second step is throttled (a reset link's second
    /// step: no IP is known).
    pub(crate) async fn second_factor_gate(&self, customer_id: &str, now: UnixMillis) -> Result<SecondStepGate> {
        self.second_factor_gate_from(customer_id, None, now).await
    }

    /// Refuses while the account's second step, or the request's IP, is throttled.
    pub(crate) async fn second_factor_gate_from(&self, customer_id: &str, meta: Option<&RequestMeta>, now: UnixMillis) -> Result<SecondStepGate> {
        let customer = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        let gate = SecondStepGate { customer, mfa: mfa_key(customer_id), ip: meta.map(|m| (ip_key(m.ip), m.device.clone())) };
        match &gate.ip {
            Some((ip, _)) => self.store.throttle_check(&[ip, &gate.mfa], now).await?,
            None => self.store.throttle_check(&[&gate.mfa], now).await?,
        }
        Ok(gate)
    }

    /// Spends a TOTP step or a recovery code inside `tx`; `None` when `code` is neither.
    pub(crate) async fn second_factor_in(&self, tx: &mut Tx, customer_id: &str, code: &str, now: UnixMillis) -> Result<Option<&'static str>> {
        if self.use_totp(tx, customer_id, code, now).await? {
            return Ok(Some("otp"));
        }
        if self.use_recovery_code(tx, customer_id, code, now).await? {
            self.audit_customer(tx, Actor::Customer(customer_id.to_owned()), customer_id, "mfa.recovery_code_used", serde_json::json!({}), now)
                .await?;
            return Ok(Some("recovery"));
        }
        Ok(None)
    }

    /// After the transaction: counts a failure when no factor matched (`code` was what
    /// was typed: its shape names the method counted). Success clears nothing here: the
    /// completed sign-in or step-up does.
    pub(crate) async fn second_factor_outcome(&self, gate: &SecondStepGate, method: Option<&'static str>, code: &str, now: UnixMillis) -> Result<&'static str> {
        match method {
            Some(method) => Ok(method),
            None => {
                self.second_factor_failed(FactorMethod::of_code(code), gate, now).await?;
                Err(Error::TokenInvalid)
            }
        }
    }

    /// Counts a wrong code: on the second step's throttle (one atomic statement), on
    /// the IP's when known, and toward the account's lock-out (audited as `mfa.failed`),
    /// then in this node's counters by `method` (`/metrics`, the operator dashboard).
    pub(crate) async fn second_factor_failed(&self, method: FactorMethod, gate: &SecondStepGate, now: UnixMillis) -> Result<()> {
        self.store.throttle_fail(&gate.mfa, now, self.settings.free_failures).await?;
        if let Some((ip, _)) = &gate.ip {
            self.store.throttle_fail(ip, now, IP_FREE_FAILURES).await?;
        }
        self.record_failure(Some(&gate.customer), "mfa.failed", gate.ip.as_ref().map(|(_, device)| device.as_str())).await?;
        self.counters.count_second_factor_failure(method);
        Ok(())
    }

    /// Turns the second factor off (the caller checked a recent strong authentication).
    pub async fn disable_totp(&self, principal: &Principal, customer_id: &str) -> Result<()> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        credentials::totp_delete(&mut tx, customer_id).await?;
        self.drop_unused_recovery_codes(&mut tx, customer_id).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "mfa.totp_disabled", serde_json::json!({}), now).await?;
        self.mail_factor_change(&mut tx, customer_id, FactorChange::TotpRemoved, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new set of recovery codes; the old set stops working.
    pub async fn regenerate_recovery_codes(&self, principal: &Principal, customer_id: &str) -> Result<Vec<String>> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        self.require_confirmed(customer_id).await?;
        if !self.second_factors(customer_id).await?.any() {
            return Err(Error::NotFound("second factor"));
        }
        let mut tx = self.store.begin().await?;
        let codes = self.replace_recovery_codes(&mut tx, customer_id, now).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "mfa.recovery_codes_regenerated", serde_json::json!({}), now).await?;
        self.mail_factor_change(&mut tx, customer_id, FactorChange::RecoveryCodesRenewed, now).await?;
        tx.commit().await?;
        Ok(codes)
    }

    pub(crate) async fn replace_recovery_codes(&self, tx: &mut Tx, customer_id: &str, now: UnixMillis) -> Result<Vec<String>> {
        credentials::recovery_delete_all(tx, customer_id).await?;
        let mut codes = Vec::with_capacity(RECOVERY_CODES);
        for _ in 0..RECOVERY_CODES {
            let mut random = [0u8; 10];
            self.rng.fill(&mut random);
            let code = recovery_code(&random);
            credentials::recovery_insert(tx, &self.new_id(), customer_id, &sha256_hex(normalise_recovery(&code).as_bytes()), now).await?;
            codes.push(code);
        }
        Ok(codes)
    }

    /// The matching time step of `code`, if it is within the window and newer than the
    /// last accepted step.
    fn match_totp(&self, customer_id: &str, row: &TotpRow, code: &str, now: UnixMillis) -> Result<Option<i64>> {
        Ok(self.totp_step(customer_id, row, code, now)?.filter(|s| *s > row.last_used_step))
    }

    /// The time step within the window that `code` matches, spent or not.
    fn totp_step(&self, customer_id: &str, row: &TotpRow, code: &str, now: UnixMillis) -> Result<Option<i64>> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let secret = self.master_key.open(&row.secret_sealed, &associated(customer_id))?;
        let totp = totp(secret, "account")?;
        let now_secs = u64::try_from(now / 1000).unwrap_or(0);
        Ok(totp.check(&code, now_secs).and_then(|s| i64::try_from(s).ok()))
    }

    async fn use_totp(&self, tx: &mut Tx, customer_id: &str, code: &str, now: UnixMillis) -> Result<bool> {
        let Some(row) = credentials::totp_load(tx, customer_id).await?.filter(|r| r.confirmed_at.is_some()) else { return Ok(false) };
        let Some(step) = self.match_totp(customer_id, &row, code, now)? else { return Ok(false) };
        // Conditional on the old step, so two concurrent uses of one code cannot both win.
        credentials::totp_advance(tx, customer_id, step).await
    }

    /// Why `code`, refused as a second step inside `tx`, was refused: an authenticator
    /// step or a recovery code already spent is "used"; the latest mailed code (after a
    /// password only) matched but no longer live is "expired" (or "used" once
    /// redeemed); anything else is "wrong". Reads only.
    pub(crate) async fn second_step_refusal(&self, tx: &mut Tx, customer_id: &str, first: FirstStep, code: &str, now: UnixMillis) -> Result<CodeRefusal> {
        if let Some(row) = credentials::totp_load(tx, customer_id).await?.filter(|r| r.confirmed_at.is_some())
            && self.totp_step(customer_id, &row, code, now)?.is_some_and(|step| step <= row.last_used_step)
        {
            return Ok(CodeRefusal::Used);
        }
        let normalised = normalise_recovery(code);
        if normalised.len() == 10 && credentials::recovery_spent(tx, customer_id, &sha256_hex(normalised.as_bytes())).await? {
            return Ok(CodeRefusal::Used);
        }
        if first == FirstStep::Password {
            if let Some(state) = super::tokens::latest_code_state(tx, customer_id, super::tokens::Purpose::SignInCode, code, now).await? {
                return Ok(state);
            }
        }
        Ok(CodeRefusal::Wrong)
    }

    async fn use_recovery_code(&self, tx: &mut Tx, customer_id: &str, code: &str, now: UnixMillis) -> Result<bool> {
        let normalised = normalise_recovery(code);
        if normalised.len() != 10 {
            return Ok(false);
        }
        credentials::recovery_use(tx, customer_id, &sha256_hex(normalised.as_bytes()), now).await
    }

    /// After a factor was removed inside `tx`: with no authenticator app and no passkey
    /// left, the recovery codes have nothing to recover and go too.
    pub(crate) async fn drop_unused_recovery_codes(&self, tx: &mut Tx, customer_id: &str) -> Result<()> {
        if credentials::count_second_factors(tx, customer_id).await? == 0 {
            credentials::recovery_delete_all(tx, customer_id).await?;
        }
        Ok(())
    }

    /// Tells the owner of a change to how they sign in (in their profile's language).
    pub(crate) async fn mail_factor_change(&self, tx: &mut Tx, customer_id: &str, change: FactorChange<'_>, now: UnixMillis) -> Result<()> {
        let Some(c) = crate::store::customers::by_id_tx(tx, customer_id).await? else { return Ok(()) };
        let link = self.link("/account/security");
        self.queue_mail(tx, &super::MailTo::customer_only(&c), Template::SecurityChange { change, link: &link }, now).await
    }
}

/// RFC 4648 base32 without padding, as authenticator apps expect.
fn base32_of(bytes: &[u8]) -> String {
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, bytes)
}

/// The current code for a base32 secret at `now` (tests and the CLI use it).
pub fn code_at(secret_base32: &str, now: UnixMillis) -> Option<String> {
    let secret = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret_base32)?;
    let totp = totp(secret, "account").ok()?;
    Some(totp.generate(u64::try_from(now / 1000).ok()?).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) -> last 6: 287082.
        let secret = base32_of(b"12345678901234567890");
        assert_eq!(code_at(&secret, 59_000).as_deref(), Some("287082"));
        assert_eq!(code_at(&secret, 1_111_111_109_000).as_deref(), Some("081804"));
    }

    #[test]
    fn recovery_codes_look_and_normalise_right() {
        let code = recovery_code(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 31]);
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert_eq!(normalise_recovery(" ABCDE-fghjk "), "abcdefghjk");
    }
}
