//! Brand administration's server functions at `/admin/api/brand-…` (`docs/design/admin.md`
//! "Brand administration"); the pages are [`crate::admin::brand_page`]. Adapters: the
//! staff principal from the `staff` row on every call, the core decides (a brand
//! administrator: their brands; an operator: every brand; anyone else: 403; another
//! brand or its client: 404).
//!
//! A client secret is shown once. The wasm gets it in the function's answer (a JSON
//! body, never a URL); a plain post lands back on the brand page, so the secret waits
//! in the staff session, sealed with the master key for this staff member, until that
//! page's next render takes it out ([`admin_take_client_secret`]).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A brand in the list of those one administers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandLine {
    pub slug: String,
    pub name: String,
}

/// One client as the brand page lists it (no secret, no hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientLine {
    pub id: String,
    pub name: String,
    /// `confidential` or `public`.
    pub kind: String,
    pub auth_method: String,
    pub grant_types: String,
    pub redirect_uris: Vec<String>,
    pub disabled: bool,
    /// Whether it has a secret to rotate.
    pub uses_secret: bool,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: String,
    /// Space-separated.
    pub scopes: String,
    pub subject_type: String,
    pub id_token_alg: String,
    /// Lifetimes as the form takes them (`10m`, `30d`).
    pub access_token_ttl: String,
    pub id_token_ttl: String,
    pub refresh_token_ttl: String,
    /// The client's own token-endpoint rate and burst; blank: the server's setting.
    pub token_rate: String,
    pub token_burst: String,
    pub allow_delegation: bool,
}

/// The brand page: details, saved theme colours (`name`, `#rrggbb`), clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandAdminView {
    pub slug: String,
    pub name: String,
    pub website_url: String,
    pub support_email: String,
    pub support_url: String,
    pub terms_url: String,
    pub privacy_url: String,
    pub colors: Vec<(String, String)>,
    /// Where the saved logo is served (changing with each save, so the preview never
    /// shows a cached older one), if there is one.
    pub logo: Option<String>,
    pub clients: Vec<ClientLine>,
}

/// A secret just issued, shown once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub client_id: String,
    pub secret: String,
}

impl std::fmt::Debug for NewSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSecret").field("client_id", &self.client_id).field("secret", &"[redacted]").finish()
    }
}

/// How long a rotated-out secret keeps working, as the form offers it.
pub const KEEP_OLD: [(&str, &str); 4] = [("0", "Stops now"), ("1h", "1 hour"), ("24h", "24 hours"), ("7d", "7 days")];

/// The session key holding a secret a plain post issued, until the brand page shows it.
#[cfg(feature = "ssr")]
const NEW_SECRET: &str = "foyer.admin.new_client_secret";

#[cfg(feature = "ssr")]
fn sealed_for(staff_id: &str) -> String {
    format!("staff:{staff_id}")
}

/// Keeps a new secret for the page a plain post lands on (the wasm has it already).
#[cfg(feature = "ssr")]
async fn keep_for_page(new: &NewSecret) -> Result<(), AppError> {
    if !crate::api::plain_form_post() {
        return Ok(());
    }
    let Some(current) = crate::admin::session::current().await? else { return Err(AppError::SignInRequired) };
    let ctx = crate::context::server_context()?;
    let json = serde_json::to_vec(new).map_err(|_| AppError::Internal)?;
    let sealed = ctx.identity.seal_for_session(&sealed_for(&current.staff_id), &json).map_err(crate::auth::fail)?;
    let session = leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| AppError::Internal)?;
    session.insert(NEW_SECRET, sealed).await.map_err(|_| AppError::Internal)
}

/// The brands the signed-in staff member administers.
#[server(prefix = "/admin/api", endpoint = "brands")]
pub async fn admin_brands() -> Result<Vec<BrandLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brands = ctx.identity.administered_brands(&principal).await.map_err(crate::auth::fail)?;
    Ok(brands.into_iter().map(|b| BrandLine { slug: b.slug, name: b.name }).collect())
}

