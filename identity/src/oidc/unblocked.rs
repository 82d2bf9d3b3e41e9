//! Client-authentication throttle keys this node found unblocked in the last second
//! (`docs/design/peaks.md` "Caches"). Every introspection, refresh and client-credentials
//! call checks its address's and its client's failure counters before the credentials
//! are looked at; at a peak the same few keys are read thousands of times a second, and
//! on PostgreSQL that read was the only statement of a repeated introspection.
//!
//! Only "not blocked" is kept, never a block. A failure recorded on this node forgets
//! every entry (after its write, so a check that read the counters before the write
//! cannot keep what it read: the same rule as the revocation count of
//! `oidc::access_cache`), and the next check reads the counters again. A failure recorded
//! on another node is seen here within [`UNBLOCKED_MS`]. A guess is always a failure
//! written to the shared counters, so spreading guesses over nodes gains at most one
//! unchecked guess per node before that node reads the counters again.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::UnixMillis;

/// How long a node trusts "not blocked": the bound on honouring another node's block.
pub const UNBLOCKED_MS: UnixMillis = 1_000;

/// Most keys kept (an address or an address and a client each); a full map starts
/// again empty.
pub const UNBLOCKED_MAX: usize = 16_384;

#[derive(Debug, Default)]
struct Inner {
    /// Moves when this node records a failure.
    failures: u64,
    /// Key → when its counter was read and found not blocking.
    read_at: HashMap<String, UnixMillis>,
}

#[derive(Debug, Default)]
pub(crate) struct UnblockedCache(Mutex<Inner>);

impl UnblockedCache {
    /// This node's failure count, taken *before* reading the counters.
    pub(crate) fn failures(&self) -> u64 {
        self.0.lock().map_or(u64::MAX, |inner| inner.failures)
    }

    /// Whether every key was found unblocked less than [`UNBLOCKED_MS`] before `now`
    /// (not after it: a clock steered backwards reads again).
    pub(crate) fn all_unblocked(&self, keys: &[&str], now: UnixMillis) -> bool {
        let Ok(inner) = self.0.lock() else { return false };
        keys.iter().all(|key| inner.read_at.get(*key).is_some_and(|&at| at <= now && now - at < UNBLOCKED_MS))
    }

    /// Keeps `keys` as unblocked at `read_at`, unless this node recorded a failure since
    /// `failures` was taken.
    pub(crate) fn put(&self, keys: &[&str], read_at: UnixMillis, failures: u64) {
        let Ok(mut inner) = self.0.lock() else { return };
        if inner.failures != failures {
            return;
        }
        if inner.read_at.len() + keys.len() > UNBLOCKED_MAX {
            inner.read_at.clear();
        }
        for key in keys {
            inner.read_at.insert((*key).to_owned(), read_at);
        }
    }

    /// A failure was recorded (and committed) on this node: read every key again.
    pub(crate) fn failed(&self) {
        if let Ok(mut inner) = self.0.lock() {
            inner.failures = inner.failures.wrapping_add(1);
            inner.read_at.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unblocked_lives_a_second_until_a_failure_here() {
        let cache = UnblockedCache::default();
        assert!(!cache.all_unblocked(&["ip"], 1_000), "nothing read yet");
        let before = cache.failures();
        cache.put(&["ip", "pair"], 1_000, before);
        assert!(cache.all_unblocked(&["ip", "pair"], 1_000));
        assert!(cache.all_unblocked(&["ip"], 1_999));
        assert!(!cache.all_unblocked(&["ip", "other"], 1_500), "every key must have been read");
        assert!(!cache.all_unblocked(&["ip"], 2_000), "another node's block is honoured within a second");
        assert!(!cache.all_unblocked(&["ip"], 999), "a clock steered backwards reads again");
        cache.failed();
        assert!(!cache.all_unblocked(&["ip"], 1_500), "a failure recorded here: read again at once");
    }

    #[test]
    fn a_read_older_than_a_failure_is_not_kept_and_the_map_is_bounded() {
        let cache = UnblockedCache::default();
        let before = cache.failures();
        cache.failed();
        cache.put(&["ip"], 1_000, before);
        assert!(!cache.all_unblocked(&["ip"], 1_000), "read before the failure was written: not kept");
        let now = cache.failures();
        for i in 0..=UNBLOCKED_MAX {
            cache.put(&[i.to_string().as_str()], 1_000, now);
        }
        assert!(cache.0.lock().unwrap().read_at.len() <= UNBLOCKED_MAX);
    }
}
