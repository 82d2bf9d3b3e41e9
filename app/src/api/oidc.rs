//! The customer's side of the OpenID Connect provider: the consent page behind a
//! pending request's handle `r`, the brand that themes the sign-in pages, and
//! "Connected brands". Each function is an adapter over `identity::oidc`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A brand as themed pages show it: name, logo, and its own links (each optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandView {
    pub slug: String,
    pub name: String,
    /// A logo is served at `/brands/<slug>/logo`.
    pub has_logo: bool,
    pub website_url: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
}

/// One scope and what it shares, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeView {
    pub scope: String,
    pub words: String,
}

/// A purpose the consent page (or the privacy page) shows, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeView {
    pub id: String,
    pub key: String,
    pub title: String,
    pub description: String,
    pub version: i64,
    /// The version's own text, or a link to its document.
    pub body: Option<String>,
    pub document_url: Option<String>,
    /// The customer decided an older version, and this one changed what it means.
    pub changed: bool,
    /// `None`: the group's purpose; else the brand's slug.
    pub brand: Option<String>,
}

/// What the consent page shows for a pending request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    pub brand: BrandView,
    /// The brand's site (client) asking.
    pub client_name: String,
    /// Who is signed in.
    pub email: String,
    pub email_verified: bool,
    /// Scopes to approve now.
    pub new_scopes: Vec<ScopeView>,
    /// Scopes the brand already receives.
    pub approved_scopes: Vec<ScopeView>,
    /// Purposes the customer must decide before going back (Allow grants them).
    pub required_purposes: Vec<PurposeView>,
    /// The brand's optional purposes never decided, offered unticked.
    pub optional_purposes: Vec<PurposeView>,
    /// The chooser (a client that opted in to delegation, a customer holding a live
    /// `act_at_brand` delegation for its brand, no answer yet): whom they may sign in
    /// for. Empty: no chooser.
    pub acting: Vec<ActingChoiceView>,
}

/// One "on behalf of <name>" of the chooser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingChoiceView {
    pub delegation_id: String,
    pub name: String,
}

/// A brand the customer shares details with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedBrandView {
    pub slug: String,
    pub name: String,
    pub website_url: Option<String>,
    /// What it receives, in words.
    pub receives: Vec<String>,
    pub connected_since: crate::i18n::When,
    pub last_used: Option<crate::i18n::When>,
}

/// The message for a handle that is unknown, expired, finished or not this sign-in's.
#[cfg(feature = "ssr")]
pub(crate) fn too_long() -> AppError {
    AppError::Message(crate::i18n::t("shell-consent-too-long"))
}

/// Where the flow continues after the consent page: `/oauth2/continue?r=<handle>`.
pub fn continue_path(r: &str) -> String {
    format!("/oauth2/continue?r={}", crate::api::account::encode_path(r))
}

/// The handle `r` of a `return_to` such as `/oauth2/continue?r=<handle>`.
pub fn handle_in_return_to(return_to: &str) -> Option<String> {
    let query = return_to.strip_prefix("/oauth2/continue?")?;
    let value = query.split('&').find_map(|pair| pair.strip_prefix("r="))?;
    // Handles are base64url: anything else is not ours.
    (!value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| value.to_owned())
}

#[cfg(feature = "ssr")]
pub(crate) fn brand_view(b: identity::store::brands::BrandRow) -> BrandView {
    BrandView {
        has_logo: b.logo_type.is_some(),
        slug: b.slug,
        name: b.name,
        website_url: b.website_url,
        support_email: b.support_email,
        support_url: b.support_url,
        terms_url: b.terms_url,
        privacy_url: b.privacy_url,
    }
}

#[cfg(feature = "ssr")]
fn scope_views(scopes: &[String]) -> Vec<ScopeView> {
    scopes
        .iter()
        .map(|s| ScopeView { scope: s.clone(), words: scope_words(s) })
        .collect()
}

/// What a scope shares, in the page's language (`shell-scope-<scope>`; a scope without
/// a message falls back to the core's words).
#[cfg(feature = "ssr")]
fn scope_words(scope: &str) -> String {
    let id = format!("shell-scope-{}", scope.replace('_', "-"));
    let id = if identity::i18n::has(crate::i18n::locale(), &id) { id } else { "shell-scope-other".to_owned() };
    crate::i18n::t(&id)
}

