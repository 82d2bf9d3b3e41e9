//! Staff accounts (support agents and administrators) and how they sign in. See
//! `docs/design/staff.md`.
//!
//! The operator creates an account without a password and gets a one-time enrolment
//! link (256-bit token, stored as SHA-256, 24 h, single use) that only the terminal
//! shows; the welcome mail says the account exists and never holds the link. At the
//! link the staff member sets a password (the customers' policy) and an authenticator
//! app (TOTP, secret sealed with the master key). Sign-in takes email, password and
//! code together and answers every failure alike; failures are throttled on `staff:`
//! keys, apart from the customers'.

use secrecy::{ExposeSecret as _, SecretString};
use totp_rs::Totp;

use crate::accounts::RequestMeta;
use crate::accounts::throttle::{IP_FREE_FAILURES, account_key, ip_key};
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::{Email, ParseError};
use crate::email::Template;
use crate::outbox::{self, OutboxEvent};
use crate::store::Tx;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::staff::{self, StaffRow};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// How long an enrolment link works.
pub const ENROLMENT_MS: i64 = 24 * 3_600_000;

/// A staff member's role; what each may do is [`crate::admin::may`]'s table
/// (`docs/design/admin.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    /// A support agent.
    Support,
    /// A support lead: an agent's permissions, plus lock/unlock, second-factor resets,
    /// reveal statistics and the audit log.
    SupportLead,
    /// A brand administrator: the settings of the brands granted to them.
    BrandAdmin,
    /// Foyer's own administrator: staff, brands, imports, the dashboard.
    Operator,
}

impl StaffRole {
    pub const ALL: [Self; 4] = [Self::Support, Self::SupportLead, Self::BrandAdmin, Self::Operator];

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == input.trim())
            .ok_or(ParseError::Malformed { field: "Role", reason: "must be support, support_lead, brand_admin or operator" })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Support => "support",
            Self::SupportLead => "support_lead",
            Self::BrandAdmin => "brand_admin",
            Self::Operator => "operator",
        }
    }
}

/// A created account and its one-time enrolment link (shown once, stored hashed).
pub struct NewStaff {
    pub row: StaffRow,
    pub enrolment_link: SecretString,
}

impl std::fmt::Debug for NewStaff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewStaff").field("row", &self.row).field("enrolment_link", &"[redacted]").finish()
    }
}

/// A staff member as the admin pages show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: String,
}

impl StaffMember {
    /// The name to greet them by: their name, else their email.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&self.email)
    }
}

impl From<StaffRow> for StaffMember {
    fn from(r: StaffRow) -> Self {
        Self { id: r.id, email: r.email, name: r.name, role: r.role }
    }
}

/// What the enrolment page shows: who enrols, and the app's secret. Holds the secret:
/// never logged (`Debug` redacts).
pub struct StaffEnrolment {
    pub email: String,
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

impl std::fmt::Debug for StaffEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffEnrolment([redacted])")
    }
}

fn totp(secret: Vec<u8>, account: &str) -> Result<Totp> {
    crate::accounts::mfa::totp_for("Foyer staff", secret, account)
}

/// Binds a sealed secret to its staff member (never to a customer of the same id).
fn associated(staff_id: &str) -> Vec<u8> {
    format!("staff-totp:{staff_id}").into_bytes()
}

/// The throttle key of a staff account (by normalised email, so unknown addresses are
/// throttled alike and none is stored in clear).
pub fn staff_account_key(normalized_email: &str) -> String {
    format!("staff:{}", account_key(normalized_email))
}

/// The throttle key of a client IP for staff sign-in.
pub fn staff_ip_key(ip: std::net::IpAddr) -> String {
    format!("staff:{}", ip_key(ip))
}

impl Identity {
    /// Creates a staff account without a password and returns its one-time enrolment
    /// link; the welcome mail (through the outbox, same transaction) holds no link.
    pub async fn create_staff(&self, principal: &Principal, email: &Email, role: StaffRole, public_url: &str) -> Result<NewStaff> {
        self.create_staff_named(principal, email, None, role, public_url).await
    }

