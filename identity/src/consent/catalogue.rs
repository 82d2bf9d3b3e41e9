//! The purpose catalogue: a brand's purposes and the group's (brand `None`), each with
//! its texts per language, legal basis, data categories, retention and channels, and its
//! published versions. Publishing a version *is* its insert: a published version never
//! changes (the database refuses it), a new wording is a new version, and a *material*
//! one sends every customer through the sign-in interstitial again.
//!
//! Operator and administrator input: each refusal names the field in an English sentence
//! (the CLI prints it as one line); nothing is written unless everything is valid.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Channel, LegalBasis};
use crate::audit::{self, AuditEvent};
use crate::domain::{BrandSlug, ParseError, RedirectUri, UriRules, one_or_many, unknown_brand};
use crate::i18n::Locale;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::purposes::{self, PurposeRow, VersionRow};
use crate::{Error, Identity, Result, UnixMillis};

const MAX_TITLE: usize = 120;
const MAX_DESCRIPTION: usize = 1_000;
const MAX_BODY: usize = 20_000;
const MAX_CATEGORIES: usize = 20;

/// A purpose's words in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeText {
    pub title: String,
    pub description: String,
}

/// A purpose as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    pub id: String,
    /// The brand's slug; `None`: group-wide.
    pub brand: Option<String>,
    pub key: String,
    pub legal_basis: LegalBasis,
    pub required: bool,
    pub data_categories: Vec<String>,
    /// ISO 8601 duration; `None`: while the account exists.
    pub retention: Option<String>,
    pub channels: Vec<Channel>,
    /// By language tag; `en` is always there.
    pub texts: BTreeMap<String, PurposeText>,
}

impl Purpose {
    /// The words in `locale`, else in English.
    pub fn text(&self, locale: Locale) -> PurposeText {
        self.texts
            .get(locale.tag())
            .or_else(|| self.texts.get("en"))
            .cloned()
            .unwrap_or_else(|| PurposeText { title: self.key.clone(), description: String::new() })
    }

    pub(crate) fn from_row(row: PurposeRow, brand: Option<String>) -> Self {
        Self {
            legal_basis: LegalBasis::parse(&row.legal_basis).unwrap_or(LegalBasis::Consent),
            required: row.required == 1,
            data_categories: serde_json::from_str(&row.data_categories).unwrap_or_default(),
            channels: serde_json::from_str::<Vec<String>>(&row.channels).unwrap_or_default().iter().filter_map(|c| Channel::parse(c)).collect(),
            texts: serde_json::from_str(&row.texts).unwrap_or_default(),
            id: row.id,
            brand,
            key: row.key,
            retention: row.retention,
        }
    }
}

/// A published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    pub version: i64,
    pub body: Option<String>,
    pub document_url: Option<String>,
    pub document_sha256: Option<String>,
    pub effective_at: UnixMillis,
    pub material: bool,
    pub published_at: UnixMillis,
}

impl From<VersionRow> for Version {
    fn from(r: VersionRow) -> Self {
        Self {
            version: r.version,
            body: r.body,
            document_url: r.document_url,
            document_sha256: r.document_sha256,
            effective_at: r.effective_at,
            material: r.material == 1,
            published_at: r.published_at,
        }
    }
}

/// A purpose with its versions (the CLI's `purpose list`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeWithVersions {
    pub purpose: Purpose,
    pub versions: Vec<Version>,
}

/// `foyer purpose create` as typed.
#[derive(Debug, Clone, Default)]
pub struct NewPurpose {
    /// A brand's slug; `None`: group-wide.
    pub brand: Option<String>,
    pub key: String,
    /// `(language tag, text)` pairs.
    pub titles: Vec<(String, String)>,
    pub descriptions: Vec<(String, String)>,
    pub legal_basis: String,
    pub required: bool,
    pub data_categories: Vec<String>,
    pub retention: Option<String>,
    pub channels: Vec<String>,
}

/// `foyer purpose publish-version` as typed.
#[derive(Debug, Clone, Default)]
pub struct NewVersion {
    pub brand: Option<String>,
    pub key: String,
    /// The number the operator means to publish (must be the next one), if given.
    pub version: Option<i64>,
    pub body: Option<String>,
    pub document_url: Option<String>,
    pub document_sha256: Option<String>,
    /// When it takes effect; now when absent, never in the past.
    pub effective_at: Option<UnixMillis>,
    pub material: bool,
    /// Allows an http document URL on a loopback host (development).
    pub dev: bool,
}

