//! The strength meter's server half: zxcvbn's dictionaries stay on the server (megabytes
//! the browser bundle no longer carries), so the meter asks here once the customer
//! pauses typing. The verdict is the one registration, reset and change enforce.

use identity::policy::Assessment;
use leptos::prelude::*;
use server_fn::codec::Json;

use crate::error::AppError;

/// Personal inputs the meter may send (email, given and family name), and their size.
pub const MAX_PERSONAL: usize = 3;
pub const MAX_PERSONAL_BYTES: usize = 320;

/// What the policy says about `password` for an account with these `personal` inputs.
/// Nothing is stored or logged. Limited per client address; the work is bounded
/// (zxcvbn reads the first 100 characters, longer passwords are refused by length).
#[server(endpoint = "assess_password", input = Json)]
pub async fn assess_password(password: String, personal: Vec<String>) -> Result<Assessment, AppError> {
    if personal.len() > MAX_PERSONAL || personal.iter().any(|p| p.len() > MAX_PERSONAL_BYTES) {
        return Err(crate::auth::respond(AppError::Message("Too much to assess.".into())));
    }
    if let Err(wait) = limit::check(crate::auth::request_meta().ip) {
        return Err(crate::auth::respond(AppError::Throttled(wait)));
    }
    let refs: Vec<&str> = personal.iter().map(String::as_str).collect();
    Ok(identity::policy::assess(&password, &refs))
}

#[cfg(feature = "ssr")]
mod limit {
    use std::net::IpAddr;
    use std::num::NonZeroU32;
    use std::sync::LazyLock;

    use governor::clock::{Clock as _, DefaultClock};
    use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

    /// A typist pausing twice a second for a minute stays well inside; a script does not.
    static ASSESSMENTS: LazyLock<DefaultKeyedRateLimiter<IpAddr>> =
        LazyLock::new(|| RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(120).unwrap_or(NonZeroU32::MIN))));

    /// `Err(seconds to wait)` when `ip` has used its share on this node.
    pub fn check(ip: IpAddr) -> Result<(), i64> {
        if ASSESSMENTS.len() > 50_000 {
            ASSESSMENTS.retain_recent();
        }
        ASSESSMENTS
            .check_key(&ip)
            .map_err(|not_until| i64::try_from(not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1)).unwrap_or(60))
    }
}
