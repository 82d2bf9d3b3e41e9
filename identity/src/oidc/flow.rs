//! The browser side of the code flow after the request is checked: the pending request
//! behind the handle `r`, per-brand consent, and the authorization code
//! (`docs/design/oidc.md` "Authorize", steps 1–4).

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::authorize::AuthRequest;
use super::clients::Client;
use crate::principal::{authorize, Action, Principal, Subject};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// A pending request lives this long.
pub const REQUEST_TTL_MS: i64 = 15 * 60_000;
/// An authorization code lives this long (RFC 9700 §4.5: short).
pub const CODE_TTL_MS: i64 = 60_000;

/// What the session says about the sign-in that authorizes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    pub customer_id: String,
    /// The sign-in's identifier (OIDC `sid`).
    pub sid: String,
    /// Milliseconds.
    pub auth_time: UnixMillis,
    pub acr: String,
    pub amr: Vec<String>,
}

impl Authentication {
    /// The signed-in customer, at the level of this sign-in's `acr`.
    pub fn principal(&self) -> Principal {
        Principal::customer(&self.customer_id, &self.acr)
    }
}

/// A request waiting behind its handle.
#[derive(Debug, Clone)]
pub struct Pending {
    pub request: AuthRequest,
    pub client: Client,
    /// Set once the consent page was shown to this customer in this sign-in.
    pub customer_id: Option<String>,
    pub sid: Option<String>,
    pub created_at: UnixMillis,
    pub denied: bool,
    /// The customer answered Allow during this flow (so `prompt=consent` does not loop).
    pub consented: bool,
}

#[derive(FromRow)]
struct RequestRow {
    params: String,
    customer_id: Option<String>,
    sid: Option<String>,
    created_at: UnixMillis,
    denied_at: Option<UnixMillis>,
    consented_at: Option<UnixMillis>,
}

/// What the consent page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentNeed {
    /// Scopes that need approval now (all of them for `prompt=consent`).
    pub new: Vec<String>,
    /// Requested scopes already approved for the brand.
    pub approved: Vec<String>,
}

impl ConsentNeed {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty()
    }
}

