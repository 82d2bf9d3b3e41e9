//! Server functions of the household page's managed-members section and of the `/claim`
//! page: adapters over `identity::households::{managed, handover}`. Each returns `()`
//! (a plain post comes back to its page with `__ok`) or what the page shows; the core
//! decides who may do what.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A person by id and name (a guardian, or an adult who could become one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: String,
    pub name: String,
}

/// A managed member's grant waiting for a guardian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingView {
    pub purpose_id: String,
    pub title: String,
    /// The brand's slug; `None`: the group's own purpose.
    pub brand: Option<String>,
    pub channels: Vec<String>,
}

/// One managed member as the section shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedView {
    pub id: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub guardians: Vec<PersonView>,
    /// The viewer is one of the guardians.
    pub mine: bool,
    /// The first day a hand-over link can be made (`YYYY-MM-DD`).
    pub claim_opens: Option<String>,
    pub claim_open: bool,
    pub pending: Vec<PendingView>,
}

/// The section: who may do what, the adults who could become guardians, the members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedSectionView {
    pub can_create: bool,
    pub is_owner: bool,
    pub adults: Vec<PersonView>,
    pub members: Vec<ManagedView>,
    /// A hand-over link just made by a plain (script-less) post, to show once.
    pub handover_link: Option<String>,
}

/// What the claim page shows before anything is typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub given_name: String,
    /// A code was mailed and still works: the page asks for it first.
    pub code_sent: bool,
}

/// The field the confirmation of the new password is reported on.
pub const CONFIRM_FIELD: &str = "Confirm password";

/// The signed-in customer and the principal their request acts as.
#[cfg(feature = "ssr")]
async fn me() -> Result<(crate::auth::Current, identity::principal::Principal), AppError> {
    let current = crate::auth::require().await?;
    let principal = crate::api::customer(&current);
    Ok((current, principal))
}

#[server(endpoint = "managed_section")]
pub async fn managed_section(household_id: String, handover: Option<String>) -> Result<ManagedSectionView, AppError> {
    use identity::households::{HouseholdAction, Role, may};
    let (current, principal) = me().await?;
    let ctx = crate::context::server_context()?;
    let me_id = current.customer_id.as_str();
    let views = ctx.identity.households(&principal, me_id).await.map_err(crate::auth::fail)?;
    let household = views.into_iter().find(|h| h.id == household_id).ok_or_else(|| crate::auth::fail(identity::Error::NotFound("household")))?;
    let members = ctx.identity.managed_members(&principal, me_id, &household_id, crate::i18n::locale()).await.map_err(crate::auth::fail)?;
    let adults = household
        .members
        .iter()
        .filter(|m| m.role != Role::Managed)
        .map(|m| PersonView { id: m.customer_id.clone(), name: m.name.clone() })
        .collect();
    let handover_link = match handover.filter(|t| !t.trim().is_empty()) {
        Some(token) if ctx.identity.claim_preview(&token).await.is_ok() => Some(ctx.identity.link(&format!("/claim?token={}", token.trim()))),
        _ => None,
    };
    Ok(ManagedSectionView {
        can_create: may(household.my_role, false, HouseholdAction::CreateManaged),
        is_owner: household.my_role == Role::Owner,
        adults,
        members: members
            .into_iter()
            .map(|m| ManagedView {
                id: m.id,
                name: m.name,
                birth_date: m.birth_date,
                guardians: m.guardians.into_iter().map(|(id, name)| PersonView { id, name }).collect(),
                mine: m.mine,
                claim_opens: m.claim_opens,
                claim_open: m.claim_open,
                pending: m
                    .pending
                    .into_iter()
                    .map(|p| PendingView { purpose_id: p.purpose_id, title: p.title, brand: p.brand, channels: p.channels.iter().map(|c| c.as_str().to_owned()).collect() })
                    .collect(),
            })
            .collect(),
        handover_link,
    })
}

/// "Add a child or dependant": the creator becomes the guardian.
#[server(endpoint = "create_managed_member")]
pub async fn create_managed_member(household_id: String, given_name: String, family_name: Option<String>, birth_date: String) -> Result<(), AppError> {
    let (current, principal) = me().await?;
    let ctx = crate::context::server_context()?;
    let family = family_name.as_deref().filter(|f| !f.trim().is_empty());
    ctx.identity.create_managed_member(&principal, &current.customer_id, &household_id, &given_name, family, &birth_date).await.map(|_| ()).map_err(crate::auth::fail)
}

