//! Throttling of sign-in (and other guessable) attempts, per account and per client IP.
//!
//! The rule is pure: [`after_failure`] turns the stored counter into the next one.
//! Within a 15-minute window the first `free` failures cost nothing; each further one
//! blocks the key for 1 s, 2 s, 4 s … up to 15 minutes. Counters live in the database
//! (table `throttle`) so every node applies the same limits.

use sqlx::FromRow;

use crate::store::{Backend, Store};
use crate::{Error, Result, UnixMillis, sha256_hex};

pub const WINDOW_MS: i64 = 15 * 60_000;
pub const MAX_DELAY_MS: i64 = 15 * 60_000;
/// Failures per IP address before delays start (generous: many people share one NAT).
pub const IP_FREE_FAILURES: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
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

/// [`after_failure`] as one upsert, in the SQL both engines accept. `$1` key, `$2` now,
/// `$3` free failures, `$4` [`WINDOW_MS`], `$5` [`MAX_DELAY_MS`]. In `DO UPDATE`,
/// `throttle.*` is the row before the update; `n` below stands for the new count
/// (`failures + 1` inside the window, else 1), written out where it is used:
/// blocked for `min(1 s << min(n - free - 1, 20), max)` once `n > free`, otherwise the
/// old block inside the window and none after it. Unit tests replay sequences through
/// this statement and through [`after_failure`] and require the same states.
pub(crate) const FAIL_SQL: &str = "INSERT INTO throttle (key, failures, window_start, blocked_until) \
     VALUES ($1, 1, $2, CASE WHEN 1 > $3 THEN $2 + 1000 ELSE NULL END) \
     ON CONFLICT (key) DO UPDATE SET \
     failures = CASE WHEN $2 - throttle.window_start < $4 THEN throttle.failures + 1 ELSE 1 END, \
     window_start = CASE WHEN $2 - throttle.window_start < $4 THEN throttle.window_start ELSE $2 END, \
     blocked_until = CASE \
       WHEN (CASE WHEN $2 - throttle.window_start < $4 THEN throttle.failures + 1 ELSE 1 END) > $3 THEN $2 + ( \
         CASE WHEN (CAST(1000 AS BIGINT) << CAST(CASE \
             WHEN (CASE WHEN $2 - throttle.window_start < $4 THEN throttle.failures + 1 ELSE 1 END) - $3 - 1 > 20 THEN 20 \
             ELSE (CASE WHEN $2 - throttle.window_start < $4 THEN throttle.failures + 1 ELSE 1 END) - $3 - 1 END AS INTEGER)) > $5 \
           THEN $5 \
           ELSE (CAST(1000 AS BIGINT) << CAST(CASE \
             WHEN (CASE WHEN $2 - throttle.window_start < $4 THEN throttle.failures + 1 ELSE 1 END) - $3 - 1 > 20 THEN 20 \
             ELSE (CASE WHEN $2 - throttle.window_start < $4 THEN throttle.failures + 1 ELSE 1 END) - $3 - 1 END AS INTEGER)) END) \
       WHEN $2 - throttle.window_start < $4 THEN throttle.blocked_until \
       ELSE NULL END \
     RETURNING failures, window_start, blocked_until";

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

impl Store {
    pub async fn throttle_get(&self, key: &str) -> Result<Option<ThrottleState>> {
        Ok(sqlx::query_as("SELECT failures, window_start, blocked_until FROM throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Refuses with [`Error::Throttled`] (whole seconds, rounded up) while `key` is blocked.
    pub async fn throttle_check(&self, key: &str, now: UnixMillis) -> Result<()> {
        match blocked_for(self.throttle_get(key).await?.as_ref(), now) {
            Some(wait) => Err(Error::Throttled { retry_after_secs: (wait + 999) / 1000 }),
            None => Ok(()),
        }
    }

    /// Records one more failure for `key` and returns the new state: one atomic
    /// statement ([`FAIL_SQL`]), so concurrent failures are all counted.
    pub async fn throttle_fail(&self, key: &str, now: UnixMillis, free: i64) -> Result<ThrottleState> {
        let query = sqlx::query_as(FAIL_SQL).bind(key).bind(now).bind(free).bind(WINDOW_MS).bind(MAX_DELAY_MS);
        match self.backend() {
            // SQLite: in a transaction only to take the process's write turn (`Tx`).
            Backend::Sqlite => {
                let mut tx = self.begin().await?;
                let state = query.fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(state)
            }
            Backend::Postgres => {
                self.note_write();
                Ok(query.fetch_one(self.pool()).await?)
            }
        }
    }

    /// Deletes counters whose window is over and which block nothing any more.
    pub async fn throttle_sweep(&self, now: UnixMillis) -> Result<u64> {
        self.note_write();
        Ok(sqlx::query("DELETE FROM throttle WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $2)")
            .bind(now - WINDOW_MS)
            .bind(now)
            .execute(self.pool())
            .await?
            .rows_affected())
    }

    pub async fn throttle_clear(&self, key: &str) -> Result<()> {
        self.note_write();
        sqlx::query("DELETE FROM throttle WHERE key = $1").bind(key).execute(self.pool()).await?;
        Ok(())
    }
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

    /// Replays sequences of failures (in and across windows, with different `free`)
    /// through [`FAIL_SQL`] on SQLite and through [`after_failure`]: the same states.
    #[tokio::test]
    #[expect(clippy::unwrap_used, reason = "tests fail loudly")]
    async fn the_statement_follows_the_rule() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::store::DatabaseUrl::parse(&format!("sqlite://{}/t.db", dir.path().display())).unwrap();
        let store = Store::connect(&url, crate::store::PoolSettings::default()).await.unwrap();
        store.migrate().await.unwrap();
        for free in [0, 1, 5, 30] {
            let key = format!("k{free}");
            let mut expected = None;
            let mut now = 1_000_000;
            for step in 0..60_i64 {
                // Mostly quick retries, sometimes a pause, now and then a new window.
                now += match step % 17 { 16 => WINDOW_MS + 1, 7 => WINDOW_MS - 1, _ => 500 };
                expected = Some(after_failure(expected, now, free));
                let got = store.throttle_fail(&key, now, free).await.unwrap();
                assert_eq!(Some(got), expected, "free {free}, step {step}");
            }
        }
    }

    #[test]
    fn account_keys_hide_the_address() {
        let k = account_key("ann@example.com");
        assert!(k.starts_with("acct:") && !k.contains("ann"));
    }
}
