//! Delegations between household members, and acting for someone: the household page's
//! delegations section (list, grant, renew, revoke or decline, the "Act for …"
//! switcher) and the header's banner ("You are acting for … — Back to my account").
//! Each function is an adapter over `identity::households::delegation`.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::When;

/// One delegation as the section lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationItem {
    pub id: String,
    /// The other member's name (the delegate for a given one, the principal for a
    /// received one).
    pub name: String,
    /// What it allows, in words.
    pub permissions: Vec<String>,
    pub until: When,
}

/// A member one may delegate to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChoice {
    pub id: String,
    pub name: String,
}

/// A brand for "act on my behalf at …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandChoice {
    pub slug: String,
    pub name: String,
}

/// Someone the customer can act for in their account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingChoice {
    pub customer_id: String,
    pub name: String,
    /// `true`: as their guardian; else under their delegation.
    pub guardian: bool,
    pub until: Option<When>,
}

/// The delegations section of one household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationsSection {
    pub given: Vec<DelegationItem>,
    pub received: Vec<DelegationItem>,
    /// The other adults of the household.
    pub members: Vec<MemberChoice>,
    pub brands: Vec<BrandChoice>,
    /// Whom the customer can act for.
    pub acting: Vec<ActingChoice>,
    /// The date fields' bounds (`YYYY-MM-DD`): today and a year from today.
    pub min_date: String,
    pub max_date: String,
}

/// The banner's facts while acting for someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingNow {
    pub name: String,
    /// A support agent in the customer's portal: the ticket and until when (the banner
    /// names the agent with `name`).
    pub support: Option<(String, crate::i18n::When)>,
    /// The permissions this session acts with (`view_profile`, `manage_consents`, …):
    /// the account navigation lists only the pages they open.
    pub permissions: Vec<String>,
}

/// A permission's words (`delegation-permission-*`).
#[cfg(feature = "ssr")]
fn permission_words(name: &str, brand: Option<&str>) -> String {
    use crate::i18n::{t, t_with};
    match (name, brand) {
        ("act_at_brand", Some(brand)) => t_with("delegation-permission-act-at-brand", &[("brand", brand.to_owned())]),
        (other, _) => t(&format!("delegation-permission-{}", other.replace('_', "-"))),
    }
}

#[cfg(feature = "ssr")]
fn item(d: identity::households::delegation::DelegationView) -> DelegationItem {
    let brand = d.brand_name.clone().or(d.brand_slug.clone());
    DelegationItem {
        permissions: d.permissions.iter().map(|p| permission_words(p, brand.as_deref())).collect(),
        until: crate::i18n::when(d.expires_at),
        id: d.id,
        name: d.other_name,
    }
}

/// The section for the household `household`: delegations given and received (only
/// those of this household), the members and brands the grant form offers, and the
/// switcher. Always the signed-in customer's own, even while acting for someone.
#[server(endpoint = "delegations_view")]
pub async fn delegations_view(household: String) -> Result<DelegationsSection, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let me = crate::api::customer(&current);
    let listed = ctx.identity.delegations(&me, &current.customer_id).await.map_err(auth::fail)?;
    let households = ctx.identity.households(&me, &current.customer_id).await.map_err(auth::fail)?;
    let Some(home) = households.into_iter().find(|h| h.id == household) else { return Err(auth::fail(identity::Error::NotFound("household"))) };
    let members = home
        .members
        .iter()
        .filter(|m| m.customer_id != current.customer_id && m.role != identity::households::Role::Managed)
        .map(|m| MemberChoice { id: m.customer_id.clone(), name: m.name.clone() })
        .collect();
    let brands = ctx.identity.list_brands().await.map_err(auth::fail)?.into_iter().map(|b| BrandChoice { slug: b.slug, name: b.name }).collect();
    let acting = ctx
        .identity
        .acting_options(&me, &current.customer_id)
        .await
        .map_err(auth::fail)?
        .into_iter()
        .map(|o| {
            let until = match o.via {
                identity::households::delegation::ActingVia::Delegation { expires_at, .. } => Some(crate::i18n::when(expires_at)),
                identity::households::delegation::ActingVia::Guardian => None,
            };
            ActingChoice { guardian: until.is_none(), until, customer_id: o.customer_id, name: o.name }
        })
        .collect();
    let now = ctx.identity.now();
    let ours = |d: &identity::households::delegation::DelegationView| d.household_id == household;
    Ok(DelegationsSection {
        given: listed.given.into_iter().filter(ours).map(item).collect(),
        received: listed.received.into_iter().filter(ours).map(item).collect(),
        members,
        brands,
        acting,
        min_date: identity::households::delegation::date_of(now),
        max_date: identity::households::delegation::date_of(now + identity::households::MAX_DELEGATION_MS),
    })
}