    /// [`Self::create_staff`] with a display name.
    pub async fn create_staff_named(&self, principal: &Principal, email: &Email, name: Option<&str>, role: StaffRole, public_url: &str) -> Result<NewStaff> {
        let id = self.new_id();
        authorize(principal, Action::ManageStaff, Subject::Staff(&id))?;
        let now = self.clock.now();
        let name = name.map(str::trim).filter(|n| !n.is_empty()).map(|n| n.chars().take(100).collect::<String>());
        let row = StaffRow {
            id,
            email: email.as_str().to_owned(),
            email_normalized: email.normalized().to_owned(),
            name,
            role: role.as_str().to_owned(),
            password_hash: None,
            created_at: now,
            enrolled_at: None,
            disabled_at: None,
        };
        let token = self.new_token();
        let mut tx = self.store.begin().await?;
        staff::insert(&mut tx, &row).await?;
        staff::insert_enrolment(&mut tx, &sha256_hex(token.as_bytes()), &row.id, now, now + ENROLMENT_MS).await?;
        audit_staff(&mut tx, principal.actor(), &row.id, "staff.created", serde_json::json!({ "role": row.role }), now).await?;
        let role_words = role.as_str().replace('_', " ");
        let mail = Template::StaffWelcome { role: &role_words, public_url }.render(email.as_str(), &self.voice(crate::i18n::Locale::En, None, crate::i18n::TimeZone::utc()));
        outbox::enqueue(&mut tx, &OutboxEvent::Email(mail), now).await?;
        tx.commit().await?;
        Ok(NewStaff { row, enrolment_link: SecretString::from(enrolment_link(public_url, &token)) })
    }

    /// A new enrolment link for a staff member who has not enrolled yet (links already
    /// issued keep working until used or expired); `None` once enrolled.
    pub async fn reissue_staff_enrolment(&self, principal: &Principal, email: &Email, public_url: &str) -> Result<Option<SecretString>> {
        let Some(row) = self.store.staff_by_email(email.normalized()).await? else { return Err(Error::NotFound("staff account")) };
        authorize(principal, Action::ManageStaff, Subject::Staff(&row.id))?;
        if row.enrolled_at.is_some() {
            return Ok(None);
        }
        let now = self.clock.now();
        let token = self.new_token();
        let mut tx = self.store.begin().await?;
        staff::insert_enrolment(&mut tx, &sha256_hex(token.as_bytes()), &row.id, now, now + ENROLMENT_MS).await?;
        audit_staff(&mut tx, principal.actor(), &row.id, "staff.enrolment_link_issued", serde_json::json!({}), now).await?;
        tx.commit().await?;
        Ok(Some(SecretString::from(enrolment_link(public_url, &token))))
    }

