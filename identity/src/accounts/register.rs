//! Registration and email verification.

use secrecy::{ExposeSecret as _, SecretString};

use super::{MailTo, RequestMeta};
use super::throttle::{IP_FREE_FAILURES, ip_key};
use super::tokens::{Purpose, redeem_code, redeem_token};
use crate::audit::Actor;
use crate::domain::{Email, ParseError, PersonName, Reason};
use crate::email::{Template, mail_locale};
use crate::policy;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::customers::{self, CustomerRow};
use crate::{Error, Identity, Result};

/// Resends allowed per account in a throttle window.
const RESEND_FREE: i64 = 3;

#[derive(Debug)]
pub struct Registration {
    pub email: String,
    pub password: SecretString,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub accept_terms: bool,
}

/// A confirmed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub customer_id: String,
    /// A browser other than the creating one confirmed: the password set at sign-up
    /// went (`provisional`); the owner sets one by reset or signs in with a code.
    pub password_removed: bool,
}

/// The parsed, policy-checked registration.
pub(crate) struct Checked {
    pub(crate) email: Email,
    pub(crate) given_name: Option<PersonName>,
    pub(crate) family_name: Option<PersonName>,
}

/// The cheap checks, before the throttle: every field's length and form, the
/// password's length. Nothing here costs more than reading the input once.
fn check(input: &Registration) -> Result<Checked> {
    let mut errors = Vec::new();
    if let Some(reason) = length_reason(input.password.expose_secret()) {
        errors.push(ParseError::Invalid { field: "Password", reason });
    }
    check_profile(input, errors)
}

/// The password policy (zxcvbn), after the throttle, over the parsed (bounded) fields.
fn check_password(password: &SecretString, checked: &Checked) -> Result<()> {
    let personal: Vec<&str> = [Some(checked.email.as_str()), checked.given_name.as_ref().map(PersonName::as_str), checked.family_name.as_ref().map(PersonName::as_str)]
        .into_iter()
        .flatten()
        .collect();
    match password_reason(password.expose_secret(), &personal) {
        Some(reason) => Err(Error::Fields(vec![ParseError::Invalid { field: "Password", reason }])),
        None => Ok(()),
    }
}

/// The password's length refused, as a code.
fn length_reason(password: &str) -> Option<Reason> {
    policy::length_problem(password)?;
    // Fewer than the minimum code points is fewer than four bytes each.
    let short = password.len() < 4 * policy::MIN_CHARS && password.chars().count() < policy::MIN_CHARS;
    Some(if short { Reason::PasswordTooShort } else { Reason::PasswordTooLong })
}

/// The password policy's refusal (`policy::assess`) as a code: length, personal
/// words, or too easy to guess.
pub(crate) fn password_reason(password: &str, personal: &[&str]) -> Option<Reason> {
    if let Some(reason) = length_reason(password) {
        return Some(reason);
    }
    if policy::precheck(password, personal).is_err() {
        return Some(Reason::PasswordPersonal);
    }
    policy::assess(password, personal).problem.map(Reason::PasswordWeak)
}

/// Everything but the password (a passkey sign-up has none); adds to `errors`.
pub(crate) fn check_profile(input: &Registration, mut errors: Vec<ParseError>) -> Result<Checked> {
    let email = Email::parse(&input.email).map_err(|e| errors.insert(0, e)).ok();
    let given_name = PersonName::parse_optional("Given name", input.given_name.as_deref()).map_err(|e| errors.push(e)).ok().flatten();
    let family_name =
        PersonName::parse_optional("Family name", input.family_name.as_deref()).map_err(|e| errors.push(e)).ok().flatten();
    if !input.accept_terms {
        errors.push(ParseError::Invalid { field: "Terms", reason: Reason::TermsNotAccepted });
    }
    match (email, errors.is_empty()) {
        (Some(email), true) => Ok(Checked { email, given_name, family_name }),
        _ => Err(Error::Fields(errors)),
    }
}

impl Identity {
    /// Registers a customer. The answer is the same whether the address is new or not:
    /// a new address gets a verification mail, a known one a "someone tried" mail.
    pub async fn register(&self, principal: &Principal, input: Registration, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        // Cheap checks, then the throttle, then the expensive work (policy, hashing).
        let checked = check(&input)?;
        let now = self.clock.now();
        let ip = ip_key(meta.ip);
        self.store.throttle_check(&[&ip], now).await?;
        check_password(&input.password, &checked)?;
        // Hash in both cases so the timing does not tell the two apart.
        let hash = self.hasher.hash(input.password, self.rng.as_ref()).await?;
        let row = CustomerRow {
            id: self.new_id(),
            email: checked.email.as_str().to_owned(),
            email_normalized: checked.email.normalized().to_owned(),
            given_name: checked.given_name.map(|n| n.as_str().to_owned()),
            family_name: checked.family_name.map(|n| n.as_str().to_owned()),
            password_hash: Some(hash),
            email_verified: false,
            created_at: now,
            updated_at: now,
            terms_accepted_at: Some(now),
            ..CustomerRow::default()
        };
        // The group's terms (its required purposes) as signed records, made before the
        // transaction and written only if the account is created.
        let terms = self.prepare_registration_terms(&row.id, meta).await?;
        let mut tx = self.store.begin().await?;
        if self.create_or_notify(&mut tx, &row, meta, now).await? {
            self.record_creating_browser(&mut tx, &row.id, meta).await?;
            self.write_records(&mut tx, &terms).await?;
        }
        tx.commit().await?;
        // Registration is a cheap way to make us send mail: count it against the IP.
        self.store.throttle_fail(&ip, now, IP_FREE_FAILURES).await?;
        Ok(())
    }

