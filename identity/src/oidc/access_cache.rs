//! Access tokens this node found live in the last second (`docs/design/peaks.md`
//! "Caches"). UserInfo, introspection and the brand APIs read the same token many times
//! a second at a peak; each read was a statement (two round trips to SQLite's thread).
//!
//! How a revocation still holds: every store function that ends access marks its
//! transaction ([`crate::store::Tx::revokes`]); at commit the node's revocation count
//! moves, and an entry is used only while the count is what it was *before* the entry's
//! row was read. So a revocation committed on this node is honoured at once (the next
//! use reads the row again); one committed on another node within [`ACCESS_CACHE_MS`].
//! Only live rows are kept (a token signed but not yet recorded becomes live as soon as
//! it is), never past the token's own expiry, and never a delegated token's (its
//! delegation can end at its own time).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::UnixMillis;
use crate::store::grants::AccessRow;

/// How long a node trusts a live access token's row: the bound on honouring another
/// node's revocation (the same as for a changed client).
pub const ACCESS_CACHE_MS: UnixMillis = 1_000;

/// Most rows kept (each a few hundred bytes); a full map starts again empty.
pub const ACCESS_CACHE_MAX: usize = 16_384;

#[derive(Debug)]
struct Entry {
    read_at: UnixMillis,
    revocations: u64,
    row: Arc<AccessRow>,
}

#[derive(Debug, Default)]
pub(crate) struct AccessCache(Mutex<HashMap<String, Entry>>);

impl AccessCache {
    /// The row of `jti` read less than [`ACCESS_CACHE_MS`] before `now` (not after it: a
    /// clock steered backwards reads again), when no revocation was committed on this
    /// node since (`revocations` is the node's count now) and the token has not expired.
    pub(crate) fn get(&self, jti: &str, now: UnixMillis, revocations: u64) -> Option<Arc<AccessRow>> {
        let map = self.0.lock().ok()?;
        let entry = map.get(jti)?;
        let fresh = entry.read_at <= now && now - entry.read_at < ACCESS_CACHE_MS;
        (fresh && entry.revocations == revocations && entry.row.expires_at > now).then(|| Arc::clone(&entry.row))
    }

    /// Keeps a live row read at `read_at`, stamped with the revocation count taken
    /// *before* the read.
    pub(crate) fn put(&self, row: Arc<AccessRow>, read_at: UnixMillis, revocations: u64) {
        if row.actor_id.is_some() {
            return;
        }
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= ACCESS_CACHE_MAX {
                map.clear();
            }
            map.insert(row.jti.clone(), Entry { read_at, revocations, row });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(jti: &str, expires_at: UnixMillis) -> Arc<AccessRow> {
        Arc::new(AccessRow {
            jti: jti.into(),
            client_id: "c".into(),
            customer_id: Some("ann".into()),
            scope: "openid".into(),
            created_at: 0,
            expires_at,
            actor_id: None,
        })
    }

    #[test]
    fn a_row_lives_a_second_until_a_revocation_or_its_expiry() {
        let cache = AccessCache::default();
        assert!(cache.get("a", 1_000, 0).is_none());
        cache.put(row("a", 10_000), 1_000, 0);
        assert!(cache.get("a", 1_000, 0).is_some());
        assert!(cache.get("a", 1_999, 0).is_some());
        assert!(cache.get("a", 2_000, 0).is_none(), "another node's revocation is honoured within a second");
        assert!(cache.get("a", 999, 0).is_none(), "a clock steered backwards reads again");
        assert!(cache.get("a", 1_500, 1).is_none(), "a revocation committed on this node: read again at once");
        cache.put(row("b", 1_200), 1_000, 0);
        assert!(cache.get("b", 1_100, 0).is_some());
        assert!(cache.get("b", 1_200, 0).is_none(), "never past the token's own expiry");
        assert!(cache.get("c", 1_000, 0).is_none());
    }

    #[test]
    fn delegated_tokens_are_not_kept_and_the_map_is_bounded() {
        let cache = AccessCache::default();
        let delegated = Arc::new(AccessRow { actor_id: Some("bob".into()), ..AccessRow::clone(&row("d", 10_000)) });
        cache.put(delegated, 1_000, 0);
        assert!(cache.get("d", 1_000, 0).is_none(), "a delegation ends at its own time: read every use");
        for i in 0..=ACCESS_CACHE_MAX {
            cache.put(row(&i.to_string(), 10_000), 1_000, 0);
        }
        assert!(cache.0.lock().unwrap().len() <= ACCESS_CACHE_MAX);
    }
}
