//! The customer's side of brand data: what each brand knows (the preferences page), the
//! save of one brand's form (or the group-wide one), and progressive profiling at
//! sign-in (the profile need and its answer).

use std::collections::BTreeMap;

use super::rules::{Attribute, FREQUENCIES, MAX_PER_FORM, ValueError, ValueProblem, attribute_field};
use super::{BrandDataError, Topic, attributes_of, topics_of};
use crate::i18n::Locale;
use crate::oidc::flow::Pending;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::brand_data::{self, BrandRef, PreferencesRow};
use crate::{Error, Identity, Result, sha256_hex};

/// An attribute with the customer's value (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeValue {
    pub attribute: Attribute,
    pub value: Option<String>,
}

/// The customer's preferences for one brand (unset members are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub language: Option<String>,
    pub frequency: Option<String>,
    /// Only topics the brand still offers.
    pub topics: Vec<String>,
}

/// One brand's section of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct BrandData {
    pub brand: BrandRef,
    pub preferences: Preferences,
    pub topics: Vec<Topic>,
    /// The brand's own attributes (not group-wide).
    pub attributes: Vec<AttributeValue>,
}

/// Everything the preferences page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerBrandData {
    pub brands: Vec<BrandData>,
    /// Group-wide attributes: every brand reads them.
    pub group: Vec<AttributeValue>,
}

/// One form as posted: attribute values by key (a key left out stays as it is) and,
/// for a brand's form, its preferences.
#[derive(Debug, Clone, Default)]
pub struct BrandDataForm {
    pub values: BTreeMap<String, String>,
    pub preferences: Option<PreferencesForm>,
}

#[derive(Debug, Clone, Default)]
pub struct PreferencesForm {
    /// A shipped locale tag, or empty: unset.
    pub language: String,
    /// One of [`FREQUENCIES`], or empty: unset.
    pub frequency: String,
    pub topics: Vec<String>,
}

fn with_values(attributes: Vec<Attribute>, values: &[(String, String)]) -> Vec<AttributeValue> {
    attributes
        .into_iter()
        .map(|attribute| {
            let value = values.iter().find(|(id, _)| *id == attribute.id).map(|(_, v)| v.clone());
            AttributeValue { attribute, value }
        })
        .collect()
}

pub(crate) fn preferences_of(row: Option<PreferencesRow>, offered: &[Topic]) -> Preferences {
    let row = row.unwrap_or_default();
    let chosen: Vec<String> = serde_json::from_str(&row.topics).unwrap_or_default();
    Preferences {
        language: row.language,
        frequency: row.frequency,
        topics: offered.iter().filter(|t| chosen.contains(&t.key)).map(|t| t.key.clone()).collect(),
    }
}

/// Checks each posted value of `attributes`; refused values become [`ValueError`]s.
/// Returns (attribute id, new value or `None` to clear) for the keys that were posted.
fn check_values(
    attributes: &[AttributeValue],
    posted: &BTreeMap<String, String>,
    all_required: bool,
    errors: &mut Vec<ValueError>,
) -> Vec<(String, Option<String>)> {
    let mut changes = Vec::new();
    for key in posted.keys().filter(|k| !attributes.iter().any(|a| &a.attribute.key == *k)) {
        let key: String = key.chars().take(40).collect();
        errors.push(ValueError::new(attribute_field(&key), &key, ValueProblem::UnknownAttribute));
    }
    for a in attributes {
        let attr = &a.attribute;
        let raw = posted.get(&attr.key);
        if raw.is_none() && !all_required {
            continue;
        }
        let refuse = |problem| ValueError { field: attribute_field(&attr.key), labels: attr.labels.clone(), problem };
        match attr.check(raw.map_or("", String::as_str)) {
            // A required value may change but not go away (one never given may stay empty).
            Ok(None) if all_required || (attr.required && a.value.is_some()) => errors.push(refuse(ValueProblem::Missing)),
            Ok(value) => changes.push((attr.id.clone(), value)),
            Err(problem) => errors.push(refuse(problem)),
        }
    }
    changes
}

fn check_preferences(form: &PreferencesForm, offered: &[Topic], errors: &mut Vec<ValueError>) -> PreferencesRow {
    let refuse = |field: &str, label: &str, problem| ValueError::new(field.to_owned(), label, problem);
    let language = match form.language.trim() {
        "" => None,
        tag if Locale::ALL.iter().any(|l| l.tag() == tag) => Some(tag.to_owned()),
        _ => {
            errors.push(refuse("language", "Language", ValueProblem::UnknownLanguage));
            None
        }
    };
    let frequency = match form.frequency.trim() {
        "" => None,
        f if FREQUENCIES.contains(&f) => Some(f.to_owned()),
        _ => {
            errors.push(refuse("frequency", "Contact frequency", ValueProblem::UnknownFrequency));
            None
        }
    };
    let mut topics = Vec::new();
    for key in &form.topics {
        if !offered.iter().any(|t| &t.key == key) {
            errors.push(refuse("topics", "Topics", ValueProblem::UnknownTopic));
            break;
        }
        if !topics.contains(key) {
            topics.push(key.clone());
        }
    }
    PreferencesRow { language, frequency, topics: serde_json::to_string(&topics).unwrap_or_else(|_| "[]".to_owned()) }
}

