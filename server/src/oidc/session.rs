//! The Foyer session as the provider's plain axum handlers read it (the same keys and
//! absolute lifetime as `app::auth::current`).

use app::auth::{ACR, AMR, AUTH_TIME, CUSTOMER, SID, SIGNED_IN_AT};
use identity::Identity;
use identity::oidc::flow::Authentication;
use tower_sessions::Session;

/// The signed-in customer's authentication, or `None` (also when the session is past
/// its absolute lifetime or unreadable).
pub async fn signed_in(session: &Session, identity: &Identity) -> Option<Authentication> {
    let customer_id = session.get::<String>(CUSTOMER).await.ok().flatten()?;
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await.ok().flatten().unwrap_or(0);
    if identity.clock.now() - signed_in_at > identity.settings.session_absolute_ms {
        return None;
    }
    let auth_time = session.get::<i64>(AUTH_TIME).await.ok().flatten().unwrap_or(signed_in_at);
    let acr = session.get::<String>(ACR).await.ok().flatten().unwrap_or_else(|| "foyer:pwd".to_owned());
    let amr = session.get::<Vec<String>>(AMR).await.ok().flatten().unwrap_or_else(|| vec!["pwd".to_owned()]);
    let sid = match session.get::<String>(SID).await.ok().flatten() {
        Some(sid) => sid,
        None => {
            let sid = identity.new_token();
            session.insert(SID, &sid).await.ok()?;
            sid
        }
    };
    Some(Authentication { customer_id, sid, auth_time, acr, amr })
}
