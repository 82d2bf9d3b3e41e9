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

use super::claims::{at_hash, claims_for};
use super::clients::Client;
pub use super::grants::GrantRow;
use crate::jose::{ClaimRules, Keys, SigningAlg};
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

fn scopes(text: &str) -> Vec<String> {
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

    /// `grant_type=authorization_code`.
    pub async fn redeem_code(&self, principal: &Principal, keys: &Keys, client: &Client, code: &str, redirect_uri: Option<&str>, verifier: Option<&str>) -> Result<Issued, TokenError> {
        authorize(principal, Action::UseTokens, Subject::Client(&client.id))?;
        let redirect_uri = redirect_uri.ok_or(TokenError::InvalidRequest("redirect_uri is required."))?;
        if verifier.is_some_and(|v| !verifier_well_formed(v)) {
            return Err(TokenError::InvalidGrant("The code_verifier is malformed."));
        }
        let now = self.clock.now();
        let code_hash = sha256_hex(code.as_bytes());
        let mut tx = self.store.begin().await?;
        let row = store::codes::redeem_code(&mut tx, &code_hash, now).await?;
        let Some(row) = row else {
            self.code_replayed(principal, &mut tx, &code_hash, now).await?;
            tx.commit().await?;
            return Err(TokenError::InvalidGrant("The code is invalid, expired or already used."));
        };
        let pkce_ok = match (&row.code_challenge, verifier) {
            (Some(challenge), Some(v)) => pkce_matches(v, challenge),
            (None, None) => true,
            _ => false,
        };
        if row.client_id != client.id || row.redirect_uri != redirect_uri || !pkce_ok {
            tx.rollback().await?;
            return Err(TokenError::InvalidGrant("The code was not issued for this client, redirect_uri or code_verifier."));
        }
        // A delegated code: only for a client that opted in, and only while the
        // delegation still covers this brand (it may have been revoked since the code).
        let mut expires_at = now + client.refresh_token_ttl_s * 1000;
        if let Some(delegation_id) = row.delegation_id.as_deref() {
            let actor = row.actor_id.as_deref().unwrap_or_default();
            let live = if client.allow_delegation { self.brand_delegate(&mut tx, delegation_id, actor, &client.brand_id).await? } else { None };
            let Some((delegation, _)) = live.filter(|(d, _)| d.principal_id == row.customer_id) else {
                tx.commit().await?;
                return Err(if client.allow_delegation {
                    TokenError::InvalidGrant("The delegation this code was issued under has ended.")
                } else {
                    TokenError::UnauthorizedClient("This client does not accept delegated sign-ins.")
                });
            };
            expires_at = expires_at.min(delegation.expires_at);
        }
        let granted = scopes(&row.scope);
        let offline = row.delegation_id.is_none() && granted.iter().any(|s| s == "offline_access");
        let grant = GrantRow {
            id: self.new_id(),
            client_id: client.id.clone(),
            customer_id: row.customer_id,
            sid: if offline { None } else { Some(row.sid.clone()) },
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
        };
        self.issue_grant_tx(&mut tx, &grant).await?;
        store::codes::set_code_grant(&mut tx, &code_hash, &grant.id).await?;
        let issued = self.mint(&mut tx, keys, client, &grant, &granted, Some(&row.sid), grant.nonce.as_deref(), now).await?;
        tx.commit().await?;
        Ok(issued)
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
    pub async fn refresh(&self, principal: &Principal, keys: &Keys, client: &Client, token: &str, scope: Option<&str>) -> Result<Issued, TokenError> {
        authorize(principal, Action::UseTokens, Subject::Client(&client.id))?;
        let now = self.clock.now();
        let token_hash = sha256_hex(token.as_bytes());
        let mut tx = self.store.begin().await?;
        let fresh = store::grants::use_refresh_token(&mut tx, &token_hash, now).await?;
        let Some(grant_id) = fresh else {
            let reused = store::grants::refresh_token_grant_id(&mut tx, &token_hash).await?;
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
            return Err(TokenError::InvalidGrant("The refresh token is invalid, expired or already used."));
        };
        let grant = store::grants::grant_by_id_tx(&mut tx, &grant_id).await?.ok_or(TokenError::InvalidGrant("The refresh token is invalid."))?;
        // A delegated grant never had a refresh token; refuse one all the same.
        if grant.client_id != client.id || grant.revoked_at.is_some() || grant.expires_at <= now || grant.delegation_id.is_some() {
            return Err(TokenError::InvalidGrant("The refresh token is invalid, expired or revoked."));
        }
        if let Some(sid) = &grant.sid
            && !store::oidc_sessions::sign_in_live(&mut tx, sid, now).await?
        {
            return Err(TokenError::InvalidGrant("The sign-in this token belongs to has ended."));
        }
        let verified = store::customers::by_id_tx(&mut tx, &grant.customer_id).await?.is_some_and(|c| c.email_verified);
        if !verified {
            return Err(TokenError::InvalidGrant("The account can no longer be used here."));
        }
        let mut granted = scopes(&grant.scope);
        if let Some(asked) = scope {
            let asked = scopes(asked);
            if asked.iter().any(|s| !granted.contains(s)) {
                return Err(TokenError::InvalidScope("The scope asked for exceeds the grant."));
            }
            granted = asked;
        }
        let issued = self.mint(&mut tx, keys, client, &grant, &granted, grant.sid.as_deref(), None, now).await?;
        tx.commit().await?;
        Ok(issued)
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
        let access_token = keys.sign_jwt(SigningAlg::Rs256, &claims, "at+jwt")?;
        let mut tx = self.store.begin().await?;
        let scope = asked.join(" ");
        let token = NewAccessToken { jti: &jti, grant_id: None, client_id: &client.id, customer_id: None, scope: &scope, created_at: now, expires_at: exp };
        store::grants::insert_access_token(&mut tx, &token).await?;
        tx.commit().await?;
        Ok(Issued { access_token, expires_in: client.access_token_ttl_s, scope: asked.join(" "), id_token: None, refresh_token: None })
    }

    /// Makes the access token (stored by `jti`), the ID token when `openid` is granted,
    /// and a new refresh token when the client may refresh.
    #[expect(clippy::too_many_arguments, reason = "one call site per grant type; a struct would only rename them")]
    pub(crate) async fn mint(&self, tx: &mut Tx, keys: &Keys, client: &Client, grant: &GrantRow, granted: &[String], sid: Option<&str>, nonce: Option<&str>, now: UnixMillis) -> Result<Issued> {
        let (sub, sid) = self.subject_and_sid_tx(tx, client, &grant.customer_id, sid).await?;
        // RFC 8693 §4.1: a delegated grant's tokens name the delegate in `act`, as this
        // client sees them; they never outlive the grant (itself bounded by the delegation).
        let act = match grant.actor_id.as_deref() {
            Some(actor) => Some(json!({ "sub": self.subject_and_sid_tx(tx, client, actor, None).await?.0 })),
            None => None,
        };
        let jti = self.new_id();
        let mut exp = now + client.access_token_ttl_s * 1000;
        if grant.delegation_id.is_some() {
            exp = exp.min(grant.expires_at);
        }
        let amr = scopes(&grant.amr);
        let scope = granted.join(" ");
        let mut access = json!({
            "iss": self.issuer(), "sub": sub, "aud": access_token_audience(client), "client_id": client.id,
            "iat": now / 1000, "exp": exp / 1000, "jti": jti, "scope": scope,
            "auth_time": grant.auth_time / 1000, "acr": grant.acr, "amr": amr,
        });
        if let Some(act) = &act {
            access["act"] = act.clone();
        }
        let access_token = keys.sign_jwt(SigningAlg::Rs256, &access, "at+jwt")?;
        let token = NewAccessToken { jti: &jti, grant_id: Some(&grant.id), client_id: &client.id, customer_id: Some(&grant.customer_id), scope: &scope, created_at: now, expires_at: exp };
        store::grants::insert_access_token(tx, &token).await?;
        let id_token = if granted.iter().any(|s| s == "openid") {
            let alg = SigningAlg::parse(&client.id_token_alg).unwrap_or(SigningAlg::Rs256);
            let customer = crate::store::customers::by_id_tx(tx, &grant.customer_id).await?.ok_or(Error::NotFound("customer"))?;
            let mut claims = claims_for(&customer, granted);
            claims.extend(self.brand_claims(tx, &grant.customer_id, &client.brand_id, granted).await?);
            let fixed = json!({
                "iss": self.issuer(), "sub": sub, "aud": client.id, "iat": now / 1000,
                "exp": (now + client.id_token_ttl_s * 1000) / 1000, "auth_time": grant.auth_time / 1000,
                "acr": grant.acr, "amr": amr, "at_hash": at_hash(alg, &access_token),
            });
            if let Value::Object(fixed) = fixed {
                claims.extend(fixed);
            }
            if let Some(nonce) = nonce {
                claims.insert("nonce".into(), Value::String(nonce.to_owned()));
            }
            if let Some(sid) = sid {
                claims.insert("sid".into(), Value::String(sid));
            }
            if let Some(act) = &act {
                claims.insert("act".into(), act.clone());
            }
            Some(keys.sign_jwt(alg, &Value::Object(claims), "JWT")?)
        } else {
            None
        };
        let refresh_token = if grant.delegation_id.is_none() && client.grant_types.iter().any(|g| g == "refresh_token") {
            let token = format!("{REFRESH_PREFIX}{}", self.new_token());
            store::grants::insert_refresh_token(tx, &sha256_hex(token.as_bytes()), &grant.id, now).await?;
            Some(token)
        } else {
            None
        };
        let expires_in = ((exp - now) / 1000).max(0);
        Ok(Issued { access_token, expires_in, scope, id_token, refresh_token })
    }

    /// An access token we issued, still live: signature, `typ: at+jwt`, claims, the
    /// `jti` row not revoked, its grant not revoked, its client enabled.
    pub async fn live_access_token(&self, keys: &Keys, token: &str) -> Result<Option<LiveToken>> {
        let Ok(jwt) = keys.verify_jwt(token, "at+jwt", &[SigningAlg::Rs256]) else { return Ok(None) };
        let Some(jti) = jwt.claims.get("jti").and_then(Value::as_str) else { return Ok(None) };
        let row = store::grants::live_access_token(&self.store, jti, self.clock.now()).await?;
        let Some(row) = row else { return Ok(None) };
        let Some(client) = self.client_by_id(&row.client_id).await?.filter(|c| !c.is_disabled()) else { return Ok(None) };
        let rules = ClaimRules { issuer: self.issuer(), audience: &access_token_audience(&client), now: self.clock.now(), leeway_secs: LEEWAY_SECS, allow_expired: false };
        if jwt.check_claims(&rules).is_err() {
            return Ok(None);
        }
        Ok(Some(LiveToken {
            jti: row.jti,
            customer_id: row.customer_id,
            scope: row.scope,
            created_at: row.created_at,
            expires_at: row.expires_at,
            sub: jwt.claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned(),
            act: if row.actor_id.is_some() { jwt.claims.get("act").cloned() } else { None },
            actor_id: row.actor_id,
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
        let row = store::grants::live_grant_of_refresh_token(&self.store, &sha256_hex(token.as_bytes()), self.clock.now()).await?;
        Ok(row)
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
        let Some(customer_id) = live.customer_id.as_deref() else { return Ok(None) };
        let granted = scopes(&live.scope);
        if !granted.iter().any(|s| s == "openid") {
            return Ok(None);
        }
        let approved = self.approved_scopes(customer_id, &live.client.brand_id).await?;
        let released: Vec<String> = granted.into_iter().filter(|s| approved.contains(s)).collect();
        if !released.iter().any(|s| s == "openid") {
            return Err(Error::TokenInvalid);
        }
        let customer = self.store.customer_by_id(customer_id).await?.ok_or(Error::TokenInvalid)?;
        let mut claims = claims_for(&customer, &released);
        if super::claims::wants_brand_claims(&released) {
            let mut conn = self.store.pool().acquire().await?;
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
