//! Rows of the `throttle` table: the counters of [`crate::accounts::throttle`], whose
//! rule ([`after_failure`](crate::accounts::throttle::after_failure)) this module's upsert ([`FAIL_SQL`]) applies in one atomic
//! statement.

use super::{Store, Tx};
use crate::accounts::throttle::{MAX_DELAY_MS, ThrottleState, WINDOW_MS, blocked_for};
use crate::{Error, Result, UnixMillis};

/// [`after_failure`](crate::accounts::throttle::after_failure) as one upsert, in the SQL both engines accept. `$1` key, `$2` now,
/// `$3` free failures, `$4` [`WINDOW_MS`], `$5` [`MAX_DELAY_MS`]. In `DO UPDATE`,
/// `throttle.*` is the row before the update; `n` below stands for the new count
/// (`failures + 1` inside the window, else 1), written out where it is used:
/// blocked for `min(1 s << min(n - free - 1, 20), max)` once `n > free`, otherwise the
/// old block inside the window and none after it. Unit tests replay sequences through
/// this statement and through [`after_failure`](crate::accounts::throttle::after_failure) and require the same states.
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

fn state((failures, window_start, blocked_until): (i64, UnixMillis, Option<UnixMillis>)) -> ThrottleState {
    ThrottleState { failures, window_start, blocked_until }
}

/// Deletes the counter of `key` inside `tx`.
pub async fn clear_tx(tx: &mut Tx, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM throttle WHERE key = $1").bind(key).execute(&mut **tx).await?;
    Ok(())
}

/// Deletes the counters of `a` and `b` inside `tx` (one statement).
pub async fn clear_pair_tx(tx: &mut Tx, a: &str, b: &str) -> Result<()> {
    sqlx::query("DELETE FROM throttle WHERE key = $1 OR key = $2").bind(a).bind(b).execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    pub async fn throttle_get(&self, key: &str) -> Result<Option<ThrottleState>> {
        let row: Option<(i64, UnixMillis, Option<UnixMillis>)> =
            sqlx::query_as("SELECT failures, window_start, blocked_until FROM throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(state))
    }

    /// Refuses with [`Error::Throttled`] (whole seconds, rounded up, the longest wait)
    /// while any of `keys` is blocked. One statement for all of them: a request checks
    /// its address and its account (or client) together.
    pub async fn throttle_check(&self, keys: &[&str], now: UnixMillis) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT failures, window_start, blocked_until FROM throttle WHERE key IN ({})", marks.join(", "));
        let mut query = sqlx::query_as::<_, (i64, UnixMillis, Option<UnixMillis>)>(&sql);
        for key in keys {
            query = query.bind(*key);
        }
        let rows = query.fetch_all(self.pool()).await?;
        match rows.into_iter().filter_map(|row| blocked_for(Some(&state(row)), now)).max() {
            Some(wait) => Err(Error::Throttled { retry_after_secs: (wait + 999) / 1000 }),
            None => Ok(()),
        }
    }

    /// Records one more failure for `key` and returns the new state: one atomic
    /// statement ([`FAIL_SQL`]), so concurrent failures are all counted.
    pub async fn throttle_fail(&self, key: &str, now: UnixMillis, free: i64) -> Result<ThrottleState> {
        let batch = sqlx::query(FAIL_SQL).bind(key.to_owned()).bind(now).bind(free).bind(WINDOW_MS).bind(MAX_DELAY_MS);
        let rows = self.write_batch(batch).await?;
        let row = rows.first().ok_or_else(|| Error::Internal("the throttle's upsert returned no row".into()))?;
        Ok(state(sqlx::FromRow::from_row(row)?))
    }

    /// Deletes counters whose window is over and which block nothing any more.
    pub async fn throttle_sweep(&self, now: UnixMillis) -> Result<u64> {
        self.write(sqlx::query("DELETE FROM throttle WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $2)").bind(now - WINDOW_MS).bind(now))
            .await
    }

    pub async fn throttle_clear(&self, key: &str) -> Result<()> {
        self.write(sqlx::query("DELETE FROM throttle WHERE key = $1").bind(key.to_owned())).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::throttle::after_failure;

    /// Replays sequences of failures (in and across windows, with different `free`)
    /// through [`FAIL_SQL`] on SQLite and through [`after_failure`](crate::accounts::throttle::after_failure): the same states.
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
}
