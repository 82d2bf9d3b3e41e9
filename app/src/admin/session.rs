//! The staff session plumbing (server only): reads and writes the core's staff keys
//! (`identity::session`) in the tower-sessions record, which under `/admin` is the
//! staff session (cookie `__Host-foyer-admin`, the server's staff layer).

use identity::session::{RawStaffSession, STAFF, STAFF_SIGNED_IN_AT, StaffReading, StaffSession};
use tower_sessions::Session;

use crate::context::server_context;
use crate::error::AppError;

fn store_error(e: tower_sessions::session::Error) -> AppError {
    if crate::auth::database_unavailable(&e) {
        return crate::error::fail(AppError::Busy(identity::store::BUSY_RETRY_SECS));
    }
    tracing::error!(error = %e, "staff session store failed");
    AppError::Message("Something went wrong on our side. Please try again.".into())
}

/// This request's session: the staff session, for paths under `/admin`.
async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|_| AppError::Message("Sessions are unavailable.".into()))
}

/// The signed-in staff member's session, if within the lifetime (one past it is flushed).
pub async fn current() -> Result<Option<StaffSession>, AppError> {
    current_of(&session().await?, &server_context()?.identity).await
}

/// [`current`] for a plain axum handler under `/admin`, which has the staff session but
/// no Leptos context (the audit log's CSV download).
pub async fn current_of(session: &Session, identity: &identity::Identity) -> Result<Option<StaffSession>, AppError> {
    let raw = RawStaffSession {
        staff_id: session.get::<String>(STAFF).await.map_err(store_error)?,
        signed_in_at: session.get::<i64>(STAFF_SIGNED_IN_AT).await.map_err(store_error)?,
    };
    match identity::session::staff(raw, identity.now()) {
        StaffReading::Anonymous => Ok(None),
        StaffReading::Expired => {
            session.flush().await.map_err(store_error)?;
            Ok(None)
        }
        StaffReading::Current(s) => Ok(Some(s)),
    }
}

/// The signed-in staff member's principal, built from the `staff` row now (role and
/// brands: a change applies at the next request), or 401 "Please sign in". Every admin
/// server function that acts starts here; the core decides what the principal may do.
pub async fn staff_principal() -> Result<identity::principal::Principal, AppError> {
    let signed_out = || crate::error::respond(AppError::SignInRequired);
    let Some(current) = current().await? else { return Err(signed_out()) };
    let ctx = server_context()?;
    ctx.identity.staff_principal(&current.staff_id, None).await.map_err(crate::error::fail)?.ok_or_else(signed_out)
}

/// Starts a staff session: a new id (no fixation), nothing kept from before.
pub async fn sign_in(staff_id: &str, now: i64) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(store_error)?;
    session.clear().await;
    session.insert(STAFF, staff_id).await.map_err(store_error)?;
    session.insert(STAFF_SIGNED_IN_AT, now).await.map_err(store_error)?;
    Ok(())
}

/// Ends the staff session on the server (the record is deleted).
pub async fn sign_out() -> Result<(), AppError> {
    session().await?.flush().await.map_err(store_error)
}

/// The staff principal of `session`, for the server's plain routes under `/admin` (no
/// Leptos context there): `None` signed out (an unreadable session counts as signed out).
pub async fn principal_of(session: &Session, identity: &identity::Identity) -> identity::Result<Option<identity::principal::Principal>> {
    let Some(current) = current_of(session, identity).await.ok().flatten() else { return Ok(None) };
    identity.staff_principal(&current.staff_id, None).await
}
