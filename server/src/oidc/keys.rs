//! The signing key ring: keys live in the database (sealed with the master key, see
//! `identity::jose`); each node keeps the loaded set and every second compares the
//! stored set's version (every key's kid and times, one small statement) with the one it
//! loaded, reloading when it moved, when a key of the set reaches its activation,
//! retirement or expiry, and at least every minute. So a key added, retired or
//! withdrawn on any node (or by the CLI) is seen by every node within a second, and an
//! immediate rotation, which activates two seconds later, is published by every node
//! before any signs with it (`docs/design/cluster.md` "Signing keys"). The first use on
//! a fresh database creates one key per algorithm; the maintenance job rotates them
//! every `FOYER_KEY_ROTATION_DAYS` and removes keys whose tokens have all expired.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use identity::Identity;
use identity::jose::Keys;
use identity::jose::{KEY_CHECK_MS, KeyManager, KeyPolicy};
use tokio::sync::{Mutex, RwLock};

use crate::http::AppState;

/// The longest a node uses a loaded set without reloading it.
const CACHE_MS: i64 = 60_000;

#[derive(Clone)]
pub struct KeyRing {
    identity: Identity,
    policy: KeyPolicy,
    cache: Arc<RwLock<Option<Loaded>>>,
    /// Held by the one caller checking or reloading; the others use the loaded set
    /// meanwhile (it is less than a second past its check).
    reloading: Arc<Mutex<()>>,
}

/// A loaded key set, when, the stored version it was loaded at and when that was last
/// compared, and its JWKS serialized once for `GET /oauth2/jwks`.
struct Loaded {
    at: i64,
    checked_at: i64,
    version: String,
    keys: Arc<Keys>,
    jwks: axum::body::Bytes,
}

impl Loaded {
    /// Still what a load at `now` would give, as far as time alone tells: loaded within
    /// the minute (and not in the future of a clock steered backwards), and no key's
    /// activation, retirement or expiry passed since.
    fn current_at(&self, now: i64) -> bool {
        self.at <= now && now - self.at < CACHE_MS && self.keys.changes_at().is_none_or(|t| now < t)
    }

    /// [`Self::current_at`], and compared with the stored version less than
    /// [`KEY_CHECK_MS`] ago.
    fn checked_by(&self, now: i64) -> bool {
        self.current_at(now) && self.checked_at <= now && now - self.checked_at < KEY_CHECK_MS
    }

    fn parts(&self) -> (Arc<Keys>, axum::body::Bytes) {
        (Arc::clone(&self.keys), self.jwks.clone())
    }
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").finish_non_exhaustive()
    }
}

impl KeyRing {
    pub fn new(identity: Identity) -> Self {
        Self { identity, policy: KeyPolicy::default(), cache: Arc::new(RwLock::new(None)), reloading: Arc::new(Mutex::new(())) }
    }

    pub fn manager(&self) -> identity::Result<KeyManager> {
        self.identity.signing_keys(&identity::principal::Principal::System, self.policy.clone())
    }

    /// The current key set (see the module's note); created on first use.
    pub async fn current(&self) -> identity::Result<Arc<Keys>> {
        Ok(self.current_with_jwks().await?.0)
    }

    /// The published keys as JSON, serialized once per loaded set.
    pub async fn jwks(&self) -> identity::Result<axum::body::Bytes> {
        Ok(self.current_with_jwks().await?.1)
    }

    async fn current_with_jwks(&self) -> identity::Result<(Arc<Keys>, axum::body::Bytes)> {
        let now = self.identity.now();
        if let Some(loaded) = self.cache.read().await.as_ref()
            && loaded.checked_by(now)
        {
            return Ok(loaded.parts());
        }
        // One caller checks; the others keep using a set that time alone still allows
        // (it was checked less than a moment before the one now under way).
        let _turn = match self.reloading.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if let Some(loaded) = self.cache.read().await.as_ref()
                    && loaded.current_at(now)
                {
                    return Ok(loaded.parts());
                }
                self.reloading.lock().await
            }
        };
        let now = self.identity.now();
        let manager = self.manager()?;
        let kept = self.cache.read().await.as_ref().filter(|l| l.current_at(now)).map(|l| (l.checked_by(now), l.version.clone(), l.parts()));
        if let Some((checked, version, parts)) = kept {
            if checked {
                return Ok(parts); // checked by the caller that held the turn before
            }
            match manager.version().await {
                Ok(stored) if stored == version => {
                    if let Some(loaded) = self.cache.write().await.as_mut()
                        && loaded.version == stored
                    {
                        loaded.checked_at = now;
                    }
                    return Ok(parts);
                }
                Ok(_) => {} // moved: load again below
                // The database is away: the set loaded within the minute still serves.
                Err(e) => {
                    tracing::debug!(error = %e, "signing keys not checked");
                    return Ok(parts);
                }
            }
        }
        // The version before the load: a change made during the load is seen next check.
        let version = manager.version().await?;
        let mut keys = manager.load(now).await?;
        if keys.signing_algs().len() < self.policy.algs().len() {
            manager.ensure_keys(now).await?;
            // Another node or task may have made a key a moment later than `now`: read
            // the clock again so it counts as active.
            keys = manager.load(self.identity.now()).await?;
        }
        let keys = Arc::new(keys);
        let jwks = axum::body::Bytes::from(serde_json::to_vec(keys.jwks())?);
        // An incomplete set is used for this call but not cached, so the next call
        // looks again instead of failing for a minute.
        if keys.signing_algs().len() >= self.policy.algs().len() {
            *self.cache.write().await = Some(Loaded { at: now, checked_at: now, version, keys: Arc::clone(&keys), jwks: jwks.clone() });
        }
        Ok((keys, jwks))
    }

    /// Forgets the loaded set (after a rotation on this node).
    pub async fn forget(&self) {
        *self.cache.write().await = None;
    }

    /// The scheduled work: rotate keys older than `rotation_ms`, drop expired ones.
    pub async fn maintain(&self, rotation_ms: i64) -> identity::Result<(usize, u64)> {
        let now = self.identity.now();
        let manager = self.manager()?;
        if manager.list().await?.is_empty() {
            return Ok((0, 0)); // nothing to rotate until the first use creates keys
        }
        let rotated = manager.rotate_if_older_than(now, rotation_ms).await?;
        let removed = manager.remove_expired(now).await?;
        if !rotated.is_empty() || removed > 0 {
            self.forget().await;
        }
        Ok((rotated.len(), removed))
    }
}

/// `GET /oauth2/jwks`: the public keys, current and retired-but-unexpired.
pub async fn jwks(State(state): State<AppState>) -> Response {
    match state.keys.jwks().await {
        Ok(jwks) => super::discovery::public_json(jwks),
        Err(e) => {
            tracing::error!(error = %e, "signing keys unavailable");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "signing keys unavailable").into_response()
        }
    }
}
