//! Brand data: the attributes a brand (or the group) declares and its customers' values,
//! per-brand preferences (language, contact frequency, topics), progressive profiling
//! at sign-in, and the `attributes` / `preferences` claims (`docs/design/consent.md`
//! "Brand attributes", "Preferences").
//!
//! - [`rules`]: keys, labels, declarations and the check of a value (pure).
//! - this module: the operator's declarations ([`Identity::declare_attribute`],
//!   [`Identity::set_brand_topics`]) and the customer's use cases.
//! - [`claims`]: what a client's brand reads (its own and group-wide attributes, its own
//!   preferences), decided from the client's brand id.

pub mod claims;
mod customer;
pub mod rules;

use crate::audit::{self, AuditEvent};
use crate::domain::{BrandSlug, ParseError, one_or_many, unknown_brand};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::brand_data::{self, BrandRef, DefinitionRow};
use crate::{Error, Identity, Result};

pub use customer::{AttributeValue, BrandData, BrandDataForm, CustomerBrandData, Preferences, PreferencesForm};
pub use rules::{Attribute, AttributeSpec, Choice, Kind, Labels, Rules, ValueError, ValueProblem};

/// A topic a brand offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub key: String,
    pub labels: Labels,
}

impl Topic {
    pub fn label(&self, lang: &str) -> &str {
        rules::label_in(&self.labels, lang)
    }
}

/// Why a customer's brand data was not saved: refused values (each names its field),
/// or another failure.
#[derive(Debug, thiserror::Error)]
pub enum BrandDataError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<ValueError>),
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<crate::store::DbError> for BrandDataError {
    fn from(e: crate::store::DbError) -> Self {
        Self::Other(e.into())
    }
}

pub(crate) fn attribute_of(row: DefinitionRow) -> Result<Attribute> {
    Ok(Attribute {
        labels: serde_json::from_str(&row.labels)?,
        kind: Kind::parse(&row.kind).ok_or_else(|| Error::Internal(format!("attribute {} has an unknown kind", row.id)))?,
        choices: serde_json::from_str(&row.choices)?,
        rules: serde_json::from_str(&row.rules)?,
        required: row.required == 1,
        ask_at_sign_in: row.ask_at_sign_in == 1,
        group_wide: row.group_wide == 1,
        position: row.position,
        id: row.id,
        brand_id: row.brand_id,
        key: row.key,
    })
}

pub(crate) fn attributes_of(rows: Vec<DefinitionRow>) -> Result<Vec<Attribute>> {
    rows.into_iter().map(attribute_of).collect()
}

pub(crate) fn topics_of(rows: Vec<brand_data::TopicRow>) -> Result<Vec<Topic>> {
    rows.into_iter().map(|r| -> Result<Topic> { Ok(Topic { key: r.key, labels: serde_json::from_str(&r.labels)? }) }).collect()
}

impl Identity {
    async fn brand_ref(&self, slug: &BrandSlug) -> Result<BrandRef> {
        let mut conn = self.store.pool().acquire().await?;
        brand_data::brand_ref(&mut conn, slug.as_str()).await?.ok_or_else(|| unknown_brand(slug))
    }

    /// The brand `slug` (`None`: the group) once `principal` may manage it: the brand is
    /// found first, so the table decides on its id (`Subject::Brand` carries ids).
    async fn managed_brand(&self, principal: &Principal, slug: Option<&BrandSlug>) -> Result<Option<BrandRef>> {
        let brand = match slug {
            Some(slug) => Some(self.brand_ref(slug).await?),
            None => None,
        };
        authorize(principal, Action::ManageBrands, brand.as_ref().map_or(Subject::Platform, |b| Subject::Brand(&b.id)))?;
        Ok(brand)
    }

