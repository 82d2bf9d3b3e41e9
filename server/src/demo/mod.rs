//! The demo brand sites that `foyer demo` serves beside Foyer: "Northwind Air" and
//! "Northwind Hotels", each a real OpenID Connect relying party on the `openidconnect`
//! crate (docs/design/oidc.md "Demo brand sites").
//!
//! - this file: which sites run where (`FOYER_DEMO_SITES`), the demo brands seeded at
//!   first start, the sites' client registration at each start (a fresh secret
//!   handed over in memory, never printed), and serving Foyer with the sites.
//! - `site`: one site's HTTP routes and in-memory sessions.
//! - `rp`: the relying-party protocol over `openidconnect` (discovery, code flow, refresh,
//!   logout URL).
//! - `logout_token`: the checks of a back-channel logout token.
//! - `pages`: the HTML.
//! - `purposes`: the demo's consent purposes (the group's terms, each brand's own).
//! - `household`: the demo household (two adults with a known password).
//! - `loyalty`: the demo loyalty programmes, cards, and the brands' back-end clients.

mod brand_data;
pub mod household;
mod logout_token;
pub mod loyalty;
mod pages;
mod purposes;
mod rp;
pub mod site;

use std::net::SocketAddr;

use anyhow::Context as _;
use identity::Identity;
use identity::principal::Principal;
use identity::brand::{BrandDetails, BrandSlug};
use identity::oidc::clients::{Client, ClientSpec};
use openidconnect::core::CoreJwsSigningAlgorithm;
use secrecy::SecretString;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cli::Output;
use crate::config::Config;
use crate::startup::{Application, Services};

pub use site::{ClientAuth, SiteConfig};

/// The environment variable that places the sites: `air=127.0.0.1:3001,hotels=127.0.0.1:3002`
/// (either may be left out) or `off`.
pub const SITES_ENV: &str = "FOYER_DEMO_SITES";

/// The scopes the sites ask for: no `offline_access`, so a grant ends with the Foyer session;
/// `consents`, `attributes` and `preferences` show what the brand reads of the customer's
/// consents and brand data; `household` the customer's household; `loyalty` their verified
/// loyalty memberships. Both sites accept delegated sign-ins (a household member acting
/// for the customer).
const SCOPES: [&str; 8] = ["openid", "profile", "email", "consents", "attributes", "preferences", "household", "loyalty"];

/// One of the two demo brands and how its site talks to Foyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Brand {
    /// The key in `FOYER_DEMO_SITES`.
    pub key: &'static str,
    pub slug: &'static str,
    pub name: &'static str,
    pub cookie: &'static str,
    pub default_addr: &'static str,
    pub auth: ClientAuth,
    pub subject_type: &'static str,
    pub id_token_alg: &'static str,
    /// The site's accent colour and Foyer's theme for the brand (both `#rrggbb`).
    pub colour: &'static str,
}

pub const AIR: Brand = Brand {
    key: "air",
    slug: "northwind-air",
    name: "Northwind Air",
    cookie: "nw_air",
    default_addr: "127.0.0.1:3001",
    auth: ClientAuth::Basic,
    subject_type: "public",
    id_token_alg: "RS256",
    colour: "#0b4f8a",
};

pub const HOTELS: Brand = Brand {
    key: "hotels",
    slug: "northwind-hotels",
    name: "Northwind Hotels",
    cookie: "nw_hotels",
    default_addr: "127.0.0.1:3002",
    auth: ClientAuth::Post,
    subject_type: "pairwise",
    id_token_alg: "ES256",
    colour: "#7a2e0e",
};

pub const BRANDS: [Brand; 2] = [AIR, HOTELS];

/// Where each site listens, from `FOYER_DEMO_SITES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePlan {
    pub sites: Vec<(Brand, SocketAddr)>,
}

impl SitePlan {
    /// Reads `FOYER_DEMO_SITES` (unset or empty: both sites on their default ports).
    pub fn from_env() -> anyhow::Result<Self> {
        let value = std::env::var(SITES_ENV).unwrap_or_default();
        Self::parse(&value).map_err(|reason| anyhow::anyhow!("{SITES_ENV}: {reason}"))
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return BRANDS.iter().map(|b| Ok((*b, parse_addr(b.default_addr)?))).collect::<Result<_, _>>().map(|sites| Self { sites });
        }
        if value.eq_ignore_ascii_case("off") {
            return Ok(Self { sites: Vec::new() });
        }
        let mut sites: Vec<(Brand, SocketAddr)> = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, addr) = item.split_once('=').ok_or_else(|| format!("{item:?} is not NAME=IP:PORT"))?;
            let brand = BRANDS.iter().find(|b| b.key == key.trim()).ok_or_else(|| format!("unknown site {key:?} (use air or hotels)"))?;
            if sites.iter().any(|(b, _)| b.key == brand.key) {
                return Err(format!("{key} is given twice"));
            }
            sites.push((*brand, parse_addr(addr.trim())?));
        }
        Ok(Self { sites })
    }
}

fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let addr: SocketAddr = text.parse().map_err(|_| format!("{text:?} is not IP:PORT, like 127.0.0.1:3001"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address: the demo sites are for this machine only"));
    }
    Ok(addr)
}

/// A site whose port is bound (so port 0 has become a real port) but not yet registered.
#[derive(Debug)]
pub struct BoundSite {
    pub brand: Brand,
    pub listener: TcpListener,
    pub public_url: String,
}

/// Binds every planned site before anything is registered, so the registered URIs carry
/// the ports actually in use.
pub async fn bind(plan: &SitePlan) -> anyhow::Result<Vec<BoundSite>> {
    let mut bound = Vec::new();
    for (brand, addr) in &plan.sites {
        let listener =
            TcpListener::bind(addr).await.with_context(|| format!("{SITES_ENV}: cannot listen on {addr} for {}", brand.name))?;
        let local = listener.local_addr()?;
        bound.push(BoundSite { brand: *brand, listener, public_url: format!("http://{local}") });
    }
    Ok(bound)
}

/// The URIs a site registers, derived from its public URL in one place so the strings the
/// site sends are exactly the registered ones.
pub fn callback_uri(public_url: &str) -> String {
    format!("{public_url}/callback")
}
pub fn home_uri(public_url: &str) -> String {
    format!("{public_url}/")
}
pub fn backchannel_uri(public_url: &str) -> String {
    format!("{public_url}/backchannel-logout")
}

/// The client name a site registers under (one live client per brand and name).
fn client_name(brand: &Brand) -> String {
    format!("{} demo site", brand.name)
}

fn client_spec(brand: &Brand, public_url: &str) -> ClientSpec {
    let mut spec = ClientSpec::new(brand.slug, &client_name(brand))
        .redirect_uri(&callback_uri(public_url))
        .post_logout_uri(&home_uri(public_url))
        .backchannel_logout_uri(&backchannel_uri(public_url))
        .auth_method(brand.auth.as_str())
        .subject_type(brand.subject_type)
        .id_token_alg(brand.id_token_alg)
        .allow_delegation()
        .dev(true);
    for scope in SCOPES {
        spec = spec.scope(scope);
    }
    spec
}

/// Whether a registered client already is what `spec` asks for.
fn matches(client: &Client, spec: &ClientSpec) -> bool {
    !client.is_disabled()
        && client.redirect_uris == spec.redirect_uris
        && client.post_logout_redirect_uris == spec.post_logout_redirect_uris
        && client.backchannel_logout_uri == spec.backchannel_logout_uri
        && Some(client.auth_method.as_str()) == spec.auth_method.as_deref()
        && Some(client.subject_type.as_str()) == spec.subject_type.as_deref()
        && Some(client.id_token_alg.as_str()) == spec.id_token_alg.as_deref()
        && client.allow_delegation == spec.allow_delegation
        && SCOPES.iter().all(|s| client.allowed_scopes.iter().any(|a| a == s))
}

/// A bound and registered site, ready to serve once Foyer's issuer is known.
#[derive(Debug)]
pub struct ReadySite {
    pub listener: TcpListener,
    pub config: SiteConfig,
}

/// Registers each bound site's client, or reuses the one registered for the same URIs,
/// and gives it a fresh secret. Clients of the same name with other URIs (another port
/// set) are disabled. The issuer is filled in by [`start`], once Foyer has bound its port.
pub async fn register(identity: &Identity, sites: Vec<BoundSite>) -> anyhow::Result<Vec<ReadySite>> {
    let mut ready = Vec::new();
    for site in sites {
        let (client_id, client_secret) = register_client(identity, &site).await?;
        let brand = site.brand;
        let config = SiteConfig {
            name: brand.name.to_owned(),
            cookie: brand.cookie,
            colour: brand.colour,
            addr: site.listener.local_addr()?,
            public_url: site.public_url,
            issuer: String::new(),
            client_id,
            client_secret,
            auth: brand.auth,
            id_token_alg: alg(brand.id_token_alg),
            scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        };
        ready.push(ReadySite { listener: site.listener, config });
    }
    Ok(ready)
}

