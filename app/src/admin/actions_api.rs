//! The support actions' server functions, at `/admin/api/…` (`docs/design/admin.md`
//! "Support actions"): one per action, each a few lines over `identity::admin::actions`.
//! Each acts as the signed-in staff member ([`crate::admin::session::staff_principal`]),
//! passes the ticket reference and the reason to the core, which checks them and decides
//! who may act. Errors go through [`crate::auth::fail`]: field errors name their field
//! (`Reason`, `Ticket`, `Field`, `Value` or the profile field's own name, `Decision`,
//! `Identity check`, `Check note`, `Link`, `Customer` for what the account's state
//! refuses); 401 signed out, 403 not the role's, 404 no such customer, link or purpose.

use leptos::prelude::*;

use crate::error::AppError;

/// The staff principal, the core and the checked ticket of one support act.
#[cfg(feature = "ssr")]
async fn act(ticket: &str, reason: &str) -> Result<(identity::Identity, identity::principal::Principal, identity::admin::SupportTicket), AppError> {
    let staff = crate::admin::session::staff_principal().await?;
    let ctx = crate::context::server_context()?;
    let ticket = identity::admin::support_ticket(reason, ticket);
    Ok((ctx.identity, staff, ticket.map_err(crate::auth::fail)?))
}

/// The staff principal, the core, the ticket and one more parsed input, with every field
/// error of both at once.
#[cfg(feature = "ssr")]
async fn act_with<T>(ticket: &str, reason: &str, input: identity::Result<T>) -> Result<(identity::Identity, identity::principal::Principal, identity::admin::SupportTicket, T), AppError> {
    use identity::Error::Fields;
    let staff = crate::admin::session::staff_principal().await?;
    let ctx = crate::context::server_context()?;
    match (identity::admin::support_ticket(reason, ticket), input) {
        (Ok(t), Ok(input)) => Ok((ctx.identity, staff, t, input)),
        (Err(Fields(mut a)), Err(Fields(b))) => {
            a.extend(b);
            Err(crate::auth::fail(Fields(a)))
        }
        (Err(e), _) | (_, Err(e)) => Err(crate::auth::fail(e)),
    }
}

/// A yes/no the form sends as one of two words (radios: none chosen sends nothing).
#[cfg(feature = "ssr")]
fn choice(value: Option<&str>, yes: &str, no: &str, reason: &'static str) -> identity::Result<bool> {
    match value.unwrap_or_default().trim() {
        v if v == yes => Ok(true),
        v if v == no => Ok(false),
        _ => Err(identity::Error::Fields(vec![identity::domain::ParseError::Malformed { field: "Decision", reason }])),
    }
}

/// Locks the customer's account (support leads).
#[server(prefix = "/admin/api", endpoint = "lock")]
pub async fn admin_lock(customer: String, ticket: String, reason: String) -> Result<(), AppError> {
    let (identity, staff, t) = act(&ticket, &reason).await?;
    identity.support_lock(&staff, &customer, &t).await.map_err(crate::auth::fail)
}

/// Unlocks the customer's account (support leads).
#[server(prefix = "/admin/api", endpoint = "unlock")]
pub async fn admin_unlock(customer: String, ticket: String, reason: String) -> Result<(), AppError> {
    let (identity, staff, t) = act(&ticket, &reason).await?;
    identity.support_unlock(&staff, &customer, &t).await.map_err(crate::auth::fail)
}

/// Mails the customer the ordinary password-reset link (never shown here).
#[server(prefix = "/admin/api", endpoint = "send-reset")]
pub async fn admin_send_reset(customer: String, ticket: String, reason: String) -> Result<(), AppError> {
    let (identity, staff, t) = act(&ticket, &reason).await?;
    identity.support_send_reset_link(&staff, &customer, &t).await.map_err(crate::auth::fail)
}

/// Mails the address confirmation again.
#[server(prefix = "/admin/api", endpoint = "resend-verification")]
pub async fn admin_resend_verification(customer: String, ticket: String, reason: String) -> Result<(), AppError> {
    let (identity, staff, t) = act(&ticket, &reason).await?;
    identity.support_resend_verification(&staff, &customer, &t).await.map_err(crate::auth::fail)
}

/// Signs the customer out everywhere (sessions and grants).
#[server(prefix = "/admin/api", endpoint = "end-sessions")]
pub async fn admin_end_sessions(customer: String, ticket: String, reason: String) -> Result<(), AppError> {
    let (identity, staff, t) = act(&ticket, &reason).await?;
    identity.support_end_sessions(&staff, &customer, &t).await.map_err(crate::auth::fail)
}

/// Corrects one profile field (`field`: `given_name`, `family_name`, `display_name`,
/// `phone`, `birth_date`, `street`, `locality`, `region`, `postal_code`, `country`,
/// `preferred_language`; a blank `value` removes it).
#[server(prefix = "/admin/api", endpoint = "correct-profile")]
pub async fn admin_correct_profile(customer: String, field: String, value: String, ticket: String, reason: String) -> Result<(), AppError> {
    let field = identity::admin::actions::CorrectableField::parse(&field);
    let (identity, staff, t, field) = act_with(&ticket, &reason, field).await?;
    identity.support_correct_profile(&staff, &customer, field, &value, &t).await.map_err(crate::auth::fail)
}

/// Records a consent the customer gave by phone (`brand`: its slug, blank for the
/// group's own purposes; `decision`: `grant` or `refuse`, refused by name when missing).
#[server(prefix = "/admin/api", endpoint = "phone-consent")]
pub async fn admin_phone_consent(customer: String, brand: String, purpose: String, decision: Option<String>, ticket: String, reason: String) -> Result<(), AppError> {
    let granted = choice(decision.as_deref(), "grant", "refuse", "choose the customer's answer: grant or refuse");
    let (identity, staff, t, granted) = act_with(&ticket, &reason, granted).await?;
    identity.support_record_phone_consent(&staff, &customer, &brand, &purpose, granted, &t).await.map_err(crate::auth::fail)
}

/// Resets the customer's second factors after a recorded identity check (support leads;
/// `check_kind`: `id_document`, `video_call`, `callback_known_number`,
/// `knowledge_questions`).
#[server(prefix = "/admin/api", endpoint = "reset-second-factors")]
pub async fn admin_reset_second_factors(customer: String, check_kind: String, check_note: String, ticket: String, reason: String) -> Result<(), AppError> {
    let check = identity::admin::actions::IdentityCheck::parse(&check_kind, &check_note);
    let (identity, staff, t, check) = act_with(&ticket, &reason, check).await?;
    identity.support_reset_second_factors(&staff, &customer, check, &t).await.map_err(crate::auth::fail)
}

/// Confirms or rejects a pending loyalty link of a programme support verifies
/// (`decision`: `confirm` or `reject`, refused by name when missing).
#[server(prefix = "/admin/api", endpoint = "loyalty-decision")]
pub async fn admin_loyalty_decision(customer: String, link: String, decision: Option<String>, ticket: String, reason: String) -> Result<(), AppError> {
    let confirm = choice(decision.as_deref(), "confirm", "reject", "choose confirm or reject");
    let (identity, staff, t, confirm) = act_with(&ticket, &reason, confirm).await?;
    identity.support_decide_loyalty_link(&staff, &customer, &link, confirm, &t).await.map_err(crate::auth::fail)
}