    /// Declares an attribute for `brand` (`None`: the group's own, read by every brand).
    /// Everything is checked before one transaction: the spec, the brand, the key
    /// (unique per brand; a group-wide key unique across the group), the count. Audited.
    pub async fn declare_attribute(&self, principal: &Principal, brand: Option<&BrandSlug>, spec: &AttributeSpec) -> Result<Attribute> {
        let brand = self.managed_brand(principal, brand).await?;
        let checked = spec.check().map_err(one_or_many)?;
        let brand_id = brand.as_ref().map(|b| b.id.as_str());
        let group_wide = checked.group_wide || brand_id.is_none();
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if brand_data::key_taken(&mut tx, brand_id, &checked.key, group_wide).await? {
            return Err(ParseError::Rejected {
                field: "Key",
                reason: format!("Key {:?} is taken: by this brand, by a group-wide attribute, or (for a group-wide one) by any brand.", checked.key),
            }
            .into());
        }
        let count = brand_data::count_own(&mut tx, brand_id).await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= rules::MAX_ATTRIBUTES {
            return Err(ParseError::Rejected { field: "Key", reason: format!("At most {} attributes per brand (and for the group).", rules::MAX_ATTRIBUTES) }.into());
        }
        let row = DefinitionRow {
            id: self.new_id(),
            brand_id: brand_id.map(str::to_owned),
            key: checked.key.clone(),
            labels: serde_json::to_string(&checked.labels)?,
            kind: checked.kind.as_str().to_owned(),
            choices: serde_json::to_string(&checked.choices)?,
            rules: serde_json::to_string(&checked.rules)?,
            required: i64::from(checked.required),
            ask_at_sign_in: i64::from(checked.ask_at_sign_in),
            group_wide: i64::from(group_wide),
            position: count + 1,
        };
        brand_data::insert_definition(&mut tx, &row, now).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: brand_id.and_then(|id| Subject::Brand(id).label()),
            action: "attribute.declared",
            reason: None,
            detail: serde_json::json!({ "key": row.key, "kind": row.kind, "required": checked.required, "ask_at_sign_in": checked.ask_at_sign_in, "group_wide": group_wide }),
        })
        .await?;
        tx.commit().await?;
        attribute_of(row)
    }

    /// The attributes `brand` declared (`None`: the group's own), in order.
    pub async fn declared_attributes(&self, principal: &Principal, brand: Option<&BrandSlug>) -> Result<Vec<Attribute>> {
        let brand = self.managed_brand(principal, brand).await?;
        let mut conn = self.store.pool().acquire().await?;
        attributes_of(brand_data::own_definitions(&mut conn, brand.as_ref().map(|b| b.id.as_str())).await?)
    }

    /// Replaces the brand's topics (`KEY=en:Text,de:Text` each; none: the brand offers no
    /// topics). Checked as a whole before one transaction; audited.
    pub async fn set_brand_topics(&self, principal: &Principal, brand: &BrandSlug, topics: &[String]) -> Result<Vec<Topic>> {
        let brand = self.managed_brand(principal, Some(brand)).await?.ok_or(Error::NotFound("brand"))?;
        let mut errors = Vec::new();
        let mut checked: Vec<Topic> = Vec::new();
        if topics.len() > rules::MAX_TOPICS {
            errors.push(ParseError::Rejected { field: "Topic", reason: format!("At most {} topics per brand.", rules::MAX_TOPICS) });
        }
        for item in topics {
            match rules::parse_keyed("Topic", item).and_then(|(key, labels)| Ok(Topic { key: rules::check_key("Topic", &key)?, labels })) {
                Ok(t) if checked.iter().any(|x| x.key == t.key) => {
                    errors.push(ParseError::Rejected { field: "Topic", reason: format!("Topic {:?} is given twice.", t.key) });
                }
                Ok(t) => checked.push(t),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(one_or_many(errors));
        }
        let rows = checked.iter().map(|t| -> Result<(String, String)> { Ok((t.key.clone(), serde_json::to_string(&t.labels)?)) }).collect::<Result<Vec<_>>>()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        brand_data::replace_topics(&mut tx, &brand.id, &rows).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Brand(&brand.id).label(),
            action: "brand.topics_set",
            reason: None,
            detail: serde_json::json!({ "topics": checked.iter().map(|t| t.key.as_str()).collect::<Vec<_>>() }),
        })
        .await?;
        tx.commit().await?;
        Ok(checked)
    }

    /// The brand's topics, in order.
    pub async fn brand_topics(&self, principal: &Principal, brand: &BrandSlug) -> Result<Vec<Topic>> {
        let brand = self.managed_brand(principal, Some(brand)).await?.ok_or(Error::NotFound("brand"))?;
        let mut conn = self.store.pool().acquire().await?;
        topics_of(brand_data::topics_of(&mut conn, &brand.id).await?)
    }
}