    /// What the enrolment page shows for a live link: the staff member's email and the
    /// app secret to scan (made at the first visit, the same one at later visits until
    /// enrolment completes). [`Error::TokenInvalid`] for a used, expired or unknown link.
    pub async fn staff_enrolment(&self, token: &str) -> Result<StaffEnrolment> {
        let now = self.clock.now();
        let row = self.store.staff_enrolment(&sha256_hex(token.as_bytes()), now).await?.ok_or(Error::TokenInvalid)?;
        let mut secret = [0u8; 20];
        self.rng.fill(&mut secret);
        let sealed = self.master_key.seal(&secret, &associated(&row.id), self.rng.as_ref())?;
        let stored = self.store.staff_totp_start(&row.id, &sealed, now).await?;
        if stored.confirmed_at.is_some() {
            return Err(Error::TokenInvalid);
        }
        let secret = self.master_key.open(&stored.secret_sealed, &associated(&row.id))?;
        let totp = totp(secret.clone(), &row.email)?;
        let otpauth_url = totp.to_url().map_err(|e| Error::Internal(format!("totp url: {e}")))?;
        let qr_svg = qrcode::QrCode::new(otpauth_url.as_bytes())
            .map_err(|e| Error::Internal(format!("qr: {e}")))?
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build();
        Ok(StaffEnrolment { email: row.email, secret_base32: base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &secret), otpauth_url, qr_svg })
    }

    /// Completes enrolment from the link: the password (customer policy) and a first
    /// code of the app shown by [`Self::staff_enrolment`]. Spends the link in the same
    /// transaction; a second use, or a use after 24 h, is [`Error::TokenInvalid`].
    pub async fn enrol_staff(&self, token: &str, password: SecretString, code: &str) -> Result<StaffMember> {
        let now = self.clock.now();
        let token_hash = sha256_hex(token.as_bytes());
        let row = self.store.staff_enrolment(&token_hash, now).await?.ok_or(Error::TokenInvalid)?;
        if let Some(problem) = crate::policy::length_problem(password.expose_secret()).and_then(|a| a.problem) {
            return Err(Error::Fields(vec![ParseError::Rejected { field: "Password", reason: problem }]));
        }
        let personal: Vec<&str> = [Some(row.email.as_str()), row.name.as_deref()].into_iter().flatten().collect();
        if let Some(reason) = crate::policy::assess(password.expose_secret(), &personal).problem {
            return Err(Error::Fields(vec![ParseError::Rejected { field: "Password", reason }]));
        }
        let hash = self.hasher.hash(password, self.rng.as_ref()).await?;
        let mut tx = self.store.begin().await?;
        let totp_row = staff::totp_tx(&mut tx, &row.id).await?.filter(|t| t.confirmed_at.is_none()).ok_or(Error::TokenInvalid)?;
        let Some(step) = self.staff_code_step(&row.id, &totp_row.secret_sealed, code, 0, now)? else {
            return Err(Error::Fields(vec![ParseError::Rejected { field: "Code", reason: "That code is not right. Enter the current code from the app.".into() }]));
        };
        if staff::spend_enrolment(&mut tx, &token_hash, now).await?.as_deref() != Some(row.id.as_str()) {
            return Err(Error::TokenInvalid);
        }
        staff::confirm_totp(&mut tx, &row.id, step, now).await?;
        staff::set_enrolled(&mut tx, &row.id, &hash, now).await?;
        audit_staff(&mut tx, Actor::Staff(row.id.clone()), &row.id, "staff.enrolled", serde_json::json!({ "factor": "totp" }), now).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Staff sign-in: email, password and app code in one step. Unknown address, wrong
    /// password, wrong or replayed code and an account not yet enrolled all give
    /// [`Error::LoginFailed`] after the same work (a dummy hash for unknown addresses).
    /// Failures count on the account's and the IP's `staff:` throttle; only a completed
    /// sign-in clears the account's.
    pub async fn staff_login(&self, email: &str, password: SecretString, code: &str, meta: &RequestMeta) -> Result<StaffMember> {
        let now = self.clock.now();
        let normalized = Email::parse(email).map(|e| e.normalized().to_owned()).unwrap_or_else(|_| email.trim().to_lowercase());
        let account = staff_account_key(&normalized);
        let ip = staff_ip_key(meta.ip);
        self.store.throttle_check(&[&ip, &account], now).await?;
        let row = self.store.staff_by_email(&normalized).await?;
        let stored = row.as_ref().and_then(|r| r.password_hash.clone());
        let verified = self.hasher.verify_or_dummy(password, stored, self.rng.as_ref()).await?;
        let signed_in = match row {
            Some(r) if verified.matches && r.enrolled_at.is_some() && r.disabled_at.is_none() => {
                let mut tx = self.store.begin().await?;
                let ok = match staff::totp_tx(&mut tx, &r.id).await?.filter(|t| t.confirmed_at.is_some()) {
                    Some(t) => match self.staff_code_step(&r.id, &t.secret_sealed, code, t.last_used_step, now)? {
                        Some(step) => staff::use_totp_step(&mut tx, &r.id, step).await?,
                        None => false,
                    },
                    None => false,
                };
                if ok {
                    audit_staff(&mut tx, Actor::Staff(r.id.clone()), &r.id, "staff.signed_in", serde_json::json!({ "device": meta.device }), now).await?;
                    tx.commit().await?;
                    Some(r)
                } else {
                    tx.rollback().await?;
                    None
                }
            }
            _ => None,
        };
        match signed_in {
            Some(r) => {
                self.store.throttle_clear(&account).await?;
                Ok(r.into())
            }
            None => {
                self.store.throttle_fail(&account, now, self.settings.free_failures).await?;
                self.store.throttle_fail(&ip, now, IP_FREE_FAILURES).await?;
                let mut tx = self.store.begin().await?;
                let event = AuditEvent { at: now, actor: Actor::System, subject: None, action: "staff.sign_in_failed", reason: None, detail: serde_json::json!({ "device": meta.device }) };
                audit::record(&mut tx, &event).await?;
                tx.commit().await?;
                Err(Error::LoginFailed)
            }
        }
    }

    /// The staff member of a session, if the account still exists.
    pub async fn staff_member(&self, staff_id: &str) -> Result<Option<StaffMember>> {
        Ok(self.store.staff_by_id(staff_id).await?.map(Into::into))
    }

    /// Records a staff sign-out (the session layer deletes the session).
    pub async fn staff_signed_out(&self, staff_id: &str) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        audit_staff(&mut tx, Actor::Staff(staff_id.to_owned()), staff_id, "staff.signed_out", serde_json::json!({}), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The time step `code` matches for this app, if within ±1 step and newer than
    /// `last_used_step`.
    fn staff_code_step(&self, staff_id: &str, sealed: &str, code: &str, last_used_step: i64, now: UnixMillis) -> Result<Option<i64>> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let secret = self.master_key.open(sealed, &associated(staff_id))?;
        let now_secs = u64::try_from(now / 1000).unwrap_or(0);
        let step = totp(secret, "staff")?.check(&code, now_secs).and_then(|s| i64::try_from(s).ok());
        Ok(step.filter(|s| *s > last_used_step))
    }
}

