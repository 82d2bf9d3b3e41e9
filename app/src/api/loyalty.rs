//! Server functions of `/account/loyalty` (`docs/design/loyalty.md`): the memberships
//! of the customer (or of the person they act for: a guardian's managed member, an
//! adult's `manage_loyalty` delegation), the programmes on offer, link, the mailed
//! code (confirm, send a new one), unlink, and the household owner's pooling. Adapters
//! over `identity::loyalty::{link, pool, programme}`: the core decides who may.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::When;

/// One membership as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub id: String,
    pub programme: String,
    pub brand: String,
    /// `email`, `code`, `brand-api` or `support`.
    pub verification: String,
    /// All but the last four characters hidden.
    pub number: String,
    /// `pending`, `verified` or `rejected`.
    pub status: String,
    pub since: When,
    /// As the brand last reported it (verified only).
    pub tier: Option<String>,
    pub points: Option<i64>,
    pub reported: Option<When>,
    /// A pending `email` link whose code still works: the page asks for it.
    pub code_live: bool,
    pub can_resend: bool,
    pub pooled: bool,
}

/// A programme the link form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeView {
    pub slug: String,
    pub name: String,
    pub brand: String,
    pub verification: String,
}

/// A member's verified membership the household owner may pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMemberView {
    pub link_id: String,
    pub name: String,
    pub number: String,
    pub pooled: bool,
}

/// A pooling programme in one of the owner's households.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolView {
    pub household_id: String,
    pub household: String,
    pub programme: String,
    pub members: Vec<PoolMemberView>,
}

/// The page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyView {
    pub memberships: Vec<MembershipView>,
    pub programmes: Vec<ProgrammeView>,
    /// Only on the owner's own page (not while acting for someone).
    pub pools: Vec<PoolView>,
}

/// What a link request did (`verified`, `code-sent`, `pending`): the page's `?linked=`.
#[cfg(feature = "ssr")]
fn outcome_name(outcome: identity::loyalty::link::LinkOutcome) -> &'static str {
    use identity::loyalty::link::LinkOutcome;
    match outcome {
        LinkOutcome::Verified => "verified",
        LinkOutcome::CodeSent => "code-sent",
        LinkOutcome::Pending => "pending",
    }
}

#[server(endpoint = "loyalty_page")]
pub async fn loyalty_page() -> Result<LoyaltyView, AppError> {
    let current = crate::auth::require().await?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let ctx = crate::context::server_context()?;
    let links = ctx.identity.loyalty_links(&principal, &subject).await.map_err(crate::auth::fail)?;
    let programmes = ctx.identity.programmes(None).await.map_err(crate::auth::fail)?;
    let pools = if current.acting_for.is_none() {
        ctx.identity.loyalty_pools(&crate::api::customer(&current), &current.customer_id).await.map_err(crate::auth::fail)?
    } else {
        Vec::new()
    };
    Ok(LoyaltyView {
        memberships: links
            .into_iter()
            .map(|l| MembershipView {
                since: crate::i18n::when(l.since),
                reported: l.reported_at.map(crate::i18n::when),
                code_live: l.code_expires_at.is_some(),
                id: l.id,
                programme: l.programme_name,
                brand: l.brand_name,
                verification: l.verification.as_str().to_owned(),
                number: l.number_masked,
                status: l.status.as_str().to_owned(),
                tier: l.tier,
                points: l.points,
                can_resend: l.can_resend,
                pooled: l.pooled,
            })
            .collect(),
        programmes: programmes
            .into_iter()
            .map(|p| ProgrammeView { slug: p.slug, name: p.name, brand: p.brand_name, verification: p.verification.as_str().to_owned() })
            .collect(),
        pools: pools
            .into_iter()
            .map(|p| PoolView {
                household_id: p.household_id,
                household: p.household_name,
                programme: p.programme_name,
                members: p.members.into_iter().map(|m| PoolMemberView { link_id: m.link_id, name: m.name, number: m.number_masked, pooled: m.pooled }).collect(),
            })
            .collect(),
    })
}

/// Links a membership; returns what happened (`verified`, `code-sent`, `pending`). A
/// plain post comes back to the page with `?linked=<that>`.
#[server(endpoint = "link_loyalty")]
pub async fn link_loyalty(programme: String, number: String, card_code: Option<String>) -> Result<String, AppError> {
    let current = crate::auth::require().await?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let ctx = crate::context::server_context()?;
    let meta = crate::auth::request_meta();
    let (_, outcome) = ctx.identity.request_link(&principal, &subject, &programme, &number, card_code.as_deref(), &meta).await.map_err(crate::auth::fail)?;
    let outcome = outcome_name(outcome);
    if crate::api::plain_form_post() {
        leptos_axum::redirect(&format!("/account/loyalty?linked={outcome}"));
    }
    Ok(outcome.to_owned())
}

/// The mailed code proves a pending link.
#[server(endpoint = "confirm_loyalty_code")]
pub async fn confirm_loyalty_code(link_id: String, code: String) -> Result<(), AppError> {
    let current = crate::auth::require().await?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.confirm_link_code(&principal, &subject, &link_id, &code).await.map_err(crate::auth::fail)
}

/// Mails another code for a pending link.
#[server(endpoint = "resend_loyalty_code")]
pub async fn resend_loyalty_code(link_id: String) -> Result<(), AppError> {
    let current = crate::auth::require().await?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.resend_link_code(&principal, &subject, &link_id, &crate::auth::request_meta()).await.map_err(crate::auth::fail)
}

/// Ends a membership's link (pending or verified).
#[server(endpoint = "unlink_loyalty")]
pub async fn unlink_loyalty(link_id: String) -> Result<(), AppError> {
    let current = crate::auth::require().await?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.unlink(&principal, &subject, &link_id).await.map_err(crate::auth::fail)
}

/// The household owner pools (`pooled` = `true`) or unpools a member's membership.
#[server(endpoint = "set_loyalty_pooled")]
pub async fn set_loyalty_pooled(household_id: String, link_id: String, pooled: Option<String>) -> Result<(), AppError> {
    let current = crate::auth::require().await?;
    let ctx = crate::context::server_context()?;
    let pooled = crate::api::ticked(pooled.as_deref());
    ctx.identity.set_pooled(&crate::api::customer(&current), &current.customer_id, &household_id, &link_id, pooled).await.map_err(crate::auth::fail)
}