/// One brand's page: details, theme, clients.
#[server(prefix = "/admin/api", endpoint = "brand")]
pub async fn admin_brand(slug: String) -> Result<BrandAdminView, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let b = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let clients = ctx.identity.clients_of_brand(&principal, &b.slug).await.map_err(crate::auth::fail)?;
    let theme = identity::brand::BrandTheme::from_json(b.theme.as_deref());
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    Ok(BrandAdminView {
        colors: theme.colors().map(|(n, c)| (n.to_owned(), c.as_hex())).collect(),
        logo: b.logo_type.is_some().then(|| format!("/brands/{}/logo?v={}", crate::api::account::encode_path(&b.slug), b.updated_at)),
        clients: clients
            .into_iter()
            .map(|c| ClientLine {
                uses_secret: identity::oidc::clients::AuthMethod::parse(&c.auth_method).is_some_and(|m| m.uses_secret()),
                disabled: c.is_disabled(),
                token_rate: number(c.token_rate.per_second),
                token_burst: number(c.token_rate.burst),
                access_token_ttl: lifetime(c.access_token_ttl_s),
                id_token_ttl: lifetime(c.id_token_ttl_s),
                refresh_token_ttl: lifetime(c.refresh_token_ttl_s),
                id: c.id,
                name: c.name,
                kind: c.kind,
                auth_method: c.auth_method,
                grant_types: c.grant_types.join(" "),
                redirect_uris: c.redirect_uris,
                post_logout_redirect_uris: c.post_logout_redirect_uris,
                backchannel_logout_uri: c.backchannel_logout_uri.unwrap_or_default(),
                scopes: c.allowed_scopes.join(" "),
                subject_type: c.subject_type,
                id_token_alg: c.id_token_alg,
                allow_delegation: c.allow_delegation,
            })
            .collect(),
        slug: b.slug,
        name: b.name,
        website_url: b.website_url.unwrap_or_default(),
        support_email: b.support_email.unwrap_or_default(),
        support_url: b.support_url.unwrap_or_default(),
        terms_url: b.terms_url.unwrap_or_default(),
        privacy_url: b.privacy_url.unwrap_or_default(),
    })
}

/// Saves the brand's name and public links (blank removes a link).
#[server(prefix = "/admin/api", endpoint = "brand-details")]
pub async fn admin_brand_details(
    slug: String,
    name: String,
    website_url: String,
    support_email: String,
    support_url: String,
    terms_url: String,
    privacy_url: String,
) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let some = |s: String| Some(s);
    let details = identity::brand::BrandDetails {
        website_url: some(website_url),
        support_email: some(support_email),
        support_url: some(support_url),
        terms_url: some(terms_url),
        privacy_url: some(privacy_url),
        dev: ctx.dev_mode,
    };
    ctx.identity.update_brand_details(&principal, &slug, &name, &details).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// Saves theme colours (`#rrggbb`; a blank field keeps the saved colour); the core
/// refuses a pair below 4.5:1 contrast, naming it.
#[server(prefix = "/admin/api", endpoint = "brand-theme")]
pub async fn admin_brand_theme(slug: String, primary: String, on_primary: String, surface: String, text: String, accent: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let changes: Vec<String> = [("primary", primary), ("on-primary", on_primary), ("surface", surface), ("text", text), ("accent", accent)]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(n, v)| format!("{n}={}", v.trim()))
        .collect();
    let slug = identity::brand::BrandSlug::parse(&slug).map_err(|_| crate::auth::fail(identity::Error::NotFound("Brand")))?;
    // The brand first, so another brand is "not found" before anything is checked.
    ctx.identity.administered_brand(&principal, slug.as_str()).await.map_err(crate::auth::fail)?;
    if changes.is_empty() {
        let message = "Type at least one colour as #rrggbb.".to_owned();
        return Err(crate::auth::respond(AppError::Fields(vec![crate::error::FieldMessage { field: "Color".into(), message }])));
    }
    ctx.identity.set_brand_theme(&principal, &slug, &changes, None).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// Registers a client of the brand: a name, redirect URIs (one a line), confidential
