//! Support actions on a customer (`docs/design/admin.md` "Support actions"). Every act
//! authorizes first (its own [`Action`], through `admin::may`), takes a checked
//! [`SupportTicket`], and writes its change and exactly one audit row `support.<verb>`
//! (actor `staff:<id>`, subject `customer:<id>`, the reason in the `reason` column, the
//! ticket and non-personal specifics in the detail) in one transaction, with the mail
//! that tells the customer. This file holds the shared rules, the parsers of what an
//! agent types ([`CorrectableField`], [`IdentityCheck`]) and the acts on the customer's
//! data: correct a profile field, record a consent given by phone, decide a loyalty
//! link. The acts on signing in are in [`super::actions_account`].

use serde_json::{Value, json};

use super::SupportTicket;
use crate::accounts::MailTo;
use crate::audit::{self, AuditEvent};
use crate::consent::catalogue::Purpose;
use crate::consent::ledger::Evidence;
use crate::consent::{Collection, Decision, LegalBasis};
use crate::domain::profile::{self as fields, ProfileForm};
use crate::domain::{ParseError, PersonName};
use crate::email::{Template, mail_locale};
use crate::i18n::{self, Locale};
use crate::loyalty::{self, LinkStatus, Verification, after_decision, last4};
use crate::outbox::{self, OutboxEvent};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::customers::{self, CustomerRow};
use crate::store::{Tx, loyalty as link_rows, purposes};
use crate::{Error, Identity, Result, UnixMillis};

/// A profile field support may correct. Never the email: the sign-in address is the
/// customer's own change, confirmed from the new address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectableField {
    GivenName,
    FamilyName,
    DisplayName,
    Phone,
    BirthDate,
    Street,
    Locality,
    Region,
    PostalCode,
    Country,
    PreferredLanguage,
}

impl CorrectableField {
    pub const ALL: [Self; 11] = [
        Self::GivenName,
        Self::FamilyName,
        Self::DisplayName,
        Self::Phone,
        Self::BirthDate,
        Self::Street,
        Self::Locality,
        Self::Region,
        Self::PostalCode,
        Self::Country,
        Self::PreferredLanguage,
    ];

    /// The name forms send and audit rows record (as `profile.updated` names fields).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GivenName => "given_name",
            Self::FamilyName => "family_name",
            Self::DisplayName => "display_name",
            Self::Phone => "phone",
            Self::BirthDate => "birth_date",
            Self::Street => "street",
            Self::Locality => "locality",
            Self::Region => "region",
            Self::PostalCode => "postal_code",
            Self::Country => "country",
            Self::PreferredLanguage => "preferred_language",
        }
    }

    /// The field `name` names; the sign-in address and anything else are refused, each
    /// with its reason (field `Field`).
    pub fn parse(name: &str) -> Result<Self> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("email") {
            return Err(refused("Field", "the sign-in address is the customer's own to change: they confirm the new one from it"));
        }
        Self::ALL.into_iter().find(|f| f.as_str() == name).ok_or_else(|| refused("Field", "not a profile field support may correct"))
    }

    /// `value` checked by the profile form's own parser for this field (blank: no
    /// value); its error names the field as the profile form does.
    pub fn check(self, value: &str, today: fields::Ymd) -> Result<Option<String>, ParseError> {
        let v = Some(value);
        let name = |field| PersonName::parse_optional(field, v).map(|n| n.map(|n| n.as_str().to_owned()));
        match self {
            Self::GivenName => name("Given name"),
            Self::FamilyName => name("Family name"),
            Self::DisplayName => name("Display name"),
            Self::Phone => fields::parse_phone(v),
            Self::BirthDate => fields::parse_birth_date(v, today),
            Self::Street => fields::parse_street(v),
            Self::Locality => fields::parse_locality(v),
            Self::Region => fields::parse_region(v),
            Self::PostalCode => fields::parse_postal_code(v),
            Self::Country => fields::parse_country(v),
            Self::PreferredLanguage => fields::parse_language(v),
        }
    }

    /// The form's slot for this field.
    fn slot(self, form: &mut ProfileForm) -> &mut Option<String> {
        match self {
            Self::GivenName => &mut form.given_name,
            Self::FamilyName => &mut form.family_name,
            Self::DisplayName => &mut form.display_name,
            Self::Phone => &mut form.phone,
            Self::BirthDate => &mut form.birth_date,
            Self::Street => &mut form.street,
            Self::Locality => &mut form.locality,
            Self::Region => &mut form.region,
            Self::PostalCode => &mut form.postal_code,
            Self::Country => &mut form.country,
            Self::PreferredLanguage => &mut form.preferred_language,
        }
    }

    /// The message naming the field (`errors.ftl`), for the customer's mail.
    fn label_id(self) -> &'static str {
        match self {
            Self::GivenName => "error-field-given-name",
            Self::FamilyName => "error-field-family-name",
            Self::DisplayName => "error-field-display-name",
            Self::Phone => "error-field-phone",
            Self::BirthDate => "error-field-birth-date",
            Self::Street => "error-field-street",
            Self::Locality => "error-field-city",
            Self::Region => "error-field-region",
            Self::PostalCode => "error-field-postal-code",
            Self::Country => "error-field-country",
            Self::PreferredLanguage => "error-field-language",
        }
    }
}