/// Lets a brand flow's forms end at the brand: a plain post (Allow, Deny, or a sign-in
/// step whose next stop is `/oauth2/continue`) is redirected on to the client's
/// `redirect_uri`, and browsers hold every hop of a form's redirects to the page's CSP
/// `form-action` (`'self'` alone would stop the last one). Adds that one origin (http
/// or https only) to this page's policy; called while the consent page and the brand
/// flow's sign-in pages render (`consent_details`, `brand_for_return_to`).
#[cfg(feature = "ssr")]
pub(crate) fn let_forms_reach(redirect_uri: &str) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let Some(origin) = url::Url::parse(redirect_uri).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| u.origin().ascii_serialization()) else {
        return;
    };
    if origin.contains([';', ',', ' ', '\'']) {
        return;
    }
    let Ok(mut parts) = response.0.write() else { return };
    let Some(policy) = parts.headers.get(http::header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).map(str::to_owned) else { return };
    let widened = policy.replacen("form-action 'self'", &format!("form-action 'self' {origin}"), 1);
    if let Ok(value) = http::HeaderValue::from_str(&widened) {
        parts.headers.insert(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The consent page's facts, for the request bound to this customer and sign-in.
#[server(endpoint = "consent_details")]
pub async fn consent_details(r: String) -> Result<ConsentView, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let expired = || auth::respond(too_long());
    let Some(pending) = ctx.identity.pending_request(&r).await.map_err(auth::fail)? else { return Err(expired()) };
    if pending.denied
        || pending.customer_id.as_deref() != Some(current.customer_id.as_str())
        || pending.sid.as_deref() != Some(current.sid.as_str())
    {
        return Err(expired());
    }
    let_forms_reach(&pending.request.redirect_uri);
    let need = ctx.identity.consent_need(&crate::api::customer(&current), &pending, &current.customer_id).await.map_err(auth::fail)?;
    let Some(brand) = ctx.identity.brand(&pending.client.brand_slug).await.map_err(auth::fail)? else { return Err(expired()) };
    let Some(customer) = ctx.identity.account_summary(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)? else {
        return Err(auth::respond(AppError::SignInRequired));
    };
    let purposes = ctx.identity.purpose_need(&crate::api::customer(&current), &current.customer_id, &pending.client.brand_id).await.map_err(auth::fail)?;
    let locale = crate::i18n::locale();
    let acting = if pending.client.allow_delegation && pending.act_choice.is_none() {
        let options = ctx.identity.brand_acting_options(&crate::api::customer(&current), &current.customer_id, &pending.client.brand_id).await.map_err(auth::fail)?;
        options.into_iter().map(|o| ActingChoiceView { delegation_id: o.delegation_id, name: o.name }).collect()
    } else {
        Vec::new()
    };
    Ok(ConsentView {
        acting,
        brand: brand_view(brand),
        client_name: pending.client.name,
        email: customer.email,
        email_verified: customer.email_verified,
        new_scopes: scope_views(&need.new),
        approved_scopes: scope_views(&need.approved),
        required_purposes: purposes.required.iter().map(|p| purpose_view(p, locale)).collect(),
        optional_purposes: purposes.optional.iter().map(|p| purpose_view(p, locale)).collect(),
    })
}

/// A purpose in the reader's language.
#[cfg(feature = "ssr")]
pub fn purpose_view(p: &identity::consent::ledger::PurposeStatus, locale: identity::i18n::Locale) -> PurposeView {
    let text = p.purpose.text(locale);
    PurposeView {
        id: p.purpose.id.clone(),
        key: p.purpose.key.clone(),
        title: text.title,
        description: text.description,
        version: p.version,
        body: p.body.clone(),
        document_url: p.document_url.clone(),
        changed: p.state.as_ref().is_some_and(|s| s.decision.said_yes() && s.version < p.version),
        brand: p.purpose.brand.clone(),
    }
}

/// Allow or Deny; answers where to go next (the flow's continue URL).
/// `optional` holds the ticked optional purposes' ids (`optional[0]=…` in a form).
#[server(endpoint = "consent_decide")]
pub async fn consent_decide(r: String, allow: bool, #[server(default)] optional: Vec<String>) -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let meta = auth::request_meta();
    let answer = identity::oidc::flow::ConsentAnswer { allow, ticked: &optional, meta: &meta };
    match ctx.identity.decide_consent(&current.principal(), &r, &current.customer_id, &current.sid, &answer).await {
        Ok(()) => Ok(crate::api::continue_to(continue_path(&r))),
        Err(identity::Error::TokenInvalid) => Err(auth::respond(too_long())),
        Err(e) => Err(auth::fail(e)),
    }
}

/// The chooser's answer: sign in as oneself (`delegation` empty), or on behalf of the
/// principal of a live `act_at_brand` delegation; answers where to go next.
#[server(endpoint = "consent_act")]
pub async fn consent_act(r: String, #[server(default)] delegation: Option<String>) -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let delegation = delegation.filter(|d| !d.trim().is_empty());
    match ctx.identity.choose_acting(&crate::api::customer(&current), &r, &current.customer_id, &current.sid, delegation.as_deref()).await {
        Ok(()) => Ok(crate::api::continue_to(continue_path(&r))),
        Err(identity::Error::TokenInvalid) => Err(auth::respond(too_long())),
        Err(e) => Err(auth::fail(e)),
    }
}

/// "Use another account": signs out here (and at the brands this sign-in reached), then
/// sign-in comes back to the same request.
#[server(endpoint = "switch_account")]
pub async fn switch_account(r: String) -> Result<String, AppError> {
    use crate::api::account::encode_path;
    crate::auth::sign_out().await?;
    Ok(crate::api::continue_to(format!("/login?return_to={}", encode_path(&continue_path(&r)))))
}

/// The brand of the pending request a sign-in page returns to, if any (no session
/// needed: the handle itself is the secret).
#[server(endpoint = "brand_for_return_to")]
pub async fn brand_for_return_to(return_to: Option<String>) -> Result<Option<BrandView>, AppError> {
    use crate::auth;
    let Some(r) = return_to.as_deref().and_then(handle_in_return_to) else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    let Some(pending) = ctx.identity.pending_request(&r).await.map_err(auth::fail)? else { return Ok(None) };
    let_forms_reach(&pending.request.redirect_uri);
    let brand = ctx.identity.brand(&pending.client.brand_slug).await.map_err(auth::fail)?;
    Ok(brand.map(brand_view))
}

#[server(endpoint = "connected_brands")]
pub async fn connected_brands() -> Result<Vec<ConnectedBrandView>, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let brands = ctx.identity.connected_brands(&current.principal(), &current.customer_id).await.map_err(auth::fail)?;
    Ok(brands
        .into_iter()
        .map(|b| ConnectedBrandView {
            receives: b.scopes.iter().map(|s| crate::i18n::t(receives(s))).collect(),
            connected_since: crate::i18n::when(b.first_approved_at),
            last_used: b.last_used_at.map(crate::i18n::when),
            slug: b.slug,
            name: b.name,
            website_url: b.website_url,
        })
        .collect())
}