/// The client id and a fresh secret for one site.
async fn register_client(identity: &Identity, site: &BoundSite) -> anyhow::Result<(String, SecretString)> {
    let brand = &site.brand;
    let spec = client_spec(brand, &site.public_url);
    let name = client_name(brand);
    let existing: Vec<Client> = identity
        .list_clients(Some(&BrandSlug::parse(brand.slug)?))
        .await?
        .into_iter()
        .filter(|c| c.name == name && !c.is_disabled())
        .collect();
    if let Some(client) = existing.iter().find(|c| matches(c, &spec)) {
        let rotated = identity.rotate_client_secret(&Principal::Operator, &client.id, None).await?;
        return Ok((client.id.clone(), rotated.secret));
    }
    for old in &existing {
        identity.disable_client(&Principal::Operator, &old.id).await?;
    }
    let created = identity.create_client(&Principal::Operator, &spec).await?;
    let secret = created.secret.context("a confidential demo client was created without a secret")?;
    Ok((created.client.id, secret))
}

/// Starts every site against `issuer`; each stops when `stop` becomes true.
pub fn start(sites: Vec<ReadySite>, issuer: &str, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<anyhow::Result<()>>> {
    sites
        .into_iter()
        .map(|ReadySite { listener, mut config }| {
            config.issuer = issuer.to_owned();
            tokio::spawn(site::run(listener, config, stop.clone()))
        })
        .collect()
}

fn alg(name: &str) -> CoreJwsSigningAlgorithm {
    match name {
        "ES256" => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        "EdDSA" => CoreJwsSigningAlgorithm::EdDsa,
        _ => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    }
}

/// Serves Foyer and the demo brand sites; Ctrl-C stops them all.
pub(crate) async fn serve(config: Config, sites: Vec<ReadySite>, out: &Output) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let issuer = app.public_url().to_owned();
    out.say(&format!("Foyer: {issuer}"), json!({ "foyer": issuer }));
    for site in &sites {
        let c = &site.config;
        out.say(&format!("{}: {}", c.name, c.public_url), json!({ "demo_site": { "name": c.name, "url": c.public_url } }));
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = start(sites, &issuer, &stop_rx);
    tracing::info!(port = app.port(), "Foyer is listening");
    let result = app.run_until_stopped(crate::startup::shutdown_signal()).await;
    let _ = stop_tx.send(true);
    for task in tasks {
        if let Ok(Err(e)) = task.await {
            tracing::warn!(error = %e, "a demo site stopped with an error");
        }
    }
    result
}

/// What the demo's customers are told the identity is called, unless
/// `FOYER_PRODUCT_NAME` says otherwise (the demo sites say "Sign in with Northwind ID").
pub const DEMO_PRODUCT_NAME: &str = "Northwind ID";

/// A refresh retry window of 30 s for the demo when neither `FOYER_REFRESH_RETRY_SECONDS`
/// nor the config file set one, so that the sites' "Refresh, losing the answer" shows a
/// retry being answered (the default is 0: `docs/design/oidc.md` "Retrying a refresh
/// whose answer was lost").
pub(crate) fn allow_refresh_retries(config: &mut Config) {
    if std::env::var_os("FOYER_REFRESH_RETRY_SECONDS").is_none() && config.refresh_retry.is_zero() {
        config.refresh_retry = std::time::Duration::from_secs(30);
    }
}

/// Names the product for the demo when neither `FOYER_PRODUCT_NAME` nor the config
/// file named it (the setting still has its default).
pub(crate) fn name_the_product(config: &mut Config) {
    if std::env::var_os("FOYER_PRODUCT_NAME").is_none() && config.product_name == crate::config::RawConfig::default().product_name {
        config.product_name = DEMO_PRODUCT_NAME.to_owned();
    }
}

/// A demo brand's logo: its initials on its colour (SVG).
fn demo_logo(brand: Brand) -> String {
    let initials: String = brand.name.split_whitespace().filter_map(|w| w.chars().next()).collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 48 48\" width=\"48\" height=\"48\">\
         <rect width=\"48\" height=\"48\" rx=\"10\" fill=\"{}\"/>\
         <text x=\"24\" y=\"31\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"20\" font-weight=\"700\" fill=\"#ffffff\">{initials}</text></svg>",
        brand.colour
    )
}

/// The demo's support agent (`/admin`).
pub const DEMO_AGENT: &str = "agent@demo.example";

/// The demo's staff: a support agent, a support lead (lock/unlock, second-factor
/// resets, reveal statistics, the audit log) and an operator (the dashboard, staff).
pub const DEMO_STAFF: [(&str, &str, identity::staff::StaffRole); 3] = [
    (DEMO_AGENT, "Demo Agent", identity::staff::StaffRole::Support),
    ("lead@demo.example", "Demo Lead", identity::staff::StaffRole::SupportLead),
    ("operator@demo.example", "Demo Operator", identity::staff::StaffRole::Operator),
];