/// How a support lead checked a caller's identity before a second-factor reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityCheckKind {
    /// An identity document seen (on a video call, in a shop, by a trusted upload).
    IdDocument,
    /// A video call that matched the customer.
    VideoCall,
    /// A call back to a number on file from before the request.
    CallbackKnownNumber,
    /// Questions only the customer could answer from their account's history.
    KnowledgeQuestions,
}

impl IdentityCheckKind {
    pub const ALL: [Self; 4] = [Self::IdDocument, Self::VideoCall, Self::CallbackKnownNumber, Self::KnowledgeQuestions];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdDocument => "id_document",
            Self::VideoCall => "video_call",
            Self::CallbackKnownNumber => "callback_known_number",
            Self::KnowledgeQuestions => "knowledge_questions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

const MIN_NOTE: usize = 5;
const MAX_NOTE: usize = 500;

/// A recorded identity check: its kind from the fixed list and a note of 5 to 500
/// characters saying what was checked (never a document number: the note goes to the
/// audit row's reason). Built only by [`IdentityCheck::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCheck {
    pub kind: IdentityCheckKind,
    note: String,
}

impl IdentityCheck {
    /// Checks both; each bad one is named (`Identity check`, `Check note`).
    pub fn parse(kind: &str, note: &str) -> Result<Self> {
        let mut errors = Vec::new();
        let kind = IdentityCheckKind::parse(kind);
        if kind.is_none() {
            errors.push(ParseError::Malformed { field: "Identity check", reason: "use id_document, video_call, callback_known_number or knowledge_questions" });
        }
        let note = note.trim();
        let chars = note.chars().count();
        if !(MIN_NOTE..=MAX_NOTE).contains(&chars) || note.chars().any(|c| c.is_control() && c != '\n') {
            errors.push(ParseError::Malformed { field: "Check note", reason: "say what was checked, in 5 to 500 characters" });
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(Self { kind, note: note.to_owned() }),
            _ => Err(Error::Fields(errors)),
        }
    }

    pub fn note(&self) -> &str {
        &self.note
    }
}

/// A refusal of what a staff member asked, naming the field (English: staff input).
pub(super) fn refused(field: &'static str, reason: &'static str) -> Error {
    Error::Fields(vec![ParseError::Malformed { field, reason }])
}

/// A managed household member has no address and no sign-in of their own.
pub(super) fn has_own_sign_in(c: &CustomerRow) -> Result<()> {
    if c.managed {
        return Err(refused("Customer", "a managed member has no address or sign-in of their own: their guardian acts for them"));
    }
    Ok(())
}

/// The language of the customer's mails (their profile's, else English).
fn locale_of(c: &CustomerRow) -> Locale {
    mail_locale(c.preferred_language.as_deref(), Locale::default())
}

/// One support act in progress: who, on whom, under which ticket, when.
#[derive(Debug)]
pub(super) struct SupportAct<'a> {
    pub principal: &'a Principal,
    pub customer_id: &'a str,
    pub ticket: &'a SupportTicket,
    pub now: UnixMillis,
}

