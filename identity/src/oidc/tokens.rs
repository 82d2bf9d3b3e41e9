//! The token endpoint's rules (RFC 6749 §4.1.3, §4.4, §6; RFC 7636 §4.6; OIDC Core
//! §3.1.3, §12), and the checks behind UserInfo, introspection and revocation.
//!
//! Codes are redeemed by one conditional `UPDATE … RETURNING` inside a write transaction:
//! PostgreSQL's row lock and SQLite's `BEGIN IMMEDIATE` make a parallel second redemption
//! wait and then find the code used, which revokes what the first one issued. Refresh
//! tokens rotate the same way; a used one coming back revokes its grant.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::claims::claims_for;
use super::clients::Client;
use super::mint::{MintFor, Minted};
pub use super::grants::GrantRow;
use crate::jose::{ClaimRules, Keys};
use crate::store::customers::CustomerRow;
use crate::store::grants::NewAccessToken;
use crate::store::{self, Tx};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// Prefix of our refresh tokens (recognisable in leak scanners).
pub const REFRESH_PREFIX: &str = "frt_";
/// Leeway for clock skew when checking tokens we issued.
pub const LEEWAY_SECS: i64 = 60;

/// Why a token request fails, as RFC 6749 §5.2 names it.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("invalid_scope: {0}")]
    InvalidScope(&'static str),
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(&'static str),
    #[error(transparent)]
    Other(#[from] Error),
}

impl TokenError {
    /// The RFC 6749 `error` code and a description safe to send.
    pub fn code_and_description(&self) -> (&'static str, &str) {
        match self {
            Self::InvalidRequest(d) => ("invalid_request", d),
            Self::InvalidGrant(d) => ("invalid_grant", d),
            Self::InvalidScope(d) => ("invalid_scope", d),
            Self::UnauthorizedClient(d) => ("unauthorized_client", d),
            Self::Other(_) => ("server_error", "The server could not complete the request."),
        }
    }
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
}

/// RFC 7636 §4.1: 43–128 unreserved characters.
fn verifier_well_formed(v: &str) -> bool {
    (43..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `BASE64URL(SHA256(verifier)) == challenge` (S256), compared in constant time.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    computed.len() == challenge.len() && computed.bytes().zip(challenge.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

pub(super) fn scopes(text: &str) -> Vec<String> {
    text.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The audience of our access tokens: the brand's APIs.
pub fn access_token_audience(client: &Client) -> String {
    format!("urn:foyer:brand:{}", client.brand_slug)
}

impl Identity {
    fn issuer(&self) -> &str {
        &self.settings.public_url
    }

    /// `grant_type=authorization_code`. The code is read and checked, the tokens signed,
    /// and only then redeemed in a short write (`mint`'s module doc): a code redeemed
    /// meanwhile is a replay and revokes what the first redemption issued.
    pub async fn redeem_code(&self, principal: &Principal, keys: &Keys, client: &Client, code: &str, redirect_uri: Option<&str>, verifier: Option<&str>) -> Result<Issued, TokenError> {
        authorize(principal, Action::UseTokens, Subject::Client(&client.id))?;
        let redirect_uri = redirect_uri.ok_or(TokenError::InvalidRequest("redirect_uri is required."))?;
        if verifier.is_some_and(|v| !verifier_well_formed(v)) {
            return Err(TokenError::InvalidGrant("The code_verifier is malformed."));
        }
        let now = self.clock.now();
        let code_hash = sha256_hex(code.as_bytes());
        let Some(row) = store::codes::unredeemed_code(&self.store, &code_hash, now).await? else {
            return self.code_not_redeemable(principal, &code_hash, now).await;
        };
        let pkce_ok = match (&row.code_challenge, verifier) {
            (Some(challenge), Some(v)) => pkce_matches(v, challenge),
            (None, None) => true,
            _ => false,
        };
        if row.client_id != client.id || row.redirect_uri != redirect_uri || !pkce_ok {
            return Err(TokenError::InvalidGrant("The code was not issued for this client, redirect_uri or code_verifier."));
        }
        // A delegated code: only for a client that opted in, and only while the
        // delegation still covers this brand (it may have been revoked since the code;
        // checked again in the write).
        let mut expires_at = now + client.refresh_token_ttl_s * 1000;
        if let Some(delegation_id) = row.delegation_id.as_deref() {
            let mut conn = self.store.conn().await?;
            let live = self.live_delegation_of_code(&mut conn, client, &row.customer_id, row.actor_id.as_deref(), delegation_id).await;
            drop(conn);
            match live {
                Ok(end) => expires_at = expires_at.min(end),
                Err(e) => return self.spend_code(&code_hash, now, e).await,
            }
        }
        // A support agent's code: only while the access it was issued under lives (it
        // may have ended since the code; checked again in the write). The grant ends
        // with the access.
        if let Some(access_id) = row.support_access_id.as_deref() {
            let mut conn = self.store.conn().await?;
            let live = self.live_support_access_of_code(&mut conn, &row.customer_id, row.actor_id.as_deref(), access_id, now).await;
            drop(conn);
            match live {
                Ok(end) => expires_at = expires_at.min(end),
                Err(e) => return self.spend_code(&code_hash, now, e).await,
            }
        }
        let granted = scopes(&row.scope);
        let offline = row.delegation_id.is_none() && row.support_access_id.is_none() && granted.iter().any(|s| s == "offline_access");
        let sid = row.sid.clone();
        let grant = GrantRow {
            id: self.new_id(),
            client_id: client.id.clone(),
            customer_id: row.customer_id,
            sid: if offline { None } else { Some(row.sid) },
            scope: row.scope,
            nonce: row.nonce,
            auth_time: row.auth_time,
            acr: row.acr,
            amr: row.amr,
            created_at: now,
            expires_at,
            revoked_at: None,
            actor_id: row.actor_id,
            delegation_id: row.delegation_id,
            support_access_id: row.support_access_id,
        };
        let minted = self.mint(keys, MintFor { client, grant: &grant, granted: &granted, sid: Some(&sid), nonce: grant.nonce.as_deref(), customer: None, now }).await?;
        let mut tx = self.store.begin().await?;
        if store::codes::redeem_code(&mut tx, &code_hash, now).await?.is_none() {
            drop(tx);
            return self.code_not_redeemable(principal, &code_hash, now).await;
        }
        if let Some(delegation_id) = grant.delegation_id.as_deref()
            && let Err(e) = self.live_delegation_of_code(&mut tx, client, &grant.customer_id, grant.actor_id.as_deref(), delegation_id).await
        {
            tx.commit().await?; // the code stays used
            return Err(e);
        }
        if let Some(access_id) = grant.support_access_id.as_deref()
            && let Err(e) = self.live_support_access_of_code(&mut tx, &grant.customer_id, grant.actor_id.as_deref(), access_id, now).await
        {
            tx.commit().await?; // the code stays used
            return Err(e);
        }
        self.issue_grant_tx(&mut tx, &grant).await?;
        store::codes::set_code_grant(&mut tx, &code_hash, &grant.id).await?;
        let issued = self.record(&mut tx, client, &grant, minted, now).await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// The end of a delegated code's delegation (it must still let the delegate act at
    /// this client's brand, for the code's customer), or why the code is refused.
    async fn live_delegation_of_code(&self, conn: &mut store::AnyConnection, client: &Client, customer_id: &str, actor_id: Option<&str>, delegation_id: &str) -> Result<UnixMillis, TokenError> {
        if !client.allow_delegation {
            return Err(TokenError::UnauthorizedClient("This client does not accept delegated sign-ins."));
        }
        match self.brand_delegate(conn, delegation_id, actor_id.unwrap_or_default(), &client.brand_id).await? {
            Some((delegation, _)) if delegation.principal_id == customer_id => Ok(delegation.expires_at),
            _ => Err(TokenError::InvalidGrant("The delegation this code was issued under has ended.")),
        }
    }

    /// The end of a support agent's code's access (approved, not past its end, still
    /// naming this agent and customer), or why the code is refused.
    async fn live_support_access_of_code(&self, conn: &mut store::AnyConnection, customer_id: &str, staff_id: Option<&str>, access_id: &str, now: UnixMillis) -> Result<UnixMillis, TokenError> {
        match store::support_access::by_id_tx(conn, access_id).await? {
            Some(a) if a.status == "approved" && a.expires_at > now && a.customer_id == customer_id && Some(a.staff_id.as_str()) == staff_id => Ok(a.expires_at),
            _ => Err(TokenError::InvalidGrant("The support access this code was issued under has ended.")),
        }
    }

    /// Redeems a code that will issue nothing (its delegation ended), so it cannot be
    /// tried again, and answers `refusal`.
    async fn spend_code(&self, code_hash: &str, now: UnixMillis, refusal: TokenError) -> Result<Issued, TokenError> {
        let mut tx = self.store.begin().await?;
        store::codes::redeem_code(&mut tx, code_hash, now).await?;
        tx.commit().await?;
        Err(refusal)
    }

    /// No unredeemed code by this hash: if it was redeemed before, a replay.
    async fn code_not_redeemable(&self, principal: &Principal, code_hash: &str, now: UnixMillis) -> Result<Issued, TokenError> {
        let mut tx = self.store.begin().await?;
        self.code_replayed(principal, &mut tx, code_hash, now).await?;
        tx.commit().await?;
        Err(TokenError::InvalidGrant("The code is invalid, expired or already used."))
    }

    /// A code came back after its redemption: revoke what it issued (RFC 6749 §4.1.2).
    async fn code_replayed(&self, principal: &Principal, tx: &mut Tx, code_hash: &str, now: UnixMillis) -> Result<()> {
        let used = store::codes::redeemed_code(tx, code_hash).await?;
        let Some((grant_id, customer_id)) = used else { return Ok(()) };
        if let Some(grant_id) = grant_id {
            self.revoke_grant_quietly_tx(tx, &grant_id, "code_replayed", now).await?;
        }
        tracing::warn!("authorization code replayed: grant revoked");
        self.audit_customer(tx, principal.actor(), &customer_id, "oauth.code_replayed", json!({}), now).await
    }

    /// `grant_type=refresh_token`: rotation, and reuse detection that revokes the grant.
    /// The grant is read and checked and the tokens signed before the write, which
    /// rotates the token only if it is still unused and its grant unrevoked.
    pub async fn refresh(&self, principal: &Principal, keys: &Keys, client: &Client, token: &str, scope: Option<&str>) -> Result<Issued, TokenError> {
        authorize(principal, Action::UseTokens, Subject::Client(&client.id))?;
        let now = self.clock.now();
        let token_hash = sha256_hex(token.as_bytes());
        // Every read on one connection, let go before signing (`mint::sign`).
        let mut conn = self.store.conn().await?;
        // A spent token may be the retry of a refresh whose answer was lost: then the
        // grant is read through the unused token that replaced it (`retried`).
        let (grant, customer, retried) = match self.refreshable_grant(&mut conn, client, &token_hash, now).await? {
            Some((grant, customer)) => (grant, customer, None),
            None => match self.retry_successor(&mut conn, &token_hash, now).await? {
                Some(successor) => match self.refreshable_grant(&mut conn, client, &successor, now).await? {
                    Some((grant, customer)) => (grant, customer, Some(successor)),
                    // The grant ended (revoked or expired) since the token was spent.
                    None => return Err(TokenError::InvalidGrant("The refresh token is invalid, expired or already used.")),
                },
                None => {
                    drop(conn);
                    return self.refresh_not_usable(principal, client, &token_hash, now).await;
                }
            },
        };
        let mut granted = scopes(&grant.scope);
        if let Some(asked) = scope {
            let asked = scopes(asked);
            if asked.iter().any(|s| !granted.contains(s)) {
                return Err(TokenError::InvalidScope("The scope asked for exceeds the grant."));
            }
            granted = asked;
        }
        let what = MintFor { client, grant: &grant, granted: &granted, sid: grant.sid.as_deref(), nonce: None, customer: Some(&customer), now };
        let unsigned = self.unsigned(&mut conn, &what).await?;
        drop(conn);
        let minted = self.sign(keys, &what, unsigned)?;
        match retried {
            None => self.rotate(principal, client, &token_hash, &grant, minted, now).await,
            Some(successor) => self.retry(principal, client, &token_hash, &successor, &grant, minted, now).await,
        }
    }

    /// The unused successor of a spent refresh token presented again within
    /// `FOYER_REFRESH_RETRY_SECONDS` of its use (`store::grants::retry_successor`); never
    /// when the setting is 0.
    async fn retry_successor(&self, conn: &mut store::AnyConnection, token_hash: &str, now: UnixMillis) -> Result<Option<String>> {
        if self.settings.refresh_retry_ms <= 0 {
            return Ok(None);
        }
        store::grants::retry_successor(conn, token_hash, now - self.settings.refresh_retry_ms).await
    }

    /// A retry's write (`docs/design/oidc.md` "Retrying a refresh whose answer was
    /// lost"), one transaction: the successor the lost answer carried is set aside (used,
    /// never retried itself: whoever holds it and uses it later is reuse), the minted
    /// tokens are recorded, the retried token now names the new refresh token as its
    /// successor, and the audit log says so. The successor used or set aside meanwhile (a
    /// parallel retry, or its holder refreshing) makes this one the reuse.
    #[expect(clippy::too_many_arguments, reason = "the two tokens of a retry and what a rotation takes")]
    pub(crate) async fn retry(&self, principal: &Principal, client: &Client, retried: &str, successor: &str, grant: &GrantRow, minted: Minted, now: UnixMillis) -> Result<Issued, TokenError> {
        let mut tx = self.store.begin().await?;
        match store::grants::set_aside_for_retry(&mut tx, successor, retried, &grant.id, minted.refresh_hash(), now).await? {
            Some(true) => {}
            Some(false) => return Err(TokenError::InvalidGrant("The refresh token is invalid, expired or revoked.")),
            None => {
                drop(tx);
                return self.refresh_not_usable(principal, client, retried, now).await;
            }
        }
        let issued = self.record(&mut tx, client, grant, minted, now).await?;
        self.audit_customer(&mut tx, principal.actor(), &grant.customer_id, "oauth.refresh_retried", json!({ "client_id": grant.client_id }), now).await?;
        tx.commit().await?;
        tracing::info!("refresh retried within the window: the lost answer's refresh token set aside");
        Ok(issued)
    }

    /// The refresh's write: rotates the token if it is still unused and its grant
    /// unrevoked, and records the minted tokens with the rotation
    /// (`Store::rotate_refresh_token`); otherwise nothing minted is sent.
    pub(crate) async fn rotate(&self, principal: &Principal, client: &Client, token_hash: &str, grant: &GrantRow, minted: Minted, now: UnixMillis) -> Result<Issued, TokenError> {
        let rotated = self.store.rotate_refresh_token(token_hash, now, &minted.access_row(client, grant, now), minted.refresh_hash()).await?;
        match rotated {
            Some(true) => Ok(minted.issued),
            // Revoked meanwhile (sign-out, support, the customer), as the rotating
            // statement read it: nothing was recorded, and the token stays used.
            Some(false) => Err(TokenError::InvalidGrant("The refresh token is invalid, expired or revoked.")),
            // Used meanwhile (a parallel request, or a replay that raced us).
            None => self.refresh_not_usable(principal, client, token_hash, now).await,
        }
    }

    /// The live grant of an unused refresh token of this client and its customer, when
    /// the sign-in it belongs to is live and the account still usable; errors name why
    /// not. `None` when no unused token has this hash (unknown, used, or its grant dead).
    /// One statement (`store::grants::refresh_context`).
    pub(crate) async fn refreshable_grant(&self, conn: &mut store::AnyConnection, client: &Client, token_hash: &str, now: UnixMillis) -> Result<Option<(GrantRow, CustomerRow)>, TokenError> {
        let Some(found) = store::grants::refresh_context(conn, token_hash, now).await? else { return Ok(None) };
        let store::grants::RefreshContext { grant, sign_in_live, customer } = found;
        // A delegated grant never had a refresh token; refuse one all the same.
        if grant.client_id != client.id || grant.delegation_id.is_some() {
            return Err(TokenError::InvalidGrant("The refresh token is invalid, expired or revoked."));
        }
        if !sign_in_live {
            return Err(TokenError::InvalidGrant("The sign-in this token belongs to has ended."));
        }
        match customer {
            Some(customer) if customer.email_verified => Ok(Some((grant, customer))),
            _ => Err(TokenError::InvalidGrant("The account can no longer be used here.")),
        }
    }

    /// No usable refresh token by this hash: a used one coming back (RFC 9700 §4.14.2)
    /// revokes its grant; an unused one whose grant expired is only refused.
    async fn refresh_not_usable(&self, principal: &Principal, client: &Client, token_hash: &str, now: UnixMillis) -> Result<Issued, TokenError> {
        let mut tx = self.store.begin().await?;
        let reused = store::grants::used_refresh_token_grant_id(&mut tx, token_hash).await?;
        if let Some(grant_id) = reused
            && let Some(grant) = store::grants::grant_by_id_tx(&mut tx, &grant_id).await?
            && grant.client_id == client.id
            && grant.revoked_at.is_none()
        {
            self.revoke_grant_tx(&mut tx, &grant, "refresh_reused", now).await?;
            self.audit_customer(&mut tx, principal.actor(), &grant.customer_id, "oauth.refresh_reused", json!({ "client_id": grant.client_id }), now).await?;
            tracing::warn!("refresh token reused: grant revoked");
            tx.commit().await?;
        }
        Err(TokenError::InvalidGrant("The refresh token is invalid, expired or already used."))
    }

    /// `grant_type=client_credentials`: an access token for the client itself.
    pub async fn client_credentials(&self, principal: &Principal, keys: &Keys, client: &Client, scope: Option<&str>) -> Result<Issued, TokenError> {
        authorize(principal, Action::UseTokens, Subject::Client(&client.id))?;
        if client.is_public() || !client.grant_types.iter().any(|g| g == "client_credentials") {
            return Err(TokenError::UnauthorizedClient("This client may not use client_credentials."));
        }
        let asked = scopes(scope.unwrap_or_default());
        let api: Vec<&String> = client.allowed_scopes.iter().filter(|s| !super::clients::SUPPORTED_SCOPES.contains(&s.as_str())).collect();
        if asked.iter().any(|s| !api.contains(&s)) {
            return Err(TokenError::InvalidScope("client_credentials is for the client's API scopes only."));
        }
        let now = self.clock.now();
        let jti = self.new_id();
        let exp = now + client.access_token_ttl_s * 1000;
        let claims = json!({
            "iss": self.issuer(), "sub": client.id, "aud": access_token_audience(client), "client_id": client.id,
            "iat": now / 1000, "exp": exp / 1000, "jti": jti, "scope": asked.join(" "),
        });
        let access_token = keys.sign_jwt(self.settings.access_token_alg, &claims, "at+jwt")?;
        let scope = asked.join(" ");
        let token = NewAccessToken { jti: &jti, grant_id: None, client_id: &client.id, customer_id: None, scope: &scope, created_at: now, expires_at: exp };
        self.store.record_access_token(&token).await?;
        Ok(Issued { access_token, expires_in: client.access_token_ttl_s, scope: asked.join(" "), id_token: None, refresh_token: None })
    }

    /// An access token we issued, still live: signature, `typ: at+jwt`, claims, the
    /// `jti` row not revoked, its grant not revoked, its client enabled.
    /// A pooled connection is taken only when the signature holds and this node has not
    /// kept the token's row (`oidc::access_cache`): a flood of forged or repeated tokens
    /// takes none.
    pub async fn live_access_token(&self, keys: &Keys, token: &str) -> Result<Option<LiveToken>> {
        let Ok(jwt) = keys.verify_jwt(token, "at+jwt", &[self.settings.access_token_alg]) else { return Ok(None) };
        let Some(jti) = jwt.claims.get("jti").and_then(Value::as_str) else { return Ok(None) };
        let now = self.clock.now();
        // The count before the read: a revocation committed meanwhile makes the entry stale.
        let revocations = self.store.revocations();
        let row = match self.access.get(jti, now, revocations) {
            Some(row) => row,
            None => {
                let mut conn = self.store.conn().await?;
                let Some(row) = store::grants::live_access_token(&mut conn, jti, now).await? else { return Ok(None) };
                let row = std::sync::Arc::new(row);
                self.access.put(std::sync::Arc::clone(&row), now, revocations);
                row
            }
        };
        let Some(client) = self.client_by_id(&row.client_id).await?.filter(|c| !c.is_disabled()) else { return Ok(None) };
        let rules = ClaimRules { issuer: self.issuer(), audience: &access_token_audience(&client), now, leeway_secs: LEEWAY_SECS, allow_expired: false };
        if jwt.check_claims(&rules).is_err() {
            return Ok(None);
        }
        Ok(Some(LiveToken {
            jti: row.jti.clone(),
            customer_id: row.customer_id.clone(),
            scope: row.scope.clone(),
            created_at: row.created_at,
            expires_at: row.expires_at,
            sub: jwt.claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned(),
            act: if row.actor_id.is_some() { jwt.claims.get("act").cloned() } else { None },
            actor_id: row.actor_id.clone(),
            auth_time: jwt.claims.get("auth_time").and_then(Value::as_i64),
            acr: jwt.claims.get("acr").and_then(Value::as_str).map(str::to_owned),
            client,
        }))
    }

    /// The principal of a machine-API call: a live `client_credentials` access token (no
    /// customer in it) of a confidential client, with the scopes the token was granted
    /// (not merely those the client may ask for). `None` for anything else, customers'
    /// tokens included.
    pub async fn api_principal(&self, keys: &Keys, token: &str) -> Result<Option<Principal>> {
        Ok(self.api_caller(keys, token).await?.map(|(principal, _)| principal))
    }

    /// [`Self::api_principal`] with the calling client (its own rate limit applies).
    pub async fn api_caller(&self, keys: &Keys, token: &str) -> Result<Option<(Principal, Client)>> {
        let Some(live) = self.live_access_token(keys, token).await? else { return Ok(None) };
        if live.customer_id.is_some() || live.client.is_public() {
            return Ok(None);
        }
        let principal = Principal::Machine { client: live.client.id.clone(), brand: live.client.brand_id.clone(), scopes: scopes(&live.scope) };
        Ok(Some((principal, live.client)))
    }

    /// A refresh token we issued whose grant is live.
    pub async fn live_refresh_token(&self, token: &str) -> Result<Option<GrantRow>> {
        let mut conn = self.store.conn().await?;
        store::grants::live_grant_of_refresh_token(&mut conn, &sha256_hex(token.as_bytes()), self.clock.now()).await
    }

    /// RFC 7009: a refresh token revokes its grant (and its access tokens), an access
    /// token its `jti`; another client's or an unknown token changes nothing.
    pub async fn revoke_token(&self, principal: &Principal, keys: &Keys, client: &Client, token: &str) -> Result<()> {
        authorize(principal, Action::UseTokens, Subject::Client(&client.id))?;
        let now = self.clock.now();
        if let Some(grant) = self.live_refresh_token(token).await? {
            if grant.client_id == client.id {
                let mut tx = self.store.begin().await?;
                self.revoke_grant_quietly_tx(&mut tx, &grant.id, "revoked_by_client", now).await?;
                tx.commit().await?;
            }
            return Ok(());
        }
        if let Some(live) = self.live_access_token(keys, token).await?
            && live.client.id == client.id
        {
            let mut tx = self.store.begin().await?;
            store::grants::revoke_access_token(&mut tx, &live.jti, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// RFC 7662 for a confidential client: the token's facts if it is live and was
    /// issued to a client of the caller's brand; `None` means `{"active": false}`.
    pub async fn introspect(&self, principal: &Principal, keys: &Keys, caller: &Client, token: &str, hint: Option<&str>) -> Result<Option<Value>> {
        authorize(principal, Action::UseTokens, Subject::Client(&caller.id))?;
        let try_refresh_first = hint == Some("refresh_token");
        for kind in if try_refresh_first { ["refresh", "access"] } else { ["access", "refresh"] } {
            if kind == "access"
                && let Some(live) = self.live_access_token(keys, token).await?
            {
                let client = &live.client;
                if client.brand_id != caller.brand_id {
                    return Ok(None);
                }
                let mut answer = json!({
                    "active": true, "iss": self.issuer(), "sub": live.sub, "aud": access_token_audience(client),
                    "client_id": client.id, "scope": live.scope, "exp": live.expires_at / 1000, "iat": live.created_at / 1000,
                    "jti": live.jti, "token_type": "Bearer",
                });
                if let Some(act) = live.act {
                    answer["act"] = act;
                }
                return Ok(Some(answer));
            }
            if kind == "refresh"
                && let Some(grant) = self.live_refresh_token(token).await?
            {
                let Some(client) = self.client_by_id(&grant.client_id).await? else { return Ok(None) };
                if client.brand_id != caller.brand_id {
                    return Ok(None);
                }
                let sub = self.subject_for(&client, &grant.customer_id).await?;
                return Ok(Some(json!({
                    "active": true, "iss": self.issuer(), "sub": sub, "client_id": client.id, "scope": grant.scope,
                    "exp": grant.expires_at / 1000, "iat": grant.created_at / 1000,
                })));
            }
        }
        Ok(None)
    }

    /// UserInfo (OIDC Core §5.3): `sub` and the claims of scopes granted to this token
    /// and still approved for the brand. `Err(TokenInvalid)` for a dead token,
    /// `Ok(None)` when the token lacks `openid`.
    pub async fn userinfo(&self, keys: &Keys, token: &str) -> Result<Option<Value>> {
        let live = self.live_access_token(keys, token).await?.ok_or(Error::TokenInvalid)?;
        // The remaining reads on one connection (each pooled statement of its own would
        // cost two more round trips to SQLite's thread), the customer and the brand's
        // approvals in one statement.
        let mut conn = self.store.conn().await?;
        let Some(customer_id) = live.customer_id.as_deref() else { return Ok(None) };
        let granted = scopes(&live.scope);
        if !granted.iter().any(|s| s == "openid") {
            return Ok(None);
        }
        let (customer, approved) =
            store::customers::with_approved_scopes(&mut conn, customer_id, &live.client.brand_id).await?.ok_or(Error::TokenInvalid)?;
        let released: Vec<String> = granted.into_iter().filter(|s| approved.contains(s)).collect();
        if !released.iter().any(|s| s == "openid") {
            return Err(Error::TokenInvalid);
        }
        let mut claims = claims_for(&customer, &released);
        if super::claims::wants_brand_claims(&released) {
            claims.extend(self.brand_claims(&mut conn, customer_id, &live.client.brand_id, &released).await?);
        }
        claims.insert("sub".into(), Value::String(live.sub));
        if let Some(act) = live.act {
            claims.insert("act".into(), act);
        }
        Ok(Some(Value::Object(claims)))
    }
}

/// An access token that passed every check, with the client it was issued to.
#[derive(Debug, Clone)]
pub struct LiveToken {
    pub jti: String,
    pub customer_id: Option<String>,
    pub scope: String,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    /// The subject as the token says it (as its client sees the customer).
    pub sub: String,
    /// A delegated token's `act` claim (`{"sub": …}`, the delegate as the client sees
    /// them) and the delegate's customer id.
    pub act: Option<Value>,
    pub actor_id: Option<String>,
    /// `auth_time` (seconds) and `acr` as the token says them.
    pub auth_time: Option<i64>,
    pub acr: Option<String>,
    pub client: Client,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_the_rfc_example() {
        // RFC 7636 Appendix B.
        assert!(pkce_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!pkce_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(verifier_well_formed("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!verifier_well_formed("short"));
    }
}