/// `{public_url}/admin/enrol?token=…`
fn enrolment_link(public_url: &str, token: &str) -> String {
    format!("{}/admin/enrol?token={token}", public_url.trim_end_matches('/'))
}

async fn audit_staff(tx: &mut Tx, actor: Actor, staff_id: &str, action: &'static str, detail: serde_json::Value, now: UnixMillis) -> Result<()> {
    audit::record(tx, &AuditEvent { at: now, actor, subject: Some(format!("staff:{staff_id}")), action, reason: None, detail }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.as_str()).unwrap(), role);
        }
        assert!(StaffRole::parse("admin").is_err(), "the earlier admin role is operator now");
        assert!(StaffRole::parse("root").is_err());
    }

    #[test]
    fn throttle_keys_are_apart_from_customers() {
        let k = staff_account_key("ann@example.com");
        assert!(k.starts_with("staff:acct:") && !k.contains("ann"));
        assert_ne!(k, account_key("ann@example.com"));
        assert_eq!(staff_ip_key(std::net::IpAddr::from([10, 0, 0, 1])), "staff:ip:10.0.0.1");
    }

    #[test]
    fn staff_codes_use_the_customers_algorithm() {
        // Same RFC 6238 parameters as customers: one helper computes codes for both.
        let secret = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, b"12345678901234567890");
        let code = crate::accounts::mfa::code_at(&secret, 59_000).unwrap();
        let t = totp(b"12345678901234567890".to_vec(), "s").unwrap();
        assert!(t.check(&code, 59).is_some());
    }

    #[test]
    fn display_name_falls_back_to_email() {
        let m = StaffMember { id: "1".into(), email: "a@example.com".into(), name: None, role: "support".into() };
        assert_eq!(m.display_name(), "a@example.com");
        assert_eq!(StaffMember { name: Some("Ann".into()), ..m }.display_name(), "Ann");
    }
}
