//! Coming of age and the hand-over of a managed member (`docs/design/household.md`
//! "Managed members and the hand-over"): the maintenance sweep tells the guardians 30
//! days before the age of hand-over where the member lives (once); from then a guardian
//! issues a single-use claim link; the member opens it, chooses an address and a
//! password, proves the address with a mailed 6-digit code, and the account is theirs:
//! every guardianship ends in that transaction and the member and every former guardian
//! are told.
//!
//! The address step is uniform: a taken address gets the same answer, its owner a
//! "someone tried" mail (as registration does), and no code that could ever match.

use secrecy::SecretString;

use super::{CLAIM_MS, HouseholdAction, MAJORITY_NOTICE_MS, Role, may};
use crate::accounts::register::password_reason;
use crate::accounts::throttle::{IP_FREE_FAILURES, ip_key};
use crate::accounts::{MailTo, RequestMeta};
use crate::audit::{self, Actor, AuditEvent};
use crate::consent::ConsentSettings;
use crate::domain::{Email, ParseError};
use crate::email::{Template, mail_locale};
use crate::outbox::{OutboxEvent, enqueue};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::customers::{self, CustomerRow};
use crate::store::guardians::{self, ClaimRow};
use crate::store::households as rows;
use crate::store::Tx;
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// How long a mailed hand-over code works (as every mailed code).
pub const CLAIM_CODE_MS: i64 = 10 * 60_000;
/// Wrong codes one claim allows; the last one spends it.
pub const MAX_CLAIM_ATTEMPTS: i64 = 5;
/// Codes one claim link may have mailed.
pub const MAX_CLAIM_CODES: i64 = 5;
/// Managed members the sweep looks at per pass.
const NOTICE_BATCH: i64 = 500;
const DAY_MS: i64 = 86_400_000;

/// The day someone born on `birth_date` reaches `age`.
pub fn handover_day(birth_date: &str, age: u8) -> Option<jiff::civil::Date> {
    let born = birth_date.trim().parse::<jiff::civil::Date>().ok()?;
    born.checked_add(jiff::Span::new().years(i64::from(age))).ok()
}

/// The first day a claim link can be issued and the guardians are told: 30 days
/// before the hand-over day.
pub fn notice_day(birth_date: &str, age: u8) -> Option<jiff::civil::Date> {
    handover_day(birth_date, age)?.checked_sub(jiff::Span::new().days(MAJORITY_NOTICE_MS / DAY_MS)).ok()
}

/// [`notice_day`] for a managed member, at the age where they live.
pub(crate) fn claim_opens(settings: &ConsentSettings, c: &CustomerRow) -> Option<jiff::civil::Date> {
    notice_day(c.birth_date.as_deref()?, settings.age_in(c.address_country.as_deref()))
}

/// A hand-over link, for the guardian to hand over. Never logged.
pub struct IssuedClaim {
    pub link: String,
    pub expires_at: UnixMillis,
}

impl std::fmt::Debug for IssuedClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedClaim").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// Where a claim stands, as its link shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimState {
    /// Waiting for an address and a password.
    Open,
    /// A code was mailed and still works.
    CodeSent,
}

/// What a claim link shows: whose account it hands over and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPreview {
    pub given_name: String,
    pub state: ClaimState,
}

fn code_hash(claim_id: &str, code: &str) -> String {
    sha256_hex(format!("{claim_id}:{code}").as_bytes())
}

use crate::service::ct_eq;

fn is_open(c: &ClaimRow, now: UnixMillis) -> bool {
    c.used_at.is_none() && c.expires_at > now && c.attempts < MAX_CLAIM_ATTEMPTS
}

fn token_hash(token: &str) -> Result<String> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(Error::TokenInvalid);
    }
    Ok(sha256_hex(token.as_bytes()))
}

