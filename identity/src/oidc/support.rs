//! A support agent's sign-in at a brand for the customer (`docs/design/admin.md`
//! "Signing in at brands for the customer"): while the customer's approved support
//! access includes `sign_in_at_brands`, a brand's authorization request opened in the
//! agent's support session is answered from what the customer already decided — never
//! an answer the customer has not given — with a code whose tokens carry the agent in
//! `act` and die with the access.

use serde_json::json;

use super::flow::{Acting, Authentication, Pending};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::session::SUPPORT_ACR;
use crate::store::support_access;
use crate::{Error, Identity, Result};

/// How a support agent's authorization request ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupportSignIn {
    /// A code for the client.
    Code(String),
    /// The request was finished meanwhile.
    Finished,
    /// The access does not include brand sign-ins (or has ended): `access_denied`.
    NotAllowed,
    /// The request asks for a fresh authentication of the customer: `login_required`.
    LoginRequired,
    /// The request needs a decision only the customer makes (a scope, a purpose, an
    /// attribute, a confirmed address, `prompt=consent`): `consent_required`.
    ConsentRequired,
}

impl SupportSignIn {
    /// The description the brand gets with the error.
    pub fn description(&self) -> &'static str {
        match self {
            Self::NotAllowed => "The customer has not let support sign in at this brand for them.",
            Self::LoginRequired => "Support cannot authenticate as the customer.",
            Self::ConsentRequired => "Support cannot decide for the customer: only what the customer approved themself is issued.",
            Self::Code(_) | Self::Finished => "",
        }
    }
}

impl Identity {
    /// Answers the request behind `handle` for the support session `auth` (the agent's
    /// session in the customer's portal, `principal` the live [`Principal::Support`]).
    /// Issues a code only when the access includes `sign_in_at_brands`, and the customer
    /// confirmed their address and approved every requested scope (but `offline_access`,
    /// never issued here) for the brand, decided every required purpose and gave every
    /// attribute asked at sign-in; with no `prompt` but `none`, no `max_age` shorter than
    /// the support session's age and an `id_token_hint` (if any) naming the customer.
    pub async fn support_sign_in(&self, principal: &Principal, handle: &str, pending: &Pending, auth: &Authentication) -> Result<SupportSignIn> {
        let Principal::Support { staff, customer, access, .. } = principal else { return Err(Error::Forbidden) };
        if *customer != auth.customer_id || authorize(principal, Action::ActAtBrand, Subject::Brand(&pending.client.brand_id)).is_err() {
            return Ok(SupportSignIn::NotAllowed);
        }
        let request = &pending.request;
        let now = self.clock.now();
        if request.has_prompt("login") || request.max_age.is_some_and(|age| now - auth.auth_time > age.saturating_mul(1000)) {
            return Ok(SupportSignIn::LoginRequired);
        }
        if let Some(expected) = &request.hint_subject
            && self.subject_for(&pending.client, customer).await? != *expected
        {
            return Ok(SupportSignIn::LoginRequired);
        }
        if request.has_prompt("consent") || request.has_prompt("select_account") {
            return Ok(SupportSignIn::ConsentRequired);
        }
        // The customer's own decisions, read as the customer (the support principal was
        // allowed the brand sign-in above; nothing is written for them here).
        let as_customer = Principal::customer(customer, SUPPORT_ACR);
        if self.verified_for_flow(&as_customer, customer).await? != Some(true) {
            return Ok(SupportSignIn::ConsentRequired);
        }
        let approved = self.approved_scopes(customer, &pending.client.brand_id).await?;
        let scopes: Vec<String> = request.scopes.iter().filter(|s| *s != "offline_access").cloned().collect();
        if !scopes.iter().any(|s| s == "openid") || scopes.iter().any(|s| !approved.contains(s)) {
            return Ok(SupportSignIn::ConsentRequired);
        }
        if !self.purpose_need(&as_customer, customer, &pending.client.brand_id).await?.is_empty() {
            return Ok(SupportSignIn::ConsentRequired);
        }
        if !self.profile_need(&as_customer, handle, pending, customer).await?.is_empty() {
            return Ok(SupportSignIn::ConsentRequired);
        }
        let signed = Authentication { acr: SUPPORT_ACR.into(), amr: vec!["support".into()], ..auth.clone() };
        let mut tx = self.store.begin().await?;
        // The access again, inside the write: ended or expired since the principal was read.
        match support_access::by_id_tx(&mut tx, access).await? {
            Some(row) if row.status == "approved" && row.expires_at > now && row.staff_id == *staff && row.customer_id == *customer => {}
            _ => return Ok(SupportSignIn::NotAllowed),
        }
        let acting = Some(Acting::Support { staff, access });
        let Some(code) = self.write_code_tx(&mut tx, handle, pending, &signed, customer, acting, &scopes, now).await? else {
            return Ok(SupportSignIn::Finished);
        };
        let detail = json!({ "brand": pending.client.brand_slug, "client_id": pending.client.id, "scope": scopes.join(" ") });
        self.audit_customer(&mut tx, principal.actor(), customer, "oauth.signed_in_by_support", detail, now).await?;
        tx.commit().await?;
        Ok(SupportSignIn::Code(code))
    }
}