/// Gives `delegate` the ticked permissions (`permissions[<name>]=on`) until the end of
/// the day `until` (`YYYY-MM-DD`); `brand` (a slug) goes with "act at a brand".
#[server(endpoint = "grant_delegation")]
pub async fn grant_delegation(
    household: String,
    delegate: String,
    permissions: Option<HashMap<String, String>>,
    #[server(default)] brand: Option<String>,
    until: String,
) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let expires_at = identity::households::delegation::expiry_from_date(&until, ctx.identity.now()).map_err(auth::fail)?;
    let mut names: Vec<String> = permissions.unwrap_or_default().into_iter().filter(|(_, v)| crate::api::ticked(Some(v.as_str()))).map(|(k, _)| k).collect();
    names.sort_by_key(|n| identity::households::Permission::DELEGABLE.iter().position(|d| *d == n.as_str()));
    let brand = brand.filter(|b| !b.trim().is_empty() && names.iter().any(|n| n == "act_at_brand"));
    ctx.identity
        .grant_delegation(&crate::api::customer(&current), &current.customer_id, &household, &delegate, &names, brand.as_deref(), expires_at)
        .await
        .map(drop)
        .map_err(auth::fail)
}

/// Renews a delegation the customer gave, until the end of the day `until`.
#[server(endpoint = "renew_delegation")]
pub async fn renew_delegation(id: String, until: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let expires_at = identity::households::delegation::expiry_from_date(&until, ctx.identity.now()).map_err(auth::fail)?;
    ctx.identity.renew_delegation(&crate::api::customer(&current), &current.customer_id, &id, expires_at).await.map_err(auth::fail)
}

/// Revokes a delegation the customer gave, or declines one they hold.
#[server(endpoint = "revoke_delegation")]
pub async fn revoke_delegation(id: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.revoke_delegation(&crate::api::customer(&current), &current.customer_id, &id).await.map_err(auth::fail)
}

/// "Act for <name>": checked by the core now (and on every request after); the profile
/// and privacy pages then show and change that person's account. Answers where to go.
#[server(endpoint = "act_for")]
pub async fn act_for(customer: String) -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let me = crate::api::customer(&current);
    let offered = ctx.identity.acting_options(&me, &current.customer_id).await.map_err(auth::fail)?.into_iter().any(|o| o.customer_id == customer);
    if !offered {
        return Err(auth::fail(identity::Error::Forbidden));
    }
    ctx.identity.act_for(&current.customer_id, &current.acr, &customer).await.map_err(auth::fail)?;
    let session = auth::session().await?;
    if session.insert(auth::ACTING_FOR, &customer).await.is_err() {
        return Err(AppError::Message(crate::i18n::t("error-internal")));
    }
    Ok(crate::api::continue_to("/account/profile".to_owned()))
}

/// "Back to my account": the session forgets whom it acted for.
#[server(endpoint = "stop_acting")]
pub async fn stop_acting() -> Result<String, AppError> {
    use crate::auth;
    auth::require().await?;
    let session = auth::session().await?;
    if session.remove_value(auth::ACTING_FOR).await.is_err() {
        return Err(AppError::Message(crate::i18n::t("error-internal")));
    }
    Ok(crate::api::continue_to("/account/household".to_owned()))
}

/// Whom the customer acts for, if anyone (and it is still allowed: a revoked
/// delegation ends it here too).
#[server(endpoint = "acting_status")]
pub async fn acting_status() -> Result<Option<ActingNow>, AppError> {
    use crate::auth;
    let Some(current) = auth::current().await? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    let held = |principal: &identity::principal::Principal| match principal {
        identity::principal::Principal::Support { permissions, .. } | identity::principal::Principal::Delegate { permissions, .. } => {
            permissions.iter().map(|p| p.name().to_owned()).collect()
        }
        _ => Vec::new(),
    };
    if let Some((access, _)) = &current.support {
        // Checked against the live access first: an ended one says nothing, and the
        // session is gone.
        let Ok((principal, _)) = crate::api::acting(&current).await else { return Ok(None) };
        let banner = ctx.identity.support_banner(access).await.map_err(auth::fail)?;
        return Ok(banner.map(|(agent, ticket, until)| ActingNow { name: agent, support: Some((ticket, crate::i18n::when(until))), permissions: held(&principal) }));
    }
    let Some(subject) = current.acting_for.clone() else { return Ok(None) };
    let Ok((principal, _)) = crate::api::acting(&current).await else { return Ok(None) };
    let options = ctx.identity.acting_options(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(options.into_iter().find(|o| o.customer_id == subject).map(|o| ActingNow { name: o.name, support: None, permissions: held(&principal) }))
}