impl Identity {
    /// The maintenance sweep's step: mails every guardian of each managed member whose
    /// notice day has come, once per member (`majority_notice_at`). Returns how many
    /// members were noticed.
    pub async fn sweep_majority_notices(&self, principal: &Principal) -> Result<u64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        let today = super::managed::today_date(now);
        let waiting = {
            let mut conn = self.store.pool().acquire().await?;
            guardians::awaiting_notice(&mut conn, NOTICE_BATCH).await?
        };
        let mut noticed = 0;
        for member in waiting {
            let age = self.settings.consent.age_in(member.address_country.as_deref());
            let Some(birth) = member.birth_date.as_deref() else { continue };
            let (Some(notice), Some(handover)) = (notice_day(birth, age), handover_day(birth, age)) else { continue };
            if today < notice {
                continue;
            }
            let mut tx = self.store.begin().await?;
            if !guardians::mark_noticed(&mut tx, &member.id, now).await? {
                continue;
            }
            let Some(row) = customers::by_id_tx(&mut tx, &member.id).await? else { continue };
            let name = row.given_name.clone().unwrap_or_default();
            let day = handover.to_string();
            let link = self.link("/account/household");
            for guardian_id in guardians::guardians_of(&mut tx, &member.id).await? {
                let Some(guardian) = customers::by_id_tx(&mut tx, &guardian_id).await? else { continue };
                let args = [("member", name.as_str()), ("date", day.as_str())];
                let template = Template::Notice {
                    subject: "mail-managed-majority-subject",
                    paras: &["mail-managed-majority-body", "mail-managed-majority-claim"],
                    args: &args,
                    link: Some(("mail-managed-household-link", &link)),
                };
                self.queue_mail(&mut tx, &MailTo::customer_only(&guardian), template, now).await?;
            }
            audit::record(&mut tx, &AuditEvent {
                at: now,
                actor: Actor::System,
                subject: Some(format!("customer:{}", member.id)),
                action: "household.majority_noticed",
                reason: None,
                detail: serde_json::json!({ "handover_day": day }),
            })
            .await?;
            tx.commit().await?;
            noticed += 1;
        }
        Ok(noticed)
    }

    /// A guardian issues the member's hand-over link (from 30 days before the age of
    /// hand-over): single use, valid [`CLAIM_MS`]; an earlier open link stops working.
    pub async fn issue_claim(&self, principal: &Principal, customer_id: &str, household_id: &str, managed_id: &str) -> Result<IssuedClaim> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let role = self.household_role_tx(&mut tx, household_id, customer_id).await?;
        if rows::role_in(&mut tx, household_id, managed_id).await?.as_deref() != Some(Role::Managed.as_str()) || !guardians::lock_member(&mut tx, managed_id).await? {
            return Err(Error::NotFound("member"));
        }
        let guardian = guardians::live_guardianship(&mut tx, customer_id, managed_id).await?.is_some();
        if !may(role, guardian, HouseholdAction::IssueClaim) {
            return Err(Error::Forbidden);
        }
        let member = customers::by_id_tx(&mut tx, managed_id).await?.filter(|c| c.managed).ok_or(Error::NotFound("member"))?;
        let opens = claim_opens(&self.settings.consent, &member).ok_or(Error::Invalid(ParseError::Missing { field: "Birth date" }))?;
        if super::managed::today_date(now) < opens {
            return Err(Error::Refused(crate::error::Refusal::ClaimNotYet(opens.to_string())));
        }
        guardians::retire_claims(&mut tx, managed_id, now).await?;
        let token = self.new_token();
        let id = self.new_id();
        let expires_at = now + CLAIM_MS;
        guardians::insert_claim(&mut tx, &id, managed_id, customer_id, &sha256_hex(token.as_bytes()), now, expires_at).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Some(format!("customer:{managed_id}")),
            action: "household.claim_issued",
            reason: None,
            detail: serde_json::json!({ "household": household_id, "claim": id }),
        })
        .await?;
        tx.commit().await?;
        Ok(IssuedClaim { link: self.link(&format!("/claim?token={token}")), expires_at })
    }

    /// What a claim link shows; a used, spent or expired link is `TokenInvalid`.
    pub async fn claim_preview(&self, token: &str) -> Result<ClaimPreview> {
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let claim = guardians::claim_by_hash(&mut conn, &token_hash(token)?).await?.filter(|c| is_open(c, now)).ok_or(Error::TokenInvalid)?;
        let member = self.store.customer_by_id(&claim.managed_id).await?.filter(|c| c.managed).ok_or(Error::TokenInvalid)?;
        let code_live = claim.code_sent_at.is_some_and(|at| at + CLAIM_CODE_MS > now);
        Ok(ClaimPreview { given_name: member.given_name.unwrap_or_default(), state: if code_live { ClaimState::CodeSent } else { ClaimState::Open } })
    }

    /// The member's address and password for the claim: checked as registration checks
    /// them, hashed, kept on the claim, and a code mailed to the address (at most
    /// [`MAX_CLAIM_CODES`] per link). A taken address answers the same; its owner is
    /// told someone tried, and no code is sent.
    pub async fn start_claim(&self, principal: &Principal, token: &str, email: &str, password: SecretString, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let hash_of_token = token_hash(token)?;
        let email = Email::parse(email).map_err(|e| Error::Fields(vec![e]))?;
        let now = self.clock.now();
        let ip = ip_key(meta.ip);
        self.store.throttle_check(&[&ip], now).await?;
        let claim = {
            let mut conn = self.store.pool().acquire().await?;
            guardians::claim_by_hash(&mut conn, &hash_of_token).await?.filter(|c| is_open(c, now)).ok_or(Error::TokenInvalid)?
        };
        if claim.code_sends >= MAX_CLAIM_CODES {
            return Err(Error::Throttled { retry_after_secs: ((claim.expires_at - now) / 1000).max(1) });
        }
        let member = self.store.customer_by_id(&claim.managed_id).await?.filter(|c| c.managed).ok_or(Error::TokenInvalid)?;
        let personal: Vec<&str> = [Some(email.as_str()), member.given_name.as_deref(), member.family_name.as_deref()].into_iter().flatten().collect();
        {
            use secrecy::ExposeSecret as _;
            if let Some(reason) = password_reason(password.expose_secret(), &personal) {
                return Err(Error::Fields(vec![ParseError::Invalid { field: "Password", reason }]));
            }
        }
        let password_hash = self.hasher.hash(password, self.rng.as_ref()).await?;
        let code = self.new_code();
        let mut tx = self.store.begin().await?;
        let owner = customers::id_by_email_tx(&mut tx, email.normalized()).await?;
        if !guardians::set_claim_code(&mut tx, &claim.id, email.as_str(), &password_hash, &code_hash(&claim.id, &code), MAX_CLAIM_CODES, MAX_CLAIM_ATTEMPTS, now).await? {
            return Err(Error::TokenInvalid);
        }
        match owner {
            None => {
                let args = [("code", code.as_str()), ("member", member.given_name.as_deref().unwrap_or_default())];
                let template = Template::Notice {
                    subject: "mail-managed-claim-code-subject",
                    paras: &["mail-managed-claim-code-body", "mail-managed-claim-code-expiry", "mail-managed-claim-code-ignore"],
                    args: &args,
                    link: None,
                };
                self.queue_mail(&mut tx, &MailTo::address(email.as_str(), meta), template, now).await?;
            }
            Some(owner_id) => {
                let owner = customers::by_id_tx(&mut tx, &owner_id).await?;
                let to = MailTo::address(email.as_str(), meta);
                let to = MailTo { locale: mail_locale(owner.as_ref().and_then(|o| o.preferred_language.as_deref()), meta.locale), ..to };
                let (login_link, reset_link) = (self.link("/login"), self.link("/forgot-password"));
                self.queue_mail(&mut tx, &to, Template::RegistrationAttempt { login_link: &login_link, reset_link: &reset_link }, now).await?;
            }
        }
        let detail = serde_json::json!({ "claim": claim.id });
        audit::record(&mut tx, &AuditEvent { at: now, actor: Actor::Anonymous, subject: Some(format!("customer:{}", claim.managed_id)), action: "household.claim_started", reason: None, detail })
            .await?;
        tx.commit().await?;
        // Like registration, a claim makes us send mail: count it against the IP.
        self.store.throttle_fail(&ip, now, IP_FREE_FAILURES).await?;
        Ok(())
    }

    /// The mailed code completes the hand-over: the member's own address (confirmed)
    /// and password, no longer managed, an adult member of their households, every
    /// guardianship ended; the member and every former guardian are mailed. A wrong
    /// code counts; the [`MAX_CLAIM_ATTEMPTS`]th spends the claim. Returns the member's id.
    pub async fn finish_claim(&self, principal: &Principal, token: &str, code: &str, meta: &RequestMeta) -> Result<String> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let hash_of_token = token_hash(token)?;
        let code = code.trim();
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let claim = guardians::claim_by_hash(&mut tx, &hash_of_token).await?.filter(|c| is_open(c, now)).ok_or(Error::TokenInvalid)?;
        let (Some(address), Some(password_hash), Some(stored), Some(sent)) = (&claim.new_email, &claim.password_hash, &claim.code_hash, claim.code_sent_at) else {
            return Err(Error::TokenInvalid);
        };
        let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        if !(well_formed && ct_eq(stored, &code_hash(&claim.id, code))) || sent + CLAIM_CODE_MS <= now {
            guardians::count_wrong_code(&mut tx, &claim.id, MAX_CLAIM_ATTEMPTS, now).await?;
            tx.commit().await?;
            return Err(Error::TokenInvalid);
        }
        let email = Email::parse(address).map_err(|_| Error::TokenInvalid)?;
        if customers::id_by_email_tx(&mut tx, email.normalized()).await?.is_some() || !guardians::use_claim(&mut tx, &claim.id, now).await? {
            return Err(Error::TokenInvalid);
        }
        let member_id = claim.managed_id.clone();
        if !guardians::complete_handover(&mut tx, &member_id, email.as_str(), email.normalized(), password_hash, now).await? {
            return Err(Error::TokenInvalid);
        }
        let former = guardians::end_all_over(&mut tx, &member_id, "handover", now).await?;
        guardians::retire_claims(&mut tx, &member_id, now).await?;
        for membership in rows::memberships_of(&mut tx, &member_id).await? {
            rows::set_role(&mut tx, &membership.household_id, &member_id, Role::Adult.as_str()).await?;
            enqueue(&mut tx, &OutboxEvent::HouseholdHandoverCompleted { household_id: membership.household_id, customer_id: member_id.clone(), at: now }, now).await?;
        }
        let detail = serde_json::json!({ "claim": claim.id, "guardians": former.clone() });
        audit::record(&mut tx, &AuditEvent { at: now, actor: Actor::Customer(member_id.clone()), subject: Some(format!("customer:{member_id}")), action: "household.handover_completed", reason: None, detail })
            .await?;
        self.handover_mails(&mut tx, &member_id, &former, meta, now).await?;
        tx.commit().await?;
        Ok(member_id)
    }

    async fn handover_mails(&self, tx: &mut Tx, member_id: &str, former: &[String], meta: &RequestMeta, now: UnixMillis) -> Result<()> {
        let Some(member) = customers::by_id_tx(tx, member_id).await? else { return Ok(()) };
        let name = member.given_name.clone().unwrap_or_default();
        let login = self.link("/login");
        let args = [("member", name.as_str()), ("email", member.email.as_str())];
        let to_member = Template::Notice {
            subject: "mail-managed-handover-member-subject",
            paras: &["mail-managed-handover-member-body", "mail-managed-handover-member-guardians"],
            args: &args,
            link: Some(("mail-managed-handover-member-link", &login)),
        };
        self.queue_mail(tx, &MailTo::customer(&member, meta.locale, None), to_member, now).await?;
        let args = [("member", name.as_str())];
        for guardian_id in former {
            let Some(guardian) = customers::by_id_tx(tx, guardian_id).await? else { continue };
            let template = Template::Notice {
                subject: "mail-managed-handover-guardian-subject",
                paras: &["mail-managed-handover-guardian-body", "mail-managed-handover-guardian-rights"],
                args: &args,
                link: None,
            };
            self.queue_mail(tx, &MailTo::customer_only(&guardian), template, now).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_comes_thirty_days_before_the_age() {
        assert_eq!(handover_day("2010-03-15", 16).map(|d| d.to_string()).as_deref(), Some("2026-03-15"));
        assert_eq!(notice_day("2010-03-15", 16).map(|d| d.to_string()).as_deref(), Some("2026-02-13"));
        assert_eq!(handover_day("2008-02-29", 18).map(|d| d.to_string()).as_deref(), Some("2026-02-28"), "a leap-day birthday");
        assert_eq!(notice_day("not a date", 16), None);
        let settings = ConsentSettings { age_by_country: [("FR".to_owned(), 15)].into(), ..ConsentSettings::default() };
        let row = CustomerRow { birth_date: Some("2010-03-15".into()), address_country: Some("fr".into()), ..CustomerRow::default() };
        assert_eq!(claim_opens(&settings, &row).map(|d| d.to_string()).as_deref(), Some("2025-02-13"), "the age where the member lives");
        assert_eq!(claim_opens(&settings, &CustomerRow::default()), None, "no birth date, no hand-over day");
    }

    #[test]
    fn codes_and_links_are_compared_whole() {
        assert!(ct_eq(&code_hash("c1", "123456"), &code_hash("c1", "123456")));
        assert!(!ct_eq(&code_hash("c1", "123456"), &code_hash("c2", "123456")), "salted with the claim");
        assert!(matches!(token_hash(""), Err(Error::TokenInvalid)));
        assert!(matches!(token_hash(&"x".repeat(101)), Err(Error::TokenInvalid)));
        let debug = format!("{:?}", IssuedClaim { link: "https://id.example.com/claim?token=secret".into(), expires_at: 1 });
        assert!(!debug.contains("secret"), "{debug}");
    }
}