fn malformed(field: &'static str, reason: &'static str) -> ParseError {
    ParseError::Malformed { field, reason }
}

fn clean(field: &'static str, text: &str, max: usize, errors: &mut Vec<ParseError>) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        errors.push(ParseError::Missing { field });
        None
    } else if text.chars().count() > max {
        errors.push(ParseError::TooLong { field, max });
        None
    } else if text.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(malformed(field, "it contains control characters"));
        None
    } else {
        Some(text.to_owned())
    }
}

/// `[a-z0-9][a-z0-9_.-]{0,63}`.
pub fn parse_key(key: &str) -> Result<String, ParseError> {
    let k = key.trim();
    let ok = (1..=64).contains(&k.len())
        && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'))
        && k.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok { Ok(k.to_owned()) } else { Err(malformed("Key", "use 1-64 characters a-z, 0-9, '_', '.', '-', starting with a letter or digit")) }
}

fn texts(new: &NewPurpose, errors: &mut Vec<ParseError>) -> BTreeMap<String, PurposeText> {
    let mut titles = BTreeMap::new();
    let mut descriptions = BTreeMap::new();
    for (pairs, into, field, max) in
        [(&new.titles, &mut titles, "Title", MAX_TITLE), (&new.descriptions, &mut descriptions, "Description", MAX_DESCRIPTION)]
    {
        for (lang, text) in pairs.iter() {
            let Some(locale) = Locale::parse(lang).filter(|l| l.tag() == lang.trim()) else {
                errors.push(ParseError::Rejected {
                    field,
                    reason: format!(
                        "{field} language {:?} is not one Foyer ships ({})",
                        lang.trim(),
                        Locale::ALL.map(Locale::tag).join(", ")
                    ),
                });
                continue;
            };
            if into.contains_key(locale.tag()) {
                errors.push(ParseError::Rejected { field, reason: format!("{field} is given twice for {}", locale.tag()) });
            } else if let Some(text) = clean(field, text, max, errors) {
                into.insert(locale.tag().to_owned(), text);
            }
        }
    }
    if !titles.contains_key("en") {
        errors.push(malformed("Title", "an English title is required (--title en=...)"));
    }
    if !descriptions.contains_key("en") {
        errors.push(malformed("Description", "an English description is required (--description en=...)"));
    }
    if let Some(lang) = titles.keys().find(|l| !descriptions.contains_key(*l)).cloned() {
        errors.push(ParseError::Rejected { field: "Description", reason: format!("a title in {lang} needs a description in {lang} too") });
    }
    if let Some(lang) = descriptions.keys().find(|l| !titles.contains_key(*l)).cloned() {
        errors.push(ParseError::Rejected { field: "Title", reason: format!("a description in {lang} needs a title in {lang} too") });
    }
    titles
        .into_iter()
        .filter_map(|(lang, title)| descriptions.get(&lang).map(|d| (lang, PurposeText { title, description: d.clone() })))
        .collect()
}

struct CheckedPurpose {
    key: String,
    legal_basis: LegalBasis,
    texts: BTreeMap<String, PurposeText>,
    data_categories: Vec<String>,
    retention: Option<String>,
    channels: Vec<Channel>,
}

impl NewPurpose {
    fn check(&self) -> Result<CheckedPurpose> {
        let mut errors = Vec::new();
        let key = parse_key(&self.key).map_err(|e| errors.push(e)).ok();
        let legal_basis = LegalBasis::parse(&self.legal_basis);
        if legal_basis.is_none() {
            errors.push(malformed("Legal basis", "use consent, contract, legitimate_interest or legal_obligation"));
        }
        let texts = texts(self, &mut errors);
        if self.data_categories.len() > MAX_CATEGORIES {
            errors.push(ParseError::TooLong { field: "Data categories", max: MAX_CATEGORIES });
        }
        let mut data_categories: Vec<String> = Vec::new();
        for c in &self.data_categories {
            if let Some(c) = clean("Data category", c, 60, &mut errors)
                && !data_categories.contains(&c)
            {
                data_categories.push(c);
            }
        }
        if data_categories.is_empty() && self.data_categories.is_empty() {
            errors.push(malformed("Data categories", "name at least one category of data the purpose uses (--category contact)"));
        }
        let retention = match self.retention.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => match r.parse::<jiff::Span>() {
                Ok(span) if r.starts_with('P') && span.is_positive() => Some(r.to_owned()),
                _ => {
                    errors.push(malformed("Retention", "use an ISO 8601 duration such as P2Y or P18M"));
                    None
                }
            },
        };
        let mut channels = Vec::new();
        for c in &self.channels {
            match Channel::parse(c) {
                Some(c) if !channels.contains(&c) => channels.push(c),
                Some(_) => {}
                None => errors.push(malformed("Channel", "use email, sms, push or post")),
            }
        }
        if !channels.is_empty() && legal_basis.is_some_and(|b| !b.can_withdraw()) {
            errors.push(malformed("Channel", "channels are switches the customer turns off: only for consent or legitimate interest"));
        }
        channels.sort();
        match (key, legal_basis) {
            (Some(key), Some(legal_basis)) if errors.is_empty() => Ok(CheckedPurpose { key, legal_basis, texts, data_categories, retention, channels }),
            _ => Err(one_or_many(errors)),
        }
    }
}

