//! Request rate limits of the provider (`docs/design/oidc.md` "Rate limits", the README's
//! "Rate limits" table), in memory per node (GCRA, the `governor` crate): a burst, then a
//! steady rate. Every limit is a setting ([`LimitSettings`], `FOYER_LIMIT_*`); a client may
//! carry its own token-endpoint rate (`foyer client create|update --token-rate`). Failed
//! client authentication has its own shared counters in the database (`client_auth`).
//!
//! - browser routes (authorize, continue, logout): per client IP;
//! - token and revocation: per client id, after authentication;
//! - UserInfo and introspection: per client IP.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};

use app::context::ClientIp;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use identity::oidc::clients::Client;

use super::errors::{OAuthError, page};

/// A steady rate and the burst allowed on top of an idle period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_second: u32,
    pub burst: u32,
}

impl Rate {
    fn quota(self) -> Quota {
        let nonzero = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Quota::per_second(nonzero(self.per_second)).allow_burst(nonzero(self.burst))
    }
}

/// Every limit, as configured (`FOYER_LIMIT_*`; defaults sized for a busy brand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Token and revocation requests per client (a brand's back end refreshing for all
    /// its customers is one client). A client's own `token_rate` replaces it.
    pub token_per_client: Rate,
    /// Authorize, continue and logout per client IP (customers behind one carrier-grade
    /// NAT share an address).
    pub browser_per_ip: Rate,
    /// UserInfo and introspection per client IP (a brand's back end is one address).
    pub api_per_ip: Rate,
    /// Failed client authentications per (client, source IP) before delays start.
    pub client_auth_failures_per_client_ip: i64,
    /// Failed client authentications per source IP, whatever the client, before delays start.
    pub client_auth_failures_per_ip: i64,
}

/// The largest rate or burst a setting may hold.
pub const MAX_RATE: u32 = identity::oidc::clients::MAX_TOKEN_RATE;

impl LimitSettings {
    /// The defaults: thousands of token requests a second for one brand's back end, and
    /// browser limits per address that a few hundred people behind one NAT do not reach.
    pub const DEFAULT: Self = Self {
        token_per_client: Rate { per_second: 2_000, burst: 4_000 },
        browser_per_ip: Rate { per_second: 50, burst: 200 },
        api_per_ip: Rate { per_second: 1_000, burst: 2_000 },
        client_auth_failures_per_client_ip: 10,
        client_auth_failures_per_ip: 100,
    };
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The token-endpoint rate of `client`: its `--token-rate` (else the default rate) and its
/// `--token-burst` (else twice its own rate when it has one, else the default burst).
pub fn client_rate(client: &Client, default: Rate) -> Rate {
    let own = client.token_rate;
    let per_second = own.per_second.unwrap_or(default.per_second);
    let burst = own.burst.unwrap_or(if own.per_second.is_some() { per_second.saturating_mul(2) } else { default.burst });
    Rate { per_second, burst }
}

/// The limiters one node keeps.
pub struct Limits {
    settings: LimitSettings,
    browser: DefaultKeyedRateLimiter<IpAddr>,
    clients: DefaultKeyedRateLimiter<String>,
    /// Clients with their own rate: one limiter each, replaced when the rate changes.
    /// Bounded by the registered clients (only authenticated ids get here).
    overridden: Mutex<HashMap<String, (Rate, Arc<DefaultDirectRateLimiter>)>>,
    readers: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(LimitSettings::default())
    }
}

/// Which limiter guards a group of routes.
#[derive(Debug, Clone, Copy)]
pub enum Guard {
    Browser,
    Readers,
}

fn retry_after(response: &mut Response, wait_secs: u64) {
    if let Ok(v) = HeaderValue::from_str(&wait_secs.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

/// Whole seconds until the limiter allows the next request, rounded up.
fn wait_secs(wait: std::time::Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            browser: RateLimiter::keyed(settings.browser_per_ip.quota()),
            clients: RateLimiter::keyed(settings.token_per_client.quota()),
            overridden: Mutex::new(HashMap::new()),
            readers: RateLimiter::keyed(settings.api_per_ip.quota()),
        }
    }

    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    /// `Err(seconds to wait)` when `client` has used its share (its own rate if it has one).
    pub fn check_client(&self, client: &Client) -> Result<(), u64> {
        if client.token_rate.per_second.is_none() && client.token_rate.burst.is_none() {
            forget_idle(&self.clients);
            return self.clients.check_key(&client.id).map_err(|n| wait_secs(n.wait_time_from(DefaultClock::default().now())));
        }
        let rate = client_rate(client, self.settings.token_per_client);
        let limiter = {
            let mut map = self.overridden.lock().unwrap_or_else(PoisonError::into_inner);
            match map.get(&client.id) {
                Some((current, limiter)) if *current == rate => Arc::clone(limiter),
                _ => {
                    let limiter = Arc::new(RateLimiter::direct(rate.quota()));
                    map.insert(client.id.clone(), (rate, Arc::clone(&limiter)));
                    limiter
                }
            }
        };
        limiter.check().map_err(|n| wait_secs(n.wait_time_from(DefaultClock::default().now())))
    }
}

