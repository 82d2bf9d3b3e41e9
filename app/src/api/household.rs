//! The household page's server functions: the customer's household(s) with members and
//! open invitations, create, rename, invite by mail, revoke an invitation, leave,
//! remove a member, transfer ownership; and the invitation link's page (preview and
//! accept). Adapters over `identity::households::household`: the core decides who may.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::When;

/// One member as the page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    /// `owner`, `adult` or `managed`.
    pub role: String,
    pub is_me: bool,
    pub joined: When,
    /// Managed members: their birth date (ISO 8601) and guardians' names.
    pub birth_date: Option<String>,
    pub guardians: Vec<String>,
    /// Whether the viewer is one of this managed member's guardians.
    pub my_ward: bool,
}

/// An open invitation (the owner's view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub expires: When,
}

/// A household as the viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub id: String,
    pub name: String,
    /// The viewer's role: `owner` or `adult`.
    pub my_role: String,
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationView>,
}

impl HouseholdView {
    pub fn is_owner(&self) -> bool {
        self.my_role == "owner"
    }
}

/// What an invitation link shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreviewView {
    pub household: String,
    pub inviter: Option<String>,
    /// `open`, `accepted`, `revoked` or `expired`.
    pub state: String,
    /// Whether someone is signed in (they can accept here, or must sign in first).
    pub signed_in: bool,
}

#[cfg(feature = "ssr")]
fn view_of(h: identity::households::household::HouseholdView, me: &str) -> HouseholdView {
    use identity::households::Role;
    let name_of = |id: &str| h.members.iter().find(|m| m.customer_id == id).map(|m| m.name.clone()).unwrap_or_default();
    let members = h
        .members
        .iter()
        .map(|m| MemberView {
            id: m.customer_id.clone(),
            name: m.name.clone(),
            role: m.role.as_str().to_owned(),
            is_me: m.customer_id == me,
            joined: crate::i18n::when(m.joined_at),
            birth_date: m.birth_date.clone(),
            guardians: m.guardians.iter().map(|g| name_of(g)).collect(),
            my_ward: m.role == Role::Managed && m.guardians.iter().any(|g| g == me),
        })
        .collect();
    let invitations =
        h.invitations.iter().map(|i| InvitationView { id: i.id.clone(), email: i.email.clone(), expires: crate::i18n::when(i.expires_at) }).collect();
    HouseholdView { id: h.id, name: h.name, my_role: h.my_role.as_str().to_owned(), members, invitations }
}

/// The households the signed-in customer belongs to (one by default).
#[server(endpoint = "households")]
pub async fn households() -> Result<Vec<HouseholdView>, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let list = ctx.identity.households(&super::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(list.into_iter().map(|h| view_of(h, &current.customer_id)).collect())
}

#[server(endpoint = "create_household")]
pub async fn create_household(name: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.create_household(&super::customer(&current), &current.customer_id, &name).await.map_err(auth::fail)?;
    Ok(())
}

#[server(endpoint = "rename_household")]
pub async fn rename_household(household: String, name: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.rename_household(&super::customer(&current), &current.customer_id, &household, &name).await.map_err(auth::fail)
}

/// Mails an invitation; returns the address as the core read it (for the message).
#[server(endpoint = "invite_to_household")]
pub async fn invite_to_household(household: String, email: String) -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let meta = auth::request_meta();
    ctx.identity.invite_to_household(&super::customer(&current), &current.customer_id, &household, &email, &meta).await.map_err(auth::fail)?;
    Ok(email.trim().to_owned())
}

#[server(endpoint = "revoke_household_invitation")]
pub async fn revoke_household_invitation(household: String, invitation: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.revoke_household_invitation(&super::customer(&current), &current.customer_id, &household, &invitation).await.map_err(auth::fail)
}

#[server(endpoint = "leave_household")]
pub async fn leave_household(household: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.leave_household(&super::customer(&current), &current.customer_id, &household).await.map_err(auth::fail)
}

#[server(endpoint = "remove_household_member")]
pub async fn remove_household_member(household: String, member: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.remove_household_member(&super::customer(&current), &current.customer_id, &household, &member).await.map_err(auth::fail)
}

#[server(endpoint = "transfer_household")]
pub async fn transfer_household(household: String, member: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.transfer_household(&super::customer(&current), &current.customer_id, &household, &member).await.map_err(auth::fail)
}

/// What the invitation link shows; an unknown link is `TokenInvalid` (said plainly).
#[server(endpoint = "household_invitation")]
pub async fn household_invitation(token: String) -> Result<InvitationPreviewView, AppError> {
    use identity::households::household::InvitationState;

    use crate::auth;
    let ctx = crate::context::server_context()?;
    let preview = ctx.identity.household_invitation(&token).await.map_err(auth::fail)?;
    let state = match preview.state {
        InvitationState::Open => "open",
        InvitationState::Accepted => "accepted",
        InvitationState::Revoked => "revoked",
        InvitationState::Expired => "expired",
    };
    let signed_in = auth::current().await?.is_some();
    Ok(InvitationPreviewView { household: preview.household, inviter: preview.inviter, state: state.to_owned(), signed_in })
}

/// Accepts for the signed-in customer, then goes to the household page.
#[server(endpoint = "accept_household_invitation")]
pub async fn accept_household_invitation(token: String) -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.accept_household_invitation(&super::customer(&current), &current.customer_id, &token).await.map_err(auth::fail)?;
    Ok(super::continue_to("/account/household?joined=1".to_owned()))
}
