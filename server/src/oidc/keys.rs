//! The signing key ring: keys live in the database (sealed with the master key, see
//! `identity::jose`); each node keeps the loaded set for a minute. The first use
//! on a fresh database creates one key per algorithm; the maintenance job rotates them
//! every `FOYER_KEY_ROTATION_DAYS` and removes keys whose tokens have all expired.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use identity::Identity;
use identity::jose::Keys;
use identity::jose::{KeyManager, KeyPolicy};
use tokio::sync::RwLock;

use crate::http::AppState;

/// How long a node trusts its loaded key set.
const CACHE_MS: i64 = 60_000;

#[derive(Clone)]
pub struct KeyRing {
    identity: Identity,
    policy: KeyPolicy,
    cache: Arc<RwLock<Option<Loaded>>>,
}

/// A loaded key set, when, and its JWKS serialized once for `GET /oauth2/jwks`.
struct Loaded {
    at: i64,
    keys: Arc<Keys>,
    jwks: axum::body::Bytes,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").finish_non_exhaustive()
    }
}

impl KeyRing {
    pub fn new(identity: Identity) -> Self {
        Self { identity, policy: KeyPolicy::default(), cache: Arc::new(RwLock::new(None)) }
    }

    pub fn manager(&self) -> identity::Result<KeyManager> {
        self.identity.signing_keys(&identity::principal::Principal::System, self.policy.clone())
    }

    /// The current key set, loaded at most a minute ago; created on first use.
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
            && now - loaded.at < CACHE_MS
        {
            return Ok((Arc::clone(&loaded.keys), loaded.jwks.clone()));
        }
        let manager = self.manager()?;
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
            *self.cache.write().await = Some(Loaded { at: now, keys: Arc::clone(&keys), jwks: jwks.clone() });
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
