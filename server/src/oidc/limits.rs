//! Request rate limits of the provider (`docs/design/oidc.md` "Rate limits"), in memory
//! per node (GCRA, the `governor` crate): a burst, then a steady rate. Failed client
//! authentication has its own shared counter in the database (`client_auth`).
//!
//! - browser routes (authorize, continue, logout): 60 a minute per client IP;
//! - token and revocation: 600 a minute per client id;
//! - UserInfo and introspection: 1,200 a minute per client IP.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use app::context::ClientIp;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::errors::{oauth_error, page};

/// The limiters one node keeps.
pub struct Limits {
    browser: DefaultKeyedRateLimiter<IpAddr>,
    clients: DefaultKeyedRateLimiter<String>,
    readers: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").finish_non_exhaustive()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            browser: RateLimiter::keyed(per_minute(60)),
            clients: RateLimiter::keyed(per_minute(600)),
            readers: RateLimiter::keyed(per_minute(1_200)),
        }
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

impl Limits {
    /// `Err(seconds to wait)` when `client_id` has used its share.
    pub fn check_client(&self, client_id: &str) -> Result<(), u64> {
        forget_idle(&self.clients);
        self.clients.check_key(&client_id.to_owned()).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs())
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
    let mut response = oauth_error(StatusCode::TOO_MANY_REQUESTS, "invalid_request", "Too many requests; slow down.");
    retry_after(&mut response, wait_secs);
    response
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
            let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs();
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
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_and_others_are_unaffected() {
        let limits = Limits::default();
        for _ in 0..600 {
            assert!(limits.check_client("busy").is_ok());
        }
        let wait = limits.check_client("busy").expect_err("the 601st request in a burst is refused");
        assert!(wait <= 1, "one request's worth of quota comes back within a second, not {wait} s");
        assert!(limits.check_client("quiet").is_ok());
    }
}
