//! The privacy page's server functions: the purposes in force per controller (the group
//! and each brand the customer uses) with one switch per purpose and channel, the
//! history of decisions, and setting a switch. Adapters over `identity::consent`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::oidc::PurposeView;
use crate::error::AppError;
use crate::i18n::When;

/// A decision in force, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateView {
    /// `granted`, `withdrawn`, `refused` or `pending`.
    pub decision: String,
    pub version: i64,
    pub at: When,
}

/// One switch: the purpose as a whole (`channel: None`) or one channel of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchView {
    pub channel: Option<String>,
    pub state: Option<StateView>,
    /// On: granted, or waiting for a guardian.
    pub on: bool,
}

/// One purpose with its switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeRowView {
    pub purpose: PurposeView,
    /// `consent`, `contract`, `legitimate_interest`, `legal_obligation`.
    pub legal_basis: String,
    pub required: bool,
    /// A contract or legal obligation is shown, not switched.
    pub switchable: bool,
    /// The purpose as a whole.
    pub whole: SwitchView,
    /// Its channels' switches (purposes with channels).
    pub channels: Vec<SwitchView>,
}

/// The purposes of one controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControllerView {
    /// `None`: the group (the product's own purposes).
    pub brand: Option<String>,
    pub purposes: Vec<PurposeRowView>,
}

/// One line of the history, with its receipt's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub receipt_id: String,
    pub at: When,
    pub brand: Option<String>,
    /// The purpose's title, or the scopes approved at a sign-in.
    pub what: String,
    pub is_scopes: bool,
    pub version: Option<i64>,
    pub decision: String,
    pub channel: Option<String>,
    pub collection: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyView {
    pub controllers: Vec<ControllerView>,
    pub history: Vec<HistoryView>,
}

#[cfg(feature = "ssr")]
fn state_view(s: Option<&identity::consent::ledger::StateView>) -> (Option<StateView>, bool) {
    let on = s.is_some_and(|s| s.decision.said_yes());
    (s.map(|s| StateView { decision: s.decision.as_str().to_owned(), version: s.version, at: crate::i18n::when(s.at) }), on)
}

#[cfg(feature = "ssr")]
fn purpose_row(p: &identity::consent::ledger::PurposeStatus, locale: identity::i18n::Locale) -> PurposeRowView {
    let (state, on) = state_view(p.state.as_ref());
    PurposeRowView {
        purpose: crate::api::oidc::purpose_view(p, locale),
        legal_basis: p.purpose.legal_basis.as_str().to_owned(),
        required: p.purpose.required,
        switchable: p.purpose.legal_basis.can_withdraw(),
        whole: SwitchView { channel: None, state, on },
        channels: p
            .channels
            .iter()
            .map(|(c, s)| {
                let (state, on) = state_view(s.as_ref());
                SwitchView { channel: Some(c.as_str().to_owned()), state, on }
            })
            .collect(),
    }
}

#[server(endpoint = "privacy_overview")]
pub async fn privacy_overview() -> Result<PrivacyView, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let locale = crate::i18n::locale();
    let sections = ctx.identity.privacy_overview(&principal, &subject).await.map_err(auth::fail)?;
    let brands = ctx.identity.list_brands().await.map_err(auth::fail)?;
    let name_of = |slug: &str| brands.iter().find(|b| b.slug == slug).map_or_else(|| slug.to_owned(), |b| b.name.clone());
    let controllers = sections
        .iter()
        .map(|s| ControllerView { brand: s.brand.as_ref().map(|(slug, _)| name_of(slug)), purposes: s.purposes.iter().map(|p| purpose_row(p, locale)).collect() })
        .collect();
    let history = ctx
        .identity
        .consent_history(&principal, &subject, locale)
        .await
        .map_err(auth::fail)?
        .into_iter()
        .map(|h| HistoryView {
            receipt_id: h.receipt_id,
            at: crate::i18n::when(h.at),
            brand: h.brand,
            is_scopes: h.scopes.is_some(),
            what: h.purpose_title.or(h.scopes).unwrap_or_default(),
            version: h.version,
            decision: h.decision.as_str().to_owned(),
            channel: h.channel.map(|c| c.as_str().to_owned()),
            collection: h.collection.as_str().to_owned(),
            recorded_by: h.recorded_by,
        })
        .collect();
    Ok(PrivacyView { controllers, history })
}

/// One of the group's required purposes the registration's "I accept" covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsView {
    pub title: String,
    pub version: i64,
    pub document_url: Option<String>,
}

/// What registering accepts (the group's required purposes in force), for the sign-up
/// page: each becomes a signed ledger record when the account is created.
#[server(endpoint = "registration_terms")]
pub async fn registration_terms() -> Result<Vec<TermsView>, AppError> {
    let ctx = crate::context::server_context()?;
    let terms = ctx.identity.registration_terms(crate::i18n::locale()).await.map_err(crate::auth::fail)?;
    Ok(terms.into_iter().map(|(title, version, document_url)| TermsView { title, version, document_url }).collect())
}

/// Turns one switch on (`grant`) or off; `channel` empty or absent: the purpose as a whole.
#[server(endpoint = "set_consent")]
pub async fn set_consent(purpose: String, #[server(default)] channel: Option<String>, grant: bool) -> Result<(), AppError> {
    use identity::consent::{Channel, Collection, Decision};
    use identity::consent::ledger::{Choice, Evidence};

    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let channel = match channel.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Channel::parse(c).ok_or_else(|| auth::respond(AppError::Message(crate::i18n::t("privacy-unknown-channel"))))?),
    };
    let decision = if grant { Decision::Granted } else { Decision::Withdrawn };
    let evidence = Evidence::from_meta(Collection::Portal, &auth::request_meta());
    let choice = Choice { purpose_id: purpose, channel, decision };
    let (principal, subject) = crate::api::acting(&current).await?;
    ctx.identity.decide_purposes(&principal, &subject, &[choice], &evidence).await.map_err(auth::fail)?;
    Ok(())
}
