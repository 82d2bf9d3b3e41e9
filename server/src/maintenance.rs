//! Periodic work on every node: expired sessions, stale throttle counters, spent OIDC
//! flow state (requests, codes, access-token rows), finished outbox rows and old
//! development mail, the audit log's retention (`FOYER_AUDIT_RETENTION_DAYS`, in
//! batches of 5,000 rows per transaction), and the
//! signing keys' rotation and clean-up; and, every ten seconds, the password hasher's
//! memory once it is idle ([`release_hash_memory`]). Each step is idempotent (key rotation is
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

/// How often a node looks whether its password hasher was idle: one idle for a whole
/// interval gives its argon2 block sets back (`identity::password::Hasher::release_idle_memory`,
/// `docs/design/peaks.md` "Memory"), so memory returns near idle within 10–20 s of a
/// sign-in peak.
pub const HASH_MEMORY_INTERVAL: Duration = Duration::from_secs(10);

pub async fn release_hash_memory(identity: Identity, stop: watch::Receiver<bool>) {
    every(HASH_MEMORY_INTERVAL, stop, || {
        let bytes = identity.hasher().release_idle_memory();
        if bytes > 0 {
            tracing::debug!(bytes, "gave idle password-hashing memory back");
        }
    })
    .await;
}

/// Runs `work` every `period` (the first time at once; a late tick is not made up)
/// until `stop` turns true.
pub async fn every(period: Duration, mut stop: watch::Receiver<bool>, mut work: impl FnMut()) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => work(),
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