/// (a secret, shown once) or public (PKCE, no secret), and every other option of
/// `foyer client create` (blank: the core's default), checked by the core's
/// `ClientSpec::validate` exactly as the command line's are, each bad field named.
#[server(prefix = "/admin/api", endpoint = "brand-client-create")]
pub async fn admin_client_create(
    slug: String,
    name: String,
    redirect_uris: String,
    kind: String,
    auth_method: Option<String>,
    jwks: Option<String>,
    post_logout_uris: Option<String>,
    backchannel_logout_uri: Option<String>,
    scopes: Option<String>,
    extra_grant: Option<String>,
    subject: Option<String>,
    id_token_alg: Option<String>,
    access_lifetime: Option<String>,
    id_lifetime: Option<String>,
    refresh_lifetime: Option<String>,
    rate_per_second: Option<String>,
    rate_burst: Option<String>,
    allow_delegation: Option<String>,
) -> Result<Option<NewSecret>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let spec = identity::oidc::clients::ClientSpec {
        brand: brand.slug,
        name,
        public: kind == "public",
        auth_method: given(auth_method),
        jwks: given(jwks),
        redirect_uris: lines(&redirect_uris),
        post_logout_redirect_uris: post_logout_uris.as_deref().map(lines).unwrap_or_default(),
        backchannel_logout_uri: given(backchannel_logout_uri),
        scopes: given(scopes).into_iter().collect(),
        extra_grants: given(extra_grant).into_iter().collect(),
        subject_type: given(subject),
        id_token_alg: given(id_token_alg),
        access_token_ttl: given(access_lifetime),
        id_token_ttl: given(id_lifetime),
        refresh_token_ttl: given(refresh_lifetime),
        token_rate: given(rate_per_second),
        token_burst: given(rate_burst),
        dev: ctx.dev_mode,
        allow_delegation: crate::api::ticked(allow_delegation.as_deref()),
    };
    let created = ctx.identity.create_client(&principal, &spec).await.map_err(crate::auth::fail)?;
    let Some(secret) = created.secret else { return Ok(None) };
    let new = NewSecret { client_id: created.client.id, secret: secrecy::ExposeSecret::expose_secret(&secret).to_owned() };
    keep_for_page(&new).await?;
    Ok(Some(new))
}

