//! The browser side of the code flow after the request is checked: the pending request
//! behind the handle `r`, per-brand consent, and the authorization code
//! (`docs/design/oidc.md` "Authorize", steps 1–4).

use serde::{Deserialize, Serialize};

use super::authorize::AuthRequest;
use super::clients::Client;
use crate::consent::Collection;
use crate::consent::ledger::Evidence;
use crate::store::codes::{self, NewCode};
use crate::store::{consents, oidc_sessions};
use crate::principal::{Action, Principal, Subject, authorize};
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
    /// The chooser's answer (clients with `allow_delegation`): `self`, or the id of the
    /// delegation the signed-in delegate acts under. `None`: not asked or not answered.
    pub act_choice: Option<String>,
}

/// Who signs in for the code's customer, when it is someone else.
#[derive(Debug, Clone, Copy)]
pub(super) enum Acting<'a> {
    /// A household delegate (a customer id) under a delegation.
    Delegate { delegate: &'a str, delegation: &'a str },
    /// A support agent (a staff id) under the customer's approved support access.
    Support { staff: &'a str, access: &'a str },
}

/// The chooser's answer meaning "as myself".
pub const ACT_AS_SELF: &str = "self";

/// What the consent page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentNeed {
    /// Scopes that need approval now (all of them for `prompt=consent`).
    pub new: Vec<String>,
    /// Requested scopes already approved for the brand.
    pub approved: Vec<String>,
}

