//! The token-exchange grant (RFC 8693 §2, `urn:ietf:params:oauth:grant-type:token-exchange`)
//! for delegation: a confidential client that opted in (`--allow-delegation`) trades a
//! token Foyer issued to it for the principal (`subject_token`: an access or ID token)
//! and the delegate's access token (`actor_token`) for an access token whose `sub` is the
//! principal and whose `act` names the delegate (RFC 8693 §4.1). Refused unless a live
//! delegation with `act_at_brand` for the client's brand goes from the principal to the
//! delegate. There is no path to a token without `act`: an actor token is required, and
//! a subject token that already carries `act` must name the same actor
//! (`docs/design/household.md` "Tokens").
//!
//! The result is one grant of the one lifecycle (`oidc::grants`): `actor_id` and
//! `delegation_id` set, no `sid`, no refresh token, its lifetime bounded by the
//! delegation; revoking the delegation ends it.

use serde_json::Value;

use super::clients::Client;
use super::grants::GrantRow;
use super::mint::MintFor;
use super::tokens::{Issued, LEEWAY_SECS, TokenError};
use crate::jose::{ClaimRules, Keys, SigningAlg};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::delegations as rows;
use crate::{Identity, Result};

/// The grant type's name.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Token type identifiers (RFC 8693 §3).
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";

/// The request's parameters, as the token endpoint read them.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExchangeRequest<'a> {
    pub subject_token: Option<&'a str>,
    pub subject_token_type: Option<&'a str>,
    pub actor_token: Option<&'a str>,
    pub actor_token_type: Option<&'a str>,
    /// Narrows the scope (a subset of what the subject token carries).
    pub scope: Option<&'a str>,
    /// Only `access_token` is issued.
    pub requested_token_type: Option<&'a str>,
}

/// What the subject token says: whose it is, what it carries, and its `act` if any.
struct SubjectToken {
    customer_id: String,
    scope: Vec<String>,
    act: Option<Value>,
}