/// Keys that are back to a full burst carry no information: drop them once the map
/// grows, so memory stays bounded however many addresses call.
fn forget_idle<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>) {
    if limiter.len() > 50_000 {
        limiter.retain_recent();
    }
}

/// The 429 a client gets at the token or revocation endpoint.
pub fn too_many(wait_secs: u64) -> Response {
    OAuthError::too_many("Too many requests; slow down.", wait_secs).into_response()
}

/// Middleware for a route group: limits by client IP.
pub async fn by_ip(State((limits, guard)): State<(Arc<Limits>, Guard)>, request: Request, next: Next) -> Response {
    let ip = request.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0);
    let limiter = match guard {
        Guard::Browser => &limits.browser,
        Guard::Readers => &limits.readers,
    };
    forget_idle(limiter);
    match limiter.check_key(&ip) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = wait_secs(not_until.wait_time_from(DefaultClock::default().now()));
            let mut response = match guard {
                Guard::Browser => page(StatusCode::TOO_MANY_REQUESTS, "Too many requests", "<p role=\"alert\">Please wait a moment and try again.</p>"),
                Guard::Readers => too_many(wait),
            };
            retry_after(&mut response, wait);
            response.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use identity::oidc::clients::TokenRate;

    use super::*;

    fn client(id: &str, token_rate: TokenRate) -> Client {
        Client {
            id: id.into(),
            brand_id: "b".into(),
            brand_slug: "air".into(),
            name: "Air".into(),
            kind: "confidential".into(),
            auth_method: "client_secret_basic".into(),
            jwks: None,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            backchannel_logout_uri: None,
            allowed_scopes: vec!["openid".into()],
            grant_types: vec!["authorization_code".into()],
            subject_type: "public".into(),
            id_token_alg: "RS256".into(),
            access_token_ttl_s: 600,
            id_token_ttl_s: 600,
            refresh_token_ttl_s: 86_400,
            token_rate,
            created_at: 0,
            updated_at: 0,
            disabled_at: None,
            allow_delegation: false,
        }
    }

    #[test]
    fn a_client_gets_its_burst_then_waits_and_others_are_unaffected() {
        let limits = Limits::new(LimitSettings { token_per_client: Rate { per_second: 10, burst: 600 }, ..LimitSettings::default() });
        let busy = client("busy", TokenRate::default());
        for _ in 0..600 {
            assert!(limits.check_client(&busy).is_ok());
        }
        let wait = limits.check_client(&busy).expect_err("the 601st request in a burst is refused");
        assert!(wait <= 1, "one request's worth of quota comes back within a second, not {wait} s");
        assert!(limits.check_client(&client("quiet", TokenRate::default())).is_ok());
    }

    #[test]
    fn the_defaults_carry_a_busy_brand() {
        let limits = Limits::default();
        let brand = client("brand-back-end", TokenRate::default());
        for i in 0..4_000 {
            assert!(limits.check_client(&brand).is_ok(), "request {i} of the default burst");
        }
        assert_eq!(limits.settings().token_per_client, Rate { per_second: 2_000, burst: 4_000 });
    }

    #[test]
    fn a_client_with_its_own_rate_gets_it_and_a_change_applies() {
        let limits = Limits::default();
        let slow = client("slow", TokenRate { per_second: Some(1), burst: None });
        assert_eq!(client_rate(&slow, limits.settings.token_per_client), Rate { per_second: 1, burst: 2 }, "burst twice the rate");
        assert!(limits.check_client(&slow).is_ok() && limits.check_client(&slow).is_ok());
        assert!(limits.check_client(&slow).is_err(), "past its own burst");
        assert!(limits.check_client(&client("other", TokenRate::default())).is_ok());
        let raised = client("slow", TokenRate { per_second: Some(1), burst: Some(5) });
        assert!(limits.check_client(&raised).is_ok(), "a new rate starts a new bucket");
        let burst_only = client("b", TokenRate { per_second: None, burst: Some(7) });
        assert_eq!(client_rate(&burst_only, limits.settings.token_per_client), Rate { per_second: 2_000, burst: 7 });
    }
}
