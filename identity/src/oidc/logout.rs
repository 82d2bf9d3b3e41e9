//! Ending what a sign-in gave the brands: back-channel logout (Back-Channel Logout 1.0
//! §2.4–2.8) queued through the outbox, online grants revoked with the session, every
//! grant of a customer revoked (password reset, and a password change that asks), and
//! the customer's "Connected brands" (listing and disconnecting a brand).

use serde_json::json;
use sqlx::FromRow;

use super::tokens::revoke_grant;
use crate::principal::{authorize, Action, Principal, Subject};
use crate::outbox::{OutboxEvent, enqueue};
use crate::store::Tx;
use crate::{Identity, Result, UnixMillis};

/// The `events` member of a logout token.
pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Queues a logout token for `client_id` if it registered a back-channel URI, with the
/// `sub` and `sid` that client saw in its ID tokens (`sid`: the sign-in's, made per client).
pub(crate) async fn queue_backchannel(identity: &Identity, tx: &mut Tx, client_id: &str, customer_id: &str, sid: Option<&str>, now: UnixMillis) -> Result<()> {
    let Some(client) = super::clients::client_by_id_tx(tx, client_id).await? else { return Ok(()) };
    if client.backchannel_logout_uri.is_none() || client.is_disabled() {
        return Ok(());
    }
    let (sub, sid) = identity.subject_and_sid_tx(tx, &client, customer_id, sid).await?;
    let event = OutboxEvent::BackchannelLogout { client_id: client.id, sub, sid, jti: identity.new_id() };
    enqueue(tx, &event, now).await?;
    Ok(())
}

/// A brand the customer approved, as "Connected brands" shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedBrand {
    pub slug: String,
    pub name: String,
    pub website_url: Option<String>,
    pub scopes: Vec<String>,
    pub first_approved_at: UnixMillis,
    /// The last time one of its sites received a sign-in from this customer.
    pub last_used_at: Option<UnixMillis>,
}

#[derive(FromRow)]
struct ConsentRow {
    slug: String,
    name: String,
    website_url: Option<String>,
    scope: String,
    granted_at: UnixMillis,
}