impl Identity {
    /// The brand's id for a slug (`None` for the group); unknown slugs are refused.
    async fn purpose_owner(&self, brand: Option<&str>) -> Result<Option<(String, String)>> {
        let Some(slug) = brand else { return Ok(None) };
        let slug = BrandSlug::parse(slug)?;
        let row = self.store.brand_by_slug(slug.as_str()).await?.ok_or_else(|| unknown_brand(&slug))?;
        Ok(Some((row.id, row.slug)))
    }

    /// Declares a purpose (no version yet: publish one to put it in force).
    pub async fn create_purpose(&self, principal: &Principal, new: &NewPurpose) -> Result<Purpose> {
        let owner = self.purpose_owner(new.brand.as_deref()).await?;
        authorize(principal, Action::ManageBrands, owner.as_ref().map_or(Subject::Platform, |(id, _)| Subject::Brand(id)))?;
        let checked = new.check()?;
        let now = self.clock.now();
        let row = PurposeRow {
            id: self.new_id(),
            brand_id: owner.as_ref().map(|(id, _)| id.clone()),
            key: checked.key,
            legal_basis: checked.legal_basis.as_str().to_owned(),
            required: i64::from(new.required),
            data_categories: serde_json::to_string(&checked.data_categories)?,
            retention: checked.retention,
            channels: serde_json::to_string(&checked.channels)?,
            texts: serde_json::to_string(&checked.texts)?,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        purposes::insert(&mut tx, &row).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: owner.as_ref().map(|(id, _)| format!("brand:{id}")),
            action: "purpose.created",
            reason: None,
            detail: json!({ "purpose": row.id, "key": row.key }),
        })
        .await?;
        tx.commit().await?;
        Ok(Purpose::from_row(row, owner.map(|(_, slug)| slug)))
    }

    /// Publishes the next version of a purpose. A version that exists is never changed:
    /// asking to publish it again is refused with the number to use instead.
    pub async fn publish_purpose_version(&self, principal: &Principal, new: &NewVersion) -> Result<Version> {
        let owner = self.purpose_owner(new.brand.as_deref()).await?;
        authorize(principal, Action::ManageBrands, owner.as_ref().map_or(Subject::Platform, |(id, _)| Subject::Brand(id)))?;
        let key = parse_key(&new.key)?;
        let purpose = purposes::by_key(&self.store, owner.as_ref().map(|(id, _)| id.as_str()), &key)
            .await?
            .ok_or_else(|| Error::Invalid(ParseError::Rejected { field: "Key", reason: format!("No purpose has the key {key:?} there.") }))?;
        let now = self.clock.now();
        let mut errors = Vec::new();
        let body = new.body.as_deref().map(str::trim).filter(|b| !b.is_empty());
        let url = new.document_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let sha = new.document_sha256.as_deref().map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty());
        let (body, document_url, document_sha256) = match (body, url, sha) {
            (Some(body), None, None) => (clean("Text", body, MAX_BODY, &mut errors), None, None),
            (None, Some(url), Some(sha)) => {
                let rules = UriRules { http_loopback: new.dev, private_use_scheme: false };
                let url = RedirectUri::parse_field("Document URL", url, rules).map(|u| u.as_str().to_owned()).map_err(|e| errors.push(e)).ok();
                if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                    errors.push(malformed("SHA-256", "give the document's SHA-256 as 64 hexadecimal digits"));
                }
                (None, url, Some(sha))
            }
            (None, Some(_), None) => {
                errors.push(malformed("SHA-256", "a document URL needs the SHA-256 of the document (--sha256)"));
                (None, None, None)
            }
            _ => {
                errors.push(malformed("Text", "give either the text (--text) or a document URL with its SHA-256 (--url, --sha256)"));
                (None, None, None)
            }
        };
        let effective_at = new.effective_at.unwrap_or(now);
        if effective_at < now - 60_000 {
            errors.push(malformed("Effective date", "it cannot be in the past: decisions already made refer to the versions in force"));
        }
        if !errors.is_empty() {
            return Err(one_or_many(errors));
        }
        let mut tx = self.store.begin().await?;
        let next = purposes::highest_version(&mut tx, &purpose.id).await? + 1;
        match new.version {
            Some(v) if v < next => {
                return Err(Error::Invalid(ParseError::Rejected {
                    field: "Version",
                    reason: format!("Version {v} of {key:?} is published and cannot change; publish version {next} instead."),
                }));
            }
            Some(v) if v != next => {
                return Err(Error::Invalid(ParseError::Rejected { field: "Version", reason: format!("The next version of {key:?} is {next}, not {v}.") }));
            }
            _ => {}
        }
        let row = VersionRow {
            purpose_id: purpose.id.clone(),
            version: next,
            body,
            document_url,
            document_sha256,
            effective_at,
            material: i64::from(new.material),
            published_at: now,
        };
        purposes::insert_version(&mut tx, &row).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: owner.as_ref().map(|(id, _)| format!("brand:{id}")),
            action: "purpose.version_published",
            reason: None,
            detail: json!({ "purpose": purpose.id, "key": key, "version": next, "material": new.material }),
        })
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// The brand's purposes (or the group's) with their versions.
    pub async fn list_purposes(&self, principal: &Principal, brand: Option<&str>) -> Result<Vec<PurposeWithVersions>> {
        let owner = self.purpose_owner(brand).await?;
        authorize(principal, Action::ManageBrands, owner.as_ref().map_or(Subject::Platform, |(id, _)| Subject::Brand(id)))?;
        let rows = purposes::of_owner(&self.store, owner.as_ref().map(|(id, _)| id.as_str())).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let versions = purposes::versions(&self.store, &row.id).await?.into_iter().map(Version::from).collect();
            out.push(PurposeWithVersions { purpose: Purpose::from_row(row, owner.as_ref().map(|(_, slug)| slug.clone())), versions });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NewPurpose {
        NewPurpose {
            brand: Some("air".into()),
            key: "newsletter".into(),
            titles: vec![("en".into(), "Newsletter".into()), ("de".into(), "Newsletter".into())],
            descriptions: vec![("en".into(), "Offers by mail.".into()), ("de".into(), "Angebote per Mail.".into())],
            legal_basis: "consent".into(),
            required: false,
            data_categories: vec!["contact".into()],
            retention: Some("P2Y".into()),
            channels: vec!["email".into(), "sms".into()],
        }
    }

    #[test]
    fn a_valid_purpose_passes() {
        let c = valid().check().map_err(|e| e.to_string());
        assert!(c.is_ok(), "{c:?}", c = c.err());
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(NewPurpose, &str)> = vec![
            (NewPurpose { key: "Bad Key".into(), ..valid() }, "Key"),
            (NewPurpose { legal_basis: "because".into(), ..valid() }, "Legal basis"),
            (NewPurpose { titles: vec![("de".into(), "x".into())], ..valid() }, "English title"),
            (NewPurpose { titles: vec![("en".into(), "x".into()), ("fr".into(), "y".into())], ..valid() }, "not one Foyer ships"),
            (NewPurpose { retention: Some("two years".into()), ..valid() }, "ISO 8601"),
            (NewPurpose { channels: vec!["fax".into()], ..valid() }, "Channel"),
            (NewPurpose { legal_basis: "contract".into(), ..valid() }, "only for consent"),
            (NewPurpose { data_categories: vec![], ..valid() }, "at least one category"),
            (NewPurpose { titles: vec![("en".into(), "bell\u{7}".into()), ("de".into(), "x".into())], ..valid() }, "control characters"),
            (NewPurpose { titles: vec![("en".into(), "x".into())], ..valid() }, "a description in de needs a title in de too"),
        ];
        for (input, expected) in cases {
            let message = input.check().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(expected), "expected {expected:?} in {message:?}");
        }
    }

    #[test]
    fn keys() {
        assert_eq!(parse_key("terms").ok().as_deref(), Some("terms"));
        assert_eq!(parse_key("news.v2_x-y").ok().as_deref(), Some("news.v2_x-y"));
        for bad in ["", "-x", "X", "a b", "ä", &"a".repeat(65)] {
            assert!(parse_key(bad).is_err(), "{bad}");
        }
    }
}