impl SupportAct<'_> {
    /// The act's one audit row, inside `tx`: `detail` (non-personal specifics) gains the
    /// ticket; `reason` is the ticket's reason unless given.
    pub(super) async fn audit(&self, tx: &mut Tx, action: &'static str, reason: Option<&str>, mut detail: Value) -> Result<()> {
        if let Some(map) = detail.as_object_mut() {
            map.insert("ticket".into(), Value::String(self.ticket.ticket().to_owned()));
        }
        audit::record(tx, &AuditEvent {
            at: self.now,
            actor: self.principal.actor(),
            subject: Some(format!("customer:{}", self.customer_id)),
            action,
            reason: Some(reason.unwrap_or(self.ticket.reason())),
            detail,
        })
        .await
    }
}

impl Identity {
    /// The customer a support act is on (authorized already).
    pub(super) async fn support_customer(&self, customer_id: &str) -> Result<CustomerRow> {
        self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("customer"))
    }

    /// Corrects one profile field (never the email) with the profile form's own parser;
    /// a blank value removes it. The search terms follow in the same transaction (the
    /// profile's store function); `customer.updated` names the field; the customer is
    /// mailed which field changed. Audited `support.profile_corrected` with the field's
    /// name, never the old or new value.
    pub async fn support_correct_profile(&self, principal: &Principal, customer_id: &str, field: CorrectableField, value: &str, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::CorrectProfile, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let checked = field.check(value, crate::accounts::profile::today(now)).map_err(|e| Error::Fields(vec![e]))?;
        let c = self.support_customer(customer_id).await?;
        let mut form = ProfileForm {
            given_name: c.given_name.clone(),
            family_name: c.family_name.clone(),
            display_name: c.display_name.clone(),
            preferred_language: c.preferred_language.clone(),
            phone: c.phone.clone(),
            birth_date: c.birth_date.clone(),
            street: c.address_street.clone(),
            locality: c.address_locality.clone(),
            region: c.address_region.clone(),
            postal_code: c.address_postal_code.clone(),
            country: c.address_country.clone(),
            zoneinfo: c.zoneinfo.clone(),
        };
        let slot = field.slot(&mut form);
        if *slot == checked {
            return Err(refused("Value", "that is the value on file already: nothing to correct"));
        }
        *slot = checked;
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        customers::update_profile(&mut tx, customer_id, &form, now).await?;
        let event = OutboxEvent::CustomerUpdated { customer_id: customer_id.to_owned(), fields: vec![field.as_str().to_owned()] };
        outbox::enqueue(&mut tx, &event, now).await?;
        let label = i18n::message(locale_of(&c), field.label_id());
        let account = self.link("/account");
        let template = Template::Notice {
            subject: "mail-support-profile-subject",
            paras: &["mail-support-profile-body", "mail-support-profile-check"],
            args: &[("field", label.as_str())],
            link: Some(("mail-support-profile-link", &account)),
        };
        self.queue_mail(&mut tx, &MailTo::customer_only(&c), template, now).await?;
        act.audit(&mut tx, "support.profile_corrected", None, json!({ "field": field.as_str() })).await?;
        tx.commit().await
    }

    /// Records a decision the customer gave by phone on the purpose `purpose_key` of the
    /// brand `brand_slug` (blank: the group's own purposes): yes is a grant (pending for
    /// a minor, as always), no a withdrawal of a yes or else a refusal. Through the
    /// ledger's own checks and signed receipts, collection `support_phone`, the staff
    /// member as collector and actor, the ticket on the record. The customer is mailed
    /// what was recorded. Audited `support.phone_consent_recorded` with the receipts.
    pub async fn support_record_phone_consent(
        &self,
        principal: &Principal,
        customer_id: &str,
        brand_slug: &str,
        purpose_key: &str,
        granted: bool,
        t: &SupportTicket,
    ) -> Result<()> {
        authorize(principal, Action::RecordPhoneConsent, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let c = self.support_customer(customer_id).await?;
        let brand = match brand_slug.trim() {
            "" => None,
            slug => Some(self.store.brand_by_slug(slug).await?.ok_or(Error::NotFound("brand"))?),
        };
        let rows = purposes::with_state(&self.store, None, customer_id, now).await?;
        let row = rows
            .into_iter()
            .find(|r| r.purpose.key == purpose_key.trim() && r.purpose.brand_id.as_deref() == brand.as_ref().map(|b| b.id.as_str()))
            .ok_or(Error::NotFound("purpose"))?;
        let said_yes = row.decision.as_deref().and_then(Decision::parse).is_some_and(Decision::said_yes);
        let decision = match (granted, said_yes) {
            (true, _) => Decision::Granted,
            (false, true) => Decision::Withdrawn,
            (false, false) => Decision::Refused,
        };
        if !granted && LegalBasis::parse(&row.purpose.legal_basis).is_some_and(|b| !b.can_withdraw()) {
            return Err(refused("Decision", "this purpose rests on a contract or a legal obligation: it is not switched off"));
        }
        let locale = locale_of(&c);
        let evidence = Evidence { collection: Collection::SupportPhone, request_id: None, user_agent: None, language: locale, ticket: Some(t.ticket().to_owned()) };
        let choice = crate::consent::ledger::Choice { purpose_id: row.purpose.id.clone(), channel: None, decision };
        let records = self.prepare_choices(principal, customer_id, &[choice], &evidence, now).await?;
        if records.is_empty() {
            return Err(refused("Decision", "the customer's answer is on record already: nothing to record"));
        }
        let title = Purpose::from_row(row.purpose.clone(), brand.as_ref().map(|b| b.slug.clone())).text(locale).title;
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        let recorded = self.write_records_unaudited(&mut tx, &records).await?;
        let decided = recorded.first().map_or(decision, |r| r.decision);
        let controller = brand.as_ref().map_or(self.settings.product_name.as_str(), |b| b.name.as_str());
        let privacy = self.link("/account/privacy");
        let template = Template::Notice {
            subject: "mail-support-consent-subject",
            paras: &["mail-support-consent-body", "mail-support-consent-change"],
            args: &[("purpose", title.as_str()), ("controller", controller), ("decision", decided.as_str())],
            link: Some(("mail-support-consent-link", &privacy)),
        };
        self.queue_mail(&mut tx, &MailTo::customer_only(&c), template, now).await?;
        let receipts: Vec<&str> = recorded.iter().map(|r| r.receipt_id.as_str()).collect();
        let detail = json!({
            "brand": brand.as_ref().map(|b| b.slug.as_str()),
            "purpose": row.purpose.key,
            "decision": decided.as_str(),
            "receipts": receipts,
        });
        act.audit(&mut tx, "support.phone_consent_recorded", None, detail).await?;
        tx.commit().await
    }

    /// Confirms or rejects the customer's pending link `link_id` of a programme that
    /// support verifies (`support` method), through the brand API's own decision
    /// (`loyalty.linked` / `loyalty.rejected`, a number verified for one customer at a
    /// time, the customer mailed). Links of other programmes are their brand's to
    /// decide. Audited `support.loyalty_decided` (link, programme, last four digits).
    pub async fn support_decide_loyalty_link(&self, principal: &Principal, customer_id: &str, link_id: &str, confirm: bool, t: &SupportTicket) -> Result<()> {
        authorize(principal, Action::DecideLoyaltyLink, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let link = link_rows::link(&mut conn, link_id.trim()).await?.filter(|l| l.link.customer_id == customer_id).ok_or(Error::NotFound("loyalty link"))?;
        let programme = self.programme_on(&mut conn, &link.programme_slug).await?;
        drop(conn);
        if programme.verification != Verification::Support {
            return Err(refused("Link", "this programme's links are decided by its brand, not by support"));
        }
        if LinkStatus::parse(&link.link.status) != Some(LinkStatus::Pending) {
            return Err(refused("Link", "only a pending link is decided: this one is decided already"));
        }
        let decision = if confirm { loyalty::Decision::Confirm } else { loyalty::Decision::Reject };
        let to = after_decision(LinkStatus::Pending, decision).ok_or(Error::Conflict("A decision on this link"))?;
        let act = SupportAct { principal, customer_id, ticket: t, now };
        let mut tx = self.store.begin().await?;
        if !self.apply_link_decision_tx(&mut tx, &principal.actor().label(), &link.link, &programme, (LinkStatus::Pending, to), None, now).await? {
            drop(tx);
            return Err(self.why_not_decided(&programme, &link.link, to).await);
        }
        let detail = json!({
            "link": link.link.id,
            "programme": programme.slug,
            "decision": if confirm { "confirm" } else { "reject" },
            "number_last4": last4(&link.link.number),
        });
        act.audit(&mut tx, "support.loyalty_decided", None, detail).await?;
        tx.commit().await
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]
mod tests {
    use super::*;

    const TODAY: fields::Ymd = (2026, 12, 11);

    #[test]
    fn correctable_fields_never_include_the_email() {
        for f in CorrectableField::ALL {
            assert_eq!(CorrectableField::parse(f.as_str()).unwrap(), f);
        }
        assert_eq!(CorrectableField::parse(" phone ").unwrap(), CorrectableField::Phone);
        for bad in ["email", "Email", "email_normalized", "password", "password_hash", "zoneinfo", ""] {
            let Err(Error::Fields(e)) = CorrectableField::parse(bad) else { panic!("{bad} is refused") };
            assert_eq!(e[0].field(), "Field", "{bad}");
        }
        let Err(Error::Fields(e)) = CorrectableField::parse("email") else { panic!() };
        assert!(e[0].to_string().contains("customer's own"), "says why: {}", e[0]);
    }

    #[test]
    fn corrections_use_the_profile_forms_parsers() {
        use CorrectableField as F;
        assert_eq!(F::Phone.check("+44 20 7946 0958", TODAY).unwrap().as_deref(), Some("+442079460958"));
        assert_eq!(F::Phone.check("12345", TODAY).unwrap_err().field(), "Phone");
        assert_eq!(F::BirthDate.check("1990-12-10", TODAY).unwrap().as_deref(), Some("1990-12-10"));
        assert!(F::BirthDate.check("2030-01-01", TODAY).is_err(), "not in the future");
        assert_eq!(F::Country.check("gb", TODAY).unwrap().as_deref(), Some("GB"));
        assert_eq!(F::Country.check("Britain", TODAY).unwrap_err().field(), "Country");
        assert_eq!(F::PreferredLanguage.check("de-AT", TODAY).unwrap().as_deref(), Some("de"));
        assert_eq!(F::GivenName.check("  Ada  ", TODAY).unwrap().as_deref(), Some("Ada"));
        assert_eq!(F::GivenName.check("Ada\u{7}", TODAY).unwrap_err().field(), "Given name");
        assert_eq!(F::Street.check("   ", TODAY).unwrap(), None, "blank removes the value");
        assert_eq!(F::PostalCode.check("SW1Y 4LG", TODAY).unwrap().as_deref(), Some("SW1Y 4LG"));
        let mut form = ProfileForm::default();
        *F::Locality.slot(&mut form) = Some("London".into());
        assert_eq!(form.locality.as_deref(), Some("London"));
        for f in F::ALL {
            assert!(i18n::has(Locale::En, f.label_id()) && i18n::has(Locale::De, f.label_id()), "{f:?} is named in every language");
        }
    }

    #[test]
    fn an_identity_check_needs_a_known_kind_and_a_note() {
        for k in IdentityCheckKind::ALL {
            assert_eq!(IdentityCheckKind::parse(k.as_str()), Some(k));
        }
        let check = IdentityCheck::parse("video_call", "  matched the photo on file  ").unwrap();
        assert_eq!((check.kind, check.note()), (IdentityCheckKind::VideoCall, "matched the photo on file"));
        assert!(IdentityCheck::parse("id_document", "passport seen,\nname and birth date match").is_ok(), "a note may have lines");
        assert!(IdentityCheck::parse("gut_feeling", "seemed honest").is_err());
        assert!(IdentityCheck::parse("id_document", "ok").is_err(), "a note of at least 5 characters");
        assert!(IdentityCheck::parse("id_document", &"x".repeat(501)).is_err());
        assert!(IdentityCheck::parse("id_document", "seen\u{0}hidden").is_err());
        let Err(Error::Fields(both)) = IdentityCheck::parse("", "") else { panic!() };
        assert_eq!(both.iter().map(ParseError::field).collect::<Vec<_>>(), vec!["Identity check", "Check note"], "each named");
    }
}
