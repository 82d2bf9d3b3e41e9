//! Brand data for the customer: the preferences page (`/account/privacy/preferences`:
//! per brand its preferences and what it knows, and the group-wide attributes) and the
//! sign-in's short profile form (`/oauth2/profile?r=`). Adapters over
//! `identity::branddata`; refused values come back as field errors named
//! `attribute.<key>`, `language`, `frequency` or `topics`.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::oidc::BrandView;
use crate::error::AppError;

/// One attribute as a form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    pub key: String,
    pub label: String,
    /// `text`, `number`, `date` or `choice`.
    pub kind: String,
    /// The stored value ("" when none).
    pub value: String,
    /// (value, label) for a choice.
    pub choices: Vec<(String, String)>,
    pub required: bool,
}

impl FieldView {
    /// The field name its errors carry (and the form's input is `values[<key>]`).
    pub fn error_field(&self) -> String {
        format!("attribute.{}", self.key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicView {
    pub key: String,
    pub label: String,
    pub chosen: bool,
}

/// One brand's section of the preferences page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandSectionView {
    pub slug: String,
    pub name: String,
    /// A shipped locale tag, or "" (the profile's language).
    pub language: String,
    /// One of `FREQUENCIES`, or "" (the brand's default).
    pub frequency: String,
    pub topics: Vec<TopicView>,
    pub attributes: Vec<FieldView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandDataView {
    pub brands: Vec<BrandSectionView>,
    pub group: Vec<FieldView>,
}

/// What the sign-in's short form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub brand: BrandView,
    pub email: String,
    /// Empty once this sign-in's form was answered or skipped (the page offers to go on).
    pub fields: Vec<FieldView>,
}

/// The prefix of the group-wide form's field errors (`group:attribute.<key>`).
pub const GROUP: &str = "group";

/// The contact frequencies offered (`identity::branddata::rules::FREQUENCIES`).
pub const FREQUENCIES: [&str; 4] = ["as_it_happens", "weekly", "monthly", "never"];

#[cfg(feature = "ssr")]
fn field_view(a: &identity::branddata::Attribute, value: Option<&str>, lang: &str) -> FieldView {
    FieldView {
        key: a.key.clone(),
        label: a.label(lang).to_owned(),
        kind: a.kind.as_str().to_owned(),
        value: value.unwrap_or_default().to_owned(),
        choices: a.choices.iter().map(|c| (c.value.clone(), identity::branddata::rules::label_in(&c.labels, lang).to_owned())).collect(),
        required: a.required,
    }
}

/// A refused form in the page's language: each value error beside its field, the field
/// named `<prefix><field>` (the preferences page has one form per brand: `<slug>:`, and
/// `group:` for the group-wide one, so each form shows only its own errors).
#[cfg(feature = "ssr")]
fn refused(e: identity::branddata::BrandDataError, prefix: &str) -> AppError {
    use crate::error::FieldMessage;
    use crate::i18n::{locale, t, t_with};
    use identity::branddata::BrandDataError;
    match e {
        BrandDataError::Invalid(list) => {
            let lang = locale().tag();
            let messages = list
                .iter()
                .map(|v| {
                    let label = match v.field.as_str() {
                        "language" => t("branddata-language"),
                        "frequency" => t("branddata-frequency"),
                        "topics" => t("branddata-topics"),
                        _ => identity::branddata::rules::label_in(&v.labels, lang).to_owned(),
                    };
                    let mut args = vec![("field", label)];
                    if let Some(limit) = v.problem.limit() {
                        args.push(("limit", limit));
                    }
                    FieldMessage { field: format!("{prefix}{}", v.field), message: t_with(&format!("branddata-error-{}", v.problem.code()), &args) }
                })
                .collect();
            crate::auth::respond(AppError::Fields(messages))
        }
        BrandDataError::Other(identity::Error::TokenInvalid) => crate::auth::respond(crate::api::oidc::too_long()),
        BrandDataError::Other(identity::Error::NotFound(_)) => crate::auth::respond(AppError::NotFound(t("branddata-brand-not-found"))),
        BrandDataError::Other(other) => crate::auth::fail(other),
    }
}

#[server(endpoint = "brand_data")]
pub async fn brand_data() -> Result<BrandDataView, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let data = ctx.identity.customer_brand_data(&principal, &subject).await.map_err(auth::fail)?;
    let lang = crate::i18n::locale().tag();
    let fields = |list: &[identity::branddata::AttributeValue]| list.iter().map(|a| field_view(&a.attribute, a.value.as_deref(), lang)).collect::<Vec<_>>();
    Ok(BrandDataView {
        brands: data
            .brands
            .iter()
            .map(|b| BrandSectionView {
                slug: b.brand.slug.clone(),
                name: b.brand.name.clone(),
                language: b.preferences.language.clone().unwrap_or_default(),
                frequency: b.preferences.frequency.clone().unwrap_or_default(),
                topics: b.topics.iter().map(|t| TopicView { key: t.key.clone(), label: t.label(lang).to_owned(), chosen: b.preferences.topics.contains(&t.key) }).collect(),
                attributes: fields(&b.attributes),
            })
            .collect(),
        group: fields(&data.group),
    })
}

/// Saves one brand's form (`brand` its slug) or the group-wide one (`brand` empty).
/// `values[<key>]` are the attributes (a key left out stays as it is); a brand's form
/// also posts `language`, `frequency` and the ticked `topics[<key>]`.
#[server(endpoint = "save_brand_data")]
pub async fn save_brand_data(
    brand: String,
    values: Option<HashMap<String, String>>,
    language: Option<String>,
    frequency: Option<String>,
    topics: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use identity::branddata::{BrandDataForm, PreferencesForm};
    let current = crate::auth::require().await?;
    let ctx = crate::context::server_context()?;
    let brand = Some(brand.trim()).filter(|b| !b.is_empty());
    let preferences = (brand.is_some() && (language.is_some() || frequency.is_some())).then(|| PreferencesForm {
        language: language.unwrap_or_default(),
        frequency: frequency.unwrap_or_default(),
        topics: topics.unwrap_or_default().into_iter().filter(|(_, v)| crate::api::ticked(Some(v.as_str()))).map(|(k, _)| k).collect(),
    });
    let form = BrandDataForm { values: values.unwrap_or_default().into_iter().collect(), preferences };
    let prefix = format!("{}:", brand.unwrap_or(GROUP));
    let (principal, subject) = crate::api::acting(&current).await?;
    ctx.identity.save_brand_data(&principal, &subject, brand, &form).await.map_err(|e| refused(e, &prefix))
}

/// The request behind `r`, if it is live and bound to this sign-in.
#[cfg(feature = "ssr")]
async fn bound_request(r: &str, current: &crate::auth::Current) -> Result<identity::oidc::flow::Pending, AppError> {
    let ctx = crate::context::server_context()?;
    let expired = || crate::auth::respond(crate::api::oidc::too_long());
    let pending = ctx.identity.pending_request(r).await.map_err(crate::auth::fail)?.ok_or_else(expired)?;
    if pending.denied || pending.customer_id.as_deref() != Some(current.customer_id.as_str()) || pending.sid.as_deref() != Some(current.sid.as_str()) {
        return Err(expired());
    }
    Ok(pending)
}

#[server(endpoint = "profile_details")]
pub async fn profile_details(r: String) -> Result<ProfileView, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let pending = bound_request(&r, &current).await?;
    crate::api::oidc::let_forms_reach(&pending.request.redirect_uri);
    let principal = crate::api::customer(&current);
    let need = ctx.identity.profile_need(&principal, &r, &pending, &current.customer_id).await.map_err(auth::fail)?;
    let Some(brand) = ctx.identity.brand(&pending.client.brand_slug).await.map_err(auth::fail)? else { return Err(auth::respond(crate::api::oidc::too_long())) };
    let Some(customer) = ctx.identity.account_summary(&principal, &current.customer_id).await.map_err(auth::fail)? else {
        return Err(auth::respond(AppError::SignInRequired));
    };
    let lang = crate::i18n::locale().tag();
    Ok(ProfileView { brand: crate::api::oidc::brand_view(brand), email: customer.email, fields: need.iter().map(|a| field_view(a, None, lang)).collect() })
}

