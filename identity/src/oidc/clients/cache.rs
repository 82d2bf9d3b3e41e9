//! The clients this node read in the last second (`docs/design/peaks.md` "Token path"):
//! every token request authenticates its client and every UserInfo, introspection and
//! brand API call reads the token's client, so a campaign peak would read the same few
//! rows thousands of times a second.
//!
//! A change made through this node (secret rotated, client disabled, redirect URIs, rate,
//! delegation) forgets the entry at once; a change made on another node is seen within
//! [`CLIENT_CACHE_MS`]. Only clients that exist are kept, so the map holds at most the
//! registered clients however many unknown ids are tried.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::UnixMillis;
use crate::store::clients::ClientRow;

/// How long a node trusts a client row it read: the bound on seeing another node's
/// change (the same as for a revoked token).
pub const CLIENT_CACHE_MS: UnixMillis = 1_000;

#[derive(Debug, Default)]
pub(crate) struct ClientCache(RwLock<HashMap<String, (UnixMillis, Arc<ClientRow>)>>);

impl ClientCache {
    /// The row read at most [`CLIENT_CACHE_MS`] before `now` (and not after it: a clock
    /// steered backwards reads again).
    pub(crate) fn get(&self, id: &str, now: UnixMillis) -> Option<Arc<ClientRow>> {
        let map = self.0.read().ok()?;
        let (at, row) = map.get(id)?;
        (*at <= now && now - *at < CLIENT_CACHE_MS).then(|| Arc::clone(row))
    }

    pub(crate) fn put(&self, row: Arc<ClientRow>, now: UnixMillis) {
        if let Ok(mut map) = self.0.write() {
            map.insert(row.id.clone(), (now, row));
        }
    }

    /// After a change to the client on this node.
    pub(crate) fn forget(&self, id: &str) {
        if let Ok(mut map) = self.0.write() {
            map.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str) -> Arc<ClientRow> {
        Arc::new(ClientRow { id: id.into(), ..ClientRow::default() })
    }

    #[test]
    fn rows_live_for_a_second_and_a_change_forgets_them() {
        let cache = ClientCache::default();
        assert!(cache.get("a", 1_000).is_none());
        cache.put(row("a"), 1_000);
        assert!(cache.get("a", 1_000).is_some());
        assert!(cache.get("a", 1_999).is_some());
        assert!(cache.get("a", 2_000).is_none(), "another node's change is seen within a second");
        assert!(cache.get("a", 999).is_none(), "a clock steered backwards reads again");
        cache.put(row("a"), 5_000);
        cache.forget("a");
        assert!(cache.get("a", 5_000).is_none(), "a change on this node applies at once");
        assert!(cache.get("b", 5_000).is_none());
    }
}
