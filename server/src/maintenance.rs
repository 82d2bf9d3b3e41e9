//! Periodic work on every node: expired sessions, stale throttle counters, spent OIDC
//! flow state (requests, codes, access-token rows), finished outbox rows and old
//! development mail, the audit log's retention (`FOYER_AUDIT_RETENTION_DAYS`, in
//! batches of 5,000 rows per transaction), and the
//! signing keys' rotation and clean-up. Each step is idempotent (key rotation is
//! guarded by a unique index; two nodes' retention batches take turns on the gate row),
//! so nodes running it at once do no harm.

use std::time::Duration;

use identity::Identity;
use identity::principal::Principal;
use tokio::sync::watch;

use crate::oidc::keys::KeyRing;

pub const INTERVAL: Duration = Duration::from_secs(600);

pub async fn sweep(identity: &Identity) -> identity::Result<(u64, u64)> {
    let swept = identity.sweep(&Principal::System).await?;
    Ok((swept.sessions, swept.other))
}

/// The first pass waits this long after start: a node that just started has nothing
/// urgent to sweep, and a test's server (with rows dated by a fixed clock) stops before it.
pub const FIRST_DELAY: Duration = Duration::from_secs(60);

pub async fn run(identity: Identity, keys: KeyRing, rotation_ms: i64, mut stop: watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(FIRST_DELAY) => {}
        _ = stop.changed() => return,
    }
    loop {
        match sweep(&identity).await {
            Ok((sessions, counters)) if sessions + counters > 0 => {
                tracing::info!(sessions, counters, "removed expired sessions and throttle counters");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "maintenance sweep failed"),
        }
        match keys.maintain(rotation_ms).await {
            Ok((rotated, removed)) if rotated + usize::try_from(removed).unwrap_or(0) > 0 => {
                tracing::info!(rotated, removed, "rotated signing keys");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "signing key maintenance failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(INTERVAL) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