/// Changes what `foyer client update` changes: the client's own token-endpoint rate and
/// burst (blank: the server's setting) and its opt-in to delegated tokens (opting out
/// ends the delegated grants it holds). Only what differs from the saved client is
/// changed, through the core's `set_client_token_rate` / `set_client_allow_delegation`
/// (their checks, one `client.updated` row each); nothing changed is refused.
#[server(prefix = "/admin/api", endpoint = "brand-client-update")]
pub async fn admin_client_update(client: String, rate_per_second: String, rate_burst: String, allow_delegation: Option<String>) -> Result<(), AppError> {
    use identity::domain::ParseError;
    use identity::oidc::clients::parse_rate;
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let not_found = || crate::auth::fail(identity::Error::NotFound("Client"));
    let saved = ctx.identity.client_by_id(&client).await.map_err(crate::auth::fail)?.ok_or_else(not_found)?;
    // The core decides whether the client's brand is this staff member's (another: 404).
    match ctx.identity.administered_brand(&principal, &saved.brand_slug).await {
        Ok(_) => {}
        Err(identity::Error::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(crate::auth::fail(e)),
    }
    // Blank is the server's setting, as `default` is to the command line.
    let rate = |field, text: &str| parse_rate(field, if text.trim().is_empty() { "default" } else { text });
    let (per_second, burst) = (rate("Token rate", &rate_per_second), rate("Token burst", &rate_burst));
    let (per_second, burst) = match (per_second, burst) {
        (Ok(r), Ok(b)) => (r, b),
        (r, b) => {
            let mut errors: Vec<ParseError> = r.err().into_iter().chain(b.err()).collect();
            let e = if errors.len() == 1 { identity::Error::Invalid(errors.remove(0)) } else { identity::Error::Fields(errors) };
            return Err(crate::auth::fail(e));
        }
    };
    let per_second = (per_second != saved.token_rate.per_second).then_some(per_second);
    let burst = (burst != saved.token_rate.burst).then_some(burst);
    let delegation = crate::api::ticked(allow_delegation.as_deref());
    let delegation = (delegation != saved.allow_delegation).then_some(delegation);
    if per_second.is_none() && burst.is_none() && delegation.is_none() {
        let reason = "Nothing to change: the options are as saved.".to_owned();
        return Err(crate::auth::fail(identity::Error::Invalid(ParseError::Rejected { field: "Client", reason })));
    }
    if per_second.is_some() || burst.is_some() {
        ctx.identity.set_client_token_rate(&principal, &client, per_second, burst).await.map_err(crate::auth::fail)?;
    }
    if let Some(allow) = delegation {
        ctx.identity.set_client_allow_delegation(&principal, &client, allow).await.map_err(crate::auth::fail)?;
    }
    Ok(())
}

/// Issues a new secret (shown once); the old one works on for `keep_old` (`0`: stops now).
#[server(prefix = "/admin/api", endpoint = "brand-client-rotate")]
pub async fn admin_client_rotate(client: String, keep_old: String) -> Result<NewSecret, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let keep = match keep_old.trim() {
        "" | "0" => None,
        k => Some(identity::oidc::clients::parse_duration("Keep old for", k).map_err(|e| crate::auth::fail(identity::Error::Invalid(e)))?),
    };
    let rotated = ctx.identity.rotate_client_secret(&principal, &client, keep).await.map_err(crate::auth::fail)?;
    let new = NewSecret { client_id: client, secret: secrecy::ExposeSecret::expose_secret(&rotated.secret).to_owned() };
    keep_for_page(&new).await?;
    Ok(new)
}

/// Replaces a client's redirect URIs (one a line).
#[server(prefix = "/admin/api", endpoint = "brand-client-redirects")]
pub async fn admin_client_redirects(client: String, redirect_uris: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    ctx.identity.set_client_redirect_uris(&principal, &client, &lines(&redirect_uris), ctx.dev_mode).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// Disables a client: no more sign-ins or tokens, its grants end.
#[server(prefix = "/admin/api", endpoint = "brand-client-disable")]
pub async fn admin_client_disable(client: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    ctx.identity.disable_client(&principal, &client).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// The secret a plain post just issued, taken out of the staff session: the render
/// that shows it is the only one that ever can.
#[server(prefix = "/admin/api", endpoint = "brand-take-secret")]
pub async fn admin_take_client_secret() -> Result<Option<NewSecret>, AppError> {
    let Some(current) = crate::admin::session::current().await? else { return Ok(None) };
    let session = leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| AppError::Internal)?;
    let Some(sealed) = session.remove::<String>(NEW_SECRET).await.map_err(|_| AppError::Internal)? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    let json = ctx.identity.open_from_session(&sealed_for(&current.staff_id), &sealed).map_err(crate::auth::fail)?;
    Ok(serde_json::from_slice(&json).ok())
}

/// The non-blank lines of a text area.
#[cfg(feature = "ssr")]
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// A field as the core takes an option: blank is "not given" (the core's default).
#[cfg(feature = "ssr")]
fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Seconds as the lifetime fields take them: the largest whole unit (`30d`, `10m`).
#[cfg(feature = "ssr")]
fn lifetime(secs: i64) -> String {
    match secs {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The path of the logo upload (a plain multipart form post, `server::http::brand_uploads`).
pub fn logo_upload_path(slug: &str) -> String {
    format!("/admin/brands/{}/logo", crate::api::account::encode_path(slug))
}

/// What the logo upload's redirect names as its `__path` (`__ok` on success), so the
/// page can tell its answer from the server functions'.
pub const LOGO_UPLOAD: &str = "/admin/brands/logo";
