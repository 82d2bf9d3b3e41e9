//! The staff server functions, at `/admin/api/…` (the staff session layer runs there,
//! the customer's does not). Adapters over `identity::staff`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in staff member as the admin pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    /// Their name, or their email when they have none.
    pub name: String,
    pub email: String,
    pub role: String,
    /// Whether the role administers brands (brand administrators, operators).
    pub brands: bool,
}

/// What the enrolment page shows for a live link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentView {
    pub email: String,
    pub secret: String,
    pub qr_svg: String,
}

/// The one answer for every refused staff sign-in.
pub const SIGN_IN_FAILED: &str = "Email, password or code is incorrect, or the account cannot sign in right now.";

#[cfg(feature = "ssr")]
fn fail(e: identity::Error) -> AppError {
    match e {
        identity::Error::LoginFailed => crate::auth::respond(AppError::Message(SIGN_IN_FAILED.into())),
        other => crate::auth::fail(other),
    }
}

/// The signed-in staff member, or `None`.
#[server(prefix = "/admin/api", endpoint = "me")]
pub async fn admin_me() -> Result<Option<StaffView>, AppError> {
    let Some(current) = crate::admin::session::current().await? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    let Some(member) = ctx.identity.staff_member(&current.staff_id).await.map_err(fail)? else {
        crate::admin::session::sign_out().await?;
        return Ok(None);
    };
    let brands = identity::staff::StaffRole::parse(&member.role).is_ok_and(identity::admin::brands::role_administers_brands);
    Ok(Some(StaffView { name: member.display_name().to_owned(), email: member.email, role: member.role, brands }))
}

/// Email, password and authenticator code; where to go next.
#[server(prefix = "/admin/api", endpoint = "login")]
pub async fn admin_login(email: String, password: String, code: String) -> Result<String, AppError> {
    let ctx = crate::context::server_context()?;
    let meta = crate::auth::request_meta();
    let member = ctx.identity.staff_login(&email, password.into(), &code, &meta).await.map_err(fail)?;
    crate::admin::session::sign_in(&member.id, ctx.identity.now()).await?;
    Ok("/admin".to_owned())
}

/// Ends the staff session.
#[server(prefix = "/admin/api", endpoint = "logout")]
pub async fn admin_logout() -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    if let Some(current) = crate::admin::session::current().await? {
        ctx.identity.staff_signed_out(&current.staff_id).await.map_err(fail)?;
    }
    crate::admin::session::sign_out().await
}

/// The enrolment page's content for a live link.
#[server(prefix = "/admin/api", endpoint = "enrolment")]
pub async fn admin_enrolment(token: String) -> Result<EnrolmentView, AppError> {
    let ctx = crate::context::server_context()?;
    let e = ctx.identity.staff_enrolment(&token).await.map_err(fail)?;
    Ok(EnrolmentView { email: e.email, secret: e.secret_base32, qr_svg: e.qr_svg })
}

/// Completes enrolment: password and a first code; then sign in at `/admin/login`.
#[server(prefix = "/admin/api", endpoint = "enrol")]
pub async fn admin_enrol(token: String, password: String, code: String) -> Result<String, AppError> {
    let ctx = crate::context::server_context()?;
    ctx.identity.enrol_staff(&token, password.into(), &code).await.map_err(fail)?;
    Ok("/admin/login".to_owned())
}
