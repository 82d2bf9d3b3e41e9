//! Seeding helpers: the state a scenario starts from, made through Foyer's own use cases
//! (never SQL), so a test reads as "given a confirmed customer, a brand, a client…".
//!
//! Mail the seeding needs (the confirmation link) is read where the server delivers it:
//! the test SMTP server (`with_smtp()`), else the development mailbox. An app built
//! `without_worker()` gets one delivery pass of everything due, into the mailbox.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use identity::accounts::RequestMeta;
use identity::accounts::register::Registration;
use identity::store::brands::BrandRow;
use identity::brand::BrandSlug;
use identity::domain::Email;
use identity::oidc::clients::{ClientSpec, NewClient};
use identity::loyalty::brand_api::MemberReport;
use identity::loyalty::programme::{NewProgramme, Programme};
use identity::principal::Principal;
use identity::staff::StaffRole;
use secrecy::{ExposeSecret as _, SecretString};

use super::TestApp;

/// The device cookie of the "browser" seeded customers sign up and confirm from: a
/// confirmation from the creating browser keeps what the account holds (see
/// `identity::accounts::provisional`), as a real sign-up confirmed on the same device.
pub const SEED_DEVICE: &str = "harness-seed-device-0123456789abcdef0123";

/// The subject of the confirmation mail sent at sign-up.
pub const VERIFY_SUBJECT: &str = "Confirm your email address";

/// Request metadata of a seeding step: a documentation address (192.0.2.`last`) and
/// the [`SEED_DEVICE`] cookie.
pub fn seed_meta(last: u8) -> RequestMeta {
    RequestMeta::new(IpAddr::from([192, 0, 2, last]), None).with_device_id(Some(SEED_DEVICE.to_owned()))
}

impl TestApp {
    /// A customer registered with `password` AND confirmed (through the mailed link);
    /// returns the customer id.
    pub async fn with_customer(&self, email: &str, password: &str) -> String {
        let id = self.with_unconfirmed_customer(email, password).await;
        self.confirm_email(email).await;
        id
    }

    /// A customer registered with `password` who has not confirmed the address yet.
    pub async fn with_unconfirmed_customer(&self, email: &str, password: &str) -> String {
        let registration =
            Registration { email: email.into(), password: SecretString::from(password.to_owned()), given_name: None, family_name: None, accept_terms: true };
        self.register_customer(registration, &seed_meta(1)).await
    }

    /// Registers through the core (as the sign-up page does) and returns the new id.
    pub async fn register_customer(&self, registration: Registration, meta: &RequestMeta) -> String {
        let email = Email::parse(&registration.email).expect("a valid address");
        self.identity.register(&Principal::Anonymous, registration, meta).await.expect("registration");
        let row = self.identity.store().customer_by_email(email.normalized()).await.expect("read customer").expect("registered");
        row.id
    }

    /// Confirms `email` with the link of the newest confirmation mail, from the browser
    /// that signed up ([`SEED_DEVICE`]).
    pub async fn confirm_email(&self, email: &str) {
        let text = self.mail_text(email, VERIFY_SUBJECT).await;
        let marker = format!("{}/verify?token=", self.public_url);
        let token = text_after(&text, &marker);
        assert!(token.len() >= 32, "a confirmation token in the mail to {email}: {token:?}");
        self.identity.verify_email_link(&Principal::Anonymous, &token, Some(SEED_DEVICE)).await.expect("confirmation");
    }

    /// A brand named after its slug.
    pub async fn with_brand(&self, slug: &str) -> BrandRow {
        self.with_brand_named(slug, slug).await
    }

    pub async fn with_brand_named(&self, slug: &str, name: &str) -> BrandRow {
        let slug = BrandSlug::parse(slug).expect("a valid brand slug");
        self.identity.create_brand(&Principal::Operator, &slug, name).await.expect("brand created")
    }

