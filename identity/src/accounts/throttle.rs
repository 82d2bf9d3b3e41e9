//! Throttling of sign-in (and other guessable) attempts, per account and per client IP.
//!
//! The rule is pure: [`after_failure`] turns the stored counter into the next one.
//! Within a 15-minute window the first `free` failures cost nothing; each further one
//! blocks the key for 1 s, 2 s, 4 s … up to 15 minutes. Counters live in the database
//! (table `throttle`, statements in `store::throttle`) so every node applies the same
//! limits.

use crate::{UnixMillis, sha256_hex};

pub const WINDOW_MS: i64 = 15 * 60_000;
pub const MAX_DELAY_MS: i64 = 15 * 60_000;
/// Failures per IP address before delays start (generous: many people share one NAT).
pub const IP_FREE_FAILURES: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i64,
    pub window_start: UnixMillis,
    pub blocked_until: Option<UnixMillis>,
}

/// How long the key is still blocked, if at all.
pub fn blocked_for(state: Option<&ThrottleState>, now: UnixMillis) -> Option<i64> {
    state.and_then(|s| s.blocked_until).filter(|until| *until > now).map(|until| until - now)
}

pub fn after_failure(state: Option<ThrottleState>, now: UnixMillis, free: i64) -> ThrottleState {
    let mut next = match state {
        Some(s) if now - s.window_start < WINDOW_MS => s,
        _ => ThrottleState { failures: 0, window_start: now, blocked_until: None },
    };
    next.failures += 1;
    if next.failures > free {
        let exponent = u32::try_from((next.failures - free - 1).clamp(0, 20)).unwrap_or(20);
        next.blocked_until = Some(now + (1_000_i64 << exponent).min(MAX_DELAY_MS));
    }
    next
}

/// The key for an account, derived from the normalised email so unknown and known
/// addresses are throttled alike (and no address is stored in clear).
pub fn account_key(normalized_email: &str) -> String {
    format!("acct:{}", sha256_hex(normalized_email.as_bytes()))
}

pub fn ip_key(ip: std::net::IpAddr) -> String {
    format!("ip:{ip}")
}

/// The key of an account's second step (TOTP, recovery and mailed codes after the
/// first step). Separate from [`account_key`] so that a correct password cannot clear
/// it: only a sign-in completed with the second factor (or a correct code) does.
pub fn mfa_key(customer_id: &str) -> String {
    format!("mfa:{customer_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_then_doubling_delays() {
        let mut s = None;
        for _ in 0..5 {
            s = Some(after_failure(s, 0, 5));
            assert_eq!(s.unwrap().blocked_until, None);
        }
        s = Some(after_failure(s, 0, 5));
        assert_eq!(s.unwrap().blocked_until, Some(1_000));
        s = Some(after_failure(s, 0, 5));
        assert_eq!(s.unwrap().blocked_until, Some(2_000));
        for _ in 0..30 {
            s = Some(after_failure(s, 0, 5));
        }
        assert_eq!(s.unwrap().blocked_until, Some(MAX_DELAY_MS), "capped");
        assert_eq!(blocked_for(s.as_ref(), 1_000), Some(MAX_DELAY_MS - 1_000));
        assert_eq!(blocked_for(s.as_ref(), MAX_DELAY_MS), None);
    }

    #[test]
    fn the_window_resets() {
        let s = (0..10).fold(None, |s, _| Some(after_failure(s, 0, 5)));
        let later = after_failure(s, WINDOW_MS, 5);
        assert_eq!((later.failures, later.blocked_until), (1, None));
    }

    #[test]
    fn account_keys_hide_the_address() {
        let k = account_key("ann@example.com");
        assert!(k.starts_with("acct:") && !k.contains("ann"));
    }
}