/// "Save and continue": the values of the sign-in's short form; answers where the flow
/// goes on.
#[server(endpoint = "profile_save")]
pub async fn profile_save(r: String, values: Option<HashMap<String, String>>) -> Result<String, AppError> {
    let current = crate::auth::require().await?;
    let ctx = crate::context::server_context()?;
    let values: std::collections::BTreeMap<String, String> = values.unwrap_or_default().into_iter().collect();
    ctx.identity.answer_profile(&crate::api::customer(&current), &r, &current.customer_id, &current.sid, Some(&values)).await.map_err(|e| refused(e, ""))?;
    Ok(crate::api::continue_to(crate::api::oidc::continue_path(&r)))
}

/// "Skip for now": the flow goes on; this sign-in is not asked again.
#[server(endpoint = "profile_skip")]
pub async fn profile_skip(r: String) -> Result<String, AppError> {
    let current = crate::auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.answer_profile(&crate::api::customer(&current), &r, &current.customer_id, &current.sid, None).await.map_err(|e| refused(e, ""))?;
    Ok(crate::api::continue_to(crate::api::oidc::continue_path(&r)))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    /// Every refusal the core can give reads as a sentence in every locale (the ids
    /// are chosen at run time).
    #[test]
    fn every_value_problem_is_translated() {
        for locale in identity::i18n::Locale::ALL {
            for p in identity::branddata::ValueProblem::every() {
                let id = format!("branddata-error-{}", p.code());
                assert!(identity::i18n::has(locale, &id), "{id} missing in {}", locale.tag());
            }
            for f in super::FREQUENCIES {
                let id = format!("branddata-frequency-{}", f.replace('_', "-"));
                assert!(identity::i18n::has(locale, &id), "{id} missing in {}", locale.tag());
            }
        }
        assert_eq!(super::FREQUENCIES, identity::branddata::rules::FREQUENCIES);
    }
}