    /// A confidential web client of `brand` with one redirect URI (http loopback allowed).
    pub async fn with_client(&self, brand: &str, redirect_uri: &str) -> NewClient {
        self.with_client_spec(ClientSpec::new(brand, "Test client").redirect_uri(redirect_uri)).await
    }

    /// A client registered from `spec` by the operator, in dev mode (http loopback URIs).
    pub async fn with_client_spec(&self, spec: ClientSpec) -> NewClient {
        self.identity.create_client(&Principal::Operator, &spec.dev(true)).await.expect("client registered")
    }

    /// A loyalty programme of `brand` (slug `slug`) proven by `verification`: ten-digit
    /// numbers ending in a Luhn check digit, tiers Blue/Silver/Gold, with pooling.
    pub async fn with_programme(&self, brand: &str, slug: &str, verification: &str) -> Programme {
        let new = NewProgramme {
            brand: brand.into(),
            slug: Some(slug.into()),
            name: format!("{slug} rewards"),
            number_pattern: "[0-9]{10}".into(),
            luhn: true,
            tiers: vec!["Blue".into(), "Silver".into(), "Gold".into()],
            verification: verification.into(),
            pooling: true,
        };
        self.identity.create_programme(&Principal::Operator, &new).await.expect("programme created")
    }

    /// What the brand reports for `number` (as its back end would), by the operator.
    pub async fn with_member(&self, programme: &str, number: &str, report: MemberReport) {
        self.identity.report_member(&Principal::Operator, programme, number, &report).await.expect("member reported");
    }

    /// A staff member with `role` (a fresh address) who has not enrolled yet: its id and
    /// the one-time enrolment link.
    pub async fn with_staff(&self, role: StaffRole) -> (String, String) {
        let email = Email::parse(&format!("staff-{}@example.com", uuid::Uuid::new_v4().simple())).expect("a valid address");
        let new = self.identity.create_staff(&Principal::Operator, &email, role, &self.public_url).await.expect("staff created");
        (new.row.id, new.enrolment_link.expose_secret().to_owned())
    }

    /// Runs one outbox worker over everything due (into the development mailbox, back-
    /// channel logout to the brands); returns how many rows it handled. For apps built
    /// `without_worker()`, where the test decides when deliveries happen.
    pub async fn deliver_outbox(&self) -> usize {
        let identity = self.identity.clone();
        let worker = server::outbox_worker::OutboxWorker {
            mailer: server::mail::Mailer::DevMailbox(identity.store().clone()),
            deliveries: Default::default(),
            backchannel: server::oidc::backchannel::Backchannel::new(identity.clone()),
            identity,
        };
        let mut total = 0;
        for _ in 0..20 {
            let n = worker.run_once().await.expect("outbox delivery");
            if n == 0 {
                return total;
            }
            total += n;
        }
        panic!("the outbox did not drain");
    }

    /// The text of the newest mail to `to` with `subject`, waiting up to 10 s for it.
    pub async fn mail_text(&self, to: &str, subject: &str) -> String {
        if !self.worker {
            self.deliver_outbox().await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.smtp.as_ref().filter(|_| self.worker) {
                Some(smtp) => {
                    if let Some(m) = smtp.received().iter().rev().find(|m| m.subject == subject && m.to.iter().any(|t| t == to)) {
                        return m.text.clone();
                    }
                }
                None => {
                    let rows = self.identity.store().mailbox_recent(500).await.expect("read the mailbox");
                    if let Some(m) = rows.iter().find(|m| m.subject == subject && m.to_addr == to) {
                        return m.text_body.clone();
                    }
                }
            }
            assert!(Instant::now() < deadline, "no mail {subject:?} to {to} within 10 s");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// What follows `marker` in `text`, up to the first character that cannot be part of
/// a base64url token.
pub fn text_after(text: &str, marker: &str) -> String {
    let start = text.find(marker).unwrap_or_else(|| panic!("no {marker:?} in:\n{text}")) + marker.len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}