impl Identity {
    /// Everything the brands know about the customer beyond the standard claims: per
    /// brand they use or hold data with, its preferences and own attributes; and the
    /// group-wide attributes.
    pub async fn customer_brand_data(&self, principal: &Principal, customer_id: &str) -> Result<CustomerBrandData> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        let mut conn = self.store.pool().acquire().await?;
        let values = brand_data::values_of(&mut conn, customer_id).await?;
        let mut brands = Vec::new();
        for brand in brand_data::brands_of_customer(&mut conn, customer_id).await? {
            let own = attributes_of(brand_data::own_definitions(&mut conn, Some(&brand.id)).await?)?;
            let own: Vec<Attribute> = own.into_iter().filter(|a| !a.group_wide).collect();
            let topics = topics_of(brand_data::topics_of(&mut conn, &brand.id).await?)?;
            let preferences = preferences_of(brand_data::preferences_of(&mut conn, customer_id, &brand.id).await?, &topics);
            brands.push(BrandData { attributes: with_values(own, &values), brand, preferences, topics });
        }
        let group = with_values(attributes_of(brand_data::group_wide_definitions(&mut conn).await?)?, &values);
        Ok(CustomerBrandData { brands, group })
    }

    /// Saves one form of the preferences page: `brand` (a slug the customer uses or holds
    /// data with) with its preferences and own attributes, or `None`: the group-wide
    /// attributes. Every value is checked first; one refused value refuses the form and
    /// nothing is written. Audited (keys only, never values).
    pub async fn save_brand_data(&self, principal: &Principal, customer_id: &str, brand: Option<&str>, form: &BrandDataForm) -> Result<(), BrandDataError> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        let page = self.customer_brand_data(principal, customer_id).await?;
        let (section, attributes) = match brand {
            Some(slug) => {
                let section = page.brands.into_iter().find(|b| b.brand.slug == slug).ok_or(Error::NotFound("brand"))?;
                let attributes = section.attributes.clone();
                (Some(section), attributes)
            }
            None => (None, page.group),
        };
        let mut errors = Vec::new();
        let changes = check_values(&attributes, &form.values, false, &mut errors);
        let preferences = match (&section, &form.preferences) {
            (Some(s), Some(p)) => Some(check_preferences(p, &s.topics, &mut errors)),
            _ => None,
        };
        if !errors.is_empty() {
            return Err(BrandDataError::Invalid(errors));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        for (id, value) in &changes {
            match value {
                Some(v) => brand_data::set_value(&mut tx, customer_id, id, v, now).await?,
                None => brand_data::clear_value(&mut tx, customer_id, id).await?,
            }
        }
        if let (Some(s), Some(p)) = (&section, &preferences) {
            brand_data::set_preferences(&mut tx, customer_id, &s.brand.id, p, now).await?;
        }
        let keys: Vec<&str> = attributes.iter().filter(|a| changes.iter().any(|(id, _)| *id == a.attribute.id)).map(|a| a.attribute.key.as_str()).collect();
        let detail = serde_json::json!({ "brand": section.as_ref().map(|s| s.brand.slug.as_str()), "attributes": keys, "preferences": preferences.is_some() });
        self.audit_customer(&mut tx, principal.actor(), customer_id, "brand_data.saved", detail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The sign-in's short form: the required, ask-at-sign-in attributes of the
    /// request's brand (and the group's own) that the customer has no value for, at most
    /// [`MAX_PER_FORM`]; empty once this request's form was answered or skipped.
    pub async fn profile_need(&self, principal: &Principal, handle: &str, pending: &Pending, customer_id: &str) -> Result<Vec<Attribute>> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        if brand_data::profile_done(&self.store, &sha256_hex(handle.as_bytes())).await? {
            return Ok(Vec::new());
        }
        self.missing_at_sign_in(customer_id, &pending.client.brand_id).await
    }

    async fn missing_at_sign_in(&self, customer_id: &str, brand_id: &str) -> Result<Vec<Attribute>> {
        let mut conn = self.store.pool().acquire().await?;
        let values = brand_data::values_of(&mut conn, customer_id).await?;
        let visible = attributes_of(brand_data::visible_definitions(&mut conn, brand_id).await?)?;
        Ok(visible
            .into_iter()
            .filter(|a| a.brand_id.as_deref().is_none_or(|b| b == brand_id))
            .filter(|a| a.required && a.ask_at_sign_in && !values.iter().any(|(id, _)| *id == a.id))
            .take(MAX_PER_FORM)
            .collect())
    }

    /// The answer to the sign-in's short form: `Some(values)` saves them (each needed
    /// attribute is required here), `None` is "Skip for now". Either way the request is
    /// not asked again. Accepted only for a live request bound to this customer and
    /// sign-in.
    pub async fn answer_profile(
        &self,
        principal: &Principal,
        handle: &str,
        customer_id: &str,
        sid: &str,
        answer: Option<&BTreeMap<String, String>>,
    ) -> Result<(), BrandDataError> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        let pending = self.pending_request(handle).await?.ok_or(Error::TokenInvalid)?;
        if pending.customer_id.as_deref() != Some(customer_id) || pending.sid.as_deref() != Some(sid) || pending.denied {
            return Err(Error::TokenInvalid.into());
        }
        let need = self.missing_at_sign_in(customer_id, &pending.client.brand_id).await?;
        let need: Vec<AttributeValue> = need.into_iter().map(|attribute| AttributeValue { attribute, value: None }).collect();
        let changes = match answer {
            Some(values) => {
                let mut errors = Vec::new();
                let changes = check_values(&need, values, true, &mut errors);
                if !errors.is_empty() {
                    return Err(BrandDataError::Invalid(errors));
                }
                changes
            }
            None => Vec::new(),
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !brand_data::mark_profile_done(&mut tx, &sha256_hex(handle.as_bytes()), now).await? {
            return Err(Error::TokenInvalid.into());
        }
        for (id, value) in &changes {
            if let Some(v) = value {
                brand_data::set_value(&mut tx, customer_id, id, v, now).await?;
            }
        }
        let keys: Vec<&str> = need.iter().map(|a| a.attribute.key.as_str()).collect();
        let (action, detail) = match answer {
            Some(_) => ("brand_data.profile_answered", serde_json::json!({ "brand": pending.client.brand_slug, "client_id": pending.client.id, "attributes": keys })),
            None => ("brand_data.profile_skipped", serde_json::json!({ "brand": pending.client.brand_slug, "client_id": pending.client.id, "attributes": keys })),
        };
        self.audit_customer(&mut tx, principal.actor(), customer_id, action, detail, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use crate::branddata::rules::AttributeSpec;

    fn attr(key: &str, kind: &str, required: bool, extra: impl FnOnce(&mut AttributeSpec)) -> Attribute {
        let mut spec = AttributeSpec { key: key.into(), labels: vec![format!("en={key}")], kind: kind.into(), required, ..AttributeSpec::default() };
        extra(&mut spec);
        let c = spec.check().unwrap();
        Attribute { id: format!("id-{key}"), brand_id: None, key: c.key, labels: c.labels, kind: c.kind, choices: c.choices, rules: c.rules, required, ask_at_sign_in: false, group_wide: true, position: 1 }
    }

    #[test]
    fn a_form_is_checked_whole_and_names_each_field() {
        let seat = attr("seat", "choice", true, |s| s.choices = vec!["aisle=en:Aisle".into()]);
        let nick = attr("nick", "text", false, |_| {});
        let list = vec![AttributeValue { attribute: seat, value: Some("aisle".into()) }, AttributeValue { attribute: nick, value: None }];
        let posted: BTreeMap<String, String> = [("seat", ""), ("nick", "Ada"), ("other", "x")].iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut errors = Vec::new();
        check_values(&list, &posted, false, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["attribute.other", "attribute.seat"], "{errors:?}");
        assert_eq!(errors[1].problem, ValueProblem::Missing, "a required value cannot be cleared");
        // A key not posted stays as it is; an optional one posted empty is cleared.
        let mut errors = Vec::new();
        let changes = check_values(&list, &[("nick".to_owned(), String::new())].into_iter().collect(), false, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(changes, [("id-nick".to_owned(), None)]);
    }

    #[test]
    fn preferences_accept_only_what_is_offered() {
        let offered = vec![Topic { key: "deals".into(), labels: [("en".to_owned(), "Deals".to_owned())].into() }];
        let mut errors = Vec::new();
        let ok = check_preferences(&PreferencesForm { language: "de".into(), frequency: "weekly".into(), topics: vec!["deals".into()] }, &offered, &mut errors);
        assert!(errors.is_empty());
        assert_eq!((ok.language.as_deref(), ok.frequency.as_deref(), ok.topics.as_str()), (Some("de"), Some("weekly"), r#"["deals"]"#));
        check_preferences(&PreferencesForm { language: "fr".into(), frequency: "hourly".into(), topics: vec!["casino".into()] }, &offered, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["language", "frequency", "topics"]);
    }
}