fn words(text: &str) -> Vec<String> {
    text.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// RFC 8693 §2.2.2: a bad, unacceptable or unauthorised token is `invalid_request`.
fn refused(why: &'static str) -> TokenError {
    TokenError::InvalidRequest(why)
}

impl Identity {
    /// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`.
    pub async fn exchange_token(&self, principal: &Principal, keys: &Keys, client: &Client, req: &ExchangeRequest<'_>) -> Result<Issued, TokenError> {
        authorize(principal, Action::UseTokens, Subject::Client(&client.id))?;
        if client.is_public() || !client.allow_delegation {
            return Err(TokenError::UnauthorizedClient("This client may not exchange tokens (it did not opt in to delegation)."));
        }
        if req.requested_token_type.is_some_and(|t| t != ACCESS_TOKEN_TYPE) {
            return Err(refused("Only access tokens are issued (requested_token_type)."));
        }
        let subject_token = req.subject_token.ok_or(refused("subject_token is required."))?;
        let actor_token = req.actor_token.ok_or(refused("actor_token is required: a token is only exchanged for a delegate."))?;
        if req.actor_token_type != Some(ACCESS_TOKEN_TYPE) {
            return Err(refused("actor_token_type must be urn:ietf:params:oauth:token-type:access_token."));
        }
        // The delegate: a live access token Foyer issued to a client of this brand for
        // the delegate themself (not itself a delegated token).
        let actor = self.live_access_token(keys, actor_token).await?.ok_or(refused("The actor_token is invalid, expired or revoked."))?;
        let actor_id = match (&actor.customer_id, &actor.actor_id) {
            (Some(id), None) if actor.client.brand_id == client.brand_id => id.clone(),
            _ => return Err(refused("The actor_token is not a delegate's own token at this brand.")),
        };
        let subject = match req.subject_token_type {
            Some(ACCESS_TOKEN_TYPE) => self.subject_from_access_token(keys, client, subject_token).await?,
            Some(ID_TOKEN_TYPE) => self.subject_from_id_token(keys, client, subject_token, &actor_id).await?,
            _ => return Err(refused("subject_token_type must name an access token or an ID token.")),
        };
        let act = serde_json::json!({ "sub": self.subject_for(client, &actor_id).await? });
        if subject.act.as_ref().is_some_and(|a| a.get("sub") != act.get("sub")) {
            return Err(refused("The subject_token names another actor: its act cannot be changed."));
        }
        if subject.customer_id == actor_id {
            return Err(refused("The subject and the actor are the same customer."));
        }
        let mut granted = subject.scope;
        granted.retain(|s| s != "offline_access");
        if let Some(asked) = req.scope {
            let asked = words(asked);
            if asked.iter().any(|s| !granted.contains(s)) {
                return Err(TokenError::InvalidScope("The scope asked for exceeds the subject token's."));
            }
            granted = asked;
        }
        let now = self.clock.now();
        let no_delegation = || refused("No live delegation lets this actor act for this subject at this brand.");
        let delegation = {
            let mut conn = self.store.conn().await?;
            self.brand_delegation_between(&mut conn, &subject.customer_id, &actor_id, &client.brand_id).await?.ok_or_else(no_delegation)?
        };
        let grant = GrantRow {
            id: self.new_id(),
            client_id: client.id.clone(),
            customer_id: subject.customer_id.clone(),
            sid: None,
            scope: granted.join(" "),
            nonce: None,
            auth_time: actor.auth_time.map_or(now, |t| t * 1000),
            acr: actor.acr.clone().unwrap_or_else(|| "foyer:pwd".into()),
            amr: String::new(),
            created_at: now,
            expires_at: (now + client.refresh_token_ttl_s * 1000).min(delegation.expires_at),
            revoked_at: None,
            actor_id: Some(actor_id.clone()),
            delegation_id: Some(delegation.id.clone()),
            support_access_id: None,
        };
        // Signed before the write (`mint`); the delegation is checked again inside it.
        let minted = self.mint(keys, MintFor { client, grant: &grant, granted: &granted, sid: None, nonce: None, customer: None, now }).await?;
        let mut tx = self.store.begin().await?;
        if self.brand_delegation_between(&mut tx, &subject.customer_id, &actor_id, &client.brand_id).await?.is_none_or(|d| d.id != delegation.id) {
            return Err(no_delegation());
        }
        self.issue_grant_tx(&mut tx, &grant).await?;
        let issued = self.record(&mut tx, client, &grant, minted, now).await?;
        let detail = serde_json::json!({ "client_id": client.id, "brand": client.brand_slug, "scope": grant.scope });
        let delegate = Principal::Delegate { actor: actor_id, subject: subject.customer_id.clone(), grant: delegation.id, permissions: Vec::new() };
        self.audit_customer(&mut tx, delegate.actor(), &subject.customer_id, "oauth.token_exchanged", detail, now).await?;
        tx.commit().await?;
        Ok(Issued { id_token: None, ..issued })
    }

    /// A live access token issued to this very client for a customer.
    async fn subject_from_access_token(&self, keys: &Keys, client: &Client, token: &str) -> Result<SubjectToken, TokenError> {
        let live = self.live_access_token(keys, token).await?.ok_or(refused("The subject_token is invalid, expired or revoked."))?;
        let customer_id = live.customer_id.filter(|_| live.client.id == client.id).ok_or(refused("The subject_token was not issued to this client for a customer."))?;
        Ok(SubjectToken { customer_id, scope: words(&live.scope), act: live.act })
    }

    /// An unexpired ID token issued to this client. Its `sub` is found among the
    /// principals whose live delegation to the actor covers the brand (pairwise subjects
    /// cannot be read back, and no one else could be the principal anyway).
    async fn subject_from_id_token(&self, keys: &Keys, client: &Client, token: &str, actor_id: &str) -> Result<SubjectToken, TokenError> {
        let jwt = keys.verify_jwt(token, "JWT", &SigningAlg::ALL).map_err(|_| refused("The subject_token is not an ID token from this provider."))?;
        let rules = ClaimRules { issuer: &self.settings.public_url, audience: &client.id, now: self.clock.now(), leeway_secs: LEEWAY_SECS, allow_expired: false };
        jwt.check_claims(&rules).map_err(|_| refused("The subject_token was not issued to this client, or has expired."))?;
        let sub = jwt.claims.get("sub").and_then(Value::as_str).ok_or(refused("The subject_token has no sub."))?.to_owned();
        let candidates = {
            let mut conn = self.store.pool().acquire().await.map_err(crate::Error::from)?;
            rows::live_at_brand(&mut conn, actor_id, &client.brand_id, self.clock.now()).await?
        };
        for d in candidates {
            if self.subject_for(client, &d.principal_id).await? == sub {
                let approved = self.approved_scopes(&d.principal_id, &client.brand_id).await?;
                let scope = approved.into_iter().filter(|s| client.allowed_scopes.contains(s)).collect();
                return Ok(SubjectToken { customer_id: d.principal_id, scope, act: jwt.claims.get("act").cloned() });
            }
        }
        Err(refused("No live delegation lets this actor act for this subject at this brand."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_invalid_request_as_rfc_8693_says() {
        assert_eq!(refused("x").code_and_description().0, "invalid_request");
        assert_eq!(words(" openid  email "), ["openid", "email"]);
    }
}