    /// Creates the account and mails a verification link and code; or, when the
    /// address is taken, mails its owner that someone tried. True when created. The
    /// verification is in the request's language, the owner's notice in the owner's
    /// (else the request's); both for the request's brand.
    pub(crate) async fn create_or_notify(&self, tx: &mut crate::store::Tx, row: &CustomerRow, meta: &RequestMeta, now: i64) -> Result<bool> {
        let to = MailTo::address(&row.email, meta);
        if customers::insert_if_absent(tx, row).await? {
            self.queue_verification_tx(tx, &to, &row.id, now).await?;
            self.audit_customer(tx, Actor::Customer(row.id.clone()), &row.id, "customer.registered", serde_json::json!({}), now).await?;
            return Ok(true);
        }
        let login_link = self.link("/login");
        let reset_link = self.link("/forgot-password");
        let owner = match customers::id_by_email_tx(tx, &row.email_normalized).await? {
            Some(id) => customers::by_id_tx(tx, &id).await?,
            None => None,
        };
        let to = MailTo { locale: mail_locale(owner.as_ref().and_then(|o| o.preferred_language.as_deref()), meta.locale), ..to };
        self.queue_mail(tx, &to, Template::RegistrationAttempt { login_link: &login_link, reset_link: &reset_link }, now).await?;
        Ok(false)
    }

    /// Confirms an address from the link, in the browser with the device cookie
    /// `device_id`: from another browser than the one that created the account, what
    /// the account held is cleared first (`provisional`), the password too.
    pub async fn verify_email_link(&self, principal: &Principal, token: &str, device_id: Option<&str>) -> Result<Confirmed> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = redeem_token(&mut tx, Purpose::VerifyEmail, token, now).await?;
        let confirmed = self.mark_verified(&mut tx, &row.customer_id, device_id, now).await?;
        tx.commit().await?;
        Ok(confirmed)
    }

    /// Confirms an address with the mailed code (as the link does). Unknown address and
    /// wrong code give the same error.
    pub async fn verify_email_code(&self, principal: &Principal, email: &str, code: &str, device_id: Option<&str>) -> Result<Confirmed> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let now = self.clock.now();
        let Ok(email) = Email::parse(email) else { return Err(Error::TokenInvalid) };
        let Some(customer) = self.store.customer_by_email(email.normalized()).await? else { return Err(Error::TokenInvalid) };
        let mut tx = self.store.begin().await?;
        match redeem_code(&mut tx, &customer.id, Purpose::VerifyEmail, code, now).await {
            Ok(_) => {
                let confirmed = self.mark_verified(&mut tx, &customer.id, device_id, now).await?;
                tx.commit().await?;
                Ok(confirmed)
            }
            Err(e) => {
                tx.commit().await?; // keep the attempt count
                Err(e)
            }
        }
    }

    async fn mark_verified(&self, tx: &mut crate::store::Tx, customer_id: &str, device_id: Option<&str>, now: i64) -> Result<Confirmed> {
        let proof = self.confirmation_tx(tx, customer_id, device_id).await?;
        let removed = self.address_proven_tx(tx, customer_id, proof, now).await?;
        customers::mark_verified(tx, customer_id, now).await?;
        let detail = serde_json::json!({ "how": proof.as_str() });
        self.audit_customer(tx, Actor::Customer(customer_id.to_owned()), customer_id, "customer.email_verified", detail, now).await?;
        Ok(Confirmed { customer_id: customer_id.to_owned(), password_removed: removed.password })
    }

    /// A fresh confirmation link and code for `customer_id` (earlier ones retired), mailed
    /// `to` inside `tx`: the customer's own resend and support's.
    pub(crate) async fn queue_verification_tx(&self, tx: &mut crate::store::Tx, to: &MailTo<'_>, customer_id: &str, now: i64) -> Result<()> {
        let issued = self.issue_token(tx, customer_id, Purpose::VerifyEmail, 0, None, true, now).await?;
        let link = self.link(&format!("/verify?token={}", issued.token));
        let code = issued.code.unwrap_or_default();
        self.queue_mail(tx, to, Template::VerifyEmail { link: &link, code: &code }, now).await
    }

    /// Sends a fresh verification mail to a signed-in, unverified customer (limited).
    /// In the profile's language, else the request's.
    pub async fn resend_verification(&self, principal: &Principal, customer_id: &str, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let key = format!("resend:{customer_id}");
        self.store.throttle_check(&[&key], now).await?;
        let customer = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        if customer.email_verified {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        self.queue_verification_tx(&mut tx, &MailTo::customer(&customer, meta.locale, meta.brand.as_ref()), &customer.id, now).await?;
        tx.commit().await?;
        self.store.throttle_fail(&key, now, RESEND_FREE).await?;
        Ok(())
    }
}