impl Identity {
    /// Keeps a checked request for 15 minutes; returns its handle (shown once).
    pub async fn store_auth_request(&self, principal: &Principal, request: &AuthRequest) -> Result<String> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Client(&request.client_id))?;
        let now = self.clock.now();
        let handle = self.new_token();
        let mut tx = self.store.begin().await?;
        sqlx::query("INSERT INTO oauth_requests (id_hash, client_id, params, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(sha256_hex(handle.as_bytes()))
            .bind(&request.client_id)
            .bind(serde_json::to_string(request)?)
            .bind(now)
            .bind(now + REQUEST_TTL_MS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(handle)
    }

    /// The live, unfinished request behind `handle`, with its (enabled) client.
    pub async fn pending_request(&self, handle: &str) -> Result<Option<Pending>> {
        let now = self.clock.now();
        let row: Option<RequestRow> = sqlx::query_as(
            "SELECT params, customer_id, sid, created_at, denied_at, consented_at FROM oauth_requests \
             WHERE id_hash = $1 AND expires_at > $2 AND completed_at IS NULL",
        )
        .bind(sha256_hex(handle.as_bytes()))
        .bind(now)
        .fetch_optional(self.store.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let request: AuthRequest = serde_json::from_str(&row.params)?;
        let Some(client) = self.client_by_id(&request.client_id).await?.filter(|c| !c.is_disabled()) else { return Ok(None) };
        Ok(Some(Pending { request, client, customer_id: row.customer_id, sid: row.sid, created_at: row.created_at, denied: row.denied_at.is_some(), consented: row.consented_at.is_some() }))
    }

    /// Ties the request to the customer and sign-in the consent page is shown to.
    pub async fn bind_request(&self, principal: &Principal, handle: &str, customer_id: &str, sid: &str) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let mut tx = self.store.begin().await?;
        sqlx::query("UPDATE oauth_requests SET customer_id = $2, sid = $3 WHERE id_hash = $1 AND completed_at IS NULL")
            .bind(sha256_hex(handle.as_bytes()))
            .bind(customer_id)
            .bind(sid)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The scopes of the request that `customer_id` has approved for the client's brand,
    /// and those still to approve.
    pub async fn consent_need(&self, principal: &Principal, pending: &Pending, customer_id: &str) -> Result<ConsentNeed> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        let approved = self.approved_scopes(customer_id, &pending.client.brand_id).await?;
        let force = pending.request.has_prompt("consent") && !pending.consented;
        let (already, new): (Vec<String>, Vec<String>) =
            pending.request.scopes.iter().cloned().partition(|s| !force && approved.iter().any(|a| a == s));
        Ok(ConsentNeed { new, approved: already })
    }

    /// Whether the customer in the flow has confirmed their email address (`None`: no
    /// such customer any more).
    pub async fn verified_for_flow(&self, principal: &Principal, customer_id: &str) -> Result<Option<bool>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        Ok(self.store.customer_by_id(customer_id).await?.map(|c| i64::from(c.email_verified) != 0))
    }

    pub(crate) async fn approved_scopes(&self, customer_id: &str, brand_id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT scope FROM brand_consents WHERE customer_id = $1 AND brand_id = $2 ORDER BY scope")
            .bind(customer_id)
            .bind(brand_id)
            .fetch_all(self.store.pool())
            .await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// The customer's answer on the consent page. Accepted only for a live request bound
    /// to this customer and sign-in; Allow remembers every requested scope for the brand.
    pub async fn decide_consent(&self, principal: &Principal, handle: &str, customer_id: &str, sid: &str, allow: bool) -> Result<()> {
        authorize(principal, Action::ManageBrandAccess, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let pending = self.pending_request(handle).await?.ok_or(Error::TokenInvalid)?;
        if pending.customer_id.as_deref() != Some(customer_id) || pending.sid.as_deref() != Some(sid) || pending.denied {
            return Err(Error::TokenInvalid);
        }
        let mut tx = self.store.begin().await?;
        let actor = principal.actor();
        if allow {
            for scope in &pending.request.scopes {
                sqlx::query("INSERT INTO brand_consents (customer_id, brand_id, scope, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                    .bind(customer_id)
                    .bind(&pending.client.brand_id)
                    .bind(scope)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE oauth_requests SET consented_at = $2 WHERE id_hash = $1").bind(sha256_hex(handle.as_bytes())).bind(now).execute(&mut *tx).await?;
        } else {
            sqlx::query("UPDATE oauth_requests SET denied_at = $2 WHERE id_hash = $1").bind(sha256_hex(handle.as_bytes())).bind(now).execute(&mut *tx).await?;
        }
        let detail = serde_json::json!({ "brand": pending.client.brand_slug, "client_id": pending.client.id, "scope": pending.request.scopes.join(" ") });
        let action = if allow { "oauth.consent_granted" } else { "oauth.consent_denied" };
        self.audit_customer(&mut tx, actor, customer_id, action, detail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finishes a request: the code (single use, 60 s) bound to the client, redirect
    /// URI, PKCE challenge and nonce; remembers that this sign-in reached the client.
    /// `None` if the request was finished meanwhile.
    pub async fn issue_code(&self, principal: &Principal, handle: &str, pending: &Pending, auth: &Authentication, scopes: &[String]) -> Result<Option<String>> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(&auth.customer_id))?;
        let now = self.clock.now();
        let code = self.new_token();
        let mut tx = self.store.begin().await?;
        let done = sqlx::query("UPDATE oauth_requests SET completed_at = $2 WHERE id_hash = $1 AND completed_at IS NULL")
            .bind(sha256_hex(handle.as_bytes()))
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done != 1 {
            return Ok(None);
        }
        let r = &pending.request;
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, client_id, customer_id, sid, redirect_uri, scope, nonce, code_challenge, \
             auth_time, acr, amr, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(sha256_hex(code.as_bytes()))
        .bind(&r.client_id)
        .bind(&auth.customer_id)
        .bind(&auth.sid)
        .bind(&r.redirect_uri)
        .bind(scopes.join(" "))
        .bind(&r.nonce)
        .bind(&r.code_challenge)
        .bind(auth.auth_time)
        .bind(&auth.acr)
        .bind(auth.amr.join(" "))
        .bind(now)
        .bind(now + CODE_TTL_MS)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO oidc_session_clients (sid, client_id, customer_id, first_at, last_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (sid, client_id) DO UPDATE SET last_at = $4",
        )
        .bind(&auth.sid)
        .bind(&r.client_id)
        .bind(&auth.customer_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(code))
    }

    /// Marks a request finished without a code (an error went back to the client).
    pub async fn finish_request(&self, principal: &Principal, handle: &str) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let mut tx = self.store.begin().await?;
        sqlx::query("UPDATE oauth_requests SET completed_at = $2 WHERE id_hash = $1 AND completed_at IS NULL")
            .bind(sha256_hex(handle.as_bytes()))
            .bind(self.clock.now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