/// The words for what a scope shares, on Connected brands (`account.ftl`).
#[cfg(feature = "ssr")]
fn receives(scope: &str) -> &'static str {
    match scope {
        "openid" => "account-scope-openid",
        "profile" => "account-scope-profile",
        "email" => "account-scope-email",
        "phone" => "account-scope-phone",
        "address" => "account-scope-address",
        "offline_access" => "account-scope-offline-access",
        "consents" => "account-scope-consents",
        "attributes" => "account-scope-attributes",
        "preferences" => "account-scope-preferences",
        "household" => "account-scope-household",
        _ => "account-scope-other",
    }
}

/// "Disconnect": the brand loses its approvals, grants and tokens, and its sites are
/// signed out. The Foyer session stays.
#[server(endpoint = "disconnect_brand")]
pub async fn disconnect_brand(slug: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.disconnect_brand(&current.principal(), &current.customer_id, &slug).await.map_err(auth::fail)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_handle_in_a_continue_path() {
        assert_eq!(handle_in_return_to("/oauth2/continue?r=abc_DEF-123").as_deref(), Some("abc_DEF-123"));
        assert_eq!(handle_in_return_to("/oauth2/continue?x=1&r=abc").as_deref(), Some("abc"));
        for other in ["/account", "/oauth2/continue?r=", "/oauth2/continue?r=a%2Fb", "//evil/oauth2/continue?r=abc", "/oauth2/continue"] {
            assert_eq!(handle_in_return_to(other), None, "{other}");
        }
    }

    #[test]
    fn continue_path_keeps_the_handle() {
        assert_eq!(continue_path("abc_DEF-123"), "/oauth2/continue?r=abc_DEF-123");
    }
}

#[cfg(all(test, feature = "ssr"))]
mod connected_brand_words {
    use super::receives;

    /// What each scope shares has words in every locale (the ids are picked at run time).
    #[test]
    fn every_scope_has_words_in_every_locale() {
        for scope in ["openid", "profile", "email", "phone", "address", "offline_access", "consents", "attributes", "preferences", "household", "custom:thing"] {
            for locale in identity::i18n::Locale::ALL {
                assert!(identity::i18n::has(locale, receives(scope)), "{scope} in {}", locale.tag());
            }
        }
    }
}