/// First start of `foyer demo`: two sibling brands, with their colours and their demo
/// site as website when it runs, and the demo staff ([`DEMO_STAFF`]). Returns each staff
/// member's one-time enrolment link while they have not enrolled (a new one at every
/// start until then), with their email and role.
pub(crate) async fn seed(services: &Services, sites: &[BoundSite]) -> anyhow::Result<Vec<(&'static str, identity::staff::StaffRole, SecretString)>> {
    let identity = &services.identity;
    for brand in BRANDS {
        if identity.brand(brand.slug).await?.is_none() {
            let slug = BrandSlug::parse(brand.slug)?;
            let website_url = sites.iter().find(|s| s.brand == brand).map(|s| home_uri(&s.public_url));
            let details = BrandDetails { website_url, dev: true, ..BrandDetails::default() };
            identity.create_brand_with(&Principal::Operator, &slug, brand.name, &details).await?;
            let colours = [format!("primary={}", brand.colour), "on-primary=#ffffff".to_owned()];
            let logo = identity::brand::BrandLogo::parse(demo_logo(brand).as_bytes())?;
            identity.set_brand_theme(&Principal::Operator, &slug, &colours, Some(&logo)).await?;
        }
    }
    purposes::seed(identity).await?;
    brand_data::seed(identity).await?;
    household::seed(identity).await?;
    loyalty::seed(identity).await?;
    let public_url = identity.settings().public_url.clone();
    let mut links = Vec::new();
    for (email, name, role) in DEMO_STAFF {
        let address = identity::domain::Email::parse(email)?;
        let link = match identity.reissue_staff_enrolment(&Principal::Operator, &address, &public_url).await {
            Err(identity::Error::NotFound(_)) => Some(identity.create_staff_named(&Principal::Operator, &address, Some(name), role, &public_url).await?.enrolment_link),
            other => other?,
        };
        links.extend(link.map(|l| (email, role, l)));
    }
    Ok(links)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn unset_means_both_sites_on_their_ports() {
        let plan = SitePlan::parse("").unwrap();
        let keys: Vec<_> = plan.sites.iter().map(|(b, a)| (b.key, a.to_string())).collect();
        assert_eq!(keys, [("air", "127.0.0.1:3001".to_owned()), ("hotels", "127.0.0.1:3002".to_owned())]);
    }

    #[test]
    fn off_and_explicit_ports() {
        assert!(SitePlan::parse("off").unwrap().sites.is_empty());
        let plan = SitePlan::parse("hotels=127.0.0.1:4102, air=[::1]:0").unwrap();
        assert_eq!(plan.sites[0].0, HOTELS);
        assert_eq!(plan.sites[0].1.port(), 4102);
        assert_eq!(plan.sites[1].0, AIR);
    }

    #[test]
    fn bad_plans_are_refused() {
        for bad in ["air", "train=127.0.0.1:1", "air=localhost:3001", "air=0.0.0.0:3001", "air=127.0.0.1:1,air=127.0.0.1:2"] {
            assert!(SitePlan::parse(bad).is_err(), "{bad}");
        }
    }

    /// The demo staff, each with an enrolment link at each start until they enrol.
    #[tokio::test]
    async fn the_demo_seeds_brands_and_its_staff() {
        let dir = tempfile::tempdir().unwrap();
        let raw = crate::config::RawConfig {
            database_url: format!("sqlite://{}/demo.db", dir.path().display()),
            data_dir: dir.path().join("data"),
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            ..crate::config::RawConfig::default()
        };
        let services = Services::open(&Config::check(raw).unwrap()).await.unwrap();
        use secrecy::ExposeSecret as _;
        let first = seed(&services, &[]).await.unwrap();
        let again = seed(&services, &[]).await.unwrap();
        assert_eq!(first.iter().map(|(e, r, _)| (*e, *r)).collect::<Vec<_>>(), DEMO_STAFF.map(|(e, _, r)| (e, r)).to_vec());
        for ((_, _, a), (_, _, b)) in first.iter().zip(&again) {
            assert!(a.expose_secret().starts_with("http://localhost:3000/admin/enrol?token="), "{}", a.expose_secret());
            assert_ne!(a.expose_secret(), b.expose_secret(), "a new link at every start");
        }
        let store = services.identity.store();
        assert_eq!(store.count_staff().await.unwrap(), 3);
        for brand in BRANDS {
            assert!(store.brand_by_slug(brand.slug).await.unwrap().is_some(), "{}", brand.slug);
        }
    }

    #[test]
    fn the_spec_matches_the_site_uris() {
        let spec = client_spec(&HOTELS, "http://127.0.0.1:3002");
        assert_eq!(spec.redirect_uris, ["http://127.0.0.1:3002/callback"]);
        assert_eq!(spec.post_logout_redirect_uris, ["http://127.0.0.1:3002/"]);
        assert_eq!(spec.backchannel_logout_uri.as_deref(), Some("http://127.0.0.1:3002/backchannel-logout"));
        assert_eq!(spec.auth_method.as_deref(), Some("client_secret_post"));
        spec.validate().unwrap();
    }
}