impl Identity {
    /// Ends what the sign-ins `sids` gave the brands, inside `tx`: a logout token to each
    /// client they reached, their online grants revoked.
    pub(crate) async fn end_oidc_sessions_tx(&self, tx: &mut Tx, sids: &[String], now: UnixMillis) -> Result<()> {
        for sid in sids {
            let reached: Vec<(String, String)> = sqlx::query_as("SELECT client_id, customer_id FROM oidc_session_clients WHERE sid = $1")
                .bind(sid)
                .fetch_all(&mut **tx)
                .await?;
            for (client_id, customer_id) in &reached {
                queue_backchannel(self, tx, client_id, customer_id, Some(sid), now).await?;
            }
            let grants: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_grants WHERE sid = $1 AND revoked_at IS NULL").bind(sid).fetch_all(&mut **tx).await?;
            for (grant_id,) in grants {
                revoke_grant(tx, &grant_id, "session_ended", now).await?;
            }
            sqlx::query("DELETE FROM oidc_session_clients WHERE sid = $1").bind(sid).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Revokes every live grant of the customer inside `tx`, at every brand, offline
    /// ones (which no session holds) included, and queues a back-channel logout (`sub`
    /// only) to each client that held one. Returns how many grants ended.
    pub(crate) async fn revoke_customer_grants_tx(&self, tx: &mut Tx, customer_id: &str, reason: &str, now: UnixMillis) -> Result<u64> {
        let grants: Vec<(String, String)> = sqlx::query_as("SELECT id, client_id FROM oauth_grants WHERE customer_id = $1 AND revoked_at IS NULL ORDER BY id")
            .bind(customer_id)
            .fetch_all(&mut **tx)
            .await?;
        let mut clients: Vec<&str> = Vec::new();
        for (grant_id, client_id) in &grants {
            revoke_grant(tx, grant_id, reason, now).await?;
            if !clients.contains(&client_id.as_str()) {
                clients.push(client_id);
            }
        }
        for client_id in clients {
            queue_backchannel(self, tx, client_id, customer_id, None, now).await?;
        }
        Ok(u64::try_from(grants.len()).unwrap_or(u64::MAX))
    }

    /// The sign-in ids of the customer's sessions, except `keep` (an id hash).
    pub(crate) async fn sids_of_tx(&self, tx: &mut Tx, customer_id: &str, keep: Option<&str>) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT sid FROM sessions WHERE customer_id = $1 AND id_hash <> $2 AND sid IS NOT NULL")
            .bind(customer_id)
            .bind(keep.unwrap_or(""))
            .fetch_all(&mut **tx)
            .await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// A sign-in ended (sign-out, RP-initiated logout, another customer signing in on
    /// this browser): tell the brands it reached.
    pub async fn sign_in_ended(&self, principal: &Principal, customer_id: &str, sid: &str) -> Result<()> {
        authorize(principal, Action::ManageSessions, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.end_oidc_sessions_tx(&mut tx, &[sid.to_owned()], now).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "oauth.logout", json!({}), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The brands the customer has approved, with what each receives.
    pub async fn connected_brands(&self, principal: &Principal, customer_id: &str) -> Result<Vec<ConnectedBrand>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        let rows: Vec<ConsentRow> = sqlx::query_as(
            "SELECT b.slug, b.name, b.website_url, c.scope, c.granted_at FROM brand_consents c JOIN brands b ON b.id = c.brand_id \
             WHERE c.customer_id = $1 ORDER BY b.name, c.scope",
        )
        .bind(customer_id)
        .fetch_all(self.store.pool())
        .await?;
        let mut brands: Vec<ConnectedBrand> = Vec::new();
        for row in rows {
            match brands.iter_mut().find(|b| b.slug == row.slug) {
                Some(b) => {
                    b.scopes.push(row.scope);
                    b.first_approved_at = b.first_approved_at.min(row.granted_at);
                }
                None => brands.push(ConnectedBrand {
                    slug: row.slug,
                    name: row.name,
                    website_url: row.website_url,
                    scopes: vec![row.scope],
                    first_approved_at: row.granted_at,
                    last_used_at: None,
                }),
            }
        }
        for brand in &mut brands {
            let last: Option<(Option<i64>,)> = sqlx::query_as(
                "SELECT MAX(t) FROM (\
                   SELECT g.created_at AS t FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id JOIN brands b ON b.id = c.brand_id \
                   WHERE g.customer_id = $1 AND b.slug = $2 \
                   UNION ALL SELECT s.last_at AS t FROM oidc_session_clients s JOIN oauth_clients c ON c.id = s.client_id JOIN brands b ON b.id = c.brand_id \
                   WHERE s.customer_id = $1 AND b.slug = $2) used",
            )
            .bind(customer_id)
            .bind(&brand.slug)
            .fetch_optional(self.store.pool())
            .await?;
            brand.last_used_at = last.and_then(|(t,)| t);
            brand.scopes.sort_by_key(|s| super::clients::SUPPORTED_SCOPES.iter().position(|x| x == s).unwrap_or(usize::MAX));
        }
        Ok(brands)
    }

    /// "Disconnect": forgets the brand's approvals, revokes the customer's grants and
    /// tokens at every client of the brand and logs those clients out (back-channel,
    /// `sub` only). The Foyer session stays. `false` if nothing was connected.
    pub async fn disconnect_brand(&self, principal: &Principal, customer_id: &str, slug: &str) -> Result<bool> {
        authorize(principal, Action::ManageBrandAccess, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let Some(brand) = self.store.brand_by_slug(slug).await? else { return Ok(false) };
        let mut tx = self.store.begin().await?;
        let removed = sqlx::query("DELETE FROM brand_consents WHERE customer_id = $1 AND brand_id = $2")
            .bind(customer_id)
            .bind(&brand.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let clients: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_clients WHERE brand_id = $1").bind(&brand.id).fetch_all(&mut *tx).await?;
        for (client_id,) in &clients {
            let grants: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_grants WHERE client_id = $1 AND customer_id = $2 AND revoked_at IS NULL")
                .bind(client_id)
                .bind(customer_id)
                .fetch_all(&mut *tx)
                .await?;
            for (grant_id,) in &grants {
                revoke_grant(&mut tx, grant_id, "consent_revoked", now).await?;
            }
            let reached: Vec<(String,)> = sqlx::query_as("SELECT sid FROM oidc_session_clients WHERE client_id = $1 AND customer_id = $2")
                .bind(client_id)
                .bind(customer_id)
                .fetch_all(&mut *tx)
                .await?;
            if !grants.is_empty() || !reached.is_empty() {
                queue_backchannel(self, &mut tx, client_id, customer_id, None, now).await?;
            }
            sqlx::query("DELETE FROM oidc_session_clients WHERE client_id = $1 AND customer_id = $2").bind(client_id).bind(customer_id).execute(&mut *tx).await?;
        }
        if removed > 0 {
            self.audit_customer(&mut tx, principal.actor(), customer_id, "oauth.consent_revoked", json!({ "brand": slug }), now).await?;
        }
        tx.commit().await?;
        Ok(removed > 0)
    }

    /// Disabling a client ends every grant it holds (called by `disable_client`).
    pub(crate) async fn revoke_client_grants_tx(&self, tx: &mut Tx, client_id: &str, now: UnixMillis) -> Result<()> {
        let grants: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_grants WHERE client_id = $1 AND revoked_at IS NULL").bind(client_id).fetch_all(&mut **tx).await?;
        for (grant_id,) in grants {
            revoke_grant(tx, &grant_id, "client_disabled", now).await?;
        }
        sqlx::query("UPDATE access_tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL").bind(client_id).bind(now).execute(&mut **tx).await?;
        Ok(())
    }

    /// Drops flow state nobody can use any more: expired requests, codes a day after
    /// expiry (kept that long to recognise a replay), expired access-token rows and
    /// client assertion ids.
    pub async fn prune_oidc(&self, principal: &Principal) -> Result<u64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut n = 0;
        for (sql, at) in [
            ("DELETE FROM oauth_requests WHERE expires_at <= $1", now),
            ("DELETE FROM authorization_codes WHERE expires_at <= $1", now - 86_400_000),
            ("DELETE FROM access_tokens WHERE expires_at <= $1", now),
            ("DELETE FROM client_assertion_jtis WHERE expires_at <= $1", now),
        ] {
            n += sqlx::query(sql).bind(at).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }
}