/// The customer's answer on the consent page.
#[derive(Debug, Clone)]
pub struct ConsentAnswer<'a> {
    pub allow: bool,
    /// Optional purposes ticked (ids; anything not offered is ignored).
    pub ticked: &'a [String],
    /// The request, for the records' evidence.
    pub meta: &'a crate::accounts::RequestMeta,
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
        codes::insert_request(&mut tx, &sha256_hex(handle.as_bytes()), &request.client_id, &serde_json::to_string(request)?, now, now + REQUEST_TTL_MS).await?;
        tx.commit().await?;
        Ok(handle)
    }

    /// The live, unfinished request behind `handle`, with its (enabled) client.
    pub async fn pending_request(&self, handle: &str) -> Result<Option<Pending>> {
        let now = self.clock.now();
        let row = codes::live_request(&self.store, &sha256_hex(handle.as_bytes()), now).await?;
        let Some(row) = row else { return Ok(None) };
        let request: AuthRequest = serde_json::from_str(&row.params)?;
        let Some(client) = self.client_by_id(&request.client_id).await?.filter(|c| !c.is_disabled()) else { return Ok(None) };
        Ok(Some(Pending { request, client, customer_id: row.customer_id, sid: row.sid, created_at: row.created_at, denied: row.denied_at.is_some(), consented: row.consented_at.is_some(), act_choice: row.act_choice }))
    }

    /// Ties the request to the customer and sign-in the consent page is shown to.
    pub async fn bind_request(&self, principal: &Principal, handle: &str, customer_id: &str, sid: &str) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let mut tx = self.store.begin().await?;
        codes::bind_request(&mut tx, &sha256_hex(handle.as_bytes()), customer_id, sid).await?;
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
        Ok(self.store.customer_by_id(customer_id).await?.map(|c| c.email_verified))
    }

    pub(crate) async fn approved_scopes(&self, customer_id: &str, brand_id: &str) -> Result<Vec<String>> {
        consents::approved_scopes(&mut *self.store.conn().await?, customer_id, brand_id).await
    }

    /// The customer's answer on the consent page. Accepted only for a live request bound
    /// to this customer and sign-in. Allow remembers every requested scope for the brand
    /// and grants the brand's required purposes (and the group's) that needed a decision,
    /// plus the optional ones in `ticked`; Deny refuses them (the flow then answers
    /// `access_denied`). Each answer is a signed ledger record, written with the rest in
    /// one transaction (`consent::ledger`).
    pub async fn decide_consent(&self, principal: &Principal, handle: &str, customer_id: &str, sid: &str, answer: &ConsentAnswer<'_>) -> Result<()> {
        authorize(principal, Action::ManageBrandAccess, Subject::Customer(customer_id))?;
        let pending = self.pending_request(handle).await?.ok_or(Error::TokenInvalid)?;
        if pending.customer_id.as_deref() != Some(customer_id) || pending.sid.as_deref() != Some(sid) || pending.denied {
            return Err(Error::TokenInvalid);
        }
        let allow = answer.allow;
        let brand_id = &pending.client.brand_id;
        let evidence = Evidence::from_meta(Collection::BrandSignIn, answer.meta);
        let scopes = pending.request.scopes.join(" ");
        let mut records = Vec::new();
        if !self.consent_need(principal, &pending, customer_id).await?.is_empty() {
            records.push(self.prepare_scope_answer(principal, customer_id, brand_id, &scopes, allow, &evidence).await?);
        }
        records.extend(self.prepare_purpose_answer(principal, customer_id, brand_id, allow, answer.ticked, &evidence).await?);
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let actor = principal.actor();
        if allow {
            for scope in &pending.request.scopes {
                consents::approve(&mut tx, customer_id, brand_id, scope, now).await?;
            }
        }
        codes::set_consent_answer(&mut tx, &sha256_hex(handle.as_bytes()), allow, now).await?;
        self.write_records(&mut tx, &records).await?;
        let detail = serde_json::json!({ "brand": pending.client.brand_slug, "client_id": pending.client.id, "scope": scopes });
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
        let mut tx = self.store.begin().await?;
        let Some(code) = self.write_code_tx(&mut tx, handle, pending, auth, &auth.customer_id, None, scopes, now).await? else { return Ok(None) };
        tx.commit().await?;
        Ok(Some(code))
    }

    /// Completes the request and stores its code for `customer_id` (the principal, for
    /// a delegated sign-in, with the delegate and the delegation as `acting`; for a
    /// support agent's, the agent and the access), and remembers that this sign-in
    /// reached the client. `None` if the request was finished meanwhile.
    #[expect(clippy::too_many_arguments, reason = "one code's parts, shared by the three issuers")]
    pub(super) async fn write_code_tx(
        &self,
        tx: &mut crate::store::Tx,
        handle: &str,
        pending: &Pending,
        auth: &Authentication,
        customer_id: &str,
        acting: Option<Acting<'_>>,
        scopes: &[String],
        now: crate::UnixMillis,
    ) -> Result<Option<String>> {
        if !codes::complete_request(tx, &sha256_hex(handle.as_bytes()), now).await? {
            return Ok(None);
        }
        let code = self.new_token();
        let r = &pending.request;
        let scope = scopes.join(" ");
        let amr = auth.amr.join(" ");
        let new = NewCode {
            code_hash: &sha256_hex(code.as_bytes()),
            client_id: &r.client_id,
            customer_id,
            sid: &auth.sid,
            redirect_uri: &r.redirect_uri,
            scope: &scope,
            nonce: r.nonce.as_deref(),
            code_challenge: r.code_challenge.as_deref(),
            auth_time: auth.auth_time,
            acr: &auth.acr,
            amr: &amr,
            created_at: now,
            expires_at: now + CODE_TTL_MS,
            actor_id: acting.map(|a| match a {
                Acting::Delegate { delegate, .. } => delegate,
                Acting::Support { staff, .. } => staff,
            }),
            delegation_id: match acting {
                Some(Acting::Delegate { delegation, .. }) => Some(delegation),
                _ => None,
            },
            support_access_id: match acting {
                Some(Acting::Support { access, .. }) => Some(access),
                _ => None,
            },
        };
        codes::insert_code(tx, &new).await?;
        oidc_sessions::record_reach(tx, &auth.sid, &r.client_id, customer_id, now).await?;
        Ok(Some(code))
    }

    /// The chooser's answer for a request bound to this customer and sign-in: `None` as
    /// themself, or the id of a live `act_at_brand` delegation they hold for the
    /// client's brand (`Forbidden` otherwise). Only for clients with `allow_delegation`.
    pub async fn choose_acting(&self, principal: &Principal, handle: &str, customer_id: &str, sid: &str, delegation_id: Option<&str>) -> Result<()> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        let pending = self.pending_request(handle).await?.ok_or(Error::TokenInvalid)?;
        if pending.customer_id.as_deref() != Some(customer_id) || pending.sid.as_deref() != Some(sid) || pending.denied {
            return Err(Error::TokenInvalid);
        }
        if !pending.client.allow_delegation {
            return Err(Error::Forbidden);
        }
        let choice = match delegation_id {
            None => ACT_AS_SELF.to_owned(),
            Some(id) => {
                let mut conn = self.store.pool().acquire().await?;
                self.brand_delegate(&mut conn, id, customer_id, &pending.client.brand_id).await?.ok_or(Error::Forbidden)?;
                id.to_owned()
            }
        };
        let mut tx = self.store.begin().await?;
        if !codes::set_act_choice(&mut tx, &sha256_hex(handle.as_bytes()), customer_id, &choice).await? {
            return Err(Error::TokenInvalid);
        }
        tx.commit().await
    }

    /// Finishes a request the signed-in delegate answered "on behalf of" in the chooser:
    /// a code whose customer is the principal, with the delegate as `actor_id` and the
    /// delegation, for the requested scopes the principal approved for the brand
    /// (`offline_access` never: a delegated grant has no refresh token). `Forbidden`
    /// when the delegation is no longer live or the principal never approved `openid`
    /// at this brand (the delegate cannot approve for them). `None` if the request was
    /// finished meanwhile.
    pub async fn issue_delegated_code(&self, principal: &Principal, handle: &str, pending: &Pending, auth: &Authentication, delegation_id: &str) -> Result<Option<String>> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(&auth.customer_id))?;
        if !pending.client.allow_delegation {
            return Err(Error::Forbidden);
        }
        let brand_id = &pending.client.brand_id;
        let (delegation, delegate) = {
            let mut conn = self.store.pool().acquire().await?;
            self.brand_delegate(&mut conn, delegation_id, &auth.customer_id, brand_id).await?.ok_or(Error::Forbidden)?
        };
        let approved = self.approved_scopes(&delegation.principal_id, brand_id).await?;
        let scopes: Vec<String> = pending.request.scopes.iter().filter(|s| *s != "offline_access" && approved.contains(s)).cloned().collect();
        if !scopes.iter().any(|s| s == "openid") {
            return Err(Error::Forbidden);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let acting = Some(Acting::Delegate { delegate: auth.customer_id.as_str(), delegation: delegation.id.as_str() });
        let Some(code) = self.write_code_tx(&mut tx, handle, pending, auth, &delegation.principal_id, acting, &scopes, now).await? else { return Ok(None) };
        let scope = scopes.join(" ");
        let detail = serde_json::json!({ "brand": pending.client.brand_slug, "client_id": pending.client.id, "scope": scope });
        self.audit_customer(&mut tx, delegate.actor(), &delegation.principal_id, "oauth.signed_in_on_behalf", detail, now).await?;
        tx.commit().await?;
        Ok(Some(code))
    }

    /// Marks a request finished without a code (an error went back to the client).
    pub async fn finish_request(&self, principal: &Principal, handle: &str) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let mut tx = self.store.begin().await?;
        codes::complete_request(&mut tx, &sha256_hex(handle.as_bytes()), self.clock.now()).await?;
        tx.commit().await?;
        Ok(())
    }
}