#[server(endpoint = "add_guardian")]
pub async fn add_guardian(household_id: String, managed_id: String, guardian_id: String) -> Result<(), AppError> {
    let (current, principal) = me().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.add_guardian(&principal, &current.customer_id, &household_id, &managed_id, &guardian_id).await.map_err(crate::auth::fail)
}

#[server(endpoint = "remove_guardian")]
pub async fn remove_guardian(household_id: String, managed_id: String, guardian_id: String) -> Result<(), AppError> {
    let (current, principal) = me().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.remove_guardian(&principal, &current.customer_id, &household_id, &managed_id, &guardian_id).await.map_err(crate::auth::fail)
}

/// Removes a managed member; its profile is erased.
#[server(endpoint = "remove_managed_member")]
pub async fn remove_managed_member(household_id: String, managed_id: String) -> Result<(), AppError> {
    let (current, principal) = me().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.remove_managed_member(&principal, &current.customer_id, &household_id, &managed_id).await.map_err(crate::auth::fail)
}

/// A guardian approves the member's pending grant of one purpose.
#[server(endpoint = "approve_pending_consent")]
pub async fn approve_pending_consent(managed_id: String, purpose_id: String) -> Result<(), AppError> {
    let (current, _) = me().await?;
    let ctx = crate::context::server_context()?;
    let guardian = ctx.identity.guardian_principal(&current.customer_id, &managed_id).await.map_err(crate::auth::fail)?.ok_or_else(|| crate::auth::fail(identity::Error::Forbidden))?;
    ctx.identity.approve_pending_consent(&guardian, &managed_id, &purpose_id, &crate::auth::request_meta()).await.map(|_| ()).map_err(crate::auth::fail)
}

/// A guardian makes the member's hand-over link. The wasm shows the returned link; a
/// plain post comes back to the household page, which shows it once.
#[server(endpoint = "issue_claim")]
pub async fn issue_claim(household_id: String, managed_id: String) -> Result<String, AppError> {
    let (current, principal) = me().await?;
    let ctx = crate::context::server_context()?;
    let issued = ctx.identity.issue_claim(&principal, &current.customer_id, &household_id, &managed_id).await.map_err(crate::auth::fail)?;
    if crate::api::plain_form_post() {
        let token = issued.link.rsplit("token=").next().unwrap_or_default();
        leptos_axum::redirect(&format!("/account/household?handover={token}#handover-link"));
    }
    Ok(issued.link)
}

/// What the claim link shows; `None` when it is unknown, used, spent or expired (the
/// page says to ask for a new one; the page itself loads fine).
#[server(endpoint = "claim_info")]
pub async fn claim_info(token: String) -> Result<Option<ClaimView>, AppError> {
    use identity::households::handover::ClaimState;
    let ctx = crate::context::server_context()?;
    match ctx.identity.claim_preview(&token).await {
        Ok(preview) => Ok(Some(ClaimView { given_name: preview.given_name, code_sent: preview.state == ClaimState::CodeSent })),
        Err(identity::Error::TokenInvalid) => Ok(None),
        Err(e) => Err(crate::auth::fail(e)),
    }
}

/// The member's address and password (typed twice); a code goes to the address.
#[server(endpoint = "start_claim")]
pub async fn start_claim(token: String, email: String, password: String, confirm: String) -> Result<(), AppError> {
    if password != confirm {
        let message = crate::i18n::t("managed-claim-confirm-mismatch");
        return Err(crate::auth::respond(AppError::Fields(vec![crate::error::FieldMessage { field: CONFIRM_FIELD.to_owned(), message }])));
    }
    let ctx = crate::context::server_context()?;
    let meta = crate::auth::request_meta();
    ctx.identity.start_claim(&identity::principal::Principal::Anonymous, &token, &email, password.into(), &meta).await.map_err(crate::auth::fail)
}

/// The mailed code: the account becomes the member's own.
#[server(endpoint = "finish_claim")]
pub async fn finish_claim(token: String, code: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let meta = crate::auth::request_meta();
    ctx.identity.finish_claim(&identity::principal::Principal::Anonymous, &token, &code, &meta).await.map(|_| ()).map_err(crate::auth::fail)
}
