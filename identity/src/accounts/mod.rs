//! Customer accounts: registration, sign-in, throttling and lock-out, recovery, email
//! and password changes, profile, sessions and activity. See
//! `docs/design/accounts.md` for the flows and what each defends against.

#[cfg(test)]
mod authorization_tests;
pub mod email_code;
pub mod known_mail;
pub mod login;
pub mod mfa;
pub mod passkeys;
pub mod profile;
pub mod provisional;
pub mod recovery;
pub mod register;
pub mod remember;
pub mod sessions;
pub mod site;
pub mod step_up;
pub mod throttle;
pub mod tokens;

use std::net::IpAddr;

use crate::audit::{self, Actor, AuditEvent};
use crate::email::{MailBrand, Template, Voice, mail_locale};
use crate::i18n::{Locale, TimeZone};
use crate::outbox::{self, OutboxEvent};
use crate::store::Tx;
use crate::{Identity, Result, UnixMillis};

/// What the web layer knows about the request, for throttling and audit.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The client address (already resolved through trusted proxies).
    pub ip: IpAddr,
    /// A short browser/OS label derived from the User-Agent ("Firefox on Linux").
    pub device: String,
    /// The browser's device cookie, where the caller passes it (sign-up records the
    /// creating browser: see [`provisional`]).
    pub device_id: Option<String>,
    /// The language the request asked for: mails it causes are in it unless the
    /// customer's profile names another ([`crate::email::mail_locale`]).
    pub locale: Locale,
    /// The brand whose flow this request belongs to (a sign-up or sign-in started
    /// from its authorization request): its mails carry the brand's name and logo.
    pub brand: Option<MailBrand>,
    /// The User-Agent as sent (at most 512 characters): evidence in consent records.
    pub user_agent: Option<String>,
    /// The request's id (`x-request-id`): evidence in consent records.
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn new(ip: IpAddr, user_agent: Option<&str>) -> Self {
        Self {
            ip,
            device: sessions::describe_user_agent(user_agent.unwrap_or("")),
            device_id: None,
            locale: Locale::default(),
            brand: None,
            user_agent: user_agent.map(|ua| ua.chars().take(512).collect()),
            request_id: None,
        }
    }

    /// The same, with the request's id.
    #[must_use]
    pub fn with_request_id(mut self, request_id: Option<&str>) -> Self {
        self.request_id = request_id.map(|id| id.chars().take(64).collect());
        self
    }

    /// The same, in the request's language.
    #[must_use]
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
    }

    /// The same, for a brand's flow.
    #[must_use]
    pub fn with_brand(mut self, brand: Option<MailBrand>) -> Self {
        self.brand = brand;
        self
    }

    /// The same, with the browser's device cookie.
    #[must_use]
    pub fn with_device_id(mut self, device_id: Option<String>) -> Self {
        self.device_id = device_id;
        self
    }
}

/// Where a mail goes and how it speaks: the address, the language
/// ([`mail_locale`]), the brand of the flow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MailTo<'a> {
    pub email: &'a str,
    pub locale: Locale,
    pub brand: Option<&'a MailBrand>,
    /// The profile's time zone (`zoneinfo`), if it has one.
    pub zone: Option<&'a str>,
}

impl<'a> MailTo<'a> {
    /// To a customer: in their profile's language, else `request`'s.
    pub fn customer(c: &'a crate::store::customers::CustomerRow, request: Locale, brand: Option<&'a MailBrand>) -> Self {
        Self { email: &c.email, locale: mail_locale(c.preferred_language.as_deref(), request), brand, zone: c.zoneinfo.as_deref() }
    }

    /// To a customer, for a request that did not say its language: the profile's, else English.
    pub fn customer_only(c: &'a crate::store::customers::CustomerRow) -> Self {
        Self::customer(c, Locale::default(), None)
    }

    /// To an address with no profile (yet): the request's language.
    pub fn address(email: &'a str, meta: &'a RequestMeta) -> Self {
        Self { email, locale: meta.locale, brand: meta.brand.as_ref(), zone: None }
    }
}

impl Identity {
    /// Appends an audit event about a customer inside `tx`.
    pub(crate) async fn audit_customer(
        &self,
        tx: &mut Tx,
        actor: Actor,
        customer_id: &str,
        action: &str,
        detail: serde_json::Value,
        now: UnixMillis,
    ) -> Result<()> {
        audit::record(tx, &AuditEvent {
            at: now,
            actor,
            subject: Some(format!("customer:{customer_id}")),
            action,
            reason: None,
            detail,
        })
        .await
    }

    /// Queues a mail inside `tx`: it leaves only if `tx` commits.
    pub(crate) async fn queue_mail(&self, tx: &mut Tx, to: &MailTo<'_>, template: Template<'_>, now: UnixMillis) -> Result<()> {
        if let Some(mail) = self.mail(to, template) {
            outbox::enqueue(tx, &mail, now).await?;
        }
        Ok(())
    }

    /// A mail rendered for the outbox, for a write that queues it itself; `None` for a
    /// managed household member, who has no address (`managed:<id>`): nothing to send.
    pub(crate) fn mail(&self, to: &MailTo<'_>, template: Template<'_>) -> Option<OutboxEvent> {
        if to.email.starts_with(crate::households::managed::NO_ADDRESS_PREFIX) {
            return None;
        }
        Some(OutboxEvent::Email(template.render(to.email, &self.voice(to.locale, to.brand, TimeZone::first_known([to.zone])))))
    }

    /// How mails speak in `locale`, for `brand`'s flow if any, times in `zone`.
    pub(crate) fn voice<'a>(&'a self, locale: Locale, brand: Option<&'a MailBrand>, zone: TimeZone) -> Voice<'a> {
        Voice { locale, product: &self.settings.product_name, public_url: &self.settings.public_url, brand, zone }
    }

    /// `<public url><path>`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url)
    }
}
