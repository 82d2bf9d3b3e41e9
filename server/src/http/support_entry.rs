//! `GET /support/enter?token=…`: where a support agent's browser crosses from the staff
//! session (`/admin`) into a customer's portal (`docs/design/admin.md` "Ticket-scoped
//! access"). The 360 page's "Open the customer's portal" makes a one-time token (a
//! minute) for a live access the customer approved; here the customer session layer
//! takes it once and starts the agent's support session: a new session id, the customer
//! it shows, the access and the agent, nothing of the customer's authentication. Every
//! later request checks the access again. A used, expired or ended token leads back to
//! the agent's search page. A plain axum route: it only sets a cookie and redirects.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::get;
use identity::session::{ACR, AMR, AUTH_TIME, CUSTOMER, DEVICE, SID, SIGNED_IN_AT, SUPPORT_ACCESS, SUPPORT_ACR, SUPPORT_STAFF};
use tower_sessions::Session;

use super::AppState;

#[derive(Debug, serde::Deserialize)]
pub struct EntryQuery {
    token: Option<String>,
}

/// The route; the caller adds the customer session layer.
pub fn routes() -> Router<AppState> {
    Router::new().route("/support/enter", get(enter))
}

pub async fn enter(State(state): State<AppState>, session: Session, Query(query): Query<EntryQuery>) -> Response {
    let identity = &state.context.identity;
    let entered = match identity.redeem_support_entry(query.token.as_deref().unwrap_or_default()).await {
        Ok(entered) => entered,
        Err(identity::Error::TokenInvalid) => return Redirect::to("/admin/customers?entry=expired").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "entering a customer's portal failed");
            return Redirect::to("/admin/customers?entry=failed").into_response();
        }
    };
    match start(&session, identity, &entered).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the support session could not be written");
            Redirect::to("/admin/customers?entry=failed").into_response()
        }
    }
}

/// Replaces whatever this browser held with the support session.
async fn start(session: &Session, identity: &identity::Identity, entered: &identity::admin::access::Entered) -> Result<(), tower_sessions::session::Error> {
    session.flush().await?;
    session.cycle_id().await?;
    let now = identity.now();
    session.insert(SID, identity.new_token()).await?;
    session.insert(DEVICE, format!("Support, ticket {}", entered.ticket)).await?;
    session.insert(AMR, Vec::<String>::new()).await?;
    session.insert(ACR, SUPPORT_ACR).await?;
    session.insert(SUPPORT_ACCESS, &entered.access_id).await?;
    session.insert(SUPPORT_STAFF, &entered.staff_id).await?;
    session.insert(CUSTOMER, &entered.customer_id).await?;
    session.insert(SIGNED_IN_AT, now).await?;
    session.insert(AUTH_TIME, now).await?;
    Ok(())
}
